"""A small stochastic results tree in the layout of the issue-16 result names
(fans ``<name>_percentile(year, percentile, ...)`` with an integer
``percentile``; a ``/stochastic`` node of headline distributions), for the
presentation tests (console, workbook, report).

``stochastic_tree(assumptions, scenarios)`` runs ``actuarial.run(assumptions,
scenarios=...)``. When the engine already writes the ``/stochastic`` node, that
tree is returned as it is. Otherwise (the engine before issue 16) the same
seeded scenarios are projected in one chunk (``pipeline.stages`` with their
draws), and the fans and the headline distributions are computed here from
those per-scenario results with ``numpy.percentile``; the tree's own fans
are replaced by them. The per-scenario headline values are returned too
(``scenario_values``), so that tests can check the displayed numbers against
an independent computation.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

import actuarial
from actuarial import pipeline

LEVELS = (5, 10, 25, 50, 75, 90, 95)

# node -> per-scenario paths summarised as fans (stoch_names.md)
FANS = {
    "demography": ("total_population", "old_age_dependency_ratio", "total_fertility_rate", "life_expectancy"),
    "economy": ("gdp_growth", "interest_rate", "inflation"),
    "pension": ("payg_cost_rate", "reserve_ratio", "expenditure_gdp"),
    "employment_injury": ("contribution_rate", "cost_rate", "expenditure_gdp"),
    "spf": ("package_cost_gdp",),
    "fiscal_space": ("debt_gdp_with_reform",),
}


def _fan(da: xr.DataArray, scenarios: int) -> xr.DataArray:
    """``numpy.percentile`` across ``scenario``, as (year, percentile, ...)."""
    other = [d for d in da.dims if d not in ("scenario", "year")]
    da = da.transpose("scenario", "year", *other)
    q = np.percentile(da.values, LEVELS, axis=0)  # (percentile, year, ...)
    q = np.moveaxis(q, 0, 1)
    coords = {d: da[d].values for d in ("year", *other) if d in da.coords}
    return xr.DataArray(q, dims=("year", "percentile", *other), coords={**coords, "percentile": list(LEVELS)},
                        attrs={"units": da.attrs.get("units", ""), "fan": "valuation",
                               "long_name": f"percentiles across {scenarios} scenarios: "
                                            f"{da.attrs.get('long_name', da.name)}"})


def _distribution(values: xr.DataArray, units: str, long_name: str, threshold, rule: str, past) -> dict:
    """H_percentile, H_mean, H_share_past of per-scenario values (scenario, ...)."""
    q = np.moveaxis(np.percentile(values.values, LEVELS, axis=0), 0, -1)
    other = [d for d in values.dims if d != "scenario"]
    coords = {d: values[d].values for d in other}
    pct = xr.DataArray(q, dims=(*other, "percentile"), coords={**coords, "percentile": list(LEVELS)},
                       attrs={"units": units, "long_name": f"percentiles across scenarios: {long_name}"})
    mean = values.mean("scenario").assign_attrs(units=units, long_name=f"mean across scenarios: {long_name}")
    share = past(values).mean("scenario").assign_attrs(
        units="1", long_name=f"share of scenarios past the threshold: {long_name}", threshold=threshold,
        threshold_rule=rule)
    return {"percentile": pct, "mean": mean, "share_past": share}


def _per_scenario(assumptions, tree: xr.DataTree, scenarios: int):
    """The scenarios' nodes (one chunk) and the debt with the reform in each."""
    draws = pipeline.scenario_draws(assumptions, 0, scenarios)
    nodes = pipeline.stages(assumptions, draws, totals_only=True)
    if "fiscal_space" in tree.children:
        nodes["/fiscal_space"] = pipeline.scenario_fiscal(tree["fiscal_space"].to_dataset(), nodes, draws)
    economy = nodes["/economy"]
    gdp = economy["gdp"].transpose("scenario", "year") if "scenario" in economy["gdp"].dims else \
        economy["gdp"].expand_dims(scenario=scenarios)
    growth = gdp / gdp.shift(year=1) - 1
    nodes["/economy"] = economy.assign(gdp_growth=growth.assign_attrs(
        units="1", long_name="nominal GDP growth (GDP / GDP of the year before - 1)"))
    return nodes


def headline_values(assumptions, tree: xr.DataTree, nodes: dict) -> dict[str, xr.DataArray]:
    """Per-scenario headline values (scenario, ...), from the scenarios' nodes."""
    p = nodes["/pension"]
    years = p["year"].values
    out = {
        "general_average_premium": p["general_average_premium"],
        # synthetic: the base-year contribution rate minus the GAP over each horizon
        "actuarial_balance": float(plain(tree["pension"]["contribution_rate"]).isel(year=0))
        - p["general_average_premium"],
        "steady_state_rate": p["steady_state_rate"],
        "depletion_year": p["depletion_year"],
    }
    if "/employment_injury" in nodes:
        out["injury_cost_rate"] = nodes["/employment_injury"]["cost_rate"].isel(year=-1, drop=True)
    if "/spf" in nodes:
        chosen = [int(y) for y in years[[10, 20]] if y in years]
        cost = nodes["/spf"]["package_cost_gdp"].sel(year=chosen)
        out["spf_package_cost_gdp"] = cost.rename(year="report_year")
    if "/fiscal_space" in nodes:
        out["debt_gdp_final"] = nodes["/fiscal_space"]["debt_gdp_with_reform"].isel(year=-1, drop=True)
    return {k: v.transpose("scenario", ...) for k, v in out.items()}


def stochastic_node(tree: xr.DataTree, values: dict, scenarios: int, seed) -> xr.Dataset:
    """The ``/stochastic`` node of stoch_names.md, from per-scenario values."""
    p = tree["pension"].to_dataset()
    rate0 = float(plain(p["contribution_rate"]).isel(year=0))
    specs = {  # name: (units, long_name, threshold, rule, past)
        "general_average_premium": ("1", "general average premium", rate0,
                                    "GAP above the legislated contribution rate in the base year",
                                    lambda v: v > rate0),
        "actuarial_balance": ("1", "actuarial balance", 0.0, "actuarial balance below 0 (a deficit)",
                              lambda v: v < 0),
        "steady_state_rate": ("1", "steady-state contribution rate", rate0,
                              "steady-state rate above the legislated contribution rate in the base year",
                              lambda v: v > rate0),
        "depletion_year": ("year", "year of reserve depletion (NaN: never within the horizon; a percentile "
                                   "falling among the never-depleted scenarios is NaN)", "within the horizon",
                           "reserve depleted within the horizon", lambda v: v.notnull()),
        "injury_cost_rate": ("1", "employment-injury cost rate in the final year", 0.02,
                             "cost rate above 2% of insurable payroll", lambda v: v > 0.02),
        "spf_package_cost_gdp": ("1", "SPF package cost / GDP", 0.05, "package cost above 5% of GDP",
                                 lambda v: v > 0.05),
        "debt_gdp_final": ("1", "debt with the reform / GDP in the final year", 0.7,
                           "debt above 70% of GDP", lambda v: v > 0.7),
    }
    data = {}
    for name, v in values.items():
        units, long_name, threshold, rule, past = specs[name]
        if name == "depletion_year":
            filled = v.fillna(np.inf)
            with np.errstate(invalid="ignore"):
                q = np.percentile(filled.values, LEVELS, axis=0)
            q = np.where(np.isfinite(q), q, np.nan)
            dist = _distribution(v.fillna(0), units, long_name, threshold, rule, past)
            dist["percentile"] = dist["percentile"].copy(data=q)
            dist["mean"] = v.mean("scenario").assign_attrs(units=units, long_name=f"mean of the depleted "
                                                                                  f"scenarios: {long_name}")
            dist["share_past"] = past(v).mean("scenario").assign_attrs(dist["share_past"].attrs)
        else:
            dist = _distribution(v, units, long_name, threshold, rule, past)
        for part, da in dist.items():
            data[f"{name}_{part}"] = da
    dep = values["depletion_year"].values
    years = tree["pension"]["year"].values
    data["depletion_never_share"] = xr.DataArray(np.isnan(dep).mean(), attrs={
        "units": "1", "long_name": "share of scenarios whose reserve is never depleted within the horizon"})
    data["depletion_probability"] = xr.DataArray(
        [(dep <= y).mean() for y in years], dims="year", coords={"year": years},
        attrs={"units": "1", "long_name": "share of scenarios whose reserve is depleted in or before the year"})
    ds = xr.Dataset(data)
    ds.attrs.update(scenarios=scenarios, seed=seed, percentiles=list(LEVELS), headlines=list(values))
    return ds


def plain(da: xr.DataArray) -> xr.DataArray:
    return da.isel(scenario=0, drop=True) if "scenario" in da.dims else da


def stochastic_tree(assumptions, scenarios: int = 20) -> tuple[xr.DataTree, dict]:
    """(tree, per-scenario headline values or None when the engine wrote the node)."""
    tree = actuarial.run(assumptions, scenarios=scenarios)
    if "stochastic" in tree.children:
        return tree, None
    nodes = _per_scenario(assumptions, tree, scenarios)
    data = {f"/{k}": tree[k].to_dataset() for k in tree.children}
    for node, names in FANS.items():
        if f"/{node}" not in data:
            continue
        ds = data[f"/{node}"]
        ds = ds.drop_vars([v for v in ds.data_vars if v.endswith("_percentile") and v != "debt_gdp_percentile"])
        if "percentile" in ds.dims and "debt_gdp_percentile" not in ds:
            ds = ds.drop_dims("percentile")
        fans = {f"{n}_percentile": _fan(nodes[f"/{node}"][n], scenarios) for n in names
                if n in nodes[f"/{node}"] and "scenario" in nodes[f"/{node}"][n].dims}
        if "debt_gdp_percentile" in ds:  # the fiscal stage's own fan: (year, percentile), integer levels
            own = ds["debt_gdp_percentile"].transpose("year", "percentile")
            own = own.assign_coords(percentile=own["percentile"].values.astype(int))
            ds = ds.drop_vars("debt_gdp_percentile").drop_dims("percentile", errors="ignore")
            fans["debt_gdp_percentile"] = own.assign_attrs(
                fan="macro_shock", long_name="macro-shock fan (fiscal_space.stochastic), not the valuation's "
                                             "scenarios: " + own.attrs.get("long_name", "debt / GDP"))
        data[f"/{node}"] = ds.assign(fans)
    values = headline_values(assumptions, tree, nodes)
    data["/stochastic"] = stochastic_node(tree, values, scenarios, tree.attrs.get("seed"))
    out = xr.DataTree.from_dict(data)
    out.attrs.update(tree.attrs)
    for name in out.children:
        out[name].attrs.update({k: v for k, v in tree.attrs.items() if k not in out[name].attrs})
    return out, values
