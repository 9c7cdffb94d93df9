"""Section ``pension`` of an assumption file: a defined-benefit social insurance scheme."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from actuarial.assumptions.economy import SHARE, schedule_by_sex, series_by_sex
from actuarial.assumptions.reader import Reader
from actuarial.errors import AssumptionError
from actuarial.assumptions.schedules import BySex
from actuarial.assumptions.series import TimeSeries

BENEFIT_TYPES = ("old_age", "invalidity", "survivors")


@dataclass(frozen=True)
class Pensioners:
    """Pensioners of one type at the valuation date, by sex and age."""

    counts: BySex  # arrays by age (persons)
    average_pension: BySex  # arrays by age (currency a year)


@dataclass(frozen=True)
class Pension:
    contribution_rate: TimeSeries
    ceiling: TimeSeries | None  # contribution ceiling as a multiple of the average wage
    pensionable_age: BySex  # of TimeSeries (whole years)
    vesting_years: int  # credited years needed for an old-age pension
    accrual_rate: float  # pension per credited year, share of reference earnings
    reference_earnings: str  # "career_average" (wage-revalued) or "final_years"
    final_years: int
    minimum_pension: float  # share of the economy-wide average wage of the year
    maximum_pension: float | None  # share of reference earnings
    indexation_prices: float  # weight of inflation in the indexation of pensions
    lump_sum: str  # "refund" (contributions without interest) or "none" when not vested
    invalidity_incidence: BySex  # arrays by age, yearly probability for active insured
    invalidity_vesting: int
    invalidity_mortality_factor: float
    survivor_share: float  # survivor pension / deceased's pension
    married: BySex  # probability of leaving a spouse, arrays by age of the deceased
    spouse_age_difference: int  # husband's age minus wife's age
    reentry_rate: float  # share of inactive insured who resume when active places open
    administrative_cost: float  # share of benefit expenditure
    initial_reserve: float
    initial_credit_share: float | None  # initial credits ~ Binomial(age - first age, share)
    initial_inactive_ratio: float | None  # inactive insured / active insured at each age
    initial_insured: np.ndarray | None  # or a table (status active/inactive, sex, age, credits)
    initial_pensioners: dict  # type -> Pensioners
    horizons: tuple[int, ...]  # GAP horizons in years
    gap_target_reserve_ratio: float  # GAP: reserve at the horizon's end / the last year's expenditure
    steady_state_review_period: int  # CPP steady-state rate: years after the valuation year
    scaled_premium_period: int  # years of each period of equilibrium
    closed_group: bool  # also project the closed group (no new entrants)


def _integerseries_by_sex(r: Reader, key) -> BySex:
    # from 40: below it refunds of contributions at the pensionable age outweigh the earnings base
    # and the general average premium has no solution (it was -277% at 30); no scheme pays earlier
    pair = series_by_sex(r, key, dict(lo=40, hi=90, what="an age in whole years"))
    for sex, series in zip(("female", "male"), pair):
        if any(v != int(v) for v in series.values):
            raise r.error(key, f"expected whole years of age for {sex}, got {series.values}")
    return pair


def _pensioners(r: Reader, key) -> Pensioners:
    sub = r.section(key)
    with sub:
        counts = schedule_by_sex(sub, "counts", lo=0.0)
        amounts = schedule_by_sex(sub, "average_pension", lo=0.0)
    return Pensioners(counts, amounts)


def read_insured_table(path) -> np.ndarray:
    """Insured persons at the valuation date from a CSV file, one row per group:
    ``sex`` (female/male), ``age`` (0..100), ``credits`` (whole credited years),
    ``status`` (active/inactive), ``count`` (persons). Returns an array
    (status, sex, age, credits); the credit axis is as long as the file needs.
    Read through :mod:`actuarial.datafiles`; a group given twice is an error."""
    from actuarial.datafiles import Column, check_unique, data_error, read_table

    columns = [Column("sex", "text", choices=("female", "male"), what="a sex"),
               Column("age", "int", lo=0, hi=100, what="an age in whole years 0..100"),
               Column("credits", "int", lo=0, hi=100, what="whole credited years 0..100"),
               Column("status", "text", choices=("active", "inactive"), what="a status"),
               Column("count", lo=0.0, what="a non-negative number of persons")]
    table = read_table(path, columns, what="table of insured persons", context=("sex", "age", "credits", "status"))
    check_unique(path, table, ("status", "sex", "age", "credits"))
    over = (table["credits"] > table["age"]).to_numpy()
    if over.any():
        raise data_error(path, "credits", int(table.index[over.argmax()]), "credited years cannot exceed the age")
    out = np.zeros((2, 2, 101, int(table["credits"].max()) + 1))
    status = (table["status"] == "inactive").to_numpy().astype(int)
    sex = (table["sex"] == "male").to_numpy().astype(int)
    out[status, sex, table["age"].to_numpy(int), table["credits"].to_numpy(int)] = table["count"].to_numpy(float)
    out.flags.writeable = False
    return out


def parse_pension(r: Reader) -> Pension:
    with r:
        ref = r.section("reference_earnings")
        with ref:
            method = ref.string("method", choices=("career_average", "final_years"))
            final_years = ref.number("years", lo=1, hi=40, integer=True, default=5)
        inv = r.section("invalidity")
        with inv:
            incidence = schedule_by_sex(inv, "incidence", lo=0.0, hi=1.0)
            inv_vesting = inv.number("vesting_years", lo=0, hi=60, integer=True)
            inv_mortality = inv.number("mortality_factor", lo=0.5, hi=10.0, default=1.0)
        surv = r.section("survivors")
        with surv:
            share = surv.number("pension_share", **SHARE)
            married = schedule_by_sex(surv, "married", lo=0.0, hi=1.0)
            diff = surv.number("spouse_age_difference", lo=-20, hi=20, integer=True, default=3)
        init = r.section("initial")
        with init:
            reserve = init.number("reserve", lo=0.0, what="a reserve in currency units")
            if init.has("insured_file"):
                if init.has("credit_share") or init.has("inactive_ratio"):
                    raise init.error("insured_file", "give either insured_file or credit_share "
                                                     "with inactive_ratio, not both")
                insured = read_insured_table(init.file_path("insured_file"))
                credit_share, inactive_ratio = None, None
            else:
                insured = None
                credit_share = init.number("credit_share", **SHARE)
                inactive_ratio = init.number("inactive_ratio", lo=0.0, hi=10.0)
            pens = init.section("pensioners")
            with pens:
                pensioners = {t: _pensioners(pens, t) for t in BENEFIT_TYPES}
        horizons = r.raw("horizons", [25, 50, 75])
        if (not isinstance(horizons, list) or not horizons
                or not all(isinstance(h, int) and not isinstance(h, bool) and h > 0 for h in horizons)):
            raise r.error("horizons", "expected a list of positive whole numbers of years")
        vesting = r.number("vesting_years", lo=0, hi=60, integer=True)
        ceiling = r.series("contribution_ceiling", lo=0.5, hi=100.0,
                           what="a multiple of the average wage") if r.has("contribution_ceiling") else None
        pension = Pension(
            contribution_rate=r.series("contribution_rate", lo=0.0, hi=1.0, what="a contribution rate"),
            ceiling=ceiling,
            pensionable_age=_integerseries_by_sex(r, "pensionable_age"),
            vesting_years=vesting,
            accrual_rate=r.number("accrual_rate", lo=0.0, hi=0.2, what="a share per credited year"),
            reference_earnings=method,
            final_years=final_years,
            minimum_pension=r.number("minimum_pension", lo=0.0, hi=5.0, default=0.0,
                                     what="a share of the average wage"),
            maximum_pension=r.number("maximum_pension", lo=0.0, hi=5.0, default=None,
                                     what="a share of reference earnings"),
            indexation_prices=r.number("indexation_prices", **SHARE, default=1.0),
            lump_sum=r.string("lump_sum", choices=("refund", "none"), default="refund"),
            invalidity_incidence=incidence,
            invalidity_vesting=inv_vesting,
            invalidity_mortality_factor=inv_mortality,
            survivor_share=share,
            married=married,
            spouse_age_difference=diff,
            reentry_rate=r.number("reentry_rate", **SHARE, default=0.1),
            administrative_cost=r.number("administrative_cost", lo=0.0, hi=0.5, default=0.0),
            initial_reserve=reserve,
            initial_credit_share=credit_share,
            initial_inactive_ratio=inactive_ratio,
            initial_insured=insured,
            initial_pensioners=pensioners,
            horizons=tuple(horizons),
            gap_target_reserve_ratio=r.number("gap_target_reserve_ratio", lo=0.0, hi=50.0, default=0.0,
                                              what="a reserve / the last year's expenditure (1 for one year)"),
            steady_state_review_period=r.number("steady_state_review_period", lo=0, hi=20, integer=True,
                                                default=3),
            scaled_premium_period=r.number("scaled_premium_period", lo=1, hi=100, integer=True, default=10),
            closed_group=r.flag("closed_group", True),
        )
    return pension


def check_against_case(r: Reader, pension: Pension, labour_first_age: int, base_year: int,
                       horizon: int) -> None:
    """Cross-checks that need other sections: ages, careers and horizons must fit."""
    too_long = [h for h in pension.horizons if h > horizon]
    if too_long:
        raise r.error("horizons", f"horizons {too_long} exceed the projection ({horizon} years, case.horizon)")
    if pension.initial_insured is not None:
        table = pension.initial_insured
        key = ("initial", "insured_file")
        file = r.file_for(key)
        for g, (sex, series) in enumerate(zip(("female", "male"), pension.pensionable_age)):
            last = int(series.at([base_year])[0]) - 1
            ages = np.nonzero(table[:, g].sum(axis=(0, 2)))[0]
            if ages.size and (ages.min() < labour_first_age or ages.max() > last):
                raise AssumptionError(file, r.key_path("initial") + ".insured_file",
                                      f"insured {sex} persons must be aged {labour_first_age}..{last} (first "
                                      f"working age to the last age before the pensionable age of {base_year}); "
                                      f"got {ages.min()}..{ages.max()}")
        age, credits = np.nonzero(table.sum(axis=(0, 1)))
        if (credits > age - labour_first_age).any():
            raise AssumptionError(file, r.key_path("initial") + ".insured_file",
                                  "credited years exceed the years since the first working age "
                                  f"({labour_first_age})")
    for sex, series in zip(("female", "male"), pension.pensionable_age):
        lowest = min(series.values)
        if lowest <= labour_first_age:
            raise r.error("pensionable_age", f"the {sex} pensionable age {lowest:g} is not above the "
                                             f"first working age {labour_first_age}")
        career = min(series.values) - labour_first_age
        if pension.vesting_years > career:
            raise r.error("vesting_years", f"{pension.vesting_years} years exceed the longest possible "
                                           f"career ({career:g} years from age {labour_first_age} to the "
                                           f"{sex} pensionable age)")


def by_sex_array(pair: BySex) -> np.ndarray:
    return np.array([np.asarray(pair.female), np.asarray(pair.male)])


