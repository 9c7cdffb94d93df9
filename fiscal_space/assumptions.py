"""Section ``fiscal_space`` of an assumption file, and standalone fiscal files.

The same section serves a country's main assumption file (costs come from
the pension, employment-injury and SPF stages, GDP from the economy stage)
and a small standalone file for a fiscal analyst::

    case: {name: demo_fiscal, base_year: 2025, horizon: 30, currency: DML}
    fiscal_space:
      baseline: {...}           # macro-fiscal baseline (see below)
      package_baseline_gdp: {}  # current spending on the costed items
      costs: {file: costs.csv, unit: gdp_share}   # the cost path, if not from the stages
      debt: {...}               # threshold, target, r - g shifts
      debt_profile: {...}       # optional: maturities and rates (gross financing needs)
      options: {...}            # the handbook's financing options (fiscal_space.options)
      stochastic: {...}         # optional debt fan chart
      stress_tests: {...}       # optional: IMF MAC DSA stress tests and heat map (fiscal_space.stress_tests)

Every ratio is a fraction (0.2 for 20% of GDP); time paths are ``{year:
value}`` anchors, linear between anchors and flat outside them, or a
constant. Keys and their meaning:

``baseline``
  ``gdp`` nominal GDP of the base year (currency; optional: without it the
  results are in shares of GDP only). ``real_gdp_growth`` and ``inflation``
  (yearly rates; as in the economy section, the rates of year t take GDP
  from year t to t + 1). These three are used only when no economy Dataset
  is passed (then ``gdp``, ``real_gdp_growth`` and ``inflation`` of that
  Dataset are used). ``revenue_gdp`` general government revenue and grants,
  ``primary_expenditure_gdp`` expenditure other than interest (the primary
  balance is their difference). ``debt_gdp`` gross public debt on 1 January
  of the base year / GDP of the year before (the latest end-year outturn).
  ``interest_rate`` effective nominal interest rate on debt = interest paid
  in the year / debt at its start (optional when an economy Dataset with
  ``interest_rate`` is passed). ``foreign_currency_share`` of debt (default
  0), ``exchange_rate`` path (currency per unit of foreign currency; its
  yearly change revalues the foreign-currency debt), and
  ``stock_flow_adjustment_gdp`` (default 0).
``package_baseline_gdp``
  ``{item: path}``: what is already spent on an item of the cost input;
  the financing gap is the package cost minus this.
``costs``
  ``file`` a CSV with a ``year`` column and one column per item, covering
  every year of the case; ``unit`` ``gdp_share`` (fractions of GDP,
  default) or ``currency`` (then GDP comes from a ``gdp`` column, or the
  baseline). A column named by ``options.social_security.from_costs`` is a
  variable of its own, not a cost item.
``debt``
  ``threshold_gdp`` the debt ceiling the plan respects (and the threshold
  of the stochastic exceedance probability); it may not be below today's
  debt unless ``allow_above_threshold: true``. ``target_gdp`` (default
  today's debt ratio) and ``target_year`` (default the last year) define
  the fiscal gap. ``r_g_shifts`` changes of r - g for the sensitivity
  (default [-0.02, -0.01, 0, 0.01, 0.02]).
``debt_profile`` (optional)
  the debt's structure (:mod:`fiscal_space.financing_needs`):
  ``short_term_share``, ``average_maturity`` of long-term debt (or an
  ``amortisation_gdp`` schedule of the existing long-term debt), giving the
  amortisation and the gross financing needs; with ``existing_rate`` and
  ``marginal_rate: {short, long}`` the effective interest rate is computed
  year by year (then ``baseline.interest_rate`` is not used for the debt),
  optionally with ``risk_premium: {threshold_gdp, basis_points_per_point,
  max_basis_points}``.
  The foreign-currency share is ``baseline.foreign_currency_share``.
``options``
  see :mod:`fiscal_space.options`.
``stochastic``
  ``paths``, ``seed``, ``years`` (default all), ``threshold_gdp`` (default
  ``debt.threshold_gdp``), and exactly one of ``sd`` (standard deviations of
  the shocks ``growth``, ``interest_rate``, ``primary_balance``,
  ``exchange_rate``, with an optional ``correlation: {a: {b: rho}}``),
  ``covariance`` (4 x 4 list in that order) or ``history: {file}`` (a CSV
  with those columns, bootstrapped: see :mod:`fiscal_space.stochastic`).
"""


import hashlib
import json
from actuarial.schema.records import dataclass  # frozen dataclasses, cheaper to declare
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pydantic import ValidationInfo, model_validator

from actuarial.datafiles import Column, check_unique, data_error, read_bytes, read_table
from actuarial.errors import AssumptionError
from actuarial.schema import (choice, flag, matrix, named, number, numbers, read_section, rule_error,
                              section, series, split_sources, text, validate)
from actuarial.schema.display import attach_reprs
from actuarial.schema.case import Case as FiscalCase  # name, country, base_year, horizon, currency
from actuarial.schema.loader import load_tree
from actuarial.schema.reader import Reader
from actuarial.schema.values import TimeSeries
from fiscal_space.options import GDP, SHARE, Option, options_field, to_options
from fiscal_space.stochastic import VarModel, estimate_var
from fiscal_space.stress_tests import HEAT_MAP_YEARS, StressTestsSection

if TYPE_CHECKING:  # pandas and xarray only where a cost table is read (``actuarial check`` stays light)
    import pandas as pd
    import xarray as xr

RATE = dict(lo=-0.5, hi=1.0, what="a yearly rate (0.03 for 3%)")
SHOCKS = ("growth", "interest_rate", "primary_balance", "exchange_rate")
HISTORY_EXTRA = ("inflation", "real_interest_rate")  # read by the stress tests' interest shock only
COST_UNITS = ("gdp_share", "currency")


@dataclass(frozen=True)
class DebtRules:
    threshold_gdp: float | None
    allow_above_threshold: bool
    target_gdp: float
    target_year: int
    r_g_shifts: tuple[float, ...]


@dataclass(frozen=True)
class Stochastic:
    paths: int
    seed: int
    years: int  # years simulated from the base year (<= horizon + 1)
    threshold_gdp: float
    covariance: np.ndarray | None  # (4, 4) in SHOCKS order, method "normal"
    history: np.ndarray | None  # (n, 4) demeaned shocks, method "bootstrap"
    var: VarModel | None = None  # method "var": a VAR(1) estimated on the history
    declining_years: int = 5  # P(d(declining_years) < d(0))

    @property
    def method(self) -> str:
        if self.var is not None:
            return "var"
        return "normal" if self.covariance is not None else "bootstrap"


@dataclass(frozen=True)
class GapRules:
    """The S1 / S2 settings (fiscal_space.sustainability_gaps)."""
    target_gdp: float
    years_to_target: int
    adjustment_years: int
    beyond_horizon: str


@dataclass(frozen=True)
class FiscalAssumptions:
    case: FiscalCase
    baseline: "Baseline"
    package_baseline: dict  # item -> TimeSeries (fraction of GDP)
    costs: "xr.Dataset | None"  # from costs.file, if given
    debt: DebtRules
    options: tuple[Option, ...]
    stochastic: Stochastic | None
    source: str  # the file that set the section (for error messages)
    digest: str
    debt_profile: object = None  # fiscal_space.financing_needs.Profile, when the section has debt_profile
    sustainability_gaps: GapRules | None = None  # S1 / S2 (fiscal_space.sustainability_gaps)
    stress_tests: object = None  # fiscal_space.stress_tests.StressRules (IMF MAC DSA stress tests, heat map)

    @property
    def years(self) -> np.ndarray:
        return self.case.years

    def error(self, key: str, expected: str) -> AssumptionError:
        return AssumptionError(self.source, f"fiscal_space.{key}", expected)


# -- standalone files -----------------------------------------------------------------

def load_fiscal(path) -> FiscalAssumptions:
    """Load a standalone fiscal file: ``case`` and ``fiscal_space`` (``extends:`` works)."""
    path = Path(path)
    data, origins, _ = split_sources(*load_tree(path))
    root = Reader(data, origins)
    with root:
        if root.has("costs"):
            raise root.error("costs", "the cost path goes inside the section: fiscal_space.costs: {file: ...}")
        case = read_section(root, "case", FiscalCase)
        return parse_fiscal_space(root.section("fiscal_space"), case, data)


# -- the section ------------------------------------------------------------------------

GDP_FIELD = dict(GDP, unit="share of GDP")
RATE_FIELD = dict(RATE, unit="per year")
DEBT_RATIO = dict(lo=0.0, hi=10.0, what="a debt / GDP ratio", unit="share of GDP")
R_G_SHIFTS = (-0.02, -0.01, 0.0, 0.01, 0.02)


@section()
@dataclass(frozen=True)
class Baseline:
    """Macro-fiscal baseline without the reform (fractions of GDP, yearly rates).

    Rules: real_gdp_growth and inflation both or neither (then they come from
    the economy stage); exchange_rate is required when foreign_currency_share
    is above 0."""

    revenue_gdp: series("General government revenue and grants.", **GDP_FIELD,
                        source="IMF World Economic Outlook / Government Finance Statistics")
    primary_expenditure_gdp: series("Expenditure other than interest (the primary balance is revenue "
                                    "minus this).", **GDP_FIELD,
                                    source="IMF World Economic Outlook / Fiscal Monitor")
    debt_gdp: number("Gross public debt on 1 January of the base year / GDP of the year before "
                     "(the latest end-year outturn).", lo=0.0, hi=10.0,
                     what="a debt / GDP ratio (0.55 for 55%)", unit="share of GDP",
                     source="IMF World Economic Outlook (general government gross debt)")
    gdp: number("Nominal GDP of the base year (used only without an economy stage; without it the "
                "results are in shares of GDP only).", lo=0.0, lo_open=True,
                what="a nominal GDP in currency units", unit="currency units") = None
    real_gdp_growth: series("Real GDP growth; the rate of year t takes GDP from t to t + 1 (used only "
                            "without an economy stage).", **RATE_FIELD) = None
    inflation: series("Inflation (GDP deflator; used only without an economy stage).", **RATE_FIELD) = None
    interest_rate: series("Effective nominal interest rate on debt: interest paid in the year / debt at "
                          "its start (optional with an economy stage).", **RATE_FIELD) = None
    foreign_currency_share: series("Share of the debt in foreign currency.", **SHARE,
                                   unit="share") = TimeSeries.constant(0.0)
    exchange_rate: series("Exchange rate path; its yearly change revalues the foreign-currency debt.",
                          lo=1e-12, what="currency units per unit of foreign currency",
                          unit="currency units per foreign unit") = None
    stock_flow_adjustment_gdp: series("Stock-flow adjustment (arrears, privatisation receipts...).",
                                      lo=-1.0, hi=1.0, what="a fraction of GDP",
                                      unit="share of GDP") = TimeSeries.constant(0.0)

    @model_validator(mode="before")
    @classmethod
    def _growth_with_inflation(cls, data):
        if isinstance(data, dict) and ("real_gdp_growth" in data) != ("inflation" in data):
            key = "real_gdp_growth" if "inflation" in data else "inflation"
            raise rule_error(key, "give both real_gdp_growth and inflation, or neither (then they come "
                                  "from the economy stage)")
        return data

    @model_validator(mode="after")
    def _exchange_rate(self):
        if self.exchange_rate is None and any(v > 0 for v in self.foreign_currency_share.values):
            raise rule_error("exchange_rate", "required key is missing (foreign_currency_share is above 0)")
        return self


@section()
@dataclass(frozen=True)
class Costs:
    """The package's cost path, when it does not come from the engine's stages."""

    file: text("CSV with a year column and one column per item, every year of the case (relative to "
               "the file that names it); a column named by options.social_security.from_costs is a "
               "variable, not an item.", unit="path")
    unit: choice("gdp_share: fractions of GDP; currency: then GDP from a gdp column, or baseline.gdp.",
                 COST_UNITS) = "gdp_share"


@section()
@dataclass(frozen=True)
class Debt:
    """Debt rules: the ceiling of the plan, the fiscal-gap target, the r - g sensitivity.

    Rules: threshold_gdp not below baseline.debt_gdp unless allow_above_threshold;
    target_year after the base year, within the projection."""

    threshold_gdp: number("Debt ceiling the plan respects (and threshold of the stochastic "
                          "exceedance probability).", **DEBT_RATIO) = None
    allow_above_threshold: flag("Accept a threshold below today's debt.") = False
    target_gdp: number("Fiscal gap: the debt ratio to reach by target_year.", **DEBT_RATIO,
                       derived="baseline.debt_gdp") = None
    target_year: number("Fiscal gap: the year the target is reached.", lo=1800, hi=2300, integer=True,
                        unit="year", derived="the last projection year") = None
    r_g_shifts: numbers("Changes of r - g for the debt sensitivity.", lo=-0.2, hi=0.2,
                        what="a change of r - g", unit="per year", distinct=True,
                        listed="a list of changes of r - g (0.01 for +1 point)") = R_G_SHIFTS

    def rules(self, baseline: Baseline, years) -> DebtRules:
        last = int(years[-1])
        return DebtRules(self.threshold_gdp, self.allow_above_threshold,
                         baseline.debt_gdp if self.target_gdp is None else self.target_gdp,
                         last if self.target_year is None else self.target_year, tuple(self.r_g_shifts))


@section()
@dataclass(frozen=True)
class MarginalRate:
    """Nominal interest rates on new borrowing (before any risk premium)."""

    short: series("Rate on new short-term debt (maturity up to a year); the short-term stock reprices at "
                  "it each year.", **RATE_FIELD, source="IMF (2013) MAC DSA guidance note: market rates on "
                                                        "new issuance (e.g. the T-bill rate)")
    long: series("Rate on new long-term debt, fixed for the life of the debt issued in the year.", **RATE_FIELD,
                 source="IMF (2013) MAC DSA guidance note: market rates on new issuance (e.g. the 10-year yield)")


@section()
@dataclass(frozen=True)
class RiskPremium:
    """A premium on the marginal rates that rises with debt above a threshold."""

    threshold_gdp: number("Debt / GDP above which the premium starts (debt on 1 January, the previous "
                          "year's end-year ratio).", **DEBT_RATIO)
    basis_points_per_point: number("Rise of the marginal rates, in basis points per percentage point of GDP "
                                   "of debt above the threshold.", lo=0.0, hi=1000.0,
                                   what="basis points per point of GDP", unit="basis points per point of GDP",
                                   source="Laubach (2009), JEEA 7(4): about 3-4 bp per point of debt / GDP "
                                          "(United States); IMF (2013) MAC DSA guidance note")
    max_basis_points: number("Most the premium adds to the marginal rates (without it the premium grows "
                             "with the debt without bound, and a path with a persistent primary deficit can "
                             "diverge).", lo=0.0, hi=10000.0, what="basis points", unit="basis points") = None


@section()
@dataclass(frozen=True)
class DebtProfile:
    """The debt's structure: maturities (gross financing needs) and, optionally, rates (the effective rate).

    With existing_rate and marginal_rate, the effective interest rate is computed year by year from
    the structure and baseline.interest_rate is not used for the debt (fiscal_space.financing_needs).

    Rules: existing_rate and marginal_rate both or neither; risk_premium needs them."""

    short_term_share: series("Share of the debt (on 1 January of the base year, and of each year's new "
                             "borrowing) with a maturity up to a year, repaid and rolled over each year.",
                             **SHARE, unit="share",
                             source="IMF (2013) MAC DSA guidance note: debt profile (short-term debt, "
                                    "original maturity)")
    average_maturity: number("Average maturity of long-term debt: each year 1/average_maturity of the "
                             "long-term stock (existing and new) is repaid.", lo=1.0, hi=100.0,
                             what="a maturity in years", unit="years",
                             source="IMF (2013) MAC DSA guidance note; national debt-management reports")
    amortisation_gdp: series("Repayment schedule of the existing long-term debt (instead of "
                             "1/average_maturity of it), at most what is left of it.", **GDP_FIELD,
                             source="the debt-management office's amortisation schedule") = None
    existing_rate: series("Nominal interest rate on the existing long-term debt (the stock of the base "
                          "year).", **RATE_FIELD, source="interest paid / debt of the base year") = None
    marginal_rate: MarginalRate | None = None
    risk_premium: RiskPremium | None = None

    @model_validator(mode="before")
    @classmethod
    def _rates_together(cls, data):
        if isinstance(data, dict):
            if ("existing_rate" in data) != ("marginal_rate" in data):
                key = "marginal_rate" if "existing_rate" in data else "existing_rate"
                raise rule_error(key, "give both existing_rate and marginal_rate, or neither (then the "
                                      "effective rate is baseline.interest_rate)")
            if "risk_premium" in data and "marginal_rate" not in data:
                raise rule_error("risk_premium", "a risk premium needs existing_rate and marginal_rate "
                                                 "(it raises the marginal rates)")
        return data

    def profile(self, years):
        """The engine's :class:`~fiscal_space.financing_needs.Profile` on ``years``."""
        from fiscal_space.financing_needs import Profile

        at = lambda s: None if s is None else s.at(years)  # noqa: E731
        m, p = self.marginal_rate, self.risk_premium
        return Profile(self.short_term_share.at(years), float(self.average_maturity), at(self.amortisation_gdp),
                       at(self.existing_rate), None if m is None else m.short.at(years),
                       None if m is None else m.long.at(years), None if p is None else p.threshold_gdp,
                       0.0 if p is None else p.basis_points_per_point,
                       None if p is None or p.max_basis_points is None else p.max_basis_points)


SD = dict(lo=0.0, hi=1.0, what="a standard deviation", unit="per year")


@section()
@dataclass(frozen=True)
class ShockSD:
    """Standard deviations of the yearly shocks."""

    growth: number("Shock to nominal GDP growth.", **SD) = 0.0
    interest_rate: number("Shock to the interest rate on debt.", **SD) = 0.0
    primary_balance: number("Shock to the primary balance / GDP.", **SD) = 0.0
    exchange_rate: number("Shock to the yearly depreciation.", **SD) = 0.0


@section()
@dataclass(frozen=True)
class History:
    """Historical shocks: bootstrapped, or a VAR(1) estimated on them (fiscal_space.stochastic)."""

    file: text("CSV with a year column and some of the columns growth, interest_rate, "
               "primary_balance, exchange_rate (relative to the file that names it).", unit="path")
    method: choice("bootstrap: whole years of the demeaned history drawn with replacement; var: a VAR(1) "
                   "estimated by OLS on the history, normal shocks with its residual covariance.",
                   ("bootstrap", "var"), source="European Commission, Debt Sustainability Monitor 2023, annex "
                                                "on the stochastic debt projections (VAR)") = "bootstrap"


@section()
@dataclass(frozen=True)
class StochasticSection:
    """A debt fan chart: random shocks around the baseline.

    Rules: exactly one of sd (with an optional correlation), covariance or
    history; years within the projection; threshold_gdp given here or in
    debt."""

    paths: number("Number of debt paths.", lo=1, hi=10_000_000, integer=True, unit="paths")
    seed: number("Seed of the random shocks.", lo=0, integer=True, what="a non-negative integer seed")
    years: number("Years simulated from the base year.", lo=2, integer=True, unit="years",
                  derived="every projection year") = None
    threshold_gdp: number("Threshold of the exceedance probability.", **DEBT_RATIO,
                          derived="debt.threshold_gdp") = None
    sd: ShockSD | None = None
    correlation: named("Correlations of the shocks, {a: {b: rho}}.",
                       named("Correlations with the other shocks.",
                             number("A correlation.", lo=-1.0, hi=1.0, what="a correlation")),
                       what="shock", optional=True) = None
    covariance: matrix("Covariance matrix of the shocks.", len(SHOCKS), names=SHOCKS) = None
    history: History | None = None
    declining_years: number("Years after which the debt ratio is compared with today's: P(d(t + n) < d(t)).",
                            lo=1, integer=True, unit="years",
                            source="European Commission, Debt Sustainability Monitor 2023 (5 years)") = 5

    @model_validator(mode="before")
    @classmethod
    def _one_method(cls, data):
        if not isinstance(data, dict):
            return data
        given = [k for k in ("sd", "covariance", "history") if k in data]
        if len(given) != 1:
            raise rule_error("sd", "give exactly one of sd (with an optional correlation), covariance "
                                   f"(4 x 4, order {', '.join(SHOCKS)}) or history {{file}}; got "
                                   f"{', '.join(given) or 'none'}")
        if "correlation" in data and given != ["sd"]:
            raise rule_error("correlation", "unknown key (a correlation goes with sd)")
        return data

    @model_validator(mode="after")
    def _matrices(self):
        for a, row in (self.correlation or {}).items():
            if a not in SHOCKS:
                raise rule_error(f"correlation.{a}", f"expected one of {', '.join(SHOCKS)}")
            for b in row:
                if b not in SHOCKS or b == a:
                    raise rule_error(f"correlation.{a}.{b}", f"expected another of {', '.join(SHOCKS)}")
        if self.sd is not None and np.linalg.eigvalsh(self.correlations()).min() < -1e-10:
            raise rule_error("correlation", "the correlations are not consistent (the matrix is not "
                                            "positive semi-definite)")
        m = self.covariance
        if m is not None and (not np.allclose(m, m.T, rtol=0, atol=1e-14) or np.linalg.eigvalsh(m).min() < -1e-12):
            raise rule_error("covariance", "expected a symmetric positive semi-definite covariance matrix")
        return self

    def correlations(self) -> np.ndarray:
        corr = np.eye(len(SHOCKS))
        for a, row in (self.correlation or {}).items():
            for b, rho in row.items():
                i, j = SHOCKS.index(a), SHOCKS.index(b)
                corr[i, j] = corr[j, i] = rho
        return corr

    def covariance_matrix(self) -> np.ndarray | None:
        """The shocks' covariance (method "normal"; None with a history)."""
        if self.sd is None:
            return self.covariance
        sd = np.array([getattr(self.sd, k) for k in SHOCKS])
        return self.correlations() * np.outer(sd, sd)


EC_DSM = ("European Commission, Debt Sustainability Monitor 2023 (Institutional Paper 271, 2024), annex on the "
         "fiscal sustainability gap indicators; Fiscal Sustainability Report 2021 (Institutional Paper 171), annex A3")


@section()
@dataclass(frozen=True)
class SustainabilityGapsSection:
    """The European Commission's sustainability gaps S1 and S2 (fiscal_space.sustainability_gaps),
    with the ageing costs of the engine's own pension, employment-injury and SPF projections.

    Rules: adjustment_years not above years_to_target. A target year after the projection takes the
    long-term continuation of S2 (age-related spending and r - g at their last values)."""

    target_debt_gdp: number("S1: the debt ratio to reach in the target year.", **DEBT_RATIO,
                            source=EC_DSM + " (the Treaty's 60% reference value)") = 0.6
    years_to_target: number("S1: years from the base year to the target year (end-year debt).", lo=1,
                            integer=True, unit="years", source=EC_DSM + " (15 years: 2038 from 2023)") = 15
    adjustment_years: number("S1: years of equal steps of the adjustment, from the year after the base "
                             "year; then kept.", lo=1, integer=True, unit="years",
                             source=EC_DSM + " (5 years)") = 5
    beyond_horizon: choice("S2: after the projection, age-related spending and the interest-growth "
                           "differential stay at their last year's values.", ("constant",),
                           source=EC_DSM + " (constant after 2070)") = "constant"

    def rules(self) -> GapRules:
        return GapRules(self.target_debt_gdp, self.years_to_target, self.adjustment_years, self.beyond_horizon)


@section("fiscal_space")
@dataclass(frozen=True)
class FiscalSpaceSection:
    """Fiscal space for social protection (ILO/UNICEF/UN Women handbook, Ortiz et al. 2019): the
    financing gap, the eight financing options, public debt with and without the reform.

    Each option's keys are declared in fiscal_space.options (one class per handbook option). Rules
    with the case: debt.target_year and stochastic.years within the projection."""

    baseline: Baseline
    package_baseline_gdp: named("What is already spent on an item of the cost input (the financing "
                                "gap is the package cost minus this).", series("Spending on the item.",
                                                                               **GDP_FIELD),
                                what="item", optional=True) = None
    costs: Costs | None = None
    debt: Debt | None = None
    debt_profile: DebtProfile | None = None
    options: options_field("Financing options: the handbook's (reallocation, tax, social_security, aid, "
                           "illicit_flows, reserves, borrowing, macro_framework) or, under any other name, "
                           "custom: true with its kind and capacity_gdp.",
                           source="Ortiz, Chowdhury, Duran Valverde, Muzaffar & Urban, Fiscal Space for "
                                  "Social Protection: A Handbook for Assessing Financing Options "
                                  "(ILO/UNICEF/UN Women, 2019), ch. 3") = None
    stochastic: StochasticSection | None = None
    sustainability_gaps: SustainabilityGapsSection | None = None
    stress_tests: StressTestsSection | None = None

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo):
        case = (info.context or {})["case"]
        first, last, n_years = case.base_year, case.base_year + case.horizon, case.horizon + 1
        debt = self.debt or Debt()
        if (debt.threshold_gdp is not None and debt.threshold_gdp < self.baseline.debt_gdp
                and not debt.allow_above_threshold):
            raise rule_error("debt.threshold_gdp", f"the threshold {debt.threshold_gdp} is below today's debt "
                                                   f"{self.baseline.debt_gdp} (baseline.debt_gdp); set "
                                                   "allow_above_threshold: true if that is intended")
        if debt.target_year is not None and not first + 1 <= debt.target_year <= last:
            raise rule_error("debt.target_year", f"expected a number in [{first + 1}, {last}], "
                                                 f"got {debt.target_year}")
        s = self.stochastic
        if s is not None and s.years is not None and s.years > n_years:
            raise rule_error("stochastic.years", f"expected a number in [2, {n_years}], got {s.years}")
        if s is not None and s.declining_years >= (s.years or n_years):
            raise rule_error("stochastic.declining_years", f"expected a number in [1, {(s.years or n_years) - 1}] "
                                                           f"(below stochastic.years), got {s.declining_years}")
        if s is not None and s.threshold_gdp is None and debt.threshold_gdp is None:
            raise rule_error("stochastic.threshold_gdp", "required key is missing (or set "
                                                         "debt.threshold_gdp)")
        gaps = self.sustainability_gaps
        if gaps is not None and gaps.adjustment_years > gaps.years_to_target:
            raise rule_error("sustainability_gaps.adjustment_years", f"expected a number in [1, "
                                                                     f"{gaps.years_to_target}] (years_to_target), "
                                                                     f"got {gaps.adjustment_years}")
        st = self.stress_tests
        if st is not None and st.shock_years > n_years:
            raise rule_error("stress_tests.shock_years", f"expected a number in [1, {n_years}], got {st.shock_years}")
        if st is not None and case.horizon < st.heat_map_years != HEAT_MAP_YEARS:  # the default is cut to the horizon
            raise rule_error("stress_tests.heat_map_years", f"expected a number in [1, {case.horizon}] (the "
                                                            f"horizon), got {st.heat_map_years}")
        return self


def parse_fiscal_space(r: Reader, case, data: dict | None = None) -> FiscalAssumptions:
    """Section ``fiscal_space`` (declared in :class:`FiscalSpaceSection`); ``case`` has name,
    base_year, horizon, currency. The files it names (costs, history) are read here; the
    options become the engine's :class:`~fiscal_space.options.Option` (:func:`~fiscal_space.options.to_options`)."""
    case = FiscalCase(case.name, getattr(case, "country", case.name), int(case.base_year),
                      int(case.horizon), getattr(case, "currency", "NCU"))
    years = case.years
    digest = hashlib.sha256(json.dumps(data if data is not None else r.data, sort_keys=True,
                                       default=str).encode())
    declared = validate(FiscalSpaceSection, r.data, origins=r.origins, path=r.path, context={"case": case})
    baseline = declared.baseline
    package = {str(k): v for k, v in (declared.package_baseline_gdp or {}).items()}
    table = cost_file = None
    if declared.costs is not None:
        cr = _sub(r, "costs")
        cost_file = cr.file_path("file")
        table = _read_year_csv(cr, "file", cost_file, years)
        digest.update(read_bytes(cost_file))
    debt = (declared.debt or Debt()).rules(baseline, years)
    options = to_options(declared.options)
    known = None if table is None else set(table.columns) - {"year"}
    for o in options:
        if o.method == "from_costs" and known is not None and o.settings["variable"] not in known:
            raise r.error(f"options.{o.name}.from_costs",
                          f"the cost input has no variable {o.settings['variable']!r}; it has "
                          f"{', '.join(sorted(known)) or 'none'}")
    if any(o.name == "borrowing" and o.method == "borrowing" and o.settings["max_gdp"] is None
           for o in options) and debt.threshold_gdp is None:
        raise r.error("options.borrowing.max_gdp", "borrowing needs a yearly limit max_gdp or a "
                                                   "debt ceiling fiscal_space.debt.threshold_gdp")
    stochastic = None
    if declared.stochastic is not None:
        stochastic = _stochastic(declared.stochastic, r, debt, years)
        if stochastic.history is not None:
            digest.update(stochastic.history.tobytes())
    costs = None
    if table is not None:
        from_costs = {o.settings["variable"] for o in options if o.method == "from_costs"}
        costs = costs_from_table(table, declared.costs.unit, from_costs, str(cost_file))
        missing = sorted(set(package) - set(costs["item"].values.tolist()))
        if missing:
            raise r.error(f"package_baseline_gdp.{missing[0]}",
                          f"no such item in {cost_file.name}; items: {', '.join(costs['item'].values)}")
    source = r.file_for(None)
    profile = None if declared.debt_profile is None else declared.debt_profile.profile(years)
    gaps = declared.sustainability_gaps.rules() if declared.sustainability_gaps is not None else None
    stress = None
    if declared.stress_tests is not None:
        hist = _stress_history(declared, r)
        if hist is not None:
            digest.update(json.dumps({k: v.tolist() for k, v in hist.items()}, sort_keys=True).encode())
        stress = declared.stress_tests.rules(years, hist)
    return FiscalAssumptions(case, baseline, package, costs, debt, options, stochastic,
                             str(source) if source is not None else "<assumptions>", digest.hexdigest()[:16],
                             profile, gaps, stress)


def _sub(r: Reader, *keys) -> Reader:
    """A reader of the mapping at ``keys`` below ``r`` (for the files it names, and the options)."""
    data, path = r.data, r.path
    for key in keys:
        data, path = data[key], (*path, key)
    return Reader(data, r.origins, path)


def _stochastic(s: StochasticSection, r: Reader, debt: DebtRules, years) -> Stochastic:
    """The engine's :class:`Stochastic`; a history file is read and demeaned here."""
    threshold = debt.threshold_gdp if s.threshold_gdp is None else s.threshold_gdp
    n_years = len(years) if s.years is None else s.years
    hist = None
    if s.history is not None:
        h = _sub(r, "stochastic", "history")
        path, table = _history_table(h)
        if len(table) < 2:
            raise AssumptionError(path, h.key_path("file"), "expected at least two years of history")
        values = np.column_stack([table[k].to_numpy(float) if k in table else np.zeros(len(table))
                                  for k in SHOCKS])
        hist = values - values.mean(axis=0)
        if s.history.method == "var":
            return Stochastic(s.paths, s.seed, n_years, threshold, None, None, _var(values, path, h),
                              s.declining_years)
    return Stochastic(s.paths, s.seed, n_years, threshold, s.covariance_matrix(), hist,
                      declining_years=s.declining_years)


def _stress_history(declared, r: Reader) -> dict | None:
    """The history that sizes the stress tests, {column: values in year order}: the file of
    ``stress_tests.history``, else of ``stochastic.history``, else None."""
    if declared.stress_tests.history is not None:
        keys = ("stress_tests", "history")
    elif declared.stochastic is not None and declared.stochastic.history is not None:
        keys = ("stochastic", "history")
    else:
        return None
    _, table = _history_table(_sub(r, *keys))
    return {k: table[k].to_numpy(float) for k in table.columns}


def _history_table(h: Reader):
    """(path, table) of a history block's ``file``: a year column and some of the SHOCKS columns."""
    path = h.file_path("file")
    table = _read_year_csv(h, "file", path, None)
    known = (*SHOCKS, *HISTORY_EXTRA)
    unknown = sorted(set(table.columns) - set(known))
    if unknown:
        raise AssumptionError(path, h.key_path("file"), f"unknown column {unknown[0]!r}; expected year and "
                              f"some of {', '.join(known)}")
    return path, table


def _var(values: np.ndarray, path, h: Reader) -> VarModel:
    """The VAR(1) of the history (at least 10 years), stationary (eigenvalues of A inside the unit circle)."""
    if len(values) < 10:
        raise AssumptionError(path, h.key_path("file"), f"expected at least 10 years of history to estimate a "
                                                        f"VAR(1) (method: var); got {len(values)}")
    model = estimate_var(values)
    radius = float(np.abs(np.linalg.eigvals(model.coefficients)).max())
    if not radius < 1:
        raise AssumptionError(path, h.key_path("file"), f"the VAR(1) estimated on the history is not stationary "
                                                        f"(largest eigenvalue modulus {radius:.3f}, expected < 1): "
                                                        "use method: bootstrap or a longer history")
    return model


# -- cost files -----------------------------------------------------------------------

def _read_year_csv(r: Reader, key, path: Path, years) -> "pd.DataFrame":
    """A CSV with an integer ``year`` column and numeric columns, indexed by year,
    read through :mod:`actuarial.datafiles` (regular file, size limit, gzip,
    every cell a finite number, each year once); when ``years`` is given,
    every one of them must be present. Errors name the CSV file, the column
    and the row, and the key that names the file."""
    try:
        table = read_table(path, [Column("year", "int", what="a whole year")], others="float",
                           what="cost table", context=("year",))
        if table.shape[1] < 2:
            raise data_error(path, "", 1, "expected at least one column besides 'year'")
        check_unique(path, table, ["year"])
    except AssumptionError as exc:
        raise AssumptionError(exc.file, f"{r.key_path(key)}: {exc.key}" if exc.key else r.key_path(key),
                              exc.expected) from None
    table = table.set_index("year").sort_index()
    if years is not None:
        check_years(table.index.to_numpy(), years, Path(path).absolute(), r.key_path(key))
    return table


def check_years(have, years, file, key) -> None:
    """Every projection year must be present in a cost path (no silent gaps)."""
    missing = sorted(set(np.asarray(years).tolist()) - set(np.asarray(have).tolist()))
    if missing:
        shown = ", ".join(map(str, missing[:8])) + (" ..." if len(missing) > 8 else "")
        raise AssumptionError(file, key, f"the cost path has no value for {len(missing)} year(s) of the "
                                         f"case ({shown}); give every year from {years[0]} to {years[-1]}")


def costs_from_table(table: "pd.DataFrame", unit: str, variables=(), source: str = "") -> "xr.Dataset":
    """A cost Dataset (layout of :func:`fiscal_space.gap.prepare_costs`) from a CSV table."""
    items = [c for c in table.columns if c != "gdp" and c not in variables]
    year = table.index.to_numpy()
    name, units, long = (("cost_gdp", "1", "cost of the item / GDP") if unit == "gdp_share"
                         else ("cost", "currency/year", "cost of the item"))
    import xarray as xr  # here, not at the top: validating a file needs no xarray

    ds = xr.Dataset({name: (("year", "item"), table[items].to_numpy(float), {"units": units, "long_name": long})},
                    coords={"year": year, "item": items}, attrs={"source_file": source})
    if "gdp" in table.columns:
        ds["gdp"] = ("year", table["gdp"].to_numpy(float), {"units": "currency/year", "long_name": "nominal GDP"})
    for v in variables:
        if v in table.columns:
            ds[v] = ("year", table[v].to_numpy(float), {"units": "1", "long_name": f"{v} (from {Path(source).name})"})
    return ds


attach_reprs("fiscal_space")  # brief reprs of the fiscal sections (actuarial.schema.display)
