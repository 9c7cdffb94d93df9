"""Macroeconomic frame: prices, GDP, wages, interest, government spending.

With P_0 = 1, GDP_0 and AW_0 given for the base year:
  P_{t+1}   = P_t (1 + inflation_t)
  GDP_{t+1} = GDP_t (1 + g_t) (1 + inflation_t),  g_t real GDP growth, given or
              (1 + productivity_t)(1 + employment growth_t) - 1
  AW_{t+1}  = AW_t (1 + real wage growth_t)(1 + inflation_t)
  government expenditure_t = share_t x GDP_t.
Flows (GDP, wages, spending) are those of the year; rates apply during it.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from actuarial.arrays import coordinates, dataset
from actuarial.assumptions.economy import Economy


def _compound(first: float, growth: np.ndarray) -> np.ndarray:
    """first, first (1 + g_0), first (1 + g_0)(1 + g_1), ... along the last axis."""
    factors = np.cumprod(1 + growth[..., :-1], axis=-1)
    return first * np.concatenate([np.ones((*growth.shape[:-1], 1)), factors], axis=-1)


def project_economy(economy: Economy, years, employed: xr.DataArray | None = None,
                    deviations: dict | None = None) -> xr.Dataset:
    """Economy Dataset on ``year`` (and ``scenario`` when ``employed`` or ``deviations`` have it).

    ``employed`` (persons by year, summed over sex and age) is needed only
    when GDP grows with productivity x employment. ``deviations`` (stochastic
    runs) maps ``inflation``, ``real_wage_growth``, ``interest_rate`` and
    ``real_gdp_growth`` to (scenario, year) arrays added to the assumed
    paths; the discount rate moves with the interest rate. Zero deviations
    give the deterministic numbers exactly.
    """
    years = np.asarray(years)
    dev = deviations or {}
    shift = lambda name, path: path + dev[name] if name in dev else path  # noqa: E731
    inflation = shift("inflation", economy.inflation.at(years))
    if economy.real_gdp_growth is not None:
        growth = shift("real_gdp_growth", economy.real_gdp_growth.at(years))
    else:
        if employed is None:
            raise ValueError("productivity-based GDP needs the employed population")
        emp = employed.transpose(..., "year").values
        emp_growth = np.empty_like(emp)
        emp_growth[..., :-1] = emp[..., 1:] / emp[..., :-1] - 1
        emp_growth[..., -1] = emp_growth[..., -2] if emp.shape[-1] > 1 else 0.0
        growth = shift("real_gdp_growth", (1 + economy.productivity_growth.at(years)) * (1 + emp_growth) - 1)
    wage_growth = (1 + shift("real_wage_growth", economy.real_wage_growth.at(years))) * (1 + inflation) - 1
    gdp = _compound(economy.gdp, (1 + growth) * (1 + inflation) - 1)
    spend_share = economy.government_expenditure_gdp.at(years)
    variables = {
        "gdp": (gdp, "currency/year", "nominal gross domestic product"),
        "real_gdp_growth": (growth, "1/year", "real GDP growth rate"),
        "inflation": (inflation, "1/year", "consumer price inflation"),
        "price_index": (_compound(1.0, inflation), "1", "consumer price index (base year = 1)"),
        "nominal_wage_growth": (wage_growth, "1/year", "nominal average wage growth"),
        "average_wage": (_compound(economy.average_wage, wage_growth), "currency/year",
                         "economy-wide average annual wage of the employed"),
        "interest_rate": (shift("interest_rate", economy.interest_rate.at(years)), "1/year",
                          "nominal return on reserves"),
        "discount_rate": (shift("interest_rate", economy.discount_rate.at(years)), "1/year",
                          "nominal discount rate for present values"),
        "government_expenditure_gdp": (spend_share, "1", "general government expenditure / GDP"),
        "government_expenditure": (spend_share * gdp, "currency/year", "general government expenditure"),
    }
    coords = {"year": years}
    n = max(np.ndim(v) for v, *_ in variables.values())
    if n == 2:
        sizes = [np.shape(v)[0] for v, *_ in variables.values() if np.ndim(v) == 2]
        coords["scenario"] = employed["scenario"].values if employed is not None and "scenario" in employed.dims \
            else np.arange(max(sizes))
    return dataset({k: (("scenario", "year")[-np.ndim(v):], v, {"units": u, "long_name": ln})
                    for k, (v, u, ln) in variables.items()}, coordinates({k: (k, v) for k, v in coords.items()}))
