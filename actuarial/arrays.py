"""Small helpers turning labelled arrays into the plain arrays kernels take."""

from __future__ import annotations

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
