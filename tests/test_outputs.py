"""Outputs are one consistent set (``actuarial.output.output_set``), and the
command line's bounds: ``--scheduler`` under ``--timeout`` whatever answers,
Ctrl-C on a batch as one line.

- the set is swapped in with two renames; a failure at any rename (raised
  in-process) or a kill at any step (``os._exit`` in a child process) leaves
  the old set or the new one, never a mix, and the next run cleans up;
- a second run into a locked folder fails at once; a killed run's lock does not
  block the next one;
- ``--force`` replaces the whole set; ``fiscal`` and ``compare`` refuse an
  existing set without it;
- a full disk or another OS error is one message naming the final path, with
  nothing left behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from cli_helpers import one_error_line, run_cli
from actuarial import AssumptionError
from actuarial.output import output_set

ROOT = Path(__file__).resolve().parents[1]
DEMOLAND = ROOT / "assumptions" / "demoland.yaml"
FISCAL = ROOT / "assumptions" / "fiscal_space_example.yaml"


def contents(folder: Path) -> dict:
    """Every file under ``folder`` (relative name -> bytes)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def write_set(folder: Path, files: dict, force: bool = True) -> None:
    with output_set(folder, force) as out:
        with out.writing():
            for name, text in files.items():
                out.path(name).write_text(text)


OLD = {"results.nc": "old results", "summary.xlsx": "old summary", "report.html": "old report"}
NEW = {"results.nc": "new results", "summary.xlsx": "new summary"}


def as_bytes(files: dict) -> dict:
    return {k: v.encode() for k, v in files.items()}


# -- the set, in-process --------------------------------------------------------------------------

def test_force_replaces_the_whole_set_and_nothing_is_left_beside_it(tmp_path):
    folder = tmp_path / "out" / "case"
    write_set(folder, OLD, force=False)
    assert contents(folder) == as_bytes(OLD)
    with pytest.raises(AssumptionError, match="--force") as info:
        write_set(folder, NEW, force=False)
    assert str(folder) in str(info.value) and "results.nc" in str(info.value)
    assert contents(folder) == as_bytes(OLD)
    write_set(folder, NEW, force=True)
    assert contents(folder) == as_bytes(NEW)  # the old report.html did not survive
    assert sorted(p.name for p in folder.parent.iterdir()) == ["case"]  # no lock, staging or old folder


@pytest.mark.parametrize("failing", [1, 2])
def test_a_failed_rename_at_each_step_leaves_the_old_set(tmp_path, monkeypatch, failing):
    """Rename 1 (old set aside) or rename 2 (new set in) raises: the old set is in place, whole."""
    folder = tmp_path / "case"
    write_set(folder, OLD)
    real, calls = os.replace, []

    def replace(src, dst):
        calls.append((src, dst))
        if len(calls) == failing:
            raise OSError(errno.EIO, "Input/output error", str(src))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(AssumptionError, match="cannot write results") as info:
        write_set(folder, NEW)
    assert str(folder) in str(info.value) and ".tmp-" not in str(info.value)
    monkeypatch.undo()
    assert len(calls) >= failing
    assert contents(folder) == as_bytes(OLD)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case"]


def test_an_error_while_writing_leaves_nothing_and_names_the_final_path(tmp_path):
    folder = tmp_path / "out" / "case"
    with pytest.raises(AssumptionError) as info:
        with output_set(folder) as out, out.writing():
            out.path("results.nc").write_text("half")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(out.path("summary.xlsx")))
    assert str(info.value) == f"{folder / 'summary.xlsx'}: -o: cannot write results (No space left on device)"
    assert not (tmp_path / "out").exists()  # the folders it made for nothing are gone too
    write_set(folder, OLD)
    with pytest.raises(KeyboardInterrupt):
        with output_set(folder, force=True) as out:
            out.path("results.nc").write_text("half")
            raise KeyboardInterrupt
    assert contents(folder) == as_bytes(OLD)
    assert sorted(p.name for p in folder.parent.iterdir()) == ["case"]


def test_netcdf_full_disk_is_an_oserror_naming_the_file(tmp_path, monkeypatch):
    import numpy as np
    import xarray as xr

    from actuarial.output import write_results

    def hdf_error(self, *args, **kwargs):
        raise RuntimeError("NetCDF: HDF error")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", hdf_error)
    monkeypatch.setattr("shutil.disk_usage", lambda path: type("U", (), {"free": 0})())
    target = tmp_path / "x.nc"
    with pytest.raises(OSError) as info:
        write_results(xr.Dataset({"a": ("x", np.zeros(3))}), target)
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(target)
    assert list(tmp_path.iterdir()) == []


def small_tree():
    """A tree with what results.nc holds: groups, an inherited coordinate, floats with NaN,
    ints, bools, text, scalars, attrs of several types."""
    import numpy as np
    import xarray as xr

    year = xr.Variable("year", np.arange(2025, 2029), {"units": "year", "long_name": "calendar year"})
    return xr.DataTree.from_dict({
        "/": xr.Dataset(coords={"year": year}, attrs={"case": "t", "seed": 7, "rate": 0.5, "flags": [1, 2]}),
        "/a": xr.Dataset({"x": (("year", "sex"), np.array([[1.0, np.nan]] * 4), {"units": "persons"}),
                          "n": ("year", np.arange(4, dtype=np.int64)),
                          "above": ("year", np.array([True, False, True, False])),
                          "total": ((), 3.5, {"long_name": "a scalar"})},
                         coords={"sex": ["female", "male"]}, attrs={"note": "é ünïcode"}),
        "/b": xr.Dataset({"label": ("item", np.array(["one", "a longer text"]))}),
        "/b/c": xr.Dataset(attrs={"empty": ""}),
    })


def test_a_tree_reads_back_identical_and_as_xarray_writes_it(tmp_path):
    """write_results (every group and variable defined before any data is written) reads back
    the tree given, every node, and the file has the groups, variables, dtypes, attrs and
    storage that xarray's own ``DataTree.to_netcdf`` writes."""
    import netCDF4
    import xarray as xr

    from actuarial.output import write_results

    tree = small_tree()
    write_results(tree, tmp_path / "mine.nc")
    tree.to_netcdf(tmp_path / "xarray.nc", engine="netcdf4")
    with xr.open_datatree(tmp_path / "mine.nc") as back:
        assert [n.path for n in back.subtree] == [n.path for n in tree.subtree]
        for node in tree.subtree:
            xr.testing.assert_identical(back[node.path].to_dataset(inherit=False), node.to_dataset(inherit=False))

    def layout(group):
        return ([(k, repr(group.getncattr(k))) for k in group.ncattrs()],
                [(k, len(d)) for k, d in group.dimensions.items()],
                [(k, str(v.dtype), v.dimensions, [(a, repr(v.getncattr(a))) for a in v.ncattrs()], v.chunking(),
                  v.filters()) for k, v in group.variables.items()],
                {k: layout(g) for k, g in group.groups.items()})

    with netCDF4.Dataset(tmp_path / "mine.nc") as mine, netCDF4.Dataset(tmp_path / "xarray.nc") as theirs:
        assert layout(mine) == layout(theirs)


def test_netcdf_error_while_writing_a_tree_is_an_oserror_and_leaves_nothing(tmp_path, monkeypatch):
    from xarray.backends import netCDF4_

    from actuarial.output import write_results

    def hdf_error(self, key, value):
        raise RuntimeError("NetCDF: HDF error")

    monkeypatch.setattr(netCDF4_.NetCDF4ArrayWrapper, "__setitem__", hdf_error)
    target = tmp_path / "x.nc"
    with pytest.raises(OSError) as info:
        write_results(small_tree(), target)
    assert info.value.errno == errno.EIO and info.value.filename == str(target)
    assert list(tmp_path.iterdir()) == []


# -- a kill at each step, in a child process --------------------------------------------------------

KILLER = """
import os, shutil, sys
from pathlib import Path
from actuarial.output import output_set

folder, step = Path(sys.argv[1]), sys.argv[2]
real_replace, real_rmtree, calls = os.replace, shutil.rmtree, []

def replace(src, dst):
    calls.append(src)
    if step == f"rename{len(calls)}":
        os._exit(9)  # killed: no cleanup of any kind
    return real_replace(src, dst)

def rmtree(path, *args, **kwargs):
    if step == "delete-old" and ".old-" in str(path):
        (Path(path) / "results.nc").unlink()  # half deleted
        os._exit(9)
    return real_rmtree(path, *args, **kwargs)

os.replace, shutil.rmtree = replace, rmtree
with output_set(folder, force=True) as out:
    out.path("results.nc").write_text("new results")
    if step == "writing":
        os._exit(9)
    out.path("summary.xlsx").write_text("new summary")
"""


@pytest.mark.parametrize(("step", "left"), [("writing", OLD), ("rename1", OLD), ("rename2", None),
                                            ("delete-old", NEW), ("none", NEW)])
def test_a_kill_at_each_step_leaves_one_whole_set(tmp_path, step, left):
    folder = tmp_path / "case"
    write_set(folder, OLD)
    script = tmp_path.parent / f"killer-{step}.py"
    script.write_text(KILLER)
    done = subprocess.run([sys.executable, str(script), str(folder), step], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == (0 if step == "none" else 9), done.stderr
    if left is None:  # killed between the two renames: no folder until the next run puts the old set back
        assert not folder.exists()
    else:
        assert contents(folder) == as_bytes(left)
    # the next run (here one that fails at once) restores and cleans before anything else
    with pytest.raises(AssumptionError, match="--force"):
        write_set(folder, {"x": "y"}, force=False)
    assert contents(folder) == as_bytes(left or OLD)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case"]


@pytest.fixture(scope="module")
def short_case(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("case")
    path = folder / "short.yaml"
    path.write_text(yaml.safe_dump({"extends": str(DEMOLAND), "case": {"name": "short", "horizon": 10},
                                    "pension": {"horizons": [10]},
                                    "employment_injury": {"gap_horizon": 10}}, sort_keys=False))
    return path


# -- the lock ------------------------------------------------------------------------------------------

HOLDER = """
import sys, time
from pathlib import Path
from actuarial.output import output_set

with output_set(Path(sys.argv[1]), force=True) as out:
    print("locked", flush=True)
    time.sleep(60)
"""


@contextlib.contextmanager
def lock_held_by_another_process(folder: Path):
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        proc.kill()
        proc.wait(timeout=30)


def test_a_second_run_into_a_locked_folder_fails_at_once(short_case, tmp_path, monkeypatch):
    path = short_case
    folder = tmp_path / "out" / "short"
    with lock_held_by_another_process(folder):
        with pytest.raises(AssumptionError, match="another run is writing into this folder"):
            write_set(folder, NEW)
        monkeypatch.setattr("actuarial.pipeline.run", lambda *a, **k: pytest.fail("computed while locked"))
        start = time.monotonic()
        line = one_error_line(*run_cli(["run", str(path), "-o", str(tmp_path / "out"), "-q"]))
        assert time.monotonic() - start < 5
        assert "another run is writing into this folder" in line and str(folder) in line
        assert "-o" in line
    # the holder was killed (SIGKILL) in its set: its lock does not block, its staging folder is cleaned
    write_set(folder, NEW)
    assert contents(folder) == as_bytes(NEW)
    assert sorted(p.name for p in folder.parent.iterdir()) == ["short"]


# -- through the command line ---------------------------------------------------------------------

def test_force_no_report_removes_the_old_report(short_case, tmp_path):
    out = tmp_path / "out"
    assert run_cli(["run", str(short_case), "-o", str(out), "-q"])[0] == 0
    folder = out / "short"
    assert sorted(contents(folder)) == ["report.html", "results.nc", "summary.xlsx"]
    line = one_error_line(*run_cli(["run", str(short_case), "-o", str(out), "-q", "--no-report"]))
    assert "--force" in line and str(folder) in line
    code, _, err = run_cli(["run", str(short_case), "-o", str(out), "-q", "--force", "--no-report"])
    assert code == 0, err
    assert sorted(contents(folder)) == ["results.nc", "summary.xlsx"]
    assert sorted(p.name for p in out.iterdir()) == ["short"]


def test_run_failing_at_every_rename_keeps_the_old_set(short_case, tmp_path, monkeypatch):
    """Every os.replace of a run (each file's own, then the set's two) fails in turn:
    each time one clean error and the earlier set, whole."""
    out = tmp_path / "out"
    assert run_cli(["run", str(short_case), "-o", str(out), "-q"])[0] == 0
    folder = out / "short"
    old = contents(folder)
    real, calls = os.replace, []

    def counting(src, dst):
        calls.append(dst)
        return real(src, dst)

    monkeypatch.setattr(os, "replace", counting)
    assert run_cli(["run", str(short_case), "-o", str(out), "-q", "--force"])[0] == 0
    monkeypatch.undo()
    total, new = len(calls), contents(folder)
    assert total >= 5  # three files, then the set's two renames
    for failing in range(1, total + 1):
        calls.clear()

        def replace(src, dst, failing=failing):
            calls.append(dst)
            if len(calls) == failing:
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(dst))
            return real(src, dst)

        monkeypatch.setattr(os, "replace", replace)
        line = one_error_line(*run_cli(["run", str(short_case), "-o", str(out), "-q", "--force"]))
        monkeypatch.undo()
        assert "cannot write" in line and "(Read-only file system)" in line and str(folder) in line
        assert ".tmp-" not in line
        assert contents(folder) == new, f"rename {failing} of {total}"
        assert sorted(p.name for p in out.iterdir()) == ["short"]
    assert new.keys() == old.keys()


def test_fiscal_refuses_to_overwrite_without_force(tmp_path):
    folder = tmp_path / "demoland_fiscal"
    assert run_cli(["fiscal", str(FISCAL), "-o", str(tmp_path), "-q"])[0] == 0
    before = contents(folder)
    assert list(before) == ["fiscal_space.nc"]
    mtime = (folder / "fiscal_space.nc").stat().st_mtime_ns
    line = one_error_line(*run_cli(["fiscal", str(FISCAL), "-o", str(tmp_path), "-q"]))
    assert "--force" in line and str(folder) in line
    assert (folder / "fiscal_space.nc").stat().st_mtime_ns == mtime
    (folder / "stale.txt").write_text("from before")
    assert run_cli(["fiscal", str(FISCAL), "-o", str(tmp_path), "-q", "--force"])[0] == 0
    assert list(contents(folder)) == ["fiscal_space.nc"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demoland_fiscal"]


def test_compare_is_refused_while_another_run_holds_its_folder(short_case, tmp_path, monkeypatch):
    other = short_case.with_name("short_b.yaml")
    other.write_text(yaml.safe_dump({"extends": str(short_case), "case": {"name": "short_b"}}))
    folder = tmp_path / "compare_short_vs_short_b"
    monkeypatch.setattr("actuarial.pipeline.run", lambda *a, **k: pytest.fail("computed while locked"))
    with lock_held_by_another_process(folder):
        line = one_error_line(*run_cli(["compare", str(short_case), str(other), "-o", str(tmp_path), "-q"]))
    assert "another run is writing" in line and str(folder) in line


# -- --scheduler: whatever answers, within --timeout ------------------------------------------------------

@contextlib.contextmanager
def plain_listener(reply: bytes | None):
    """A TCP server on loopback that is not dask: it accepts and stays silent
    (``reply`` None) or sends ``reply``; at most 20 connections, closed on exit."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    accepted, stop = [], threading.Event()

    def serve():
        while not stop.is_set() and len(accepted) < 20:
            try:
                conn, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            accepted.append(conn)
            if reply is not None:
                with contextlib.suppress(OSError):
                    conn.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"tcp://127.0.0.1:{server.getsockname()[1]}", accepted
    finally:
        stop.set()
        thread.join(5)
        for conn in accepted:
            conn.close()
        server.close()


@pytest.mark.parametrize("reply", [None, b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello"],
                         ids=["silent", "http"])
@pytest.mark.parametrize("command", ["run", "batch"])
def test_scheduler_that_is_not_dask_is_an_error_within_the_timeout(short_case, tmp_path, reply, command):
    out = tmp_path / "out"
    with plain_listener(reply) as (address, accepted):
        argv = ["run", str(DEMOLAND), "--scenarios", "2"] if command == "run" else ["batch", str(short_case)]
        start = time.monotonic()
        line = one_error_line(*run_cli([*argv, "--scheduler", address, "--timeout", "1", "-o", str(out)]))
        took = time.monotonic() - start
    assert accepted, "the test's listener was never reached"
    assert took < 6, took
    assert line.startswith(f"error: {address}: --scheduler: no dask scheduler answered within 1 s")
    assert not out.exists() or not any(out.rglob("*"))


# -- Ctrl-C on a batch ------------------------------------------------------------------------------------

def test_ctrl_c_on_a_batch_prints_one_line_and_the_resume_hint(tmp_path):
    """SIGINT to the whole process group, as a terminal sends it: the workers
    ignore it, the client stops and says how to resume."""
    for rate in ("0.04", "0.05", "0.06", "0.07"):
        (tmp_path / f"short_{rate}.yaml").write_text(yaml.safe_dump(
            {"extends": str(DEMOLAND), "case": {"name": f"short_{rate[2:]}", "horizon": 10},
             "pension": {"horizons": [10]}, "employment_injury": {"gap_horizon": 10},
             "economy": {"interest_rate": float(rate)}}))
    out = tmp_path / "out"
    argv = [sys.executable, "-c", "import sys; from actuarial.cli import main; sys.exit(main())",
            "batch", *sorted(str(p) for p in tmp_path.glob("short_*.yaml")), "--workers", "2", "-o", str(out)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            if (out / "cases").is_dir() and any((out / "cases").iterdir()):
                break
            time.sleep(0.2)
        assert proc.poll() is None, "the batch ended before it could be interrupted"
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("interrupted:") and "resume" in lines[0] and str(out / "cases") in lines[0]
    assert "Traceback" not in stderr and stdout == ""


# -- a real full disk and a real read-only folder (a small tmpfs; needs root's mount) -----------------------

@pytest.fixture
def small_disk(tmp_path):
    """A 300 KiB tmpfs at ``tmp_path / "disk"`` (skipped where mounting is not allowed)."""
    mountpoint = tmp_path / "disk"
    mountpoint.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(mountpoint)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)


def test_full_disk_is_one_message_and_no_output(short_case, small_disk):
    out = small_disk / "out"
    line = one_error_line(*run_cli(["run", str(short_case), "-o", str(out), "-q"]))
    assert "cannot write results (No space left on device)" in line and str(out / "short") in line
    assert ".tmp-" not in line
    assert list(small_disk.iterdir()) == []


def test_read_only_folder_is_one_message_and_the_old_set_stays(short_case, small_disk):
    out = small_disk / "out"
    write_set(out / "short", OLD)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    line = one_error_line(*run_cli(["run", str(short_case), "-o", str(out), "-q", "--force"]))
    assert str(out / "short") in line and ("not writable" in line or "Read-only" in line)
    assert contents(out / "short") == as_bytes(OLD)
    assert sorted(p.name for p in out.iterdir()) == ["short"]


def test_batch_locks_its_folder_and_removes_a_killed_writers_part_files(tmp_path):
    """A second batch into the same folder fails at once; .part files left by a
    killed writer are removed by the next batch."""
    from actuarial.errors import AssumptionError
    from actuarial.output import folder_lock

    out = tmp_path / "batch"
    (out / "cases").mkdir(parents=True)
    part = out / "cases" / ".demoland.npz.abc.part"
    part.write_bytes(b"half a checkpoint")
    with folder_lock(out):
        assert not part.exists()
        with pytest.raises(AssumptionError, match="another run is writing into this folder"):
            with folder_lock(out):
                pass
    with folder_lock(out):  # released
        pass
