"""A small stochastic run for the presentation tests (console, workbook,
report): ``actuarial.run(assumptions, scenarios=N)`` with the per-scenario
headline values kept in a ``scenarios.zarr`` store (``keep_scenarios``), so
that the tests check the numbers shown against both results.nc and the
scenarios themselves (``numpy.percentile`` of the kept values).
"""

from __future__ import annotations

from pathlib import Path

import xarray as xr

import actuarial
from actuarial.stochastic.store import zarr_available


def stochastic_tree(assumptions, scenarios: int = 20, keep: Path | None = None) -> tuple[xr.DataTree, dict | None]:
    """(tree, per-scenario headline values: name -> DataArray(scenario, ...)),
    the values read back from the store ``keep`` (None without zarr or ``keep``)."""
    keep = keep if keep is not None and zarr_available() else None
    tree = actuarial.run(assumptions, scenarios=scenarios, keep_scenarios=keep)
    if keep is None:
        return tree, None
    kept = xr.open_zarr(keep, consolidated=False)
    names = [str(n) for n in tree["stochastic"].attrs["headlines"]]
    return tree, {name: kept[name].load() for name in names if name in kept}
