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

from actuarial.assumptions.economy import Economy


def _compound(first: float, growth: xr.DataArray) -> xr.DataArray:
    """first, first (1 + g_0), first (1 + g_0)(1 + g_1), ... along ``year``."""
    factors = (1 + growth).shift(year=1, fill_value=1.0).cumprod("year")
    return first * factors


def project_economy(economy: Economy, years, employed: xr.DataArray | None = None) -> xr.Dataset:
    """Economy Dataset on ``year`` (and ``scenario`` when ``employed`` has it).

    ``employed`` (persons by year, summed over sex and age) is needed only
    when GDP grows with productivity x employment.
    """
    years = np.asarray(years)

    def path(series):
        return xr.DataArray(series.at(years), dims="year", coords={"year": years})

    inflation = path(economy.inflation)
    if economy.real_gdp_growth is not None:
        growth = path(economy.real_gdp_growth)
    else:
        if employed is None:
            raise ValueError("productivity-based GDP needs the employed population")
        emp_growth = (employed.shift(year=-1) / employed - 1).ffill("year")
        growth = (1 + path(economy.productivity_growth)) * (1 + emp_growth) - 1
    wage_growth = (1 + path(economy.real_wage_growth)) * (1 + inflation) - 1
    gdp = _compound(economy.gdp, (1 + growth) * (1 + inflation) - 1)
    spend_share = path(economy.government_expenditure_gdp)
    variables = {
        "gdp": (gdp, "currency/year", "nominal gross domestic product"),
        "real_gdp_growth": (growth, "1/year", "real GDP growth rate"),
        "inflation": (inflation, "1/year", "consumer price inflation"),
        "price_index": (_compound(1.0, inflation), "1", "consumer price index (base year = 1)"),
        "nominal_wage_growth": (wage_growth, "1/year", "nominal average wage growth"),
        "average_wage": (_compound(economy.average_wage, wage_growth), "currency/year",
                         "economy-wide average annual wage of the employed"),
        "interest_rate": (path(economy.interest_rate), "1/year", "nominal return on reserves"),
        "discount_rate": (path(economy.discount_rate), "1/year", "nominal discount rate for present values"),
        "government_expenditure_gdp": (spend_share, "1", "general government expenditure / GDP"),
        "government_expenditure": (spend_share * gdp, "currency/year", "general government expenditure"),
    }
    ds = xr.Dataset({k: v.assign_attrs(units=u, long_name=ln) for k, (v, u, ln) in variables.items()})
    order = [d for d in ("scenario", "year") if d in ds.dims]
    return ds.transpose(*order)
