"""What a stochastic run shows: the headline distributions of the
``/stochastic`` node and the fans (``<name>_percentile``) of every node, as
tables shared by the console, the workbook and the report.

Everything is generic: the headlines are those listed in the node's
``headlines`` attribute (``H_percentile``, ``H_mean``, ``H_share_past``
each), the fans are the variables ending in ``_percentile`` that have a
``year`` dimension, in any node. The numbers are read from the results as
they are, in their units (fractions stay fractions here; the display
functions put them in percent).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

NODE = "stochastic"
LABELS = {
    "general_average_premium": "general average premium",
    "actuarial_balance": "actuarial balance",
    "steady_state_rate": "steady-state contribution rate",
    "depletion_year": "reserve depletion year",
    "injury_cost_rate": "injury cost rate",
    "spf_package_cost_gdp": "SPF package cost / GDP",
    "debt_gdp_final": "debt with the reform / GDP, final year",
}
COORD_LABELS = {"horizon": "{} years", "report_year": "in {}", "financing_method": "{}"}
METHODS = {"payg": "PAYG", "constituent_capitals": "constituent capitals", "gap": "GAP"}
FAN_KINDS = {  # the kind of fan when the variable does not say (results written before the ``fan`` attr)
    ("fiscal_space", "debt_gdp_percentile"): "macro_shock",
}
NODE_ORDER = ("demography", "labour", "economy", "pension", "employment_injury", "spf", "fiscal_space")
MACRO_SHOCK = "macro-shock fan (fiscal_space.stochastic), not the valuation's scenarios"


def levels(da: xr.DataArray) -> list[int]:
    return [int(round(float(p))) for p in da["percentile"].values]


def headlines(ds: xr.Dataset) -> list[str]:
    """The headline names of a ``/stochastic`` node, in display order."""
    names = ds.attrs.get("headlines", [])
    names = [names] if isinstance(names, str) else [str(n) for n in np.atleast_1d(names)]
    return [n for n in names if f"{n}_percentile" in ds]


def _coord_text(dim: str, value) -> str:
    value = value.item() if hasattr(value, "item") else value
    if dim == "financing_method":
        return METHODS.get(str(value), str(value).replace("_", " "))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return COORD_LABELS.get(dim, dim.replace("_", " ") + " {}").format(value)


def headline_table(ds: xr.Dataset) -> pd.DataFrame:
    """One row per headline and coordinate (e.g. each GAP horizon): label,
    units, each percentile (``p5`` ...), ``mean``, ``share past`` (0..1),
    ``threshold`` and ``threshold rule``; values in the results' units."""
    rows = []
    for name in headlines(ds):
        pct = ds[f"{name}_percentile"]
        mean, share = ds.get(f"{name}_mean"), ds.get(f"{name}_share_past")
        other = [d for d in pct.dims if d != "percentile"]
        stacked = pct.stack(_row=other) if other else pct.expand_dims(_row=[0])
        for i in range(stacked.sizes["_row"]):
            one = stacked.isel(_row=i)
            sel = {d: one[d].values for d in other}
            label = LABELS.get(name, name.replace("_", " "))
            if sel:
                label += ", " + ", ".join(_coord_text(d, v) for d, v in sel.items())
            row = {"headline": name, "label": label, "units": pct.attrs.get("units", "")}
            row.update({f"p{p}": float(v) for p, v in zip(levels(pct), one.transpose("percentile").values)})
            row["mean"] = float(mean.sel(sel)) if mean is not None else np.nan
            row["share past"] = float(share.sel(sel)) if share is not None else np.nan
            attrs = share.attrs if share is not None else {}
            row["threshold"] = attrs.get("threshold", "")
            row["threshold rule"] = attrs.get("threshold_rule", "")
            row["description"] = pct.attrs.get("long_name", "")
            rows.append(row)
    return pd.DataFrame(rows)


def shown_levels(available) -> list[int]:
    """5, 50 and 95 when present; else the lowest, the median (or nearest) and the highest."""
    available = sorted(int(p) for p in available)
    if {5, 50, 95} <= set(available):
        return [5, 50, 95]
    middle = min(available, key=lambda p: abs(p - 50))
    return sorted({available[0], middle, available[-1]})


def display(value, units: str, name: str = "") -> str:
    """A value as shown: ratios in percent, years as years (a missing
    depletion year is "never"), other units with thousands separators."""
    if isinstance(value, str):
        return value
    if value is None or not np.isfinite(value):
        return "never" if name == "depletion_year" else "–"
    if units in ("1", "1/year"):
        text = f"{100 * value:.2f}%"
    elif units == "year":
        text = f"{value:.0f}"
    else:
        text = f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    return text[1:] if text.startswith("-") and not any(c in "123456789" for c in text) else text  # no "-0.00"


def display_table(table: pd.DataFrame, shown=None) -> pd.DataFrame:
    """``headline_table`` as text: the percentiles ``shown`` (default all),
    mean and share past in percent, and the threshold in the headline's units."""
    columns = [c for c in table.columns if c.startswith("p") and c[1:].isdigit()]
    if shown is not None:
        columns = [f"p{p}" for p in shown if f"p{p}" in columns]
    out = pd.DataFrame(index=table["label"].values)
    for c in columns:
        out[c] = [display(v, u, h) for v, u, h in zip(table[c], table["units"], table["headline"])]
    out["mean"] = [display(v, u) for v, u in zip(table["mean"], table["units"])]
    out["share past threshold"] = [display(v, "1") for v in table["share past"]]
    out["threshold"] = [display(t, u) if not isinstance(t, str) else t
                        for t, u in zip(table["threshold"], table["units"])]
    return out


def depletion_points(ds: xr.Dataset, steps=(10, 25, 50, 75, 100)) -> list[tuple[int, float]]:
    """(year, probability that the reserve is depleted by then) at a few years and the last year."""
    if "depletion_probability" not in ds:
        return []
    prob = ds["depletion_probability"]
    years = [int(y) for y in prob["year"].values]
    chosen = [years[0] + s for s in steps if years[0] + s <= years[-1]]
    if years[-1] not in chosen:
        chosen.append(years[-1])
    return [(y, float(prob.sel(year=y))) for y in chosen]


def run_text(attrs: dict) -> str:
    return f"{int(attrs.get('scenarios', 0))} scenarios, seed {attrs.get('seed', '–')}"


# -- fans ---------------------------------------------------------------------------------------------------

def fan_variables(nodes: dict) -> list[tuple[str, str, xr.DataArray]]:
    """(node, name, DataArray) of every fan: every ``_percentile`` variable with
    ``year`` and ``percentile`` dimensions, in every node but ``/stochastic``."""
    out = []
    order = {n: i for i, n in enumerate(NODE_ORDER)}
    for node, ds in sorted(nodes.items(), key=lambda item: order.get(item[0], len(order))):
        if node == NODE:
            continue
        for name in ds.data_vars:
            da = ds[name]
            if str(name).endswith("_percentile") and {"year", "percentile"} <= set(da.dims):
                out.append((node, str(name), da))
    return out


def fan_kind(node: str, name: str, da: xr.DataArray) -> str:
    """``valuation`` (the run's scenarios) or ``macro_shock`` (fiscal_space.stochastic)."""
    return str(da.attrs.get("fan", FAN_KINDS.get((node, name), "valuation")))


def fan_label(node: str, name: str, da: xr.DataArray, scenarios=None) -> str:
    """What a fan comes from, in words."""
    if fan_kind(node, name, da) == "macro_shock":
        return MACRO_SHOCK
    n = f" {int(scenarios)}" if scenarios else ""
    return f"percentiles across the valuation's{n} scenarios"


def fans_long(nodes: dict) -> pd.DataFrame:
    """Every fan in tidy long form: node, variable, fan, coordinates of the
    other dimensions (as text), year, percentile, value, units."""
    frames = []
    for node, name, da in fan_variables(nodes):
        if "case" in da.dims or "scenario" in da.dims:
            continue
        other = [d for d in da.dims if d not in ("year", "percentile")]
        frame = da.rename("value").to_dataframe()[["value"]].reset_index()
        frame["coordinates"] = (frame[other].astype(str).apply(
            lambda r: ", ".join(f"{d}={v}" for d, v in zip(other, r)), axis=1) if other else "")
        frame["node"], frame["variable"] = node, name
        frame["fan"] = fan_kind(node, name, da)
        frame["units"] = da.attrs.get("units", "")
        frame["percentile"] = frame["percentile"].round().astype(int)
        frames.append(frame[["node", "variable", "fan", "coordinates", "year", "percentile", "value", "units"]])
    if not frames:
        return pd.DataFrame(columns=["node", "variable", "fan", "coordinates", "year", "percentile", "value",
                                     "units"])
    return pd.concat(frames, ignore_index=True)
