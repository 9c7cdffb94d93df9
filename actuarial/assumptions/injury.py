"""Section ``employment_injury``: an employment-injury scheme (ILO C121, C102 Part VI).

The insured workers of the pension stage (covered employees), times a
coverage factor, are split into risk classes (``sectors``) by shares, each
with a wage relativity and yearly incidence rates per insured worker of
four outcomes: temporary incapacity, permanent partial incapacity,
permanent total incapacity and fatal injury. Benefits follow C121
(Schedule II: 60% of reference earnings for incapacity, 50% for a widow
with two children) unless the file says otherwise.
"""


import difflib
import warnings
from actuarial.schema.records import dataclass  # frozen dataclasses, cheaper to declare

import numpy as np

from pydantic import ValidationInfo, model_validator

from actuarial.assumptions.schedules import PATTERN_FORMS
from actuarial.schema import (BySex, TimeSeries, choice, flag, frozen, named, number, numbers, rule_error,
                              schedule_by_sex, section, series, validate)
from actuarial.schema.reader import Reader

SHARE = dict(lo=0.0, hi=1.0, what="a share between 0 and 1")
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


# -- the section as written in the file ---------------------------------------------------

REPLACEMENT = dict(lo=0.0, hi=10.0, what="a replacement rate", unit="share of reference earnings")
FACTOR = dict(lo=0.5, hi=10.0, unit="factor")
# the replacement rates that may not exceed 1 unless allow_replacement_above_1
REPLACEMENTS = (("temporary", "replacement_rate"), ("permanent", "replacement_rate"),
                ("survivors", "spouse_rate"), ("survivors", "orphan_rate"), ("survivors", "maximum_rate"))
PER_WORKER = dict(lo=0.0, what="a yearly rate per insured worker", unit="per insured worker a year "
                  "(per incidence_per insured workers when given)")


def by_claim_type(values) -> tuple[float, ...]:
    return tuple(getattr(values, t) for t in CLAIM_TYPES)


@section()
@dataclass(frozen=True)
class Incidence:
    """Yearly claims per insured worker (per incidence_per workers), by outcome."""

    temporary: number("Temporary incapacity claims.", **PER_WORKER, source="ILOSTAT non-fatal "
                      "occupational injuries with lost time; national scheme records")
    permanent_partial: number("Permanent partial incapacity claims.", **PER_WORKER)
    permanent_total: number("Permanent total incapacity claims.", **PER_WORKER)
    fatal: number("Fatal injuries.", **PER_WORKER, source="ILOSTAT fatal occupational injuries")


@section()
@dataclass(frozen=True)
class DiseaseOutcome:
    """Shares of occupational disease claims by outcome (summing to 1)."""

    temporary: number("Temporary incapacity.", **SHARE, unit="share") = 0.0
    permanent_partial: number("Permanent partial incapacity.", **SHARE, unit="share") = 0.0
    permanent_total: number("Permanent total incapacity.", **SHARE, unit="share") = 0.0
    fatal: number("Fatal.", **SHARE, unit="share") = 0.0


MEDICAL = dict(lo=0.0, hi=20.0, what="cost per claim, a share of the average annual wage",
               unit="share of the average annual wage")


@section()
@dataclass(frozen=True)
class MedicalCare:
    """Medical care cost per claim, by outcome."""

    temporary: number("Per temporary incapacity claim.", **MEDICAL) = 0.0
    permanent_partial: number("Per permanent partial incapacity claim.", **MEDICAL) = 0.0
    permanent_total: number("Per permanent total incapacity claim.", **MEDICAL) = 0.0
    fatal: number("Per fatal claim.", **MEDICAL) = 0.0


@section()
@dataclass(frozen=True)
class SectorSpec:
    """A risk class (``employment_injury.sectors.<name>``): an ISIC Rev. 4 section, or
    ``custom: true`` for a risk class of one's own."""

    share: number("Share of the insured workers.", **SHARE, unit="share")
    incidence: Incidence
    custom: flag("A user-defined risk class (any name).") = False
    wage_relativity: number("Sector wage / average insured wage (before normalisation).", lo=0.0,
                            hi=20.0, lo_open=True, what="a relative wage", unit="ratio") = 1.0
    trend: series("Factor on the sector's incidence rates (prevention, safety).", lo=0.0, hi=10.0,
                  what="a factor on the incidence rates", unit="factor") = TimeSeries.constant(1.0)
    occupational_disease: number("Occupational disease claims per insured worker-year of exposure "
                                 "(per incidence_per workers when given).", lo=0.0,
                                 what="claims per insured worker-year of exposure",
                                 unit="per insured worker a year") = 0.0


@section()
@dataclass(frozen=True)
class OccupationalDisease:
    """Occupational diseases: claims arise latency_years after exposure."""

    latency_years: number("Years from exposure to claim.", lo=0, hi=40, integer=True, unit="years")
    outcome: DiseaseOutcome = DiseaseOutcome(0.0, 0.0, 1.0, 0.0)

    @model_validator(mode="after")
    def _outcome_sums_to_one(self):
        total = sum(by_claim_type(self.outcome))
        if abs(total - 1.0) > 1e-9:
            raise rule_error("outcome", f"expected shares summing to 1, got {total:.6g}")
        return self


def _discrete_rules(values, probabilities) -> None:
    if len(values) != len(probabilities):
        raise rule_error(None, f"values and probabilities differ in length ({len(values)} vs "
                               f"{len(probabilities)})")
    if abs(sum(probabilities) - 1.0) > 1e-9:
        raise rule_error("probabilities", f"expected probabilities summing to 1, got {sum(probabilities):.6g}")


@section()
@dataclass(frozen=True)
class DaysLost:
    """Days of incapacity per temporary claim: a discrete distribution."""

    values: numbers("Days of incapacity.", lo=1.0, hi=3 * 365.0, what="days of incapacity", unit="days")
    probabilities: numbers("Probability of each value (summing to 1).", **SHARE)

    @model_validator(mode="after")
    def _distribution(self):
        _discrete_rules(self.values, self.probabilities)
        return self


@section()
@dataclass(frozen=True)
class Degree:
    """Degree of permanent partial incapacity: a discrete distribution."""

    values: numbers("Degrees of incapacity (0 to 1].", lo=0.0, hi=1.0,
                    what="a degree of incapacity (0 to 1)", unit="share")
    probabilities: numbers("Probability of each value (summing to 1).", **SHARE)

    @model_validator(mode="after")
    def _distribution(self):
        _discrete_rules(self.values, self.probabilities)
        return self


@section()
@dataclass(frozen=True)
class Temporary:
    """Temporary incapacity benefits (C121 Schedule II: at least 60% of the daily wage)."""

    replacement_rate: number("Share of the daily reference wage.", **REPLACEMENT,
                             source="C121 Schedule II: at least 0.6")
    days_lost: DaysLost
    waiting_days: number("Waiting days before the benefit (C121 Art. 9(3): at most 3).", lo=0, hi=30,
                         integer=True, unit="days") = 3
    days_per_year: number("Calendar days a year (daily wage = annual wage / days_per_year).", lo=250,
                          hi=366, unit="days") = 365.0


@section()
@dataclass(frozen=True)
class Permanent:
    """Permanent incapacity pensions (partial: the total rate x the degree)."""

    replacement_rate: number("Permanent total incapacity: share of reference earnings.", **REPLACEMENT,
                             source="C121 Schedule II: at least 0.6")
    degree: Degree
    lump_sum_below: number("Degrees below this are compensated by a lump sum.", **SHARE,
                           unit="degree", source="C121 Art. 14(5)") = 0.25
    lump_sum_years: number("Lump sum = years x the pension the degree would give.", lo=0.0, hi=20.0,
                           unit="years") = 3.0
    partial_mortality_factor: number("Mortality of partial incapacity pensioners / population.",
                                     **FACTOR) = 1.0
    total_mortality_factor: number("Mortality of total incapacity pensioners / population.",
                                   **FACTOR) = 1.0


@section()
@dataclass(frozen=True)
class InjurySurvivors:
    """Survivors' pensions after a fatal injury (C121 Schedule II: 50% for a widow with two children)."""

    spouse_rate: number("Spouse's pension, share of the deceased's reference earnings.", **REPLACEMENT)
    orphan_rate: number("Pension per orphan, share of the deceased's reference earnings.", **REPLACEMENT)
    orphans_per_death: number("Average number of orphans below the age limit per death.", lo=0.0,
                              hi=10.0, unit="persons")
    married: schedule_by_sex("Probability of leaving a spouse, by age of the deceased.", **SHARE,
                             unit="probability", forms=PATTERN_FORMS)
    orphan_age_limit: number("Orphans' pensions stop at this age.", lo=1, hi=30, integer=True,
                             unit="years of age") = 18
    spouse_age_difference: number("Husband's age minus wife's age.", lo=-20, hi=20, integer=True,
                                  unit="years") = 3
    maximum_rate: number("Cap on all survivors' pensions, share of reference earnings.",
                         **REPLACEMENT) = 1.0
    mortality_factor: number("Survivors' mortality / population mortality.", **FACTOR) = 1.0


@section()
@dataclass(frozen=True)
class Beneficiaries:
    """Pensioners of one type at the valuation date, by sex and age."""

    counts: schedule_by_sex("Pensioners by age at the valuation date.", lo=0.0, unit="persons", forms=PATTERN_FORMS)
    average_pension: schedule_by_sex("Average pension in payment by age.", lo=0.0,
                                     unit="currency units a year", forms=PATTERN_FORMS)


@section()
@dataclass(frozen=True)
class InitialBeneficiaries:
    """Pensions in payment at the valuation date, by type (each optional)."""

    permanent_partial: Beneficiaries = None
    permanent_total: Beneficiaries = None
    spouse: Beneficiaries = None
    orphan: Beneficiaries = None


@section()
@dataclass(frozen=True)
class InitialInjury:
    """The scheme at the valuation date (1 January of the base year)."""

    reserve: number("Reserve at the valuation date, or capitalised: the capitalised value of the "
                    "pensions in payment.", lo=0.0, what="a reserve in currency units, or 'capitalised'",
                    unit="currency units", words=("capitalised",)) = 0.0
    beneficiaries: InitialBeneficiaries | None = None


@section("employment_injury")
@dataclass(frozen=True)
class InjurySection:
    """An employment-injury scheme (ILO C121, C102 Part VI) covering the pension scheme's insured.

    Rules: a sector is an ISIC Rev. 4 section unless custom: true; shares sum to 1;
    incidence within incidence_per; occupational_disease is required when a sector has
    occupational disease claims; replacement rates at most 1 unless
    allow_replacement_above_1; no initial orphans at or above orphan_age_limit;
    gap_horizon within case.horizon."""

    sectors: named("Risk classes (ISIC Rev. 4 sections in short names, or custom: true).", SectorSpec,
                   what="sector")
    temporary: Temporary
    permanent: Permanent
    survivors: InjurySurvivors
    financing_method: choice("payg; constituent_capitals (the capital value of each year's new "
                             "pensions); gap (general average premium over gap_horizon).",
                             FINANCING_METHODS)
    allow_replacement_above_1: flag("Accept replacement rates above 1 (100% of reference earnings).") = False
    incidence_per: number("Insured workers the incidence rates are given per.", lo=1.0, hi=1e6,
                          what="1 (rates per worker), 1000 or 100000", unit="workers") = 1.0
    coverage: number("Insured workers / pension contributors.", lo=0.0, hi=5.0,
                     what="insured / pension contributors", unit="ratio") = 1.0
    age_sex_relativity: schedule_by_sex("Relative incidence by sex and age (normalised on the base-year "
                                        "insured).", lo=0.0, hi=100.0, unit="ratio",
                                        source="scheme claims by age and sex", forms=PATTERN_FORMS) = None
    occupational_disease: OccupationalDisease | None = None
    funeral_grant: number("Funeral grant.", lo=0.0, hi=5.0, what="a share of the average annual wage",
                          unit="share of the average annual wage") = 0.0
    medical_care: MedicalCare = None
    indexation_prices: number("Weight of inflation (the rest: wage growth) in the indexation of "
                              "pensions.", **SHARE, unit="weight") = 1.0
    administrative_cost: number("Administrative cost, a share of benefit expenditure.", lo=0.0, hi=0.5,
                                unit="share of expenditure") = 0.0
    gap_horizon: number("Horizon of the general average premium (financing_method gap).", lo=1, hi=200,
                        integer=True, unit="years") = 50
    initial: InitialInjury | None = None

    @model_validator(mode="before")
    @classmethod
    def _names_and_replacement(cls, data):
        if not isinstance(data, dict):
            return data
        for name, spec in (data.get("sectors") or {}).items() if isinstance(data.get("sectors"), dict) else ():
            custom = isinstance(spec, dict) and spec.get("custom") is True
            if not custom and name not in SECTOR_NAMES:
                hint = difflib.get_close_matches(str(name), SECTOR_NAMES, n=1)
                also = f" (did you mean {hint[0]!r}?)" if hint else ""
                raise rule_error(f"sectors.{name}", f"unknown sector {name!r}{also}; expected an ISIC Rev. 4 "
                                                    f"section ({', '.join(SECTOR_NAMES)}), or add custom: true "
                                                    "to the sector to define your own risk class")
        if data.get("allow_replacement_above_1") is not True:
            for part, key in REPLACEMENTS:
                value = data.get(part, {}).get(key) if isinstance(data.get(part), dict) else None
                if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 1:
                    raise rule_error(f"{part}.{key}", f"a replacement rate of {value:g} exceeds 1 (100% of "
                                                      "reference earnings); set employment_injury."
                                                      "allow_replacement_above_1: true if that is intended")
        return data

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo):
        per = self.incidence_per
        if not self.sectors:
            raise rule_error("sectors", "expected at least one sector (risk class)")
        for name, s in self.sectors.items():
            for t, v in zip(CLAIM_TYPES, by_claim_type(s.incidence)):
                if v > per:
                    raise rule_error(f"sectors.{name}.incidence.{t}", f"expected a yearly rate per insured "
                                                                      f"worker in [0.0, {per}], got {v}")
            if s.occupational_disease > 0.05 * per:
                raise rule_error(f"sectors.{name}.occupational_disease",
                                 f"expected claims per insured worker-year of exposure in [0.0, {0.05 * per}], "
                                 f"got {s.occupational_disease}")
        total = sum(s.share for s in self.sectors.values())
        if abs(total - 1.0) > 1e-9:
            raise rule_error("sectors", f"expected sector shares summing to 1, got {total:.6g}")
        if self.occupational_disease is None and any(s.occupational_disease > 0 for s in self.sectors.values()):
            raise rule_error("occupational_disease", "required key is missing (a sector has "
                                                     "occupational_disease claims)")
        limit = self.survivors.orphan_age_limit
        orphans = self.initial and self.initial.beneficiaries and self.initial.beneficiaries.orphan
        if orphans and any(np.asarray(c)[limit:].any() for c in orphans.counts):
            raise rule_error("initial.beneficiaries.orphan.counts",
                             f"orphans' pensions stop at age {limit} (survivors.orphan_age_limit); "
                             "expected no orphans at or above it")
        horizon = (info.context or {})["case"].horizon
        if self.gap_horizon > horizon:
            raise rule_error("gap_horizon", f"{self.gap_horizon} years exceed the projection "
                                            f"({horizon} years, case.horizon)")
        return self

    def injury(self) -> Injury:
        """The engine's :class:`Injury` (rates per insured worker)."""
        per = self.incidence_per
        sectors = tuple(Sector(name=str(n), share=s.share, wage_relativity=s.wage_relativity,
                               incidence=tuple(v / per for v in by_claim_type(s.incidence)), trend=s.trend,
                               disease=s.occupational_disease / per) for n, s in self.sectors.items())
        disease = self.occupational_disease or OccupationalDisease(0)
        tmp, perm, surv = self.temporary, self.permanent, self.survivors
        init = self.initial or InitialInjury()
        ben = init.beneficiaries or InitialBeneficiaries()
        ones = frozen(np.ones(101))
        return Injury(
            coverage=self.coverage, sectors=sectors,
            age_sex_relativity=self.age_sex_relativity or BySex(ones, frozen(np.ones(101))),
            disease_latency=int(disease.latency_years), disease_outcome=by_claim_type(disease.outcome),
            temporary_rate=tmp.replacement_rate, waiting_days=int(tmp.waiting_days),
            days_lost=Discrete(tmp.days_lost.values, tmp.days_lost.probabilities),
            days_per_year=tmp.days_per_year, permanent_rate=perm.replacement_rate,
            degree=Discrete(perm.degree.values, perm.degree.probabilities),
            lump_sum_below=perm.lump_sum_below, lump_sum_years=perm.lump_sum_years,
            partial_mortality=perm.partial_mortality_factor, total_mortality=perm.total_mortality_factor,
            spouse_rate=surv.spouse_rate, orphan_rate=surv.orphan_rate,
            orphans_per_death=surv.orphans_per_death, orphan_age_limit=int(surv.orphan_age_limit),
            married=surv.married, spouse_age_difference=int(surv.spouse_age_difference),
            survivors_maximum=surv.maximum_rate, survivor_mortality=surv.mortality_factor,
            funeral_grant=self.funeral_grant,
            medical_care=(0.0,) * 4 if self.medical_care is None else by_claim_type(self.medical_care),
            indexation_prices=self.indexation_prices, administrative_cost=self.administrative_cost,
            financing_method=self.financing_method, gap_horizon=self.gap_horizon,
            initial_reserve=None if init.reserve == "capitalised" else init.reserve,
            initial_beneficiaries={t: getattr(ben, t) for t in PENSION_TYPES if getattr(ben, t) is not None})


def parse_injury(r: Reader, case) -> Injury:
    """Section ``employment_injury`` of a reader's mapping (declared in :class:`InjurySection`),
    checked against ``case``; implausibly high incidence rates warn (:class:`AssumptionWarning`)."""
    declared = validate(InjurySection, r.data, origins=r.origins, path=r.path, context={"case": case})
    injury = declared.injury()
    per = declared.incidence_per
    for name, sector in zip(declared.sectors, injury.sectors):
        s = Reader(r.data["sectors"][name], r.origins, (*r.path, "sectors", name))
        for t, v in zip(CLAIM_TYPES, sector.incidence):
            if v > PLAUSIBLE[t]:
                given = "per insured worker" if per == 1 else f"per {per:g} insured workers"
                warnings.warn(AssumptionWarning(
                    f"{s.file_for('incidence')}: {s.key_path('incidence')}.{t}: {v * per:g} {given} a year "
                    f"is implausibly high for {t.replace('_', ' ')} injuries (above {PLAUSIBLE[t] * per:g}); "
                    "rates are per insured worker unless incidence_per says otherwise (incidence_per: 1000 "
                    "for rates per 1,000)"), stacklevel=2)
    return injury
