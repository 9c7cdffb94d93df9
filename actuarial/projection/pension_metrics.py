"""Financing metrics of a pension scheme, from its projected cash flows.

Notation by scenario and year t = 0..T-1: insurable earnings IE_t,
contributions C_t, expenditure E_t, reserve F_t at 1 January, interest i_t,
discount rate d_t; cash flows at mid-year, so

  v_t = prod_{k<t} 1 / (1 + d_k)  (start of year t),  m_t = v_t / sqrt(1 + d_t)
  F_{t+1} = F_t + C_t + II_t - E_t,  II_t = i_t F_t + (C_t - E_t)(sqrt(1 + i_t) - 1)

- GAP over h years: pi with F_0 + pi sum_{t<h} IE_t m_t = sum_{t<h} E_t(pi) m_t
  + v_h k E_{h-1}(pi), k the target reserve ratio at the end (0 by default),
  where refunds of contributions in E scale with pi (``_arrays``).
- Scaled premium (ILO; Thullen 1973): for successive periods of n years, the
  lowest level rate under which the reserve does not fall in any year of
  the period, given the reserve left by the previous periods.
- Steady-state contribution rate (Canada Pension Plan, Calculation of
  Contribution Rates Regulations; Chief Actuary's reports): the lowest
  constant rate from the end of a review period of 3 years after the
  valuation year under which assets at the end of a year over the next
  year's expenditure are equal in the 10th and 60th years after it.
- Actuarial balance over 75 years (US Social Security Trustees): summarized
  income rate (F_0 + PV C) / PV IE minus summarized cost rate
  (PV E + v_75 E_75) / PV IE, the last term the cost of ending with a
  reserve of one year's expenditure.
- Open-group present values over 75 years, and closed-group (participants
  at the valuation date only, no new entrants) over the whole projection.
- Accrued-to-date liability at the valuation date: ``liability.py``
  (generational mortality, contingent survivors' pensions).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from actuarial.arrays import scenario_years
from actuarial.projection import _pension_kernels

STEADY_STATE_YEARS = (10, 60)
REVIEW_PERIOD = 3  # years after the valuation year (CPP)
BALANCE_HORIZON = 75
SY = ("scenario", "year")


def reserve_path(F0, C: np.ndarray, E: np.ndarray, i: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Reserve (scenario, T+1) at each 1 January and investment income (scenario, T)."""
    C, E, i = (np.ascontiguousarray(np.broadcast_to(a, np.shape(C)), dtype=float) for a in (C, E, i))
    n, T = C.shape
    F = np.empty((n, T + 1))
    invest = np.empty((n, T))
    F0 = np.ascontiguousarray(np.broadcast_to(np.asarray(F0, dtype=float), (n,)))
    _pension_kernels.reserve_path(F0, C, E, i, F, invest)
    return F, invest


def floored_reserve(F0, C: np.ndarray, E: np.ndarray, i: np.ndarray):
    """The reserve as actuarial reports show it, floored at zero: reserve
    (scenario, T+1) at each 1 January, investment income (scenario, T) and
    the deficit after depletion S (scenario, T), what the state must pay (or
    the benefits that cannot be paid) mid-year once the reserve is exhausted
    (``_pension_kernels.floored_reserve_path``)."""
    C, E, i = (np.ascontiguousarray(np.broadcast_to(a, np.shape(C)), dtype=float) for a in (C, E, i))
    n, T = C.shape
    F, invest, deficit = np.empty((n, T + 1)), np.empty((n, T)), np.empty((n, T))
    F0 = np.ascontiguousarray(np.broadcast_to(np.asarray(F0, dtype=float), (n,)))
    _pension_kernels.floored_reserve_path(F0, C, E, i, F, invest, deficit)
    return F, invest, deficit


def discount_factors(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """v_t (start of year t) and m_t (mid-year) for a discount-rate path (scenario, T)."""
    v = np.concatenate([np.ones((d.shape[0], 1)), np.cumprod(1 / (1 + d), axis=1)[:, :-1]], axis=1)
    return v, v / np.sqrt(1 + d)


def _arrays(ds: xr.Dataset, economy: xr.Dataset, admin: float = 0.0):
    """Cash flows as (scenario, year) arrays.

    Refunds of contributions scale with the contribution rate pi: with
    r_t = (1 + admin) x refund base, expenditure is E0_t + pi r_t and the
    net flow pi IE_t - E_t = pi (IE_t - r_t) - E0_t. Returns IE, E, the
    scheduled rate, i, d, the net earnings IE - r, E0 and r.
    """
    n, T = ds["insurable_earnings"].values.shape

    def arr(da):
        return scenario_years(da, n)

    ie, E, rate = arr(ds["insurable_earnings"]), arr(ds["expenditure"]), arr(ds["contribution_rate"])
    r = (1 + admin) * arr(ds["refund_base"]) if "refund_base" in ds else np.zeros_like(ie)
    E0 = E - rate * r
    return ie, E, rate, arr(economy.variables["interest_rate"]), arr(economy.variables["discount_rate"]), ie - r, E0, r


def scaled_premium(F0, ie, E, i, period: int) -> np.ndarray:
    """Level rate per period so that the reserve never falls within it."""
    n, T = ie.shape
    out = np.empty((n, T))
    F = np.full(n, float(F0)) if np.ndim(F0) == 0 else np.asarray(F0, float).copy()
    for a in range(0, T, period):
        b = min(a + period, T)
        # net flow in year t is affine in the rate: reserve path at rates 0 and 1
        F_0, _ = reserve_path(F, np.zeros((n, b - a)), E[:, a:b], i[:, a:b])
        F_1, _ = reserve_path(F, ie[:, a:b], E[:, a:b], i[:, a:b])
        net0 = F_0[:, 1:] - F_0[:, :-1]
        slope = (F_1[:, 1:] - F_1[:, :-1]) - net0
        pi = np.maximum((-net0 / slope).max(axis=1), 0.0)
        out[:, a:b] = pi[:, None]
        F = (F_0 + pi[:, None] * (F_1 - F_0))[:, -1]
    return out


def steady_state_rate(F0, ie_net, E0, refund, i, scheduled, review: int = REVIEW_PERIOD,
                      years=STEADY_STATE_YEARS) -> np.ndarray:
    """Steady-state contribution rate, the Canada Pension Plan's definition
    (Calculation of Contribution Rates Regulations, 2021, s. 2; Chief Actuary
    of Canada, 31st Actuarial Report on the CPP, section 3): the lowest
    constant rate pi >= 0 applying from the end of a review period of
    ``review`` years after the valuation year under which the ratio of the
    assets at the end of a year to the expenditure of the following year is
    the same in the 10th and the 60th years after the review period.

    The valuation date is 1 January of the first projection year (t = 0),
    i.e. 31 December of the valuation year, so the review period is
    t = 0 .. review - 1 (at the ``scheduled`` rate) and, for k = 10, 60, the
    k-th year after it ends on 1 January of t_k = review + k:

        F_{t_a}(pi) / E_{t_a}(pi) = F_{t_b}(pi) / E_{t_b}(pi).

    F_t(pi) = f_t + pi g_t is affine (net flows pi ie_net - E0 from the end
    of the review period) and E_t(pi) = E0_t + pi refund_t, so the condition
    is a quadratic in pi.
    """
    n, T = ie_net.shape
    a, b = review + years[0], review + years[1]
    if T <= b:
        return np.full(n, np.nan)
    after = np.arange(T) >= review
    f, _ = reserve_path(F0, np.where(after, 0.0, scheduled * ie_net), E0, i)
    g, _ = reserve_path(0.0, np.where(after, ie_net, 0.0), np.zeros_like(E0), i)
    ea, eb, ra, rb = E0[:, a], E0[:, b], refund[:, a], refund[:, b]
    A = g[:, a] * rb - g[:, b] * ra
    B = f[:, a] * rb + g[:, a] * eb - f[:, b] * ra - g[:, b] * ea
    Cc = f[:, a] * eb - f[:, b] * ea
    out = np.full(n, np.nan)
    for k in range(n):
        if abs(A[k]) > 1e-12 * abs(B[k]):
            roots = np.roots([A[k], B[k], Cc[k]])
        elif B[k] != 0:
            roots = np.array([-Cc[k] / B[k]])
        else:  # no expenditure: every rate keeps the ratios equal (or none does)
            continue
        real = roots[np.isreal(roots)].real
        real = real[real >= 0]
        if real.size:
            out[k] = real.min()
    return out


def general_average_premium(F0, ie_net, E0, refund, d, horizon: int, target_ratio: float = 0.0) -> np.ndarray:
    """GAP over ``horizon`` = h years: the constant rate pi whose present value
    of contributions, plus the initial reserve, equals the present value of
    expenditure and of a target reserve at the end of the horizon of
    ``target_ratio`` x the last year's expenditure (ILO, *Actuarial
    practice in social security*, 2002, ch. 9; DESIGN.md):

        F_0 + pi sum_{t<h} IE_t m_t = sum_{t<h} E_t(pi) m_t + v_h k E_{h-1}(pi),
        E_t(pi) = E0_t + pi r_t (refunds scale with the rate), so
        pi = (PV E0 + v_h k E0_{h-1} - F_0) / (PV (IE - r) - v_h k r_{h-1}).

    With the discount rate equal to the interest rate, the reserve recursion
    at rate pi ends at F_h = k E_{h-1}.
    """
    h = horizon
    v, m = discount_factors(d[:, :h])
    v_h = m[:, -1] / np.sqrt(1 + d[:, h - 1])
    num = (E0[:, :h] * m).sum(1) + v_h * target_ratio * E0[:, h - 1] - F0
    return num / ((ie_net[:, :h] * m).sum(1) - v_h * target_ratio * refund[:, h - 1])


def summarized_rates(F0, ie, rate, E, v, m, H: int):
    """PV of insurable earnings, contributions and expenditure over the first
    H years and the summarized income and cost rates (US Social Security
    Trustees, actuarial balance over a valuation period of H years):
    income (F_0 + PV C) / PV IE, cost (PV E + v_H E_H) / PV IE, the last
    term the cost of ending with a reserve of one year's expenditure."""
    pv_ie = (ie * m)[:, :H].sum(1)
    pv_c = (rate * ie * m)[:, :H].sum(1)
    pv_e = (E * m)[:, :H].sum(1)
    return pv_ie, pv_c, pv_e, (F0 + pv_c) / pv_ie, (pv_e + v[:, H] * E[:, H]) / pv_ie


def initial_value(pension, ds, v: np.ndarray):
    """The reserve at the valuation date, plus the present value (discount factors v, scenario x
    year) of a reserve transfer on 1 January of a later year (``pension.reserve_transfer``: a DC
    scheme's balances transferred to the DB scheme)."""
    if getattr(pension, "reserve_transfer", None) is None:
        return pension.initial_reserve
    k = int(pension.reserve_transfer_year - ds["year"].values[0])
    return pension.initial_reserve + pension.reserve_transfer * v[:, k]


def add_valuation_metrics(ds: xr.Dataset, pension, economy: xr.Dataset) -> xr.Dataset:
    return ds.assign(valuation_variables(ds, pension, economy))


def valuation_variables(ds: xr.Dataset, pension, economy: xr.Dataset) -> dict:
    ie, E, rate, i, d, ie_net, E0, refund = _arrays(ds, economy, pension.administrative_cost)
    T = ie.shape[1]
    v, m = discount_factors(d)
    F0 = initial_value(pension, ds, v)
    horizons = [h for h in pension.horizons if h <= T]
    k = pension.gap_target_reserve_ratio
    gap = np.array([general_average_premium(F0, ie_net, E0, refund, d, h, k) for h in horizons]
                   ).T if horizons else np.zeros((ie.shape[0], 0))
    H = min(BALANCE_HORIZON, T - 1)
    pv_ie, pv_c, pv_e, income, cost = summarized_rates(F0, ie, rate, E, v, m, H)
    by_horizon = np.array([np.subtract(*summarized_rates(F0, ie, rate, E, v, m, min(h, T - 1))[3:])
                           for h in horizons]).T if horizons else np.zeros((ie.shape[0], 0))
    period = pension.scaled_premium_period
    review = pension.steady_state_review_period
    first = int(ds["year"].values[0])
    scalars = {
        "steady_state_rate": (steady_state_rate(F0, ie_net, E0, refund, i, rate, review), "1", (
            f"steady-state contribution rate (CPP definition): lowest constant rate from {first + review} "
            f"under which assets at the end of {first + review + 9} and {first + review + 59} over the next "
            f"year's expenditure are equal")),
        "pv_insurable_earnings": (pv_ie, "currency", f"open group: PV of insurable earnings, {H} years"),
        "pv_contributions": (pv_c, "currency", f"open group: PV of contributions, {H} years"),
        "pv_expenditure": (pv_e, "currency", f"open group: PV of expenditure, {H} years"),
        "summarized_income_rate": (income, "1", f"(reserve + PV contributions) / PV earnings, {H} years"),
        "summarized_cost_rate": (cost, "1", f"(PV expenditure + ending reserve of one year's cost) / PV earnings, {H} years"),
        "actuarial_balance": (income - cost, "1", f"summarized income rate - summarized cost rate, {H} years"),
    }
    out = {k: ("scenario", v, {"units": u, "long_name": ln}) for k, (v, u, ln) in scalars.items()}
    out["general_average_premium"] = xr.DataArray(
        gap.reshape(-1, len(horizons)), dims=("scenario", "horizon"), coords={"horizon": horizons},
        attrs={"units": "1", "long_name": "general average premium over the horizon (years)" + (
            f", ending with a reserve of {k:g} x the last year's expenditure" if k else ", no reserve at the end"),
            "target_reserve_ratio": k})
    out["actuarial_balance_by_horizon"] = xr.DataArray(
        by_horizon.reshape(-1, len(horizons)), dims=("scenario", "horizon"), coords={"horizon": horizons},
        attrs={"units": "1", "long_name": "actuarial balance over the horizon (years; at most the projection "
                                          "less one year): summarized income rate - summarized cost rate"})
    out["scaled_premium"] = (SY, scaled_premium(F0, ie_net, E0, i, period), {
        "units": "1", "long_name": f"scaled premium, periods of {period} years"})
    return out


def closed_group_variables(ds: xr.Dataset, earnings: np.ndarray, expenditure: np.ndarray, pension,
                           economy: xr.Dataset) -> dict:
    """Present values for the participants at the valuation date only."""
    _, _, rate, _, d, *_ = _arrays(ds, economy)
    v, m = discount_factors(d)
    F0 = initial_value(pension, ds, v)
    pv_c = (rate * earnings * m).sum(1)
    pv_e = (expenditure * m).sum(1)
    cur = {"units": "currency"}
    return {
        "closed_group_pv_contributions": ("scenario", pv_c, {**cur, "long_name": "closed group: PV of contributions"}),
        "closed_group_pv_expenditure": ("scenario", pv_e, {**cur, "long_name": "closed group: PV of expenditure"}),
        "closed_group_deficit": ("scenario", pv_e - pv_c - F0, {
            **cur, "long_name": "closed group: PV expenditure - PV contributions - reserve"}),
    }
