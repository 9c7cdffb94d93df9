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
