"""Writing results: atomic, so a failed or killed run leaves no half-written file.

One file: ``atomic_path`` (a temporary name beside it, renamed into place).
A run's ``results.nc`` (``write_results`` with ``provenance``) has the layout
of docs/results.md (:mod:`actuarial.provenance`): the provenance attrs on
every node (command, software versions, creation time in UTC, the resolved
assumptions as YAML; kept out of every digest), ``units`` and ``long_name``
on the coordinates, and a ``scenario`` dimension on every node that holds
data (size 1, the deterministic path, where the node had none).

A run's set of files (``DIR/<case>/results.nc``, ``summary.xlsx``,
``report.html``, ...): ``output_set``. Its steps:

1. lock: ``DIR/.<case>.lock`` (``fcntl.flock``, released by the kernel when
   the process dies); a second run into the same folder fails at once;
2. clean what a killed run left (below);
3. refuse an existing, non-empty ``DIR/<case>`` without ``--force``;
4. the run writes its files into ``DIR/.<case>.tmp-XXXXXXXX/``;
5. commit: ``DIR/<case>`` -> ``DIR/.<case>.old-XXXXXXXX`` (rename 1),
   the staging folder -> ``DIR/<case>`` (rename 2), then the old set is deleted.

A kill before rename 1 leaves the old set in place (and a staging folder,
deleted by the next run); a kill between the two renames leaves no
``DIR/<case>``: the next run renames the old set back before anything else;
a kill after rename 2 leaves the new set (and the old one, deleted by the
next run). So ``DIR/<case>`` is always one run's whole set: the old or the
new, never a mix. ``--force`` replaces the whole folder (a file of the old
set that the new run does not write does not survive).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import tempfile
from pathlib import Path

import xarray as xr

from actuarial.errors import AssumptionError

try:
    import fcntl
except ImportError:  # pragma: no cover (not POSIX: an O_EXCL lock file instead)
    fcntl = None

_UMASK = os.umask(0)  # read once at import (setting it is process-wide)
os.umask(_UMASK)


@contextlib.contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside ``target``; move it into place on success."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; give the usual mode
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_results(tree: xr.DataTree, target: Path, provenance: dict | None = None) -> Path:
    """Write a results DataTree (or Dataset) to NetCDF4 (one group per node), atomically.

    With ``provenance`` (a run's ``results.nc``: ``command``, ``software_versions``,
    ``created``, ``assumptions_yaml``, from :func:`actuarial.provenance.provenance`),
    the file has the layout of docs/results.md (:func:`actuarial.provenance.prepare`):
    every coordinate with ``units`` and ``long_name``, a ``scenario`` dimension on
    every node that holds data (size 1 in a deterministic node), and the provenance
    in the attrs of the root and of every node that does not carry its own. Without
    it (``batch.nc``) the tree is written as given.

    The NetCDF library reports a full disk as ``RuntimeError: NetCDF: HDF
    error``; it is raised here as the ``OSError`` it is (ENOSPC when the disk
    has less than 1 MiB left, EIO otherwise), naming ``target``.
    """
    if provenance is not None:
        from actuarial.provenance import prepare, prepare_dataset

        tree = prepare(tree, provenance) if isinstance(tree, xr.DataTree) else prepare_dataset(tree, provenance)
    with atomic_path(target) as tmp:
        try:
            if isinstance(tree, xr.DataTree):
                _tree_to_netcdf(tree, tmp)
            else:
                tree.to_netcdf(tmp, engine="netcdf4")
        except RuntimeError as exc:
            try:
                full = shutil.disk_usage(tmp.parent).free < 2**20
            except OSError:
                full = False
            if full:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target)) from None
            raise OSError(errno.EIO, f"the NetCDF library failed: {exc}", str(target)) from None
    return target


class _DeferredWrites:
    """The writer that xarray's stores hand each variable's data to (``add``):
    kept until ``flush``, after every group and variable is defined."""

    def __init__(self):
        self.pending = []

    def add(self, source, target, region=None):
        self.pending.append((source, target, region))

    def flush(self):
        for source, target, region in self.pending:
            target[region or ...] = source
        self.pending = []


def _tree_to_netcdf(tree: xr.DataTree, path: Path) -> None:
    """``tree.to_netcdf(path, engine="netcdf4")``, the same file contents, about 4 times faster.

    xarray writes each variable's data as soon as it defines the variable; the
    NetCDF library then leaves define mode and flushes the file's metadata
    (every group, variable and attribute so far) before each write and
    re-enters it for the next definition: about 4 ms a variable, 1 s for the
    250 variables of Demoland. Here every group and variable is defined first
    (xarray's own encoding, node by node as ``DataTree.to_netcdf`` does) and
    the data written after, in one pass. The lock is the NetCDF library's own
    (xarray's default adds a per-file lock for dask's schedulers, and finding
    the scheduler imports ``dask.distributed``: 0.9 s of the first write in a
    process). An older xarray without ``NetCDF4DataStore.get_child_store``
    writes as before.
    """
    from xarray import conventions
    from xarray.backends.netCDF4_ import NETCDF4_PYTHON_LOCK, NetCDF4DataStore

    if not hasattr(NetCDF4DataStore, "get_child_store"):  # pragma: no cover (older xarray)
        tree.to_netcdf(path, engine="netcdf4")
        return
    root = NetCDF4DataStore.open(str(path), mode="w", format="NETCDF4", lock=NETCDF4_PYTHON_LOCK)
    try:
        writes = _DeferredWrites()
        for node in tree.subtree:
            store = root if node is tree else root.get_child_store(node.path)
            variables, attrs = conventions.encode_dataset_coordinates(node.to_dataset(inherit=node is tree))
            store.store(variables, attrs, set(), writes)
        writes.flush()
    finally:
        root.close()


class OutputSet:
    """The folder being written: ``stage`` (write the files here) and ``folder`` (where they go)."""

    def __init__(self, folder: Path, stage: Path):
        self.folder = folder
        self.stage = stage

    def path(self, name: str) -> Path:
        """Where to write the file ``name`` of the set (in the staging folder)."""
        return self.stage / name

    @contextlib.contextmanager
    def writing(self):
        """Around the writers: an OS error (full disk, read-only folder, ...) becomes one
        ``AssumptionError`` naming the file as it would be in ``folder``; a writer's own
        ``AssumptionError`` names the final path, not the staging one."""
        try:
            yield
        except OSError as exc:
            raise _write_error(self.folder, exc, self.stage) from None
        except AssumptionError as exc:
            raise _renamed(exc, self.stage, self.folder) from None


@contextlib.contextmanager
def output_set(folder, force: bool = False):
    """Write one run's files into ``folder`` as one set (see the module's docstring).

    Yields an ``OutputSet``; write every file to ``out.path(name)`` within
    ``out.writing()`` (OS errors there name the file). On
    success the set replaces ``folder`` whole; on any error (or Ctrl-C) the
    staging folder is deleted and ``folder`` is untouched. Bad situations are
    ``AssumptionError`` naming the path: another run holds the lock, the
    folder exists without ``force``, an OS error while writing (full disk,
    read-only folder: "cannot write results (...)").
    """
    folder = Path(folder)
    created = _make_parents(folder)
    lock = None
    try:
        lock = _lock(folder)
        _recover(folder)
        _refuse_existing(folder, force)
        stage = folder.with_name(f".{folder.name}.tmp-{secrets.token_hex(4)}")
        try:
            stage.mkdir()
        except OSError as exc:
            raise _write_error(folder, exc) from None
        try:
            out = OutputSet(folder, stage)
            yield out
            try:
                _commit(stage, folder)
            except OSError as exc:  # named as the folder: the renames' own paths are the staging ones
                raise AssumptionError(folder, "-o", f"cannot write results ({exc.strerror or exc})") from None
        finally:
            shutil.rmtree(stage, ignore_errors=True)
    except BaseException:
        _release(lock, folder)
        lock = None
        for path in created:  # folders this run made for nothing
            with contextlib.suppress(OSError):
                path.rmdir()
        raise
    finally:
        _release(lock, folder)


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder``'s parent (and above) if missing; the folders created, deepest first."""
    missing = []
    parent = folder.parent
    while not parent.exists() and parent != parent.parent:
        missing.append(parent)
        parent = parent.parent
    if parent.exists() and not parent.is_dir():
        raise AssumptionError(folder, "-o", f"cannot write results ({parent} is not a folder)")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_error(folder, exc) from None
    return missing


@contextlib.contextmanager
def folder_lock(folder):
    """Hold the lock of ``folder`` (as ``output_set`` does) and remove the
    ``.part`` files a killed writer left in it and in its subfolders."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AssumptionError(folder, "-o", f"cannot create the output folder ({exc.strerror or exc})") from None
    fd = _lock(folder)
    try:
        if folder.is_dir():
            for part in folder.rglob(".*.part"):
                with contextlib.suppress(OSError):
                    part.unlink()
        yield folder
    finally:
        _release(fd, folder)


def _lock_path(folder: Path) -> Path:
    return folder.with_name(f".{folder.name}.lock")


def _lock(folder: Path) -> int:
    """An exclusive, non-blocking lock on ``folder`` (its lock file's descriptor)."""
    path = _lock_path(folder)
    busy = AssumptionError(folder, "-o", f"another run is writing into this folder now (it holds {path}); "
                                         "wait for it to end or write elsewhere with -o")
    while True:
        try:
            if fcntl is None:  # pragma: no cover
                try:
                    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
                except FileExistsError:
                    raise busy from None
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise _write_error(folder, exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise busy from None
        held, now = os.fstat(fd), _stat(path)
        if now is not None and (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino):
            return fd
        os.close(fd)  # the run before removed this lock file as we opened it: lock the new one


def _stat(path: Path):
    try:
        return os.stat(path)
    except OSError:
        return None


def _release(fd, folder: Path) -> None:
    """Remove the lock file, then unlock (a run that opened it meanwhile sees it gone and retries)."""
    if fd is None:
        return
    with contextlib.suppress(OSError):
        os.unlink(_lock_path(folder))
    os.close(fd)


def _leftovers(folder: Path, kind: str) -> list[Path]:
    """Staging (``tmp``) or replaced (``old``) folders of ``folder`` that a killed run left."""
    pattern = re.compile(rf"\.{re.escape(folder.name)}\.{kind}-[0-9a-f]{{8}}")
    try:
        return sorted(p for p in folder.parent.iterdir() if pattern.fullmatch(p.name))
    except OSError:
        return []


def _recover(folder: Path) -> None:
    """Undo what a killed run left: the old set back if it was killed between
    the two renames (no ``folder``, an ``old`` folder), then delete the rest."""
    old = _leftovers(folder, "old")
    if old and not os.path.lexists(folder):
        newest = max(old, key=lambda p: p.stat().st_mtime_ns)
        try:
            os.replace(newest, folder)
        except OSError as exc:
            raise _write_error(folder, exc) from None
        old.remove(newest)
    for path in old + _leftovers(folder, "tmp"):
        shutil.rmtree(path, ignore_errors=True)


def _refuse_existing(folder: Path, force: bool) -> None:
    if not os.path.lexists(folder):
        return
    if folder.is_symlink():  # the swap would replace the link, not write where it points
        raise AssumptionError(folder, "-o", f"cannot write results (a symbolic link to {os.readlink(folder)}; "
                                            "give a real folder with -o)")
    if not folder.is_dir():
        raise AssumptionError(folder, "-o", "cannot write results (it exists and is not a folder)")
    if force:
        return
    try:
        names = sorted(p.name for p in folder.iterdir())
    except OSError as exc:
        raise _write_error(folder, exc) from None
    if names:
        shown = ", ".join(names[:4]) + (", ..." if len(names) > 4 else "")
        raise AssumptionError(folder, "--force", f"the folder holds an earlier run's outputs ({shown}); "
                                                 "pass --force to replace them all")


def _commit(stage: Path, folder: Path) -> None:
    """Move the staging folder into place: old set aside, new set in, old set deleted."""
    for path in stage.rglob("*"):  # on disk before the renames make them the set
        if path.is_file():
            with open(path, "rb") as f:
                os.fsync(f.fileno())
    old = None
    if os.path.lexists(folder):
        old = stage.with_name(stage.name.replace(".tmp-", ".old-"))
        os.replace(folder, old)
    try:
        os.replace(stage, folder)
    except BaseException:
        if old is not None:
            with contextlib.suppress(OSError):  # else the next run puts it back (_recover)
                os.replace(old, folder)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    with contextlib.suppress(OSError):
        fd = os.open(folder.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _final(path, stage: Path, folder: Path) -> str:
    """A path in the staging folder named as it will be in ``folder``."""
    text = str(path)
    return str(folder) + text[len(str(stage)):] if text.startswith(str(stage)) else text


def _write_error(folder: Path, exc: OSError, stage: Path | None = None) -> AssumptionError:
    where = _final(exc.filename, stage, folder) if stage is not None and exc.filename else \
        (exc.filename or folder)
    return AssumptionError(where, "-o", f"cannot write results ({exc.strerror or exc})")


def _renamed(exc: AssumptionError, stage: Path, folder: Path) -> AssumptionError:
    if not exc.file.startswith(str(stage)):
        return exc
    return AssumptionError(_final(exc.file, stage, folder), exc.key, exc.expected)
