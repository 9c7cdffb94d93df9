"""``actuarial assumptions from-wpp`` and ``write_wpp_assumptions``: a demography
file with its data, sources and the WPP totals, and its validation case."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from actuarial.assumptions import load_assumptions
from actuarial.cli import main
from actuarial.demography.wpp_export import check_totals, write_wpp_assumptions
from actuarial.errors import AssumptionError
from actuarial.stages import run_demography
from actuarial.validation import run_cases

DATA = Path(__file__).parent / "data" / "wpp"


@pytest.fixture
def fixtures(tmp_path) -> Path:
    folder = tmp_path / "wpp"
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns("*.py", ".actuarial-cache"))
    return folder


def file_totals(folder: Path, locid: int) -> dict:
    """{year: persons} summed from the population files with plain pandas."""
    table = pd.concat(pd.read_csv(p, encoding="utf-8-sig") for p in folder.glob("WPP2024_Population1January*"))
    table = table[(table["LocID"] == locid) & (table["Variant"] == "Medium")]
    return (table.groupby("Time")[["PopFemale", "PopMale"]].sum().sum(axis=1) * 1000).to_dict()


def test_written_file_reproduces_the_files_and_its_case_passes(tmp_path, fixtures):
    out = write_wpp_assumptions(fixtures, "Canada", tmp_path / "can.yaml", base_year=2021)
    text = out.read_text(encoding="utf-8")
    assert "WPP2024" in text and "variant Medium" in text and "WPP2024_Life_Table_Complete_Medium_Female" in text
    assert str(fixtures) not in text  # the data are in the file, not the folder
    a = load_assumptions(out)
    assert (a.case.base_year, a.case.horizon) == (2021, 5)
    want = file_totals(fixtures, 124)
    got = check_totals(out)
    np.testing.assert_allclose(got["expected"], [want[y] for y in got["years"]], rtol=1e-12)
    assert got["max_relative_error"] < 1e-6
    rows = run_cases([out.with_name("can.case.yaml")])
    assert len(rows) == 1 and rows[0].passed and rows[0].error < 1e-6


def test_a_full_file_extends_it(tmp_path, fixtures):
    write_wpp_assumptions(fixtures, "MEX", tmp_path / "mex.yaml", base_year=2022, horizon=4)
    full = tmp_path / "full.yaml"
    full.write_text("extends: mex.yaml\ncase:\n  name: mexico_full\n  currency: MXN\n", encoding="utf-8")
    ds = run_demography(load_assumptions(full))
    want = file_totals(fixtures, 484)
    np.testing.assert_allclose(ds["total_population"].values[0], [want[y] for y in range(2022, 2027)], rtol=1e-9)


def test_model_migration_and_beyond_data(tmp_path, fixtures):
    out = write_wpp_assumptions(fixtures, "Canada", tmp_path / "m.yaml", base_year=2021, horizon=8,
                                migration="model", beyond_data="hold_flat")
    text = out.read_text(encoding="utf-8")
    assert "Rogers-Castro parameters fitted (women)" in text and "beyond_data: hold_flat" in text
    assert "tolerance: 0.005" in out.with_name("m.case.yaml").read_text(encoding="utf-8")
    assert check_totals(out)["max_relative_error"] < 0.005
    with pytest.raises(AssumptionError, match="past the files' last year of mortality"):
        write_wpp_assumptions(fixtures, "Canada", tmp_path / "x.yaml", base_year=2021, horizon=8)
    with pytest.raises(AssumptionError, match="expected a base year the files hold"):
        write_wpp_assumptions(fixtures, "Canada", tmp_path / "x.yaml", base_year=2030)


def test_cli(tmp_path, fixtures, capsys):
    out = tmp_path / "c.yaml"
    code = main(["assumptions", "from-wpp", "124", "--wpp", str(fixtures), "--base-year", "2023",
                 "--horizon", "3", "-o", str(out)])
    text = capsys.readouterr().out
    assert code == 0, text
    assert out.is_file() and out.with_name("c.case.yaml").is_file()
    assert "largest relative error" in text
    assert main(["validate", str(out.with_name("c.case.yaml"))]) == 0
