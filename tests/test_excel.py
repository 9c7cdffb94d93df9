"""summary.xlsx read back: every number of every stage sheet equals results.nc
after the unit scaling its header states (money in millions of the currency,
ratios stored as fractions with a percentage format), the cover's key
indicators equal the results, headers carry labels and units, the charts
exist, the assumptions are readable, strings are never formulas; a
stochastic run's workbook; batch_summary.xlsx."""

import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xarray as xr

from actuarial.cli import main

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("demography", "economy", "labour", "pension", "employment_injury", "spf", "fiscal_space")
SHORT = {"employment_injury": "injury", "fiscal_space": "fiscal"}  # the long tables' sheet names: "<short> by <dims>"
# results units -> the unit the header must show (DML: Demoland's currency), and the factor of the shown number
UNITS = {"currency/year": ("million DML per year", 1e6), "currency": ("million DML", 1e6),
         "currency/month": ("DML per month", 1), "1": ("%", 1), "1/year": ("% per year", 1),
         "persons": ("persons", 1), "persons/year": ("persons per year", 1), "claims/year": ("claims per year", 1),
         "year": ("years", 1), "births/woman": ("births per woman", 1)}
PER_PERSON = {"average_wage": "DML per year", "average_insurable_wage": "DML per year"}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("excel")
    assert main(["run", str(ROOT / "assumptions" / "demoland.yaml"), "-o", str(out), "-q", "--no-report"]) == 0
    folder = out / "demoland"
    return xr.open_datatree(folder / "results.nc").load(), folder / "summary.xlsx"


@pytest.fixture(scope="module")
def stochastic(tmp_path_factory):
    out = tmp_path_factory.mktemp("excel_stochastic")
    case = out / "short.yaml"
    case.write_text(f'extends: "{ROOT}/assumptions/demoland.yaml"\ncase: {{horizon: 30}}\n'
                    'pension: {horizons: [10, 30]}\nemployment_injury: {gap_horizon: 30}\n')
    assert main(["run", str(case), "-o", str(out), "-q", "--scenarios", "4", "--seed", "7", "--no-report"]) == 0
    folder = out / "demoland"
    return xr.open_datatree(folder / "results.nc").load(), folder / "summary.xlsx"


def read_table(sheet, top: int = 0):
    """A table written by ``write_table``: (labels, units, names, data frame by name)."""
    rows = list(sheet.iter_rows(values_only=True))
    labels, units, names = rows[top], rows[top + 1], rows[top + 2]
    n = next((i for i, v in enumerate(names) if v is None), len(names))
    data = []
    for row in rows[top + 3:]:
        if all(v is None for v in row[:n]):
            break
        data.append(row[:n])
    return list(labels[:n]), list(units[:n]), list(names[:n]), pd.DataFrame(data, columns=list(names[:n]))


def stage_of(title: str):
    for stage in STAGES:
        if title == stage or title.startswith(f"{SHORT.get(stage, stage)} by "):
            return stage
    return None


def expected(ds: xr.Dataset, name: str, median: bool) -> xr.DataArray:
    """The variable as the sheet must show it: the one scenario (or the median
    over scenarios), summed over age."""
    da = ds[name]
    if "scenario" in da.dims:
        da = da.median("scenario") if median else da.isel(scenario=0)
    return da.sum("age") if "age" in da.dims else da


def check_stage_sheets(tree, xlsx, median=False) -> int:
    book = openpyxl.load_workbook(xlsx)
    checked, sheets = 0, set()
    for sheet in book.worksheets:
        stage = stage_of(sheet.title)
        if stage is None:
            continue
        sheets.add(stage)
        ds = tree[stage].to_dataset()
        labels, units, names, frame = read_table(sheet)
        keys = [c for c, u in zip(names, units) if u is None]
        assert keys[-1] == "year" and set(keys) <= set(ds.dims), (sheet.title, keys)
        assert len(frame) and len(names) > len(keys)
        for j, (label, unit, name) in enumerate(zip(labels, units, names)):
            if name in keys:
                continue
            da = expected(ds, name, median)
            assert label.startswith(ds[name].attrs["long_name"][:100]), (sheet.title, name, label)
            shown, factor = UNITS[ds[name].attrs["units"]]
            shown = PER_PERSON.get(name, shown)
            factor = 1 if name in PER_PERSON else factor
            if da.dtype.kind == "b":
                shown = "TRUE/FALSE"
            assert unit == shown, (sheet.title, name, unit)
            want = da.transpose(*[k for k in keys if k != "year"], "year").values.ravel()
            index = pd.MultiIndex.from_frame(frame[keys]) if len(keys) > 1 else pd.Index(frame["year"])
            series = da.to_series()
            if len(keys) > 1:
                series = series.reorder_levels(keys)
            want = series.reindex(index).to_numpy()
            got = frame[name].to_numpy()
            if da.dtype.kind == "b":
                assert got.tolist() == want.tolist(), (sheet.title, name)
            else:
                got = np.array([np.nan if v is None else v for v in got], dtype=float) * factor
                np.testing.assert_allclose(got, want.astype(float), rtol=1e-15, atol=0, equal_nan=True,
                                           err_msg=f"{sheet.title}: {name}")
                first = next(c for c in sheet.iter_rows(min_row=4, min_col=j + 1, max_col=j + 1, values_only=False)
                             if c[0].value is not None)[0]
                fmt = {"%": "0.00%", "million": "#,##0.0", "persons": "#,##0", "claims": "#,##0"}.get(
                    shown.split()[0], first.number_format)
                assert first.number_format == fmt, (sheet.title, name, first.number_format)
            checked += int(np.isfinite(want.astype(float)).sum()) if da.dtype.kind != "b" else len(want)
        assert sheet.freeze_panes == f"{openpyxl.utils.get_column_letter(len(keys) + 1)}4", sheet.title
        assert sheet.auto_filter.ref.startswith("A3:"), sheet.title
    assert sheets == {s for s in STAGES if s in tree.children}
    return checked


def test_every_number_of_every_stage_sheet_matches_results(outputs):
    tree, xlsx = outputs
    assert check_stage_sheets(tree, xlsx) > 20_000


def test_amounts_are_millions_and_ratios_percentages(outputs):
    tree, xlsx = outputs
    _, units, names, frame = read_table(openpyxl.load_workbook(xlsx)["pension"])
    unit = dict(zip(names, units))
    assert unit["reserve"] == "million DML" and unit["expenditure"] == "million DML per year"
    assert frame["reserve"].iloc[1] == pytest.approx(float(tree["pension"]["reserve"].isel(scenario=0, year=1)) / 1e6,
                                                     rel=1e-15)
    sheet = openpyxl.load_workbook(xlsx)["pension"]
    rate = sheet.cell(row=4, column=names.index("payg_cost_rate") + 1)
    money = sheet.cell(row=4, column=names.index("reserve") + 1)
    assert rate.data_type == "n" and rate.number_format == "0.00%"
    assert money.data_type == "n" and money.number_format == "#,##0.0"
    assert unit["payg_cost_rate"] == "%"


def test_long_tables_are_tidy_not_wide(outputs):
    _, xlsx = outputs
    book = openpyxl.load_workbook(xlsx)
    claims = book["injury by sector, claim_type"]
    _, _, names, frame = read_table(claims)
    assert names == ["sector", "claim_type", "year", "claims"]
    assert all(len(read_table(s)[2]) <= 20 for s in book.worksheets if stage_of(s.title))  # never 98 columns


def test_metric_sheets_match_results(outputs):
    tree, xlsx = outputs
    book = openpyxl.load_workbook(xlsx)
    checked = 0
    for title, stage in (("pension metrics", "pension"), ("injury metrics", "employment_injury"),
                         ("spf metrics", "spf"), ("fiscal metrics", "fiscal_space")):
        _, _, names, frame = read_table(book[title])
        assert names == ["variable", "coordinate", "label", "value", "units"]
        ds = tree[stage].to_dataset()
        for row in frame.itertuples():
            da = expected(ds, row.variable, False)
            if row.coordinate:
                dim, _, value = row.coordinate.partition("=")
                da = da.sel({dim: type(da[dim].values[0].item())(value) if da[dim].dtype.kind != "U" else value})
            want = float(da)
            shown, factor = UNITS[ds[row.variable].attrs["units"]]
            if row.variable == "depletion_year":
                shown = "calendar year"
            assert row.units == shown, row
            if np.isnan(want):  # an empty cell (None; NaN once pandas reads the column as numbers)
                assert row.value is None or np.isnan(row.value), row
            else:
                assert float(row.value) * factor == pytest.approx(want, rel=1e-15), row
                checked += 1
    assert checked > 30
    assert "general_average_premium" in set(read_table(book["pension metrics"])[3]["variable"])


def indicators(book) -> dict:
    rows = list(book["cover"].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "Key indicators") + 2
    return {r[0]: (r[1], r[2]) for r in rows[start:] if r[0] is not None}


def test_cover_has_the_run_and_the_key_indicators(outputs):
    tree, xlsx = outputs
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames[0] == "cover"
    items = {r[0]: r[1] for r in book["cover"].iter_rows(values_only=True) if r[0]}
    assert items["assumptions digest"] == tree.attrs["assumptions_hash"]
    assert items["engine version"] == tree.attrs["engine_version"]
    assert (items["case"], items["country"], items["currency"]) == ("demoland", "Demoland", "DML")
    assert items["scenarios"] == 1 and items["created"]
    found = indicators(book)
    p = tree["pension"].to_dataset().isel(scenario=0)
    e = tree["employment_injury"].to_dataset().isel(scenario=0)
    last = int(tree["pension"]["year"][-1])
    want = {f"GAP, {int(h)} years": (float(p["general_average_premium"].sel(horizon=h)), "% of insurable earnings")
            for h in p["horizon"].values}
    want["reserve depletion year"] = (float(p["depletion_year"]), None)
    want["actuarial balance"] = (float(p["actuarial_balance"]), "% of insurable earnings")
    want["steady-state contribution rate, CPP definition"] = (float(p["steady_state_rate"]), "%")
    for m, text in (("payg", "payg"), ("constituent_capitals", "constituent capitals"), ("gap", "gap")):
        want[f"employment injury {text} cost rate, {last}"] = (
            float(e["cost_rate"].sel(financing_method=m, year=last)), "% of insurable payroll")
    want[f"SPF package cost, {last}"] = (float(tree["spf"]["package_cost_gdp"].isel(scenario=0).sel(year=last)),
                                         "% of GDP")
    f = tree["fiscal_space"].to_dataset()
    want[f"financing gap, {last}"] = (float(f["financing_gap_gdp"].sel(year=last)), "% of GDP")
    want[f"debt with the reform, {last}"] = (float(f["debt_gdp"].sel(year=last, reform="with")), "% of GDP")
    for label, (value, unit) in want.items():
        got, got_unit = found[label]
        assert got == pytest.approx(value, rel=1e-14), label
        if unit:
            assert got_unit == unit, label
    cell = next(c for r in book["cover"].iter_rows() for c in r if c.value == "GAP, 75 years")
    assert book["cover"].cell(row=cell.row, column=2).number_format == "0.00%"


def test_charts_are_native_and_beside_their_tables(outputs):
    _, xlsx = outputs
    with zipfile.ZipFile(xlsx) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    titles = ["PAYG cost rate, contribution rate and GAP", "Reserve ratio", "SPF cost by benefit",
              "Financing mix", "Public debt / GDP, with and without the reform", "Total population",
              "Employment injury cost rate"]
    for title in titles:
        assert sum(title in c for c in charts) == 1, title
    debt = next(c for c in charts if "Public debt" in c)
    assert debt.count("<c:ser>") == 3  # without, with, scaled back
    assert "unfinanced (borrowed)" in next(c for c in charts if "Financing mix" in c)
    book = openpyxl.load_workbook(xlsx)
    assert len(book["pension"]._charts) == 2 and len(book["fiscal by reform"]._charts) == 1
    import re

    def cells(ref):
        sheet, cols = ref.rsplit("!", 1)
        sheet = book[sheet.strip("'")]
        (c1, r1), (c2, r2) = (re.match(r"\$([A-Z]+)\$(\d+)", p).groups() for p in cols.split(":"))
        col = openpyxl.utils.column_index_from_string(c1)
        assert c1 == c2
        return sheet, col, int(r1), int(r2)

    series = 0
    for chart in charts:  # each series: its years are those of its values' own rows (the table's year column)
        for ser in re.findall(r"<c:ser>.*?</c:ser>", chart, re.S):
            cat = re.search(r"<c:cat>.*?<c:f>([^<]*)</c:f>", ser, re.S).group(1)
            val = re.search(r"<c:val>.*?<c:f>([^<]*)</c:f>", ser, re.S).group(1)
            sheet, col, r1, r2 = cells(val)
            head = next(r for r in range(r1 - 1, 0, -1)  # the names row of the values' table
                        if isinstance(sheet.cell(row=r, column=col).value, str))
            names = [c.value for c in sheet[head]]
            year_col = max(i + 1 for i, n in enumerate(names[:col]) if n == "year")
            own = [sheet.cell(row=r, column=year_col).value for r in range(r1, r2 + 1)]
            csheet, ccol, c1, c2 = cells(cat)
            assert [csheet.cell(row=r, column=ccol).value for r in range(c1, c2 + 1)] == own, (cat, val)
            assert all(isinstance(sheet.cell(row=r, column=col).value, (float, int, type(None)))
                       for r in range(r1, r2 + 1))
            series += 1
    assert series >= 20


def test_assumptions_are_a_readable_table(outputs):
    _, xlsx = outputs
    book = openpyxl.load_workbook(xlsx)
    sheet = book["assumptions"]
    assert [c.value for c in sheet[1]] == ["key", "value", "unit", "description", "source"]
    longest = max(len(str(c.value)) for row in sheet.iter_rows() for c in row if c.value is not None)
    assert longest <= 200
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["pension.contribution_rate"][1] == 0.12
    assert rows["pension.contribution_rate"][3] == "Contribution rate on insurable earnings."
    anchors = [k for k in rows if k.startswith("economy.inflation.")]  # a series: one row per anchor year
    assert anchors and all(rows[k][2] == "per year" and rows[k][3] == "Consumer price inflation." for k in anchors)
    assert "listed in full" in rows["demography.base_population.female"][1]
    from actuarial.assumptions.model import load_assumptions

    population = load_assumptions(ROOT / "assumptions" / "demoland.yaml").parsed["demography"]["base_population"]
    _, _, _, lists = read_table(book["assumption lists"])
    female = lists[lists["key"] == "demography.base_population.female"]
    assert female["value"].tolist() == population["female"]


@pytest.fixture(scope="module")
def injected(tmp_path_factory):
    """A short Demoland run whose strings a spreadsheet would read as formulas."""
    from actuarial.assumptions.model import load_assumptions
    from actuarial.pipeline import run
    from actuarial.report.excel import write_summary

    folder = tmp_path_factory.mktemp("injected")
    case = folder / "case.yaml"
    case.write_text(f'extends: "{ROOT}/assumptions/demoland.yaml"\n'
                    'case: {horizon: 10, country: "=HYPERLINK(\\"http://example.com\\",\\"click\\")", '
                    'currency: "+SUM(1,1)"}\n'
                    'pension: {horizons: [10]}\nemployment_injury: {gap_horizon: 10}\n'
                    'spf: {benefits: {"-1+2": {kind: child, ages: [0, 5], level: {poverty_line_share: 0.4}, '
                    'take_up: 0.3, administrative_cost: 0.05}}}\n')
    assumptions = load_assumptions(case)
    tree = run(assumptions)
    # edited during the run: the workbook shows what the run used, not this
    case.write_text(case.read_text().replace("pension: {horizons: [10]}",
                                             "pension: {horizons: [10], contribution_rate: 0.99}"))
    return write_summary(tree, assumptions, folder / "summary.xlsx")


def test_strings_that_look_like_formulas_are_text_cells(injected):
    book = openpyxl.load_workbook(injected)
    country = '=HYPERLINK("http://example.com","click")'
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if cell.value in (country, "+SUM(1,1)", "-1+2"):
                    assert cell.data_type == "s" and cell.quotePrefix
                    found.append((sheet.title, cell.value))
    assert ("cover", country) in found and ("cover", "+SUM(1,1)") in found
    assert ("assumptions", country) in found and ("spf by benefit, sex", "-1+2") in found
    with zipfile.ZipFile(injected) as z:  # no formula element anywhere in the file
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in z.namelist()
                       if n.startswith("xl/worksheets/"))


def test_the_assumptions_sheet_is_what_the_run_loaded(injected):
    sheet = pd.read_excel(injected, sheet_name="assumptions", index_col=0)["value"]
    assert sheet["pension.contribution_rate"] == 0.12  # demoland.yaml's, used by the run; the file now says 0.99
    assert sheet["case.horizon"] == 10


def test_a_stochastic_workbook(stochastic):
    """Stage sheets: the median over the scenarios; the cover: scenarios and seed; the stochastic sheets."""
    tree, xlsx = stochastic
    assert check_stage_sheets(tree, xlsx, median=True) > 5_000
    book = openpyxl.load_workbook(xlsx)
    items = {r[0]: r[1] for r in book["cover"].iter_rows(values_only=True) if r[0]}
    assert items["scenarios"] == 4 and items["seed"] == 7
    seeds = [row[1].value for row in book["assumptions"].iter_rows() if row[0].value == "stochastic.seed"]
    assert seeds == [7]
    assert {"stochastic", "stochastic depletion", "stochastic fans"} <= set(book.sheetnames)
    ds = tree["stochastic"].to_dataset()
    _, _, names, frame = read_table(book["stochastic"], top=1)
    gap = frame[(frame["headline"] == "general_average_premium")]
    want = ds["general_average_premium_percentile"]
    assert len(gap) == want.sizes["horizon"]
    for (_, row), h in zip(gap.iterrows(), want["horizon"].values):
        for p in want["percentile"].values:
            assert row[f"p{int(p)}"] == pytest.approx(float(want.sel(horizon=h, percentile=p)), rel=1e-15)
    _, _, _, depletion = read_table(book["stochastic depletion"])
    n = ds.sizes["year"]
    assert depletion["year"].tolist()[:n] == ds["year"].values.tolist()
    np.testing.assert_allclose(depletion["depleted by the year"][:n].astype(float),
                               ds["depletion_probability"].values, rtol=1e-15)
    assert depletion["year"].iloc[n] == "never within the horizon"
    assert depletion["depleted by the year"].iloc[n] == pytest.approx(float(ds["depletion_never_share"]), rel=1e-15)


def test_batch_summary_workbook(outputs, tmp_path):
    from actuarial.batch import summary_rows
    from actuarial.report.excel import write_batch_summary

    tree, _ = outputs
    rows = {c: {"file": "grid.yaml", "assumptions_hash": tree.attrs["assumptions_hash"],
                "point": (("economy.interest_rate", "interest_rate", f"{r}", r),)}
            for c, r in (("a", 0.04), ("b", 0.07))}
    frame = summary_rows({"a": tree, "b": tree}, rows)
    target = write_batch_summary(frame, tmp_path / "batch_summary.xlsx")
    sheet = openpyxl.load_workbook(target)["batch"]
    labels, units, names, table = read_table(sheet)
    assert table["case"].tolist() == ["a", "b"] and table["grid_interest_rate"].tolist() == [0.04, 0.07]
    gap = "GAP, 75 years (% of insurable earnings)"
    assert units[names.index(gap)] == "%"
    assert table[gap].tolist() == pytest.approx(
        [float(tree["pension"]["general_average_premium"].isel(scenario=0).sel(horizon=75))] * 2, rel=1e-14)
    assert sheet.cell(row=4, column=names.index(gap) + 1).number_format == "0.00%"


def test_sheet_writes_the_xml_that_xlsxwriter_writes_cell_by_cell(tmp_path):
    """``workbook.Sheet`` (a column stored in one call, a shorter XML path) writes the same file as
    XlsxWriter's own ``Worksheet`` given the same cells one by one: numbers with and without a format,
    NaN and infinity (no cell), shared strings (one repeated, one with the quote prefix, one of control
    characters and markup), booleans, a blank formatted cell, row heights, a column and a row format,
    empty rows, cells beyond one 16-row block of spans."""
    import datetime

    import xlsxwriter

    from actuarial.report.workbook import Book

    numbers = [1.5, float("nan"), -2.25e-12, 1e20, float("inf"), 3.0, 1 / 3] * 6
    texts = ["male", "female", "=1+1", "a <b> & \"c\"\x01", "male", " padded "] * 7
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
               "in_memory": True}

    def build(path, fast: bool):
        book = (Book if fast else xlsxwriter.Workbook)(str(path), options)
        book.set_properties({"created": datetime.datetime(2026, 1, 1)})
        sheet = book.add_worksheet("t")
        money, bold, quoted = book.add_format({"num_format": "#,##0.0"}), book.add_format({"bold": True}), \
            book.add_format({"quote_prefix": True})
        sheet.set_column(3, 3, 12, bold)
        sheet.set_row(5, 30)
        sheet.set_row(7, None, money)
        forms = [quoted if t.startswith("=") else None for t in texts]
        if fast:
            sheet.write_numbers(2, 0, numbers, money)
            sheet.write_numbers(1, 3, numbers[::-1])
            sheet.write_strings(0, 1, texts, forms)
        else:
            for i, v in enumerate(numbers):
                if np.isfinite(v):
                    sheet.write_number(2 + i, 0, v, money)
            for i, v in enumerate(numbers[::-1]):
                if np.isfinite(v):
                    sheet.write_number(1 + i, 3, v)
            for i, (t, f) in enumerate(zip(texts, forms)):
                sheet.write_string(i, 1, t, f)
        sheet.write_boolean(4, 2, True)
        sheet.write_blank(60, 5, None, bold)
        sheet.write_string(70, 0, "after an empty block")
        book.close()

    build(tmp_path / "fast.xlsx", True)
    build(tmp_path / "plain.xlsx", False)
    with zipfile.ZipFile(tmp_path / "fast.xlsx") as fast, zipfile.ZipFile(tmp_path / "plain.xlsx") as plain:
        assert fast.namelist() == plain.namelist()
        for name in plain.namelist():
            assert fast.read(name) == plain.read(name), name
