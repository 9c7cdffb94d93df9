"""``actuarial compare``: the key differences between cases, and each case's results reused when unchanged.

``headlines(trees)``: one row per headline (GAP by horizon, reserve depletion
year, steady-state rate, actuarial balance, employment-injury cost rates, SPF
package cost, financing gap, debt with the reform in the final common year),
one column per case, then each case minus the first. What only one case has
(benefits, sectors, options, checks, variables) is listed by ``only_in``.
``headline_tree``: the few variables of a results tree that ``headlines`` reads
(what a batch's worker sends for the batch summary).
``cached_results``: a case's ``results.nc`` from an earlier comparison, if its
assumptions digest and the engine version are those of the case now.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from actuarial.pipeline import case_only, side_by_side


def _central(da: xr.DataArray) -> xr.DataArray:
    """The single scenario, or the median over scenarios (``actuarial.report.plots.central``'s
    convention, here without importing matplotlib: a batch's summary draws nothing)."""
    if "scenario" not in da.dims:
        return da
    if da.sizes["scenario"] == 1:
        return da.isel(scenario=0, drop=True)
    return da.median("scenario")


# the projection nodes whose final common year the headlines are read at (not the survey
# years of /distribution, nor a stochastic node)
PROJECTED = ("demography", "economy", "labour", "pension", "employment_injury", "spf", "fiscal_space")


def _common_final_year(trees: dict) -> int | None:
    sets = [set(t[n]["year"].values.tolist()) for t in trees.values() for n in t.children
            if n in PROJECTED and "year" in t[n].dims]
    common = set.intersection(*sets) if sets else set()
    return max(common) if common else None


def _value(nodes: dict, node, var, sel, scale):
    """``var`` of ``nodes[node]`` (a case's Datasets) at ``sel``, central, scaled; NaN if absent."""
    if node not in nodes or var not in nodes[node].data_vars:
        return np.nan
    da = nodes[node][var]
    sel = {k: v for k, v in sel.items() if k in da.dims}
    if any(v not in da[k].values for k, v in sel.items()):
        return np.nan
    da = _central(da.sel(sel))
    return float(da) * scale if da.size == 1 else np.nan


def _headline_rows(horizons, year) -> list[tuple]:
    """``headlines``' rows (label, node, variable, selection, scale) for the GAP
    ``horizons`` and the final common ``year`` (None: no year-dependent rows)."""
    rows = [(f"GAP, {h} years (% of insurable earnings)", "pension", "general_average_premium", {"horizon": h}, 100)
            for h in horizons]
    rows += [("reserve depletion year (NaN: none in the horizon)", "pension", "depletion_year", {}, 1),
             ("steady-state contribution rate, CPP definition (%)", "pension", "steady_state_rate", {}, 100),
             ("actuarial balance (% of insurable earnings)", "pension", "actuarial_balance", {}, 100)]
    if year is not None:
        rows += [(f"employment injury {m.replace('_', ' ')} cost rate, {year} (% of insurable payroll)",
                  "employment_injury", "cost_rate", {"financing_method": m, "year": year}, 100)
                 for m in ("payg", "constituent_capitals", "gap")]
        rows += [(f"SPF package cost, {year} (% of GDP)", "spf", "package_cost_gdp", {"year": year}, 100),
                 (f"financing gap, {year} (% of GDP)", "fiscal_space", "financing_gap_gdp", {"year": year}, 100),
                 (f"debt with the reform, {year} (% of GDP)", "fiscal_space", "debt_gdp",
                  {"reform": "with", "year": year}, 100)]
    return rows


def _variables_read() -> dict[str, tuple]:
    """Every variable a headline reads, by node: those of the rows for one horizon and a year."""
    out: dict[str, dict] = {}
    for _, node, var, _, _ in _headline_rows([0], 0):
        out.setdefault(node, {})[var] = None
    return {node: tuple(names) for node, names in out.items()}


HEADLINE_VARIABLES = _variables_read()  # what ``headline_tree`` keeps


def headline_tree(tree: xr.DataTree) -> xr.DataTree:
    """What ``headlines`` reads of a results tree, a few kilobytes: each projection
    node (``PROJECTED``) with its ``HEADLINE_VARIABLES`` and their coordinates, and
    its years. ``headlines`` of these trees is that of the full ones; a batch's
    worker sends it beside the case's checkpoint, so that the client computes the
    summary without the whole tree (issue 17)."""
    nodes = {}
    for name in tree.children:
        if name not in PROJECTED:
            continue
        ds = tree[name].to_dataset(inherit=False)
        part = ds[[v for v in HEADLINE_VARIABLES.get(name, ()) if v in ds.data_vars]]
        if "year" in ds.dims and "year" not in part.dims:
            part = part.assign_coords(year=ds["year"])
        nodes[f"/{name}"] = part
    return xr.DataTree.from_dict(nodes)


def headlines(trees: dict, differences: bool = True) -> pd.DataFrame:
    """Key results of each case (rows: indicator with its unit; columns: the
    cases, then, with ``differences``, "<case> - <first case>"). NaN: the
    case lacks that result."""
    year = _common_final_year(trees)
    horizons = sorted({int(h) for t in trees.values() if "pension" in t.children
                       and "general_average_premium" in t["pension"].data_vars
                       for h in t["pension"]["horizon"].values})
    rows = _headline_rows(horizons, year)
    needed = {r[1] for r in rows}  # each node's Dataset built once a case, not once a headline

    def values(tree) -> list:
        nodes = {n: tree[n].to_dataset() for n in needed if n in tree.children}
        return [_value(nodes, node, var, sel, scale) for _, node, var, sel, scale in rows]

    frame = pd.DataFrame({label: values(t) for label, t in trees.items()},
                         index=pd.Index([r[0] for r in rows], name="indicator"))
    frame = frame.dropna(how="all")
    if not differences or len(trees) < 2:
        return frame
    base = next(iter(trees))
    # the differences built at once, not column by column (pandas' "fragmented DataFrame" warning)
    diffs = pd.DataFrame({f"{case} - {base}": frame[case] - frame[base] for case in list(trees)[1:]},
                         index=frame.index)
    return pd.concat([frame, diffs], axis=1)


def only_in(trees: dict) -> list[str]:
    """Lines "<case> only: <node>: <what>" for what only some cases have
    (whole nodes, variables, labels of benefits, sectors, options, checks)."""
    lines = []
    nodes = list(dict.fromkeys(n for t in trees.values() for n in t.children))
    for label, tree in trees.items():
        lacking = [n for n in tree.children if not all(n in t.children for t in trees.values())]
        if lacking:
            lines.append(f"{label} only: nodes {', '.join(lacking)}")
    for node in nodes:
        having = {k: t for k, t in trees.items() if node in t.children}
        if len(having) < 2:
            continue
        for label, what in case_only({k: side_by_side_input(t, node) for k, t in having.items()}).items():
            if what:
                lines.append(f"{label} only: {node}: {what}")
    return lines


def side_by_side_input(tree, node: str) -> xr.Dataset:
    from actuarial.pipeline import _label_unlabelled

    return _label_unlabelled(tree[node].to_dataset())


def summary(trees: dict) -> str:
    """The console's comparison: the headline table and what only one case has."""
    frame = headlines(trees)
    shown = frame.astype(object)
    for indicator, row in frame.iterrows():  # years as years, rates with two decimals; "–": none
        form = "{:.0f}" if "depletion year" in indicator else "{:,.2f}"
        shown.loc[indicator] = [form.format(v) if np.isfinite(v) else "–" for v in row.values]
    text = "Key differences (first case the base)\n" + shown.to_string()
    extra = only_in(trees)
    if extra:
        text += "\nCompared where both have them; only in one case:\n" + "\n".join(f"  {x}" for x in extra)
    return text


def cached_results(path: Path, assumptions) -> xr.DataTree | None:
    """The results tree at ``path`` (loaded into memory) when it was computed
    from the same assumptions (digest, ``assumptions_hash``) by this engine
    version, deterministically; else None (the case is run again)."""
    from actuarial.version import __version__

    path = Path(path)
    if not path.is_file():
        return None
    try:
        with xr.open_datatree(path) as tree:
            attrs = tree.attrs
            if (attrs.get("assumptions_hash") != assumptions.digest or attrs.get("engine_version") != __version__
                    or "scenarios" in attrs):
                return None
            return tree.load().copy()
    except (OSError, ValueError):
        return None


__all__ = ["cached_results", "headlines", "only_in", "side_by_side", "summary"]
