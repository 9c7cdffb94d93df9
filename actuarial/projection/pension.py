"""Defined-benefit social insurance pension scheme: projection and finance.

Headcounts and amounts come from ``_pension_kernels.project_scheme``. Around
it, by scenario and year t:

  insurable earnings IE_t = sum_{s,x} K x density x min(w, ceiling)
  contribution income  C_t = contribution rate_t x IE_t
  benefit expenditure      = pensions paid + lump sums; administrative
                             expenses = share x benefits; expenditure E_t
                             includes both
  investment income   II_t = i_t F_t + (C_t - E_t + S_t)((1 + i_t)^(1/2) - 1)
  reserve           F_{t+1} = F_t + C_t + S_t + II_t - E_t   (cash flows mid-year)
  deficit after depletion S_t = max(E_t - C_t - F_t (1 + i_t)^(1/2), 0): the
                             reserve is floored at zero, as actuarial reports
                             show it; what it cannot pay the state pays (or
                             the benefits cannot be paid)

Metrics (ILO / standard vocabulary): PAYG cost rate E/IE; reserve ratio
F_t / E_{t-1}; depletion year, the first year at whose end the reserve is
not positive; GAP over h years, the constant rate pi with
F_0 + pi PV(IE) = PV(E), PV with the discount-rate path and mid-year flows;
system dependency ratio pensioners / contributors; replacement rates (new
and average old-age pension / average insurable wage); expenditure / GDP.
The finance and these ratios are ``pension_finance.finance_variables`` (shared
with the notional design), the valuation metrics ``pension_metrics``.

Reference earnings: wage-revalued career average (or final N years) of the
cross-sectional salary scale over the last c ages before the award, at the
wage level of the award year (the usual approximation of credit-based
models, ILO pension model). Awards are not indexed in their first year.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np
import xarray as xr

from actuarial.assumptions.economy import Labour
from actuarial.assumptions.pension import BENEFIT_TYPES, Pension, by_sex_array
from actuarial.projection import _pension_kernels as kern
from actuarial.projection.labour import reference_scale, wage_levels
from actuarial.arrays import scenario_years, with_scenario
from actuarial.projection.liability import LABEL as LIABILITY_LABEL, accrued_liability
from actuarial.projection.pension_conversion import present_values
from actuarial.projection.pension_option import option_variables
from actuarial.projection.pension_dc import project_dc
from actuarial.projection.pension_ndc import project_ndc
from actuarial.projection.pension_finance import Frame, finance_variables, frame_dataset
from actuarial.projection.pension_metrics import closed_group_variables, valuation_variables

SEXES = ["female", "male"]
FLOW_NAMES = ["entrants", "reentrants", "to_inactive", "deaths_insured", "invalidity_awarded",
              "invalidity_not_vested", "retired_vested", "retired_not_vested",
              "deaths_pensioners", "survivor_awards"]


def initial_insured(K0: np.ndarray, x_lo: int, R0, n_credits: int, share: float) -> np.ndarray:
    """Split contributors (..., sex, age) below the base-year pensionable ages
    R0 (female, male) into credits ~ Binomial(x - x_lo, share)."""
    X = K0.shape[-1]
    dist = np.zeros((2, X, n_credits))
    for g in range(2):
        dist[g, x_lo:int(R0[g])] = binomial_pmf(max(int(R0[g]) - x_lo, 0), n_credits, share)
    return K0[..., :, :, None] * dist


def binomial_pmf(rows: int, n_credits: int, p: float) -> np.ndarray:
    """P(C = c) for C ~ Binomial(n, p), n = 0 .. rows - 1 (rows), c = 0 .. n_credits - 1:
    comb(n, c) p^c (1 - p)^(n - c), zero for c > n (closed form; no scipy.stats import)."""
    n = np.arange(rows)[:, None]
    c = np.arange(n_credits)[None, :]
    comb = binomial_coefficients(rows, n_credits)
    with np.errstate(divide="ignore", invalid="ignore"):
        pmf = comb * float(p) ** c * (1.0 - float(p)) ** (n - c)
    return np.where(c <= n, pmf, 0.0)


def insured_from_table(table: np.ndarray, n_credits: int):
    """Active and inactive insured (1, 2, X, C) from a table (status, sex, age, credits),
    whose ages and credits ``assumptions.pension.check_against_case`` validated."""
    status, sexes, X, C_file = table.shape
    out = np.zeros((2, 1, 2, X, n_credits))
    out[:, 0, ..., :min(C_file, n_credits)] = table[..., :n_credits]
    return out[0], out[1]


@functools.lru_cache(maxsize=16)
def binomial_coefficients(rows: int, n_credits: int) -> np.ndarray:
    """comb(n, c) for n < rows, c < n_credits as floats (read-only; computed once per shape)."""
    comb = np.array([[math.comb(i, j) for j in range(n_credits)] for i in range(rows)], float)
    comb = comb.reshape(rows, n_credits)  # also when rows == 0
    comb.flags.writeable = False
    return comb


STANDARD_CREDITS = {"old_age": 30, "invalidity": 15, "survivors": 15}
STANDARD_INVALIDITY_AGE = 45


def standard_replacement_rates(pension: Pension, R, scale, ref_scale, level, aw, ceiling, x_lo) -> np.ndarray:
    """Replacement rates (year, benefit_type) of the standard beneficiary of
    ILO C102/C128: a man retiring at the pensionable age after 30 credited
    years, or becoming invalid (or dying, for his widow) at 45 after 15;
    previous earnings = his wage at the last age before the event. Pension =
    accrual x credits x reference earnings within the minimum and maximum;
    survivors get their share of it."""
    rates = np.zeros((R.shape[0], 3))
    for k, (kind, credits) in enumerate(STANDARD_CREDITS.items()):  # every year at once, elementwise
        end = R[:, 1].astype(np.int64) if kind == "old_age" else np.full(R.shape[0], STANDARD_INVALIDITY_AGE)
        c = np.minimum(np.minimum(credits, np.maximum(end - x_lo, 0)), ref_scale.shape[1] - 1)
        previous = _first_min(level[:, 1] * scale[end - 1], ceiling)
        ref = _first_min(level[:, 1] * ref_scale[end, c], ceiling)
        vesting = pension.vesting_years if kind == "old_age" else pension.invalidity_vesting
        cap = np.inf if pension.maximum_pension is None else pension.maximum_pension * ref
        amount = _first_max(_first_min(pension.accrual_rate * c * ref, cap), pension.minimum_pension * aw)
        share = pension.survivor_share if kind == "survivors" else 1.0
        with np.errstate(divide="ignore", invalid="ignore"):  # the years below the vesting: not used
            rates[:, k] = np.where(c < vesting, 0.0, amount * share / previous)  # no pension below it
    return rates


def _first_min(a, b):
    """Python's min(a, b) elementwise: b where b < a, else a (NaN as min treats it)."""
    return np.where(b < a, b, a)


def _first_max(a, b):
    """Python's max(a, b) elementwise: b where b > a, else a."""
    return np.where(b > a, b, a)


def project_pension(pension: Pension, labour_assumptions: Labour, demography: xr.Dataset,
                    labour: xr.Dataset, economy: xr.Dataset, liabilities: bool = True) -> xr.Dataset:
    """The pension stage: ``pension.transition`` (``project_transition``) or the design's own.
    ``liabilities=False`` (stochastic chunks, whose summaries do not read it) leaves out a
    defined-benefit or points scheme's accrued-to-date liability (``accrued_liability_*``)."""
    tr = pension.transition
    if tr is not None and tr.to != pension.design:
        return project_transition(pension, labour_assumptions, demography, labour, economy)
    return project_design(dataclasses.replace(pension, transition=None), labour_assumptions, demography,
                          labour, economy, liabilities=liabilities)


@dataclasses.dataclass(frozen=True)
class SplitSeries:
    """A series kept before (``before``) or from ``year`` and zero on the other side."""

    base: object
    year: int
    before: bool

    def at(self, years) -> np.ndarray:
        years = np.asarray(years)
        return self.base.at(years) * ((years < self.year) if self.before else (years >= self.year))


LEGACY = ("expenditure", "contribution_income", "reserve", "reserve_end", "deficit_after_depletion",
          "deficit_after_depletion_gdp", "depletion_year", "expenditure_gdp", "pension_amounts",
          "pensioners_total", "accrued_liability")


def project_transition(pension: Pension, labour_assumptions: Labour, demography: xr.Dataset,
                       labour: xr.Dataset, economy: xr.Dataset) -> xr.Dataset:
    """A reform from defined benefit to ``transition.to`` in ``transition.year``, accrued rights kept:

    legacy   the DB scheme with its contributions up to the year before and no credits accrued
             from the year (the kernel's freeze), its pensions in payment and reserve: it pays
             the accrued rights when they fall due, from its reserve, then the state (its
             deficit after depletion)
    new      the new design with the contributions from the year, no pensions in payment, no
             reserve or capital at the valuation date

    The node is the new design's, with the legacy's variables as ``legacy_<name>``; the
    fiscal stage's ``deficit_after_depletion_gdp`` is the sum of both (the transition cost)."""
    if pension.design == "defined_contribution":
        return project_from_accounts(pension, labour_assumptions, demography, labour, economy)
    tr = pension.transition
    base = int(demography["year"].values[0])
    past = tr.year <= base  # a past reform: the legacy is the pensions in payment only
    converted = tr.accrued_rights == "converted"  # from the year the legacy is the pensions in payment only
    legacy = project_defined_benefit(dataclasses.replace(
        pension, transition=None, contribution_rate=SplitSeries(pension.contribution_rate, max(tr.year, base), True),
        freeze_year=max(tr.year, base), closed_group=False, convert_rights=converted,
        initial_insured=np.zeros((2, 2, 101, 1)) if past else pension.initial_insured),
        labour_assumptions, demography, labour, economy)
    young = new_design(pension)
    if not past:  # a new design starts with no capital
        young = dataclasses.replace(
            young, notional=None if pension.notional is None else dataclasses.replace(
                pension.notional, initial_capital=0.0),
            defined_contribution=None if pension.defined_contribution is None else dataclasses.replace(
                pension.defined_contribution, initial_balance=0.0))
    to_points = tr.to == "points"
    if to_points and not past and not converted:  # points run on the DB kernel: credits (points) from the year
        young = dataclasses.replace(young, **new_accruals(pension, tr.year))
    if to_points and converted:  # the credited years carry over as points (Conversion, rule points)
        young = dataclasses.replace(young, award_start_year=tr.year)
    elif converted:
        capital = converted_capital(legacy, young, tr, demography)
        young = dataclasses.replace(young, converted_capital=capital, converted_year=tr.year)
    new = project_design(young, labour_assumptions, demography, labour, economy)
    if to_points and converted:
        new.update(points_conversion_variables(legacy, pension, tr, economy))
    elif converted:
        new.update(conversion_variables(legacy, capital, young.design, tr, economy))
    if tr.legacy_option:  # the transition generation may choose the old law's pension (Mexico's Ley 73)
        new.update(option_variables(pension, labour_assumptions, demography, labour, economy, new, tr))
    label = (f"DB legacy (pensions in payment at {tr.year}; the insured's rights converted)" if converted else
             f"DB legacy (pensions in payment at {base})" if past else f"DB legacy (rights accrued to {tr.year - 1})")
    legacy_into(new, legacy, LEGACY, label)
    what = f"the new design's and the DB legacy's (transition in {tr.year}; the state's cost)"
    for name, units, label in (("deficit_after_depletion", "currency/year", "deficit after depletion"),
                               ("deficit_after_depletion_gdp", "1", "deficit after depletion / GDP")):
        total = legacy[name] + (new[name] if name in new else 0.0)
        new[name] = total.assign_attrs(units=units, long_name=f"{label}: {what}")
    new["deficit_after_depletion_rate"] = (new["deficit_after_depletion"] / new["insurable_earnings"]).assign_attrs(
        units="1", long_name=f"deficit after depletion / insurable earnings: {what}")
    new.attrs.update(transition_year=tr.year, transition_from="defined_benefit", accrued_rights=tr.accrued_rights)
    return new


def new_design(pension: Pension, **changes) -> Pension:
    """The design ``pension.transition`` moves to: the contributions from the transition year, no
    pensions in payment and no reserve at the valuation date (``changes``: further fields)."""
    tr = pension.transition
    empty = {k: dataclasses.replace(v, counts=_zero(v.counts), average_pension=v.average_pension)
             for k, v in pension.initial_pensioners.items()}
    return dataclasses.replace(
        pension, design=tr.to, transition=None, initial_reserve=0.0, initial_pensioners=empty,
        contribution_rate=SplitSeries(pension.contribution_rate, tr.year, False), **changes)


def legacy_into(new: xr.Dataset, legacy: xr.Dataset, names, label: str, old_age_only: bool = False) -> None:
    """The legacy's variables ``names`` (those it has) into ``new`` as ``legacy_<name>``, their
    long_name prefixed by ``label`` (``old_age_only``: the old-age benefit type alone)."""
    for name in names:
        if name not in legacy:
            continue
        v = legacy[name]
        if old_age_only and "benefit_type" in v.dims:
            v = v.sel(benefit_type="old_age", drop=True)
        new[f"legacy_{name}"] = v.assign_attrs(long_name=f"{label}: {v.attrs.get('long_name', '')}")


def new_accruals(pension: Pension, year: int) -> dict:
    """A DB-kernel design (defined_benefit, points) entered by a transition in ``year``: the insured
    hold no credits at the valuation date (the stated credit share 0, an insured table's credits
    at 0), credits accrue and awards are paid from the year."""
    table = pension.initial_insured
    return dict(credit_start_year=year, award_start_year=year,
                initial_credit_share=0.0 if table is None else pension.initial_credit_share,
                initial_insured=None if table is None else table.sum(axis=3, keepdims=True))


LEGACY_ACCOUNTS = ("expenditure", "contribution_income", "reserve", "reserve_end", "reserve_gdp", "expenditure_gdp",
                   "account_balance_total", "account_balance", "pensioners_total", "pension_amounts",
                   "new_pensioners", "new_pension_amounts", "retiring_balance",
                   "annuities_paid", "lump_sums", "annuity_premiums", "programmed_withdrawals", "bequests", "fees",
                   "investment_income", "state_top_up")


def project_from_accounts(pension: Pension, labour_assumptions: Labour, demography: xr.Dataset,
                          labour: xr.Dataset, economy: xr.Dataset) -> xr.Dataset:
    """A defined-contribution scheme turned into defined benefit in ``transition.year`` (t0); the DB
    rules are the pension section's DB keys:

    legacy   the DC accounts (``pension_dc.project_dc``) with the contributions up to t0 - 1 and no
             insured joining or contributing from t0 (``freeze_year``): kept, the balances earn the
             return net of fees and pay out at retirement by the defined_contribution block's
             rules; converted, on 1 January t0 the insured's balances leave the accounts
             (``transferred_balance``) and the insured leave; the retirees stay (annuities paid by
             the insurers, withdrawals from their balances, the state's top-ups)
    new      the DB scheme with the contributions from t0, no pensions in payment, no reserve at the
             valuation date, awards from t0 (``award_start_year``): kept, credits from t0 only
             (``new_accruals``); converted (Argentina, Ley 26.425 of 2008), the insured's credits are
             those the DB rules give their careers from the valuation date (the stated initial
             credits, the contribution density since), as if they had always been insured in the
             DB scheme, and the reserve receives the balances on 1 January t0 (``reserve_transfer``)

    The node is the DB scheme's, with the legacy's variables as ``legacy_<name>`` (old age);
    the fiscal stage reads the DB scheme's deficit after depletion and the legacy's top-ups
    (``state_top_up_gdp``, the item pension_guarantee)."""
    tr = pension.transition
    years = demography["year"].values
    base = int(years[0])
    year = max(tr.year, base)
    past, converted = tr.year <= base, tr.accrued_rights == "converted"
    legacy = project_dc(dataclasses.replace(
        pension, transition=None, contribution_rate=SplitSeries(pension.contribution_rate, year, True),
        freeze_year=year, convert_rights=converted), labour_assumptions, demography, labour, economy)
    young = new_design(pension, award_start_year=year)
    if not past and not converted:
        young = dataclasses.replace(young, **new_accruals(pension, year))
    if converted:
        moved = legacy["transferred_balance"].transpose("scenario", ...).values.sum((1, 2))
        young = dataclasses.replace(young, reserve_transfer=moved, reserve_transfer_year=year)
    new = project_design(young, labour_assumptions, demography, labour, economy)
    label = (f"DC legacy (pensions in payment and accounts at {base}, frozen)" if past else
             f"DC legacy (pensions in payment in {year}, paid by the insurers; the insured's balances "
             f"transferred to the DB reserve)" if converted else
             f"DC legacy (accounts frozen from {year}: no contributions, the net return, paid out at retirement)")
    legacy_into(new, legacy, LEGACY_ACCOUNTS, label, old_age_only=True)
    for name in ("state_top_up", "state_top_up_gdp"):  # the fiscal item pension_guarantee
        new[name] = legacy[name].assign_attrs(long_name=f"{label}: {legacy[name].attrs['long_name']}")
    if converted:
        new.update(transfer_variables(legacy, young, economy))
    new.attrs.update(transition_year=tr.year, transition_from="defined_contribution",
                     accrued_rights=tr.accrued_rights)
    return new


def transfer_variables(legacy: xr.Dataset, young: Pension, economy: xr.Dataset) -> dict:
    """The DC balances transferred to the DB reserve on 1 January of the transition year: by sex
    and age, their total and / GDP of the year."""
    year = young.reserve_transfer_year
    k = int(year - economy["year"].values[0])
    n = young.reserve_transfer.shape[0]
    rule = (f"the DC insured's balances transferred on 1 January {year} to the DB reserve, the insured "
            f"credited in the DB scheme as if always insured (Argentina, Ley 26.425 of 2008); counted in the "
            f"DB's GAP and valuation metrics at its present value")
    gdp = scenario_years(economy["gdp"], n)[:, k]
    return {
        "transferred_balance": legacy["transferred_balance"].assign_attrs(long_name=rule),
        "transferred_balance_total": xr.DataArray(young.reserve_transfer, dims="scenario", attrs={
            "units": "currency", "long_name": f"{rule}, all ages"}),
        "transferred_balance_gdp": xr.DataArray(young.reserve_transfer / gdp, dims="scenario", attrs={
            "units": "1", "long_name": f"DC balances transferred to the DB reserve on 1 January {year} / GDP of "
                                       f"{year}"}),
    }


def converted_capital(legacy: xr.Dataset, young: Pension, tr, demography: xr.Dataset) -> np.ndarray:
    """The legacy's converted accrued pensions (``converted_accrued_pension``) as the new design's
    capital on 1 January of the transition year (``pension_conversion.present_values``): with
    survival for notional accounts (unisex mortality when the divisors are), without for
    individual accounts (the recognition bond goes to the heirs)."""
    years = demography["year"].values
    q = with_scenario(demography["death_probability"], ("year", "sex", "age"))
    if young.design == "notional" and young.notional.unisex:
        q = np.broadcast_to(q.mean(axis=2, keepdims=True), q.shape)
    R = np.stack([s.at(years) for s in young.pensionable_age], -1).astype(np.int64)
    accrued = legacy["converted_accrued_pension"].transpose("scenario", "sex", "age").values
    return present_values(accrued, q, R, int(tr.year - years[0]), tr.conversion.rate,
                          survival=young.design == "notional")


def points_conversion_variables(legacy: xr.Dataset, pension: Pension, tr, economy: xr.Dataset) -> dict:
    """Rule points: the accrued DB pensions P on 1 January of the year (``converted_accrued_pension``)
    / the point value of the year (the base year's indexed to the average wage) = the points
    credited, by sex and age, and their total."""
    years = economy["year"].values
    k = int(tr.year - years[0])
    aw = with_scenario(economy["average_wage"], ("year",))
    value = pension.points.point_value * aw[:, k] / aw[:, 0]  # (scenario,)
    accrued = legacy["converted_accrued_pension"]
    n = max(accrued.sizes["scenario"], value.shape[0])
    points = accrued.transpose("scenario", "sex", "age").values / np.broadcast_to(value, (n,))[:, None, None]
    rule = (f"points credited on 1 January {tr.year} for the accrued DB rights: the accrued pension / the point "
            f"value of {tr.year} (the pension preserved on the day, as AGIRC-ARRCO 2019); the credited years "
            f"carry over, each worth the points' yield = the DB accrual rate")
    return {
        "converted_points": xr.DataArray(points, dims=("scenario", "sex", "age"), attrs={
            "units": "points", "long_name": rule}),
        "converted_points_total": xr.DataArray(points.sum((1, 2)), dims="scenario", attrs={
            "units": "points", "long_name": f"{rule}, all ages"}),
        "conversion_point_value": xr.DataArray(np.broadcast_to(value, (n,)).copy(), dims="scenario", attrs={
            "units": "currency/year", "long_name": f"point value of {tr.year} (yearly pension per point)"}),
        "legacy_converted_accrued_pension": accrued,
    }


def conversion_variables(legacy: xr.Dataset, capital: np.ndarray, design: str, tr, economy: xr.Dataset) -> dict:
    """The conversion's variables: the capital by sex and age, its total and / GDP of the year;
    for individual accounts the recognition bonds the state pays in the transition year (a fiscal
    item)."""
    years = economy["year"].values
    n = capital.shape[0]
    what = ("initial notional capital" if design == "notional" else
            "recognition bonds credited to the accounts, paid by the state")
    rule = (f"{what}: the accrued DB pension's present value from the pensionable age at {tr.conversion.rate:g} "
            f"on cohort mortality" + (" with survival (inheritance gains)" if design == "notional" else
                                      " (no survival: the bond goes to the heirs)"))
    gdp = scenario_years(economy["gdp"], n)
    k = int(tr.year - years[0])
    total = capital.sum((1, 2))
    out = {
        "converted_capital": xr.DataArray(capital, dims=("scenario", "sex", "age"), attrs={
            "units": "currency", "long_name": f"DB rights converted on 1 January {tr.year}: {rule}"}),
        "conversion_value": xr.DataArray(total, dims="scenario", attrs={
            "units": "currency", "long_name": f"DB rights converted on 1 January {tr.year}, all ages: {rule}"}),
        "conversion_value_gdp": xr.DataArray(total / gdp[:, k], dims="scenario", attrs={
            "units": "1", "long_name": f"DB rights converted on 1 January {tr.year} / GDP of {tr.year}: {what}"}),
        "legacy_converted_accrued_pension": legacy["converted_accrued_pension"],
    }
    if design == "defined_contribution":
        bonds = np.zeros((n, years.size))
        bonds[:, k] = total
        out["recognition_bonds"] = xr.DataArray(bonds, dims=("scenario", "year"), attrs={
            "units": "currency/year", "long_name": f"recognition bonds paid by the state in {tr.year} (the "
                                                   f"converted DB rights credited to the accounts)"})
        out["recognition_bonds_gdp"] = xr.DataArray(bonds / gdp, dims=("scenario", "year"), attrs={
            "units": "1", "long_name": "recognition bonds paid by the state / GDP"})
    return out


def _zero(pair):
    """A by-sex schedule of zeros of the same shape."""
    return type(pair)(np.zeros_like(np.asarray(pair.female)), np.zeros_like(np.asarray(pair.male)))


def project_design(pension: Pension, labour_assumptions: Labour, demography: xr.Dataset,
                   labour: xr.Dataset, economy: xr.Dataset, liabilities: bool = True) -> xr.Dataset:
    """The pension stage by ``pension.design``: defined_benefit (this module), points (the same
    kernel with the points' yield as accrual, ``points_as_benefit``), defined_contribution
    (``pension_dc.project_dc``), notional (``pension_ndc.project_ndc``)."""
    if pension.design == "defined_contribution":
        return project_dc(pension, labour_assumptions, demography, labour, economy)
    if pension.design == "notional":
        return project_ndc(pension, labour_assumptions, demography, labour, economy)
    if pension.design == "points":
        years = demography["year"].values
        ds = project_defined_benefit(points_as_benefit(pension, years[0]), labour_assumptions, demography,
                                     labour, economy, liabilities)
        ds.attrs["design"] = "points"
        ds.attrs["points_yield"] = points_as_benefit(pension, years[0]).accrual_rate
        return ds
    return project_defined_benefit(pension, labour_assumptions, demography, labour, economy, liabilities)


def points_as_benefit(pension: Pension, base_year: int) -> Pension:
    """A points scheme as the career-average design it equals: points bought each year =
    points_rate x earnings / purchase value, pension = points x point value, both values
    indexed to the average wage, so the pension per credited year is
    points_rate x point value / purchase value (the yield) x wage-revalued earnings;
    pensions in payment follow the point value (wage indexation)."""
    series = pension.contribution_rate
    series = series.base if isinstance(series, SplitSeries) else series  # a transition's: the scheme's own rate
    rate = float(series.at([base_year])[0])
    return dataclasses.replace(pension, accrual_rate=pension.points.accrual(rate),
                               reference_earnings="career_average", indexation_prices=0.0)


def project_defined_benefit(pension: Pension, labour_assumptions: Labour, demography: xr.Dataset,
                            labour: xr.Dataset, economy: xr.Dataset, liabilities: bool = True) -> xr.Dataset:
    years = demography["year"].values
    T, X = years.size, demography.sizes["age"]
    ages = demography["age"].values
    R = np.stack([s.at(years) for s in pension.pensionable_age], -1).astype(np.int64)
    x_lo, x_hi = labour_assumptions.first_age, int(R.max()) - 1
    C = x_hi - x_lo + 2

    # the kernel counts contributors below the pensionable age only (working pensioners do not count)
    K_a = with_scenario(labour.variables["contributors"], ("year", "sex", "age"))
    q = with_scenario(demography.variables["death_probability"], ("year", "sex", "age"))
    pop = with_scenario(demography.variables["population"], ("year", "sex", "age"))  # bounds survivors' pensioners
    aw = economy["average_wage"]
    level_a = wage_levels(labour_assumptions, aw, labour["employed"])
    scale = np.array(labour_assumptions.salary_scale)
    # the kernels' inputs as Variables (the same elementwise arithmetic, without the DataArrays' alignment)
    aw_v, ev = aw.variable, economy.variables
    ceiling = (pension.ceiling.at(years) * aw_v) if pension.ceiling is not None else aw_v * np.inf
    rate = xr.DataArray(pension.contribution_rate.at(years), dims="year", coords={"year": years})
    w_p = pension.indexation_prices
    idx = w_p * ev["inflation"] + (1 - w_p) * ev["nominal_wage_growth"]
    lump_rate = rate.variable if pension.lump_sum == "refund" else rate.variable * 0.0
    n_s = max(a.shape[0] for a in (K_a, q, level_a))
    par = np.array([pension.accrual_rate, pension.vesting_years, pension.invalidity_vesting,
                    pension.survivor_share, pension.spouse_age_difference, pension.reentry_rate,
                    pension.invalidity_mortality_factor,
                    np.inf if pension.maximum_pension is None else pension.maximum_pension, 0.0,
                    T if pension.freeze_year is None else pension.freeze_year - years[0],
                    1.0 if pension.convert_rights else 0.0,
                    0 if pension.credit_start_year is None else max(pension.credit_start_year - years[0], 0),
                    0 if pension.award_start_year is None else max(pension.award_start_year - years[0], 0)])
    # the valuation date's insured are the same in every scenario unless the base year differs
    same = bool(np.all(K_a[:, 0] == K_a[:1, 0]))
    if pension.initial_insured is None:
        A0 = initial_insured(K_a[:1, 0] if same else K_a[:, 0], x_lo, R[0], C, pension.initial_credit_share)
        I0 = A0 * pension.initial_inactive_ratio
    else:
        A0, I0 = insured_from_table(pension.initial_insured, C)
    N0 = np.array([by_sex_array(pension.initial_pensioners[k].counts) for k in BENEFIT_TYPES])[None]
    B0 = N0 * np.array([by_sex_array(pension.initial_pensioners[k].average_pension) for k in BENEFIT_TYPES])[None]
    dens = by_sex_array(labour_assumptions.density)
    ceiling_a = with_scenario(ceiling, ("year",))
    ref_scale = reference_scale(scale, C, pension.reference_earnings, pension.final_years)

    def scheme(closed: bool) -> dict:
        stocks = 1 if closed else T  # the closed group needs cash flows only
        out = dict(
            earnings=np.zeros((n_s, T)), wage_bill=np.zeros((n_s, T)), headcount=np.zeros((n_s, T, 2)),
            refund_base=np.zeros((n_s, T)), inactive=np.zeros((n_s, stocks, 2, X)),
            pens_n=np.zeros((n_s, stocks, 3, 2, X)), pens_total=np.zeros((n_s, T, 3, 2)),
            pens_b=np.zeros((n_s, T, 3, 2)),
            expend=np.zeros((n_s, T, 3, 2)), lumps=np.zeros((n_s, T, 2)),
            awards_n=np.zeros((n_s, T, 3, 2)), awards_b=np.zeros((n_s, T, 3, 2)),
            flows=np.zeros((n_s, T, 2, kern.N_FLOWS)), converted=np.zeros((n_s, 2, 2, X)))
        par[kern.CLOSED] = 1.0 if closed else 0.0
        kern.run_scheme(
            K_a, q, by_sex_array(pension.invalidity_incidence), dens, by_sex_array(pension.married),
            level_a, scale, ref_scale,
            ceiling_a, R, with_scenario(pension.minimum_pension * aw_v, ("year",)),
            with_scenario(idx, ("year",)), with_scenario(lump_rate, ("year",)), par,
            np.ascontiguousarray(A0), np.ascontiguousarray(I0), np.ascontiguousarray(N0),
            np.ascontiguousarray(B0), x_lo, x_hi, pop, *out.values())
        return out

    out = scheme(closed=False)
    coords = {"scenario": np.arange(n_s), "year": years, "sex": SEXES, "age": ages,
              "benefit_type": list(BENEFIT_TYPES), "flow": FLOW_NAMES}
    d4 = ("scenario", "year", "sex", "age")
    dt = ("scenario", "year", "benefit_type", "sex")
    new = {}

    def put(name, value, units, long_name):
        attrs = {"units": units, "long_name": long_name}
        new[name] = value.assign_attrs(attrs) if isinstance(value, xr.DataArray) else (*value, attrs)

    put("contributors", (("scenario", "year", "sex"), out["headcount"]), "persons",
        "active insured persons at 1 January, below the pensionable age (by age: /labour)")
    put("inactive_insured", (d4, out["inactive"]), "persons", "inactive insured persons at 1 January")
    put("pensioners", (("scenario", "year", "benefit_type", "sex", "age"), out["pens_n"]), "persons",
        "pensioners at 1 January (survivors: at most the unmarried population of their sex and age)")
    put("pensioners_total", (dt, out["pens_total"]), "persons", "pensioners at 1 January, all ages")
    put("pension_amounts", (dt, out["pens_b"]), "currency/year", "annual pensions in payment at 1 January")
    put("new_pensioners", (dt, out["awards_n"]), "persons/year", "pensions awarded during the year")
    put("new_pension_amounts", (dt, out["awards_b"]), "currency/year", "annual amount of pensions awarded")
    put("flows", (("scenario", "year", "sex", "flow"), out["flows"]), "persons/year",
        "movements of insured persons and pensioners during the year")
    put("pensionable_age", (("year", "sex"), R), "year", "pensionable age")
    put("average_insurable_wage", (("scenario", "year"), out["wage_bill"] / out["headcount"].sum(-1)),
        "currency/year", "average insurable wage of contributors")
    put("insurable_earnings", (("scenario", "year"), out["earnings"]),
        "currency/year", "insurable earnings (contribution base)")
    put("contribution_rate", rate, "1", "contribution rate")
    put("benefit_expenditure", (("scenario", "year", "benefit_type"), out["expend"].sum(3)), "currency/year",
        "pensions paid during the year by type")
    put("lump_sums", (("scenario", "year"), out["lumps"].sum(2)),
        "currency/year", "lump sums to insured reaching the pensionable age without vesting")
    refund = out["refund_base"] if pension.lump_sum == "refund" else 0 * out["refund_base"]
    put("refund_base", (("scenario", "year"), refund), "currency/year",
        "lump sums per unit of contribution rate (refunds scale with the rate)")
    if pension.convert_rights:  # the rights converted at the freeze year (project_transition)
        year = pension.freeze_year
        put("converted_insured", (("scenario", "sex", "age"), out["converted"][:, 0]), "persons",
            f"insured whose DB rights were converted on 1 January {year}")
        put("converted_accrued_pension", (("scenario", "sex", "age"), out["converted"][:, 1]), "currency/year",
            f"DB pensions accrued to 1 January {year} by the insured, converted (accrual x credits x reference "
            f"earnings at {year}'s wages; no vesting or minimum)")
    frame = Frame(new, coords)
    frame.update(finance_variables(frame, pension, economy))
    standard = standard_replacement_rates(pension, R, scale, ref_scale, level_a[0], with_scenario(aw, ("year",))[0],
                                          ceiling_a[0], x_lo)
    extra = {
        "standard_replacement_rate": (("year", "benefit_type"), standard, {
            "units": "1", "long_name": "pension of the ILO standard beneficiary (man; old age after 30 "
                                       "credited years, invalidity and survivors after 15 at age 45) / "
                                       "his previous earnings"}),
        **(_liability_variables(pension, economy, q, level_a, ref_scale, ceiling_a, R, A0, I0, N0, B0, idx, x_lo)
           if liabilities else {}),
        **valuation_variables(frame, pension, economy),
    }
    if pension.closed_group:
        closed = scheme(closed=True)
        benefits = closed["expend"].sum((2, 3)) + closed["lumps"].sum(2)
        extra.update(closed_group_variables(frame, closed["earnings"], benefits * (1 + pension.administrative_cost),
                                            pension, economy))
    frame.update(extra)
    ds = frame_dataset(frame, coords)
    ds.attrs["design"] = "defined_benefit"
    return ds


def _liability_variables(pension: Pension, economy: xr.Dataset, q, level_a, ref_scale, ceiling_a, R, A0, I0, N0,
                         B0, idx, x_lo) -> dict:
    """The accrued-to-date liability variables (``liability.accrued_liability`` at the
    base year's rates, per scenario's mortality); left out of stochastic chunks."""
    T = q.shape[1]
    first = lambda da: float(np.asarray(da.transpose(..., "year").values).reshape(-1, T)[0, 0])  # noqa: E731
    liab = accrued_liability(
        q, level_a[:, 0], ref_scale,
        ceiling_a[:, 0], R[0], A0, I0, N0, B0, pension.accrual_rate, pension.invalidity_mortality_factor,
        first(economy["discount_rate"]), first(economy["nominal_wage_growth"]), first(idx), x_lo,
        by_sex_array(pension.married), pension.survivor_share, pension.spouse_age_difference)
    in_payment = liab["in_payment"] + liab["pensioners_survivors"]
    accrued = liab["insured"] + liab["insured_survivors"]
    cur = {"units": "currency"}
    return {
        "accrued_liability_pensioners": ("scenario", in_payment, {
            **cur, "long_name": "accrued-to-date liability: pensions in payment and their contingent "
                                f"survivors' pensions ({LIABILITY_LABEL})"}),
        "accrued_liability_insured": ("scenario", accrued, {
            **cur, "long_name": "accrued-to-date liability: rights accrued by the insured, with "
                                f"contingent survivors' pensions ({LIABILITY_LABEL})"}),
        "accrued_liability_contingent_survivors": (
            "scenario", liab["pensioners_survivors"] + liab["insured_survivors"], {
                **cur, "long_name": "accrued-to-date liability: contingent survivors' pensions (reversionary "
                                    "annuities on the spouses of pensioners and insured; included above)"}),
        "accrued_liability": ("scenario", in_payment + accrued, {
            **cur, "long_name": f"accrued-to-date liability (implicit pension debt; {LIABILITY_LABEL})"}),
        "accrued_liability_gdp": ("scenario", (in_payment + accrued) / first(economy["gdp"]), {
            "units": "1", "long_name": "accrued-to-date liability / GDP of the base year"}),
    }
