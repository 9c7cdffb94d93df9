"""Financing gap: the additional cost of the package over what is spent today.

The cost input is an ``xarray.Dataset`` on ``year`` (every year of the case):

- ``cost_gdp(year, item)``: cost of each item of the package (e.g. ``spf``,
  ``pension_subsidy``, ``employment_injury``) as a fraction of GDP of the
  year; or ``cost(year, item)`` in currency, with ``gdp(year)`` in the same
  Dataset or GDP known from the economy stage or the fiscal baseline;
  a variable on ``year`` alone counts as one item named after it;
- optionally ``gdp(year)`` nominal GDP (currency), and other variables on
  ``year`` that options read (``social_security.from_costs``, e.g.
  ``contribution_income_gdp``, a fraction of GDP).

A ``scenario`` dimension of length 1 is dropped; pick one scenario before
passing several. The gap in year t is

    gap(t) = sum over items i of [cost_i(t) - baseline_i(t)]

(fractions of GDP; baseline_i from ``fiscal_space.package_baseline_gdp``, 0
for items not listed), and gap(t) x Y(t) in currency. It may be negative
(the package costs less than today's spending); the plan finances only the
positive part. This is the handbook's "costing, then financing gap" step
(Ortiz et al. 2019, ch. 2).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from actuarial.errors import AssumptionError
from fiscal_space.assumptions import check_years

COSTS = "<cost Dataset>"


def _drop_scenario(da: xr.DataArray, source, name) -> xr.DataArray:
    if "scenario" in da.dims:
        if da.sizes["scenario"] != 1:
            raise AssumptionError(source, name, f"has {da.sizes['scenario']} scenarios; pass one "
                                                "(e.g. ds.isel(scenario=0))")
        da = da.isel(scenario=0, drop=True)
    return da


def prepare_costs(costs: xr.Dataset, years, gdp: np.ndarray | None = None, source: str | None = None,
                  key_prefix: str = "") -> xr.DataArray:
    """``cost_gdp(year, item)`` on ``years`` (fraction of GDP), checked.

    Errors name ``source`` (the CSV file, else ``<cost Dataset>``) and the
    variable (or ``key_prefix``, e.g. ``fiscal_space.costs.file``).
    """
    source = source or costs.attrs.get("source_file") or COSTS
    if "cost_gdp" in costs:
        name = "cost_gdp"
    elif "cost" in costs:
        name = "cost"
    else:
        raise AssumptionError(source, key_prefix or "cost_gdp", "expected a variable cost_gdp(year, item) "
                                                                "(fraction of GDP) or cost(year, item) (currency)")
    key = key_prefix or name
    da = _drop_scenario(costs[name], source, key)
    if "year" not in da.dims:
        raise AssumptionError(source, key, f"expected a 'year' dimension; got {da.dims}")
    if da.ndim == 1:
        da = da.expand_dims(item=[name]).transpose("year", "item")
    elif da.ndim != 2 or "item" not in da.dims:
        raise AssumptionError(source, key, f"expected dimensions (year, item); got {da.dims}")
    years = np.asarray(years)
    check_years(da["year"].values, years, source, key)
    if not np.array_equal(da["year"].values, years):  # the case's years already: no label lookup
        da = da.sel(year=years)
    da = da.transpose("year", "item").astype(float, copy=True)  # never a view of the input
    if name == "cost":
        if "gdp" in costs:
            base = _drop_scenario(costs["gdp"], source, "gdp")
            check_years(base["year"].values, years, source, "gdp")
            gdp = base.sel(year=years).values.astype(float)
        if gdp is None:
            raise AssumptionError(source, key, "costs in currency need GDP: a gdp(year) variable or column, "
                                               "an economy Dataset or fiscal_space.baseline.gdp")
        da = da / gdp[:, None]
    bad = ~np.isfinite(da.values)
    if bad.any():
        t, i = np.argwhere(bad)[0]
        raise AssumptionError(source, key, f"missing or non-finite value for item {da['item'].values[i]!r} "
                                           f"in year {years[t]}")
    return da.rename("cost_gdp").assign_attrs(units="1", long_name="cost of the item / GDP")


def baseline_spending(package_baseline: dict, items, years) -> np.ndarray:
    """Today's spending on each item (year, item), fraction of GDP; 0 when not given."""
    out = np.zeros((len(years), len(items)))
    for j, item in enumerate(items):
        if item in package_baseline:
            out[:, j] = package_baseline[item].at(years)
    return out


def financing_gap(cost_gdp: np.ndarray, baseline_gdp: np.ndarray) -> np.ndarray:
    """gap(t) = sum_i cost_i(t) - baseline_i(t) (fraction of GDP)."""
    return (np.asarray(cost_gdp) - np.asarray(baseline_gdp)).sum(axis=-1)
