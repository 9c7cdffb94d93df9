"""The HTML report, its charts, ``actuarial compare`` and the assumptions template.

The browser test drives Debian's headless Chromium through the DevTools
protocol over a pipe (``--remote-debugging-pipe``: no extra Python package,
no browser download); it is skipped only when no chromium is installed
(``.ci/run`` installs it).
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import re
import select
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml
from matplotlib.figure import Figure

import actuarial
from actuarial.errors import AssumptionError
from actuarial.pipeline import side_by_side
from actuarial.report import plots
from actuarial.report.html import check_overlap, differences_table, write_report
from actuarial.report.template import template_text, write_template
from cli_helpers import one_error_line, run_cli

ROOT = Path(__file__).resolve().parents[1]
DEMOLAND = ROOT / "assumptions" / "demoland.yaml"
REFORM = ROOT / "assumptions" / "demoland_reform.yaml"
SHORT = {"case": {"horizon": 50}, "pension": {"horizons": [25, 50]}}  # >= employment_injury.gap_horizon


def child(folder: Path, parent: Path, name: str, body: dict) -> Path:
    """A YAML file that extends ``parent`` and overrides ``body``."""
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"extends": str(parent), **body}, sort_keys=False))
    return path


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# -- one short run, shared ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("cases")
    return {
        "base": child(folder, DEMOLAND, "short_base", {**SHORT, "case": {**SHORT["case"], "name": "short_base"}}),
        "reform": child(folder, REFORM, "short_reform",
                        {**SHORT, "case": {**SHORT["case"], "name": "short_reform"}}),
        "folder": folder,
    }


@pytest.fixture(scope="module")
def short_run(cases, tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    code, stdout, err = run_cli(["run", str(cases["base"]), "-o", str(out), "-q"])
    assert code == 0, err
    folder = out / "short_base"
    tree = xr.open_datatree(folder / "results.nc").load()
    return folder, tree


# -- synthetic Datasets for the nodes built elsewhere ----------------------------------------------

YEARS = np.arange(2025, 2046)


def _var(dims, values, units="1", long_name=""):
    return xr.Variable(dims, values, attrs={"units": units, "long_name": long_name})


def synthetic_injury() -> xr.Dataset:
    t = YEARS - YEARS[0]
    cost = np.stack([0.004 + 0.0002 * t, np.full(t.size, 0.011), np.full(t.size, 0.008)], axis=1)
    return xr.Dataset(
        {"cost_rate": _var(("year", "financing_method"), cost, long_name="cost rate"),
         "sector_rate": _var(("sector",), [0.005, 0.02, 0.01]),
         "expenditure": _var(("year", "benefit"), np.outer(1e9 * (1 + 0.05 * t), [0.5, 0.3, 0.2]), "currency/year"),
         "reserve": _var(("year",), 1e10 * (1 + 0.03 * t), "currency")},
        coords={"year": YEARS, "financing_method": ["payg", "constituent_capitals", "gap"],
                "sector": ["agriculture", "mining", "trade"], "benefit": ["temporary", "permanent", "survivors"]})


def synthetic_fiscal() -> xr.Dataset:
    t = YEARS - YEARS[0]
    gap = 0.01 + 0.0005 * t
    options = ["tax", "contributions", "reallocation", "borrowing"]
    financing = np.outer(gap, [0.4, 0.3, 0.2, 0.1])
    debt = np.stack([0.5 + 0.002 * t, 0.5 + 0.006 * t])
    percentiles = np.array([5, 10, 25, 50, 75, 90, 95])
    spread = np.array([-1.645, -1.28, -0.674, 0, 0.674, 1.28, 1.645])
    fan = debt[1][None, :] + np.outer(spread, 0.004 * t)
    return xr.Dataset(
        {"financing_gap_gdp": _var(("year",), gap), "financing": _var(("year", "option"), financing),
         "debt_gdp": _var(("reform", "year"), debt), "debt_gdp_percentile": _var(("percentile", "year"), fan)},
        coords={"year": YEARS, "option": options, "reform": ["without", "with"], "percentile": percentiles})


def stochastic_pension(n=40) -> xr.Dataset:
    rng = np.random.default_rng(1)
    t = YEARS - YEARS[0]
    cost = 0.06 + 0.003 * t[None, :] + 0.002 * np.cumsum(rng.normal(size=(n, t.size)), axis=1)
    ratio = 8 - 0.4 * t[None, :] + np.cumsum(rng.normal(size=(n, t.size)), axis=1)
    return xr.Dataset(
        {"payg_cost_rate": _var(("scenario", "year"), cost), "contribution_rate": _var(("year",), np.full(t.size, 0.12)),
         "reserve_ratio": _var(("scenario", "year"), ratio),
         "general_average_premium": _var(("scenario", "horizon"), 0.1 + 0.01 * rng.normal(size=(n, 2))),
         "depletion_year": _var(("scenario",), np.where(rng.random(n) < 0.7, 2040.0, np.nan), "year"),
         "system_dependency_ratio": _var(("scenario", "year"), 0.2 + 0.01 * t[None, :] + 0 * cost)},
        coords={"year": YEARS, "horizon": [10, 20], "scenario": np.arange(n)})


def _check_figure(fig, min_rows=1):
    assert isinstance(fig, Figure)
    table = plots.plotted_data(fig)
    assert len(table) >= min_rows and table.notna().any().any()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    assert buffer.getvalue().startswith(b"\x89PNG")
    return table


# -- charts ------------------------------------------------------------------------------------

def test_every_chart_of_a_real_run_returns_a_figure_with_its_numbers(short_run):
    _, tree = short_run
    demo, pension, spf = tree["demography"], tree["pension"], tree["spf"]
    pyramid = _check_figure(plots.population_pyramid(demo), 21)
    assert list(pyramid.columns) == ["2025 men (thousand)", "2025 women (thousand)", "2075 men (thousand)",
                                     "2075 women (thousand)"]
    total = demo["population"].isel(scenario=0).sel(year=2025).sum().item()
    assert pyramid.iloc[:, :2].to_numpy().sum() * 1e3 == pytest.approx(total)
    dep = _check_figure(plots.dependency_ratios(demo, pension), 51)
    np.testing.assert_allclose(dep["old-age dependency (65+ / 15-64) (%)"],
                               100 * demo["old_age_dependency_ratio"].isel(scenario=0).values)
    cost = _check_figure(plots.cost_rate_vs_contribution(pension))
    assert cost["GAP 25 years (%)"].dropna().index.tolist() == list(range(2025, 2051))
    assert cost["GAP 25 years (%)"].iloc[0] == pytest.approx(
        100 * pension["general_average_premium"].isel(scenario=0).sel(horizon=25).item())
    _check_figure(plots.reserve_ratio(pension))
    spf_cost = _check_figure(plots.spf_cost_by_benefit(spf))
    np.testing.assert_allclose(spf_cost["package (%)"], 100 * spf["package_cost_gdp"].isel(scenario=0).values)
    coverage = _check_figure(plots.coverage_vs_targets(spf))
    assert "children target (%)" in coverage and "old_age women (%)" in coverage


def test_charts_put_cases_side_by_side(short_run):
    _, tree = short_run
    trees = {"a": tree, "b": tree}
    pyramid = _check_figure(plots.population_pyramid(side_by_side(trees, "demography")))
    assert "2075 women, b (thousand)" in pyramid
    cost = _check_figure(plots.cost_rate_vs_contribution(side_by_side(trees, "pension")))
    assert {"PAYG cost rate, a (%)", "PAYG cost rate, b (%)"} <= set(cost.columns)
    spf = side_by_side(trees, "spf")
    fig = plots.spf_cost_by_benefit(spf)
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 2  # one panel per case
    _check_figure(fig)
    _check_figure(plots.coverage_vs_targets(spf))


def test_injury_chart_on_a_synthetic_node():
    table = _check_figure(plots.injury_cost_rates(synthetic_injury()), len(YEARS))
    assert set(table.columns) == {"PAYG cost rate (%)", "assessment of constituent capitals (%)",
                                  "general average premium (%)"}
    assert table["PAYG cost rate (%)"].iloc[0] == pytest.approx(0.4)  # fractions shown in percent


def test_fiscal_charts_with_a_fan_from_percentiles():
    """The deterministic debt chart draws the deterministic paths only (issue 16: the macro-shock fan
    comes from another model); the fan is its own chart, every percentile level in its table."""
    ds = synthetic_fiscal()
    mix = _check_figure(plots.financing_mix(ds), len(YEARS))
    assert mix["financing gap (%)"].iloc[0] == pytest.approx(1.0)
    debt = _check_figure(plots.debt_paths(ds))
    assert set(debt.columns) == {"debt, without reform (%)", "debt, with reform (full cost) (%)"}
    fan = _check_figure(plots.fan_chart(ds["debt_gdp_percentile"], label="debt"), len(YEARS))
    assert [c for c in fan.columns] == [f"debt p{p} (%)" for p in (5, 10, 25, 50, 75, 90, 95)]
    np.testing.assert_allclose(fan["debt p95 (%)"], 100 * ds["debt_gdp_percentile"].sel(percentile=95).values)
    assert (fan["debt p5 (%)"] <= fan["debt p95 (%)"]).all()


OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}  # Okabe & Ito 2008


def test_one_colour_per_sex_in_every_chart(short_run):
    """Men and women keep one colour each (plots.SEX_COLOURS, colour-blind-safe Okabe-Ito colours) in the
    pyramid and the coverage panels, of one run and of cases side by side (there cases differ by dashes)."""
    from matplotlib.colors import to_hex

    _, tree = short_run
    assert set(plots.SEX_COLOURS.values()) <= OKABE_ITO and len(set(plots.SEX_COLOURS.values())) == 2
    colour = {"men": plots.SEX_COLOURS["male"], "women": plots.SEX_COLOURS["female"]}

    def bars(fig):  # plots.bars: each series of bars is one PolyCollection, every bar of it one colour
        found = {}
        for ax in fig.axes:
            for c in ax.collections:
                faces = {to_hex(f).upper() for f in c.get_facecolor()}
                assert len(faces) == 1 and len(c.get_paths()) == len(plots.AGE_GROUPS)
                found[c.get_label()] = faces.pop()
        return found

    def lines(fig):
        return {(line.get_label(), to_hex(line.get_color()).upper()) for ax in fig.axes for line in ax.get_lines()
                if line.get_label().startswith(("men", "women"))}

    assert bars(plots.population_pyramid(tree["demography"])) == colour
    shown = lines(plots.coverage_vs_targets(tree["spf"]))
    assert shown == {(who, c) for who, c in colour.items()}
    pair = {"a": tree, "b": tree}
    shown = lines(plots.coverage_vs_targets(side_by_side(pair, "spf")))
    assert shown == {(f"{who}, {case}", c) for who, c in colour.items() for case in pair}
    pyramid = plots.population_pyramid(side_by_side(pair, "demography"))
    stairs = {(p.get_label(), to_hex(p.get_edgecolor()).upper()) for ax in pyramid.axes for p in ax.patches
              if p.get_label().startswith(("men", "women"))}
    assert stairs == {(f"{who}, {case}", c) for who, c in colour.items() for case in pair}


def test_financing_mix_draws_the_unfinanced_band_and_the_pension_subsidy_start():
    """The part of the gap no option finances is its own hatched band (gap minus the options' sum, or
    the fiscal stage's shortfall_gdp); the first year with deficit_after_depletion > 0 is marked."""
    ds = synthetic_fiscal()
    share = np.where(YEARS >= 2035, 0.75, 1.0)  # a quarter of the gap unfinanced from 2035
    ds["financing"] = ds["financing"] * xr.DataArray(share, dims="year", coords={"year": YEARS})
    gap = 0.01 + 0.0005 * (YEARS - YEARS[0])
    expected = 100 * gap * (1 - share)  # from the construction above, not from the engine
    deficit = np.where(YEARS >= 2038, 1e9, 0.0)
    pension = xr.Dataset({"deficit_after_depletion": (("year",), deficit)}, coords={"year": YEARS})
    fig = plots.financing_mix(ds, pension)
    table = _check_figure(fig, len(YEARS))
    np.testing.assert_allclose(table["unfinanced (borrowed) (%)"].to_numpy(), expected, atol=1e-12)
    ax = fig.axes[0]
    hatched = [c for c in ax.collections if c.get_hatch()]
    assert [c.get_label() for c in hatched] == ["unfinanced (borrowed)"]
    marks = [line for line in ax.get_lines() if line.get_label().startswith("pension subsidy")]
    assert [m.get_label() for m in marks] == ["pension subsidy from 2038"]
    assert marks[0].get_xdata()[0] == 2038
    assert plots.subsidy_start(pension.assign(deficit_after_depletion=0 * pension["deficit_after_depletion"])) is None
    # the fiscal stage's own shortfall when it has one
    own = ds.assign(shortfall_gdp=(("year",), np.full(YEARS.size, 0.002)))
    table = plots.plotted_data(plots.financing_mix(own))
    np.testing.assert_allclose(table["unfinanced (borrowed) (%)"].to_numpy(), 0.2)
    assert not [line for line in plots.financing_mix(own).axes[0].get_lines()
                if line.get_label().startswith("pension subsidy")]  # no pension node: no mark


def test_tables_have_one_format_per_column_and_one_year_grid():
    import pandas as pd

    from actuarial.report.html import formatted, html_table, table_years, year_step

    frame = pd.DataFrame({"big": [1500.2, 3.14159, -0.001, np.nan], "small": [0.5, -0.0001, -2.5, np.nan]},
                         index=pd.Index([2025, 2030, 2035, 2040], name="year"))
    text = formatted(frame)
    assert text["big"].tolist() == ["1,500", "3", "0", "–"]  # no decimals in a column reaching 1,000
    assert text["small"].tolist() == ["0.50", "0.00", "-2.50", "–"]  # never "-0.00", "nan" or "<NA>"
    assert year_step(range(2025, 2076)) == 5 and year_step(range(2025, 2126)) == 10
    assert table_years(range(2025, 2126)) == list(range(2025, 2126, 10))
    assert table_years(range(2030, 2047), 10, 2025) == [2035, 2045, 2046]  # the report's grid, and the last year
    long = pd.DataFrame({f"c{i}": np.arange(21.0) for i in range(16)}, index=pd.Index(range(2025, 2046), name="year"))
    html, note = html_table(long, True, 10, 2025)
    assert note == "every 10th year from 2025 and the last year"
    assert html.count("<table") == 3  # 16 columns: split into tables of at most 7
    assert [int(y) for y in re.findall(r"<th>(\d{4})</th>", html)] == [2025, 2035, 2045] * 3


def test_reserve_ratio_fan_is_in_years_of_expenditure():
    """The reserve ratio (units "1") is shown in years of expenditure, not in percent, also in its fan."""
    pct = xr.DataArray(np.outer([5, 50, 95], [8.0, 6.0]).astype(float) / 50, dims=("percentile", "year"),
                       coords={"percentile": [5, 50, 95], "year": [2025, 2026]}, name="reserve_ratio_percentile",
                       attrs={"units": "1"})
    table = plots.plotted_data(plots.fan_chart(pct, label="reserve_ratio"))
    assert list(table.columns) == [f"reserve_ratio p{p} (years of expenditure)" for p in (5, 50, 95)]
    assert table.iloc[0].tolist() == pytest.approx([0.8, 8.0, 15.2])  # not multiplied by 100


def test_stochastic_results_give_a_fan_around_the_median():
    ds = stochastic_pension()
    table = _check_figure(plots.cost_rate_vs_contribution(ds))
    median = 100 * ds["payg_cost_rate"].median("scenario").values
    np.testing.assert_allclose(table["PAYG cost rate (%) median"], median)
    assert (table["PAYG cost rate (%) p5"] <= table["PAYG cost rate (%) p25"]).all()
    assert (table["PAYG cost rate (%) p75"] <= table["PAYG cost rate (%) p95"]).all()
    _check_figure(plots.reserve_ratio(ds))


# -- the HTML page --------------------------------------------------------------------------------

def _with_nodes(tree: xr.DataTree, without=(), **nodes) -> xr.DataTree:
    data = {f"/{k}": tree[k].to_dataset() for k in tree.children if k not in without}
    data.update({f"/{k}": v for k, v in nodes.items()})
    out = xr.DataTree.from_dict(data)
    out.attrs.update(tree.attrs)
    return out


def test_run_writes_the_report_beside_results_and_summary(short_run):
    folder, tree = short_run
    assert files_under(folder) == ["report.html", "results.nc", "summary.xlsx"]
    html = (folder / "report.html").read_text()
    for text in ("Demography", "Pension scheme", "Social protection floor", tree.attrs["assumptions_hash"],
                 tree.attrs["engine_version"], "Demoland", "Population pyramids", "Coverage against targets"):
        assert text in html, text
    assert "Employment injury" not in html or "employment_injury" in tree.children
    text = re.sub(r"<[^>]+>", " ", re.sub(r'src="[^"]*"', "", html))
    assert not re.search(r"\bnan\b|\bNaN\b|&lt;NA&gt;|-0\.0+(?![0-9])", text)
    assert "years of expenditure" in text and "every 10th year from 2025 and the last year" not in text
    assert "every 5th year from 2025 and the last year" in text  # a 50-year run: every 5th year


def test_report_is_self_contained(short_run):
    folder, tree = short_run
    html = (folder / "report.html").read_text()
    fans = [n for k in tree.children for n in tree[k].data_vars if n.endswith("_percentile")]
    charts = 6 + ("employment_injury" in tree.children) + 2 * ("fiscal_space" in tree.children) + len(fans) \
        + 3 * ("distribution" in tree.children)  # the survey's poverty, Lorenz and incidence charts
    if "fiscal_space" in tree.children:  # the debt-creating flows; the GFN path with a debt profile
        charts += sum(v in tree["fiscal_space"].data_vars for v in ("debt_change_contribution",
                                                                     "gross_financing_needs_gdp",
                                                                     "stress_debt_gdp", "heat_map"))
    sources = re.findall(r'\bsrc="([^"]*)"', html)
    assert len(sources) == charts and all(s.startswith("data:image/svg+xml;base64,") for s in sources)
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert "default-src 'none'" in html  # the browser refuses any network request
    # each chart has a caption and the table of its numbers
    assert html.count("<figcaption>") == html.count("<img ") == html.count("Numbers plotted") == charts


def test_report_draws_nodes_that_appear_and_notes_missing_variables(short_run, tmp_path):
    _, tree = short_run
    full = _with_nodes(tree, employment_injury=synthetic_injury(), fiscal_space=synthetic_fiscal())
    path = write_report(full, tmp_path / "report.html")
    html = path.read_text()
    for title in ("Employment injury", "Cost rates by financing method", "Fiscal space", "Financing mix",
                  "Debt paths"):
        assert title in html
    survey = 3 * ("distribution" in tree.children)  # the survey's poverty, Lorenz and incidence charts
    assert html.count("<img ") == 10 + survey  # and the fiscal stage's macro-shock fan (debt_gdp_percentile)
    assert "fiscal_space: debt_gdp (macro-shock fan)" in html
    partial = _with_nodes(tree, without=["employment_injury"],
                          fiscal_space=synthetic_fiscal().drop_vars("financing"))
    html = write_report(partial, tmp_path / "partial.html").read_text()
    assert "not drawn: the results lack financing" in html and "Employment injury" not in html


def _drawn_texts(ax) -> list:
    """The texts a panel draws: the tick labels of the ticks in view, axis labels, title, legend, annotations."""
    texts = [ax.xaxis.label, ax.yaxis.label, ax.title, *ax.texts]
    for axis in (ax.xaxis, ax.yaxis):
        low, high = sorted(axis.get_view_interval())
        span = 1e-9 * max(abs(low), abs(high), 1.0)
        texts += [tick.label1 for tick, loc in zip(axis.get_major_ticks(), axis.get_majorticklocs())
                  if low - span <= loc <= high + span and tick.label1.get_visible()]
    texts = [t for t in texts if t.get_visible() and t.get_text()]
    return texts + ([ax.get_legend()] if ax.get_legend() is not None else [])


def _texts_fit(fig) -> list[str]:
    """What does not fit, drawn with Agg: each text of each panel (tick labels, axis labels, title,
    legend) and the suptitle must lie inside the figure, and no panel's text may reach into another
    panel's plotting area."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    page = fig.bbox.padded(1)  # 1 px of rounding
    axes = [ax for ax in fig.axes if ax.get_visible()]
    problems = []
    texts = [(f"{ax.get_title() or f'panel {i}'}: {getattr(t, 'get_text', lambda: 'legend')()}", ax, t)
             for i, ax in enumerate(axes) for t in _drawn_texts(ax)]
    if fig._suptitle is not None:
        texts.append(("suptitle", None, fig._suptitle))
    for name, ax, text in texts:
        box = text.get_window_extent(renderer)
        if box.x0 < page.x0 or box.y0 < page.y0 or box.x1 > page.x1 or box.y1 > page.y1:
            problems.append(f"{name} outside the figure")
        problems += [f"{name} over {other.get_title() or 'another panel'}" for other in axes
                     if other is not ax and box.overlaps(other.bbox.shrunk(0.99, 0.99))]
    return problems


def test_every_chart_fits_its_figure(short_run):
    """Every chart of the report (single run, cases side by side, a fan, the synthetic injury and
    fiscal nodes), laid out without a layout engine, keeps its texts inside the figure and off the
    other panels."""
    from actuarial.report import html

    _, tree = short_run
    full = _with_nodes(tree, employment_injury=synthetic_injury(), fiscal_space=synthetic_fiscal())
    figures = {}
    for label, trees in (("run", {"run": full}), ("cases", {"a": full, "b": full})):
        nodes = html.node_datasets(trees)
        for node, _, specs in html.SECTIONS:
            for spec in specs:
                if node in nodes and all(v in nodes[node] for v in spec["needs"]):
                    figures[f"{label}: {spec['id']}"] = spec["draw"](nodes)
    figures["fan"] = plots.fan_chart(synthetic_fiscal()["debt_gdp_percentile"], title="debt (fan)")
    figures["stochastic"] = plots.cost_rate_vs_contribution(stochastic_pension())
    assert len(figures) >= 20
    problems = {name: found for name, fig in figures.items() if (found := _texts_fit(fig))}
    assert problems == {}


def test_fit_check_catches_clipped_and_overlapping_texts():
    """The check above is not vacuous: a y label pushed out of the figure and a panel's tick labels
    drawn over its neighbour are reported."""
    fig = Figure(figsize=(4, 3))
    left, right = fig.subplots(1, 2)
    left.set_ylabel("a label far out", labelpad=80)
    right.set_yticks([0, 1], ["a long tick label", "another long one"])
    fig.subplots_adjust(left=0.05, wspace=0.05)
    found = _texts_fit(fig)
    assert {"panel 0: a label far out outside the figure", "panel 1: a long tick label over another panel",
            "panel 1: another long one over another panel"} <= set(found)
    plots.fit(fig)  # the same figure laid out by the report's layout: everything fits
    assert _texts_fit(fig) == []


def test_report_charts_are_svg_with_text_and_the_page_is_reproducible(short_run, tmp_path):
    """Charts are embedded as SVG whose text stays text (no glyph outlines), without a date; two
    writes of the same results give the same bytes."""
    _, tree = short_run
    first = write_report(tree, tmp_path / "a.html").read_bytes()
    assert write_report(tree, tmp_path / "b.html").read_bytes() == first
    sources = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]*)" alt="([^"]+)"', first.decode())
    assert len(sources) >= 8
    for data, alt in sources:
        svg = base64.b64decode(data).decode("utf-8")
        assert svg.startswith("<?xml") and "<svg" in svg, alt
        assert "<text" in svg and "DejaVuSans-" not in svg, alt  # text as text, no glyph paths
        assert "<dc:date>" not in svg and "Matplotlib v" not in svg, alt


def test_write_report_refuses_to_overwrite_without_force(short_run, tmp_path):
    _, tree = short_run
    path = tmp_path / "report.html"
    path.write_text("old")
    with pytest.raises(AssumptionError, match="--force"):
        write_report(tree, path)
    assert path.read_text() == "old"
    write_report(tree, path, force=True)
    assert path.read_text().startswith("<!DOCTYPE html>")


# -- the browser test -----------------------------------------------------------------------------

def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


class Chromium:
    """Headless Chromium driven through the DevTools protocol over a pipe:
    the browser reads commands on fd 3 and answers on fd 4, NUL-separated JSON."""

    def __init__(self, binary: str, profile: Path, timeout: float = 60.0):
        self.timeout = timeout
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()

        def to_fds_3_and_4():  # in the child, before exec
            import fcntl

            a, b = (fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser_r, from_browser_w))
            os.dup2(a, 3)
            os.dup2(b, 4)

        args = [binary, "--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check", "--disable-dev-shm-usage", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--hide-scrollbars",
                # no network at all: any request that is not file: or data: fails and is logged
                "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
                f"--user-data-dir={profile}", "--window-size=1280,900", "about:blank"]
        self.proc = subprocess.Popen(args, pass_fds=(3, 4), preexec_fn=to_fds_3_and_4,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.out, self.inp = to_browser_w, from_browser_r
        self.buffer, self.last_id, self.events = b"", 0, []

    def _message(self) -> dict:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.inp], [], [], left)[0]:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self.inp, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium exited: " + self.proc.stderr.read().decode(errors="replace")[-1500:])
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, session: str | None = None, **params):
        self.last_id += 1
        message = {"id": self.last_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.out, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._message()
            if reply.get("id") == self.last_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, method: str) -> dict:
        while True:
            for i, event in enumerate(self.events):
                if event.get("method") == method:
                    return self.events.pop(i)
            self.events.append(self._message())

    def open(self, url: str) -> str:
        """A new tab on ``url``; returns its session once the page has loaded."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session)
        self.events.clear()
        self.send("Page.navigate", session, url=url)
        self.wait_for("Page.loadEventFired")
        return session

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and failed loads seen so far."""
        out = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                out.append(params["exceptionDetails"].get("text", "exception"))
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                out.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                out.append(params["entry"].get("text", "") + " " + params["entry"].get("url", ""))
            elif method == "Network.loadingFailed":
                out.append(f"load failed: {params.get('errorText')}")
        return out

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def evaluate(self, session: str, expression: str):
        return self.send("Runtime.evaluate", session, expression=expression, returnByValue=True)["result"]["value"]

    def screenshot(self, session: str, path: Path) -> None:
        size = self.send("Page.getLayoutMetrics", session)["cssContentSize"]
        shot = self.send("Page.captureScreenshot", session, format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1})
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.send("Browser.close")
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.out)
        os.close(self.inp)
        self.proc.stderr.close()


IMAGES = "JSON.stringify(Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth]))"

# Every table that does not show in full: scrolled or cut inside its box, wider than its column or the page,
# or a cell whose content overflows it; named by the heading above it.
CLIPPED = """JSON.stringify(Array.from(document.querySelectorAll('table')).filter(t => {
  const box = t.parentElement, r = t.getBoundingClientRect(), b = box.getBoundingClientRect();
  const page = document.documentElement.clientWidth;
  const cells = Array.from(t.querySelectorAll('th, td')).some(c => c.scrollWidth > c.clientWidth + 1);
  return t.scrollWidth > t.clientWidth + 1 || r.right > b.right + 1
         || (box !== document.body && box.scrollWidth > box.clientWidth + 1)
         || r.right > page + 1 || cells;
}).map(t => { let h = t; while (h && !/^H[23]$/.test(h.tagName)) h = h.previousElementSibling || h.parentElement;
              return (h ? h.textContent : '?') + ': ' + t.getBoundingClientRect().width.toFixed(0) + ' px'; })
  .concat(document.documentElement.scrollWidth > document.documentElement.clientWidth + 1
          ? ['page: ' + document.documentElement.scrollWidth + ' px wide'] : []))"""
# text no caption or table may show
BAD_TEXT = re.compile(r"\bnan\b|\bNaN\b|<NA>|-0\.0+(?![0-9])|\bNone\b")
A4_WIDTH_PX = round(186 / 25.4 * 96)  # A4 (210 mm) less the report's 12 mm page margins, at 96 px per inch


def layout_problems(browser, session) -> dict:
    """The page's tables that are clipped on a 1400-px screen and in print
    media at A4 width, and any "nan"/"<NA>"/"-0.00" in its text."""
    out = {}
    for media, width in (("screen", 1400), ("print", A4_WIDTH_PX)):
        browser.send("Emulation.setEmulatedMedia", session, media=media)
        browser.send("Emulation.setDeviceMetricsOverride", session, width=width, height=900, deviceScaleFactor=1,
                     mobile=False)
        out[media] = json.loads(browser.evaluate(session, CLIPPED))
    out["bad text"] = BAD_TEXT.findall(browser.evaluate(session, "document.body.innerText"))
    browser.send("Emulation.clearDeviceMetricsOverride", session)
    browser.send("Emulation.setEmulatedMedia", session, media="")
    return out


def print_to_pdf(browser, session, path: Path) -> int:
    """Chromium's print to PDF on A4 (the page's @page rules); returns the number of pages."""
    pdf = base64.b64decode(browser.send("Page.printToPDF", session, paperWidth=8.27, paperHeight=11.69,
                                        preferCSSPageSize=True, printBackground=True)["data"])
    path.write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    binary = _chromium()
    if binary is None:
        pytest.skip("headless Chromium is not installed (apt-get install chromium; .ci/run installs it)")
    chromium = Chromium(binary, tmp_path_factory.mktemp("chromium-profile"))
    yield chromium
    chromium.close()


def test_report_renders_in_headless_chromium(browser, short_run, tmp_path):
    _, tree = short_run
    full = _with_nodes(tree, employment_injury=synthetic_injury(), fiscal_space=synthetic_fiscal())
    page = write_report(full, tmp_path / "report.html")
    session = browser.open(page.as_uri())
    images = json.loads(browser.evaluate(session, IMAGES))
    survey = 3 * ("distribution" in tree.children)  # the survey's poverty, Lorenz and incidence charts
    assert len(images) == 10 + survey  # with the macro-shock fan's own chart
    assert all(complete and width > 0 for _, complete, width in images), images
    assert browser.errors() == []
    assert all(url.startswith(("file:", "data:")) for url in browser.requests())
    charts = "Array.from(document.querySelectorAll('.chart')).map(c => c.querySelectorAll('table.data').length)"
    tables = browser.evaluate(session, f"JSON.stringify({charts})")
    assert len(json.loads(tables)) == 10 + survey and min(json.loads(tables)) >= 1  # each chart with its numbers
    browser.screenshot(session, tmp_path / "report.png")
    assert (tmp_path / "report.png").read_bytes().startswith(b"\x89PNG")
    # issue 18: every table in full on a 1400-px screen and in print (A4), no "nan"/"-0.00"; print to PDF
    assert layout_problems(browser, session) == {"screen": [], "print": [], "bad text": []}
    sections = browser.evaluate(session, "document.querySelectorAll('h2').length")
    assert print_to_pdf(browser, session, tmp_path / "report.pdf") >= sections  # a page break before each


def test_layout_check_catches_clipped_tables_and_bad_text(browser, tmp_path):
    """The layout check is not vacuous: the old report's scrolling table box, a table wider than the
    A4 page and "nan"/"-0.00" text are each reported."""
    row = "".join(f"<td>{i:,}.00</td>" for i in range(1000, 1030))
    bad = tmp_path / "clipped.html"
    bad.write_text(f'<!DOCTYPE html><html><body><h3>boxed</h3><div style="max-width:300px;overflow:auto">'
                   f'<table><tr><td>1</td>{row}</tr></table></div><h3>wide</h3><div><table><tr>{row}{row}</tr>'
                   '</table></div><p>GAP nan%, balance -0.00%</p></body></html>')
    session = browser.open(bad.as_uri())
    found = layout_problems(browser, session)
    assert [p.split(":")[0] for p in found["screen"]] == ["boxed", "wide", "page"]  # and the page scrolls
    assert [p.split(":")[0] for p in found["print"]] == ["boxed", "wide", "page"]
    assert found["bad text"] == ["nan", "-0.00"]


def test_browser_check_catches_a_broken_page(browser, tmp_path):
    """The checks above are not vacuous: an external image fails and is reported."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><body><img alt="x" src="https://example.invalid/x.png"></body></html>')
    session = browser.open(bad.as_uri())
    images = json.loads(browser.evaluate(session, IMAGES))
    assert images[0][2] == 0
    assert browser.errors() != []


# -- the command line: --force, failures, compare, template -----------------------------------------

def test_existing_outputs_need_force_and_are_refused_before_computing(short_run, cases, monkeypatch):
    folder, _ = short_run
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}

    def no_run(*args, **kwargs):
        raise AssertionError("computed although the outputs exist")

    monkeypatch.setattr("actuarial.pipeline.run", no_run)
    line = one_error_line(*run_cli(["run", str(cases["base"]), "-o", str(folder.parent), "-q"]))
    assert "--force" in line and str(folder) in line
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before


def test_force_overwrites_and_a_failed_report_leaves_nothing(cases, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert run_cli(["run", str(cases["base"]), "-o", str(out), "-q", "--no-report"])[0] == 0
    folder = out / "short_base"
    assert files_under(folder) == ["results.nc", "summary.xlsx"]
    old = {p.name: p.read_bytes() for p in folder.iterdir()}

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("actuarial.report.html.render", broken)
    line = one_error_line(*run_cli(["run", str(cases["base"]), "-o", str(out), "-q", "--force"]))
    assert "cannot write" in line and "No space left" in line
    # the earlier run's files are untouched, no temporary file is left
    assert files_under(folder) == ["results.nc", "summary.xlsx"]
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == old
    monkeypatch.undo()
    fresh = tmp_path / "fresh"
    monkeypatch.setattr("actuarial.report.html.render", broken)
    one_error_line(*run_cli(["run", str(cases["base"]), "-o", str(fresh), "-q"]))
    assert files_under(fresh) == []
    monkeypatch.undo()
    assert run_cli(["run", str(cases["base"]), "-o", str(out), "-q", "--force"])[0] == 0
    assert files_under(folder) == ["report.html", "results.nc", "summary.xlsx"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_output_folder_is_a_clear_error(cases, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        line = one_error_line(*run_cli(["run", str(cases["base"]), "-o", str(locked / "out"), "-q"]))
        assert "not writable" in line and str(locked) in line
    finally:
        locked.chmod(0o755)


def test_compare_writes_a_side_by_side_report_and_differences(cases, tmp_path):
    code, out, err = run_cli(["compare", str(cases["base"]), str(cases["reform"]), "-o", str(tmp_path)])
    assert code == 0, err
    folder = tmp_path / "compare_short_base_vs_short_reform"
    # each case's own results beside the comparison (issue 18)
    assert files_under(folder) == ["differences.csv", "report.html", "short_base/results.nc",
                                   "short_reform/results.nc"]
    assert str(folder / "report.html") in out
    html = (folder / "report.html").read_text()
    assert "Differences" in html and "short_reform - short_base" in html
    assert all(s.startswith("data:image/svg+xml;base64,") for s in re.findall(r'\bsrc="([^"]*)"', html))
    import pandas as pd

    diff = pd.read_csv(folder / "differences.csv", index_col=[0, 1])
    rate = diff.loc[("contribution rate (% of insurable earnings)", 2035)]
    assert rate["short_base"] == pytest.approx(12.0) and rate["short_reform"] == pytest.approx(15.0)
    assert rate["short_reform - short_base"] == pytest.approx(3.0)
    # a second comparison into the same folder needs --force
    line = one_error_line(*run_cli(["compare", str(cases["base"]), str(cases["reform"]), "-o", str(tmp_path)]))
    assert "--force" in line
    assert run_cli(["compare", str(cases["base"]), str(cases["reform"]), "-o", str(tmp_path), "--force",
                    "-q"])[0] == 0


def test_compare_cases_whose_years_do_not_overlap_is_an_error(cases, tmp_path, monkeypatch):
    late = child(tmp_path, DEMOLAND, "late", {"case": {"name": "late", "base_year": 2080, "horizon": 50},
                                              "pension": {"horizons": [25, 50]},
                                              "spf": {"report_years": [2080],
                                                      "coverage_targets": {"children": {2080: 0.3, 2085: 0.9},
                                                                           "old_age": {2080: 0.4, 2085: 0.8}}},
                                              "distribution": {"survey": {"year": 2080}, "years": [2085]}})
    monkeypatch.setattr("actuarial.pipeline.run", lambda *a, **k: pytest.fail("ran before checking the years"))
    line = one_error_line(*run_cli(["compare", str(cases["base"]), str(late), "-o", str(tmp_path / "out")]))
    assert str(late) in line and "case.base_year" in line and "overlap" in line
    assert "2025-2075" in line and "2080-2130" in line
    assert files_under(tmp_path / "out") == []


def test_check_overlap_on_result_trees():
    def tree(first, n, name):
        ds = xr.Dataset(coords={"year": np.arange(first, first + n)})
        t = xr.DataTree.from_dict({"/demography": ds})
        t.attrs.update(case=name, source=f"{name}.yaml")
        return t

    check_overlap({"a": tree(2025, 10, "a"), "b": tree(2030, 10, "b")})
    with pytest.raises(AssumptionError, match="b.yaml: case: .*2025-2034.*2040-2049"):
        check_overlap({"a": tree(2025, 10, "a"), "b": tree(2040, 10, "b")})


def test_differences_of_a_run_with_itself_are_zero(short_run):
    _, tree = short_run
    diff = differences_table({"x": tree, "y": tree})
    assert (diff["y - x"].fillna(0).abs() < 1e-12).all()  # NaN: e.g. no reserve ratio in the base year
    assert ("PAYG cost rate (% of insurable earnings)", 2055) in diff.index


def test_template_is_written_once_and_runs_as_it_is(tmp_path):
    """The template is generated from the schema with Demoland's values (so its population
    is Demoland's 30 million and its horizon Demoland's 100 years, and it has every section);
    it runs as written, on a short horizon given by --set."""
    path = tmp_path / "country.yaml"
    code, out, err = run_cli(["assumptions", "template", "-o", str(path)])
    assert code == 0, err
    assert path.read_text() == template_text()
    assert "REPLACE" in path.read_text()
    line = one_error_line(*run_cli(["assumptions", "template", "-o", str(path)]))
    assert "--force" in line and str(path) in line
    assert write_template(path, force=True) == path
    a = actuarial.load_assumptions(path)
    assert (a.case.name, a.case.horizon) == ("new_country", 100)
    assert None not in (a.pension, a.spf, a.employment_injury, a.stochastic, a.fiscal_space)
    total = a.demography.base_population.female.sum() + a.demography.base_population.male.sum()
    assert 29e6 < total < 31e6
    code, out, err = run_cli(["run", str(path), "-o", str(tmp_path / "out"), "-q",
                              "--set", "case.horizon=50", "--set", "pension.horizons=[25, 50]"])
    assert code == 0, err
    assert files_under(tmp_path / "out") == ["new_country/report.html", "new_country/results.nc",
                                             "new_country/summary.xlsx"]


def test_unwritable_output_folder_is_refused_before_computing(cases, tmp_path, monkeypatch):
    """As root every folder is writable, so the permission answer is simulated."""
    monkeypatch.setattr("actuarial.pipeline.run", lambda *a, **k: pytest.fail("computed before checking"))
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    line = one_error_line(*run_cli(["run", str(cases["base"]), "-o", str(tmp_path / "out"), "-q"]))
    assert "cannot write results" in line and "not writable" in line and str(tmp_path) in line
    assert files_under(tmp_path) == []


# -- a stochastic run in the browser: every fan drawn -----------------------------------------------------

@pytest.fixture(scope="module")
def stochastic_run(tmp_path_factory):
    """A 20-scenario Demoland run in the issue-16 layout (tests/stoch_tree.py)."""
    from actuarial.assumptions import load_assumptions
    from stoch_tree import stochastic_tree

    folder = tmp_path_factory.mktemp("stochastic_report")
    path = child(folder, DEMOLAND, "short_stochastic", {
        **SHORT, "case": {**SHORT["case"], "name": "short_stochastic"}, "employment_injury": {"gap_horizon": 50},
        "pension": {**SHORT["pension"], "contribution_rate": 0.109},
        "stochastic": {"percentiles": [5, 10, 25, 50, 75, 90, 95]}})
    tree, _ = stochastic_tree(load_assumptions(path), 20)
    return tree


FANS = """JSON.stringify(Array.from(document.querySelectorAll('h3[id^="fan-"]')).map(h => {
  const el = h.nextElementSibling; const img = el && el.querySelector('img');
  const rect = img ? img.getBoundingClientRect() : null;
  return [h.id, !!img && img.complete && img.naturalWidth > 0, rect ? rect.width * rect.height : 0,
          el ? el.querySelectorAll('table.data').length : 0]; }))"""


def test_stochastic_report_shows_every_fan_in_headless_chromium(browser, stochastic_run, tmp_path):
    tree = stochastic_run
    page = write_report(tree, tmp_path / "report.html")
    session = browser.open(page.as_uri())
    shown = {name: (loaded, area, tables) for name, loaded, area, tables in
             json.loads(browser.evaluate(session, FANS))}
    fans = {f"fan-{k}-{n}" for k in tree.children if k != "stochastic"
            for n in tree[k].data_vars if n.endswith("_percentile")}
    assert len(fans) >= 15 and set(shown) == fans  # every <name>_percentile of every node, no other
    assert all(loaded and area > 0 and tables >= 1 for loaded, area, tables in shown.values()), shown
    for anchor in ("depletion-probability", "balance-distribution"):
        assert browser.evaluate(session, f"document.querySelector('#{anchor} + .chart img').naturalWidth > 0")
    run_table = browser.evaluate(session, "document.querySelector('#run + table').innerText")
    assert "scenarios\t20" in run_table and f"seed\t{tree.attrs['seed']}" in run_table
    assert browser.evaluate(session, "document.querySelectorAll('table.headlines tbody tr').length") >= 7
    assert browser.errors() == []
    assert all(url.startswith(("file:", "data:")) for url in browser.requests())
    assert layout_problems(browser, session) == {"screen": [], "print": [], "bad text": []}
