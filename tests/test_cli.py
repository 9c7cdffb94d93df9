"""Tests of ``actuarial run``: results on disk, and bad input handled cleanly."""

from __future__ import annotations

import contextlib
import importlib.util
import io
from pathlib import Path

import pytest
import xarray as xr
import yaml

import actuarial
from actuarial import load_assumptions
from actuarial.cli import main

DEMOLAND = Path(__file__).resolve().parents[1] / "assumptions" / "demoland.yaml"


def _load_sibling(name: str):
    """Import a sibling test module by path (works whatever pytest's import mode)."""
    spec = importlib.util.spec_from_file_location(f"_actuarial_{name}", Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_cases = _load_sibling("test_assumptions")
BAD_CASES, check_keywords = _cases.BAD_CASES, _cases.check_keywords


def run_cli(argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def assert_clean_error(code: int, out: str, err: str) -> str:
    """Exit code 2, one 'error:' line on stderr, no traceback; returns the line."""
    assert code == 2
    assert out == ""
    lines = err.strip("\n").splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error:")
    assert "Traceback" not in err
    return lines[0]


# -- bad input -----------------------------------------------------------------------

@pytest.mark.parametrize(("build", "keywords"), BAD_CASES)
def test_bad_input_exits_2_with_one_line_and_no_output(tmp_path, build, keywords):
    cases = tmp_path / "cases"
    cases.mkdir()
    path = build(cases)
    out_dir = tmp_path / "out"
    line = assert_clean_error(*run_cli(["run", str(path), "-o", str(out_dir)]))
    check_keywords(line, keywords, path)
    assert files_under(out_dir) == []


def test_unwritable_output_folder_exits_2_without_traceback(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    out_dir = blocker / "out"
    line = assert_clean_error(*run_cli(["run", str(DEMOLAND), "-o", str(out_dir), "-q"]))
    assert "cannot write results" in line
    assert str(out_dir) in line
    assert blocker.read_text() == "not a folder"
    assert [p.name for p in tmp_path.iterdir()] == ["a_file"]


@pytest.mark.parametrize("name", ["../escaped", "sub/dir", ".hidden"])
def test_case_name_cannot_escape_the_output_folder(tmp_path, name):
    data = yaml.safe_load(DEMOLAND.read_text())
    data["case"]["name"] = name
    path = tmp_path / "escape.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    line = assert_clean_error(*run_cli(["run", str(path), "-o", str(tmp_path / "out"), "-q"]))
    assert "escape.yaml" in line and "case.name" in line and repr(name) in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["escape.yaml"]


# -- a good run ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demoland_run(tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("run")
    code, out, err = run_cli(["run", str(DEMOLAND), "-o", str(out_dir)])
    return code, out, err, out_dir


def test_run_demoland_exits_0_and_writes_results(demoland_run):
    code, out, err, out_dir = demoland_run
    assert code == 0, err
    assert err == ""
    target = out_dir / "demoland" / "results.nc"
    assert target.is_file()
    # the results and their Excel summary, no temporary files left behind
    assert sorted(files_under(out_dir)) == sorted([target, target.with_name("summary.xlsx"),
                                                   target.with_name("report.html")])
    assert str(target) in out


def test_results_read_back_as_datatree(demoland_run):
    out_dir = demoland_run[3]
    digest = load_assumptions(DEMOLAND).digest
    with xr.open_datatree(out_dir / "demoland" / "results.nc") as tree:
        assert "demography" in tree.children
        ds = tree["demography"].to_dataset()
        population = ds["population"]
        assert population.dims == ("scenario", "year", "sex", "age")
        assert ds.sizes["year"] == 101
        assert ds.sizes["age"] == 101
        assert list(ds["sex"].values) == ["female", "male"]
        assert int(ds["year"][0]) == 2025 and int(ds["year"][-1]) == 2125
        assert "units" in population.attrs and "long_name" in population.attrs
        for attrs in (ds.attrs, tree.attrs):
            assert attrs["engine_version"] == actuarial.__version__
            assert attrs["assumptions_hash"] == digest


def test_console_summary_mentions_population_and_life_expectancy(demoland_run):
    out = demoland_run[1]
    assert "Demoland" in out
    assert "population" in out
    for column in ("e0 F", "e0 M", "e65 F", "e65 M"):
        assert column in out
    assert "2025" in out and "2125" in out


def test_quiet_run_prints_nothing(tmp_path):
    code, out, err = run_cli(["run", str(DEMOLAND), "-o", str(tmp_path), "-q"])
    assert (code, out, err) == (0, "", "")
    assert (tmp_path / "demoland" / "results.nc").is_file()
