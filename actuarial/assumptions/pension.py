"""Section ``pension`` of an assumption file: a defined-benefit social insurance scheme."""


from actuarial.schema.records import dataclass  # frozen dataclasses, cheaper to declare

import numpy as np
from pydantic import ValidationInfo, model_validator

from actuarial.errors import AssumptionError
from actuarial.assumptions.schedules import PATTERN_FORMS
from actuarial.schema import (BySex, TimeSeries, choice, flag, number, rule_error, schedule_by_sex,
                              section, series, series_by_sex, text, validate, whole_numbers)
from actuarial.schema.reader import Reader

SHARE = dict(lo=0.0, hi=1.0, what="a share between 0 and 1")
BENEFIT_TYPES = ("old_age", "invalidity", "survivors")


PERSONS = dict(lo=0.0, unit="persons")


@section()
@dataclass(frozen=True)
class Pensioners:
    """Pensioners of one type at the valuation date, by sex and age."""

    counts: schedule_by_sex("Pensioners by age at the valuation date.", **PERSONS, forms=PATTERN_FORMS)
    average_pension: schedule_by_sex("Average pension in payment by age.", lo=0.0,
                                     unit="currency units a year", forms=PATTERN_FORMS)


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
    design: str = "defined_benefit"  # DESIGNS
    defined_contribution: "DefinedContribution | None" = None  # design "defined_contribution"
    points: "Points | None" = None  # design "points"
    notional: "Notional | None" = None  # design "notional"
    transition: "Transition | None" = None  # a reform to another design
    freeze_year: int | None = None  # the engine's: no DB credits accrue from this year (legacy of a transition)
    convert_rights: bool = False  # the engine's: at freeze_year the insured's rights leave the DB (converted)
    converted_capital: np.ndarray | None = None  # the engine's: (scenario, sex, age) added to the accounts
    converted_year: int | None = None  # ... on 1 January of this year
    credit_start_year: int | None = None  # the engine's: DB credits accrue from this year (a transition into DB)
    award_start_year: int | None = None  # the engine's: the DB scheme pays awards from this year
    reserve_transfer: np.ndarray | None = None  # the engine's: (scenario,) added to the reserve on 1 January ...
    reserve_transfer_year: int | None = None  # ... of this year (DC balances transferred to a DB scheme)


def read_insured_table(path) -> np.ndarray:
    """Insured persons at the valuation date from a CSV file, one row per group:
    ``sex`` (female/male), ``age`` (0..100), ``credits`` (whole credited years),
    ``status`` (active/inactive), ``count`` (persons). Returns an array
    (status, sex, age, credits); the credit axis is as long as the file needs.
    Read through :mod:`actuarial.datafiles`; a group given twice is an error."""
    # lazy for `actuarial check` speed: the CSV reader only when an insured_file is given
    from actuarial.datafiles import Column, check_unique, data_error, read_columns

    columns = [Column("sex", "text", choices=("female", "male"), what="a sex"),
               Column("age", "int", lo=0, hi=100, what="an age in whole years 0..100"),
               Column("credits", "int", lo=0, hi=100, what="whole credited years 0..100"),
               Column("status", "text", choices=("active", "inactive"), what="a status"),
               Column("count", lo=0.0, what="a non-negative number of persons")]
    table = read_columns(path, columns, what="table of insured persons", context=("sex", "age", "credits", "status"))
    check_unique(path, table, ("status", "sex", "age", "credits"))
    over = table["credits"] > table["age"]
    if over.any():
        raise data_error(path, "credits", int(table.rows[over.argmax()]), "credited years cannot exceed the age")
    out = np.zeros((2, 2, 101, int(table["credits"].max()) + 1))
    status = (table["status"] == "inactive").astype(int)
    sex = (table["sex"] == "male").astype(int)
    out[status, sex, table["age"], table["credits"]] = table["count"]
    out.flags.writeable = False
    return out


# -- the section as written in the file ---------------------------------------------------

@section()
@dataclass(frozen=True)
class ReferenceEarnings:
    """The earnings a pension is a share of."""

    method: choice("career_average: all credited earnings revalued with the average wage; "
                   "final_years: the average of the last years' earnings.",
                   ("career_average", "final_years"))
    years: number("Years averaged by final_years.", lo=1, hi=40, integer=True, unit="years") = 5


@section()
@dataclass(frozen=True)
class Invalidity:
    """Invalidity pensions."""

    incidence: schedule_by_sex("Yearly probability that an active insured becomes an invalidity "
                               "pensioner, by age.", lo=0.0, hi=1.0, unit="per year", forms=PATTERN_FORMS)
    vesting_years: number("Credited years needed for an invalidity pension.", lo=0, hi=60,
                          integer=True, unit="years")
    mortality_factor: number("Invalidity pensioners' mortality / population mortality.", lo=0.5,
                             hi=10.0, unit="factor") = 1.0


@section()
@dataclass(frozen=True)
class Survivors:
    """Survivors' pensions."""

    pension_share: number("Survivor's pension / the deceased's pension.", **SHARE, unit="share")
    married: schedule_by_sex("Probability of leaving a spouse, by age of the deceased.", lo=0.0, hi=1.0,
                             unit="probability", forms=PATTERN_FORMS,
                             source="census or household survey (marital status by age)")
    spouse_age_difference: number("Husband's age minus wife's age.", lo=-20, hi=20, integer=True,
                                  unit="years") = 3


@section()
@dataclass(frozen=True)
class InitialPensioners:
    """Pensioners in payment at the valuation date, by type."""

    old_age: Pensioners
    invalidity: Pensioners
    survivors: Pensioners


@section()
@dataclass(frozen=True)
class Initial:
    """The scheme at the valuation date (1 January of the base year).

    Rule: either ``insured_file`` or ``credit_share`` with ``inactive_ratio``."""

    reserve: number("Reserve at the valuation date.", lo=0.0, what="a reserve in currency units",
                    unit="currency units", source="the scheme's balance sheet")
    pensioners: InitialPensioners
    insured_file: text("CSV of insured persons (sex, age, credits, status, count), relative to the "
                       "file that names it.", unit="path") = None
    credit_share: number("Initial credited years ~ Binomial(age - first working age, share).", **SHARE,
                         unit="share") = None
    inactive_ratio: number("Inactive insured / active insured at each age.", lo=0.0, hi=10.0,
                           unit="ratio") = None

    @model_validator(mode="before")
    @classmethod
    def _insured(cls, data):
        if not isinstance(data, dict):
            return data
        if "insured_file" in data:
            if "credit_share" in data or "inactive_ratio" in data:
                raise rule_error("insured_file", "give either insured_file or credit_share "
                                                 "with inactive_ratio, not both")
            return data
        for key in ("credit_share", "inactive_ratio"):
            if key not in data:
                raise rule_error(key, "required key is missing (or give insured_file)")
        return data


DESIGNS = ("defined_benefit", "defined_contribution", "points", "notional")
"""Designs of the pension stage; each design but the first has its own block, named as the design."""


@section()
@dataclass(frozen=True)
class Annuity:
    """The annuity bought at retirement: premium / ((1 + loading) x a cohort annuity-due factor).

    The factor is an annuity-due on the cohort's projected mortality (the demography stage's
    death probabilities along the cohort's diagonal, held at the last projected year) at the
    technical rate, increasing at the indexation rate."""

    interest_rate: number("Technical interest rate of the annuity factor (nominal).", lo=-0.05, hi=0.2,
                          unit="per year", source="the insurers' regulated technical rate") = 0.03
    indexation: number("Yearly increase of annuities in payment (in the factor and in payment).",
                       lo=-0.05, hi=0.2, unit="per year") = 0.0
    loading: number("Insurer's loading on the annuity premium.", lo=0.0, hi=0.5, unit="share") = 0.0


@section()
@dataclass(frozen=True)
class Guarantee:
    """Minimum pension guaranteed by the state, which pays the top-up over the balance's annuity.

    The top-up is the minimum less the annuity the whole balance buys, averaged over a lognormal
    distribution of balances; paid for life, indexed as annuities; a cost to the fiscal stage."""

    minimum_pension: number("Guaranteed minimum pension (0: no guarantee).", lo=0.0, hi=5.0,
                            what="a share of the average wage", unit="share of the average wage of the year")
    eligible_share: number("Share of retirees who meet the guarantee's conditions (e.g. weeks of "
                           "contributions).", **SHARE, unit="share") = 1.0
    balance_dispersion: number(
        "Coefficient of variation of account balances within a sex and age (lognormal; 0: every "
        "retiree holds the average balance).", lo=0.0, hi=5.0, unit="ratio") = 0.0


@section()
@dataclass(frozen=True)
class DefinedContribution:
    """Individual accounts, defined contribution or provident fund (``pension.design: defined_contribution``).

    The insured (the pension section's contributors, contribution rate, ceiling and pensionable
    ages) pay into accounts; fees are taken on contributions and on balances; balances earn the
    economy's interest rate plus a spread (stochastic when the ``stochastic`` section draws the
    interest rate); at the pensionable age the balance buys an annuity, a programmed withdrawal
    or is paid as a lump sum, in stated shares."""

    return_spread: series("Rate of return on the accounts minus the economy's interest rate.", lo=-0.1,
                          hi=0.1, what="a spread", unit="per year") = 0.0
    fee_on_contributions: number("Fee on contributions.", **SHARE, unit="share of contributions") = 0.0
    fee_on_balance: number("Yearly fee on balances.", lo=0.0, hi=0.1, unit="share of the balance a year") = 0.0
    annuity_share: number("Share of the balance at retirement that buys an annuity.", **SHARE,
                          unit="share") = 1.0
    programmed_withdrawal_share: number(
        "Share of the balance at retirement drawn as a programmed withdrawal (each year the balance "
        "/ the annuity factor; the rest is paid as a lump sum).", **SHARE, unit="share") = 0.0
    annuity: Annuity = Annuity()
    guarantee: Guarantee = None
    initial_balance: number("Account balances at the valuation date / the insured's contributions of "
                            "the base year (spread over ages in proportion to the years since the first "
                            "working age).", lo=0.0, hi=100.0, unit="years of contributions") = 0.0

    @model_validator(mode="after")
    def _shares(self):
        if self.annuity_share + self.programmed_withdrawal_share > 1.0 + 1e-12:
            raise rule_error("programmed_withdrawal_share", "annuity_share + programmed_withdrawal_share "
                                                            "exceed 1")
        return self


@section()
@dataclass(frozen=True)
class Points:
    """Points scheme (``pension.design: points``): pension = points x point value.

    Contributions buy points at the purchase value. Both values are indexed to the average wage, so the
    pension per credited year is points_rate x point_value / purchase_value (the scheme's yield) x
    revalued earnings: the career-average design with that accrual, run by the same kernel
    (minimum and maximum pensions, vesting, invalidity and survivors as the section states).
    Pensions in payment follow the point value (wages)."""

    purchase_value: number("Price of one point in the base year (indexed to the average wage).",
                           lo=0.0, lo_open=True, unit="currency units per point")
    point_value: number("Yearly pension per point in the base year (indexed to the average wage).",
                        lo=0.0, lo_open=True, unit="currency units a year per point")
    points_rate: number("Share of insurable earnings that buys points (none: the contribution rate "
                        "of the base year).", **SHARE, unit="share of earnings") = None
    indexation: choice("Index of both values: wages (the average wage).", ("wages",)) = "wages"

    def accrual(self, rate: float) -> float:
        """Pension per credited year / revalued earnings: points_rate x point value / purchase value."""
        return (rate if self.points_rate is None else self.points_rate) * self.point_value / self.purchase_value


@section()
@dataclass(frozen=True)
class Notional:
    """Notional defined contribution (``pension.design: notional``), as Sweden's income pension.

    Contributions are credited to notional accounts at the notional rate; at the pensionable age
    the capital / the annuity divisor is the pension; pensions in payment follow the notional
    rate less the norm; the automatic balancing mechanism (Sweden's brake) lowers both when the
    balance ratio (buffer fund + contribution asset) / pension liability is below 1 (Swedish
    Pensions Agency, Orange Report, "The income pension's financial position")."""

    notional_rate: choice("Notional rate credited to the accounts: wage_bill (growth of the insurable "
                          "wage bill), gdp (nominal GDP growth) or index (the series index).",
                          ("wage_bill", "gdp", "index")) = "wage_bill"
    index: series("Notional rate when notional_rate is index.", lo=-0.5, hi=1.0, what="a yearly rate",
                  unit="per year") = None
    norm: number("Norm of the annuity divisor (its interest rate); pensions in payment are indexed "
                 "by (1 + notional rate) / (1 + norm) - 1.", lo=0.0, hi=0.1, unit="per year",
                 source="Sweden: 1.6% (Socialförsäkringsbalken 2010:110, ch. 62; Orange Report)") = 0.016
    unisex: flag("Unisex divisors (the mean of the sexes' death probabilities), as Sweden's.") = True
    balancing: flag("Automatic balancing mechanism (the brake when the balance ratio is below 1).") = True
    initial_capital: number("Notional capital at the valuation date / the insured's contributions of "
                            "the base year (spread over ages in proportion to the years since the first "
                            "working age).", lo=0.0, hi=100.0, unit="years of contributions") = 0.0

    @model_validator(mode="after")
    def _index(self):
        if self.notional_rate == "index" and self.index is None:
            raise rule_error("index", "required key is missing (notional_rate is index)")
        if self.notional_rate != "index" and self.index is not None:
            raise rule_error("index", f"an index needs notional_rate: index (it is {self.notional_rate})")
        return self


TRANSITION_TARGETS = ("defined_benefit", "defined_contribution", "notional", "points")
TRANSITIONS = {"defined_benefit": TRANSITION_TARGETS,
               "defined_contribution": ("defined_contribution", "defined_benefit")}
"""The designs a transition starts from and the targets each may go to (the first of each: no reform)."""
CONVERSION_RULES = ("present_value", "points")


@section()
@dataclass(frozen=True)
class Conversion:
    """How accrued DB rights are converted into the new design's currency (``accrued_rights: converted``).

    present_value: an insured aged x on 1 January of the transition year with the accrued pension P
    (accrual x credits x reference earnings at that year's wages; no vesting or minimum) gets
    P x v^n x np_x x ä_R, n = R - x years to the pensionable age R, v = 1 / (1 + rate), np_x and the
    annuity-due ä_R on the cohort's projected mortality at the rate (the new design's: an NDC's
    unisex divisors when it has them): an initial notional capital (notional; Sweden, Italy,
    Poland and Latvia converted their accrued rights into initial capital) or a recognition bond
    credited to the account (defined_contribution; Chile's bono de reconocimiento), paid by the
    state in the transition year (the fiscal item recognition_bonds).

    points (transition.to points): the accrued pension P at 1 January of the year buys P / point
    value of the year points, the pension preserved at the day of the conversion, as AGIRC points
    became AGIRC-ARRCO points at the ratio of the point values in 2019 (ANI of 17 November 2017,
    art. 4); they follow the point value (the average wage). The points scheme runs on the DB
    kernel, so the insured keep their credited years and each is worth the points' yield x
    wage-revalued earnings: the same P / point value points when the yield equals the DB accrual
    rate and the DB reference earnings are the career average, which the rule requires."""

    rate: number("Interest rate of the present value (rule present_value; e.g. an NDC's norm and expected "
                 "notional rate: the pension from the converted capital then equals the accrued DB pension).",
                 lo=-0.05, hi=0.2, unit="per year") = None
    rule: choice("Conversion rule: present_value (the actuarial present value of the accrued pension "
                 "from the pensionable age; notional, defined_contribution) or points (P / the point value "
                 "of the year; points).", CONVERSION_RULES) = "present_value"

    @model_validator(mode="after")
    def _rate(self):
        if self.rule == "present_value" and self.rate is None:
            raise rule_error("rate", "required key is missing (rule is present_value)")
        if self.rule == "points" and self.rate is not None:
            raise rule_error("rate", "a rate is for rule present_value (the rule is points)")
        return self


@section()
@dataclass(frozen=True)
class Transition:
    """A reform from one design to another (``pension.transition``; TRANSITIONS).

    From ``year`` every contribution goes to the new design (its block, e.g. ``pension.notional``,
    gives its rules); no DB credits accrue; the rights accrued to that year are kept: the DB
    legacy pays the pensions in payment and the pensions of the accrued credits when they fall
    due, from the DB reserve and then by the state (its deficit after depletion, the transition
    cost the fiscal stage reads). A reform at or before the base year (e.g. Mexico's of 1997):
    the legacy is the pensions in payment at the valuation date (with their survivors'); the
    insured are all in the new design, with its stated balances.

    From defined_contribution to defined_benefit (a DC scheme turned back into DB; the DB rules are
    the pension section's DB keys): kept, the legacy accounts receive no contributions from the
    year, earn their return net of fees and pay out at retirement by the defined_contribution
    block's rules, and the DB scheme credits the years from ``year`` only; converted (Argentina,
    Ley 26.425 of 2008, arts. 2-3 and 7: the AFJP accounts transferred to the state's FGS, the
    affiliates treated as if they had always contributed to the public scheme), on 1 January of
    the year the insured's balances go to the DB reserve and the insured keep the credits the DB
    rules give their careers from the valuation date (its initial credits and the contribution
    density since); the DC pensions in payment stay with the legacy (annuities paid by insurers,
    the state's top-ups by the state). Its rule is fixed: no ``conversion`` block.

    From defined_benefit to points (block ``pension.points``; points run on the DB kernel): kept,
    the points scheme credits points from ``year`` only (its insured hold none before) and the DB
    legacy pays the rights accrued to the year before; converted (``conversion: {rule: points}``),
    the accrued pension / the point value of the year in points (:class:`Conversion`)."""

    year: number("First year whose contributions go to the new design (at or before the base year: a "
                 "past reform, whose legacy is the pensions in payment).", lo=1900, hi=2300, integer=True,
                 unit="year")
    to: choice("The new design (the scheme's own: no reform; from defined_contribution: defined_benefit).",
               TRANSITION_TARGETS)
    accrued_rights: choice("Accrued rights: kept (DB: paid as DB pensions when they fall due; DC: the frozen "
                           "accounts pay out at retirement) or converted (from DB: the insured's rights become "
                           "the new design's capital by the conversion block, the DB legacy keeps the pensions "
                           "in payment only; from DC to DB: the balances go to the DB reserve, the insured keep "
                           "their DB credits, Argentina 2008).",
                           ("kept", "converted")) = "kept"
    conversion: Conversion = None
    legacy_option: flag("The insured before the transition may choose at retirement the DB (old-law) "
                        "pension instead of their account's, the state paying it and receiving the "
                        "account's balance (to: defined_contribution; Mexico's Ley 73 option, LSS 1997 "
                        "transitorios 3 and 13).") = False

    @model_validator(mode="after")
    def _conversion(self):
        if self.legacy_option and self.to != "defined_contribution":
            raise rule_error("legacy_option", f"the option is for individual accounts (transition.to is "
                                              f"{self.to})")
        if self.accrued_rights != "converted" and self.conversion is not None:
            raise rule_error("conversion", f"a conversion needs accrued_rights: converted (it is "
                                           f"{self.accrued_rights})")
        return self


@section("pension")
@dataclass(frozen=True)
class PensionSection:
    """A defined-benefit social insurance pension scheme (old age, invalidity, survivors).

    Rules (with ``case`` and ``labour``): every horizon within case.horizon;
    the pensionable ages above the first working age (labour); vesting_years
    within the longest possible career (first working age to the pensionable
    age); insured persons of insured_file aged from the first working age to
    the last age before the base year's pensionable age."""

    contribution_rate: series("Contribution rate on insurable earnings.", lo=0.0, hi=1.0,
                              what="a contribution rate", unit="share of earnings")
    pensionable_age: series_by_sex(
        "Pensionable age (whole years).", lo=40, hi=90, integer=True, what="an age in whole years",
        unit="years of age",
        # from 40: below it refunds of contributions at the pensionable age outweigh the earnings
        # base and the general average premium has no solution (it was -277% at 30)
        source="the scheme's law; from 40 (no scheme pays earlier; below it the GAP has no solution)")
    vesting_years: number("Credited years needed for an old-age pension.", lo=0, hi=60, integer=True,
                          unit="years")
    accrual_rate: number("Pension per credited year, a share of reference earnings (design "
                         "defined_benefit; points: the points block's yield; not used by "
                         "defined_contribution).", lo=0.0, hi=0.2,
                         what="a share per credited year", unit="share per year")
    reference_earnings: ReferenceEarnings
    invalidity: Invalidity
    survivors: Survivors
    initial: Initial
    contribution_ceiling: series("Contribution ceiling (none: no ceiling).", lo=0.5, hi=100.0,
                                 what="a multiple of the average wage", unit="multiple of the average wage") = None
    minimum_pension: number("Minimum pension.", lo=0.0, hi=5.0, what="a share of the average wage",
                            unit="share of the average wage of the year") = 0.0
    maximum_pension: number("Maximum pension (none: no maximum).", lo=0.0, hi=5.0,
                            what="a share of reference earnings", unit="share of reference earnings") = None
    indexation_prices: number("Weight of inflation in the indexation of pensions (1: prices only, "
                              "0: wages only).", **SHARE, unit="weight") = 1.0
    lump_sum: choice("When not vested at the pensionable age: refund (contributions without interest) "
                     "or none.", ("refund", "none")) = "refund"
    reentry_rate: number("Share of inactive insured who resume when active places open.", **SHARE,
                         unit="share per year") = 0.1
    administrative_cost: number("Administrative cost, a share of benefit expenditure.", lo=0.0, hi=0.5,
                                unit="share of expenditure") = 0.0
    horizons: whole_numbers("Horizons of the general average premium (GAP).",
                            what="a list of positive whole numbers of years", unit="years") = (25, 50, 75)
    gap_target_reserve_ratio: number(
        "GAP: reserve at the end of the horizon / the last year's expenditure.", lo=0.0, hi=50.0,
        what="a reserve / the last year's expenditure (1 for one year)", unit="years of expenditure",
        source="ILO, Actuarial practice in social security (2002), ch. 9: 0 (no reserve left) "
               "by default") = 0.0
    steady_state_review_period: number(
        "Steady-state contribution rate: years after the valuation year before the rate applies.",
        lo=0, hi=20, integer=True, unit="years",
        source="Canada Pension Plan, Calculation of Contribution Rates Regulations (2021), s. 2: "
               "3 years") = 3
    scaled_premium_period: number("Scaled premium: years of each period of equilibrium.", lo=1, hi=100,
                                  integer=True, unit="years", source="ILO; Thullen (1973)") = 10
    closed_group: flag("Also project the closed group (participants at the valuation date, no new "
                       "entrants).") = True
    design: choice("Design of the scheme: defined_benefit (credits x accrual x reference earnings), "
                   "defined_contribution (individual accounts; block defined_contribution), points "
                   "(block points), notional (notional accounts; block notional).", DESIGNS) = "defined_benefit"
    defined_contribution: DefinedContribution = None
    points: Points = None
    notional: Notional = None
    transition: Transition = None

    @model_validator(mode="after")
    def _design_block(self):
        target = None if self.transition is None else self.transition.to
        if target is not None:
            self._transition_rules(self.transition)
        for design in DESIGNS[1:]:
            if design == target and getattr(self, design) is None:
                raise rule_error(design, f"required key is missing (pension.transition.to is {design})")
            if self.design == design and getattr(self, design) is None:
                raise rule_error(design, f"required key is missing (pension.design is {design})")
            if self.design != design and design != target and getattr(self, design) is not None:
                raise rule_error(design, f"a {design} block needs pension.design: {design} "
                                         f"(it is {self.design})")
        return self

    def _transition_rules(self, tr: Transition) -> None:
        """TRANSITIONS; a conversion block for a converted DB (its rule), none from DC (a fixed rule)."""
        if self.design not in TRANSITIONS:
            raise rule_error("transition", f"a transition starts from design {' or '.join(TRANSITIONS)} "
                                           f"(it is {self.design})")
        if tr.to not in TRANSITIONS[self.design]:
            raise rule_error("transition.to", f"a transition from {self.design} goes to "
                                              f"{' or '.join(TRANSITIONS[self.design])} (got {tr.to})")
        if tr.accrued_rights == "converted" and tr.to == self.design:
            raise rule_error("transition.accrued_rights", f"converted needs a new design (transition.to is "
                                                          f"{tr.to}, the scheme's design)")
        if self.design == "defined_benefit" and tr.accrued_rights == "converted" and tr.conversion is None:
            raise rule_error("transition.conversion", "required key is missing (accrued_rights is converted)")
        if self.design == "defined_contribution" and tr.conversion is not None:
            raise rule_error("transition.conversion", "a conversion from defined_contribution has its fixed "
                                                      "rule (the balances go to the DB reserve, the insured keep "
                                                      "their DB credits): no conversion block")
        if tr.accrued_rights == "converted" and tr.conversion is not None:
            self._conversion_rule(tr)
        if self.design == "defined_contribution" and self.accrual_rate <= 0.0:
            raise rule_error("accrual_rate", "the DB design of transition.to: defined_benefit needs an accrual "
                                             "rate above 0 (the pension per credited year)")

    def _conversion_rule(self, tr: Transition) -> None:
        """Rule points for a points target (with its conditions, :class:`Conversion`), present_value otherwise."""
        rule = "points" if tr.to == "points" else "present_value"
        if tr.conversion.rule != rule:
            raise rule_error("transition.conversion.rule", f"a conversion to {tr.to} has rule {rule} (got "
                                                           f"{tr.conversion.rule})")
        if rule != "points":
            return
        if self.reference_earnings.method != "career_average":
            raise rule_error("reference_earnings.method", "converted rights into points need the DB's career "
                                                          "average (its credited years carry over as points)")

    @model_validator(mode="after")
    def _fits_the_case(self, info: ValidationInfo):
        context = info.context or {}
        case = context["case"]
        horizon, first_age = case.horizon, context["labour"].first_age
        if (self.transition is not None and self.transition.accrued_rights == "converted"
                and self.transition.year <= case.base_year):
            raise rule_error("transition", f"converted rights need a transition after the base year "
                                           f"{case.base_year} (a past reform's insured are in the new "
                                           f"design already; got year {self.transition.year})")
        if self.transition is not None and self.transition.year > case.base_year + horizon - 1:
            raise rule_error("transition", f"transition.year {self.transition.year} is after the projection "
                                           f"({case.base_year}-{case.base_year + horizon - 1})")
        tr = self.transition
        if tr is not None and tr.to == "points" and tr.accrued_rights == "converted":
            rate = float(self.contribution_rate.at([case.base_year])[0])
            if abs(self.points.accrual(rate) - self.accrual_rate) > 1e-12 * self.accrual_rate:
                raise rule_error("points", f"converted rights into points need the points' yield (points_rate x "
                                           f"point_value / purchase_value = {self.points.accrual(rate):.6g}) equal "
                                           f"to the accrual rate {self.accrual_rate:g}: the credited years carry over")
        too_long = [h for h in self.horizons if h > horizon]
        if too_long:
            raise rule_error("horizons", f"horizons {too_long} exceed the projection ({horizon} years, "
                                         "case.horizon)")
        for sex, ages in zip(("female", "male"), self.pensionable_age):
            lowest = min(ages.values)
            if lowest <= first_age:
                raise rule_error("pensionable_age", f"the {sex} pensionable age {lowest:g} is not above the "
                                                    f"first working age {first_age}")
            career = lowest - first_age
            if self.vesting_years > career:
                raise rule_error("vesting_years", f"{self.vesting_years} years exceed the longest possible "
                                                  f"career ({career:g} years from age {first_age} to the "
                                                  f"{sex} pensionable age)")
        return self

    def pension(self, insured: np.ndarray | None) -> Pension:
        """The engine's :class:`Pension` (``insured``: the table read from ``initial.insured_file``)."""
        init, inv, surv = self.initial, self.invalidity, self.survivors
        return Pension(
            contribution_rate=self.contribution_rate, ceiling=self.contribution_ceiling,
            pensionable_age=self.pensionable_age, vesting_years=self.vesting_years,
            accrual_rate=self.accrual_rate, reference_earnings=self.reference_earnings.method,
            final_years=self.reference_earnings.years, minimum_pension=self.minimum_pension,
            maximum_pension=self.maximum_pension, indexation_prices=self.indexation_prices,
            lump_sum=self.lump_sum, invalidity_incidence=inv.incidence, invalidity_vesting=inv.vesting_years,
            invalidity_mortality_factor=inv.mortality_factor, survivor_share=surv.pension_share,
            married=surv.married, spouse_age_difference=surv.spouse_age_difference,
            reentry_rate=self.reentry_rate, administrative_cost=self.administrative_cost,
            initial_reserve=init.reserve, initial_credit_share=init.credit_share,
            initial_inactive_ratio=init.inactive_ratio, initial_insured=insured,
            initial_pensioners={t: getattr(init.pensioners, t) for t in BENEFIT_TYPES},
            horizons=self.horizons, gap_target_reserve_ratio=self.gap_target_reserve_ratio,
            steady_state_review_period=self.steady_state_review_period,
            scaled_premium_period=self.scaled_premium_period, closed_group=self.closed_group,
            design=self.design, defined_contribution=self.defined_contribution, points=self.points,
            notional=self.notional, transition=self.transition)


def parse_pension(r: Reader, case, labour) -> Pension:
    """Section ``pension`` of a reader's mapping (declared in :class:`PensionSection`), checked
    against ``case`` and ``labour``; the insured file, if any, is read and checked here."""
    declared = validate(PensionSection, r.data, origins=r.origins, path=r.path,
                        context={"case": case, "labour": labour})
    insured = None
    if declared.initial.insured_file is not None:
        init = Reader(r.data["initial"], r.origins, (*r.path, "initial"))
        insured = read_insured_table(init.file_path("insured_file"))
    pension = declared.pension(insured)
    check_against_case(r, pension, labour.first_age, case.base_year)
    return pension


def check_against_case(r: Reader, pension: Pension, labour_first_age: int, base_year: int) -> None:
    """The insured table (``initial.insured_file``) against the case: ages from the first working age
    to the last age before the base year's pensionable age, credits within the years since the first
    working age. (The rules on the file's keys are :class:`PensionSection`'s.)"""
    if pension.initial_insured is None:
        return
    table = pension.initial_insured
    file = r.file_for(("initial", "insured_file"))
    key = r.key_path("initial") + ".insured_file"
    for g, (sex, series) in enumerate(zip(("female", "male"), pension.pensionable_age)):
        last = int(series.at([base_year])[0]) - 1
        ages = np.nonzero(table[:, g].sum(axis=(0, 2)))[0]
        if ages.size and (ages.min() < labour_first_age or ages.max() > last):
            raise AssumptionError(file, key, f"insured {sex} persons must be aged {labour_first_age}..{last} "
                                             f"(first working age to the last age before the pensionable age "
                                             f"of {base_year}); got {ages.min()}..{ages.max()}")
    age, credits = np.nonzero(table.sum(axis=(0, 1)))
    if (credits > age - labour_first_age).any():
        raise AssumptionError(file, key, "credited years exceed the years since the first working age "
                                         f"({labour_first_age})")


def by_sex_array(pair: BySex) -> np.ndarray:
    return np.array([np.asarray(pair.female), np.asarray(pair.male)])


