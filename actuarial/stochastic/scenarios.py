"""Stochastic valuations: seeded scenarios projected chunk by chunk, in this
process or as tasks on a dask cluster, and what is kept of them.

A chunk is scenarios first .. first + count - 1: their draws
(``actuarial.stochastic.generators``, scenario k from its own stream), the
stages on those draws (``actuarial.stages.stages``, the engine's own metric
functions vectorised over ``scenario``) and, when the case has a fiscal
space, each scenario's debt with the central plan kept. Of each chunk only
its *summaries* are kept: the ``SUMMARIES`` paths (scenario, year, ...) and
the per-scenario headline results (``actuarial.stochastic.headlines``);
the full scenario Datasets are dropped as soon as the chunk is done, so
memory is bounded by a chunk (``stochastic.chunk``) and the summaries.
The numbers do not depend on the chunking nor on the workers, bit for bit.

``run_scenarios`` runs the chunks here or, given a ``distributed.Client``,
one task a chunk on its cluster; with a ``ScenarioStore``
(``--keep-scenarios``) each chunk's summaries are written to a Zarr store
as the chunk ends. ``fans`` turns the summaries into the percentile
variables of each node.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import xarray as xr

from actuarial.arrays import scenario_years, single_threaded
from actuarial.assumptions.model import Assumptions
from actuarial.demography.inputs import demographic_inputs
from actuarial.stages import fiscal_costs, stages
from actuarial.stochastic.generators import draw
from actuarial.stochastic.headlines import HEADLINES, scenario_headlines
from actuarial.stochastic.percentiles import levels, percentile_along
from fiscal_space.debt import scenario_debt

RETRIES = 1  # a chunk's task is retried once after an exception (transient errors)

# paths summarised across scenarios: node -> variables (by scenario and year)
SUMMARIES = {
    "demography": ("total_population", "old_age_dependency_ratio", "total_fertility_rate", "life_expectancy"),
    "economy": ("gdp_growth", "interest_rate", "inflation"),
    "pension": ("payg_cost_rate", "reserve_ratio", "expenditure_gdp", "state_top_up_gdp"),  # the last: DC
    "employment_injury": ("contribution_rate", "cost_rate", "expenditure_gdp"),
    "spf": ("package_cost_gdp",),
    "fiscal_space": ("debt_gdp_with_reform",),
}
# a summary named otherwise than the stage's variable it reads: (node, summary) -> variable
SOURCES = {("economy", "gdp_growth"): "real_gdp_growth"}
FAN_LABEL = "percentiles across {n} scenarios: {name}"


def scenario_draws(assumptions: Assumptions, first: int, count: int) -> dict:
    """The stochastic deviations of scenarios first .. first + count - 1."""
    tfr = None
    if assumptions.stochastic.fertility is not None:
        tfr = demographic_inputs(assumptions.demography, assumptions.case.years)["asfr"].sum("age").values
    return draw(assumptions.stochastic, len(assumptions.case.years), first, count, tfr)


def scenario_fiscal(central: xr.Dataset, nodes: dict, draws: dict) -> xr.Dataset:
    """Debt with the reform in each scenario (``fiscal_space.debt.scenario_debt``)."""
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


def for_scenarios(assumptions: Assumptions) -> Assumptions:
    """The assumptions as a chunk projects them: the closed-group valuation
    (not among the summaries) switched off."""
    if assumptions.pension is not None and assumptions.pension.closed_group:
        return dataclasses.replace(assumptions, pension=dataclasses.replace(assumptions.pension,
                                                                            closed_group=False))
    return assumptions


def chunk_nodes(assumptions: Assumptions, first: int, count: int, central: xr.Dataset | None,
                totals_only: bool = True) -> dict[str, xr.Dataset]:
    """Every stage of scenarios first .. first + count - 1 (node path ->
    Dataset on ``scenario``), with ``/fiscal_space`` the scenarios' debt
    when ``central`` (the deterministic fiscal node) is given."""
    ids = np.arange(first, first + count)
    return {path: ds.assign_coords(scenario=ids) if "scenario" in ds.dims else ds
            for path, ds in _chunk_stages(assumptions, first, count, central, totals_only).items()}


def _chunk_stages(assumptions: Assumptions, first: int, count: int, central: xr.Dataset | None,
                  totals_only: bool = True) -> dict[str, xr.Dataset]:
    """``chunk_nodes`` with the chunk's scenarios numbered 0 .. count - 1 (the stages' own numbering)."""
    draws = scenario_draws(assumptions, first, count)
    nodes = stages(assumptions, draws, totals_only=totals_only, first=first)
    if central is not None:
        nodes["/fiscal_space"] = scenario_fiscal(central, nodes, draws)
    return nodes


def summarise(assumptions: Assumptions, nodes: dict[str, xr.Dataset]) -> dict[str, dict[str, xr.DataArray]]:
    """A chunk's summaries: node -> name -> DataArray on ``scenario``: the
    ``SUMMARIES`` paths and, under ``"stochastic"``, the headline results."""
    part: dict = {}
    for path, ds in nodes.items():
        node = path.strip("/")
        for name in SUMMARIES.get(node, ()):
            source = SOURCES.get((node, name), name)
            if source in ds and "scenario" in ds[source].dims:
                da = ds[source]
                if source != name:
                    da = da.rename(name)
                part.setdefault(node, {})[name] = da.transpose("scenario", "year", ...)
    part["stochastic"] = scenario_headlines(assumptions, nodes)
    return part


def run_chunk(assumptions: Assumptions, first: int, count: int, central: xr.Dataset | None) -> dict:
    """The summaries of one chunk (``summarise`` of ``chunk_nodes``)."""
    return concat_summaries([_chunk_summaries(assumptions, first, count, central)],
                            np.arange(first, first + count))


def _chunk_summaries(assumptions: Assumptions, first: int, count: int, central: xr.Dataset | None) -> dict:
    """``run_chunk`` with the scenarios numbered 0 .. count - 1: a run numbers them
    when it joins the chunks (``concat_summaries``), not on every stage's Dataset."""
    return summarise(assumptions, _chunk_stages(assumptions, first, count, central))


def _chunk_task(assumptions: Assumptions, first: int, count: int, central) -> dict:
    """A chunk as a dask task: on one thread (the cluster's parallelism is across chunks)."""
    with single_threaded():
        return _chunk_summaries(assumptions, first, count, central)


WARM_SCENARIOS = 2  # a warm-up chunk: several scenarios, so that it loads the several-scenario kernels


def warm_workers(client, assumptions: Assumptions) -> None:
    """Each worker of ``client`` computes a chunk of ``WARM_SCENARIOS`` scenarios
    of ``assumptions`` and drops it: it loads the kernels a chunk uses from
    numba's cache (about 0.7 s CPU a worker) while the client computes the
    deterministic path, instead of at the start of its first chunk (issue 17:
    the workers otherwise idle meanwhile). Not awaited; changes no number (the
    draws of a scenario are its own stream's)."""
    from distributed import fire_and_forget

    assumptions = for_scenarios(assumptions)
    for address in client.scheduler_info()["workers"]:
        fire_and_forget(client.submit(_warm_chunk, assumptions, workers=[address], allow_other_workers=False,
                                      pure=False, key=f"warm-scenarios-{assumptions.digest}-{address}"))


def _warm_chunk(assumptions: Assumptions) -> None:
    """A warm-up chunk (``warm_workers``), without the debt step (it needs the deterministic path)."""
    _chunk_task(assumptions, 0, WARM_SCENARIOS, None)


def chunk_starts(first: int, scenarios: int, chunk: int) -> list[tuple[int, int]]:
    """(first scenario, count) of each chunk."""
    return [(s, min(chunk, first + scenarios - s)) for s in range(first, first + scenarios, chunk)]


def run_scenarios(assumptions: Assumptions, scenarios: int, first: int = 0, chunk: int | None = None,
                  progress=None, central: xr.Dataset | None = None, client=None,
                  store=None) -> dict[str, dict[str, xr.DataArray]]:
    """The summaries of scenarios first .. first + scenarios - 1, projected
    ``chunk`` scenarios at a time (memory): node -> name -> DataArray with a
    ``scenario`` dim, in scenario order (``"stochastic"``: the per-scenario
    headline results). With a dask ``client``, one task a chunk on its
    cluster, a chunk at most an equal share of its worker threads (without
    ``store``); chunking and workers do not change the numbers. ``central`` is
    the deterministic path's fiscal-space node (computed when not given);
    ``store`` (a ``ScenarioStore``) receives each chunk's summaries as the
    chunk ends; ``progress(count)`` is called after each chunk."""
    chunk = chunk or assumptions.stochastic.chunk
    if client is not None and store is None:  # every worker thread a chunk: 200 scenarios as 100 + 100, not 125 + 75
        chunk = min(chunk, -(-scenarios // client_threads(client)))
    if central is None:
        central = central_fiscal(assumptions)
    assumptions = for_scenarios(assumptions)
    starts = chunk_starts(first, scenarios, chunk)
    parts: dict[int, dict] = {}

    def done(start: int, count: int, part: dict) -> None:
        parts[start] = part
        if store is not None:
            store.write(start, part)
        if progress is not None:
            progress(count)

    if client is None:
        for start, count in starts:
            done(start, count, _chunk_summaries(assumptions, start, count, central))
    else:
        from distributed import as_completed  # the optional cluster: imported when one is given

        futures = {client.submit(_chunk_task, assumptions, start, count, central,
                                 key=f"scenarios-{assumptions.digest}-{start}-{count}", pure=False,
                                 retries=RETRIES): (start, count) for start, count in starts}
        for future in as_completed(list(futures), loop=client.loop):
            start, count = futures[future]
            done(start, count, future.result())
            future.release()
    if store is not None:
        store.close()
    return concat_summaries([parts[start] for start, _ in starts], np.arange(first, first + scenarios))


def run_scenarios_on(client, assumptions: Assumptions, scenarios: int, chunk: int | None = None,
                     progress=None, central=None, store=None) -> dict:
    """``run_scenarios`` on a dask cluster, one task a chunk (the same numbers, bit for bit)."""
    return run_scenarios(assumptions, scenarios, chunk=chunk, progress=progress, central=central,
                         client=client, store=store)


def concat_summaries(chunks: list[dict], scenario: np.ndarray) -> dict[str, dict[str, xr.DataArray]]:
    """Chunks' summaries (node -> name -> DataArray), in scenario order, joined
    on ``scenario`` and numbered ``scenario`` (the chunks' own numbers are ignored)."""
    out: dict = {}
    for part in chunks:
        for node, names in part.items():
            for name, da in names.items():
                out.setdefault(node, {}).setdefault(name, []).append(da)
    return {node: {name: _join(das, scenario) for name, das in names.items()} for node, names in out.items()}


def _join(das: list[xr.DataArray], scenario: np.ndarray) -> xr.DataArray:
    """``xr.concat(das, "scenario")`` of DataArrays that differ only along
    ``scenario`` (a run's chunks: the same dims, coordinates, name and attrs)
    with the scenario coordinate ``scenario``: one ``numpy.concatenate`` of
    their values (the same DataArray without xarray's alignment of the other
    coordinates chunk by chunk, and without renumbering each chunk first)."""
    head = das[0]
    axis = head.dims.index("scenario")
    coords = {}
    for key, c in head.coords.items():
        if key == "scenario":
            coords[key] = xr.Variable(("scenario",), scenario, c.attrs)
        elif "scenario" in c.dims:
            coords[key] = xr.Variable(c.dims, np.concatenate([d.coords[key].values for d in das],
                                                             axis=c.dims.index("scenario")), c.attrs)
        else:
            coords[key] = c.variable
    values = head.values if len(das) == 1 else np.concatenate([d.values for d in das], axis=axis)
    return xr.DataArray(values, dims=head.dims, coords=coords, attrs=head.attrs, name=head.name)


def fan(da: xr.DataArray, percentiles) -> xr.DataArray:
    """``name_percentile`` (year, percentile, ...) of a summarised path
    across its scenarios: ``numpy.percentile`` over ``scenario``."""
    da = da.transpose("scenario", "year", ...)
    q = percentile_along(da.values, percentiles, axis=0)  # (percentile, year, ...)
    q = np.swapaxes(q, 0, 1)
    dims = ("year", "percentile", *da.dims[2:])
    coords = {d: da[d].values for d in dims if d in da.coords}
    coords["percentile"] = ("percentile", levels(percentiles), {"units": "percent", "long_name": "percentile"})
    return xr.DataArray(q, dims=dims, coords=coords, attrs={
        "units": da.attrs.get("units", ""), "fan": "valuation",
        "long_name": FAN_LABEL.format(n=da.sizes["scenario"], name=da.attrs.get("long_name", da.name))})


def fans(paths: dict, percentiles) -> dict[str, dict[str, xr.DataArray]]:
    """``name_percentile`` of every summarised path: node -> name -> DataArray
    (the headline results, under ``"stochastic"``, are left to ``headlines``)."""
    return {node: {f"{name}_percentile": fan(da, percentiles) for name, da in names.items()}
            for node, names in paths.items() if node != "stochastic"}


def client_threads(client) -> int:
    """Chunks a dask ``client`` holds in memory at once (its workers' threads); 1 without one."""
    if client is None:
        return 1
    try:
        return max(sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()), 1)
    except Exception:  # an unusual client: count one chunk
        return 1


__all__ = ["HEADLINES", "SUMMARIES", "central_fiscal", "chunk_nodes", "client_threads", "concat_summaries",
           "fans", "run_chunk", "run_scenarios", "run_scenarios_on", "scenario_draws", "scenario_fiscal",
           "warm_workers"]
