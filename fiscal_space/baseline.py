"""Macro-fiscal baseline (no reform): GDP, growth, revenue, spending, debt terms.

Conventions (IMF, *Staff Guidance Note for Public Debt Sustainability
Analysis in Market-Access Countries*, 2013, annex on debt dynamics, with
the engine's timing: stocks on 1 January, flows during the year):

- Y(t) nominal GDP of year t; n(t) = Y(t) / Y(t - 1) - 1 its growth into
  year t. From the fiscal file, Y(t + 1) = Y(t) (1 + g(t)) (1 + pi(t))
  (the economy stage's convention), so n(t) = (1 + g(t-1))(1 + pi(t-1)) - 1;
  for the base year g and pi of the year before are those paths' values there
  (flat before the first anchor). From an economy Dataset, n(t) is the ratio
  of its ``gdp`` and n(base) uses its ``real_gdp_growth`` and ``inflation``
  at the base year when present (else n(base + 1)).
- pb(t) = revenue(t) - primary expenditure(t), fractions of GDP of year t.
- r(t) effective nominal interest rate: interest paid in t / debt on 1 January.
- alpha(t) foreign-currency share of debt, e(t) = X(t) / X(t-1) - 1 the
  depreciation of the currency against the foreign currency (X: currency
  per unit of foreign currency).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from actuarial.errors import AssumptionError
from fiscal_space.assumptions import FiscalAssumptions

ECONOMY = "<economy Dataset>"


@dataclass(frozen=True)
class Macro:
    years: np.ndarray
    gdp: np.ndarray | None  # nominal GDP (currency/year), when known
    gdp_index: np.ndarray  # Y(t) / Y(base)
    nominal_growth: np.ndarray  # n(t) = Y(t) / Y(t-1) - 1
    interest_rate: np.ndarray  # r(t), effective nominal rate on debt
    revenue_gdp: np.ndarray
    primary_expenditure_gdp: np.ndarray
    foreign_currency_share: np.ndarray  # alpha(t)
    depreciation: np.ndarray  # e(t)
    stock_flow_adjustment_gdp: np.ndarray
    debt0: float  # debt on 1 January of the base year / GDP of the year before
    real_growth: np.ndarray | None = None  # g(t), real GDP growth into year t (None: unknown, all of n real)

    @property
    def real_and_deflator(self) -> tuple[np.ndarray, np.ndarray]:
        """(g, pi) into year t with (1 + g)(1 + pi) = 1 + n exactly: pi is the GDP deflator the
        nominal growth implies; without a real growth path g = n and pi = 0."""
        g = self.nominal_growth if self.real_growth is None else self.real_growth
        return g, (1 + self.nominal_growth) / (1 + g) - 1

    @property
    def primary_balance_gdp(self) -> np.ndarray:
        return self.revenue_gdp - self.primary_expenditure_gdp

    def debt_factor(self, interest_shift: float = 0.0) -> np.ndarray:
        """f(t) = (1 + r(t)) (1 + alpha(t) e(t)) / (1 + n(t)): debt on 1 January of
        t + 1 over GDP of t, per unit of debt on 1 January of t over GDP of t - 1."""
        return ((1 + self.interest_rate + interest_shift) * (1 + self.foreign_currency_share * self.depreciation)
                / (1 + self.nominal_growth))


def _economy_values(economy: xr.Dataset, name: str, years) -> np.ndarray:
    da = economy[name]
    if "scenario" in da.dims:
        if da.sizes["scenario"] != 1:
            raise ValueError(f"economy[{name!r}] has {da.sizes['scenario']} scenarios; pass one "
                             "(e.g. economy.isel(scenario=0))")
        da = da.isel(scenario=0)
    have = set(da["year"].values.tolist())
    missing = [int(y) for y in years if int(y) not in have]
    if missing:
        raise AssumptionError(ECONOMY, name, f"no value for year(s) {missing[:5]}; expected every year "
                                             f"from {years[0]} to {years[-1]}")
    if np.array_equal(da["year"].values, years):  # the usual case: the same years, no label lookup
        return da.values.astype(float)
    return da.sel(year=years).values.astype(float)


def macro_baseline(fa: FiscalAssumptions, economy: xr.Dataset | None = None) -> Macro:
    """The no-reform macro-fiscal baseline on the case's years."""
    b = fa.baseline
    years = fa.years
    real = None
    if economy is not None and "gdp" in economy:
        gdp = _economy_values(economy, "gdp", years)
        growth = np.empty(years.size)
        growth[1:] = gdp[1:] / gdp[:-1] - 1
        if "real_gdp_growth" in economy and "inflation" in economy:
            g_path = _economy_values(economy, "real_gdp_growth", years)
            p0 = _economy_values(economy, "inflation", years)[0]
            growth[0] = (1 + g_path[0]) * (1 + p0) - 1
            real = np.concatenate([g_path[:1], g_path[:-1]])  # GDP(t) = GDP(t-1)(1 + g(t-1))(1 + pi(t-1))
        else:
            growth[0] = growth[1] if years.size > 1 else 0.0
        index = gdp / gdp[0]
    else:
        if b.real_gdp_growth is None:
            raise fa.error("baseline.real_gdp_growth", "required key is missing (no economy Dataset "
                                                       "gives GDP; give real_gdp_growth and inflation)")
        prev = years - 1
        growth = (1 + b.real_gdp_growth.at(prev)) * (1 + b.inflation.at(prev)) - 1
        real = b.real_gdp_growth.at(prev)
        index = np.concatenate([[1.0], np.cumprod(1 + growth[1:])])
        gdp = None if b.gdp is None else b.gdp * index
    if b.interest_rate is not None:
        rate = b.interest_rate.at(years)
    elif economy is not None and "interest_rate" in economy:
        rate = _economy_values(economy, "interest_rate", years)
    elif getattr(fa.debt_profile, "rated", False):  # computed from the debt's structure (fiscal_space.run)
        rate = np.full(years.size, np.nan)
    else:
        raise fa.error("baseline.interest_rate", "required key is missing (the effective interest rate "
                                                 "on public debt; no economy Dataset gives one)")
    if b.exchange_rate is not None:
        depreciation = b.exchange_rate.at(years) / b.exchange_rate.at(years - 1) - 1
    else:
        depreciation = np.zeros(years.size)
    return Macro(years=years, gdp=gdp, gdp_index=index, nominal_growth=growth, interest_rate=rate,
                 revenue_gdp=b.revenue_gdp.at(years), primary_expenditure_gdp=b.primary_expenditure_gdp.at(years),
                 foreign_currency_share=b.foreign_currency_share.at(years), depreciation=depreciation,
                 stock_flow_adjustment_gdp=b.stock_flow_adjustment_gdp.at(years), debt0=b.debt_gdp,
                 real_growth=real)
