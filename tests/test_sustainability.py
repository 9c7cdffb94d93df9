"""Issue 20 items 6-8, what users see: S1/S2 and the fan's probabilistic criteria on the console,
in the report and in the workbook; the fan's percentiles bit for bit ``np.percentile``; the
debt recursion and the criteria against plain loops (fiscal_space.cli, actuarial.report.html,
actuarial.report.excel, fiscal_space.stochastic)."""

from __future__ import annotations

import numpy as np
import openpyxl
import pytest
import xarray as xr

import fiscal_space as fs
from actuarial.report import html
from actuarial.report.excel import write_sustainability_gaps
from actuarial.report.workbook import new_workbook
from fiscal_space import stochastic as st
from fiscal_space.cli import summary
from test_excel import read_table
from test_fiscal_space import BASE, H, run, spec

GAPS = {"target_debt_gdp": 0.6, "years_to_target": 8, "adjustment_years": 3}
FAN = {"paths": 3000, "seed": 11, "years": 9, "declining_years": 5, "threshold_gdp": 0.62,
       "sd": {"growth": 0.02, "interest_rate": 0.01, "primary_balance": 0.01, "exchange_rate": 0.0}}


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    """The small standalone case (r = 6% > g = 3%: S2 defined) with S1/S2 and a fan."""
    return run(tmp_path_factory.mktemp("gaps"), spec(**{"fiscal_space.sustainability_gaps": GAPS,
                                                        "fiscal_space.stochastic": FAN}))


def _pct(x) -> str:
    return f"{100 * float(x):.2f}"


def test_console_shows_s1_s2_components_and_convention(ds):
    text = summary(ds)
    gap, comp = ds["sustainability_gap"], ds["sustainability_gap_component"]
    assert "initial budgetary position" in text and "cost of ageing" in text
    assert f"to debt 60% of GDP at the end of {BASE + GAPS['years_to_target']}" in text  # the convention
    assert f"S2: infinite horizon, after {BASE + H}" in text
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in text.splitlines()
            if line.split()[:1] in (["S1"], ["S2"])}
    assert set(rows) == {(i, r) for i in ("S1", "S2") for r in ("without", "with")}
    for (i, r), values in rows.items():
        want = [_pct(gap.sel(sustainability_indicator=i, reform=r))] + [
            _pct(comp.sel(sustainability_indicator=i, reform=r, sustainability_component=k))
            for k in ("initial_budgetary_position", "debt_requirement", "cost_of_ageing")]
        assert values == want, (i, r)
        parts = np.array(values[1:], float)
        assert abs(parts.sum() - float(values[0])) <= 0.015  # IBP + DR + CoA = the gap (rounded to 0.01)


def test_console_shows_both_probabilities_with_paths_and_years(ds):
    text = summary(ds)
    p5, below = float(ds["debt_declining_probability"]), float(ds["debt_below_threshold_probability"])
    lines = [line for line in text.splitlines() if line.startswith("probability that debt / GDP")]
    declining = next(line for line in lines if "is lower on" in line)
    assert f"1 January {BASE + 5} than on 1 January {BASE}" in declining and "3000 paths" in declining
    assert declining.endswith(f": {100 * p5:.1f}%")
    stays = next(line for line in lines if "stays below" in line)
    assert f"below 62% every year {BASE}-{BASE + FAN['years'] - 1}" in stays and "3000 paths" in stays
    assert stays.endswith(f": {100 * below:.1f}%")


def test_undefined_s2_is_shown_as_not_defined(tmp_path):
    """r < g in the last year: the infinite-horizon sum diverges, S2 is NaN and shown as n/a."""
    ds = run(tmp_path, spec(**{"fiscal_space.baseline.interest_rate": 0.02,
                               "fiscal_space.sustainability_gaps": GAPS}))
    assert np.isnan(ds["sustainability_gap"].sel(sustainability_indicator="S2")).all()
    text = summary(ds)
    s2 = [line.split() for line in text.splitlines() if line.split()[:1] == ["S2"]]
    assert s2 and all(row[2] == "n/a" for row in s2)
    assert "n/a: not defined, r - g <= 0" in text and "nan" not in text.split() and "NaN" not in text
    note = next(s for s in html.build_sections({"fiscal_space": ds}) if s.id == "fiscal_space").note
    assert "not defined" in note and "NaN" not in note


def test_report_has_the_gap_table_and_the_criteria_beside_the_fan(ds):
    nodes = {"fiscal_space": ds}
    section = next(s for s in html.build_sections(nodes) if s.id == "fiscal_space")
    assert "initial budgetary position (% of GDP)" in section.table and "debt requirement" in section.table
    s1 = ds["sustainability_gap"].sel(sustainability_indicator="S1", reform="with")
    assert f"<td>{_pct(s1)}</td>" in section.table
    assert "European Commission S1/S2" in section.note and f"end of {BASE + GAPS['years_to_target']}" in section.note
    fans = next(s for s in html.stochastic_sections(nodes, {}) if s.id == "fans")
    caption = next(c.caption for c in fans.charts if c.id == "fan-fiscal_space-debt_gdp_percentile")
    assert f"than on 1 January {BASE} (the Commission's criterion)" in caption
    assert f"{100 * float(ds['debt_declining_probability']):.1f}%" in caption
    assert f"{100 * float(ds['debt_below_threshold_probability']):.1f}%" in caption
    without = ds.drop_vars([v for v in ds.data_vars if str(v).startswith("sustainability_gap")])
    assert next(s for s in html.build_sections({"fiscal_space": without}) if s.id == "fiscal_space").table == ""


def test_workbook_sheet_of_the_gaps_with_labels(ds, tmp_path):
    path = tmp_path / "book.xlsx"
    book = new_workbook(path)
    write_sustainability_gaps(book, xr.DataTree.from_dict({"/fiscal_space": ds}), "DML")
    book.close()
    sheet = openpyxl.load_workbook(path)["fiscal sustainability gaps"]
    title = sheet.cell(row=1, column=1).value
    assert "European Commission S1/S2" in title and "S2: infinite horizon" in title
    labels, units, names, frame = read_table(sheet, top=1)
    assert list(names[:3]) == ["sustainability_indicator", "reform", "sustainability_gap"]
    assert "component: cost of ageing" in labels and "cost of ageing from spf" in labels
    assert units[names.index("sustainability_gap")] == "%"
    for _, row in frame.iterrows():
        sel = dict(sustainability_indicator=row["sustainability_indicator"], reform=row["reform"])
        assert row["sustainability_gap"] == pytest.approx(float(ds["sustainability_gap"].sel(sel)), rel=1e-15)
        assert row["cost_of_ageing"] == pytest.approx(float(ds["sustainability_gap_component"].sel(
            **sel, sustainability_component="cost_of_ageing")), rel=1e-15, abs=1e-18)
    assert len(frame) == 2 * ds.sizes["reform"]
    # the two probabilities are scalars: the stage's metric sheet carries them with their long names
    from actuarial.report.excel import metric_table

    metrics = metric_table(ds).set_index("variable")
    assert metrics.loc["debt_declining_probability", "value"] == float(ds["debt_declining_probability"])
    assert "1 January" in metrics.loc["debt_declining_probability", "label"]


# -- the fan's numbers from their definitions -------------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 3, 4, 7, 100, 1001, 4097])
def test_percentiles_bit_for_bit_numpy(n):
    g = np.random.default_rng(n)
    x = g.normal(size=(5, n))
    x[1] = np.round(x[1], 1)  # ties
    x[3] = 0.7  # a constant year
    if n > 3:
        x[2, n // 2] = np.nan  # a year with a NaN path: NaN
    levels = [0, 2.5, 5, 10, 25, 33.3, 50, 75, 90, 95, 99.9, 100]
    np.testing.assert_array_equal(st.percentiles_by_year(x, levels), np.percentile(x, levels, axis=1))
    pct, above = st.fan(x.T, 0.1, levels)
    np.testing.assert_array_equal(pct, np.percentile(x.T, levels, axis=0))
    np.testing.assert_array_equal(above, (x.T > 0.1).mean(axis=0))


def test_debt_paths_and_criteria_from_plain_loops():
    """simulate_debt's vectorised blocks give, bit for bit, the recursion run path by path on the
    shocks of draw_shocks; the two probabilities count the paths one by one."""
    T = 9
    g = np.random.default_rng(4)
    central = dict(interest_rate=g.uniform(0.03, 0.08, T), nominal_growth=g.uniform(0.02, 0.09, T),
                   primary_balance=g.uniform(-0.03, 0.01, T), foreign_currency_share=g.uniform(0, 0.5, T),
                   depreciation=g.uniform(0, 0.05, T), sfa=g.uniform(-0.01, 0.01, T))
    cov = np.diag([4e-4, 1e-4, 1e-4, 6.4e-3]) + 2e-5
    paths, first = 1500, 900  # across a block boundary
    d = st.simulate_debt(0.6, seed=5, paths=paths, first_path=first, covariance=cov, **central)
    e = st.draw_shocks(T, 5, paths, first, covariance=cov)
    c = {k: np.asarray(v, float) for k, v in central.items()}
    for k in range(paths):
        want = [0.6]
        for t in range(T - 1):
            n = (1 + c["nominal_growth"][t]) * (1 + e[k, t, 0]) - 1
            f = ((1 + (c["interest_rate"][t] + e[k, t, 1]))
                 * (1 + c["foreign_currency_share"][t] * (c["depreciation"][t] + e[k, t, 3])) / (1 + n))
            want.append(want[-1] * f - (c["primary_balance"][t] + e[k, t, 2]) + c["sfa"][t])
        assert d[k].tolist() == want, k
    declining, below = st.probabilities(d, 0.65, 5)
    assert declining == sum(row[5] < row[0] for row in d.tolist()) / paths
    assert below == sum(all(v < 0.65 for v in row) for row in d.tolist()) / paths
