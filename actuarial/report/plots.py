"""Charts of a run's results: one function per chart, each returning a
matplotlib ``Figure`` (headless: figures are built with the Agg canvas and
never need a display).

Every function takes the Dataset of a results node (``tree["pension"]``
works, or ``.to_dataset()``), so a Python user goes from results to a chart
in one call::

    from actuarial.report import plots
    fig = plots.cost_rate_vs_contribution(tree["pension"])
    fig.savefig("cost.png")

Conventions shared by all charts:

- results are fractions; axes show ratios in percent and say so in their
  labels (the reserve ratio in years of expenditure, ``IN_YEARS``), money
  and persons carry their unit in the label;
- colours from the colour-blind-safe Okabe-Ito ``PALETTE``; men and women
  keep one colour each in every chart (``SEX_COLOURS``);
- a ``scenario`` dimension of size > 1 (stochastic runs) draws the median
  with a fan of 5-95 and 25-75 percentile bands, as does a ``*_percentile``
  variable; otherwise the single path;
- a ``case`` dimension (``actuarial.pipeline.side_by_side``) draws the cases
  side by side: one colour per case, or one panel per case for stacked areas;
- the numbers plotted, in the units shown, are attached to the figure as a
  ``pandas.DataFrame`` in ``fig.plotted_data`` (see :func:`plotted_data`),
  for the tables of the HTML report;
- the margins are set once when the chart is built (:func:`fit`, no layout
  engine: constrained layout would draw every figure twice); after adding
  texts to a chart, call ``plots.fit(fig)`` again.
"""

from __future__ import annotations

import functools
import os
import sys

import matplotlib

# Headless unless the user chose a backend (e.g. Jupyter's inline one): the
# charts below use Figure objects directly and never need pyplot.
if "matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND"):
    matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import xarray as xr  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter  # noqa: E402

# The colour-blind-safe palette of Okabe and Ito (2008), "Color Universal Design (CUD): how to make
# figures and presentations that are friendly to colorblind people" (jfly.uni-koeln.de/color/): blue,
# vermillion, bluish green, reddish purple, orange, sky blue, yellow, then grey. Defined once here, with
# one colour per sex used by every chart (pyramid, coverage panels, ...).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#7f7f7f")
SEX_COLOURS = {"male": PALETTE[0], "female": PALETTE[1]}  # men blue, women vermillion
ALERT = PALETTE[1]  # marks: depletion year, start of the pension subsidy
DASHES = ("-", "--", ":", "-.")
SIZE = (7.5, 4.0)
FAN = ((0.05, 0.95, 0.15), (0.25, 0.75, 0.30))  # (low, high, alpha) bands around the median
STYLE = {
    "font.size": 9, "axes.titlesize": 10, "axes.titleweight": "bold", "axes.labelsize": 9,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
    "grid.linewidth": 0.6, "legend.frameon": False, "legend.fontsize": 8, "lines.linewidth": 1.8,
    "xtick.labelsize": 8, "ytick.labelsize": 8,
    # DejaVu Sans (shipped with matplotlib) draws and measures the text; an SVG (the report's charts keep their
    # text as text) names the fallbacks of similar widths for a browser that lacks it
    "font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans", "Bitstream Vera Sans", "Verdana", "Arial"],
    # titles just above the axes (nothing is drawn above them): matplotlib's automatic title position would
    # measure the axes' tick labels again at every draw
    "axes.titley": 1.0,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
}
PERCENT = "%"


def plotted_data(fig: Figure) -> pd.DataFrame:
    """The numbers a chart shows, in the units of its axes."""
    return fig.plotted_data


def _styled(func):
    """Draw inside the shared style, then place the axes so that every text fits (:func:`fit`)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(STYLE):
            fig = func(*args, **kwargs)
            fit(fig)
            return fig
    return wrapper


def _figure(ncols: int = 1, nrows: int = 1, size=SIZE, **kwargs):
    """A figure without a layout engine: :func:`fit` sets its margins once (matplotlib's constrained
    layout would draw every figure twice, in a dry run then for real: most of the report's time)."""
    fig = Figure(figsize=size)
    axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
    return fig, axes


# -- the layout: margins measured from the texts' strings, set once -----------------------------------

EDGE = 5.0  # points of white space at the figure's edges
GAP = 8.0  # points between the texts of neighbouring panels
MEASURE_DPI = 288  # of the renderer that measures texts (at 72 dpi, font hinting rounds sizes to whole points)
POINTS = 72 / MEASURE_DPI  # points per pixel of that renderer


@functools.lru_cache(maxsize=1)
def _measurer():
    """A Text artist on a figure of its own and an Agg renderer (pixels at ``MEASURE_DPI``): texts are
    measured as matplotlib lays them out (lines, rotation), without drawing any chart."""
    from matplotlib.backends.backend_agg import RendererAgg

    return Figure(dpi=MEASURE_DPI).text(0, 0, ""), RendererAgg(1, 1, MEASURE_DPI)


@functools.lru_cache(maxsize=4096)
def _text_extent(text: str, size: float, weight: str = "normal", rotation: float = 0.0) -> tuple[float, float]:
    """(width, height) in points of ``text`` in the style's font, rotated by ``rotation`` degrees;
    cached: the same tick labels come back in every chart."""
    artist, renderer = _measurer()
    artist.set(text=text, fontsize=size, fontweight=weight, rotation=rotation, fontfamily=STYLE["font.family"])
    box = artist.get_window_extent(renderer)
    return box.width * POINTS, box.height * POINTS


def _label_extent(label) -> tuple[float, float]:
    """(width, height) in points of a Text artist as drawn, (0, 0) when it is empty or hidden."""
    if not label.get_visible() or not label.get_text():
        return 0.0, 0.0
    return _text_extent(label.get_text(), label.get_fontsize(), str(label.get_fontweight()), label.get_rotation())


def _tick_labels(axis) -> list[str]:
    """The tick labels the axis will draw: its formatter's texts of the ticks inside the view."""
    low, high = sorted(axis.get_view_interval())
    slack = 1e-9 * max(abs(low), abs(high), 1.0)
    locs = [v for v in axis.get_majorticklocs() if low - slack <= v <= high + slack]
    return [t for t in axis.get_major_formatter().format_ticks(locs) if t]


def _tick_extent(axis, side: str) -> tuple[float, float]:
    """(width, height) in points of the widest and tallest tick label on ``side`` of the axis (0, 0 when
    its labels are off), rotated as drawn."""
    if not axis.get_tick_params().get(f"label{side}", True):
        return 0.0, 0.0
    labels = _tick_labels(axis)
    if not labels:
        return 0.0, 0.0
    tick = axis.get_major_ticks(1)[0]
    font = (tick.label1.get_fontsize(), str(tick.label1.get_fontweight()), tick.label1.get_rotation())
    widths, heights = zip(*(_text_extent(t, *font) for t in labels))
    out = tick.get_tick_padding() + tick.get_pad()  # the tick mark (outside the axes) and the pad
    return max(widths) + out, max(heights) + out


def _outside_legend_width(ax) -> float:
    """Points the axes' legend takes right of the axes when it is anchored there (else 0)."""
    legend = ax.get_legend()
    if legend is None or legend.get_bbox_to_anchor().x0 < ax.bbox.x1 - 1:
        return 0.0
    pad = legend.borderaxespad * legend.prop.get_size_in_points()
    return pad + legend.get_window_extent(_measurer()[1]).width * POINTS


def _margins(ax) -> dict:
    """Points each side of the axes needs for its tick labels, axis labels, title and outside legend."""
    ylabel = _label_extent(ax.yaxis.label)[0]
    xlabel = _label_extent(ax.xaxis.label)[1]
    title = _label_extent(ax.title)[1]
    return {"left": _tick_extent(ax.yaxis, "left")[0] + (ylabel + ax.yaxis.labelpad if ylabel else 0.0),
            "bottom": _tick_extent(ax.xaxis, "bottom")[1] + (xlabel + ax.xaxis.labelpad if xlabel else 0.0),
            "top": title + matplotlib.rcParams["axes.titlepad"] if title else 0.0,
            "right": _outside_legend_width(ax)}


def fit(fig: Figure) -> None:
    """Set the margins and the space between panels from the texts each panel shows (tick labels,
    axis labels, titles, a legend right of the axes, the suptitle), measured from their strings in
    points: one pass without drawing, where constrained layout draws the figure twice. Measured
    twice, as the ticks depend on the axes' size."""
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.get_subplotspec() is not None]
    if not axes:
        return
    nrows, ncols = axes[0].get_subplotspec().get_gridspec().get_geometry()
    width, height = (72 * v for v in fig.get_size_inches())
    suptitle = _label_extent(fig._suptitle)[1] + GAP / 2 if fig._suptitle is not None else 0.0
    if fig._suptitle is not None:  # its top at the figure's top edge
        fig._suptitle.set_y(1 - EDGE / height)
        fig._suptitle.set_verticalalignment("top")
    for _ in range(2):
        cols = {side: np.zeros(ncols) for side in ("left", "right")}
        rows = {side: np.zeros(nrows) for side in ("top", "bottom")}
        for ax in axes:
            spec, need = ax.get_subplotspec(), _margins(ax)
            for side, index in (("left", spec.colspan.start), ("right", spec.colspan.stop - 1)):
                cols[side][index] = max(cols[side][index], need[side])
            for side, index in (("top", spec.rowspan.start), ("bottom", spec.rowspan.stop - 1)):
                rows[side][index] = max(rows[side][index], need[side])
        left, right = EDGE + cols["left"][0], EDGE + cols["right"][-1]
        top, bottom = EDGE + suptitle + rows["top"][0], EDGE + rows["bottom"][-1]
        wgap = max([GAP + cols["right"][c - 1] + cols["left"][c] for c in range(1, ncols)], default=0.0)
        hgap = max([GAP + rows["bottom"][r - 1] + rows["top"][r] for r in range(1, nrows)], default=0.0)
        panel_w = max((width - left - right - (ncols - 1) * wgap) / ncols, 1.0)
        panel_h = max((height - top - bottom - (nrows - 1) * hgap) / nrows, 1.0)
        fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height,
                            top=1 - top / height, wspace=wgap / panel_w, hspace=hgap / panel_h)


def _dataset(data) -> xr.Dataset:
    if isinstance(data, xr.DataTree):
        return data.to_dataset()
    if isinstance(data, xr.DataArray):
        return data.to_dataset()
    return data


def _cases(da) -> list:
    return list(da["case"].values) if "case" in da.dims else [None]


def _pick(da, case):
    return da if case is None else da.sel(case=case)


def _stochastic(da) -> bool:
    return "scenario" in da.dims and da.sizes["scenario"] > 1


def central(da: xr.DataArray) -> xr.DataArray:
    """The single scenario, or the median over scenarios."""
    if "scenario" not in da.dims:
        return da
    if da.sizes["scenario"] == 1:
        return da.isel(scenario=0, drop=True)
    return da.median("scenario")


def _series(da) -> pd.Series:
    return pd.Series(np.asarray(da.values, dtype=float), index=pd.Index(da["year"].values.astype(int), name="year"))


def _percent_axis(ax, label: str) -> None:
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=None))
    ax.set_ylabel(label)


def _year_axis(ax) -> None:
    ax.set_xlabel("year")
    ax.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True, steps=[1, 2, 5, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{int(v)}"))


def _fan(ax, years, bands: dict, color, label, table, column) -> None:
    """Bands ``{q: values}`` (quantiles 0.05..0.95) around the median."""
    for low, high, alpha in FAN:
        if low in bands and high in bands:
            ax.fill_between(years, bands[low], bands[high], color=color, alpha=alpha, linewidth=0,
                            label=f"{int(round(100 * low))}-{int(round(100 * high))}th percentile")
            table[f"{column} p{int(round(100 * low))}"] = pd.Series(bands[low], index=years)
            table[f"{column} p{int(round(100 * high))}"] = pd.Series(bands[high], index=years)
    ax.plot(years, bands[0.5], color=color, label=f"{label} (median)")
    table[f"{column} median"] = pd.Series(bands[0.5], index=years)


def _lines(ax, series: dict, unit: str, table: dict, scale: float = 100.0, fan: bool = True) -> None:
    """Plot ``{label: DataArray(year[, scenario][, case])}``: colour by series,
    or by case (and dashes by series) when a ``case`` dimension is present.
    A ``scenario`` dimension > 1 gives a fan around the median (one case only)."""
    for i, (label, da) in enumerate(series.items()):
        cases = _cases(da)
        for j, case in enumerate(cases):
            one = _pick(da, case) * scale
            name = label if case is None else (str(case) if len(series) == 1 else f"{label}, {case}")
            color = PALETTE[(i if case is None else j) % len(PALETTE)]
            style = DASHES[i % len(DASHES)] if case is not None else "-"
            column = f"{name} ({unit})"
            if fan and case is None and "percentile" in one.dims:  # percentiles of a stochastic run
                levels = one["percentile"].values.astype(float)
                _fan(ax, one["year"].values, {p / 100: one.sel(percentile=p).values for p in levels},
                     color, name, table, column)
            elif fan and case is None and _stochastic(one):
                years = one["year"].values
                q = one.quantile([0.05, 0.25, 0.5, 0.75, 0.95], "scenario")
                _fan(ax, years, {float(k): q.sel(quantile=k).values for k in q["quantile"].values},
                     color, name, table, column)
            else:
                one = central(one)
                ax.plot(one["year"].values, one.values, color=color, linestyle=style, label=name)
                table[column] = _series(one)


def bars(ax, x, height, width=0.8, bottom=0.0, align: str = "center", horizontal: bool = False, color=None,
         edgecolor="none", linewidth=None, **style) -> PolyCollection:
    """What ``ax.bar`` (``ax.barh`` when ``horizontal``: ``x`` the positions on the y axis) draws,
    as one PolyCollection: one artist instead of a Rectangle per bar, each of which costs its
    creation, its data limits and its own draw. The value axis sticks to the bars' bases, as
    ``ax.bar``'s does."""
    x, height, width, bottom = np.broadcast_arrays(*(np.asarray(v, float) for v in (x, height, width, bottom)))
    start = x - width / 2 if align == "center" else x
    corners = [(start, bottom), (start, bottom + height), (start + width, bottom + height), (start + width, bottom)]
    verts = np.stack([np.stack(c if not horizontal else c[::-1], axis=-1) for c in corners], axis=1)
    if linewidth is None:
        linewidth = matplotlib.rcParams["patch.linewidth"] if edgecolor != "none" else 0.0
    collection = PolyCollection(verts, facecolors=color, edgecolors=edgecolor, linewidths=linewidth, **style)
    (collection.sticky_edges.x if horizontal else collection.sticky_edges.y).extend(np.unique(bottom).tolist())
    ax.add_collection(collection, autolim=True)
    return collection


def _paths(ds: xr.Dataset, name: str) -> xr.DataArray:
    """``name``, or its percentiles across scenarios (``name_percentile``) when the run has them."""
    pct = ds.get(f"{name}_percentile")
    if pct is not None and {0.5, 50.0} & set(pct["percentile"].values.astype(float).tolist()):
        return pct
    return ds[name]


def _finish(fig, axes, table: dict, title: str | None = None, legend: bool = True) -> Figure:
    for ax in np.ravel(axes):
        if legend and ax.get_legend_handles_labels()[0]:
            ax.legend(loc="best")
    if title:
        fig.suptitle(title, fontweight="bold")
    frame = pd.DataFrame(table) if isinstance(table, dict) else table
    fig.plotted_data = frame
    return fig


# -- demography -----------------------------------------------------------------------

AGE_GROUPS = [(a, a + 4) for a in range(0, 100, 5)] + [(100, 100)]


def _groups(da: xr.DataArray) -> np.ndarray:
    """Sum single ages into 5-year groups 0-4 .. 95-99 and 100+ (last axis = age)."""
    ages = da["age"].values
    values = da.transpose(..., "age").values
    return np.stack([np.nansum(values[..., (ages >= lo) & (ages <= hi)], axis=-1) for lo, hi in AGE_GROUPS], axis=-1)


def _group_label(lo, hi) -> str:
    return f"{lo}+" if lo == hi else f"{lo}-{hi}"


@_styled
def population_pyramid(demography, years=None) -> Figure:
    """Population by sex and 5-year age group (thousands, men to the left),
    one panel per year (default: the base year and the last year). With a
    ``case`` dimension the cases are drawn as outlines over each other."""
    ds = _dataset(demography)
    pop = central(ds["population"])
    all_years = pop["year"].values
    years = [int(all_years[0]), int(all_years[-1])] if years is None else [int(y) for y in years]
    fig, axes = _figure(ncols=len(years), size=(4.0 * len(years), 4.4), sharey=True, sharex=True)
    labels = [_group_label(lo, hi) for lo, hi in AGE_GROUPS]
    positions = np.arange(len(AGE_GROUPS))
    rows = {}
    for ax, year in zip(axes[0], years):
        for j, case in enumerate(_cases(pop)):
            one = _pick(pop, case).sel(year=year)
            women = _groups(one.sel(sex="female")) / 1e3
            men = _groups(one.sel(sex="male")) / 1e3
            suffix = "" if case is None else f", {case}"
            if case is None:
                bars(ax, positions, -men, width=0.9, horizontal=True, color=SEX_COLOURS["male"], label="men")
                bars(ax, positions, women, width=0.9, horizontal=True, color=SEX_COLOURS["female"], label="women")
            else:
                edges = np.append(positions - 0.5, positions[-1] + 0.5)  # colour by sex, dashes by case
                ax.stairs(-men, edges, orientation="horizontal", color=SEX_COLOURS["male"], baseline=None,
                          linestyle=DASHES[j % len(DASHES)], label=f"men, {case}")
                ax.stairs(women, edges, orientation="horizontal", color=SEX_COLOURS["female"], baseline=None,
                          linestyle=DASHES[j % len(DASHES)], label=f"women, {case}")
            rows[f"{year} men{suffix} (thousand)"] = men
            rows[f"{year} women{suffix} (thousand)"] = women
        ax.axvline(0, color="black", linewidth=0.6)
        ax.set_title(str(year))
        ax.set_xlabel("persons (thousands): men ← | → women")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):,.0f}"))
    axes[0][0].set_yticks(positions[::2], labels[::2])
    axes[0][0].set_ylabel("age group (years)")
    table = pd.DataFrame(rows, index=pd.Index(labels, name="age group"))
    return _finish(fig, axes[:, -1:], table, title="Population by age and sex")


@_styled
def dependency_ratios(demography, pension=None) -> Figure:
    """Old-age and child dependency ratios (and the scheme's system
    dependency ratio, pensioners / contributors, when ``pension`` is given), %."""
    ds = _dataset(demography)
    fig, axes = _figure()
    ax = axes[0, 0]
    series = {"old-age dependency (65+ / 15-64)": ds["old_age_dependency_ratio"]}
    if "child_dependency_ratio" in ds:
        series["child dependency (0-14 / 15-64)"] = ds["child_dependency_ratio"]
    if pension is not None:
        series["system dependency (pensioners / contributors)"] = _dataset(pension)["system_dependency_ratio"]
    table = {}
    _lines(ax, series, PERCENT, table)
    _percent_axis(ax, "ratio (%)")
    _year_axis(ax)
    ax.set_ylim(bottom=0)
    ax.set_title("Dependency ratios")
    return _finish(fig, axes, table)


# -- pension ----------------------------------------------------------------------------

@_styled
def cost_rate_vs_contribution(pension) -> Figure:
    """PAYG cost rate against the legislated contribution rate, with the
    general average premium (GAP) over each horizon as a level segment
    (% of insurable earnings)."""
    ds = _dataset(pension)
    fig, axes = _figure()
    ax = axes[0, 0]
    table = {}
    _lines(ax, {"PAYG cost rate": _paths(ds, "payg_cost_rate"), "contribution rate": ds["contribution_rate"]},
           PERCENT, table)
    if "general_average_premium" in ds:
        gap = central(ds["general_average_premium"])
        years = ds["year"].values
        start = int(years[0])
        for j, case in enumerate(_cases(gap)):
            one = _pick(gap, case)
            for k, horizon in enumerate(one["horizon"].values):
                value = 100 * float(one.sel(horizon=horizon))
                end = min(start + int(horizon), int(years[-1]))
                color = PALETTE[(2 + k) % len(PALETTE)] if case is None else PALETTE[j % len(PALETTE)]
                name = f"GAP {int(horizon)} years" + ("" if case is None else f", {case}")
                ax.hlines(value, start, end, colors=color, linestyles=":" if case is not None else "--",
                          linewidth=1.4, label=f"{name}: {value:.2f}%")
                index = years[(years >= start) & (years <= end)].astype(int)
                table[f"{name} (%)"] = pd.Series(value, index=pd.Index(index, name="year"))
    _percent_axis(ax, "% of insurable earnings")
    _year_axis(ax)
    ax.set_ylim(bottom=0)
    ax.set_title("PAYG cost rate, contribution rate and general average premium")
    return _finish(fig, axes, table)


@_styled
def reserve_ratio(pension) -> Figure:
    """Reserve at 1 January / expenditure of the year before, in years of
    expenditure, with the depletion year marked when the reserve runs out."""
    ds = _dataset(pension)
    fig, axes = _figure()
    ax = axes[0, 0]
    table = {}
    _lines(ax, {"reserve ratio": _paths(ds, "reserve_ratio")}, "years of expenditure", table, scale=1.0)
    if "depletion_year" in ds:
        depletion = ds["depletion_year"]
        for j, case in enumerate(_cases(depletion)):
            one = _pick(depletion, case)
            values = np.atleast_1d(one.values).astype(float)
            finite = values[np.isfinite(values)]
            # stochastic: mark the median year only when most scenarios deplete
            if finite.size and finite.size * 2 > values.size:
                year = float(np.median(finite))
                name = f"depletion {year:.0f}" + ("" if case is None else f", {case}")
                ax.axvline(year, color=PALETTE[j % len(PALETTE)] if case is not None else ALERT,
                           linestyle=":", linewidth=1.2, label=name)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_ylabel("reserve / previous year's expenditure\n(years of expenditure)")
    _year_axis(ax)
    ax.set_title("Reserve ratio")
    return _finish(fig, axes, table)


# -- employment injury ----------------------------------------------------------------

METHOD_LABELS = {"payg": "PAYG cost rate", "constituent_capitals": "assessment of constituent capitals",
                 "gap": "general average premium"}


@_styled
def injury_cost_rates(employment_injury) -> Figure:
    """Employment-injury cost rate by financing method (% of insurable payroll)."""
    ds = _dataset(employment_injury)
    rate = _paths(ds, "cost_rate")
    fig, axes = _figure()
    ax = axes[0, 0]
    table = {}
    series = {METHOD_LABELS.get(str(m), str(m)): rate.sel(financing_method=m)
              for m in rate["financing_method"].values}
    _lines(ax, series, PERCENT, table)
    _percent_axis(ax, "% of insurable payroll")
    _year_axis(ax)
    ax.set_ylim(bottom=0)
    ax.set_title("Employment injury: cost rate by financing method")
    return _finish(fig, axes, table)


# -- stacked areas (one panel per case) -----------------------------------------------------

UNFINANCED = {"color": "#d9d9d9", "hatch": "///", "edgecolor": "#555555"}  # the band no option finances


def _stacked(axes, parts: dict, total, total_label: str, table: dict, unit: str, hatched=None) -> None:
    """Stacked areas of ``parts`` ({label: DataArray(year[, case])}) with the
    ``total`` line; one panel per case. The layer labelled ``hatched`` is drawn
    grey and hatched (``UNFINANCED``), the others in the palette's colours."""
    first = next(iter(parts.values()))
    cases = _cases(first)
    for ax, case in zip(axes, cases):
        suffix = "" if case is None else f", {case}"
        layers = {k: central(_pick(v, case)) * 100 for k, v in parts.items()}
        years = first["year"].values
        values = [np.nan_to_num(v.values) for v in layers.values()]
        colours = [UNFINANCED["color"] if k == hatched else PALETTE[i % len(PALETTE)] for i, k in enumerate(layers)]
        areas = ax.stackplot(years, values, labels=list(layers), colors=colours, alpha=0.85, linewidth=0)
        for k, area in zip(layers, areas):
            if k == hatched:
                area.set_hatch(UNFINANCED["hatch"])
                area.set_edgecolor(UNFINANCED["edgecolor"])
        for k, v in layers.items():
            table[f"{k}{suffix} ({unit})"] = _series(v)
        if total is not None:
            one = _pick(total, case) * 100
            if case is None and _stochastic(one):
                q = one.quantile([0.05, 0.25, 0.5, 0.75, 0.95], "scenario")
                _fan(ax, years, {float(k): q.sel(quantile=k).values for k in q["quantile"].values},
                     "black", total_label, table, f"{total_label} ({unit})")
            else:
                one = central(one)
                ax.plot(years, one.values, color="black", label=total_label)
                table[f"{total_label}{suffix} ({unit})"] = _series(one)
        if case is not None:
            ax.set_title(str(case))
        _year_axis(ax)


@_styled
def spf_cost_by_benefit(spf) -> Figure:
    """Cost of each benefit of the social protection floor, stacked, and of
    the package (% of GDP); one panel per case when comparing."""
    ds = _dataset(spf)
    cost = ds["cost_gdp"].sum("sex") if "sex" in ds["cost_gdp"].dims else ds["cost_gdp"]
    parts = {str(b).replace("_", " "): cost.sel(benefit=b) for b in cost["benefit"].values}
    cases = _cases(cost)
    fig, axes = _figure(ncols=len(cases), size=(SIZE[0] if len(cases) == 1 else 4.2 * len(cases), SIZE[1]),
                        sharey=True)
    table = {}
    _stacked(axes[0], parts, ds.get("package_cost_gdp"), "package", table, PERCENT)
    _percent_axis(axes[0, 0], "% of GDP")
    fig.suptitle("Social protection floor: cost by benefit", fontweight="bold")
    for ax in axes[0, 1:]:
        ax.set_ylabel("")
    axes[0, -1].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.plotted_data = pd.DataFrame(table)
    return fig


@_styled
def coverage_vs_targets(spf, last_year=None) -> Figure:
    """The SDG 1.3.1 series (``spf.sdg_131``: each group's numerator over its
    denominator, women and men) against the coverage targets, %; up to ``last_year`` (default: 20
    years after the last target year, or 30 years without targets)."""
    ds = _dataset(spf)
    coverage = central(ds["coverage"])
    target = ds.get("coverage_target")
    if target is not None and "case" in target.dims:
        target = target.isel(case=0)
    indicators = [str(i) for i in coverage["indicator"].values
                  if bool(coverage.sel(indicator=i).notnull().any())]
    years = coverage["year"].values
    if last_year is None:
        last_year = int(years[0]) + 30
        if target is not None and bool(target.notnull().any()):
            last_target = int(target["year"].values[target.notnull().any("indicator").values].max())
            last_year = max(int(years[0]) + 10, last_target + 20)
    coverage = coverage.sel(year=years[years <= last_year])
    ncols = min(3, len(indicators))
    nrows = -(-len(indicators) // ncols)
    fig, axes = _figure(ncols=ncols, nrows=nrows, size=(3.2 * ncols, 2.6 * nrows + 0.4), sharey=True,
                        sharex=True)
    table = {}
    for ax, name in zip(axes.ravel(), indicators):
        one = coverage.sel(indicator=name)
        series = {(f"{name} {who}", who, sex): one.sel(sex=sex) for who, sex in (("women", "female"), ("men", "male"))}
        for (label, who, sex), da in series.items():
            for j, case in enumerate(_cases(da)):  # colour by sex (SEX_COLOURS), dashes by case
                c = _pick(da, case) * 100
                color = SEX_COLOURS[sex]
                style = DASHES[j % len(DASHES)]
                short = who + ("" if case is None else f", {case}")
                ax.plot(c["year"].values, c.values, color=color, linestyle=style, label=short)
                table[f"{label}{'' if case is None else ', ' + str(case)} (%)"] = _series(c)
        if target is not None and name in target["indicator"].values:
            t = target.sel(indicator=name).sel(year=coverage["year"]) * 100
            if bool(t.notnull().any()):
                ax.plot(t["year"].values, t.values, color="black", linestyle=":", marker=".", markersize=3,
                        label="target")
                table[f"{name} target (%)"] = _series(t)
        ax.set_title(name.replace("_", " "), fontsize=9)
        ax.set_ylim(0, 105)
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=100))
    for ax in axes.ravel()[len(indicators):]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("covered (% of group)")
    for ax in axes[-1, :]:
        _year_axis(ax)
    axes.ravel()[0].legend(loc="lower right")
    fig.suptitle("Coverage against targets", fontweight="bold")
    fig.plotted_data = pd.DataFrame(table)
    return fig


# -- fiscal space -------------------------------------------------------------------------

def unfinanced_gdp(fiscal_space: xr.Dataset) -> xr.DataArray:
    """The part of the financing gap no option finances (% of GDP as a fraction):
    the fiscal stage's ``shortfall_gdp`` when present, else
    max(0, financing_gap_gdp - sum over options of financing)."""
    if "shortfall_gdp" in fiscal_space:
        return fiscal_space["shortfall_gdp"]
    return (fiscal_space["financing_gap_gdp"] - fiscal_space["financing"].sum("option")).clip(min=0)


def subsidy_start(pension, case=None) -> int | None:
    """The first year in which the state pays the pension deficit after the
    reserve's depletion (``deficit_after_depletion`` > 0, central path), or None."""
    if pension is None:
        return None
    ds = _dataset(pension)
    name = next((n for n in ("deficit_after_depletion", "deficit_after_depletion_gdp") if n in ds), None)
    if name is None:
        return None
    deficit = ds[name]
    if "case" in deficit.dims:
        if case not in deficit["case"].values:
            return None
        deficit = deficit.sel(case=case)
    deficit = central(deficit)
    years = deficit["year"].values[np.asarray(deficit.fillna(0).values, float) > 0]
    return int(years[0]) if years.size else None


@_styled
def financing_mix(fiscal_space, pension=None) -> Figure:
    """How the financing gap is closed: each financing option, stacked, then
    the part left unfinanced (borrowed in the full-cost debt path) as its own
    hatched band, and the gap as a line (% of GDP); the year the pension
    subsidy starts (first year with ``deficit_after_depletion`` > 0 in
    ``pension``) is marked. One panel per case when comparing."""
    ds = _dataset(fiscal_space)
    financing = ds["financing"]
    parts = {str(o).replace("_", " "): financing.sel(option=o) for o in financing["option"].values}
    hatched = None
    if "financing_gap_gdp" in ds or "shortfall_gdp" in ds:
        hatched = "unfinanced (borrowed)"
        parts[hatched] = unfinanced_gdp(ds)
    cases = _cases(financing)
    fig, axes = _figure(ncols=len(cases), size=(SIZE[0] if len(cases) == 1 else 4.2 * len(cases), SIZE[1]),
                        sharey=True)
    table = {}
    _stacked(axes[0], parts, ds.get("financing_gap_gdp"), "financing gap", table, PERCENT, hatched=hatched)
    for ax, case in zip(axes[0], cases):
        year = subsidy_start(pension, case)
        if year is not None:
            ax.axvline(year, color=ALERT, linestyle=":", linewidth=1.4, label=f"pension subsidy from {year}")
    _percent_axis(axes[0, 0], "% of GDP")
    fig.suptitle("Fiscal space: financing mix", fontweight="bold")
    axes[0, -1].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.plotted_data = pd.DataFrame(table)
    return fig


DEBT_LABELS = {"without": "debt, without reform", "with": "debt, with reform (full cost)",
               "scaled_back": "debt, reform scaled back to its financing"}


@_styled
def debt_paths(fiscal_space) -> Figure:
    """Public debt (% of GDP) without and with the reform: the deterministic
    paths only. The fans come from other models and are drawn apart, each
    labelled (``fan_chart``): the fiscal stage's own macro-shock fan
    ``debt_gdp_percentile`` and the valuation's ``debt_gdp_with_reform_percentile``."""
    ds = _dataset(fiscal_space)
    fig, axes = _figure()
    ax = axes[0, 0]
    table = {}
    debt = ds["debt_gdp"]
    series = ({DEBT_LABELS.get(str(r), f"debt, {r}"): debt.sel(reform=r) for r in debt["reform"].values}
              if "reform" in debt.dims else {"debt": debt})
    _lines(ax, series, PERCENT, table)
    _percent_axis(ax, "% of GDP")
    _year_axis(ax)
    ax.set_title("Public debt")
    return _finish(fig, axes, table)


DECOMPOSITION_LABELS = {"interest_rate": "interest", "inflation": "inflation (deflator)",
                        "real_growth": "real growth", "exchange_rate": "exchange rate",
                        "primary_deficit": "primary deficit", "stock_flow_adjustment": "stock-flow adjustment",
                        "residual": "residual"}


def _periods(years, width: int) -> list[tuple[int, int]]:
    """Index ranges [i, j) of consecutive ``width``-year periods from the first year."""
    return [(i, min(i + width, len(years))) for i in range(0, len(years), width)]


@_styled
def debt_decomposition(fiscal_space, width: int = 10) -> Figure:
    """The change in debt / GDP by debt-creating flow (``debt_change_contribution``, the IMF MAC DSA
    template's split), summed over ``width``-year periods: stacked bars (positive up, negative down)
    and the total change as a marker, one panel without and one with the reform (full cost); points
    of GDP. With several cases, the first."""
    ds = _dataset(fiscal_space)
    c = ds["debt_change_contribution"]
    if "case" in c.dims:
        c = c.isel(case=0)
    c = central(c)
    years = c["year"].values.astype(int)
    periods = _periods(years, width)
    labels = [f"{years[i]}-{years[j - 1]}" for i, j in periods]
    reforms = [r for r in ("without", "with") if r in c["reform"].values]
    fig, axes = _figure(ncols=len(reforms), size=(4.6 * len(reforms), SIZE[1]), sharey=True)
    table = {}
    x = np.arange(len(periods))
    for ax, r in zip(axes[0], reforms):
        one = c.sel(reform=r).transpose("component", "year")
        starts = [i for i, _ in periods]
        values = np.where(np.isnan(one.values), 0.0, one.values)  # a missing flow adds nothing
        sums = {str(k): 100 * np.add.reduceat(v, starts) for k, v in zip(one["component"].values, values)}
        up, down = np.zeros(len(x)), np.zeros(len(x))
        for n, (k, v) in enumerate(sums.items()):
            base = np.where(v >= 0, up, down)
            bars(ax, x, v, bottom=base, color=PALETTE[n % len(PALETTE)], label=DECOMPOSITION_LABELS.get(k, k),
                 width=0.75)
            up, down = up + np.maximum(v, 0), down + np.minimum(v, 0)
            table[f"{r}: {DECOMPOSITION_LABELS.get(k, k)} (points of GDP)"] = pd.Series(v, index=labels)
        total = sum(sums.values())
        ax.plot(x, total, "D", color="black", label="change in debt / GDP")
        table[f"{r}: change in debt / GDP (points of GDP)"] = pd.Series(total, index=labels)
        ax.axhline(0, color="black", linewidth=0.6)
        ax.set_xticks(x, labels, rotation=45, ha="right")
        ax.set_title("without the reform" if r == "without" else "with the reform (full cost)")
    axes[0, 0].set_ylabel("points of GDP")
    axes[0, -1].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    fig.suptitle(f"Change in debt / GDP by debt-creating flow, {width}-year periods", fontweight="bold")
    frame = pd.DataFrame(table)
    frame.index.name = "period"
    fig.plotted_data = frame
    return fig


@_styled
def financing_needs(fiscal_space) -> Figure:
    """Gross financing needs / GDP (interest + amortisation - primary balance + stock-flow
    adjustment) without and with the reform."""
    ds = _dataset(fiscal_space)
    fig, axes = _figure()
    ax = axes[0, 0]
    table = {}
    gfn = ds["gross_financing_needs_gdp"]
    names = {"without": "GFN, without reform", "with": "GFN, with reform (full cost)",
             "scaled_back": "GFN, reform scaled back to its financing"}
    _lines(ax, {names.get(str(r), f"GFN, {r}"): gfn.sel(reform=r) for r in gfn["reform"].values}, PERCENT, table)
    _percent_axis(ax, "% of GDP")
    _year_axis(ax)
    ax.set_title("Gross financing needs")
    return _finish(fig, axes, table)


@_styled
def stress_debt_paths(fiscal_space) -> Figure:
    """Debt / GDP with the reform (full cost) in the baseline and each stress test
    (fiscal_space.stress_tests), over the first ten projection years."""
    ds = _dataset(fiscal_space)
    fig, axes = _figure()
    ax = axes[0, 0]
    table = {}
    d = ds["stress_debt_gdp"].sel(reform="with").isel(year=slice(0, 11))
    _lines(ax, {str(s): d.sel(stress_test=s) for s in d["stress_test"].values}, PERCENT, table)
    if "heat_map" in ds:
        bench = ds["heat_map"].attrs["debt_benchmark_gdp"]
        ax.axhline(100 * bench, color="grey", linestyle=":", label=f"benchmark {100 * bench:.0f}%")
    _percent_axis(ax, "% of GDP")
    _year_axis(ax)
    ax.set_title("Debt with the reform by stress test")
    return _finish(fig, axes, table)


HEAT_COLOURS = {0.0: "#3a9a48", 1.0: "#f2c12e", 2.0: "#d7301f"}  # green, yellow, red


@_styled
def heat_map(fiscal_space) -> Figure:
    """The DSA heat map with the reform (full cost): a cell per stress test and indicator, coloured
    green / yellow / red (fiscal_space.stress_tests), the peak written in it; runs side by side: the
    first run's."""
    from matplotlib.patches import Rectangle

    ds = _dataset(fiscal_space)
    if "case" in ds.dims:
        ds = ds.isel(case=0)
    h = ds["heat_map"].sel(reform="with")
    peak = ds["heat_map_peak"].sel(reform="with")
    tests = [str(s) for s in h["stress_test"].values]
    inds = [str(i) for i in h["heat_indicator"].values]
    fig, axes = _figure(size=(6.0, 0.45 * len(tests) + 1.2))
    ax = axes[0, 0]
    names = {"debt_gdp": "debt / GDP", "gross_financing_needs_gdp": "GFN / GDP"}
    rows = {}
    for j, ind in enumerate(inds):
        for i, s in enumerate(tests):
            level = float(h.sel(stress_test=s, heat_indicator=ind))
            value = float(peak.sel(stress_test=s, heat_indicator=ind))
            ax.add_patch(Rectangle((j, i), 1, 1, color=HEAT_COLOURS.get(level, "#dddddd")))
            ax.text(j + 0.5, i + 0.5, "n/a" if not np.isfinite(value) else f"{100 * value:.1f}%", ha="center",
                    va="center", fontsize="small")
        rows[f"{names.get(ind, ind)}: level (0 green, 1 yellow, 2 red)"] = h.sel(heat_indicator=ind).values
        rows[f"{names.get(ind, ind)}: peak ({PERCENT})"] = 100 * peak.sel(heat_indicator=ind).values
    ax.set_xlim(0, len(inds))
    ax.set_ylim(len(tests), 0)
    ax.set_xticks(np.arange(len(inds)) + 0.5, [names.get(i, i) for i in inds])
    ax.set_yticks(np.arange(len(tests)) + 0.5, tests)
    ax.tick_params(length=0)
    ax.grid(False)
    ax.set_title(f"DSA heat map, peaks over {h.attrs['heat_map_years']} years")
    frame = pd.DataFrame(rows, index=pd.Index(tests, name="stress test"))
    return _finish(fig, axes, frame, legend=False)


# -- stochastic runs: fans of any variable, headline distributions ------------------------------------------

# ratios of a stock to a year's flow: shown in years of that flow, not in percent
IN_YEARS = {"reserve_ratio": "years of expenditure"}


def _unit(units: str, name: str = "") -> tuple[float, str]:
    """(scale, label) of an axis for a variable's units: ratios in percent,
    except the ratios of ``IN_YEARS`` (e.g. the reserve ratio, in years of expenditure)."""
    base = str(name or "").removesuffix("_percentile")
    if base in IN_YEARS:
        return 1.0, IN_YEARS[base]
    return (100.0, PERCENT) if units in ("1", "1/year") else (1.0, units or "value")


def _bands(levels) -> list[tuple[int, int]]:
    """Symmetric pairs of percentile levels, outermost first: (5, 95), (10, 90), (25, 75)."""
    levels = sorted(int(p) for p in levels)
    return [(lo, 100 - lo) for lo in levels if lo < 50 and 100 - lo in levels]


def _panel_label(sel: dict) -> str:
    return ", ".join(f"{d.replace('_', ' ')} {v}" for d, v in sel.items())


FAN_LEGENDS = {"valuation": ("the valuation's scenarios", 0),
               "macro_shock": ("macro-shock fan, fiscal_space.stochastic", 3)}  # (legend, colour)


@_styled
def fan_chart(da: xr.DataArray, title: str | None = None, label: str | None = None, max_panels: int = 6,
              kind: str | None = None) -> Figure:
    """A fan of any ``<name>_percentile(year, percentile, ...)`` variable:
    the symmetric percentile bands (e.g. 5-95, 10-90, 25-75; darker inward)
    and the median, one panel per combination of its other dimensions (up
    to ``max_panels``). Ratios (units "1") are shown in percent; the table
    has every percentile level of every panel. ``kind`` (default: the
    variable's ``fan`` attribute) says in the legend what the fan comes from:
    ``valuation`` or ``macro_shock``."""
    legend, colour = FAN_LEGENDS.get(kind or da.attrs.get("fan", ""), ("", 0))
    colour = PALETTE[colour]
    levels = [int(round(float(p))) for p in da["percentile"].values]
    da = da.assign_coords(percentile=levels)
    other = [d for d in da.dims if d not in ("year", "percentile")]
    stacked = da.stack(_panel=other) if other else da.expand_dims(_panel=[0])
    panels = min(stacked.sizes["_panel"], max_panels)
    ncols = min(panels, 2 if panels > 1 else 1)
    nrows = -(-panels // ncols)
    size = SIZE if panels == 1 else (4.2 * ncols, 2.8 * nrows + 0.4)
    fig, axes = _figure(ncols=ncols, nrows=nrows, size=size, sharex=True)
    scale, unit = _unit(da.attrs.get("units", ""), da.name or label)
    years = da["year"].values
    table = {}
    pairs = _bands(levels)
    for k, ax in enumerate(axes.ravel()):
        if k >= panels:
            ax.set_visible(False)
            continue
        one = stacked.isel(_panel=k)
        sel = {d: one[d].item() for d in other}
        name = _panel_label(sel) or (label or str(da.name or ""))
        values = {p: np.asarray(one.sel(percentile=p).transpose("year").values, float) * scale for p in levels}
        for i, (lo, hi) in enumerate(pairs):
            ax.fill_between(years, values[lo], values[hi], color=colour, alpha=0.12 + 0.12 * i, linewidth=0,
                            label=f"{lo}-{hi}th percentile")
        if 50 in values:
            ax.plot(years, values[50], color=colour, label=f"median ({legend})" if legend else "median")
        for p in levels:
            table[f"{name} p{p} ({unit})"] = pd.Series(values[p], index=pd.Index(years.astype(int), name="year"))
        if other:
            ax.set_title(name, fontsize=9)
        if unit == PERCENT:
            ax.yaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=None))
        ax.set_ylabel(unit if unit != PERCENT else "%")
        _year_axis(ax)
    if title:
        fig.suptitle(title, fontweight="bold")
    axes.ravel()[0].legend(loc="best")
    fig.plotted_data = pd.DataFrame(table)
    return fig


@_styled
def depletion_probability(stochastic) -> Figure:
    """Share of scenarios whose reserve is depleted in or before each year (%)."""
    ds = _dataset(stochastic)
    prob = ds["depletion_probability"]
    fig, axes = _figure()
    ax = axes[0, 0]
    years = prob["year"].values
    values = 100 * np.asarray(prob.values, float)
    ax.step(years, values, where="post", color=PALETTE[3], label="reserve depleted by the year")
    table = {"depleted by the year (% of scenarios)": pd.Series(values, index=pd.Index(years.astype(int),
                                                                                         name="year"))}
    ax.set_ylim(0, 100)
    _percent_axis(ax, "% of scenarios")
    _year_axis(ax)
    ax.set_title("Probability that the reserve is depleted")
    return _finish(fig, axes, table)


def _longest(da: xr.DataArray) -> xr.DataArray:
    """The last coordinate of every dimension but ``percentile``/``scenario`` (e.g. the longest horizon)."""
    return da.isel({d: -1 for d in da.dims if d not in ("percentile", "scenario")})


@_styled
def headline_distribution(stochastic, name: str = "actuarial_balance", values=None, bins: int = 20) -> Figure:
    """Histogram of a headline across scenarios (share of scenarios, %):
    from the per-scenario ``values`` when given (e.g. read from
    ``scenarios.zarr``), else from the ``/stochastic`` node's percentiles:
    the share of scenarios between consecutive percentiles spread evenly
    over that interval (below the lowest and above the highest percentile
    are not drawn). With extra dimensions (e.g. horizon), the last one."""
    ds = _dataset(stochastic)
    pct = _longest(ds[f"{name}_percentile"])
    scale, unit = _unit(pct.attrs.get("units", ""), name)
    fig, axes = _figure()
    ax = axes[0, 0]
    if values is not None:
        v = np.asarray(_longest(values).values if isinstance(values, xr.DataArray) else values, float) * scale
        v = v[np.isfinite(v)]
        counts, edges = np.histogram(v, bins=bins)
        share = 100 * counts / max(v.size, 1)
        source = f"{v.size} scenarios"
    else:
        levels = np.array([float(p) for p in pct["percentile"].values])
        edges = np.asarray(pct.values, float) * scale
        keep = np.isfinite(edges)
        edges, levels = edges[keep], levels[keep]
        share = np.diff(levels)  # % of scenarios in each interval
        source = "percentiles"
    widths = np.diff(edges)
    density = np.divide(share, widths, out=np.zeros_like(share, dtype=float), where=widths > 0)
    per = "percentage point" if unit == PERCENT else unit
    bars(ax, edges[:-1], density, width=widths, align="edge", color=PALETTE[0], alpha=0.8, edgecolor="white",
         label=f"from the {source} (area: share of scenarios)")
    table = pd.DataFrame({f"from ({unit})": edges[:-1], f"to ({unit})": edges[1:],
                          "share of scenarios (%)": share, f"% of scenarios per {per}": density})
    table.index = pd.Index(range(1, len(table) + 1), name="interval")
    if unit == PERCENT:
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=None))
    ax.set_xlabel(f"{name.replace('_', ' ')} ({unit})")
    ax.set_ylabel(f"% of scenarios per {per}")
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_title(f"Distribution of the {name.replace('_', ' ')}"
                 + "".join(f", {d} {pct[d].item()}" for d in pct.coords if d not in ("percentile",)
                           and pct[d].ndim == 0 and d in ds[f"{name}_percentile"].dims))
    return _finish(fig, axes, table)


CHARTS = {
    "population_pyramid": population_pyramid, "dependency_ratios": dependency_ratios,
    "cost_rate_vs_contribution": cost_rate_vs_contribution, "reserve_ratio": reserve_ratio,
    "injury_cost_rates": injury_cost_rates, "spf_cost_by_benefit": spf_cost_by_benefit,
    "coverage_vs_targets": coverage_vs_targets, "financing_mix": financing_mix, "debt_paths": debt_paths,
    "fan_chart": fan_chart, "depletion_probability": depletion_probability,
    "headline_distribution": headline_distribution,
}
