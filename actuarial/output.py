"""Writing results: atomic, so a failed run leaves no half-written file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import xarray as xr


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


def write_results(tree: xr.DataTree, target: Path) -> Path:
    """Write a results DataTree to NetCDF4 (one group per node), atomically."""
    with atomic_path(target) as tmp:
        tree.to_netcdf(tmp, engine="netcdf4")
    return target
