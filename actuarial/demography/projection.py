"""Cohort-component population projection (annual steps, single ages 0..100+).

Implements the UN World Population Prospects method (Wheldon & Hertog,
ccmppWPP) when migration timing is "end", and Preston, Heuveline & Guillot
(2001, Box 6.2) "half at the start, half at the end" with timing "half".
The formulas are in ``_kernels.project``.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from actuarial.demography import _kernels
from actuarial.demography.lifetable import survival

TIMINGS = {"end": 0, "half": 1}


def _with_scenario(da: xr.DataArray, dims: tuple[str, ...]) -> np.ndarray:
    """Contiguous float64 array (scenario, *dims); scenario of length 1 if absent."""
    if "scenario" not in da.dims:
        da = da.expand_dims("scenario")
    return np.ascontiguousarray(da.transpose("scenario", *dims).values, dtype=np.float64)


def project_population(base_population: xr.DataArray, mx: xr.DataArray, asfr: xr.DataArray,
                       srb: xr.DataArray, net_migration: xr.DataArray, *,
                       migration_timing: str = "end", working_ages=(15, 64),
                       old_age: int = 65) -> xr.Dataset:
    """Project a population; every input may carry a leading ``scenario`` dim.

    base_population(sex, age) at 1 January of the first year; mx(year, sex,
    age); asfr(year, age) births per woman-year; srb(year) males per female
    birth; net_migration(year, sex, age) counts during the year. Returns
    population at 1 January of each year and the flows during each year.
    """
    if migration_timing not in TIMINGS:
        raise ValueError(f"migration_timing must be one of {list(TIMINGS)}")
    years = mx["year"].values
    S, e = survival(mx, at_ages=(0, 65))
    arrays = [
        _with_scenario(base_population, ("sex", "age")),
        _with_scenario(S, ("year", "sex", "age")),
        _with_scenario(asfr, ("year", "age")),
        _with_scenario(srb, ("year",)),
        _with_scenario(net_migration, ("year", "sex", "age")),
    ]
    n = max(a.shape[0] for a in arrays)
    if any(a.shape[0] not in (1, n) for a in arrays):
        raise ValueError("inputs carry different numbers of scenarios")
    n_years, n_ages = years.size, base_population.sizes["age"]
    pop = np.empty((n, n_years, 2, n_ages))
    births = np.empty((n, n_years, 2))
    deaths = np.empty((n, n_years, 2, n_ages))
    _kernels.project(*arrays, TIMINGS[migration_timing], 1.0, pop, births, deaths)
    del arrays, S

    coords = {"scenario": np.arange(n), "year": years, "sex": ["female", "male"],
              "age": base_population["age"].values}
    dims = ("scenario", "year", "sex", "age")
    migrants = net_migration
    if "scenario" not in migrants.dims:
        migrants = migrants.expand_dims(scenario=n)
    ds = xr.Dataset(coords=coords)
    ds["population"] = xr.DataArray(pop, dims=dims, attrs={
        "units": "persons", "long_name": "population at 1 January"})
    ds["births"] = xr.DataArray(births, dims=dims[:3], attrs={
        "units": "persons/year", "long_name": "live births during the year"})
    ds["deaths"] = xr.DataArray(deaths, dims=dims, attrs={
        "units": "persons/year",
        "long_name": "deaths during the year, by age reached at its end (0: born in the year)"})
    ds["net_migration"] = migrants.transpose(*dims).assign_coords(scenario=coords["scenario"]).assign_attrs(
        units="persons/year", long_name="net migrants during the year")
    if "scenario" not in e.dims:
        e = e.expand_dims(scenario=n)
    ds["life_expectancy"] = e.transpose("scenario", "year", "sex", "at_age").assign_coords(
        scenario=coords["scenario"])
    return add_indicators(ds, working_ages, old_age)


def add_indicators(ds: xr.Dataset, working_ages=(15, 64), old_age: int = 65) -> xr.Dataset:
    """Totals, dependency ratios and crude rates derived from the projection."""
    pop = ds["population"]
    both = pop.sum("sex")
    age = ds["age"]
    young = both.where(age < working_ages[0]).sum("age")
    working = both.where((age >= working_ages[0]) & (age <= working_ages[1])).sum("age")
    old = both.where(age >= old_age).sum("age")
    total = both.sum("age")
    exposure = (total + total.shift(year=-1)) / 2
    new = {
        "total_population": (total, "persons", "total population at 1 January"),
        "old_age_dependency_ratio": (old / working, "1",
                                     f"population {old_age}+ / population {working_ages[0]}-{working_ages[1]}"),
        "child_dependency_ratio": (young / working, "1",
                                   f"population under {working_ages[0]} / population {working_ages[0]}-{working_ages[1]}"),
        "crude_birth_rate": (ds["births"].sum("sex") / exposure, "1/year", "births / mid-year population"),
        "crude_death_rate": (ds["deaths"].sum(("sex", "age")) / exposure, "1/year", "deaths / mid-year population"),
    }
    for name, (da, units, long_name) in new.items():
        ds[name] = da.assign_attrs(units=units, long_name=long_name)
    return ds
