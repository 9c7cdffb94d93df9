"""Small helpers turning labelled arrays into the plain arrays kernels take."""

from __future__ import annotations

import contextlib

import numpy as np
import xarray as xr


def with_scenario(da: xr.DataArray, dims) -> np.ndarray:
    """Contiguous float64 array (scenario, *dims); a scenario axis of length 1 if absent."""
    lead = ("scenario",) if "scenario" in da.dims else ()
    values = np.transpose(da.values, [da.dims.index(d) for d in (*lead, *dims)])
    return np.ascontiguousarray(values if lead else values[None], dtype=np.float64)


def scenario_years(da, n: int) -> np.ndarray:
    """Values of a (scenario?, year) variable as an (n, T) array (numpy broadcasting)."""
    values = np.transpose(da.values, [da.dims.index(d) for d in ("scenario", "year") if d in da.dims])
    if "scenario" not in da.dims:
        values = values[None]
    return np.broadcast_to(values, (n, values.shape[-1]))


@contextlib.contextmanager
def single_threaded():
    """The numba kernels on this thread only while the block runs (a dask task's:
    the cluster's parallelism is across tasks)."""
    import numba  # the kernels' runtime; loaded with them

    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(threads)
