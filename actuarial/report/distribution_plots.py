"""Charts of the ``/distribution`` node: Lorenz curves, poverty before and
after the benefits by group, benefit incidence and coverage by decile. Each
figure carries ``plotted_data`` (the numbers it shows) like ``plots``'s."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from actuarial.report.plots import PALETTE, SIZE, _dataset, _figure, _percent_axis, _styled, bars

STATE_COLOUR = {"without": PALETTE[6], "with": PALETTE[0]}


def _one(data):
    """The node's Dataset (the first case when runs are compared)."""
    ds = _dataset(data)
    return ds.isel(case=0) if "case" in ds.dims else ds


@_styled
def lorenz_curves(distribution) -> Figure:
    """Lorenz curves of welfare per person without and with the benefits, the
    survey year and the last result year (all persons)."""
    ds = _one(distribution)
    years = sorted({int(ds["year"].values[0]), int(ds["year"].values[-1])})
    fig, axes = _figure(ncols=len(years), size=(SIZE[0], SIZE[1]), sharey=True)
    p = ds["population_share"].values
    table = {}
    for ax, year in zip(axes[0], years):
        ax.plot(100 * p, 100 * p, color="#bbbbbb", linewidth=1.0, label="equality")
        for state in ds["benefits"].values:
            curve = ds["lorenz"].sel(year=year, benefits=state, group="all").values
            gini = float(ds["gini"].sel(year=year, benefits=state, group="all"))
            ax.plot(100 * p, 100 * curve, color=STATE_COLOUR.get(str(state)), label=f"{state} benefits "
                    f"(Gini {gini:.3f})")
            table[f"{year} {state} (% of welfare)"] = 100 * curve
        ax.set_title(str(year))
        ax.set_xlabel("% of persons, poorest first")
        ax.legend(loc="upper left")
    _percent_axis(axes[0, 0], "% of welfare")
    fig.suptitle("Lorenz curves of welfare per person", fontweight="bold")
    fig.plotted_data = pd.DataFrame(table, index=pd.Index(np.round(100 * p, 1), name="% of persons"))
    return fig


@_styled
def poverty_by_group(distribution, line=None) -> Figure:
    """Poverty headcount (% of persons) without and with the benefits by group, each result year."""
    ds = _one(distribution)
    line = line or str(ds["line"].values[0])
    head = ds["poverty_headcount"].sel(line=line)
    groups = [str(g) for g in ds["group"].values]
    years = [int(y) for y in ds["year"].values]
    fig, axes = _figure(ncols=len(years), size=(SIZE[0] if len(years) == 1 else 4.4 * len(years), SIZE[1]),
                        sharey=True)
    x = np.arange(len(groups))
    table = {}
    for ax, year in zip(axes[0], years):
        for k, state in enumerate(ds["benefits"].values):
            values = 100 * head.sel(year=year, benefits=state).values
            bars(ax, x + (k - 0.5) * 0.4, values, width=0.4, color=STATE_COLOUR.get(str(state)),
                 label=f"{state} benefits")
            table[f"{year} {state} (%)"] = values
        ax.set_xticks(x, [g.replace("_", " ") for g in groups], rotation=35, ha="right")
        ax.set_title(str(year))
    _percent_axis(axes[0, 0], f"poor, % of persons ({line} line)")
    axes[0, -1].legend(loc="upper right")
    fig.suptitle(f"Poverty headcount by group, {line} line", fontweight="bold")
    fig.plotted_data = pd.DataFrame(table, index=pd.Index(groups, name="group"))
    return fig


@_styled
def incidence_by_decile(distribution, year=None) -> Figure:
    """Share of the benefits reaching each decile (bars) and the share of its
    persons living in a household that receives a benefit (line), all persons."""
    ds = _one(distribution)
    year = int(ds["year"].values[-1] if year is None else year)
    deciles = ds["decile"].values
    incidence = 100 * ds["incidence"].sel(year=year, group="all").values
    coverage = 100 * ds["coverage"].sel(year=year, group="all").values
    fig, axes = _figure(ncols=2, size=(SIZE[0], SIZE[1]))
    bars(axes[0, 0], deciles, incidence, color=PALETTE[0])
    axes[0, 0].set_title("benefit incidence (% of the benefits)")
    axes[0, 1].plot(deciles, coverage, marker="o", color=PALETTE[1])
    axes[0, 1].set_title("coverage (% of persons)")
    axes[0, 1].set_ylim(0, 100)
    for ax in axes[0]:
        ax.set_xticks(deciles)
        ax.set_xlabel("decile of welfare without benefits (1: poorest)")
    _percent_axis(axes[0, 0], "%")
    _percent_axis(axes[0, 1], "%")
    fig.suptitle(f"Incidence and coverage by decile, {year}", fontweight="bold")
    fig.plotted_data = pd.DataFrame({"incidence (%)": incidence, "coverage (%)": coverage},
                                    index=pd.Index(deciles, name="decile"))
    return fig


# -- captions (the report's text under each chart) ------------------------------------------------

def _basis(ds) -> str:
    return (f"Welfare per person ({ds.attrs.get('equivalence_scale', 'per_capita').replace('_', ' ')} scale) "
            f"at {ds.attrs.get('survey_year', '')} prices, {ds.attrs.get('take_up', 'expected')} take-up; "
            f"{ds.attrs.get('benefits_convention', '')}; {ds.attrs.get('weights', '')}")


def lorenz_caption(distribution) -> str:
    ds = _one(distribution)
    g = ds["gini"].sel(group="all")
    years = ", ".join(f"{int(y)}: {float(g.sel(year=y, benefits='without')):.3f} without, "
                      f"{float(g.sel(year=y, benefits='with')):.3f} with" for y in ds["year"].values)
    return f"Lorenz curves of all persons; Gini {years}. {_basis(ds)}."


def poverty_caption(distribution) -> str:
    ds = _one(distribution)
    head = ds["poverty_headcount"].sel(group="all")
    parts = [f"{line} line ({float(ds['poverty_line'].sel(line=line)):,.0f} a person a month) in "
             f"{int(y)}: {100 * float(head.sel(line=line, year=y, benefits='without')):.1f}% without, "
             f"{100 * float(head.sel(line=line, year=y, benefits='with')):.1f}% with"
             for line in ds["line"].values for y in ds["year"].values]
    return (f"Poverty headcount (FGT 0, share of persons below the line) by group: {'; '.join(parts)}. "
            f"{_basis(ds)}.")


def incidence_caption(distribution) -> str:
    ds = _one(distribution)
    year = int(ds["year"].values[-1])
    poorest = 100 * float(ds["incidence_poorest_20"].sel(year=year, group="all"))
    cost = ds[["survey_cost", "costing_cost"]].sel(year=year).sum("benefit")
    survey, costing = float(cost["survey_cost"]), float(cost["costing_cost"])
    return (f"Share of the benefits reaching each decile of persons by welfare without benefits ({year}; "
            f"{poorest:.1f}% reach the poorest 20%) and share of each decile living in a household that receives "
            f"at least one benefit. Cost on the survey {survey / 1e6:,.0f} m, demographic costing "
            f"{costing / 1e6:,.0f} m (difference {(survey - costing) / 1e6:+,.0f} m, "
            f"{100 * (survey / costing - 1):+.1f}%).")


# the report's charts: (id, title, variable needed, figure, caption) for actuarial.report.html
CHARTS = [
    ("distribution-poverty", "Poverty before and after the benefits, by group", "poverty_headcount",
     poverty_by_group, poverty_caption),
    ("distribution-lorenz", "Lorenz curves", "lorenz", lorenz_curves, lorenz_caption),
    ("distribution-incidence", "Incidence and coverage by decile", "incidence", incidence_by_decile,
     incidence_caption),
]
