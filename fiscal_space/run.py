"""The fiscal-space stage: cost Dataset (+ economy Dataset) -> fiscal_space Dataset.

Steps: macro-fiscal baseline (:mod:`~fiscal_space.baseline`), financing gap
(:mod:`~fiscal_space.gap`), option capacities (:mod:`~fiscal_space.options`),
least-cost plan (:mod:`~fiscal_space.plan`), debt without and with the reform
(:mod:`~fiscal_space.debt`) and, when asked, a stochastic fan chart of the
debt with the reform (:mod:`~fiscal_space.stochastic`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import xarray as xr

from actuarial.arrays import coordinates, dataset
from actuarial.errors import AssumptionError
from actuarial.version import __version__
from fiscal_space import debt as dd
from fiscal_space.assumptions import FiscalAssumptions, check_years
from fiscal_space.baseline import Macro, macro_baseline
from fiscal_space.decomposition import COMPONENT_LABELS, COMPONENTS, decompose
from fiscal_space.financing_needs import structure_path
from fiscal_space.gap import baseline_spending, financing_gap, prepare_costs
from fiscal_space.options import Context, capacity, reserve_stock_gdp
from fiscal_space.plan import financing_plan
from fiscal_space.stochastic import PERCENTILES, fan, probabilities, simulate_debt
from fiscal_space.stress_tests import stress_variables
from fiscal_space.sustainability_gaps import sustainability_gap_part

REFORMS = ("without", "with", "scaled_back")
REFORM_LABELS = {"without": "without the reform",
                 "with": "with the reform, full cost (what the plan does not finance is borrowed)",
                 "scaled_back": "with the reform scaled back to what the plan finances"}


_RATE_NOTE = {False: "", True: " (from the debt's structure, fiscal_space.debt_profile, on the path without "
                              "the reform; effective_interest_rate by reform)"}


def _attrs(units: str, long_name: str, **extra) -> dict:
    return {"units": units, "long_name": long_name, **extra}


def one_year_headroom(headroom: np.ndarray, propagation: np.ndarray) -> np.ndarray:
    """Most that debt options could finance in year u alone without debt passing
    the threshold later: min over t >= u of max(headroom(t), 0) / K[t, u]."""
    k = np.where(propagation > 0, propagation, np.nan)
    ratio = np.maximum(headroom, 0.0)[:, None] / k  # [t, u]
    return np.nanmin(ratio, axis=0)


def _costs_input(fa: FiscalAssumptions, costs: xr.Dataset | None):
    if costs is not None:
        return costs, None, ""
    if fa.costs is None:
        raise fa.error("costs", "required key is missing (no cost Dataset was passed: give "
                                "costs: {file: costs.csv})")
    return fa.costs, fa.costs.attrs.get("source_file"), "fiscal_space.costs.file"


def run_fiscal_space(fiscal_assumptions: FiscalAssumptions, costs: xr.Dataset | None = None,
                     economy: xr.Dataset | None = None, percentiles=PERCENTILES) -> xr.Dataset:
    """Financing gap, options, plan and debt dynamics as one Dataset.

    ``percentiles``: the levels of the stage's own macro-shock fan
    (``debt_gdp_percentile``); a valuation passes its ``stochastic.percentiles``
    so that every node has the same ``percentile`` coordinate.

    ``costs``: see :mod:`fiscal_space.gap` for the layout (default: the
    ``fiscal_space.costs`` file). ``economy``: the economy stage's Dataset
    (``gdp``, ``interest_rate``, ``inflation``, ``real_gdp_growth`` on
    ``year``), or None to take GDP from the fiscal baseline.
    """
    fa = fiscal_assumptions
    years = fa.years
    T = years.size
    macro = macro_baseline(fa, economy)
    profile = fa.debt_profile
    rated = profile is not None and profile.rated
    if rated:  # the plan's propagation and headroom: the effective rate of the path without the reform
        macro = replace(macro, interest_rate=_structure(macro, macro.primary_balance_gdp,
                                                        macro.stock_flow_adjustment_gdp, profile).effective_rate)
    costs, source, key = _costs_input(fa, costs)
    gdp = macro.gdp
    if gdp is None and "gdp" in costs:
        gdp = prepare_gdp(costs, years, source, key)
    cost_gdp = prepare_costs(costs, years, gdp, source, key)
    items = cost_gdp["item"].values.tolist()
    for item in fa.package_baseline:
        if item not in items:
            raise fa.error(f"package_baseline_gdp.{item}", f"no such item in the cost input; items: "
                                                           f"{', '.join(map(str, items))}")
    spent = baseline_spending(fa.package_baseline, items, years)
    gap = financing_gap(cost_gdp.values, spent)

    # debt without the reform, and with it when no debt option is used
    f = macro.debt_factor()
    pb0 = macro.primary_balance_gdp
    sfa = macro.stock_flow_adjustment_gdp
    k = dd.propagation(f)
    threshold = fa.debt.threshold_gdp
    headroom = one_year = None
    if threshold is not None:
        d_ref = dd.debt_path(macro.debt0, f, pb0 + np.maximum(-gap, 0.0), sfa, extra_step=True)
        headroom = threshold - d_ref[1:]
        one_year = one_year_headroom(headroom, k)

    # options and plan
    ctx = Context(years, macro.gdp_index, costs, one_year, gdp)
    for o in fa.options:
        if o.method == "from_costs":
            name = o.settings["variable"]
            if name not in costs:
                raise fa.error(f"options.{o.name}.from_costs", f"the cost input has no variable {name!r}")
            da = costs[name]
            if set(da.dims) - {"scenario"} != {"year"} or da.sizes.get("scenario", 1) != 1:
                raise AssumptionError(source or "<cost Dataset>", name, f"expected dimensions (year,); got {da.dims}")
            check_years(da["year"].values, years, source or "<cost Dataset>", name)
            values = da.sel(year=years).values.reshape(-1)
            if not np.isfinite(values).all():
                raise AssumptionError(source or "<cost Dataset>", name, f"missing or non-finite value in year "
                                                                        f"{years[~np.isfinite(values)][0]}")
        if o.method == "reserves" and "stock" in o.settings and gdp is None:
            raise fa.error(f"options.{o.name}.stock", "a stock in currency needs GDP (baseline.gdp or an "
                                                      "economy Dataset); or give stock_gdp")
    cap = np.column_stack([capacity(o, ctx) for o in fa.options]) if fa.options else np.zeros((T, 0))
    kinds = [o.kind for o in fa.options]
    stock = [(j, macro.gdp_index, reserve_stock_gdp(o.settings, ctx))
             for j, o in enumerate(fa.options) if o.method == "reserves"]
    try:
        plan = financing_plan(gap, cap, [o.cost for o in fa.options], kinds, stock=stock,
                              propagation=k, headroom=headroom)
    except RuntimeError as exc:  # the solver gave up (e.g. GDP collapsing): a clean error, not a traceback
        i = int(np.argmin(macro.nominal_growth))
        inputs = ("economy.inflation and economy.real_gdp_growth" if economy is not None
                  else "fiscal_space.baseline (inflation, real_gdp_growth, interest_rate)")
        raise AssumptionError(fa.source, "fiscal_space", (
            f"the financing plan cannot be solved ({exc}); nominal GDP growth falls to "
            f"{macro.nominal_growth[i]:.1%} in {int(years[i])}: check {inputs}")) from None
    x = plan.financing
    by_kind = {kd: x[:, [j for j, o in enumerate(kinds) if o == kd]].sum(axis=1) for kd in ("balance", "debt", "asset")}

    # without, with the full cost (the shortfall borrowed), and scaled back (the shortfall not spent)
    pb_with = pb0 - gap + by_kind["balance"]
    pb = np.stack([pb0, pb_with, pb_with + plan.shortfall])
    sfa_r = np.stack([sfa, sfa - by_kind["asset"], sfa - by_kind["asset"]])
    shifts = np.asarray(fa.debt.r_g_shifts, float)
    paths = None if profile is None else _structure(macro, pb, sfa_r, profile)
    if rated:  # the effective rate of each path from the debt's structure (year-by-year recursion)
        rate = paths.effective_rate
        f = (1 + rate) * (1 + macro.foreign_currency_share * macro.depreciation) / (1 + macro.nominal_growth)
        debt_next = paths.debt
        debt = debt_next[..., :-1]
        sens = _structure(macro, pb, sfa_r, profile, shifts[:, None, None]).debt[..., :-1]
    else:
        rate = np.broadcast_to(macro.interest_rate, pb.shape)
        f = np.broadcast_to(f, pb.shape)
        debt_next = dd.debt_path(macro.debt0, f, pb, sfa_r, extra_step=True)
        debt = debt_next[..., :-1]  # the same recursion: d(t) for the stage's years
        # (shift, reform, year): one recursion for all shifts (elementwise: the same numbers as one path at a time)
        factors = np.stack([macro.debt_factor(s) for s in shifts]).reshape(shifts.size, 1, -1)
        sens = dd.debt_path(macro.debt0, factors, pb, sfa_r)
    stabilising = dd.stabilising_primary_balance(debt, f, sfa_r)
    periods = fa.debt.target_year - int(years[0])
    fgap = dd.fiscal_gap(macro.debt0, f, pb, sfa_r, fa.debt.target_gdp, periods)  # (reform,)
    interest = rate * debt / (1 + macro.nominal_growth)
    g, pi = macro.real_and_deflator
    parts = decompose(debt_next, rate, g, pi, macro.foreign_currency_share, macro.depreciation, pb, sfa_r)
    extra_coords, extra = {}, _dsa_variables(parts, paths, interest, pb, sfa_r, gdp, rated)
    if fa.stress_tests is not None:  # IMF MAC DSA stress tests and heat map (fiscal_space.stress_tests)
        s_coords, s_vars = stress_variables(fa.stress_tests, macro, pb, sfa_r, profile)
        extra_coords.update(s_coords)
        extra.update(s_vars)
    fan_part = ({}, {}) if fa.stochastic is None else _fan(
        fa, replace(macro, interest_rate=rate[1]) if rated else macro, pb_with, sfa_r[1], percentiles)
    gaps_part = ({}, {}) if fa.sustainability_gaps is None else sustainability_gap_part(
        years, fa.sustainability_gaps, f, debt, pb, costs, cost_gdp, REFORMS)
    return _dataset(fa, macro, gdp, cost_gdp, spent, gap, cap, plan, pb, debt, stabilising, fgap, shifts, sens,
                    interest, (extra_coords, extra), fan_part, gaps_part)


def _structure(macro: Macro, pb, sfa, profile, rate_shift=0.0):
    """The paths of :func:`~fiscal_space.financing_needs.structure_path` on the macro baseline."""
    return structure_path(macro.debt0, macro.nominal_growth, macro.foreign_currency_share, macro.depreciation,
                          pb, sfa, profile, rate=None if profile.rated else macro.interest_rate,
                          rate_shift=rate_shift)


def _dsa_variables(parts, paths, interest, pb, sfa, gdp, rated) -> dict:
    """The decomposition of the debt change (always) and, with a debt profile, the amortisation and
    the gross financing needs GFN = interest + amortisation - pb + sfa (IMF 2013 MAC DSA guidance
    note; :mod:`fiscal_space.financing_needs`) and, with its rates, the effective rate by reform."""
    ry = ("year", "reform")
    v = {"debt_change_contribution": (("year", "reform", "component"), parts.transpose(1, 0, 2), _attrs(
        "1", "contribution to the change in gross public debt / GDP during the year, d(t+1) - d(t), "
             "by debt-creating flow (IMF MAC DSA template; the components sum to the change)"))}
    if paths is None:
        return v
    amort = paths.amortisation_gdp
    gfn = interest + amort - pb + sfa
    v["amortisation_gdp"] = (ry, amort.T, _attrs("1", "amortisation of maturing public debt / GDP (debt profile)"))
    v["gross_financing_needs_gdp"] = (ry, gfn.T, _attrs(
        "1", "gross financing needs / GDP: interest + amortisation - primary balance + stock-flow adjustment "
             "(IMF MAC DSA)"))
    if gdp is not None:
        v["gross_financing_needs"] = (ry, (gfn * gdp).T, _attrs("currency/year", "gross financing needs"))
    if rated:
        v["effective_interest_rate"] = (ry, paths.effective_rate.T, _attrs(
            "1/year", "effective nominal interest rate = interest paid / debt on 1 January, from the debt's "
                      "structure (existing debt at its rate, new borrowing at the marginal rates)"))
        v["risk_premium"] = (ry, paths.risk_premium.T, _attrs(
            "1/year", "risk premium on the marginal rates from debt above the threshold (debt on 1 January)"))
    return v


def prepare_gdp(costs: xr.Dataset, years, source, key) -> np.ndarray:
    da = costs["gdp"]
    if "scenario" in da.dims:
        da = da.isel(scenario=0, drop=True)
    check_years(da["year"].values, years, source or "<cost Dataset>", "gdp")
    return da.sel(year=years).values.astype(float)


def _dataset(fa, macro: Macro, gdp, cost_gdp, spent, gap, cap, plan, pb, debt, stabilising, fgap, shifts,
             sens, interest, dsa_part=({}, {}), fan_part=({}, {}), gaps_part=({}, {})) -> xr.Dataset:
    """The stage's Dataset, built on its coordinates without xarray's alignment
    (``actuarial.arrays.dataset``; the same Dataset as the constructor's);
    ``dsa_part``: the (coordinates, variables) of ``_dsa_variables`` and the
    stress tests; ``fan_part``: the fan's, from ``_fan``; ``gaps_part``: the
    sustainability gaps' (``sustainability_gap_part``), last."""
    yr, yo, ry = ("year",), ("year", "option"), ("year", "reform")
    names = [o.name for o in fa.options]
    rated = fa.debt_profile is not None and fa.debt_profile.rated
    v = {
        "nominal_gdp_growth": (yr, macro.nominal_growth, _attrs("1/year", "nominal GDP growth into the year")),
        "interest_rate": (yr, macro.interest_rate, _attrs("1/year", "effective nominal interest rate on public debt"
                                                          + _RATE_NOTE[rated])),
        "revenue_gdp": (yr, macro.revenue_gdp, _attrs("1", "general government revenue and grants / GDP (baseline)")),
        "primary_expenditure_gdp": (yr, macro.primary_expenditure_gdp,
                                    _attrs("1", "primary (non-interest) expenditure / GDP (baseline)")),
        "cost_gdp": (("year", "item"), cost_gdp.values, _attrs("1", "cost of the item / GDP")),
        "package_baseline_gdp": (("year", "item"), spent, _attrs("1", "spending on the item today (baseline) / GDP")),
        "financing_gap_gdp": (yr, gap, _attrs("1", "financing gap: package cost minus baseline spending / GDP")),
        "capacity": (yo, cap, _attrs("1", "usable capacity of the financing option (after ramp-up) / GDP")),
        "financing": (yo, plan.financing, _attrs("1", "financing from the option in the plan / GDP")),
        "option_cost": (("option",), np.array([o.cost for o in fa.options], float),
                        _attrs("1", "relative cost (priority) of a unit of financing")),
        "shortfall_gdp": (yr, plan.shortfall, _attrs("1", "financing gap left unfinanced by the plan / GDP")),
        "primary_balance_gdp": (ry, pb.T, _attrs("1", "primary balance / GDP")),
        "interest_payments_gdp": (ry, interest.T, _attrs("1", "interest paid on public debt / GDP")),
        "overall_balance_gdp": (ry, (pb - interest).T, _attrs("1", "overall fiscal balance / GDP")),
        "debt_gdp": (ry, debt.T, _attrs("1", "gross public debt on 1 January / GDP of the year before")),
        "debt_stabilising_primary_balance": (ry, stabilising.T, _attrs(
            "1", "primary balance / GDP that keeps the debt ratio constant")),
        "fiscal_gap": (("reform",), fgap, _attrs(
            "1", "permanent change of the primary balance / GDP bringing debt to the target"
                 + (" (each path's effective interest rates from the debt's structure held fixed)" if rated else ""),
            target_gdp=fa.debt.target_gdp, target_year=fa.debt.target_year)),
        "debt_gdp_r_g_sensitivity": (("year", "reform", "r_g_shift"), sens.transpose(2, 1, 0), _attrs(
            "1", "gross public debt / GDP with r - g shifted (plan unchanged)"
                 + ("; the shift added to the existing and marginal rates of the debt profile" if rated else ""))),
    }
    dsa_coords, dsa_vars = dsa_part
    v.update(dsa_vars)
    if gdp is not None:
        v["gdp"] = (yr, gdp, _attrs("currency/year", "nominal gross domestic product"))
        v["financing_gap"] = (yr, gap * gdp, _attrs("currency/year", "financing gap"))
        v["financing_amount"] = (yo, plan.financing * gdp[:, None],
                                 _attrs("currency/year", "financing from the option in the plan"))
        v["shortfall"] = (yr, plan.shortfall * gdp, _attrs("currency/year", "financing gap left unfinanced"))
    coords = {
        "year": ("year", fa.years, _attrs("year", "calendar year")),
        "option": ("option", np.array(names, dtype=object), _attrs("", "financing option")),
        "option_kind": ("option", np.array([o.kind for o in fa.options], dtype=object),
                        _attrs("", "effect on the accounts: balance, debt or asset")),
        "item": ("item", np.array(cost_gdp["item"].values.tolist(), dtype=object), _attrs("", "item of the package")),
        "reform": ("reform", np.array(REFORMS, dtype=object), _attrs(
            "", "; ".join(f"{k}: {v}" for k, v in REFORM_LABELS.items()))),
        "r_g_shift": ("r_g_shift", shifts, _attrs("1", "change of r - g (added to the interest rate)")),
        "component": ("component", np.array(COMPONENTS, dtype=object), _attrs(
            "", "; ".join(f"{k}: {v}" for k, v in COMPONENT_LABELS.items()))),
    }
    if fa.debt.threshold_gdp is not None:
        v["debt_above_threshold"] = (ry, debt.T > fa.debt.threshold_gdp, _attrs(
            "1", "debt / GDP above the threshold (the ceiling is reported, never honoured by cutting spending)",
            threshold_gdp=fa.debt.threshold_gdp))
    unfinanced = fa.years[plan.shortfall > 1e-12]
    attrs = {"engine_version": __version__, "assumptions_hash": fa.digest, "case": fa.case.name,
             "country": fa.case.country, "currency": fa.case.currency,
             "initial_debt_gdp": macro.debt0, "plan_message": plan.message,
             "unfinanced_years": unfinanced.astype(np.int64)}
    if fa.debt.threshold_gdp is not None:
        attrs["debt_threshold_gdp"] = fa.debt.threshold_gdp
    fan_coords, fan_vars = fan_part
    v.update(fan_vars)
    coords.update({**fan_coords, **dsa_coords})
    gaps_coords, gaps_vars = gaps_part
    v.update(gaps_vars)
    coords.update(gaps_coords)
    return dataset({k: (d, np.asarray(a), at) for k, (d, a, at) in v.items()}, coordinates(coords), attrs)


def _fan(fa: FiscalAssumptions, macro: Macro, pb_with, sfa_with, percentiles=PERCENTILES) -> tuple[dict, dict]:
    """The macro-shock fan of the debt with the reform: its ``percentile``
    coordinate and its two variables, as ``_dataset``'s (dims, values, attrs)."""
    s = fa.stochastic
    n = s.years
    paths = simulate_debt(macro.debt0, macro.interest_rate[:n], macro.nominal_growth[:n], pb_with[:n], s.seed,
                          s.paths, foreign_currency_share=macro.foreign_currency_share[:n],
                          depreciation=macro.depreciation[:n], sfa=sfa_with[:n], covariance=s.covariance,
                          history=s.history, var=s.var)
    levels = np.asarray(percentiles)
    levels = levels.astype(np.int64) if np.all(levels == np.round(levels)) else levels
    pct, prob = fan(paths, s.threshold_gdp, levels)
    T = fa.years.size
    pct_full = np.full((T, levels.size), np.nan)
    pct_full[:n] = pct.T
    prob_full = np.full(T, np.nan)
    prob_full[:n] = prob
    coords = {"percentile": ("percentile", levels, _attrs("percent", "percentile"))}
    variables = {
        "debt_gdp_percentile": (("year", "percentile"), pct_full, _attrs(
            "1", f"macro-shock fan (fiscal_space.stochastic), not the valuation's scenarios: percentiles across "
                 f"{s.paths} paths of gross public debt / GDP with the reform (full cost), macro shocks around the "
                 f"central costs", paths=s.paths, seed=s.seed, method=s.method, fan="macro_shock")),
        "debt_above_threshold_probability": (("year",), prob_full, _attrs(
            "1", "probability that debt / GDP with the reform (full cost) exceeds the threshold, over the fiscal "
                 "stage's own stochastic paths", threshold_gdp=s.threshold_gdp, based_on="fiscal_paths")),
        **_criteria(paths, s, int(fa.years[0]))}
    return coords, variables


def _criteria(paths, s, base_year: int) -> dict:
    """The fan's probabilistic criteria (fiscal_space.stochastic.probabilities)."""
    declining, below = probabilities(paths, s.threshold_gdp, s.declining_years)
    last = base_year + s.years - 1
    common = dict(units="1", paths=s.paths, seed=s.seed, method=s.method, based_on="fiscal_paths")
    return {"debt_declining_probability": ((), declining, dict(common, long_name=(
                f"probability that debt / GDP with the reform (full cost) is lower on 1 January "
                f"{base_year + s.declining_years} than on 1 January {base_year} (the Commission's criterion), over "
                f"the fiscal stage's own {s.paths} paths"), years=s.declining_years)),
            "debt_below_threshold_probability": ((), below, dict(common, long_name=(
                f"probability that debt / GDP with the reform (full cost) stays below {s.threshold_gdp:.0%} "
                f"every year {base_year}-{last}, over the fiscal stage's own {s.paths} paths"),
                threshold_gdp=s.threshold_gdp))}
