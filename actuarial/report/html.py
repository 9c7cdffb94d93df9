"""``report.html``: a self-contained page of the charts of a run (or of
several runs side by side), each with a caption and the table of the numbers
it plots. Charts are embedded as base64 SVG images (their text kept as text)
and a Content-Security-Policy forbids any network request, so the page opens
offline in any browser.

``write_report(tree, path)`` reports one run; ``write_report({"base": t1,
"reform": t2}, path)`` compares runs (charts side by side, a table of
differences, also written as ``differences.csv`` beside the page). A section
is built for each results node present; charts whose variables are missing
are listed as skipped.
"""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import matplotlib
import numpy as np
import pandas as pd
import xarray as xr

from actuarial.errors import AssumptionError
from actuarial.output import atomic_path
from actuarial.report import distribution_plots as dp
from actuarial.report import plots
from actuarial.report import stochastic as st

TEMPLATES = Path(__file__).with_name("templates")
DPI = 96


@dataclass
class Chart:
    id: str
    title: str
    caption: str
    image: str = ""  # base64 SVG
    width: int = 0  # of the image, px
    table: str = ""  # HTML
    table_note: str = ""
    skipped: str = ""


@dataclass
class Section:
    id: str
    title: str
    charts: list = field(default_factory=list)
    note: str = ""
    table: str = ""  # HTML, shown before the charts


# -- helpers --------------------------------------------------------------------------------

def _central(da: xr.DataArray) -> xr.DataArray:
    return plots.central(da)


def _labels(trees: dict) -> list:
    return list(trees)


def shown(fmt: str, value) -> str:
    """``value`` in format ``fmt`` for captions: "–" when missing, never "nan" or "-0.00"."""
    value = float(value)
    return clean(fmt.format(value)) if np.isfinite(value) else "–"


def _years_text(da: xr.DataArray, scale=100.0, fmt="{:.1f}%", years=None) -> str:
    """'from 5.9% in 2025 to 33.4% in 2125' for each case."""
    da = _central(da)
    parts = []
    for case in plots._cases(da):
        one = plots._pick(da, case)
        ys = one["year"].values
        finite = np.isfinite(np.asarray(one.values, float))
        if finite.ndim == 1 and finite.any():  # e.g. no reserve ratio in the first year
            ys = ys[finite]
        y0, y1 = (int(ys[0]), int(ys[-1])) if years is None else years
        a, b = float(one.sel(year=y0)) * scale, float(one.sel(year=y1)) * scale
        text = f"from {shown(fmt, a)} in {y0} to {shown(fmt, b)} in {y1}"
        parts.append(text if case is None else f"{case}: {text}")
    return "; ".join(parts)


def year_step(years) -> int:
    """The report's one year step: every 5th year over horizons up to 50 years, every 10th beyond."""
    years = [int(y) for y in years]
    return 5 if not years or years[-1] - years[0] <= 50 else 10


def table_years(years, step: int | None = None, first: int | None = None) -> list[int]:
    """Years shown in the tables: ``first`` (default the first year) and every
    ``step``-th year after it (default :func:`year_step`), and the last year always."""
    years = [int(y) for y in years]
    step = year_step(years) if step is None else step
    first = years[0] if first is None else first
    chosen = [y for y in years if (y - first) % step == 0]
    if not chosen or chosen[-1] != years[-1]:
        chosen.append(years[-1])
    return chosen


def clean(text: str) -> str:
    """"-0.00" (a negative number rounded to zero) as "0.00"."""
    return text[1:] if text.startswith("-") and not any(c in "123456789" for c in text) else text


def column_format(values) -> Callable:
    """One number format for a column: no decimals with thousands separators
    when its largest magnitude is 1,000 or more, else two decimals; a missing
    value is "–" and a negative zero "0.00"."""
    v = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), float)
    finite = v[np.isfinite(v)]
    form = "{:,.0f}" if finite.size and np.abs(finite).max() >= 1000 else "{:,.2f}"

    def number(x) -> str:
        if x is None or x is pd.NA or (isinstance(x, (float, np.floating)) and not np.isfinite(x)):
            return "–"
        if isinstance(x, str):
            return x
        return clean(form.format(float(x)))

    return number


def formatted(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as text, one format per column (:func:`column_format`); a
    missing index value (e.g. no year for a GAP) is left blank."""
    columns = {}
    for c in frame.columns:
        number = column_format(frame[c])  # the column's one format, chosen once
        columns[c] = [number(x) for x in frame[c]]
    out = pd.DataFrame(columns, index=frame.index)
    if isinstance(out.index, pd.MultiIndex):
        out.index = pd.MultiIndex.from_arrays(
            [[("" if pd.isna(x) else x) for x in out.index.get_level_values(i)] for i in range(out.index.nlevels)],
            names=out.index.names)
    return out


def _breakable(html: str) -> str:
    """A table's column headers may wrap after their underscores (``<wbr>``)."""
    head, sep, rest = html.partition("</thead>")
    return head.replace("_", "_<wbr>") + sep + rest if sep else html


MAX_COLUMNS = 7  # a table of more columns is split into several, so that each fits an A4 page's width


def _step_note(step: int, first: int) -> str:
    return f"every {step}th year from {first} and the last year"


def html_table(frame: pd.DataFrame, year_rows: bool = True, step: int | None = None,
               first: int | None = None, classes: str = "data") -> tuple[str, str]:
    """The plotted numbers as HTML: rows every ``step``-th year from ``first``
    (the report's one step, :func:`year_step`) and the last year; one number
    format per column; more than ``MAX_COLUMNS`` columns are split into
    several tables (each with the rows' labels)."""
    note = ""
    if year_rows and frame.index.name == "year" and len(frame):
        years = [int(y) for y in frame.index]
        step = year_step(years) if step is None else step
        first = years[0] if first is None else first
        chosen = table_years(years, step, first)
        frame = frame.loc[[y for y in chosen if y in frame.index]]
        note = _step_note(step, first)
    frame = frame.dropna(how="all")
    text = formatted(frame)
    parts = [text.iloc[:, i:i + MAX_COLUMNS] for i in range(0, max(len(text.columns), 1), MAX_COLUMNS)]
    html = "\n".join(_breakable(part.to_html(border=0, classes=classes, justify="right")) for part in parts)
    return html, note


def _width(fig) -> int:
    """The chart's width on the page in CSS pixels (the figure's size at ``DPI``)."""
    return int(round(fig.get_size_inches()[0] * DPI))


# Text stays text (no glyph paths: smaller, sharp, selectable); ids from a fixed salt, so the same
# chart gives the same bytes.
SVG = {"svg.fonttype": "none", "svg.hashsalt": "actuarial"}


def _svg(fig) -> str:
    """The chart as an SVG document, base64 for an ``<img src="data:...">``: a vector image
    (no rasterising, no PNG encoding), without date or software metadata."""
    buffer = io.BytesIO()
    with matplotlib.rc_context(SVG):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


# -- the charts of each section ----------------------------------------------------------------

def _spec(id, title, needs, draw: Callable, caption: Callable):
    return dict(id=id, title=title, needs=needs, draw=draw, caption=caption)


def _pyramid_caption(d):
    total = d["population"].sum(("sex", "age"))
    ys = d["year"].values
    return (f"Population on 1 January of {int(ys[0])} and {int(ys[-1])}, by sex and 5-year age group "
            f"(thousands of persons; men to the left, women to the right). Total population "
            f"{_years_text(total, 1e-6, '{:.1f} million')}.")


def _dependency_caption(d):
    return ("Old-age dependency ratio: population 65+ / population 15-64 (working ages as in the "
            f"assumptions), {_years_text(d['old_age_dependency_ratio'])}. Child dependency ratio: population "
            "0-14 / 15-64. System dependency ratio (when the pension scheme is valued): pensioners / "
            "active contributors. All in %.")


def _cost_caption(p):
    if p.attrs.get("design") == "defined_contribution":  # individual accounts (pension_dc): no GAP
        return ("Individual accounts: payments out of the accounts (lump sums, annuity premiums, programmed "
                "withdrawals, balances of the deceased) / insurable earnings, "
                f"{_years_text(p['payg_cost_rate'], fmt='{:.2f}%')}, against the contribution rate; a funded "
                "scheme, so not a financing rate. % of insurable earnings.")
    text = ("PAYG cost rate = expenditure / insurable earnings, "
            f"{_years_text(p['payg_cost_rate'], fmt='{:.2f}%')}, against the legislated contribution rate. "
            "The general average premium (GAP) is the constant contribution rate that balances the present "
            "value of contributions plus the initial reserve with the present value of expenditure over "
            "the horizon" + _gap_target_text(p) + "; each GAP is drawn over its horizon. % of insurable earnings.")
    return text


def _gap_target_text(p) -> str:
    k = p["general_average_premium"].attrs.get("target_reserve_ratio", 0.0) if "general_average_premium" in p else 0
    return f" and of a reserve of {k:g} x the last year's expenditure at its end" if k else " (no reserve at its end)"


def _reserve_caption(p):
    if p.attrs.get("design") == "defined_contribution":
        return ("Account balances at 1 January / the year before's payments out of the accounts, in years of "
                f"payments, {_years_text(p['reserve_ratio'], 1.0, '{:.1f} years')}; the state's top-up to the "
                f"guaranteed minimum pension, {_years_text(p['state_top_up_gdp'], fmt='{:.2f}%')} of GDP.")
    text = ("Reserve ratio = reserve at 1 January / expenditure of the year before, in years of expenditure, "
            f"{_years_text(p['reserve_ratio'], 1.0, '{:.1f} years')}. The reserve is floored at zero: "
            "after depletion the state pays the deficit")
    if "deficit_after_depletion_gdp" in p:
        deficit, rate = (_central(p[k]) for k in ("deficit_after_depletion_gdp", "deficit_after_depletion_rate"))
        last = int(p["year"][-1])
        if deficit.ndim == 1 and float(deficit.max()) > 0:
            text += (f" ({shown('{:.2f}%', 100 * float(deficit.sel(year=last)))} of GDP, "
                     f"{shown('{:.2f}%', 100 * float(rate.sel(year=last)))} of insurable earnings, in {last})")
    text += "."
    if "depletion_year" in p:
        dep = p["depletion_year"]
        parts = []
        for case in plots._cases(dep):
            v = np.atleast_1d(plots._pick(dep, case).values).astype(float)
            finite = v[np.isfinite(v)]
            when = f"{np.median(finite):.0f}" if finite.size * 2 > v.size and finite.size else "none in the horizon"
            parts.append(when if case is None else f"{case}: {when}")
        text += " Depletion year (first year at whose end the reserve is exhausted): " + "; ".join(parts) + "."
    return text


def _injury_caption(e):
    return ("Cost of the employment-injury scheme as a % of insurable payroll under three financing "
            "methods: pay-as-you-go (benefits paid in the year), the assessment of constituent capitals "
            "(capital value of the pensions awarded in the year) and the general average premium.")


def _spf_cost_caption(s):
    text = ("Cost of each benefit of the social protection floor, administration included, as a % of GDP "
            "(stacked); the line is the whole package")
    if "package_cost_gdp" in s:
        text += f", {_years_text(s['package_cost_gdp'], fmt='{:.2f}%')}"
    return text + "."


def _coverage_caption(s):
    text = ("SDG indicator 1.3.1 series (UN metadata, ILO custodian), women and men, against the coverage "
            "targets (dotted: baseline, interim and target values, linear between). %.")
    if "indicator_definition" in s.coords:
        text += " " + "; ".join(f"{i}: {d}" for i, d in zip(s["indicator"].values, s["indicator_definition"].values))
        text += f". Overlaps: {s['coverage'].attrs.get('overlap_rule', '')}."
    return text


def _financing_caption(f, pension=None):
    text = ("Financing options that close the financing gap, stacked, % of GDP; the hatched grey band is the "
            "part of the gap no option finances (borrowed in the full-cost debt path)")
    if "financing_gap_gdp" in f:
        text += f"; financing gap {_years_text(f['financing_gap_gdp'], fmt='{:.2f}%')}"
        short = _central(plots.unfinanced_gdp(f))
        text += "; unfinanced " + (_years_text(short, fmt="{:.2f}%") if float(short.max()) > 0 else "in no year")
    starts = [(case, plots.subsidy_start(pension, case)) for case in plots._cases(f["financing"])]
    if pension is not None and any(year is not None for _, year in starts):
        text += ("; the dotted line marks the first year the state pays the pension deficit after the reserve's "
                 "depletion (pension subsidy): " + "; ".join(
                     (str(year) if year is not None else "none") if case is None else
                     f"{case}: {year if year is not None else 'none'}" for case, year in starts))
    return text + "."


def _debt_caption(f):
    text = ("General government debt, % of GDP, without the reform; with it at its full cost (what the "
            "financing plan does not finance is borrowed); and with the reform scaled back to what the plan "
            "finances")
    if "debt_above_threshold" in f and f["debt_above_threshold"].ndim == 2:
        above = f["debt_above_threshold"].sel(reform="with")
        limit = shown("{:.0f}%", 100 * above.attrs.get("threshold_gdp", np.nan))
        years = f["year"].values[np.asarray(above.values, bool)]
        text += (f". The {limit} of GDP ceiling is breached with the full cost from {int(years[0])}"
                 if years.size else f". The {limit} of GDP ceiling is not breached")
    if "debt_gdp_percentile" in f:
        text += ("; deterministic paths only: the fiscal stage's own macro-shock fan (fiscal_space.stochastic, "
                 "not the valuation's scenarios) is drawn apart under Fans")
    prob = f["debt_above_threshold_probability"] if "debt_above_threshold_probability" in f else None
    if prob is not None and prob.ndim == 1 and bool(prob.notnull().any()):
        p = prob.dropna("year")
        source = (f"over the {p.attrs.get('scenarios')} valuation scenarios"
                  if p.attrs.get("based_on") == "valuation_scenarios" else "over the fiscal stage's own paths")
        limit = shown("{:.0f}%", 100 * p.attrs.get("threshold_gdp", np.nan))
        text += (f". Probability that debt with the reform exceeds {limit} "
                 f"of GDP in {int(p['year'][-1])}: {shown('{:.1f}%', 100 * float(p[-1]))} ({source})")
    return text + "."


def _decomposition_caption():
    return ("Change in general government debt / GDP over each 10-year period, in points of GDP, split into "
            "the debt-creating flows of the IMF market-access DSA template: the effective interest rate "
            "d r/(1+n), the GDP deflator -d pi (1+g)/(1+n), real growth -d g/(1+n), the exchange rate "
            "d alpha e (1+r)/(1+n), the primary deficit, stock-flow adjustments and the residual; the "
            "marker is the total change.")


def _gfn_caption(f):
    g = f["gross_financing_needs_gdp"]
    text = ("Gross financing needs = interest + amortisation of maturing debt - primary balance + stock-flow "
            "adjustment (IMF market-access DSA), % of GDP, from the debt profile (fiscal_space.debt_profile)")
    if "reform" in g.dims and "case" not in g.dims:
        w = g.sel(reform="with")
        i = int(np.argmax(w.values))
        text += (f". With the reform at full cost they peak at {shown('{:.1f}%', 100 * float(w[i]))} of GDP in "
                 f"{int(g['year'][i])}")
    if "effective_interest_rate" in f:
        text += ("; the effective interest rate comes from the debt's structure (existing debt at its rate, new "
                 "borrowing at the marginal rates)")
    return text + "."


def _stress_caption(f):
    labels = f["stress_test"].attrs.get("long_name", "")
    return ("Gross public debt / GDP with the reform at full cost in the IMF market-access DSA's standard stress "
            f"tests (IMF 2013 guidance note), each a full path of the same debt recursion with shocked inputs: "
            f"{labels}. The dotted line is the heat map's debt benchmark.")


def _heat_caption(f):
    h = f["heat_map"]
    a = h.attrs
    bench = f"debt {100 * a['debt_benchmark_gdp']:.0f}% of GDP"
    if np.isfinite(a["gfn_benchmark_gdp"]):
        bench += f", gross financing needs {100 * a['gfn_benchmark_gdp']:.0f}% of GDP"
    group = (a["economy_group"] if a["framework"] == "mac_dsa"
             else f"{a['debt_carrying_capacity']} debt-carrying capacity")
    text = (f"Heat map with the reform at full cost ({a['framework']}, {group}): the peak of each indicator over "
            f"the first {a['heat_map_years']} projection years against the benchmark ({bench}); red if the "
            "baseline breaches it, yellow if only the stress test does, green otherwise (IMF 2013 guidance note)")
    if a["framework"] == "lic_dsf":
        text += "; the LIC-DSF benchmark is for the PV of debt, applied here to the nominal debt (no PV computed)"
    if "debt_profile_risk" in f:  # debt-profile indicators against their early-warning benchmarks
        from fiscal_space.stress_tests import debt_profile_text

        text += ". " + debt_profile_text(f)
    return text + "."


SECTIONS = [
    ("demography", "Demography", [
        _spec("pyramid", "Population pyramids", ["population"],
              lambda n: plots.population_pyramid(n["demography"]), lambda n: _pyramid_caption(n["demography"])),
        _spec("dependency", "Dependency ratios", ["old_age_dependency_ratio"],
              lambda n: plots.dependency_ratios(
                  n["demography"], n["pension"] if "system_dependency_ratio" in n.get("pension", {}) else None),
              lambda n: _dependency_caption(n["demography"])),
    ]),
    ("pension", "Pension scheme", [
        _spec("cost-rate", "PAYG cost rate, contribution rate and GAP", ["payg_cost_rate", "contribution_rate"],
              lambda n: plots.cost_rate_vs_contribution(n["pension"]), lambda n: _cost_caption(n["pension"])),
        _spec("reserve-ratio", "Reserve ratio", ["reserve_ratio"],
              lambda n: plots.reserve_ratio(n["pension"]), lambda n: _reserve_caption(n["pension"])),
    ]),
    ("employment_injury", "Employment injury", [
        _spec("injury-cost", "Cost rates by financing method", ["cost_rate"],
              lambda n: plots.injury_cost_rates(n["employment_injury"]),
              lambda n: _injury_caption(n["employment_injury"])),
    ]),
    ("spf", "Social protection floor", [
        _spec("spf-cost", "Cost by benefit (% of GDP)", ["cost_gdp"],
              lambda n: plots.spf_cost_by_benefit(n["spf"]), lambda n: _spf_cost_caption(n["spf"])),
        _spec("coverage", "Coverage against targets", ["coverage"],
              lambda n: plots.coverage_vs_targets(n["spf"]), lambda n: _coverage_caption(n["spf"])),
    ]),
    ("distribution", "Poverty and inequality (household survey)", [
        _spec(i, t, [v], lambda n, f=f: f(n["distribution"]), lambda n, c=c: c(n["distribution"]))
        for i, t, v, f, c in dp.CHARTS]),
    ("fiscal_space", "Fiscal space", [
        _spec("financing", "Financing mix", ["financing"],
              lambda n: plots.financing_mix(n["fiscal_space"], n.get("pension")),
              lambda n: _financing_caption(n["fiscal_space"], n.get("pension"))),
        _spec("debt", "Debt paths", ["debt_gdp"],
              lambda n: plots.debt_paths(n["fiscal_space"]), lambda n: _debt_caption(n["fiscal_space"])),
        _spec("debt-decomposition", "Debt-creating flows", ["debt_change_contribution"],
              lambda n: plots.debt_decomposition(n["fiscal_space"]), lambda n: _decomposition_caption()),
        _spec("gfn", "Gross financing needs", ["gross_financing_needs_gdp"],
              lambda n: plots.financing_needs(n["fiscal_space"]), lambda n: _gfn_caption(n["fiscal_space"])),
        _spec("stress-tests", "Debt under the standard stress tests", ["stress_debt_gdp"],
              lambda n: plots.stress_debt_paths(n["fiscal_space"]), lambda n: _stress_caption(n["fiscal_space"])),
        _spec("heat-map", "DSA heat map", ["heat_map"],
              lambda n: plots.heat_map(n["fiscal_space"]), lambda n: _heat_caption(n["fiscal_space"])),
    ]),
]


def node_datasets(trees: dict) -> dict:
    """Each node's Dataset: of the one run, or of the runs side by side on a
    ``case`` dimension (the runs that have the node, common years)."""
    from actuarial.pipeline import side_by_side

    names = [n for n, _, _ in SECTIONS] + ["labour", "economy"] + (["stochastic"] if len(trees) == 1 else [])
    out = {}
    for node in names:
        having = {k: t for k, t in trees.items() if node in t.children}
        if not having:
            continue
        if len(trees) == 1:
            out[node] = next(iter(having.values()))[node].to_dataset()
        else:
            out[node] = side_by_side(having, node)
    return out


def report_grid(trees: dict) -> tuple[int, int]:
    """The year grid of every table of the report: (step, first year), from the
    runs' common years (:func:`year_step`)."""
    years = common_years(trees) or sorted({int(y) for t in trees.values() for n in t.children
                                           if "year" in t[n].dims for y in t[n]["year"].values})
    years = years or [0]
    return year_step(years), years[0]


def build_sections(nodes: dict, grid=(None, None)) -> list[Section]:
    """A section per node present, a chart per spec; ``grid``: the tables' (step, first year)."""
    sections = []
    for node, title, specs in SECTIONS:
        if node not in nodes:
            continue
        section = Section(id=node, title=title)
        for spec in specs:
            chart = Chart(id=spec["id"], title=spec["title"], caption="")
            missing = [v for v in spec["needs"] if v not in nodes[node]]
            if missing:
                chart.skipped = f"not drawn: the results lack {', '.join(missing)}"
                section.charts.append(chart)
                continue
            fig = spec["draw"](nodes)
            chart.caption = spec["caption"](nodes)
            chart.image, chart.width = _svg(fig), _width(fig)
            frame = plots.plotted_data(fig)
            chart.table, chart.table_note = html_table(frame, True, *grid)
            section.charts.append(chart)
        if node == "fiscal_space" and "sustainability_gap" in nodes[node]:  # S1/S2 before the charts
            section.table, section.note = sustainability_table(nodes[node]), sustainability_note(nodes[node])
        sections.append(section)
    return sections


GAP_PARTS = {"initial_budgetary_position": "initial budgetary position", "debt_requirement": "debt requirement",
             "cost_of_ageing": "cost of ageing"}


def sustainability_table(f: xr.Dataset) -> str:
    """S1 and S2 without and with the reform and their components (IBP + DR + CoA = the gap), % of GDP
    (fiscal_space.sustainability_gaps), as HTML."""
    gap, comp = f["sustainability_gap"], f["sustainability_gap_component"]
    reforms = [r for r in ("without", "with") if r in gap["reform"].values]
    frame = comp.sel(reform=reforms).to_series().unstack("sustainability_component")[list(GAP_PARTS)]
    frame.insert(0, "gap", gap.sel(reform=reforms).to_series())
    frame = 100 * frame.rename(columns=GAP_PARTS).rename(columns=lambda c: f"{c} (% of GDP)")
    frame.index = frame.index.rename({"sustainability_indicator": "indicator"})
    return html_table(frame, year_rows=False)[0]


def sustainability_note(f: xr.Dataset) -> str:
    a = f["sustainability_gap"].attrs
    s2 = a.get("S2", "").replace("(NaN)", "(– in the table)")  # the page shows a missing number as –
    undefined = bool(f["sustainability_gap"].isnull().any()) and "not defined" not in s2
    return (f"Sustainability gaps: the permanent change of the primary balance / GDP needed (> 0: consolidation), "
            f"{a.get('convention', '')}; {a.get('S1', '')}; {s2}. The components sum to the gap; the "
            "cost of ageing is the change of age-related spending / GDP from the base year in the engine's own "
            "projections." + (" –: not defined (r - g <= 0 in the last year: the infinite-horizon sum "
                              "diverges)." if undefined else ""))


def criteria_text(f: xr.Dataset) -> str:
    """The fan's probabilistic criteria (fiscal_space.stochastic.probabilities), with their paths and years."""
    found = [f[n] for n in ("debt_declining_probability", "debt_below_threshold_probability")
             if n in f and f[n].ndim == 0]
    texts = [(da.attrs.get("long_name", da.name), shown("{:.1f}%", 100 * float(da))) for da in found]
    return "".join(f" {text[:1].upper()}{text[1:]}: {value}." for text, value in texts)


# -- a stochastic run: every fan, the depletion curve, the actuarial balance's distribution ---------------------

def _chart(id: str, title: str, fig, caption: str, grid=(None, None)) -> Chart:
    chart = Chart(id=id, title=title, caption=caption, image=_svg(fig), width=_width(fig))
    chart.table, chart.table_note = html_table(plots.plotted_data(fig), True, *grid)
    return chart


def _fan_caption(node: str, name: str, da: xr.DataArray, scenarios) -> str:
    levels = st.levels(da)
    bands = ", ".join(f"{lo}-{hi}th" for lo, hi in plots._bands(levels))
    unit = plots._unit(da.attrs.get("units", ""), name)[1]
    return (f"{da.attrs.get('long_name', name)}. Fan: {st.fan_label(node, name, da, scenarios)}; bands "
            f"{bands} percentiles, the line the median (node {node}, variable {name}; {unit}).")


def kept_scenarios(store, name: str):
    """Per-scenario values of headline ``name`` from a ``scenarios.zarr``
    store (any group holding ``name`` with a ``scenario`` dimension), or None
    (no store, zarr not installed, or no such variable)."""
    if store is None or not Path(store).exists():
        return None
    import warnings

    try:
        with warnings.catch_warnings():  # e.g. zarr's note on unconsolidated metadata
            warnings.simplefilter("ignore")
            tree = xr.open_datatree(store, engine="zarr")
            for node in tree.subtree:
                if name in node.data_vars and "scenario" in node[name].dims:
                    return node[name].load()
    except Exception:  # an unreadable store or zarr not installed: the chart uses the percentiles
        return None
    return None


def stochastic_sections(nodes: dict, attrs: dict, store=None, grid=(None, None)) -> list[Section]:
    """"Fans": a chart for every ``<name>_percentile(year, percentile, ...)`` in
    every node, labelled with what it comes from (the valuation's scenarios or
    the fiscal stage's macro shocks); "Stochastic valuation" (with a
    ``/stochastic`` node): the table of the headline distributions, the
    probability of depletion by year and the distribution of the actuarial
    balance (a histogram of the per-scenario values kept in ``store`` when
    there, else drawn from the node's percentiles)."""
    out = []
    fans = st.fan_variables(nodes)
    scenarios = attrs.get("scenarios")
    if fans:
        section = Section(id="fans", title="Fans")
        for node, name, da in fans:
            base = name[: -len("_percentile")]
            kind = "macro-shock fan" if st.fan_kind(node, name, da) == "macro_shock" else "valuation fan"
            fig = plots.fan_chart(da, title=f"{node}: {base.replace('_', ' ')} ({kind})", label=base,
                                  kind=st.fan_kind(node, name, da))
            caption = _fan_caption(node, name, da, scenarios)
            if name == "debt_gdp_percentile":  # the probabilistic criteria beside the macro-shock fan
                caption += criteria_text(nodes[node])
            section.charts.append(_chart(f"fan-{node}-{name}", f"{node}: {base} ({kind})", fig, caption, grid))
        out.append(section)
    if st.NODE in nodes:
        ds = nodes[st.NODE]
        table = st.headline_table(ds)
        section = Section(id="stochastic", title="Stochastic valuation",
                          note=f"{st.run_text(ds.attrs)}: distributions of the headline results across the "
                               "scenarios (share past: the share of scenarios past the threshold stated).")
        if len(table):
            text = st.display_table(table)
            text["rule"] = table["threshold rule"].values
            section.table = html_table(text, year_rows=False, classes="data headlines")[0]
        if "depletion_probability" in ds:
            never = ds.get("depletion_never_share")
            caption = ("Share of scenarios whose reserve is depleted in or before each year"
                       + (f"; never depleted within the horizon: {100 * float(never):.1f}% of scenarios"
                          if never is not None else "") + ".")
            section.charts.append(_chart("depletion-probability", "Probability of reserve depletion",
                                         plots.depletion_probability(ds), caption, grid))
        if "actuarial_balance_percentile" in ds:
            values = kept_scenarios(store, "actuarial_balance")
            source = (f"the per-scenario values kept in {Path(store).name}" if values is not None else
                      "the percentiles of the /stochastic node (the share of scenarios between two "
                      "percentiles spread evenly between them; the tails beyond the outer percentiles "
                      "are not drawn)")
            fig = plots.headline_distribution(ds, "actuarial_balance", values)
            caption = ("Distribution of the actuarial balance (summarized income rate minus summarized cost rate, "
                       f"% of insurable earnings) across the scenarios, drawn from {source}; the bars' areas are "
                       "shares of scenarios.")
            section.charts.append(_chart("balance-distribution", "Distribution of the actuarial balance", fig,
                                         caption, grid))
        out.append(section)
    return out


# -- metadata, key figures, differences -------------------------------------------------------

def metadata(trees: dict) -> pd.DataFrame:
    rows = {}
    for label, tree in trees.items():
        a = tree.attrs
        years = None
        if "demography" in tree.children:
            ys = tree["demography"]["year"].values
            years = f"{int(ys[0])}-{int(ys[-1])}"
        scen = tree["demography"].sizes.get("scenario", 1) if "demography" in tree.children else 1
        scen = int(a.get("scenarios", scen))  # a stochastic run: its scenario count and seed
        rows[label] = {"case": a.get("case", label), "country": a.get("country", ""),
                       "currency": a.get("currency", ""), "years": years or "",
                       "scenarios": scen, "seed": a.get("seed", "–") if scen > 1 else "–",
                       "engine version": a.get("engine_version", ""),
                       "assumptions hash": a.get("assumptions_hash", ""),
                       "assumptions file": Path(a.get("source", "")).name}
    return pd.DataFrame(rows)


def sources_table(trees: dict) -> pd.DataFrame | None:
    """The sources written beside assumption values (the results' ``sources`` attr:
    key path -> source), one column per run; None when no run names any."""
    columns = {label: json.loads(tree.attrs["sources"]) for label, tree in trees.items()
               if tree.attrs.get("sources")}
    if not columns:
        return None
    table = pd.DataFrame(columns).fillna("")
    table.index.name = "assumption"
    return table


def key_figures(trees: dict) -> pd.DataFrame | None:
    """Headline scalars of each run (pension metrics), as displayed."""
    rows = {}
    for label, tree in trees.items():
        if "pension" not in tree.children:
            continue
        p = tree["pension"].to_dataset()
        col = {}
        if "general_average_premium" in p:
            gap = _central(p["general_average_premium"])
            for h in gap["horizon"].values:
                col[f"GAP, {int(h)} years (% of insurable earnings)"] = shown("{:.2f}", 100 * float(gap.sel(horizon=h)))
        if "depletion_year" in p:
            v = np.atleast_1d(p["depletion_year"].values).astype(float)
            finite = v[np.isfinite(v)]
            col["reserve depletion year"] = (f"{np.median(finite):.0f}" if finite.size and finite.size * 2 > v.size
                                             else "none in the horizon")
        if "general_average_premium" in p and p["general_average_premium"].attrs.get("target_reserve_ratio"):
            col["GAP target reserve (years of the last year's expenditure)"] = \
                f"{p['general_average_premium'].attrs['target_reserve_ratio']:g}"
        for name, label_ in (("steady_state_rate", "steady-state contribution rate, CPP definition (%)"),
                             ("actuarial_balance", "actuarial balance, 75 years (% of insurable earnings)"),
                             ("accrued_liability_gdp", "accrued-to-date liability (% of GDP)")):
            if name in p:
                col[label_] = shown("{:.2f}", 100 * float(_central(p[name])))
        rows[label] = col
    return pd.DataFrame(rows) if rows else None


# (node, variable, selection, label, scale, unit)
DIFFERENCE_ROWS = [
    ("demography", "total_population", {}, "total population", 1e-6, "million"),
    ("demography", "old_age_dependency_ratio", {}, "old-age dependency ratio", 100, "%"),
    ("pension", "payg_cost_rate", {}, "PAYG cost rate", 100, "% of insurable earnings"),
    ("pension", "contribution_rate", {}, "contribution rate", 100, "% of insurable earnings"),
    ("pension", "reserve_ratio", {}, "reserve ratio", 1, "years of expenditure"),
    ("pension", "expenditure_gdp", {}, "pension expenditure", 100, "% of GDP"),
    ("employment_injury", "cost_rate", {"financing_method": "payg"}, "injury PAYG cost rate", 100,
     "% of insurable payroll"),
    ("spf", "package_cost_gdp", {}, "SPF package cost", 100, "% of GDP"),
    ("fiscal_space", "financing_gap_gdp", {}, "financing gap", 100, "% of GDP"),
    ("fiscal_space", "debt_gdp", {"reform": "with"}, "debt with the reform (full cost)", 100, "% of GDP"),
]


def differences_table(trees: dict) -> pd.DataFrame:
    """Key indicators of each case at every 5th or 10th common year, and each
    case minus the first (in the units shown)."""
    nodes = node_datasets(trees)
    labels = _labels(trees)
    step, first = report_grid(trees)
    records = []
    for node, var, sel, label, scale, unit in DIFFERENCE_ROWS:
        if node not in nodes or var not in nodes[node]:
            continue
        da = nodes[node][var]
        sel = {k: v for k, v in sel.items() if k in da.dims and v in da[k].values}
        da = _central(da.sel(sel)) * scale
        for year in table_years(da["year"].values, step, first):
            row = {"indicator": f"{label} ({unit})", "year": year}
            for case in labels:
                row[case] = float(da.sel(year=year, case=case)) if case in da["case"].values else np.nan
            records.append(row)
    if "pension" in nodes and "general_average_premium" in nodes["pension"]:
        gap = _central(nodes["pension"]["general_average_premium"]) * 100
        for h in gap["horizon"].values:
            row = {"indicator": f"GAP, {int(h)} years (% of insurable earnings)", "year": None}
            for case in labels:
                row[case] = float(gap.sel(horizon=h, case=case)) if case in gap["case"].values else np.nan
            records.append(row)
    frame = pd.DataFrame(records)
    frame["year"] = frame["year"].astype("Int64")
    frame = frame.set_index(["indicator", "year"])
    base = labels[0]
    for case in labels[1:]:
        frame[f"{case} - {base}"] = frame[case] - frame[base]
    return frame


def common_years(trees: dict) -> list[int]:
    sets = [set(t["demography"]["year"].values.tolist()) for t in trees.values() if "demography" in t.children]
    return sorted(set.intersection(*sets)) if sets else []


# -- the page ---------------------------------------------------------------------------------

def render(trees: dict, store=None) -> tuple[str, pd.DataFrame | None]:
    """The HTML page (and, when comparing, the table of differences);
    ``store``: a ``scenarios.zarr`` whose per-scenario values the charts use when it exists."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from actuarial.compare import only_in  # what only some of the compared cases have

    compare = len(trees) > 1
    nodes = node_datasets(trees)
    grid = report_grid(trees)
    sections = build_sections(nodes, grid)
    if not compare:  # a stochastic run: its fans and headline distributions
        sections += stochastic_sections(nodes, next(iter(trees.values())).attrs, store, grid)
    differences = differences_table(trees) if compare else None
    first = next(iter(trees.values())).attrs
    meta = metadata(trees)
    keys = key_figures(trees)
    sources = sources_table(trees)
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    title = (" vs ".join(str(k) for k in trees) + ": comparison") if compare else \
        f"{first.get('country', '')} ({first.get('case', '')}): actuarial valuation"
    page = env.get_template("report.html.j2").render(
        title=title, compare=compare, cases=list(trees), sections=sections,
        metadata=meta.to_html(border=0, classes="meta", header=compare),
        key_figures=keys.fillna("–").to_html(border=0, classes="meta", header=compare) if keys is not None else "",
        sources=(sources.to_html(border=0, classes="meta", header=compare) if sources is not None else ""),
        differences=(formatted(differences).to_html(border=0, classes="data") if differences is not None else ""),
        year_note=_step_note(*grid),
        only_in=only_in(trees) if compare else [],
        engine_version=first.get("engine_version", ""),
        plausibility_warnings=[(f"{label}: {w}" if compare else w) for label, t in trees.items()
                               for w in plausibility_warnings(t)],
    )
    return page, differences


def plausibility_warnings(tree) -> list[str]:
    """The run's plausibility warnings (``actuarial.checks``), from the tree's attrs."""
    found = tree.attrs.get("plausibility_warnings", [])
    return [found] if isinstance(found, str) else [str(w) for w in found]


def _normalise(tree_or_trees) -> dict:
    if isinstance(tree_or_trees, xr.DataTree):
        return {tree_or_trees.attrs.get("case", "run"): tree_or_trees}
    trees = dict(tree_or_trees)
    if not trees:
        raise ValueError("no results to report")
    return trees


def check_overlap(trees: dict) -> None:
    """Runs compared must share years; else an AssumptionError naming the file."""
    if len(trees) < 2:
        return
    items = [(k, t) for k, t in trees.items() if "demography" in t.children]
    common = None
    for i, (label, tree) in enumerate(items):
        ys = tree["demography"]["year"].values
        years = set(ys.tolist())
        if common is not None and not common & years:
            shared = ", ".join(k for k, _ in items[:i])
            raise AssumptionError(tree.attrs.get("source", label), "case",
                                  f"years that overlap those of {shared} ({min(common)}-{max(common)}) to "
                                  f"compare the runs; got {int(ys[0])}-{int(ys[-1])} (base_year and horizon)")
        common = years if common is None else common & years


def case_labels(assumptions: list) -> list[str]:
    """Labels of compared cases: their case names, or their file names when
    the case names repeat (a reform that extends a base without renaming it)."""
    names = [a.case.name for a in assumptions]
    if len(set(names)) == len(names):
        return names
    stems = [Path(a.source).stem for a in assumptions]
    if len(set(stems)) == len(stems):
        return stems
    raise AssumptionError(assumptions[-1].source, "case.name",
                          f"cases with different names to compare; got {', '.join(names)} more than once")


def check_case_years(assumptions: list, labels=None) -> None:
    """Before running: the compared cases' projection years must overlap."""
    labels = labels or [a.case.name for a in assumptions]
    years = set(assumptions[0].case.years.tolist())
    for i, a in enumerate(assumptions[1:], start=1):
        ys = a.case.years
        if not years & set(ys.tolist()):
            shared = "those of " + ", ".join(labels[:i])
            span = f"{min(years)}-{max(years)}" if years else "none"
            raise AssumptionError(a.source, "case.base_year",
                                  f"years that overlap {shared} ({span}) to compare the cases; got "
                                  f"{int(ys[0])}-{int(ys[-1])} (base_year and horizon)")
        years &= set(ys.tolist())


def refuse_existing(paths, force: bool) -> None:
    """An output that exists is overwritten only with ``--force``."""
    if force:
        return
    for path in paths:
        if Path(path).exists():
            raise AssumptionError(path, "--force", "the file exists; pass --force to overwrite it")


def write_report(tree_or_trees, path, force: bool = False) -> Path:
    """Write ``report.html`` for one results tree, or for a mapping
    ``{label: tree}`` of runs compared side by side (then also
    ``differences.csv`` beside it). Atomic: a failure leaves no file."""
    path = Path(path)
    trees = _normalise(tree_or_trees)
    csv = path.with_name("differences.csv") if len(trees) > 1 else None
    refuse_existing([p for p in (path, csv) if p is not None], force)
    check_overlap(trees)
    page, differences = render(trees, store=path.with_name("scenarios.zarr"))
    try:
        with atomic_path(path) as tmp:
            tmp.write_text(page, encoding="utf-8")
            if csv is not None:
                with atomic_path(csv) as tmp_csv:
                    differences.to_csv(tmp_csv)
    except OSError as exc:
        if csv is not None and not path.exists():
            csv.unlink(missing_ok=True)
        raise AssumptionError(path, "-o", f"cannot write the report ({exc.strerror or exc})") from None
    return path
