"""Runs the stages an assumption set asks for, in order, into one DataTree.

The stages themselves are in ``actuarial.stages``; a stochastic run's
scenarios (in this process or on a dask client) in
``actuarial.stochastic.scenarios``, the distributions of their headline
results in ``actuarial.stochastic.headlines``.
"""

from __future__ import annotations

import dataclasses
import hashlib

import xarray as xr

from actuarial.assumptions.model import Assumptions
from actuarial.checks import check_memory
from actuarial.errors import AssumptionError
from actuarial.stages import fiscal_costs, run_demography, stages  # noqa: F401 (the stages' API, here too)
from actuarial.stochastic.headlines import distributions
from actuarial.stochastic.percentiles import levels
from actuarial.version import __version__
from actuarial.stochastic.scenarios import (SUMMARIES, client_threads, fans, run_scenarios,  # noqa: F401
                                            scenario_draws)
from fiscal_space.stochastic import scenario_threshold_probability


def with_seed(assumptions: Assumptions, seed: int) -> Assumptions:
    """``assumptions`` with the ``stochastic`` section's seed replaced (``--seed``):
    the parsed tree shows it and the digest changes with it, so two seeds
    never share a results hash nor a cache key."""
    st = assumptions.stochastic
    if st is None or st.seed == seed:
        return assumptions
    parsed = dict(assumptions.parsed or {})  # the workbook's assumptions sheet shows the seed the run used
    parsed["stochastic"] = {**parsed.get("stochastic", {}), "seed": seed}
    digest = hashlib.sha256(f"{assumptions.digest} stochastic.seed={seed}".encode()).hexdigest()[:16]
    return dataclasses.replace(assumptions, stochastic=dataclasses.replace(st, seed=seed), parsed=parsed,
                               digest=digest)


def run(assumptions: Assumptions, scenarios: int | None = None, progress=None, client=None,
        keep_scenarios=None) -> xr.DataTree:
    """Project every stage present in ``assumptions``; returns the results tree.

    With ``scenarios`` (and a ``stochastic`` section), each node also gets
    the fans (``name_percentile``, year, percentile, ...) of its
    ``SUMMARIES`` paths across that many seeded scenarios, beside the
    deterministic path, and a ``/stochastic`` node the distributions of the
    headline results; with a dask ``client`` the scenarios run on its
    cluster, a chunk a task (the same numbers). ``keep_scenarios``: a path
    where the per-scenario summaries are written as a Zarr store, chunk by
    chunk (``actuarial.stochastic.store``)."""
    if scenarios and assumptions.stochastic is not None:  # before any projection
        check_memory(assumptions.source, assumptions.stochastic.chunk, scenarios, len(assumptions.case.years),
                     workers=client_threads(client))
    if keep_scenarios is not None:
        from actuarial.stochastic.store import require_zarr  # zarr: an optional dependency

        require_zarr(assumptions.source)
    nodes = stages(assumptions)
    attrs = {"engine_version": __version__, "assumptions_hash": assumptions.digest,
             "case": assumptions.case.name, "country": assumptions.case.country,
             "currency": assumptions.case.currency, "source": str(assumptions.source)}
    if scenarios:
        if assumptions.stochastic is None:
            raise AssumptionError(assumptions.source, "stochastic",
                                  "required key is missing (a stochastic run needs the scenario generators)")
        st = assumptions.stochastic
        attrs.update(scenarios=scenarios, seed=st.seed)
        nodes.update(_stochastic(assumptions, nodes, scenarios, progress, client, keep_scenarios, attrs))
    for ds in nodes.values():
        ds.attrs.update(attrs)
    tree = xr.DataTree.from_dict(nodes)
    tree.attrs.update(attrs)
    found = [w for ds in nodes.values() for w in ds.attrs.get("plausibility_warnings", [])]
    if found:  # every stage's, each once (each node keeps its own)
        tree.attrs["plausibility_warnings"] = list(dict.fromkeys(found))
    return tree


def _stochastic(assumptions: Assumptions, nodes: dict, scenarios: int, progress, client, keep,
                attrs: dict) -> dict[str, xr.Dataset]:
    """The nodes a stochastic run changes or adds: each node with its fans,
    ``/stochastic`` with the headline distributions."""
    st = assumptions.stochastic
    store = None
    if keep is not None:
        from actuarial.stochastic.store import ScenarioStore

        store = ScenarioStore(keep, scenarios, st.chunk, {**attrs, "percentiles": levels(st.percentiles).tolist()})
    central = nodes.get("/fiscal_space")  # the deterministic path, computed once
    paths = run_scenarios(assumptions, scenarios, progress=progress, central=central, client=client,
                          store=store)
    out = {}
    for node, variables in fans(paths, st.percentiles).items():
        out[f"/{node}"] = nodes[f"/{node}"].assign(variables)
    if "fiscal_space" in paths:
        out["/fiscal_space"] = out["/fiscal_space"].assign(scenario_threshold_probability(
            out["/fiscal_space"], paths["fiscal_space"]["debt_gdp_with_reform"]))
    if paths.get("stochastic"):
        node = distributions(paths["stochastic"], st.percentiles, nodes, assumptions)
        node.attrs.update(scenarios=scenarios, seed=st.seed)
        out["/stochastic"] = node
    return out


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
