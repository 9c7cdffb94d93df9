"""Tests of valuation batches (``actuarial.batch``) and sensitivity grids (``actuarial.grid``).

Cases are short-horizon variants of Demoland (10 years) so that a batch
takes seconds. Most batches share one ``LocalCluster`` of two worker
processes; the 1-worker comparison builds its own (``run_batch``'s default
path), and ``test_separate_processes_survive_a_killed_worker`` starts a
scheduler and two workers as separate ``dask`` processes on loopback.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import pickle
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import cloudpickle
import numpy as np
import pytest
import xarray as xr
import yaml

from actuarial import AssumptionError, load_assumptions
from actuarial.assumptions.loader import read_yaml
from actuarial.batch import combine, run_batch
from actuarial.checkpoint import CheckpointError, read_checkpoint, write_checkpoint
from actuarial.cli import main
from actuarial.grid import CaseSpec, case_specs, expand_grid, is_grid
from actuarial.pipeline import run

DEMOLAND = Path(__file__).resolve().parents[1] / "assumptions" / "demoland.yaml"
DASK = Path(sys.executable).with_name("dask")

SECTIONS = ("case", "demography", "economy", "labour", "pension", "spf")
GRID = """\
base: short.yaml
grid:
  demography.fertility.tfr:
    low: {2025: 2.7, 2035: 1.8}
    high: {2025: 2.7, 2035: 2.6}
  economy.interest_rate: [0.04, 0.07]
"""
GRID_NAMES = ["short_tfr-low_interest_rate-0.04", "short_tfr-low_interest_rate-0.07",
              "short_tfr-high_interest_rate-0.04", "short_tfr-high_interest_rate-0.07"]


def short_demoland() -> str:
    """Demoland over 10 years: its population, economy, labour, pension and
    SPF sections (other stages' horizons may not fit 10 years)."""
    data = {k: v for k, v in read_yaml(DEMOLAND).items() if k in SECTIONS}
    data["case"] = {**data["case"], "name": "short", "horizon": 10}
    data["pension"] = {**data["pension"], "horizons": [5, 10]}
    return yaml.safe_dump(data, sort_keys=False)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> Path:
    """A folder with short.yaml and grid.yaml (4 cases)."""
    folder = tmp_path_factory.mktemp("cases")
    write(folder / "short.yaml", short_demoland())
    write(folder / "grid.yaml", GRID)
    return folder


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      scheduler_kwargs={"dashboard_address": ":0"}, silence_logs=logging.CRITICAL) as cluster, \
            Client(cluster, set_as_default=False) as c:
        yield c


def run_cli(argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def case_dataset(batch: xr.DataTree, node: str, case: str) -> xr.Dataset:
    ds = batch[node].to_dataset().sel(case=case)
    grid = [c for c in ds.coords if c.startswith("grid_")]  # the batch's own coordinates along case
    return ds.drop_vars(["case", "assumptions_hash", "file", *grid])


# -- grids and overrides (no cluster) ----------------------------------------------------

def test_grid_expands_to_the_product_named_from_the_values(cases):
    specs = expand_grid(cases / "grid.yaml")
    assert [s.name for s in specs] == GRID_NAMES
    assert all(s.file == (cases / "grid.yaml").resolve() for s in specs)
    a = specs[1].load()
    assert a.case.name == GRID_NAMES[1]
    assert a.case.horizon == 10  # from short.yaml, through extends
    assert a.demography.fertility.tfr.years == (2025, 2035)
    assert a.demography.fertility.tfr.values == (2.7, 1.8)
    assert a.economy.interest_rate.values == (0.07,)
    assert len({s.load().digest for s in specs}) == 4


def test_grid_labels_keys_values_and_fixed_overrides(tmp_path, cases):
    grid = write(tmp_path / "g.yaml", f"""\
base: {cases / 'short.yaml'}
name: sens
set: {{case.horizon: 8, pension.horizons: [8]}}
grid:
  pension.pensionable_age: [60, 65]
  labour.unemployment.female: [0.05]
  economy.inflation: [{{2025: 0.05}}, {{2025: 0.03, 2030: 0.02}}]
""")
    assert is_grid(grid) and not is_grid(cases / "short.yaml")
    specs = expand_grid(grid)
    assert [s.name for s in specs] == [
        "sens_pensionable_age-60_female-0.05_inflation-1", "sens_pensionable_age-60_female-0.05_inflation-2",
        "sens_pensionable_age-65_female-0.05_inflation-1", "sens_pensionable_age-65_female-0.05_inflation-2"]
    a = specs[3].load()
    assert a.case.horizon == 8
    assert a.pension.pensionable_age.female.values == (65.0,)
    assert a.economy.inflation.years == (2025, 2030)
    # two keys ending alike are told apart by one more part of their path
    write(grid, grid.read_text().replace("labour.unemployment.female", "labour.unemployment.male")
          .replace("economy.inflation", "labour.coverage.male"))
    assert "unemployment_male-0.05" in expand_grid(grid)[0].name


@pytest.mark.parametrize(("text", "key", "words"), [
    ("grid: {economy.interest_rate: [0.04]}", "base", "expected the path"),
    ("base: missing.yaml\ngrid: {economy.interest_rate: [0.04]}", "base", "not found"),
    ("base: short.yaml\ngrid: {}", "grid", "at least one key"),
    ("base: short.yaml\ngrid: {economy.interest_rate: 0.04}", "grid.economy.interest_rate", "list of values"),
    ("base: short.yaml\ngrid: {economy.interest_rate: [0.04, 0.04]}", "grid.economy.interest_rate", "repeat"),
    ("base: short.yaml\ngrids: {}\ngrid: {economy.interest_rate: [0.04]}", "grids", "unknown key"),
])
def test_bad_grid_files_name_the_file_and_key(cases, text, key, words):
    grid = write(cases / "bad_grid.yaml", text)
    with pytest.raises(AssumptionError) as info:
        expand_grid(grid)
    assert info.value.file == str(grid.resolve())
    assert info.value.key == key
    assert words in info.value.expected


def test_overrides_merge_like_an_extends_child_and_errors_name_their_source(cases):
    base = cases / "short.yaml"
    a = load_assumptions(base, {"demography.fertility.rates": {2025: {"first_age": 15, "width": 5,
                                                                      "values": [0.05] * 7}}})
    assert a.demography.fertility.tfr is None  # rates replace tfr and pattern (ALTERNATIVES)
    assert load_assumptions(base).digest == load_assumptions(base, {}).digest
    with pytest.raises(AssumptionError) as info:
        load_assumptions(base, {"economy.interest_rate": 7}, cases / "grid.yaml")
    assert info.value.file == str(cases / "grid.yaml") and info.value.key == "economy.interest_rate"
    with pytest.raises(AssumptionError, match="unknown key"):
        load_assumptions(base, {"economy.interest_rat": 0.05}, cases / "grid.yaml")
    with pytest.raises(AssumptionError, match="conflicts"):
        load_assumptions(base, {"economy.interest_rate": 0.05, "economy.interest_rate.2030": 0.04})


def test_combine_joins_years_and_keeps_each_node_s_cases():
    def tree(case, years, with_b=True):
        nodes = {"/a": xr.Dataset({"x": ("year", np.arange(len(years), dtype=float))}, coords={"year": years})}
        if with_b:
            nodes["/b"] = xr.Dataset({"y": ("sex", [1.0, 2.0])}, coords={"sex": ["female", "male"]})
        t = xr.DataTree.from_dict(nodes)
        t.attrs.update(case=case, assumptions_hash=f"h{case}", engine_version="v")
        return t

    out = combine({"one": tree("one", [2025, 2026]), "two": tree("two", [2025, 2026, 2027], with_b=False)})
    a = out["a"].to_dataset()
    assert a["x"].dims == ("year", "case")
    assert list(a["case"].values) == ["one", "two"]
    assert np.isnan(a["x"].sel(case="one", year=2027))
    assert list(a["assumptions_hash"].values) == ["hone", "htwo"]
    assert list(out["b"]["case"].values) == ["one"]
    assert out.attrs["engine_version"] == "v" and "case" not in out.attrs
    # a dimension without coordinates (rows of a table) whose length differs is joined by position
    rows = {c: xr.DataTree.from_dict({"/t": xr.Dataset({"z": ("row", np.ones(n))})}) for c, n in (("p", 2), ("q", 3))}
    table = combine(rows)["t"].to_dataset()
    assert table["z"].dims == ("row", "case") and "row" not in table.coords
    assert np.isnan(table["z"].sel(case="p").values[2]) and table["z"].sel(case="q").values[2] == 1.0
    # cases alike in years take a fast path: the same as xarray's concat
    alike = {"one": tree("one", [2025, 2026]), "two": tree("two", [2025, 2026])}
    alike["two"]["a"]["x"] = alike["two"]["a"]["x"] + 10.0
    fast = combine(alike)["a"].to_dataset()
    slow = xr.concat([t["a"].to_dataset() for t in alike.values()], dim="case", data_vars="all",
                     coords="different", compat="equals", join="outer", combine_attrs="drop_conflicts")
    slow = slow.transpose(..., "case")
    xr.testing.assert_identical(fast.drop_vars(["assumptions_hash", "case"]), slow)


# -- batches on a local cluster -------------------------------------------------------------

def test_batch_matches_pipeline_and_one_worker(tmp_path, cases, client):
    files = [cases / "grid.yaml", cases / "short.yaml"]
    two = run_batch(files, tmp_path / "two", client=client, quiet=True)
    assert two.cases == [*GRID_NAMES, "short"] and not two.failures
    assert sorted(two.ran) == sorted(two.cases)
    batch = xr.open_datatree(two.combined)
    for spec in case_specs(files):
        expected = run(spec.load())
        name = expected.attrs["case"]
        for node in expected.subtree:
            if node.has_data:
                xr.testing.assert_equal(case_dataset(batch, node.path, name), node.to_dataset())
        on_disk, meta = read_checkpoint(tmp_path / "two" / "cases" / f"{name}.npz")
        assert meta["assumptions_hash"] == expected.attrs["assumptions_hash"]
        xr.testing.assert_equal(on_disk["pension"].to_dataset(), expected["pension"].to_dataset())

    one = run_batch(files, tmp_path / "one", workers=1, quiet=True)  # its own LocalCluster
    assert one.cases == two.cases
    other = xr.open_datatree(one.combined)
    for node in batch.subtree:
        xr.testing.assert_identical(node.to_dataset(), other[node.path].to_dataset())


def test_a_bad_case_is_reported_and_the_batch_goes_on(tmp_path, cases, client):
    bad = write(tmp_path / "bad.yaml", f"extends: {cases / 'short.yaml'}\ncase: {{name: bad}}\n"
                                       "economy: {interest_rate: 7}\n")
    missing = tmp_path / "missing.yaml"
    out = tmp_path / "out"
    code, stdout, stderr = run_cli(["batch", str(cases / "short.yaml"), str(bad), str(missing),
                                    "--scheduler", client.scheduler.address, "-o", str(out)])
    assert code == 1
    assert "failed: bad" in stderr and "economy.interest_rate" in stderr
    assert "failed: missing" in stderr and "file not found" in stderr
    assert "3 cases: 1 ran, 0 already done, 2 failed" in stdout
    rows = (out / "failures.csv").read_text().splitlines()
    assert rows[0] == "case,file,error"
    assert rows[1].startswith(f"bad,{bad},") and "expected a yearly rate" in rows[1]
    assert rows[2].startswith(f"missing,{missing.resolve()},")
    assert list(xr.open_datatree(out / "batch.nc")["demography"]["case"].values) == ["short"]
    assert not list(out.rglob("*.part"))


def test_an_unwritable_output_folder_is_a_one_line_error(tmp_path, cases, client):
    blocker = write(tmp_path / "file", "not a folder")
    code, out, err = run_cli(["batch", str(cases / "short.yaml"), "--scheduler", client.scheduler.address,
                              "-o", str(blocker / "out")])
    assert code == 2 and out == ""
    assert err.startswith(f"error: {blocker / 'out'}: -o: cannot create the output folder")
    assert len(err.strip().splitlines()) == 1


def test_a_failing_task_is_isolated(tmp_path, cases, client, monkeypatch):
    """An error raised on a worker (not at validation) fails only its case."""
    specs = case_specs([cases / "grid.yaml"])
    broken = CaseSpec(file=specs[0].file, base=specs[0].base, name="broken",
                      overrides={**specs[0].overrides, "case.name": "broken"})
    monkeypatch.setattr("actuarial.batch.case_specs", lambda files, grids, trees: [*specs[:2], broken])
    monkeypatch.setattr("actuarial.batch.run_case", _run_case_or_fail)
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import tests/
    result = run_batch([], tmp_path, client=client, quiet=True, stream=io.StringIO())
    assert result.cases == GRID_NAMES[:2]
    assert result.failures == [("broken", str(broken.file), "RuntimeError: the kernel blew up")]


def _run_case_or_fail(assumptions):
    from actuarial.batch import run_case

    if assumptions.case.name == "broken":
        raise RuntimeError("the kernel blew up")
    return run_case(assumptions)


def test_rerun_skips_done_cases_and_reruns_changed_ones(tmp_path, cases, client):
    folder = tmp_path / "cases"
    shutil.copytree(cases, folder)
    out = tmp_path / "out"
    first = run_batch([folder / "grid.yaml"], out, client=client, quiet=True)
    assert sorted(first.ran) == sorted(GRID_NAMES)
    with xr.open_datatree(out / "batch.nc") as t:
        before = t.load()

    def mtimes():
        return {**{c: (out / "cases" / f"{c}.npz").stat().st_mtime_ns for c in GRID_NAMES},
                "batch.nc": (out / "batch.nc").stat().st_mtime_ns}

    stamps = mtimes()
    again = run_batch([folder / "grid.yaml"], out, client=client, quiet=True)
    assert again.ran == [] and again.skipped == GRID_NAMES
    assert mtimes() == stamps  # nothing rewritten, batch.nc included (it holds these cases)
    # an unreadable per-case file, or a changed case, runs again; batch.nc is rebuilt
    write(out / "cases" / f"{GRID_NAMES[0]}.npz", "not a checkpoint")
    write(folder / "grid.yaml", GRID.replace("0.07]", "0.075]"))
    edited = run_batch([folder / "grid.yaml"], out, client=client, quiet=True, stream=io.StringIO())
    assert [p for p, _ in edited.rejected] == [str(out / "cases" / f"{GRID_NAMES[0]}.npz")]
    assert sorted(edited.ran) == sorted([GRID_NAMES[0], "short_tfr-high_interest_rate-0.075",
                                         "short_tfr-low_interest_rate-0.075"])
    assert edited.skipped == [GRID_NAMES[2]]
    with xr.open_datatree(out / "batch.nc") as after:  # the unchanged cases: the same numbers
        for node in before.subtree:
            if node.has_data:
                keep = [GRID_NAMES[0], GRID_NAMES[2]]
                xr.testing.assert_identical(node.to_dataset().sel(case=keep),
                                            after[node.path].to_dataset().sel(case=keep))
    status = (out / "cases.csv").read_text().splitlines()
    assert status[0] == "case,file,status,assumptions_hash" and len(status) == 5


# -- checkpoints: data only, checked before use --------------------------------------------------

class _Payload:
    """Unpickling this creates ``marker``: what a crafted checkpoint would do."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_crafted_pickle_checkpoint_is_never_executed(tmp_path, cases, client):
    out = tmp_path / "out"
    first = run_batch([cases / "grid.yaml"], out, client=client, quiet=True)
    assert sorted(first.ran) == sorted(GRID_NAMES)
    marker = tmp_path / "pwned"
    crafted = pickle.dumps({"assumptions_hash": "x", "engine_version": "x", "tree": _Payload(marker)})
    with pytest.raises(FileNotFoundError):  # the payload works: loading it would create the marker
        pickle.loads(pickle.dumps(_Payload(tmp_path / "missing" / "marker")))
    old, disguised = (out / "cases" / f"{c}.npz" for c in GRID_NAMES[:2])
    old.unlink()
    old.with_suffix(".pkl").write_bytes(crafted)  # a checkpoint of the earlier format
    disguised.write_bytes(crafted)  # a pickle under the new name
    stream = io.StringIO()
    again = run_batch([cases / "grid.yaml"], out, client=client, quiet=True, stream=stream)
    assert not marker.exists()
    assert sorted(again.ran) == sorted(GRID_NAMES[:2]) and again.skipped == GRID_NAMES[2:]
    assert [p for p, _ in again.rejected] == [str(old.with_suffix(".pkl")), str(disguised)]
    text = stream.getvalue()
    assert f"checkpoint {old.with_suffix('.pkl')} is a pickle" in text and f"{GRID_NAMES[0]} runs again" in text
    assert f"checkpoint {disguised} refused: not a checkpoint" in text
    assert not old.with_suffix(".pkl").exists()  # replaced by the new checkpoint
    read_checkpoint(old), read_checkpoint(disguised)


def test_an_edited_checkpoint_is_recomputed_and_reported(tmp_path, cases, client):
    """Halving a number in a checkpoint (its assumptions hash kept) fails the
    content check: the case runs again and batch.nc has the right numbers."""
    out = tmp_path / "out"
    run_batch([cases / "short.yaml"], out, client=client, quiet=True)
    with xr.open_datatree(out / "batch.nc") as t:
        before = t.load()
    path = out / "cases" / "short.npz"
    with np.load(path, allow_pickle=False) as npz:
        members = {k: npz[k].copy() for k in npz.files}
    meta = json.loads(members["meta"].tobytes())
    ref = next(v["data"] for n in meta["nodes"] if n["path"] == "/pension" for v in n["variables"]
               if v["name"] == "general_average_premium")
    gap = np.frombuffer(members["data"], ref["dtype"], int(np.prod(ref["shape"])), ref["offset"])
    gap[:] = gap / 2  # a view of the data member
    np.savez(path, **members)  # the old content hash kept
    (out / "batch.nc").unlink()
    stream = io.StringIO()
    again = run_batch([cases / "short.yaml"], out, client=client, quiet=True, stream=stream)
    assert again.ran == ["short"] and again.rejected == [(str(path), "refused: its content does not match "
                                                                     "its hash (edited or corrupted)")]
    assert "short runs again" in stream.getvalue()
    with xr.open_datatree(out / "batch.nc") as after:
        xr.testing.assert_identical(after["pension"].to_dataset(), before["pension"].to_dataset())


def test_checkpoints_keep_the_tree_and_refuse_what_is_not_one(tmp_path, cases):
    tree = run(load_assumptions(cases / "short.yaml"))
    path = tmp_path / "c.npz"
    with open(path, "wb") as f:
        write_checkpoint(f, tree, {"assumptions_hash": "abc"})
    back, meta = read_checkpoint(path)
    assert meta == {"assumptions_hash": "abc"}
    assert back.identical(tree)
    with np.load(path, allow_pickle=False) as npz:  # plain NumPy reads it, without pickle
        assert set(npz.files) == {"meta", "data", "sha256"}
    data = path.read_bytes()
    for bad in (data[: len(data) // 2], b"", b"PK\x03\x04" + bytes(100)):
        path.write_bytes(bad)
        with pytest.raises(CheckpointError, match="not a checkpoint"):
            read_checkpoint(path)
    with pytest.raises(CheckpointError, match="not a regular file"):
        read_checkpoint(tmp_path)


# -- bad input at the command line -------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_scheduler_is_a_one_line_error_within_the_timeout(tmp_path, cases):
    address = f"tcp://127.0.0.1:{free_port()}"
    start = time.monotonic()
    code, out, err = run_cli(["batch", str(cases / "short.yaml"), "--scheduler", address,
                              "--timeout", "1", "-o", str(tmp_path / "out")])
    assert time.monotonic() - start < 10
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {address}: --scheduler: no dask scheduler")
    assert not (tmp_path / "out").exists()


def test_bad_grid_file_stops_before_any_case_runs(tmp_path, cases):
    grid = write(tmp_path / "grid.yaml", f"base: {cases / 'short.yaml'}\ngrid: {{economy.interest_rate: 0.04}}\n")
    code, out, err = run_cli(["batch", "--grid", str(grid), "-o", str(tmp_path / "out"),
                              "--scheduler", "tcp://127.0.0.1:1"])
    assert code == 2 and "grid.economy.interest_rate" in err and len(err.strip().splitlines()) == 1
    code, out, err = run_cli(["batch", "-o", str(tmp_path / "out")])
    assert code == 2 and "at least one case" in err


# -- an existing cluster in separate processes, one worker killed mid-batch ----------------------

@pytest.mark.slow
@pytest.mark.skipif(not DASK.exists(), reason="the dask command line is not installed")
def test_separate_processes_survive_a_killed_worker(tmp_path, cases):
    from distributed import Client

    grid = write(tmp_path / "grid.yaml", f"""\
base: {cases / 'short.yaml'}
grid:
  economy.interest_rate: [0.03, 0.04, 0.05, 0.06]
  pension.pensionable_age: [60, 62]
""")
    scheduler_file = tmp_path / "scheduler.json"
    logs = open(tmp_path / "dask.log", "wb")
    common = ["--no-dashboard"]
    procs = [subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--scheduler-file", str(scheduler_file), *common],
                              stdout=logs, stderr=logs)]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        workers = [subprocess.Popen([str(DASK), "worker", address, "--nthreads", "1", "--no-nanny",
                                     "--host", "127.0.0.1", "--name", f"w{i}", *common],
                                    stdout=logs, stderr=logs) for i in range(2)]
        procs += workers
        with Client(address, timeout=30, set_as_default=False) as c:
            c.wait_for_workers(2, timeout=60)
        killed = []

        def kill_one(case, status):
            if not killed:
                workers[0].kill()  # SIGKILL: no goodbye to the scheduler
                killed.append(case)

        result = run_batch([grid], tmp_path / "out", scheduler=address, quiet=True, on_result=kill_one)
        assert killed and workers[0].wait(timeout=10) != 0
        assert result.failures == []
        assert len(result.cases) == 8 and sorted(result.ran) == sorted(result.cases)
        batch = xr.open_datatree(tmp_path / "out" / "batch.nc")
        assert batch["pension"].sizes["case"] == 8
        with Client(address, timeout=30, set_as_default=False) as c:  # the scheduler lost one worker
            deadline = time.monotonic() + 20
            while len(c.scheduler_info()["workers"]) != 1 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert len(c.scheduler_info()["workers"]) == 1
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        logs.close()



# -- the grid's axes along ``case``, ``unstack``, batch_summary.csv, fiscal-only files (issue 18) ----------------

def test_batch_keeps_the_grid_axes_and_unstacks_them(tmp_path, cases, client):
    from actuarial.batch import unstack

    result = run_batch([cases / "grid.yaml"], tmp_path / "out", client=client, quiet=True)
    assert result.cases == GRID_NAMES
    with xr.open_datatree(tmp_path / "out" / "batch.nc") as batch:
        pension = batch["pension"].to_dataset().load()
    # one coordinate per grid key: the value where it is a number, else the label; and the labels
    assert pension["grid_interest_rate"].values.tolist() == [0.04, 0.07, 0.04, 0.07]
    assert pension["grid_interest_rate"].attrs["grid_key"] == "economy.interest_rate"
    assert pension["grid_tfr"].values.tolist() == ["low", "low", "high", "high"]
    assert pension["grid_interest_rate_label"].values.tolist() == ["0.04", "0.07", "0.04", "0.07"]
    grid = unstack(pension)
    assert grid["reserve_ratio"].dims[-2:] == ("grid_tfr", "grid_interest_rate")
    one = grid["reserve_ratio"].sel(grid_interest_rate=0.04, grid_tfr="high")
    expected = pension["reserve_ratio"].sel(case="short_tfr-high_interest_rate-0.04")
    np.testing.assert_array_equal(one.values, expected.values)
    assert str(grid["case"].sel(grid_interest_rate=0.07, grid_tfr="low").values) == GRID_NAMES[1]
    with xr.open_datatree(tmp_path / "out" / "batch.nc") as batch:
        tree = unstack(batch.load())
    assert "grid_tfr" in tree["pension"].dims
    # batch_summary.csv: one row per case, its grid values and headline results
    import pandas as pd

    summary = pd.read_csv(tmp_path / "out" / "batch_summary.csv", index_col="case")
    assert summary.index.tolist() == GRID_NAMES
    assert summary["grid_interest_rate"].tolist() == [0.04, 0.07, 0.04, 0.07]
    assert summary["grid_tfr"].tolist() == ["low", "low", "high", "high"]
    gap = "GAP, 10 years (% of insurable earnings)"
    assert summary[gap].tolist() == pytest.approx(
        [100 * float(pension["general_average_premium"].sel(case=c, horizon=10).squeeze()) for c in GRID_NAMES])


def test_unstack_refuses_cases_that_are_not_one_grid(tmp_path, cases, client):
    from actuarial.batch import unstack

    run_batch([cases / "grid.yaml", cases / "short.yaml"], tmp_path / "out", client=client, quiet=True)
    with xr.open_datatree(tmp_path / "out" / "batch.nc") as batch:
        pension = batch["pension"].to_dataset().load()
    with pytest.raises(ValueError, match="not points of the grid"):
        unstack(pension)
    assert unstack(pension.sel(case=GRID_NAMES))["reserve_ratio"].sizes["grid_tfr"] == 2


def test_a_standalone_fiscal_space_file_is_skipped_with_a_message(tmp_path, cases, client):
    root = DEMOLAND.parent
    shutil.copy(root / "fiscal_space_example.yaml", tmp_path)
    shutil.copy(root / "fiscal_space_example_costs.csv", tmp_path)
    stream = io.StringIO()
    result = run_batch([tmp_path / "fiscal_space_example.yaml", cases / "short.yaml"], tmp_path / "out",
                       client=client, quiet=True, stream=stream)
    assert result.cases == ["short"] and not result.failures
    assert result.not_cases == [str(tmp_path / "fiscal_space_example.yaml")]
    assert "standalone fiscal-space file" in stream.getvalue() and "actuarial fiscal" in stream.getvalue()


def _short_copies(folder: Path) -> Path:
    """``folder/assumptions``: the shipped assumption files as in the README's
    examples, each valuation case a 15-year ``extends:`` child of the shipped
    file (same name and case), the others (reform, phase-in, grid, fiscal-space
    example) copied as they are."""
    shipped = DEMOLAND.parent
    out = folder / "assumptions"
    out.mkdir()
    for path in sorted(shipped.glob("*.yaml")):
        data = read_yaml(path)
        if "demography" in data:  # a full case: shorter, through a child file
            base = int(data["case"]["base_year"])
            child = {"extends": str(path), "case": {"horizon": 15}, "pension": {"horizons": [5, 15]},
                     "employment_injury": {"gap_horizon": 10}, "spf": {"report_years": [base, base + 5]}}
            write(out / path.name, yaml.safe_dump(child, sort_keys=False))
        else:
            shutil.copy(path, out / path.name)
    for path in shipped.glob("*.csv"):
        shutil.copy(path, out / path.name)
    for name in ("data", "sources"):  # the data files the cases read, relative to them
        (out / name).symlink_to(shipped / name)
    return out


def test_a_batch_reads_a_shared_survey_once_and_an_edited_one_again(tmp_path):
    """``surveys_cached`` (the batch's loading): the cases of one base file share
    its survey object; outside it each load reads the files; a survey file
    edited meanwhile (size or time changed) is read again."""
    import os

    from actuarial.assumptions.distribution import surveys_cached

    from actuarial.samples import examples_folder

    folder = tmp_path / "assumptions"
    shutil.copytree(DEMOLAND.parent, folder)
    shutil.copytree(examples_folder() / "data" / "demoland" / "survey", tmp_path / "survey")
    case = folder / DEMOLAND.name  # its survey: the copies (their times are changed below)
    case.write_text(case.read_text(encoding="utf-8").replace("{samples}/data/demoland/survey",
                                                             str(tmp_path / "survey")), encoding="utf-8")
    plain = load_assumptions(case).distribution.survey
    with surveys_cached():
        first = load_assumptions(case).distribution.survey
        again = load_assumptions(case, {"economy.interest_rate": 0.05}).distribution.survey
        assert all(Path(f).parent == tmp_path / "survey" for f in first.files)
        for name in first.files:
            later = os.stat(name).st_mtime_ns + 10**9
            os.utime(name, ns=(later, later))  # "edited": another modification time
        edited = load_assumptions(case).distribution.survey
    assert again is first, "again"
    assert edited is not first, "edited"
    assert plain is not first, "plain"
    for survey in (plain, edited):
        np.testing.assert_array_equal(survey.weight, first.weight)
        np.testing.assert_array_equal(survey.person_key, first.person_key)


def test_a_shared_survey_is_sent_once_and_the_cases_keep_their_bits(tmp_path, cases, client):
    """Cases with a ``distribution`` section: their shared survey goes to the workers apart
    (``without_survey``, one scattered copy), each case's results are ``run``'s own, and
    ``with_survey`` puts back the very object taken out."""
    from actuarial.batch import with_survey, without_survey

    data = yaml.safe_load(short_demoland())
    data["distribution"] = read_yaml(DEMOLAND)["distribution"]
    write(tmp_path / "short.yaml", yaml.safe_dump(data, sort_keys=False))
    grid = write(tmp_path / "grid.yaml", GRID)
    loaded = case_specs([grid])[0].load()
    sent, survey = without_survey(loaded)
    assert survey is loaded.distribution.survey and sent.distribution.survey is None
    assert with_survey(sent, survey).distribution == loaded.distribution and sent.digest == loaded.digest
    result = run_batch([grid], tmp_path / "out", client=client, quiet=True)
    assert result.cases == GRID_NAMES and not result.failures
    batch = xr.open_datatree(result.combined)
    assert "distribution" in batch.children
    for spec in case_specs([grid]):
        expected = run(spec.load())
        for node in expected.subtree:
            if node.has_data:
                xr.testing.assert_equal(case_dataset(batch, node.path, spec.name), node.to_dataset())


def test_a_local_clusters_workers_keep_glibcs_malloc_settings(monkeypatch):
    """``connect``'s workers run without dask's MALLOC_TRIM_THRESHOLD_ (which fixes glibc's
    mmap threshold at 128 KiB: every large array of a chunk mapped and page-faulted anew).
    A dask nanny leaves the variable in its own process's environment (the ``client``
    fixture's did, in this one): removed here, as in a fresh ``actuarial run``."""
    import os

    from actuarial.batch import connect

    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    with connect(1) as client:
        assert set(client.run(os.environ.get, "MALLOC_TRIM_THRESHOLD_").values()) == {None}


# -- what a batch keeps of each case: checkpoint contents, the summary's part (issue 17) ----------

def test_combine_of_checkpoint_contents_is_combine_of_the_trees(cases):
    """batch.nc stacked from the checkpoints' buffers (``Contents``) is the one
    xarray builds from the trees: values, attributes (those that differ between
    cases dropped, array-valued ones compared by value) and variable order; also
    for cases that differ in years (the Datasets' way) and for a single case."""
    from actuarial.batch import _checkpoint_bytes
    from actuarial.checkpoint import checkpoint_contents

    trees = {s.name: run(s.load()) for s in expand_grid(cases / "grid.yaml")}
    first = trees[GRID_NAMES[0]]
    first["pension"]["reserve_ratio"].attrs.update(note=f"only {GRID_NAMES[0]}", nan=np.nan,
                                                   flags=np.array([1, 2]), labels=["a", "b"])
    for tree in list(trees.values())[1:]:
        tree["pension"]["reserve_ratio"].attrs.update(note="others", flags=np.array([1, 2]), labels=["a", "b"])
    longer = load_assumptions(cases / "short.yaml", {"case.horizon": 12, "case.name": "longer"})
    trees["longer"] = run(longer)
    for chosen in (trees, {GRID_NAMES[0]: first}, {c: trees[c] for c in GRID_NAMES}):
        stored = {c: checkpoint_contents(_checkpoint_bytes(t)) for c, t in chosen.items()}
        expected, got = combine(chosen), combine(stored)
        assert [n.path for n in got.subtree] == [n.path for n in expected.subtree]
        assert got.attrs == expected.attrs
        for node in expected.subtree:
            want, have = node.to_dataset(inherit=False), got[node.path].to_dataset(inherit=False)
            xr.testing.assert_identical(have, want)
            assert list(have.variables) == list(want.variables)
    attrs = combine({c: trees[c] for c in GRID_NAMES})["pension"]["reserve_ratio"].attrs
    assert "note" not in attrs and "nan" not in attrs and list(attrs["flags"]) == [1, 2]


def test_the_summary_s_part_of_a_tree_gives_its_headlines(cases):
    """``compare.headline_tree`` (what a batch's worker sends for the summary)
    gives the headlines of the whole trees, across horizons and years."""
    import pandas as pd

    from actuarial.compare import headline_tree, headlines

    trees = {s.name: run(s.load()) for s in expand_grid(cases / "grid.yaml")[:2]}
    trees["longer"] = run(load_assumptions(cases / "short.yaml", {"case.horizon": 12, "case.name": "longer",
                                                                  "pension.horizons": [5, 12]}))
    for chosen in (trees, {"longer": trees["longer"]}):
        parts = {c: headline_tree(t) for c, t in chosen.items()}
        pd.testing.assert_frame_equal(headlines(parts, differences=False), headlines(chosen, differences=False))
        pd.testing.assert_frame_equal(headlines(parts), headlines(chosen))
    assert sum(n.nbytes for t in parts.values() for n in t.subtree for n in [n.to_dataset()]) < 50_000


def test_several_cases_a_task_give_the_same_files_and_isolate_a_failing_case(tmp_path, cases, client,
                                                                              monkeypatch):
    """``cases_per_task``: the cases' files, batch.nc and the summary are the same
    however many cases a task runs; a case that raises fails alone (tried twice)."""
    import pandas as pd

    files = [cases / "grid.yaml", cases / "short.yaml"]
    one = run_batch(files, tmp_path / "one", client=client, quiet=True, cases_per_task=1)
    three = run_batch(files, tmp_path / "three", client=client, quiet=True, cases_per_task=3)
    assert one.cases == three.cases == [*GRID_NAMES, "short"] and not three.failures
    for case in one.cases:
        assert (tmp_path / "one" / "cases" / f"{case}.npz").read_bytes() == \
            (tmp_path / "three" / "cases" / f"{case}.npz").read_bytes()
    with xr.open_datatree(one.combined) as a, xr.open_datatree(three.combined) as b:
        for node in a.subtree:
            xr.testing.assert_identical(node.to_dataset(), b[node.path].to_dataset())
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "one" / "batch_summary.csv"),
                                  pd.read_csv(tmp_path / "three" / "batch_summary.csv"))

    specs = case_specs([cases / "grid.yaml"])
    broken = CaseSpec(file=specs[0].file, base=specs[0].base, name="broken",
                      overrides={**specs[0].overrides, "case.name": "broken"})
    monkeypatch.setattr("actuarial.batch.case_specs", lambda files, grids, trees: [specs[0], broken, specs[1]])
    monkeypatch.setattr("actuarial.batch.run_case", _run_case_or_fail)
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import tests/
    result = run_batch([], tmp_path / "broken", client=client, quiet=True, stream=io.StringIO(), cases_per_task=3)
    assert result.cases == GRID_NAMES[:2]
    assert result.failures == [("broken", str(broken.file), "RuntimeError: the kernel blew up")]
