"""Section ``employment_injury``: an employment-injury scheme (ILO C121, C102 Part VI).

The insured workers of the pension stage (covered employees), times a
coverage factor, are split into risk classes (``sectors``) by shares, each
with a wage relativity and yearly incidence rates per insured worker of
four outcomes: temporary incapacity, permanent partial incapacity,
permanent total incapacity and fatal injury. Benefits follow C121
(Schedule II: 60% of reference earnings for incapacity, 50% for a widow
with two children) unless the file says otherwise.
"""

from __future__ import annotations

import difflib
import warnings
from dataclasses import dataclass

import numpy as np

from actuarial.assumptions.economy import SHARE, schedule_by_sex
from actuarial.assumptions.reader import REQUIRED, Reader
from actuarial.assumptions.schedules import BySex, frozen
from actuarial.assumptions.series import TimeSeries
from actuarial.errors import AssumptionError

CLAIM_TYPES = ("temporary", "permanent_partial", "permanent_total", "fatal")
PENSION_TYPES = ("permanent_partial", "permanent_total", "spouse", "orphan")
FINANCING_METHODS = ("payg", "constituent_capitals", "gap")
# a yearly rate per insured worker above these is almost surely a rate per 1,000
PLAUSIBLE = {"temporary": 0.5, "permanent_partial": 0.05, "permanent_total": 0.01, "fatal": 0.005}
# ISIC Rev. 4 sections (A..U) in short names, "utilities" for D+E, and one class for a flat-rate scheme;
# other names need ``custom: true`` in the sector, so that a misspelt sector is caught
SECTOR_NAMES = ("agriculture", "mining", "manufacturing", "electricity", "water_supply", "utilities",
                "construction", "trade", "transport", "accommodation", "information", "finance", "real_estate",
                "professional", "administrative", "public_admin", "education", "health", "arts",
                "other_services", "households", "extraterritorial", "all_sectors")
C121_MINIMUM = 0.6  # C121 Schedule II: incapacity benefits, share of reference earnings


class AssumptionWarning(UserWarning):
    """Input that is valid but implausible: the user should look at it."""


@dataclass(frozen=True)
class Sector:
    name: str
    share: float  # share of the insured workers
    wage_relativity: float  # sector wage / average insured wage (before normalisation)
    incidence: tuple[float, ...]  # yearly rate per insured worker, by CLAIM_TYPES
    trend: TimeSeries  # multiplies the sector's rates (prevention, safety)
    disease: float  # occupational disease claims per insured worker-year of exposure


@dataclass(frozen=True)
class Discrete:
    """A discrete distribution: ``values`` with ``probabilities`` summing to 1."""

    values: tuple[float, ...]
    probabilities: tuple[float, ...]

    def mean(self, func=lambda v: v) -> float:
        return float(sum(p * func(v) for v, p in zip(self.values, self.probabilities)))


@dataclass(frozen=True)
class Beneficiaries:
    counts: BySex  # arrays by age (persons)
    average_pension: BySex  # arrays by age (currency a year)


@dataclass(frozen=True)
class Injury:
    coverage: float  # insured workers / pension contributors
    sectors: tuple[Sector, ...]
    age_sex_relativity: BySex  # arrays by age; normalised on the base-year insured
    disease_latency: int  # years from exposure to claim
    disease_outcome: tuple[float, ...]  # shares of disease claims by CLAIM_TYPES
    temporary_rate: float  # replacement rate of the daily reference wage
    waiting_days: int
    days_lost: Discrete  # days of incapacity per temporary claim
    days_per_year: float  # calendar days a year (daily wage = annual wage / days_per_year)
    permanent_rate: float  # permanent total incapacity: share of reference earnings
    degree: Discrete  # degree of permanent partial incapacity (0..1]
    lump_sum_below: float  # degrees below this are compensated by a lump sum
    lump_sum_years: float  # lump sum = years x the pension the degree would give
    partial_mortality: float  # mortality of partial incapacity pensioners / population
    total_mortality: float
    spouse_rate: float  # share of the deceased's reference earnings
    orphan_rate: float  # share, per orphan
    orphans_per_death: float  # average number of orphans below the age limit
    orphan_age_limit: int
    married: BySex  # probability of leaving a spouse, by age of the deceased
    spouse_age_difference: int  # husband's age minus wife's age
    survivors_maximum: float  # cap on all survivors' pensions, share of reference earnings
    survivor_mortality: float
    funeral_grant: float  # share of the average annual wage
    medical_care: tuple[float, ...]  # cost per claim, share of the average annual wage, by CLAIM_TYPES
    indexation_prices: float  # weight of inflation (the rest: wage growth) in indexation
    administrative_cost: float  # share of benefit expenditure
    financing_method: str
    gap_horizon: int  # years
    initial_reserve: float | None  # None: the capitalised value of pensions in payment
    initial_beneficiaries: dict  # type -> Beneficiaries

    @property
    def sector_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.sectors)


def _discrete(r: Reader, key, lo, hi, what) -> Discrete:
    sub = r.section(key)
    with sub:
        values = sub.number_list("values", sub.raw("values"), lo=lo, hi=hi, what=what)
        probs = sub.number_list("probabilities", sub.raw("probabilities"), **SHARE)
    if len(values) != len(probs):
        raise r.error(key, f"values and probabilities differ in length ({len(values)} vs {len(probs)})")
    if abs(sum(probs) - 1.0) > 1e-9:
        raise r.error(f"{key}.probabilities", f"expected probabilities summing to 1, got {sum(probs):.6g}")
    return Discrete(tuple(values), tuple(probs))


def _by_claim_type(r: Reader, key, *, types=CLAIM_TYPES, default=None, **bounds) -> tuple[float, ...]:
    sub = r.section(key)
    with sub:
        return tuple(sub.number(t, **bounds) if default is None else sub.number(t, default=default, **bounds)
                     for t in types)


def _sector(r: Reader, name, per: float) -> Sector:
    with r:
        if not r.flag("custom", False) and name not in SECTOR_NAMES:
            hint = difflib.get_close_matches(str(name), SECTOR_NAMES, n=1)
            also = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise AssumptionError(r.file_for(), r.key_path(), f"unknown sector {name!r}{also}; expected an ISIC "
                                  f"Rev. 4 section ({', '.join(SECTOR_NAMES)}), or add custom: true to the "
                                  "sector to define your own risk class")
        rates = _by_claim_type(r, "incidence", lo=0.0, hi=per, what="a yearly rate per insured worker")
        rates = tuple(v / per for v in rates)
        for t, v in zip(CLAIM_TYPES, rates):
            if v > PLAUSIBLE[t]:
                given = "per insured worker" if per == 1 else f"per {per:g} insured workers"
                warnings.warn(AssumptionWarning(
                    f"{r.file_for('incidence')}: {r.key_path('incidence')}.{t}: {v * per:g} {given} a year "
                    f"is implausibly high for {t.replace('_', ' ')} injuries (above {PLAUSIBLE[t] * per:g}); "
                    "rates are per insured worker unless incidence_per says otherwise (incidence_per: 1000 "
                    "for rates per 1,000)"), stacklevel=2)
        return Sector(
            name=name,
            share=r.number("share", **SHARE),
            wage_relativity=r.number("wage_relativity", lo=0.0, hi=20.0, lo_open=True, default=1.0,
                                     what="a relative wage"),
            incidence=rates,
            trend=r.series("trend", lo=0.0, hi=10.0, default=1.0, what="a factor on the incidence rates"),
            disease=r.number("occupational_disease", lo=0.0, hi=0.05 * per, default=0.0,
                             what="claims per insured worker-year of exposure") / per)


def _replacement(r: Reader, key, allow_above_one: bool, default=REQUIRED) -> float:
    value = r.raw(key, default)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 1 and not allow_above_one:
        raise r.error(key, f"a replacement rate of {value:g} exceeds 1 (100% of reference earnings); "
                           "set employment_injury.allow_replacement_above_1: true if that is intended")
    return r.number(key, lo=0.0, hi=10.0, default=default, what="a replacement rate")


def _beneficiaries(r: Reader, key) -> Beneficiaries:
    sub = r.section(key)
    with sub:
        return Beneficiaries(schedule_by_sex(sub, "counts", lo=0.0), schedule_by_sex(sub, "average_pension", lo=0.0))


def parse_injury(r: Reader) -> Injury:
    with r:
        above = r.flag("allow_replacement_above_1", False)
        per = r.number("incidence_per", lo=1.0, hi=1e6, default=1.0, what="1 (rates per worker), 1000 or 100000")
        sectors_r = r.section("sectors")
        with sectors_r:
            names = sectors_r.keys()
            if not names:
                raise r.error("sectors", "expected at least one sector (risk class)")
            sectors = tuple(_sector(sectors_r.section(n), str(n), per) for n in names)
        total = sum(s.share for s in sectors)
        if abs(total - 1.0) > 1e-9:
            raise r.error("sectors", f"expected sector shares summing to 1, got {total:.6g}")
        relativity = (schedule_by_sex(r, "age_sex_relativity", lo=0.0, hi=100.0)
                      if r.has("age_sex_relativity") else BySex(frozen(np.ones(101)), frozen(np.ones(101))))
        dis = r.section("occupational_disease", required=any(s.disease > 0 for s in sectors))
        latency, outcome = 0, (0.0, 0.0, 1.0, 0.0)
        if dis is not None:
            with dis:
                latency = dis.number("latency_years", lo=0, hi=40, integer=True)
                outcome = _by_claim_type(dis, "outcome", default=0.0, **SHARE)
            if abs(sum(outcome) - 1.0) > 1e-9:
                raise dis.error("outcome", f"expected shares summing to 1, got {sum(outcome):.6g}")
        tmp = r.section("temporary")
        with tmp:
            temporary_rate = _replacement(tmp, "replacement_rate", above)
            waiting = tmp.number("waiting_days", lo=0, hi=30, integer=True, default=3)
            days = _discrete(tmp, "days_lost", 1.0, 3 * 365.0, "days of incapacity")
            days_per_year = tmp.number("days_per_year", lo=250, hi=366, default=365.0)
        perm = r.section("permanent")
        with perm:
            permanent_rate = _replacement(perm, "replacement_rate", above)
            degree = _discrete(perm, "degree", 0.0, 1.0, "a degree of incapacity (0 to 1)")
            lump_below = perm.number("lump_sum_below", **SHARE, default=0.25)
            lump_years = perm.number("lump_sum_years", lo=0.0, hi=20.0, default=3.0)
            partial_m = perm.number("partial_mortality_factor", lo=0.5, hi=10.0, default=1.0)
            total_m = perm.number("total_mortality_factor", lo=0.5, hi=10.0, default=1.0)
        surv = r.section("survivors")
        with surv:
            spouse_rate = _replacement(surv, "spouse_rate", above)
            orphan_rate = _replacement(surv, "orphan_rate", above)
            orphans = surv.number("orphans_per_death", lo=0.0, hi=10.0)
            limit = surv.number("orphan_age_limit", lo=1, hi=30, integer=True, default=18)
            married = schedule_by_sex(surv, "married", **SHARE)
            diff = surv.number("spouse_age_difference", lo=-20, hi=20, integer=True, default=3)
            maximum = _replacement(surv, "maximum_rate", above, default=1.0)
            surv_m = surv.number("mortality_factor", lo=0.5, hi=10.0, default=1.0)
        init = r.section("initial", required=False)
        reserve, initial = 0.0, {}
        if init is not None:
            with init:
                value = init.raw("reserve", 0.0)
                reserve = None if value == "capitalised" else init.number(
                    "reserve", lo=0.0, what="a reserve in currency units, or 'capitalised'")
                ben = init.section("beneficiaries", required=False)
                if ben is not None:
                    with ben:
                        initial = {t: _beneficiaries(ben, t) for t in PENSION_TYPES if ben.has(t)}
                if "orphan" in initial and any(np.asarray(c)[limit:].any() for c in initial["orphan"].counts):
                    raise init.error("beneficiaries.orphan.counts",
                                     f"orphans' pensions stop at age {limit} (survivors.orphan_age_limit); "
                                     "expected no orphans at or above it")
        injury = Injury(
            coverage=r.number("coverage", lo=0.0, hi=5.0, default=1.0, what="insured / pension contributors"),
            sectors=sectors,
            age_sex_relativity=relativity,
            disease_latency=int(latency),
            disease_outcome=outcome,
            temporary_rate=temporary_rate,
            waiting_days=int(waiting),
            days_lost=days,
            days_per_year=days_per_year,
            permanent_rate=permanent_rate,
            degree=degree,
            lump_sum_below=lump_below,
            lump_sum_years=lump_years,
            partial_mortality=partial_m,
            total_mortality=total_m,
            spouse_rate=spouse_rate,
            orphan_rate=orphan_rate,
            orphans_per_death=orphans,
            orphan_age_limit=int(limit),
            married=married,
            spouse_age_difference=int(diff),
            survivors_maximum=maximum,
            survivor_mortality=surv_m,
            funeral_grant=r.number("funeral_grant", lo=0.0, hi=5.0, default=0.0,
                                   what="a share of the average annual wage"),
            medical_care=_by_claim_type(r, "medical_care", default=0.0, lo=0.0, hi=20.0,
                                        what="cost per claim, a share of the average annual wage")
            if r.has("medical_care") else (0.0,) * 4,
            indexation_prices=r.number("indexation_prices", **SHARE, default=1.0),
            administrative_cost=r.number("administrative_cost", lo=0.0, hi=0.5, default=0.0),
            financing_method=r.string("financing_method", choices=FINANCING_METHODS),
            gap_horizon=r.number("gap_horizon", lo=1, hi=200, integer=True, default=50),
            initial_reserve=reserve,
            initial_beneficiaries=initial,
        )
    return injury


def check_against_case(r: Reader, injury: Injury, horizon: int) -> None:
    if injury.gap_horizon > horizon:
        raise r.error("gap_horizon", f"{injury.gap_horizon} years exceed the projection "
                                     f"({horizon} years, case.horizon)")
