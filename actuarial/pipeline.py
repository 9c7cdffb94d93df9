"""Runs the stages an assumption set asks for, in order, into one DataTree.

The stages themselves are in ``actuarial.stages``; a stochastic run's
scenarios (in this process or on a dask client) in
``actuarial.stochastic.scenarios``, the distributions of their headline
results in ``actuarial.stochastic.headlines``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

import xarray as xr

from actuarial.assumptions.model import Assumptions
from actuarial.checks import check_memory
from actuarial.errors import AssumptionError
from actuarial.provenance import display_path
from actuarial.stages import fiscal_costs, run_demography, stages  # noqa: F401 (the stages' API, here too)
from actuarial.stochastic.headlines import distributions
from actuarial.stochastic.percentiles import levels
from actuarial.stochastic.scenarios import (SUMMARIES, client_threads, fans, run_scenarios,  # noqa: F401
                                            scenario_draws, warm_workers)
from actuarial.stochastic.store import ScenarioStore, require_zarr
from actuarial.version import __version__
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
        require_zarr(assumptions.source)  # zarr: an optional dependency
    if scenarios and assumptions.stochastic is not None and client is not None:
        warm_workers(client, assumptions)  # their kernels loaded while this process computes the path
    nodes = stages(assumptions)
    attrs = {"engine_version": __version__, "assumptions_hash": assumptions.digest,
             "case": assumptions.case.name, "country": assumptions.case.country,
             "currency": assumptions.case.currency,
             "source": display_path(assumptions.source)}  # relative to the working directory
    if assumptions.sources:  # {key path: source} of values written {value: ..., source: ...}
        attrs["sources"] = json.dumps(assumptions.sources)
    if scenarios:
        if assumptions.stochastic is None:
            raise AssumptionError(assumptions.source, "stochastic",
                                  "required key is missing (a stochastic run needs the scenario generators)")
        st = assumptions.stochastic
        attrs.update(scenarios=scenarios, seed=st.seed)
        nodes.update(_stochastic(assumptions, nodes, scenarios, progress, client, keep_scenarios, attrs))
    for ds in nodes.values():
        ds.attrs.update(attrs)
    tree = _tree(nodes)
    tree.attrs.update(attrs)
    found = [w for ds in nodes.values() for w in ds.attrs.get("plausibility_warnings", [])]
    if found:  # every stage's, each once (each node keeps its own)
        tree.attrs["plausibility_warnings"] = list(dict.fromkeys(found))
    return tree


def _tree(nodes: dict[str, xr.Dataset]) -> xr.DataTree:
    """The results tree of the nodes ``{"/name": Dataset}``: the same tree as
    ``xr.DataTree.from_dict(nodes)``, built by giving an empty root its
    children at once (``DataTree.children``), which copies each Dataset once
    instead of twice (from_dict copies a node again when it inserts it):
    about half the time of from_dict (issue 17). Deeper paths: from_dict."""
    names = [path.strip("/") for path in nodes]
    if any("/" in name or not name for name in names):
        return xr.DataTree.from_dict(nodes)
    root = xr.DataTree()
    root.children = {name: xr.DataTree(ds) for name, ds in zip(names, nodes.values())}
    return root


def _stochastic(assumptions: Assumptions, nodes: dict, scenarios: int, progress, client, keep,
                attrs: dict) -> dict[str, xr.Dataset]:
    """The nodes a stochastic run changes or adds: each node with its fans,
    ``/stochastic`` with the headline distributions."""
    st = assumptions.stochastic
    store = None
    if keep is not None:
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
    """One node of several runs (e.g. base and reform, or two countries) on a new ``case`` dimension.

    ``trees`` maps a case label to a results tree; ``variables`` picks data
    variables (default: those every run has). The runs are aligned by an
    outer join on every labelled dimension (year, benefit, sector, option,
    horizon, ...): a label only one run has is NaN for the others. A
    dimension without labels (``check``) gets them from its coordinates
    (``_label_unlabelled``). What only one run has is listed in the attrs
    ``only_in_<case>`` (``case_only``); ``common_years`` lists the years all
    runs have. Years must overlap.
    """
    sets = {k: _label_unlabelled(trees[k][node].to_dataset()) for k in trees}
    names = list(variables or sorted(set.intersection(*(set(d.data_vars) for d in sets.values()))))
    years = sorted(set.intersection(*(set(d["year"].values.tolist()) for d in sets.values() if "year" in d.dims)))
    if any("year" in d.dims for d in sets.values()) and not years:
        raise ValueError("the runs have no year in common")
    parts = _outer(d[names] for d in sets.values())
    out = xr.concat(parts, dim="case", coords="minimal", compat="override", join="outer")
    for name in out.coords:  # a label's coordinates (scheme, article, ...) from the run that has it
        if name not in out.indexes and name not in ("case",) and "case" not in out[name].dims:
            merged = parts[0][name]
            for part in parts[1:]:
                merged = merged.where(merged.notnull(), part[name])
            out = out.assign_coords({name: merged})
    out = out.assign_coords(case=list(trees))
    for label, only in case_only(sets).items():
        if only:
            out.attrs[f"only_in_{label}"] = only
    if years:
        out.attrs["common_years"] = f"{years[0]}-{years[-1]}"
    return out


def _outer(datasets) -> list[xr.Dataset]:
    """The datasets reindexed to the union of their labels along each
    dimension, in the order of first appearance (the first run's order, then
    the labels only later runs have); a missing label is NaN."""
    datasets = list(datasets)
    union: dict = {}
    for ds in datasets:
        for dim in ds.dims:
            union.setdefault(dim, {}).update(dict.fromkeys(ds[dim].values.tolist()))
    return [ds.reindex({dim: list(union[dim]) for dim in ds.dims}) for ds in datasets]


def _label_unlabelled(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with each dimension that has no index labelled by its 1-D text
    coordinates of up to 40 characters joined with " | " (e.g. a ``check``'s convention, scheme and
    article), so that two runs' checks align by what they are, not by their
    position; a dimension without such coordinates is labelled 0, 1, ..."""
    for dim in ds.dims:
        if dim in ds.indexes:
            continue
        texts = [c for c in ds.coords if ds[c].dims == (dim,) and ds[c].dtype.kind in "UO"
                 and max((len(str(v)) for v in ds[c].values), default=0) <= 40]  # not the long citations
        if texts:
            labels = [" | ".join(str(ds[c].values[i]) for c in texts) for i in range(ds.sizes[dim])]
            seen: dict = {}
            for i, label in enumerate(labels):  # the same check twice: numbered
                seen[label] = seen.get(label, 0) + 1
                if seen[label] > 1:
                    labels[i] = f"{label} #{seen[label]}"
        else:
            labels = list(range(ds.sizes[dim]))
        ds = ds.assign_coords({dim: labels})
    return ds


def case_only(sets: dict[str, xr.Dataset]) -> dict[str, str]:
    """What only some of the runs have, by case: "variables: a, b; benefit:
    x, y" (the variables the others lack, the labels of each dimension)."""
    out = {}
    for label, ds in sets.items():
        others = [d for k, d in sets.items() if k != label]
        parts = []
        missing = sorted(v for v in ds.data_vars if not all(v in d.data_vars for d in others))
        if missing:
            parts.append("variables: " + ", ".join(missing))
        for dim in ds.dims:
            if dim in ("year", "scenario", "age"):
                continue
            mine = ds[dim].values.tolist()
            lacking = [v for v in mine if not all(dim in d.dims and v in d[dim].values.tolist() for d in others)]
            if lacking:
                parts.append(f"{dim}: " + ", ".join(str(v) for v in lacking))
        out[label] = "; ".join(parts)
    return out


# the stages' and the scenarios' entry points, importable from here as before
__all__ = ["SUMMARIES", "fiscal_costs", "run", "run_demography", "run_scenarios", "scenario_draws", "side_by_side",
           "case_only",
           "stages", "with_seed"]
