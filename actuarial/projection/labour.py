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

from actuarial.arrays import coordinates, dataset, with_scenario
from actuarial.assumptions.economy import Labour
from actuarial.assumptions.series import interpolate_anchored


def _by_sex_series(pair, years) -> np.ndarray:
    """(year, sex) values of a pair of series."""
    return np.stack([s.at(years) for s in pair], axis=-1)


def project_labour(labour: Labour, population: xr.DataArray) -> xr.Dataset:
    """Labour Dataset (scenario, year, sex, age) from population (same dims)."""
    pop = population.transpose("scenario", "year", "sex", "age")
    years = pop["year"].values
    rates = interpolate_anchored(labour.participation, years)  # (year, sex, age)
    employment_rate = rates * (1 - _by_sex_series(labour.unemployment, years))[..., None]
    covered_rate = employment_rate * _by_sex_series(labour.coverage, years)[..., None]
    P = pop.values
    d4 = pop.dims
    attrs = lambda units, long_name: {"units": units, "long_name": long_name}  # noqa: E731
    return dataset(
        {
            "participation_rate": (d4[1:], rates, attrs("1", "labour force participation rate")),
            "labour_force": (d4[:3], np.einsum("nysa,ysa->nys", P, rates), attrs(
                "persons", "labour force at 1 January (by age: population x participation_rate)")),
            "employed": (d4, P * employment_rate, attrs("persons", "employed persons at 1 January")),
            "contributors": (d4, P * covered_rate, attrs(
                "persons", "active insured persons (covered employed)")),
            "density": (("sex", "age"), np.array(labour.density),
                        attrs("1", "contribution density (share of the year)")),
        },
        coordinates({k: (k, pop[k].values) for k in d4}),
    )


def reference_scale(scale: np.ndarray, n_credits: int, method: str, final_years: int) -> np.ndarray:
    """Average salary scale over the reference period ending before age x, by (x, c).

    The period is the last c ages (career average) or the last min(c, N)
    ages (final N years), at least one age; it starts no earlier than age 0.
    """
    X = scale.size
    cum = np.concatenate([[0.0], np.cumsum(scale)])
    x = np.arange(X)[:, None]
    c = np.arange(n_credits)[None, :]
    span = np.maximum(c, 1) if method == "career_average" else np.minimum(np.maximum(c, 1), final_years)
    hi = np.maximum(x, 1)
    lo = np.maximum(hi - span, 0)
    return (cum[hi] - cum[lo]) / (hi - lo)


def wage_level(labour: Labour, average_wage: xr.DataArray, employed: xr.DataArray) -> xr.DataArray:
    """AW_t g_s / n_t by (scenario, year, sex): the wage at salary scale 1."""
    years = employed["year"].values
    emp = employed.transpose(..., "year", "sex", "age")
    level = _level(labour, average_wage, emp.values, years)
    dims = (*emp.dims[:-1],)
    return xr.DataArray(level, dims=dims, coords={"year": years, "sex": ["female", "male"]}).transpose(
        "scenario", "year", "sex", missing_dims="ignore")


def _level(labour: Labour, average_wage: xr.DataArray, emp: np.ndarray, years) -> np.ndarray:
    """``wage_level``'s values from employment (..., year, sex, age)."""
    gender = np.stack([labour.gender_wage_ratio.at(years), np.ones(years.size)], -1)  # (year, sex)
    by_sex = emp @ np.asarray(labour.salary_scale)  # (..., year, sex)
    norm = (by_sex * gender).sum(-1) / emp.sum((-2, -1))  # (..., year)
    aw = average_wage.transpose(..., "year").values
    return aw[..., None] * gender / norm[..., None]


def wage_levels(labour: Labour, average_wage: xr.DataArray, employed: xr.DataArray) -> np.ndarray:
    """``wage_level`` as the kernels take it (``arrays.with_scenario``: a contiguous
    (scenario, year, sex) array), without building the DataArray."""
    emp = employed.transpose(..., "year", "sex", "age")
    level = _level(labour, average_wage, emp.values, employed["year"].values)
    return with_scenario(xr.Variable(emp.dims[:-1], level), ("year", "sex"))


def insurable_wages(labour: Labour, average_wage: xr.DataArray, employed: xr.DataArray) -> xr.DataArray:
    """Average wage by (scenario, year, sex, age), normalised on employment."""
    scale = xr.DataArray(np.array(labour.salary_scale), dims="age")
    wage = wage_level(labour, average_wage, employed) * scale
    return wage.transpose("scenario", "year", "sex", "age", missing_dims="ignore").assign_attrs(
        units="currency/year", long_name="average annual wage of the employed by sex and age")


def insurable_wage_values(labour: Labour, average_wage: xr.DataArray, employed: xr.DataArray) -> np.ndarray:
    """``insurable_wages`` as a contiguous (scenario, year, sex, age) array, without xarray."""
    return np.ascontiguousarray(wage_levels(labour, average_wage, employed)[..., None]
                                * np.array(labour.salary_scale))
