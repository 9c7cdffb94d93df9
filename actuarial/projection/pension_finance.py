"""A pension scheme's finance, whatever its design: contribution income,
expenditure, the reserve and the headline ratios, on the variables of a
scheme's node (the DB scheme's, ``pension``; a notional scheme's,
``pension_ndc``), by scenario and year t:

  contribution income  C_t = contribution rate_t x insurable earnings IE_t
  expenditure          E_t = (benefits + lump sums) x (1 + administrative cost share)
  reserve              F_{t+1} = F_t + C_t + S_t + II_t - E_t, floored at zero
                       (``pension_metrics.floored_reserve``; cash flows mid-year),
                       plus a DC scheme's balances transferred on 1 January of
                       ``reserve_transfer_year`` (``transferred_reserve``)
  PAYG cost rate E/IE; reserve ratio F_t / E_{t-1}; depletion year, the first
  year at whose end the reserve is not positive; system dependency ratio
  pensioners / contributors; replacement rates (new and average old-age
  pension / average insurable wage); expenditure / GDP.

``Frame`` holds the variables as ``name: (dims, values, attrs)`` until the
node's Dataset is built once (``frame_dataset``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import xarray as xr

from actuarial.arrays import coordinates, dataset, scenario_years
from actuarial.assumptions.pension import BENEFIT_TYPES, Pension
from actuarial.projection.pension_metrics import floored_reserve


def frame_dataset(variables: dict, coords: dict) -> xr.Dataset:
    """``xr.Dataset(variables, coords=coords)`` built once on prebuilt coordinates
    (``arrays.dataset``): ``coords`` maps a dimension to its values, the
    DataArrays' own coordinates (e.g. ``horizon``) join them."""
    index = {k: (k, v) for k, v in coords.items()}
    for v in variables.values():
        if isinstance(v, xr.DataArray):
            for k, c in v.coords.items():
                index.setdefault(k, c.variable)
    return dataset(dict(variables), coordinates(index))


class Frame(dict):
    """Variables as ``name: (dims, values, attrs)`` (or DataArrays) read like a
    Dataset (``frame[name].dims``, ``.values``, ``sizes``) without building
    one: the finance and metrics code runs on it and the Dataset is built once."""

    def __init__(self, variables: dict, coords: dict):
        super().__init__(variables)
        self.coords = coords
        self.sizes = {k: len(v) for k, v in coords.items()}

    def __getitem__(self, name):
        if name in self.coords:
            return xr.DataArray(self.coords[name], dims=name)
        value = super().__getitem__(name)
        if isinstance(value, xr.DataArray):
            return value
        dims, values = value[0], value[1]
        return _Var((dims,) if isinstance(dims, str) else tuple(dims), np.asarray(values))


class _Var(NamedTuple):
    dims: tuple
    values: np.ndarray


def transferred_reserve(pension: Pension, C: np.ndarray, E: np.ndarray, i: np.ndarray, years):
    """``floored_reserve`` with ``pension.reserve_transfer`` (scenario,) added to the reserve on 1 January
    of ``reserve_transfer_year`` (a DC scheme's balances transferred to the DB scheme): the path to that
    day, then the path from it started at F + transfer. Returns the reserve at each 1 January
    (scenario, T+1), investment income, the deficit after depletion and the reserve at 31 December
    (before the transfer on the day before it)."""
    if pension.reserve_transfer is None:
        F, invest, deficit = floored_reserve(pension.initial_reserve, C, E, i)
        return F, invest, deficit, F[:, 1:]
    k = int(pension.reserve_transfer_year - years[0])
    F1, inv1, def1 = floored_reserve(pension.initial_reserve, C[:, :k], E[:, :k], i[:, :k])
    F2, inv2, def2 = floored_reserve(F1[:, k] + pension.reserve_transfer, C[:, k:], E[:, k:], i[:, k:])
    F = np.concatenate([F1[:, :k], F2], axis=1)
    end = np.concatenate([F1[:, 1:], F2[:, 1:]], axis=1)
    return F, np.concatenate([inv1, inv2], axis=1), np.concatenate([def1, def2], axis=1), end


def finance_variables(ds: xr.Dataset, pension: Pension, economy: xr.Dataset) -> dict:
    """Contributions, expenditure, reserve and the headline ratios, as a dict
    of variables for one Dataset construction."""
    sy = ("scenario", "year")
    n = ds.sizes["scenario"]

    def arr(da):
        return scenario_years(da, n)

    ie = arr(ds["insurable_earnings"])
    contributions = arr(ds["contribution_rate"]) * ie
    benefits = ds["benefit_expenditure"].values.sum(2) + arr(ds["lump_sums"])
    admin = pension.administrative_cost * benefits
    E = benefits + admin
    reserve, invest, deficit, end = transferred_reserve(pension, contributions, E,
                                                        arr(economy.variables["interest_rate"]), ds["year"].values)
    prev = np.concatenate([np.full((E.shape[0], 1), np.nan), E[:, :-1]], axis=1)
    years = ds["year"].values
    exhausted = reserve[:, 1:] <= 0
    if pension.award_start_year is not None:  # a design entered by a transition: its reserve starts then
        exhausted[:, :max(int(pension.award_start_year - years[0]), 0)] = False
    depletion = np.where(exhausted.any(1), years[np.argmax(exhausted, axis=1)], np.nan)
    pens = ds["pensioners_total"].values.sum((2, 3))
    k_old = list(BENEFIT_TYPES).index("old_age")
    new_n = ds["new_pensioners"].values[:, :, k_old].sum(-1)
    new_b = ds["new_pension_amounts"].values[:, :, k_old].sum(-1)
    old_n = ds["pensioners_total"].values[:, :, k_old].sum(-1)
    old_b = ds["pension_amounts"].values[:, :, k_old].sum(-1)
    aiw = ds["average_insurable_wage"].values
    with np.errstate(divide="ignore", invalid="ignore"):  # no expenditure, earnings or awards: inf / NaN
        values = {
            "contribution_income": (contributions, "currency/year", "contribution income"),
            "administrative_expenses": (admin, "currency/year", "administrative expenses"),
            "expenditure": (E, "currency/year", "total expenditure: benefits, lump sums, administration"),
            "investment_income": (invest, "currency/year", "investment income on the reserve"),
            "reserve": (reserve[:, :-1], "currency", "reserve at 1 January (floored at 0: after depletion "
                                                     "the state pays the deficit)"),
            "reserve_end": (end, "currency", "reserve at 31 December (floored at 0)"),
            "reserve_ratio": (reserve[:, :-1] / prev, "1", "reserve at 1 January / expenditure of the year before "
                                                          "(none in the first year)"),
            "deficit_after_depletion": (deficit, "currency/year", (
                "deficit after depletion: expenditure the exhausted reserve cannot pay (the state's cost, "
                "paid mid-year)")),
            "deficit_after_depletion_rate": (deficit / ie, "1", "deficit after depletion / insurable earnings"),
            "deficit_after_depletion_gdp": (deficit / arr(economy.variables["gdp"]), "1",
                                            "deficit after depletion / GDP"),
            "payg_cost_rate": (E / ie, "1", "PAYG cost rate: expenditure / insurable earnings"),
            "system_dependency_ratio": (pens / ds["contributors"].values.sum(-1), "1",
                                        "pensioners / active insured"),
            "replacement_rate": (np.where(new_n > 0, new_b / new_n, np.nan) / aiw, "1",
                                 "average new old-age pension / average insurable wage"),
            "average_replacement_rate": (np.where(old_n > 0, old_b / old_n, np.nan) / aiw, "1",
                                         "average old-age pension in payment / average insurable wage"),
            "expenditure_gdp": (E / arr(economy.variables["gdp"]), "1", "expenditure / GDP"),
        }
    out = {k: (sy, v, {"units": u, "long_name": ln}) for k, (v, u, ln) in values.items()}
    out["depletion_year"] = ("scenario", depletion, {
        "units": "year", "long_name": "first year at whose end the reserve is exhausted (NaN: never)" + (
            "" if pension.award_start_year is None else
            f"; from {pension.award_start_year}, when the scheme entered by the transition starts")})
    return out
