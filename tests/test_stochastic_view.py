"""What a user sees of a stochastic run (issue 16, item 3): the console's
stochastic section, the workbook's stochastic sheets and the report's fans,
depletion curve and actuarial-balance distribution, each checked against the
numbers of results.nc and, where zarr is installed, against the per-scenario
values of the kept ``scenarios.zarr`` (``numpy`` on the scenarios)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xarray as xr
import yaml

from actuarial.assumptions import load_assumptions
from actuarial.output import write_results
from actuarial.report import plots
from actuarial.report import stochastic as st
from actuarial.report.console import stochastic_summary
from actuarial.report.excel import write_summary
from actuarial.report.html import write_report
from cli_helpers import run_cli
from stoch_tree import stochastic_tree

SCENARIOS = 20
# a 50-year Demoland whose reserve runs out near the horizon: some scenarios deplete, some never
CASE = {"case": {"horizon": 50, "name": "stoch_view"}, "pension": {"horizons": [25, 50], "contribution_rate": 0.109},
        "employment_injury": {"gap_horizon": 50}, "stochastic": {"percentiles": [5, 10, 25, 50, 75, 90, 95]}}


@pytest.fixture(scope="module")
def case_file(root, tmp_path_factory):
    path = tmp_path_factory.mktemp("stoch_view") / "stoch_view.yaml"
    path.write_text(yaml.safe_dump({"extends": str(root / "assumptions" / "demoland.yaml"), **CASE}))
    return path


@pytest.fixture(scope="module")
def kept_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("kept")


@pytest.fixture(scope="module")
def run(case_file, kept_folder, tmp_path_factory):
    """The tree, the per-scenario headline values (kept in scenarios.zarr; None
    without zarr), and results.nc, summary.xlsx, report.html written from it
    (in a folder without the store: the report draws from the percentiles)."""
    assumptions = load_assumptions(case_file)
    tree, values = stochastic_tree(assumptions, SCENARIOS, kept_folder / "scenarios.zarr")
    folder = tmp_path_factory.mktemp("stoch_view_out")
    write_results(tree, folder / "results.nc")
    write_summary(tree, assumptions, folder / "summary.xlsx")
    write_report(tree, folder / "report.html")
    results = xr.open_datatree(folder / "results.nc").load()
    return tree, values, folder, results


def _fans(results):
    return st.fan_variables({k: results[k].to_dataset() for k in results.children})


def test_the_tree_follows_the_result_names(run):
    _, _, _, results = run
    fans = _fans(results)
    names = {(node, name) for node, name, _ in fans}
    assert {("pension", "payg_cost_rate_percentile"), ("fiscal_space", "debt_gdp_with_reform_percentile"),
            ("fiscal_space", "debt_gdp_percentile"), ("demography", "life_expectancy_percentile")} <= names
    levels = {tuple(da["percentile"].values.tolist()) for _, _, da in fans}
    assert len(levels) == 1  # the same levels in every node
    for node, name, da in fans:
        assert da.dims[:2] == ("year", "percentile"), (node, name)
        assert da["percentile"].dtype.kind == "i", (node, name)
        assert not np.isnan(da.sel(year=da["year"][-1]).values).all(), (node, name)
    assert st.fan_kind("fiscal_space", "debt_gdp_percentile", results["fiscal_space"]["debt_gdp_percentile"]) \
        == "macro_shock"
    node = results["stochastic"]
    assert int(node.attrs["scenarios"]) == SCENARIOS and st.headlines(node.to_dataset())


# -- the console ------------------------------------------------------------------------------------------

def _row(text: str, label: str) -> list[str]:
    line = next(ln for ln in text.splitlines() if ln.startswith(label + "  "))
    return line[len(label):].split()


def test_console_prints_the_headline_distributions(run):
    tree, values, _, results = run
    text = stochastic_summary(tree)
    assert text.startswith(f"Stochastic valuation: {SCENARIOS} scenarios, seed {tree.attrs['seed']}")
    ds = results["stochastic"].to_dataset()
    table = st.headline_table(ds)
    assert len(table) >= len(st.headlines(ds))
    for _, row in table.iterrows():
        cells = _row(text, row["label"])
        name = row["headline"]
        want = [st.display(row[f"p{p}"], row["units"], name) for p in (5, 50, 95)]
        assert cells[:3] == want, (row["label"], cells)
        assert cells[3] == st.display(row["mean"], row["units"])
        assert cells[4] == f"{100 * row['share past']:.2f}%"
    # from results.nc directly: the GAP over the last horizon, 5th percentile
    gap = ds["general_average_premium_percentile"].isel(horizon=-1)
    horizon = int(gap["horizon"])
    assert _row(text, f"general average premium, {horizon} years")[0] == f"{100 * float(gap.sel(percentile=5)):.2f}%"
    if values is not None:  # against the scenarios themselves
        v = values["general_average_premium"].isel(horizon=-1).values
        assert _row(text, f"general average premium, {horizon} years")[1] == f"{100 * np.percentile(v, 50):.2f}%"
        assert _row(text, f"general average premium, {horizon} years")[4] == \
            f"{100 * np.mean(v > float(ds['general_average_premium_share_past'].attrs['threshold'])):.2f}%"


def test_console_says_never_and_gives_the_depletion_probability(run):
    tree, values, _, results = run
    text = stochastic_summary(tree)
    ds = results["stochastic"].to_dataset()
    cells = _row(text, "reserve depletion year")
    pct = ds["depletion_year_percentile"]
    assert np.isnan(float(pct.sel(percentile=95))), "the case is chosen so that some scenarios never deplete"
    assert cells[2] == "never"
    assert cells[0] == f"{float(pct.sel(percentile=5)):.0f}"
    line = next(ln for ln in text.splitlines() if ln.startswith("Probability that the reserve is depleted by"))
    shown = dict(re.findall(r"(\d{4}) (\d+\.\d)%", line))
    assert set(shown) >= {"2035", "2050", "2075"}
    prob = ds["depletion_probability"]
    for year, value in shown.items():
        assert value == f"{100 * float(prob.sel(year=int(year))):.1f}"
    never = float(ds["depletion_never_share"])
    assert f"never within the horizon: {100 * never:.1f}% of scenarios" in line
    if values is not None:
        dep = values["depletion_year"].values
        assert shown["2075"] == f"{100 * np.mean(dep <= 2075):.1f}"
        assert never == pytest.approx(np.mean(np.isnan(dep)))


def test_cli_prints_the_stochastic_section(case_file, run, tmp_path):
    tree, _, _, _ = run
    code, out, err = run_cli(["run", str(case_file), "-o", str(tmp_path), "--scenarios", str(SCENARIOS),
                              "--no-report"])
    assert code == 0, err
    assert f"Stochastic valuation: {SCENARIOS} scenarios, seed" in out
    assert "reserve depletion year" in out and "Probability that the reserve is depleted by" in out
    assert out.index("Stochastic valuation") < out.index("results written to")
    assert stochastic_summary(tree) in out  # the same scenarios: the same section


# -- the workbook -----------------------------------------------------------------------------------------

def _table(sheet, top=0) -> pd.DataFrame:
    """A table of the workbook (three header rows: label, unit, name) by name."""
    rows = list(sheet.iter_rows(values_only=True))[top:]
    assert not any(isinstance(v, float) and np.isnan(v) for r in rows for v in r)  # missing: empty cells
    names = rows[2][:next((i for i, v in enumerate(rows[2]) if v is None), len(rows[2]))]
    end = next((i for i in range(3, len(rows)) if all(v is None for v in rows[i][:len(names)])), len(rows))
    return pd.DataFrame([r[:len(names)] for r in rows[3:end]], columns=names)


def _sheet_tables(xlsx):
    """Run rows (cover), the headline table (sheet ``stochastic``, below its
    title) and the depletion probabilities (sheet ``stochastic depletion``)."""
    book = openpyxl.load_workbook(xlsx)
    run_rows = {r[0]: r[1] for r in book["cover"].iter_rows(values_only=True) if r[0]}
    headlines = _table(book["stochastic"], top=1).set_index("label")
    depletion = _table(book["stochastic depletion"]).set_index("year")["depleted by the year"].to_dict()
    return run_rows, headlines, depletion


def test_stochastic_sheet_matches_results(run):
    _, _, folder, results = run
    ds = results["stochastic"].to_dataset()
    run_rows, headlines, depletion = _sheet_tables(folder / "summary.xlsx")
    assert run_rows["scenarios"] == SCENARIOS and run_rows["seed"] == int(ds.attrs["seed"])
    checked = 0
    for name in st.headlines(ds):
        pct = ds[f"{name}_percentile"]
        other = [d for d in pct.dims if d != "percentile"]
        rows = headlines[headlines["headline"] == name]
        combos = pct.stack(_r=other) if other else pct.expand_dims(_r=[0])
        assert len(rows) == combos.sizes["_r"], name
        for i, (_, row) in enumerate(rows.iterrows()):
            one = combos.isel(_r=i)
            sel = {d: one[d].values for d in other}
            for p in pct["percentile"].values:
                want = float(one.sel(percentile=p))
                got = row[f"p{int(p)}"]
                if np.isnan(want):
                    assert got == "never" if name == "depletion_year" else pd.isna(got), (name, p, got)
                else:
                    assert got == pytest.approx(want, rel=1e-15, abs=0), (name, p)
                    checked += 1
            mean = float(ds[f"{name}_mean"].sel(sel))
            assert pd.isna(row["mean"]) if np.isnan(mean) else row["mean"] == pytest.approx(mean, rel=1e-15)
            assert row["share past"] == pytest.approx(float(ds[f"{name}_share_past"].sel(sel)), rel=1e-15)
            assert row["threshold rule"] == ds[f"{name}_share_past"].attrs["threshold_rule"]
    assert checked > 50
    prob = ds["depletion_probability"]
    for year in prob["year"].values:
        assert depletion[int(year)] == pytest.approx(float(prob.sel(year=year)), rel=1e-15, abs=0)
    assert depletion["never within the horizon"] == pytest.approx(float(ds["depletion_never_share"]))


def test_fans_sheet_has_every_fan_in_long_form(run):
    _, _, folder, results = run
    fans = _table(openpyxl.load_workbook(folder / "summary.xlsx")["stochastic fans"])
    assert list(fans.columns) == ["node", "variable", "fan", "coordinates", "year", "percentile", "value", "units"]
    for node, name, da in _fans(results):
        rows = fans[(fans["node"] == node) & (fans["variable"] == name)]
        assert len(rows) == da.size, (node, name)
        assert set(rows["fan"]) == {st.fan_kind(node, name, da)}
        other = [d for d in da.dims if d not in ("year", "percentile")]
        first = rows.iloc[0]
        sel = dict(kv.split("=") for kv in first["coordinates"].split(", ")) if other else {}
        sel = {d: type(da[d].values[0].item())(v) for d, v in sel.items()}
        want = float(da.sel(year=first["year"], percentile=first["percentile"], **sel))
        scale = 1e6 if str(first["units"]).startswith("million ") else 1  # money: millions of the currency
        value = np.nan if first["value"] is None else first["value"] * scale
        assert value == pytest.approx(want, rel=1e-15, nan_ok=True), (node, name)
        last = rows.iloc[-1]
        sel = dict(kv.split("=") for kv in last["coordinates"].split(", ")) if other else {}
        sel = {d: type(da[d].values[0].item())(v) for d, v in sel.items()}
        value = np.nan if last["value"] is None else last["value"] * scale
        assert value == pytest.approx(float(da.sel(year=last["year"], percentile=last["percentile"], **sel)),
                                      rel=1e-15, nan_ok=True)


def test_fiscal_sheet_says_which_fan_is_which(run):
    _, _, folder, _ = run
    book = openpyxl.load_workbook(folder / "summary.xlsx")
    sheet = book["fiscal by percentile"]  # header rows: label, unit, variable name
    label = {name: text for text, name in zip(next(sheet.iter_rows(values_only=True)),
                                              list(sheet.iter_rows(values_only=True))[2])}
    assert "macro-shock fan (fiscal_space.stochastic)" in label["debt_gdp_percentile"]
    assert "valuation's scenarios" in label["debt_gdp_with_reform_percentile"]
    cover = {r[0]: r[1] for r in book["cover"].iter_rows(values_only=True) if r[0]}
    assert int(cover["scenarios"]) == SCENARIOS


# -- the report -------------------------------------------------------------------------------------------

class _Tables(HTMLParser):
    """The text of the tables after each ``<h3 id=...>`` (and of each section's table)."""

    def __init__(self):
        super().__init__()
        self.tables, self.current, self.row, self.cell, self.captions = {}, None, None, None, {}
        self.anchor, self.in_caption = None, False
        self.parts = {}  # every table after an anchor (a wide one is split into several), rows of each

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("h2", "h3") and "id" in attrs:
            self.anchor = attrs["id"]
        elif tag == "table" and self.anchor:
            self.current = []
            self.parts.setdefault(self.anchor, []).append(self.current)
            self.tables.setdefault(self.anchor, self.current)
        elif tag == "tr" and self.current is not None:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""
        elif tag == "figcaption":
            self.in_caption = True
            self.captions[self.anchor] = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.current.append(self.row)
            self.row = None
        elif tag == "table":
            self.current = None
        elif tag == "figcaption":
            self.in_caption = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data
        if self.in_caption:
            self.captions[self.anchor] += data


def _page(folder):
    parser = _Tables()
    html = (folder / "report.html").read_text()
    parser.feed(html)
    return html, parser


def _frame(rows) -> pd.DataFrame:
    """A report table: the header row(s) give the columns, the first cell the row label."""
    body = [r for r in rows if r and not all(c == "" for c in r[1:])]
    header = body[0]
    data = [r for r in body[1:] if len(r) == len(header)]
    return pd.DataFrame([r[1:] for r in data], index=[r[0] for r in data], columns=header[1:])


def _frames(page, anchor: str) -> pd.DataFrame:
    """Every table after ``anchor`` side by side (the report splits tables of more than 7 columns)."""
    return pd.concat([_frame(rows) for rows in page.parts[anchor]], axis=1)


def _number(text: str) -> float:
    return np.nan if text in ("–", "") else float(text.replace(",", ""))


def test_report_draws_every_fan_with_its_numbers(run):
    _, _, folder, results = run
    html, page = _page(folder)
    scenarios = int(results.attrs["scenarios"])
    for node, name, da in _fans(results):
        anchor = f"fan-{node}-{name}"
        assert anchor in page.tables, anchor
        table = _frames(page, anchor)
        # ratios in percent, but the reserve ratio in years of expenditure (issue 18: plots.IN_YEARS)
        scale = (100.0 if da.attrs.get("units") in ("1", "1/year")
                 and name.removesuffix("_percentile") not in plots.IN_YEARS else 1.0)
        other = [d for d in da.dims if d not in ("year", "percentile")]
        first = da.isel({d: 0 for d in other})
        label = ", ".join(f"{d.replace('_', ' ')} {first[d].item()}" for d in other) or name[:-len("_percentile")]
        for p in (int(da["percentile"].values[0]), 50, int(da["percentile"].values[-1])):
            column = next(c for c in table.columns if c.startswith(f"{label} p{p} ("))
            values = [_number(v) for v in table[column]]
            whole = np.nanmax(np.abs(values), initial=0) >= 1000  # one format per column: no decimals from 1,000
            for year, shown in table[column].items():
                want = scale * float(first.sel(year=int(year), percentile=p))
                got = _number(shown)
                tol = 0.5 if whole else 0.005 + 1e-9
                assert (np.isnan(want) and np.isnan(got)) or abs(got - want) <= tol, (anchor, column, year)
        caption = page.captions[anchor]
        if st.fan_kind(node, name, da) == "macro_shock":
            assert st.MACRO_SHOCK in caption
        else:
            assert f"valuation's {scenarios} scenarios" in caption
    assert "macro-shock fan" in page.captions["debt"]  # the deterministic chart says where that fan went
    assert not any("stochastic" in c for c in _frames(page, "debt").columns)


def test_report_run_table_shows_scenarios_and_seed(run):
    _, _, folder, results = run
    html, page = _page(folder)
    run_rows = {r[0]: r[1] for r in page.tables["run"] if len(r) == 2}
    assert run_rows["scenarios"] == str(SCENARIOS)
    assert run_rows["seed"] == str(results.attrs["seed"])


def test_report_headline_table_and_depletion_curve_match_results(run):
    _, _, folder, results = run
    html, page = _page(folder)
    ds = results["stochastic"].to_dataset()
    table = _frames(page, "stochastic")
    expected = st.headline_table(ds)
    for _, row in expected.iterrows():
        shown = table.loc[row["label"]]
        for p in ds["percentile"].values:
            assert shown[f"p{int(p)}"] == st.display(row[f"p{int(p)}"], row["units"], row["headline"])
        assert shown["share past threshold"] == f"{100 * row['share past']:.2f}%"
    assert table.loc["reserve depletion year", "p95"] == "never"
    curve = _frames(page, "depletion-probability")
    prob = ds["depletion_probability"]
    for year, value in curve.iloc[:, 0].items():
        assert _number(value) == pytest.approx(100 * float(prob.sel(year=int(year))), abs=0.005 + 1e-9)


def test_balance_histogram_from_the_percentiles(run):
    _, _, folder, results = run
    html, page = _page(folder)
    ds = results["stochastic"].to_dataset()
    pct = ds["actuarial_balance_percentile"]
    pct = pct.isel({d: -1 for d in pct.dims if d != "percentile"})
    table = _frames(page, "balance-distribution")
    edges = [_number(v) for v in table["from (%)"]] + [_number(table["to (%)"].iloc[-1])]
    np.testing.assert_allclose(edges, 100 * pct.values, atol=0.005 + 1e-9)
    shares = [_number(v) for v in table["share of scenarios (%)"]]
    levels = pct["percentile"].values
    np.testing.assert_allclose(shares, np.diff(levels), atol=1e-9)
    assert "drawn from the percentiles of the /stochastic node" in page.captions["balance-distribution"]


def test_balance_histogram_from_kept_scenarios(run, kept_folder):
    """The report beside the kept ``scenarios.zarr``: the histogram counts its per-scenario values."""
    tree, values, _, _ = run
    if values is None:
        pytest.skip("zarr is not installed (pip install 'actuarial[zarr]')")
    write_report(tree, kept_folder / "report.html", force=True)
    _, page = _page(kept_folder)
    assert "kept in scenarios.zarr" in page.captions["balance-distribution"]
    table = _frames(page, "balance-distribution")
    balance = values["actuarial_balance"]
    balance = balance.isel({d: -1 for d in balance.dims if d != "scenario"}).values
    counts, edges = np.histogram(100 * balance, bins=20)
    np.testing.assert_allclose([_number(v) for v in table["share of scenarios (%)"]], 100 * counts / SCENARIOS,
                               atol=0.005 + 1e-9)
    np.testing.assert_allclose([_number(v) for v in table["from (%)"]], edges[:-1], atol=0.005 + 1e-9)


def test_fan_chart_draws_every_level_and_panel():
    years = np.arange(2025, 2031)
    da = xr.DataArray(np.arange(6 * 3 * 2, dtype=float).reshape(6, 3, 2) / 100, dims=("year", "percentile", "sex"),
                      coords={"year": years, "percentile": [10, 50, 90], "sex": ["female", "male"]},
                      attrs={"units": "1"})
    fig = plots.fan_chart(da)
    table = plots.plotted_data(fig)
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 2
    assert table["sex male p90 (%)"].tolist() == pytest.approx((100 * da.sel(sex="male", percentile=90)).values)
    assert plots._bands([5, 10, 25, 50, 75, 90, 95]) == [(5, 95), (10, 90), (25, 75)]
