"""Tests of the command line's own options and commands (issue 14): ``--version``,
``check``, ``--set``, the scenario-only options, ``examples``, ``validate`` from
any folder, the light imports of ``--help`` and ``check``, the shipped samples
(package data) and the short reprs."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import NamedTuple

import pytest

import actuarial
from actuarial import AssumptionError, load_assumptions, load_sample
from actuarial.schema import display
from actuarial.assumptions.series import TimeSeries
from actuarial.cli import main
from actuarial.samples import _shipped_files, cases_folder, copy_examples, examples_folder, sample_names
from actuarial.validation import find_cases
from cli_helpers import one_error_line, run_cli

ROOT = Path(__file__).resolve().parents[1]
DEMOLAND = ROOT / "assumptions" / "demoland.yaml"
ENGINE = ("xarray", "numba", "pandas", "scipy", "matplotlib", "dask", "actuarial.pipeline")


def _errors(err: str) -> list[str]:
    lines = err.strip("\n").splitlines()
    assert all(line.startswith(("error:", "warning:")) for line in lines) and "Traceback" not in err, err
    return [line for line in lines if line.startswith("error:")]


# -- --version --------------------------------------------------------------------------

def test_version_prints_the_installed_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"actuarial {actuarial.__version__}"
    assert actuarial.__version__ != "0.0.0+unknown"


# -- check ------------------------------------------------------------------------------

def test_check_valid_files_exits_0_and_names_each_file():
    files = [DEMOLAND, ROOT / "assumptions" / "grid_demoland.yaml", ROOT / "assumptions" / "fiscal_space_example.yaml"]
    code, out, err = run_cli(["check", *map(str, files)])
    assert code == 0, err
    assert err == ""
    lines = out.splitlines()
    assert [line.startswith("ok: ") for line in lines[:3]] == [True] * 3
    assert "case demoland, 2025-2125" in lines[0] and "pension" in lines[0]
    assert "grid of 27 cases" in lines[1]
    assert "fiscal-space case" in lines[2]
    assert lines[-1] == "3 of 3 files valid"


def test_check_prints_every_files_error_and_exits_2(tmp_path):
    bad_key = tmp_path / "bad_key.yaml"
    bad_key.write_text(f"extends: {DEMOLAND}\npension:\n  contributon_rate: 0.1\n")
    bad_value = tmp_path / "bad_value.yaml"
    bad_value.write_text(f"extends: {DEMOLAND}\neconomy:\n  interest_rate: abc\n")
    code, out, err = run_cli(["check", str(bad_key), str(DEMOLAND), str(bad_value), str(tmp_path / "none.yaml")])
    assert code == 2
    errors = _errors(err)
    assert len(errors) == 3, err
    assert "bad_key.yaml: pension.contributon_rate: unknown key (did you mean 'contribution_rate'?)" in errors[0]
    assert "bad_value.yaml: economy.interest_rate:" in errors[1]
    assert "none.yaml" in errors[2] and "not found" in errors[2]
    assert out.count("ok: ") == 1 and "1 of 4 files valid" in out


def test_check_quiet_prints_errors_only(tmp_path):
    code, out, err = run_cli(["check", "-q", str(DEMOLAND)])
    assert (code, out, err) == (0, "", "")


# -- --set --------------------------------------------------------------------------------

def test_set_is_the_same_merge_as_extends_and_grids():
    """``--set`` goes through ``loader.apply_overrides``: the loaded file equals the
    one a grid's ``set:`` (``load_assumptions(path, overrides)``) gives."""
    from actuarial.cli import SET_SOURCE, _overrides

    overrides = _overrides(["pension.contribution_rate=0.14", "economy.interest_rate={2025: 0.05, 2050: 0.04}",
                            "pension.horizons=[25, 50]"])
    assert overrides == {"pension.contribution_rate": 0.14,
                         "economy.interest_rate": {2025: 0.05, 2050: 0.04}, "pension.horizons": [25, 50]}
    a = load_assumptions(DEMOLAND, overrides, SET_SOURCE)
    assert a.pension.contribution_rate == TimeSeries.constant(0.14)
    assert a.economy.interest_rate == TimeSeries((2025, 2050), (0.05, 0.04))
    assert a.pension.horizons == (25, 50)
    assert a.digest != load_assumptions(DEMOLAND).digest


@pytest.mark.parametrize(("setting", "expected"), [
    ("pension.contributon_rate=0.14", "error: --set: pension.contributon_rate: unknown key "
                                      "(did you mean 'contribution_rate'?)"),
    ("pensio.contribution_rate=0.14", "error: --set: pensio: unknown key (did you mean 'pension'?)"),
    ("pension.contribution_rate=1.5", "error: --set: pension.contribution_rate: expected a contribution rate "
                                      "in [0.0, 1.0], got 1.5"),
    ("pension.contribution_rate", "error: --set: pension.contribution_rate: expected KEY=VALUE"),
    ("=0.14", "error: --set: =0.14: expected KEY=VALUE"),
    ("pension.contribution_rate={0.1", "error: --set: pension.contribution_rate: not valid YAML"),
])
def test_bad_set_is_one_error_naming_set(setting, expected, tmp_path):
    for command in (["check"], ["run", "-o", str(tmp_path)]):
        line = one_error_line(*run_cli([*command, str(DEMOLAND), "--set", setting]))
        assert line.startswith(expected), line
    assert not any(tmp_path.iterdir())  # nothing run, nothing written


def test_set_given_twice_is_an_error():
    line = one_error_line(*run_cli(["check", str(DEMOLAND), "--set", "case.horizon=50", "--set", "case.horizon=60"]))
    assert line == "error: --set: case.horizon: given twice"


def test_run_with_set_records_the_overrides(tmp_path):
    import xarray as xr

    settings = ["pension.contribution_rate=0.14", "case.name=demoland_set"]
    code, out, err = run_cli(["run", str(DEMOLAND), "-o", str(tmp_path), "-q", "--no-report",
                              *(a for s in settings for a in ("--set", s))])
    assert code == 0, err
    with xr.open_datatree(tmp_path / "demoland_set" / "results.nc") as tree:
        attrs = dict(tree.attrs)
    overrides = {"pension.contribution_rate": 0.14, "case.name": "demoland_set"}
    assert json.loads(attrs["overrides"]) == overrides
    assert attrs["assumptions_hash"] == load_assumptions(DEMOLAND, overrides, "--set").digest


# -- options that apply to the scenarios only -------------------------------------------

@pytest.mark.parametrize("option", [["--seed", "3"], ["--workers", "2"], ["--scheduler", "tcp://x:1"]])
def test_scenario_options_without_scenarios_are_an_error(option, tmp_path):
    line = one_error_line(*run_cli(["run", str(DEMOLAND), "-o", str(tmp_path), *option]))
    assert line == f"error: {option[0]} applies to the stochastic scenarios only; give --scenarios N with it"
    assert not any(tmp_path.iterdir())


# -- light imports ----------------------------------------------------------------------------

def _modules_after(code: str, cwd: Path) -> list[str]:
    script = f"import sys\n{code}\nprint(' '.join(m for m in {ENGINE + ('numpy',)!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=cwd, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split("\n")[-2].split()


def test_import_actuarial_and_help_import_no_engine(tmp_path):
    assert _modules_after("import actuarial", tmp_path) == []
    help_ = "from actuarial.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    assert _modules_after(help_, tmp_path) == []


def test_check_imports_no_engine(tmp_path):
    """``check`` reads and validates: numpy and yaml, never the projection engine nor pandas,
    also for Demoland's ``distribution`` section (its survey CSVs are read by
    ``actuarial.datafiles.read_columns``, the csv module into numpy) and ``fiscal_space``;
    nor importlib.metadata (pydantic's plugin loader, stood in for while the CLI runs)."""
    text = DEMOLAND.read_text()
    plain = tmp_path / "plain.yaml"  # Demoland without its distribution and fiscal_space sections
    plain.write_text(text[:text.index("\ndistribution:")] + text[text.index("\nstochastic:"):])
    check = ("from actuarial.cli import main\nassert main(['check', '-q', {!r}]) == 0\n"
             "assert 'importlib.metadata' not in sys.modules and 'pydantic.plugin._loader' not in sys.modules")
    assert _modules_after(check.format(str(plain)), tmp_path) == ["numpy"]
    assert _modules_after(check.format(str(DEMOLAND)), tmp_path) == ["numpy"]


def test_run_imports_only_what_it_uses(tmp_path):
    """``actuarial run --no-report`` of Demoland (every stage, the workbook and the NetCDF file)
    never imports dask.array, nor scipy.fft or scipy.special that it brings (xarray looks the dask
    array type up for each Variable it builds: ``actuarial.arrays.defer_dask_lookup``), nor
    scipy.sparse (the financing plan's matrix is built with numpy), nor matplotlib (the report's)."""
    unused = ("dask.array", "scipy.fft", "scipy.special", "scipy.sparse", "matplotlib", "tqdm", "zarr")
    code = (f"from actuarial.cli import main\nassert main(['run', {str(DEMOLAND)!r}, '-o', {str(tmp_path)!r}, "
            "'-q', '--no-report']) == 0\n"
            f"print(' '.join(m for m in {unused!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", "import sys\n" + code], capture_output=True, text=True,
                          cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[-2].split() == []


def test_public_names_still_import():
    from actuarial import AssumptionError as E, Assumptions, load_assumptions as la, run  # noqa: F401

    assert {"run", "load_assumptions", "Assumptions", "AssumptionError", "load_sample"} <= set(dir(actuarial))
    assert actuarial.pipeline.run is run  # a submodule reached as an attribute, as before
    with pytest.raises(AttributeError):
        actuarial.no_such_name  # noqa: B018
    import fiscal_space

    assert callable(fiscal_space.run_fiscal_space) and set(fiscal_space.__all__) <= set(dir(fiscal_space))


# -- shipped samples ------------------------------------------------------------------------

def _files(folder: Path) -> set:
    """The data files of ``folder`` (its build scripts, ``sources/*.py``, are not samples)."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".py", ".pyc")}


def test_samples_are_the_repository_folders():
    """In an editable install the very folders; installed from a wheel, the same files."""
    for shipped, repo in ((examples_folder(), ROOT / "assumptions"), (cases_folder(), ROOT / "validation_cases")):
        if shipped.resolve() != repo.resolve():
            assert _files(repo) <= _files(shipped), shipped
    assert {"demoland", "demoland_reform", "canada", "mexico"} <= set(sample_names())


def test_package_data_globs_ship_every_file():
    """Every file of assumptions/ (but its scripts in sources/) and of validation_cases/ is
    matched by a package-data glob of pyproject.toml: nothing is missing from a wheel."""
    tomllib = pytest.importorskip("tomllib")
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    for package, folder in (("actuarial.samples.assumptions", ROOT / "assumptions"),
                            ("actuarial.samples.validation_cases", ROOT / "validation_cases")):
        shipped = {p.relative_to(folder) for pattern in package_data[package] for p in folder.glob(pattern)}
        assert set(_shipped_files(folder)) <= shipped, set(_shipped_files(folder)) - shipped


def test_load_sample():
    a = load_sample("demoland")
    assert a.case.name == "demoland" and a.pension is not None
    with pytest.raises(AssumptionError, match=r"no such sample assumption set \(expected one of .*demoland"):
        load_sample("atlantis")


def test_examples_copies_the_sets_and_they_validate(tmp_path):
    target = tmp_path / "ex"
    code, out, err = run_cli(["examples", str(target)])
    assert code == 0, err
    assert "run one with: actuarial run" in out
    for name in ("demoland.yaml", "demoland_reform.yaml", "grid_demoland.yaml", "fiscal_space_example_costs.csv",
                 "data/canada/un_wpp.yaml"):
        assert (target / name).is_file(), name
    assert not (target / "sources").exists()
    # the copies run as they are: extends:, data files and the grid's base resolve beside them
    code, out, err = run_cli(["check", *map(str, sorted(target.glob("*.yaml")))])
    assert code == 0, err
    assert load_assumptions(target / "demoland_reform.yaml").case.name == "demoland_reform"
    # the copy reads its own copy of the shipped survey, not the package's
    text = (target / "demoland.yaml").read_text()
    assert '"{samples}/' not in text and '"data/demoland/survey/households.csv"' in text
    (target / "data" / "demoland" / "survey" / "households.csv").write_text("edited")  # it is the copy that is read
    line = one_error_line(*run_cli(["check", str(target / "demoland.yaml")]))
    assert str(target / "data" / "demoland" / "survey" / "households.csv") in line
    # a second copy does not overwrite the user's edits without --force
    (target / "demoland.yaml").write_text("edited")
    line = one_error_line(*run_cli(["examples", str(target)]))
    assert "already exists" in line and "--force" in line
    assert (target / "demoland.yaml").read_text() == "edited"
    assert run_cli(["examples", str(target), "--force"])[0] == 0
    assert (target / "demoland.yaml").read_text() == DEMOLAND.read_text().replace('"{samples}/', '"')


def test_copy_examples_into_a_file_is_an_error(tmp_path):
    (tmp_path / "f").write_text("")
    with pytest.raises(AssumptionError, match="expected a folder"):
        copy_examples(tmp_path / "f")


def test_validate_runs_the_shipped_cases_from_any_folder(tmp_path, monkeypatch):
    import actuarial.validation as validation

    asked = []

    def fake_run_cases(paths):
        asked.append(paths)
        return [validation.Row("c", "q", 1.0, 1.0, 0.0, 1e-9, True)]

    monkeypatch.setattr(validation, "run_cases", fake_run_cases)
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["validate"])
    assert code == 0, err
    assert [Path(p).resolve() for p in asked[0]] == [cases_folder().resolve()]
    assert len(find_cases(asked[0])) == len(find_cases([ROOT / "validation_cases"]))


@pytest.mark.slow
def test_wheel_is_usable_on_its_own(tmp_path):
    """A real wheel, installed without the repository: the samples and the cases are in it."""
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    build = subprocess.run([*pip, "wheel", "--no-deps", "-w", str(wheels), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    if build.returncode != 0 and "No matching distribution found for setuptools" in build.stderr:
        pytest.skip("no package index to build the wheel's build environment from")
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("actuarial-*.whl")
    install = subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)],
                             capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr
    script = textwrap.dedent(f"""
        import actuarial, actuarial.samples as s
        from actuarial.cli import main
        from actuarial.validation import find_cases
        assert actuarial.__file__.startswith({str(site)!r}), actuarial.__file__
        assert str(s.examples_folder()).startswith({str(site)!r}) and str(s.cases_folder()).startswith({str(site)!r})
        assert main(["examples", "ex"]) == 0
        assert main(["check", "-q", "ex/demoland.yaml", "ex/canada.yaml", "ex/grid_demoland.yaml"]) == 0
        print(len(find_cases([s.cases_folder()])), actuarial.load_sample("demoland").case.name)
    """)
    env = {**os.environ, "PYTHONPATH": str(site)}  # ahead of the editable install's finder
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    n_cases, name = done.stdout.split("\n")[-2].split()
    assert int(n_cases) == len(find_cases([ROOT / "validation_cases"])) and name == "demoland"


# -- reprs --------------------------------------------------------------------------------

def test_series_reprs():
    assert repr(TimeSeries.constant(60)) == "TimeSeries(60.0)"
    assert repr(TimeSeries((2025, 2050), (0.1, 0.12))) == "TimeSeries({2025: 0.1, 2050: 0.12})"
    long = repr(TimeSeries(tuple(range(2000, 2030)), tuple(float(v) for v in range(30))))
    assert long.startswith("TimeSeries({2000: 0.0,") and "..., 2028: 28.0, 2029: 29.0}, 30 anchors)" in long


def test_assumptions_repr_is_a_few_lines(demoland):
    text = repr(demoland)
    lines = text.splitlines()
    assert len(lines) <= 6 and len(text) < 600, text
    assert lines[0] == ("Assumptions: demoland (Demoland), base year 2025, horizon 100 years (2025-2125), "
                        "currency DML")
    assert "pension" in lines[1] and "fiscal_space" in lines[1] and demoland.digest in text
    for name, section in display.sections(demoland):  # each section briefly: schedules as their range
        assert len(repr(section)) < 4000, name
    assert "<101 ages: 0 .. 0.006>" in repr(demoland.pension.invalidity_incidence)


def test_html_repr_tables_the_sections(demoland):
    page = demoland._repr_html_()
    assert page.count("<table") == 1 and "contribution_rate=TimeSeries(0.12)" in page
    for name, _ in display.sections(demoland):
        assert f">{name}</th>" in page
    assert "<table" in demoland.pension._repr_html_()


def test_display_is_generic_over_dataclasses_named_tuples_and_pydantic():
    import numpy as np

    class Pair(NamedTuple):
        female: object
        male: object

    @dataclasses.dataclass
    class Section:
        rate: TimeSeries
        ages: Pair
        note: str = "x"

    s = Section(TimeSeries.constant(0.1), Pair(np.zeros(101), np.linspace(0, 1, 101)))
    assert display.brief(s) == ("Section(rate=TimeSeries(0.1), ages=Pair(female=<101 ages: 0>, "
                                "male=<101 ages: 0 .. 1>), note='x')")
    pydantic = pytest.importorskip("pydantic")

    class Model(pydantic.BaseModel):
        rate: float
        name: str

    assert display.brief(Model(rate=0.1, name="a")) == "Model(rate=0.1, name='a')"


def test_output_into_a_closed_pipe_is_no_traceback():
    """``actuarial check ... | head -1``: the reader stops; the command ends quietly."""
    demoland = str(ROOT / "assumptions" / "demoland.yaml")
    proc = subprocess.Popen([sys.executable, "-c", "import sys; from actuarial.cli import main; sys.exit(main())",
                             "check", *[demoland] * 400], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdout.close()  # nobody reads
    err = proc.stderr.read()
    proc.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert proc.returncode == 141
