"""Distributions of the headline results of a stochastic valuation.

Each scenario's headline results are read from its chunk's stages, which
compute them with the engine's own metric functions vectorised over
``scenario`` (``actuarial.projection.pension_metrics``: GAP, actuarial
balance, steady-state rate; the pension projection's depletion year; the
injury scheme's cost rates; the SPF package cost; the debt with the central
financing plan kept), so a scenario's headline is the one a deterministic
valuation on that scenario's drawn paths reports. Across the scenarios each
is reported as percentiles, mean and the share of scenarios past a
threshold, as the US Social Security Trustees' stochastic appendix and the
Chief Actuary of Canada's uncertainty analysis report the distribution of
their headline results (the /stochastic node).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from actuarial.stochastic.percentiles import levels as percentile_levels
from actuarial.stochastic.percentiles import percentile_along

# display order
HEADLINES = ("general_average_premium", "actuarial_balance", "steady_state_rate", "depletion_year",
             "injury_cost_rate", "spf_package_cost_gdp", "debt_gdp_final")
SPF_STEP = 10  # SPF report years without spf.report_years: every 10th year from the base year, and the last


def spf_report_years(assumptions) -> list[int]:
    """The years of ``spf_package_cost_gdp``: ``spf.report_years`` within the
    projection, else every ``SPF_STEP``-th year from the base year and the final year."""
    years = [int(y) for y in assumptions.case.years]
    chosen = [y for y in getattr(assumptions.spf, "report_years", ()) if y in years]
    return chosen or sorted(set(years[::SPF_STEP]) | {years[-1]})


def _on(da: xr.DataArray, ids: xr.DataArray) -> xr.DataArray:
    """``da`` with a ``scenario`` dim first (broadcast when the draws left it alone)."""
    if "scenario" not in da.dims:
        da = da.expand_dims(scenario=ids.values)
    return da.transpose("scenario", ...)


def scenario_headlines(assumptions, nodes: dict[str, xr.Dataset]) -> dict[str, xr.DataArray]:
    """The headline results of each scenario of a chunk (``nodes``: node path
    -> Dataset on ``scenario``): name -> DataArray (scenario, ...)."""
    first = next(ds for ds in nodes.values() if "scenario" in ds.dims)
    ids = first["scenario"]
    out: dict[str, xr.DataArray] = {}
    p = nodes.get("/pension")
    if p is not None and "general_average_premium" in p:  # a defined-benefit or points design
        for name in ("general_average_premium", "steady_state_rate", "depletion_year"):
            out[name] = _on(p[name], ids)
        out["actuarial_balance"] = _on(p["actuarial_balance_by_horizon"], ids).rename("actuarial_balance")
    e = nodes.get("/employment_injury")
    if e is not None:
        t = min(int(e.attrs["gap_horizon"]), e.sizes["year"]) - 1
        year = int(e["year"].values[t])
        rates = e["cost_rate"].isel(year=t, drop=True)
        out["injury_cost_rate"] = _on(rates, ids).assign_attrs(
            units="1", long_name=f"employment injury cost rate in {year} (the last year of the GAP horizon) "
                                 "by financing method, share of insurable payroll")
    s = nodes.get("/spf")
    if s is not None:
        years = spf_report_years(assumptions)
        rule = ("spf.report_years" if any(y in years for y in getattr(assumptions.spf, "report_years", ()))
                else f"every {SPF_STEP}th year from the base year and the final year")
        cost = s["package_cost_gdp"].sel(year=years).rename(year="report_year")
        out["spf_package_cost_gdp"] = _on(cost, ids).assign_attrs(
            units="1", long_name=f"SPF package cost / GDP in the report years ({rule})")
    f = nodes.get("/fiscal_space")
    if f is not None and "debt_gdp_with_reform" in f and "scenario" in f.dims:
        debt = f["debt_gdp_with_reform"]
        out["debt_gdp_final"] = debt.isel(year=-1, drop=True).assign_attrs(
            units="1", long_name=f"gross public debt / GDP with the reform in {int(debt['year'][-1])} "
                                 "(full cost, the central financing plan kept)")
    return out


def _percentiles(values: np.ndarray, levels) -> np.ndarray:
    """``numpy.percentile`` over axis 0, the levels last."""
    return np.moveaxis(percentile_along(values, levels, axis=0), 0, -1)


def depletion_percentiles(years: np.ndarray, levels, last_year: int) -> np.ndarray:
    """Percentiles of the depletion year with "never" (NaN) above every year:
    numpy's linear percentile of the years with never as a year far past the
    projection; NaN where the percentile falls among (or next to) the never
    scenarios, i.e. is not a year of the projection."""
    never = float(last_year) + 1e9
    q = _percentiles(np.where(np.isnan(years), never, years), levels)
    return np.where(q <= last_year, q, np.nan)


def _central(nodes: dict, path: str, name: str) -> float:
    """The deterministic path's ``name`` in the base year."""
    return float(np.ravel(nodes[path][name].isel(year=0).values)[0])


def _threshold(name: str, central: dict, assumptions, years) -> tuple[object, str, np.ndarray]:
    """(threshold, rule, which scenarios are past it as a function of the values)."""
    last = int(years[-1])
    if name in ("general_average_premium", "steady_state_rate"):
        rate = _central(central, "/pension", "contribution_rate")
        what = "GAP" if name == "general_average_premium" else "steady-state rate"
        return rate, f"{what} above the legislated contribution rate in the base year ({rate:.2%})", \
            lambda v: v > rate
    if name == "actuarial_balance":
        return 0.0, "actuarial balance below 0 (a deficit over the valuation period)", lambda v: v < 0
    if name == "depletion_year":
        return last, f"reserve depleted in or before {last} (within the projection)", lambda v: v <= last
    if name == "injury_cost_rate":
        rate = _central(central, "/employment_injury", "contribution_rate")
        return rate, (f"cost rate above the scheme's contribution rate in the base year ({rate:.2%}, "
                      f"deterministic, {assumptions.employment_injury.financing_method})"), lambda v: v > rate
    if name == "spf_package_cost_gdp":
        det = central["/spf"]["package_cost_gdp"]
        det = np.ravel(det.isel(scenario=0).values if "scenario" in det.dims else det.values)
        index = {int(y): i for i, y in enumerate(central["/spf"]["year"].values)}
        ref = np.array([det[index[y]] for y in spf_report_years(assumptions)])
        return "the deterministic path's cost of the year", \
            "package cost above the deterministic projection's in the same year", lambda v: v > ref
    fiscal = assumptions.fiscal_space.debt
    if fiscal.threshold_gdp is not None:
        limit, key = fiscal.threshold_gdp, "fiscal_space.debt.threshold_gdp"
    else:
        limit, key = fiscal.target_gdp, "fiscal_space.debt.target_gdp"
    return limit, f"debt / GDP with the reform above {limit:.0%} ({key}) in {last}", lambda v: v > limit


def distributions(headlines: dict[str, xr.DataArray], percentiles, central: dict[str, xr.Dataset],
                  assumptions) -> xr.Dataset:
    """The /stochastic node: for each headline H, ``H_percentile(..., percentile)``,
    ``H_mean(...)`` and ``H_share_past(...)``; ``depletion_probability(year)``
    and ``depletion_never_share`` with the depletion year. ``central``: the
    deterministic nodes (the thresholds)."""
    years = assumptions.case.years
    lv = percentile_levels(percentiles)
    v: dict = {}
    present = [h for h in HEADLINES if h in headlines]
    for name in present:
        da = headlines[name].transpose("scenario", ...)
        n = da.sizes["scenario"]
        dims = da.dims[1:]
        values = da.values
        units, label = da.attrs.get("units", ""), da.attrs.get("long_name", name)
        threshold, rule, past = _threshold(name, central, assumptions, years)
        if name == "depletion_year":
            q = depletion_percentiles(values, percentiles, int(years[-1]))
            depleted = ~np.isnan(values)
            mean = np.nanmean(values) if depleted.any() else np.nan
            share = depleted.mean(0)
            v[f"{name}_percentile"] = (("percentile",), q, {
                "units": "year", "long_name": f"percentiles across {n} scenarios of the first year at whose end "
                                              "the reserve is exhausted (NaN: the percentile falls among the "
                                              "scenarios never depleted within the projection)"})
            v[f"{name}_mean"] = ((), mean, {"units": "year", "long_name": "mean depletion year of the scenarios "
                                                                          "depleted within the projection"})
            v["depletion_never_share"] = ((), float((~depleted).mean()), {
                "units": "1", "long_name": f"share of the {n} scenarios whose reserve is never depleted within "
                                           "the projection"})
            by_year = np.array([(values <= y).mean() for y in years])
            v["depletion_probability"] = (("year",), by_year, {
                "units": "1", "long_name": f"probability that the reserve is depleted in or before the year "
                                           f"(share of {n} scenarios)"})
        else:
            q = _percentiles(values, percentiles)
            mean = values.mean(0)
            share = past(values).mean(0)
            v[f"{name}_percentile"] = ((*dims, "percentile"), q, {
                "units": units, "long_name": f"percentiles across {n} scenarios: {label}"})
            v[f"{name}_mean"] = (dims, mean, {"units": units, "long_name": f"mean across {n} scenarios: {label}"})
        v[f"{name}_share_past"] = (dims, share, {
            "units": "1", "long_name": f"share of the {n} scenarios past the threshold: {rule}",
            "threshold": threshold, "threshold_rule": rule})
    coords = {"percentile": ("percentile", lv, {"units": "percent", "long_name": "percentile"}),
              "year": np.asarray(years)}
    for name in present:
        for dim in headlines[name].dims:
            if dim != "scenario" and dim in headlines[name].coords:
                coords[dim] = headlines[name][dim].values
    ds = xr.Dataset(v, coords=coords)
    if "depletion_probability" not in ds:
        ds = ds.drop_vars("year")
    ds.attrs.update(headlines=present, percentiles=lv)
    return ds
