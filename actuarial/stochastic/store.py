"""``--keep-scenarios``: the per-scenario summaries in a Zarr store.

``scenarios.zarr`` holds, chunked along ``scenario`` (one Zarr chunk a
chunk of the run): in its root group the per-scenario headline results
(``general_average_premium(scenario, horizon)``, ``depletion_year(scenario)``
(NaN: never depleted), ...) and, in one group per node, the summarised paths
(``demography/total_population(scenario, year)``, ...). Each chunk is
written (a Zarr region write) as soon as it ends, so memory stays at a
chunk's worth whatever the number of scenarios; the layout is set by the
first chunk to end. ``xr.open_zarr(path)`` reads the headlines back,
``xr.open_zarr(path, group="pension")`` a node's paths, and
``xr.open_datatree(path, engine="zarr")`` everything. Zarr is an optional
dependency (``pip install actuarial[zarr]``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from actuarial.errors import AssumptionError


def zarr_available() -> bool:
    try:
        import zarr  # noqa: F401
    except ImportError:
        return False
    return True


def require_zarr(source) -> None:
    """``AssumptionError`` (one line) when zarr is not installed."""
    if not zarr_available():
        raise AssumptionError(source, "--keep-scenarios", "needs the zarr package: pip install 'actuarial[zarr]'")


class ScenarioStore:
    """A Zarr store for ``scenarios`` scenarios, written chunk by chunk (``write``)."""

    def __init__(self, path, scenarios: int, chunk: int, attrs: dict | None = None):
        self.path = Path(path)
        self.scenarios = scenarios
        self.chunk = min(chunk, scenarios)
        self.attrs = dict(attrs or {})
        self.created = False

    @staticmethod
    def group(node: str) -> str | None:
        """The Zarr group of a summaries node (the headlines: the root group)."""
        return None if node == "stochastic" else node

    def _datasets(self, part: dict) -> dict[str, xr.Dataset]:
        return {node: xr.Dataset({name: da.transpose("scenario", ...) for name, da in names.items()})
                for node, names in part.items() if names}

    def _create(self, sets: dict[str, xr.Dataset]) -> None:
        """The store's layout from the first chunk's summaries: every variable
        for all scenarios (metadata and coordinates only; data by ``write``)."""
        import dask.array as darr

        mode = "w"
        for node in sorted(sets, key=lambda n: self.group(n) is not None):  # the root first: mode "w"
            ds = sets[node]
            template = xr.Dataset(attrs=self.attrs if self.group(node) is None else {})
            for name, da in ds.data_vars.items():
                shape = (self.scenarios, *da.shape[1:])
                template[name] = (da.dims, darr.full(shape, np.nan, dtype=da.dtype,
                                                     chunks=(self.chunk, *da.shape[1:])), da.attrs)
            coords = {d: _portable(ds[d].values) for d in ds.dims if d in ds.coords and d != "scenario"}
            coords["scenario"] = np.arange(self.scenarios)
            template = template.assign_coords(coords)
            template.to_zarr(self.path, group=self.group(node), mode=mode, compute=False, consolidated=False)
            mode = "a"
        self.created = True

    def write(self, first: int, part: dict) -> None:
        """Write one chunk's summaries (node -> name -> DataArray on ``scenario``)
        into its region, scenarios first .. first + count - 1."""
        sets = self._datasets(part)
        if not self.created:
            self._create(sets)
        for node, ds in sets.items():
            count = ds.sizes["scenario"]
            data = ds.drop_vars([c for c in ds.coords])
            data.to_zarr(self.path, group=self.group(node), mode="r+", consolidated=False,
                         region={"scenario": slice(first, first + count)})


def _portable(values: np.ndarray) -> np.ndarray:
    """Labels as variable-length strings (Zarr v3's ``string``; fixed-width unicode has no v3 spec)."""
    return values.astype(object) if values.dtype.kind == "U" else values


def open_scenarios(path, group: str | None = None) -> xr.Dataset:
    """A kept store's headlines (``group=None``) or a node's paths."""
    return xr.open_zarr(path, group=group, consolidated=False)
