"""Labour force, employment, insured contributors and insurable wages.

By year t, sex s and age x, on the 1 January population P of year t (stocks
of the pension stage are at 1 January too):
  labour force  LF = P x participation
  employed      E  = LF x (1 - unemployment)
  contributors  K  = E x coverage            (active insured persons)
  insurable wage w = AW_t x scale_x x g_s / n_t, g_female = gender wage ratio,
                     g_male = 1, n_t = sum(E scale g) / sum(E), so that the
                     employment-weighted mean wage equals the economy-wide AW_t.
Contributions are paid on K x density x min(w, ceiling).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from actuarial.assumptions.economy import Labour
from actuarial.demography.inputs import interpolate_anchored


def _by_sex_series(pair, years) -> xr.DataArray:
    return xr.DataArray(np.stack([s.at(years) for s in pair], axis=-1), dims=("year", "sex"),
                        coords={"year": years, "sex": ["female", "male"]})


def project_labour(labour: Labour, population: xr.DataArray) -> xr.Dataset:
    """Labour Dataset (scenario, year, sex, age) from population (same dims)."""
    years = population["year"].values
    rates = xr.DataArray(interpolate_anchored(labour.participation, years),
                         dims=("year", "sex", "age"), coords={"year": years, "sex": ["female", "male"]})
    employment_rate = rates * (1 - _by_sex_series(labour.unemployment, years))  # small arrays first,
    employed = population * employment_rate  # then one pass over the population each
    contributors = population * (employment_rate * _by_sex_series(labour.coverage, years))
    labour_force = xr.dot(population, rates, dim="age")
    density = xr.DataArray(np.array(labour.density), dims=("sex", "age"),
                           coords={"sex": ["female", "male"]})
    ds = xr.Dataset({
        "participation_rate": rates.assign_attrs(units="1", long_name="labour force participation rate"),
        "labour_force": labour_force.assign_attrs(
            units="persons", long_name="labour force at 1 January (by age: population x participation_rate)"),
        "employed": employed.assign_attrs(units="persons", long_name="employed persons at 1 January"),
        "contributors": contributors.assign_attrs(
            units="persons", long_name="active insured persons (covered employed)"),
        "density": density.assign_attrs(units="1", long_name="contribution density (share of the year)"),
    })
    return ds.transpose("scenario", "year", "sex", "age", missing_dims="ignore")


def wage_level(labour: Labour, average_wage: xr.DataArray, employed: xr.DataArray) -> xr.DataArray:
    """AW_t g_s / n_t by (scenario, year, sex): the wage at salary scale 1."""
    years = employed["year"].values
    gender = xr.DataArray(np.stack([labour.gender_wage_ratio.at(years), np.ones(years.size)], -1),
                          dims=("year", "sex"), coords={"year": years, "sex": ["female", "male"]})
    scale = xr.DataArray(np.array(labour.salary_scale), dims="age")
    norm = xr.dot(xr.dot(employed, scale, dim="age"), gender, dim="sex") / employed.sum(("sex", "age"))
    return (average_wage * gender / norm).transpose("scenario", "year", "sex", missing_dims="ignore")


def insurable_wages(labour: Labour, average_wage: xr.DataArray, employed: xr.DataArray) -> xr.DataArray:
    """Average wage by (scenario, year, sex, age), normalised on employment."""
    scale = xr.DataArray(np.array(labour.salary_scale), dims="age")
    wage = wage_level(labour, average_wage, employed) * scale
    return wage.transpose("scenario", "year", "sex", "age", missing_dims="ignore").assign_attrs(
        units="currency/year", long_name="average annual wage of the employed by sex and age")
