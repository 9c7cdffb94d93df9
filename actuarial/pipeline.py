"""Runs the stages an assumption set asks for, in order, into one DataTree."""

from __future__ import annotations

import dataclasses
import json
import warnings

import numpy as np
import xarray as xr

from actuarial.arrays import scenario_years
from actuarial.assumptions.model import Assumptions
from actuarial.checks import check_memory, check_stage
from actuarial.errors import AssumptionError
from actuarial.demography.inputs import demographic_inputs
from actuarial.demography.projection import NegativePopulationWarning, project_population
from actuarial.projection.economy import project_economy
from actuarial.projection.employment_injury import project_injury
from actuarial.projection.labour import project_labour
from actuarial.projection.pension import project_pension
from actuarial.projection.spf import project_spf


# percentiles of a stochastic run: node -> variables (by scenario and year)
SUMMARIES = {
    "demography": ("total_population", "old_age_dependency_ratio", "total_fertility_rate"),
    "economy": ("gdp", "interest_rate", "inflation"),
    "pension": ("payg_cost_rate", "reserve_ratio", "expenditure_gdp"),
    "employment_injury": ("contribution_rate", "cost_rate", "expenditure_gdp"),
    "spf": ("package_cost_gdp",),
    "fiscal_space": ("debt_gdp_with_reform",),
}


def run_demography(assumptions: Assumptions, draws: dict | None = None) -> xr.Dataset:
    """The population projection; ``draws`` (stochastic runs) scale m_x and the
    age-specific fertility rates by scenario."""
    demo = assumptions.demography
    inputs = demographic_inputs(demo, assumptions.case.years)
    if draws and "mortality_factor" in draws:
        inputs["mx"] = inputs["mx"] * xr.DataArray(draws["mortality_factor"],
                                                   dims=("scenario", "year", "sex", "age"))
    if draws and "asfr_factor" in draws:
        asfr = inputs["asfr"].values[None] * draws["asfr_factor"][..., None]  # contiguous: sums as unperturbed
        inputs["asfr"] = xr.DataArray(asfr, dims=("scenario", "year", "age"), coords=inputs["asfr"].coords)
    ds = project_population(
        **inputs, migration_timing=demo.migration.timing, migration_rule=demo.migration.rule,
        working_ages=demo.working_ages, old_age=demo.old_age, open_group=demo.open_age_group)
    if demo.beyond_data:
        ds.attrs["beyond_data"] = demo.beyond_data  # past the UN tables' last year (demography.beyond_data)
    ds["total_fertility_rate"] = inputs["asfr"].sum("age").transpose(..., "year").assign_attrs(
        units="births/woman", long_name="total fertility rate")
    return ds


def fiscal_costs(nodes: dict) -> xr.Dataset:
    """The fiscal stage's input: ``cost_gdp(scenario, year, item)``, the costs
    the state bears: the SPF package (``spf``) and the pension scheme's
    deficit after the depletion of its reserve (``pension_subsidy``, the
    pension node's ``deficit_after_depletion_gdp``)."""
    economy = nodes["/economy"]
    n = max(ds.sizes.get("scenario", 1) for ds in nodes.values())
    gdp = scenario_years(economy["gdp"], n)
    items = {}
    if "/spf" in nodes:
        items["spf"] = scenario_years(nodes["/spf"]["package_cost_gdp"], n)
    if "/pension" in nodes:
        items["pension_subsidy"] = scenario_years(nodes["/pension"]["deficit_after_depletion"], n) / gdp
    years = economy["year"].values
    if not items:
        items["none"] = np.zeros((n, years.size))
    return xr.Dataset({"cost_gdp": (("scenario", "year", "item"), np.stack(list(items.values()), -1), {
        "units": "1", "long_name": "costs the state bears / GDP"})},
        coords={"scenario": np.arange(n), "year": years, "item": list(items)})


def stages(assumptions: Assumptions, draws: dict | None = None, totals_only: bool = False,
           first: int = 0) -> dict[str, xr.Dataset]:
    """Every stage present in ``assumptions``, in order: node path -> Dataset
    (fiscal space only for the central path: its plan is one decision).
    ``totals_only`` pools the injury scheme's pensioners across sectors (the
    same totals to rounding, no risk-class rates): for scenario summaries.
    Each stage's results pass ``actuarial.checks.check_stage`` before the
    next stage reads them (``first``: the number of the draws' first
    scenario, for its messages); the central path's plausibility warnings
    go in the node's ``attrs["plausibility_warnings"]``."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # the checks report what these would
        return _stages(assumptions, draws, totals_only, first)


def _stages(assumptions: Assumptions, draws: dict | None, totals_only: bool, first: int) -> dict[str, xr.Dataset]:
    nodes: dict[str, xr.Dataset] = {}

    def checked(path: str, ds: xr.Dataset) -> xr.Dataset:
        found = check_stage(path, ds, assumptions.source, first)
        if found and draws is None:
            ds.attrs["plausibility_warnings"] = found
        return ds

    def add(path: str, ds: xr.Dataset) -> xr.Dataset:
        nodes[path] = checked(path, ds)
        return ds

    with warnings.catch_warnings():  # a negative population is the stage check's error, next line
        warnings.simplefilter("ignore", NegativePopulationWarning)
        projected = run_demography(assumptions, draws)
    demography = add("/demography", projected)
    if assumptions.economy is not None:
        labour = None
        if assumptions.labour is not None:
            labour = checked("/labour", project_labour(assumptions.labour, demography["population"]))
        employed = labour["employed"].sum(("sex", "age"), skipna=False) if labour is not None else None
        economy = add("/economy", project_economy(assumptions.economy, assumptions.case.years, employed,
                                                  (draws or {}).get("economy")))
        if labour is not None:
            nodes["/labour"] = labour  # checked before the economy read it
        if assumptions.pension is not None:
            add("/pension", project_pension(assumptions.pension, assumptions.labour, demography, labour, economy))
        if assumptions.employment_injury is not None:
            add("/employment_injury", project_injury(assumptions.employment_injury, assumptions.labour,
                                                     demography, labour, economy, by_sector=not totals_only))
        if assumptions.spf is not None:
            add("/spf", project_spf(assumptions.spf, demography, economy, labour, nodes.get("/pension"),
                                    nodes.get("/employment_injury")))
        if assumptions.fiscal_space is not None and draws is None:
            from fiscal_space import run_fiscal_space

            add("/fiscal_space", run_fiscal_space(assumptions.fiscal_space, fiscal_costs(nodes), economy))
    return nodes


def scenario_draws(assumptions: Assumptions, first: int, count: int) -> dict:
    """The stochastic deviations of scenarios first .. first + count - 1."""
    from actuarial.stochastic.generators import draw

    tfr = None
    if assumptions.stochastic.fertility is not None:
        tfr = demographic_inputs(assumptions.demography, assumptions.case.years)["asfr"].sum("age").values
    return draw(assumptions.stochastic, len(assumptions.case.years), first, count, tfr)


def scenario_fiscal(central: xr.Dataset, nodes: dict, draws: dict) -> xr.Dataset:
    """Debt with the reform in each scenario (``fiscal_space.debt.scenario_debt``)."""
    from fiscal_space.debt import scenario_debt

    costs = fiscal_costs(nodes)
    n = costs.sizes["scenario"]
    gdp = scenario_years(nodes["/economy"]["gdp"], n)
    growth = np.empty_like(gdp)
    growth[:, 1:] = gdp[:, 1:] / gdp[:, :-1] - 1
    growth[:, 0] = central["nominal_gdp_growth"].values[0]  # no deviation in the base year
    shift = draws.get("economy", {}).get("interest_rate", 0.0)
    debt = scenario_debt(central, costs["cost_gdp"].values, growth, shift)
    return xr.Dataset({"debt_gdp_with_reform": (("scenario", "year"), debt, {
        "units": "1", "long_name": "gross public debt with the reform (full cost: what the plan does not "
                                   "finance is borrowed) on 1 January / GDP of the year before (the central "
                                   "financing plan kept)"})},
        coords={"scenario": np.arange(n), "year": central["year"].values})


def central_fiscal(assumptions: Assumptions) -> xr.Dataset | None:
    """The fiscal-space node of the deterministic path (None without the section)."""
    return stages(assumptions).get("/fiscal_space") if assumptions.fiscal_space is not None else None


def run_scenarios(assumptions: Assumptions, scenarios: int, first: int = 0, chunk: int | None = None,
                  progress=None, central: xr.Dataset | None = None) -> dict[str, dict[str, xr.DataArray]]:
    """The ``SUMMARIES`` variables of scenarios first .. first + scenarios - 1,
    projected ``chunk`` scenarios at a time (memory): node -> name -> DataArray
    with a ``scenario`` dim. Chunking does not change the numbers. ``central``
    is the deterministic path's fiscal-space node (computed when not given)."""
    chunk = chunk or assumptions.stochastic.chunk
    if central is None:
        central = central_fiscal(assumptions)
    if assumptions.pension is not None and assumptions.pension.closed_group:  # not among the summaries
        assumptions = dataclasses.replace(assumptions, pension=dataclasses.replace(
            assumptions.pension, closed_group=False))
    chunks = []
    for start in range(first, first + scenarios, chunk):
        count = min(chunk, first + scenarios - start)
        draws = scenario_draws(assumptions, start, count)
        nodes = stages(assumptions, draws, totals_only=True, first=start)
        if central is not None:
            nodes["/fiscal_space"] = scenario_fiscal(central, nodes, draws)
        part: dict = {}
        for path, ds in nodes.items():
            node = path.strip("/")
            for name in SUMMARIES.get(node, ()):
                if name in ds and "scenario" in ds[name].dims:
                    part.setdefault(node, {})[name] = ds[name].assign_coords(scenario=np.arange(start, start + count))
        chunks.append(part)
        if progress is not None:
            progress(count)
    return concat_summaries(chunks)


def concat_summaries(chunks: list[dict]) -> dict[str, dict[str, xr.DataArray]]:
    """Chunks' summaries (node -> name -> DataArray), in scenario order, joined on ``scenario``."""
    out: dict = {}
    for part in chunks:
        for node, names in part.items():
            for name, da in names.items():
                out.setdefault(node, {}).setdefault(name, []).append(da)
    return {node: {name: xr.concat(das, "scenario") for name, das in names.items()} for node, names in out.items()}


def percentiles(paths: dict, levels) -> dict[str, dict[str, xr.DataArray]]:
    """``name_percentile`` (percentile, year, ...) of every path, across scenarios."""
    out: dict = {}
    for node, names in paths.items():
        for name, da in names.items():
            with warnings.catch_warnings():  # years with no value (e.g. a first-year ratio) stay NaN
                warnings.simplefilter("ignore", RuntimeWarning)
                q = da.quantile(np.asarray(levels) / 100.0, dim="scenario")
            q = q.rename(quantile="percentile").assign_coords(percentile=list(levels))
            out.setdefault(node, {})[f"{name}_percentile"] = q.transpose("percentile", "year", ...).assign_attrs(
                units=da.attrs.get("units", ""),
                long_name=f"percentiles across {da.sizes['scenario']} scenarios: {da.attrs.get('long_name', name)}")
    return out


def run(assumptions: Assumptions, scenarios: int | None = None, progress=None, client=None) -> xr.DataTree:
    """Project every stage present in ``assumptions``; returns the results tree.

    With ``scenarios`` (and a ``stochastic`` section), each node also gets
    the percentiles of its ``SUMMARIES`` variables across that many seeded
    scenarios, beside the deterministic path; with a dask ``client`` the
    scenarios run on its cluster, a chunk a task (the same numbers)."""
    from actuarial import __version__

    if scenarios and assumptions.stochastic is not None:  # before any projection
        check_memory(assumptions.source, assumptions.stochastic.chunk, scenarios, len(assumptions.case.years),
                     workers=_workers(client))
    nodes = stages(assumptions)
    attrs = {"engine_version": __version__, "assumptions_hash": assumptions.digest,
             "case": assumptions.case.name, "country": assumptions.case.country,
             "currency": assumptions.case.currency, "source": str(assumptions.source)}
    if assumptions.sources:  # {key path: source} of values written {value: ..., source: ...}
        attrs["sources"] = json.dumps(assumptions.sources)
    if scenarios:
        if assumptions.stochastic is None:
            raise AssumptionError(assumptions.source, "stochastic",
                                  "required key is missing (a stochastic run needs the scenario generators)")
        st = assumptions.stochastic
        central = nodes.get("/fiscal_space")  # the deterministic path, computed once
        if client is not None:
            from actuarial.batch import run_scenarios_on

            paths = run_scenarios_on(client, assumptions, scenarios, progress=progress, central=central)
        else:
            paths = run_scenarios(assumptions, scenarios, progress=progress, central=central)
        for node, variables in percentiles(paths, st.percentiles).items():
            nodes[f"/{node}"] = nodes[f"/{node}"].assign(variables)
        if "fiscal_space" in paths:
            from fiscal_space.stochastic import scenario_threshold_probability

            nodes["/fiscal_space"] = nodes["/fiscal_space"].assign(scenario_threshold_probability(
                nodes["/fiscal_space"], paths["fiscal_space"]["debt_gdp_with_reform"]))
        attrs.update(scenarios=scenarios, seed=st.seed)
    for ds in nodes.values():
        ds.attrs.update(attrs)
    tree = xr.DataTree.from_dict(nodes)
    tree.attrs.update(attrs)
    found = [w for ds in nodes.values() for w in ds.attrs.get("plausibility_warnings", [])]
    if found:  # every stage's, each once (each node keeps its own)
        tree.attrs["plausibility_warnings"] = list(dict.fromkeys(found))
    return tree


def _workers(client) -> int:
    """Chunks a dask ``client`` holds in memory at once (its workers' threads); 1 without one."""
    if client is None:
        return 1
    try:
        return max(sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()), 1)
    except Exception:  # an unusual client: count one chunk
        return 1


def side_by_side(trees: dict[str, xr.DataTree], node: str = "pension", variables=None) -> xr.Dataset:
    """One node of several runs (e.g. base and reform) on a new ``case`` dimension.

    ``trees`` maps a case label to a results tree; ``variables`` picks data
    variables (default: all those the runs share). Years must overlap; the
    result keeps the common years.
    """
    sets = [trees[k][node].to_dataset() for k in trees]
    names = variables or sorted(set.intersection(*(set(d.data_vars) for d in sets)))
    years = sorted(set.intersection(*(set(d["year"].values.tolist()) for d in sets)))
    if not years:
        raise ValueError("the runs have no year in common")
    return xr.concat([d[names].sel(year=years) for d in sets], dim="case", coords="minimal",
                     compat="override").assign_coords(case=list(trees))
