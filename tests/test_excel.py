"""summary.xlsx: numbers read back equal the results in results.nc."""

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xarray as xr

from actuarial.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("excel")
    assert main(["run", str(ROOT / "assumptions" / "demoland.yaml"), "-o", str(out), "-q"]) == 0
    folder = out / "demoland"
    return xr.open_datatree(folder / "results.nc"), folder / "summary.xlsx"


def test_sheets_match_results(outputs):
    tree, xlsx = outputs
    sheets = pd.read_excel(xlsx, sheet_name=None, index_col=0)
    assert {"metadata", "demography", "economy", "pension", "pension_metrics", "spf", "assumptions"} <= set(sheets)
    demo = tree["demography"].to_dataset().isel(scenario=0)
    np.testing.assert_allclose(sheets["demography"]["total_population"].values, demo["total_population"].values,
                               rtol=1e-15)
    pension = tree["pension"].to_dataset().isel(scenario=0)
    np.testing.assert_allclose(sheets["pension"]["payg_cost_rate"].values, pension["payg_cost_rate"].values,
                               rtol=1e-15)
    np.testing.assert_allclose(sheets["pension"]["reserve"].values, pension["reserve"].values, rtol=1e-15)
    np.testing.assert_allclose(sheets["economy"]["gdp"].values, tree["economy"]["gdp"].values, rtol=1e-15)
    gap = sheets["pension_metrics"].loc["general_average_premium (75)", "value"]
    assert gap == pytest.approx(float(pension["general_average_premium"].sel(horizon=75)), rel=1e-15)
    spf = tree["spf"].to_dataset().isel(scenario=0)
    np.testing.assert_allclose(sheets["spf"]["package_cost_gdp"].values, spf["package_cost_gdp"].values, rtol=1e-15)
    meta = sheets["metadata"]["value"]
    assert meta["assumptions_hash"] == tree.attrs["assumptions_hash"]
    assert meta["engine_version"] == tree.attrs["engine_version"]


def test_numbers_are_numbers_with_formats(outputs):
    _, xlsx = outputs
    sheet = openpyxl.load_workbook(xlsx)["pension"]
    header = {cell.value: cell.column for cell in sheet[1]}
    rate = sheet.cell(row=2, column=header["payg_cost_rate"])
    money = sheet.cell(row=2, column=header["reserve"])
    assert rate.data_type == "n" and rate.number_format == "0.00%"
    assert money.data_type == "n" and money.number_format == "#,##0"


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
    import zipfile

    book = openpyxl.load_workbook(injected)
    country = '=HYPERLINK("http://example.com","click")'
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if cell.value in (country, "+SUM(1,1)"):
                    assert cell.data_type == "s" and cell.quotePrefix
                    found.append((sheet.title, cell.value))
    assert ("metadata", country) in found and ("metadata", "+SUM(1,1)") in found
    assert ("assumptions", country) in found
    with zipfile.ZipFile(injected) as z:  # no formula element anywhere in the file
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in z.namelist()
                       if n.startswith("xl/worksheets/"))


def test_the_assumptions_sheet_is_what_the_run_loaded(injected):
    sheet = pd.read_excel(injected, sheet_name="assumptions", index_col=0)["value"]
    assert sheet["pension.contribution_rate"] == 0.12  # demoland.yaml's, used by the run; the file now says 0.99
    assert sheet["case.horizon"] == 10


def test_the_assumptions_sheet_shows_the_seed_the_run_used(root, tmp_path):
    import openpyxl

    from actuarial.cli import main

    assert main(["run", str(root / "assumptions" / "demoland.yaml"), "-o", str(tmp_path), "-q",
                 "--scenarios", "4", "--seed", "7", "--no-report"]) == 0
    sheet = openpyxl.load_workbook(tmp_path / "demoland" / "summary.xlsx")["assumptions"]
    seeds = [row[1].value for row in sheet.iter_rows() if row[0].value == "stochastic.seed"]
    assert seeds == [7]
