"""results.nc provenance and shape (issue 18; docs/results.md, actuarial/provenance.py).

A short Demoland (10 years; case, demography, economy, labour, pension and
spf) is run through the command line and its results.nc read back: every
node carries the command, the software versions, the creation time, the
resolved assumptions as YAML and the source relative to the working
directory; every coordinate has units and long_name; every node that holds
data has a ``scenario`` dimension. Two runs that differ only in time have equal data
and equal digests (and the compare tool's cache accepts either)."""

from __future__ import annotations

import contextlib
import io
import re
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml

import actuarial.provenance as provenance
from actuarial import load_assumptions
from actuarial.assumptions.loader import apply_overrides, load_tree, read_yaml
from actuarial.cli import main
from actuarial.compare import cached_results
from actuarial.pipeline import run

DEMOLAND = Path(__file__).resolve().parents[1] / "assumptions" / "demoland.yaml"
SECTIONS = ("case", "demography", "economy", "labour", "pension", "spf")
SET = "pension.contribution_rate=0.14"
ISO_UTC = "%Y-%m-%dT%H:%M:%SZ"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A working folder with the short case at ``cases/short.yaml``."""
    folder = tmp_path_factory.mktemp("layout")
    data = {k: v for k, v in read_yaml(DEMOLAND).items() if k in SECTIONS}
    data["case"] = {**data["case"], "name": "short", "horizon": 10}
    data["pension"] = {**data["pension"], "horizons": [5, 10]}
    (folder / "cases").mkdir()
    (folder / "cases" / "short.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return folder


def run_cli(argv) -> str:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    assert code == 0, err.getvalue()
    return out.getvalue()


ARGV = ["run", "cases/short.yaml", "-o", "out", "-q", "--no-report", "--force", "--set", SET]


@pytest.fixture(scope="module")
def two_runs(folder):
    """The results of the same command run twice, at times one hour apart (``created_now`` replaced)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        trees, times = [], ["2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"]
        for stamp in times:
            mp.setattr(provenance, "created_now", lambda stamp=stamp: stamp)
            run_cli(ARGV)
            with xr.open_datatree(folder / "out" / "short" / "results.nc") as tree:
                trees.append(tree.load().copy())
    return trees, times


def test_every_node_carries_the_provenance(folder, two_runs):
    tree = two_runs[0][0]
    data, origins = load_tree(folder / "cases" / "short.yaml")
    merged, _ = apply_overrides(data, origins, {"pension.contribution_rate": 0.14}, "--set")
    versions = {"python": None, "numpy": np.__version__, "xarray": xr.__version__}
    for node in tree.subtree:
        attrs = node.attrs
        assert attrs["command"] == "actuarial " + " ".join(ARGV), node.path
        assert attrs["source"] == str(Path("cases") / "short.yaml")  # relative to the working folder
        assert attrs["created"] == two_runs[1][0]
        for name, version in versions.items():
            assert re.search(rf"(^|; ){name} {re.escape(version) if version else '[0-9]'}", attrs["software_versions"])
        for name in ("pandas", "numba", "scipy", "pydantic", "netCDF4"):
            assert f"{name} " in attrs["software_versions"]
        resolved = yaml.safe_load(attrs["assumptions_yaml"])
        assert resolved == merged  # the tree after extends: and --set
        assert resolved["pension"]["contribution_rate"] == 0.14


def test_the_creation_time_is_now_in_utc(folder):
    before = datetime.now(timezone.utc).replace(microsecond=0)
    attrs = provenance.provenance(load_assumptions(folder / "cases" / "short.yaml"), ["actuarial", "run"])
    created = datetime.strptime(attrs["created"], ISO_UTC).replace(tzinfo=timezone.utc)
    assert before <= created <= datetime.now(timezone.utc)
    assert attrs["command"] == "actuarial run"


def test_every_coordinate_has_units_and_long_name(two_runs):
    tree = two_runs[0][0]
    seen = set()
    for node in tree.subtree:
        for name, coord in node.to_dataset().coords.items():
            seen.add(name)
            assert coord.attrs.get("units") is not None and coord.attrs.get("long_name"), (node.path, name)
    assert {"year", "age", "sex", "horizon", "benefit"} <= seen
    assert tree["demography"]["age"].attrs["units"] == "years"
    assert tree["demography"]["year"].attrs["units"] == "year"


def test_every_node_has_a_scenario_dimension(two_runs):
    """The rule of docs/results.md: every node that holds data has a ``scenario`` dimension
    (size 1, value 0: the deterministic path); before, economy had none, demography had one."""
    tree = two_runs[0][0]
    for node in tree.subtree:
        ds = node.to_dataset()
        if node.path == "/":
            assert not ds.dims and not ds.data_vars  # attrs only
            continue
        assert ds.sizes["scenario"] == 1 and ds["scenario"].values.tolist() == [0], node.path
        assert ds.isel(scenario=0).sizes.get("scenario") is None
    assert tree["demography"]["population"].dims == ("scenario", "year", "sex", "age")
    assert tree["economy"]["gdp"].dims == ("year",)  # the variables are left as they are


def test_two_runs_differing_in_time_have_equal_data_and_digests(folder, two_runs):
    (first, second), times = two_runs
    assert first.attrs["created"] == times[0] and second.attrs["created"] == times[1]
    assert first.attrs["assumptions_hash"] == second.attrs["assumptions_hash"]
    for node in first.subtree:
        a, b = node.to_dataset(), second[node.path].to_dataset()
        assert a.attrs.pop("created") != b.attrs.pop("created")
        xr.testing.assert_identical(a, b)  # every value, coordinate and other attribute
    # the digest does not see the time: the compare tool's cache takes the file as current
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        a = load_assumptions(folder / "cases" / "short.yaml", {"pension.contribution_rate": 0.14}, "--set")
        assert cached_results(folder / "out" / "short" / "results.nc", a) is not None
        assert a.digest == second.attrs["assumptions_hash"]


def test_the_tree_a_run_returns_has_no_provenance(folder):
    """Provenance is added when results.nc is written: the tree (and so the batch
    checkpoints and their content hash) never holds the time."""
    tree = run(load_assumptions(folder / "cases" / "short.yaml"))
    for node in tree.subtree:
        assert not {"created", "command", "software_versions", "assumptions_yaml"} & set(node.attrs)


def test_source_is_relative_below_the_working_folder_else_absolute(tmp_path, monkeypatch):
    inside = tmp_path / "work" / "cases" / "a.yaml"
    outside = tmp_path / "elsewhere" / "b.yaml"
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    assert provenance.display_path(inside) == str(Path("cases") / "a.yaml")
    assert provenance.display_path(outside) == str(outside.resolve())
    assert provenance.display_path("cases/a.yaml") == str(Path("cases") / "a.yaml")
