"""Validation kinds for the fiscal-space stage (``fiscal_space``).

fiscal_debt_dynamics  constant r, g and pb: debt d(t) = d0 q^t - pb (q^t - 1)/(q - 1),
                      q = (1 + r)/(1 + g); debt-stabilising balance d (r - g)/(1 + g);
                      fiscal gap (d0 q^n - pb A_n - target) / A_n with A_n = (q^n - 1)/(q - 1);
                      r - g shifted; a constant gap financed by borrowing alone
                      gives the closed form with pb - gap
fiscal_full_cost      a constant gap that a balance option finances only in part,
                      no debt option: with the reform at full cost the shortfall is
                      borrowed, d(t) is the closed form with pb - gap + capacity;
                      scaled back (the shortfall not spent) it is the closed form with
                      pb; the ceiling is reported as breached where the full cost
                      passes it
fiscal_plan           ample capacity closes the gap exactly; an option with zero
                      capacity is never used; without enough capacity the shortfall
                      is the gap minus the total capacity
fiscal_stochastic     primary-balance shocks only (iid normal, sd s): debt is normal
                      with mean the deterministic path and variance
                      s^2 (q^(2t) - 1)/(q^2 - 1); P(d > threshold) from the normal cdf

Every expected value is computed here from its closed form, not by the engine.
"""

from __future__ import annotations

from math import erf, sqrt
from pathlib import Path

import numpy as np
import xarray as xr

from actuarial.assumptions.reader import Reader
from actuarial.assumptions.series import TimeSeries
from actuarial.validation import Row, row

BASE = 2025


def _assumptions(d0, r, g, pb, horizon, options=(), threshold=None, target=None, stochastic=None):
    from fiscal_space.assumptions import Baseline, DebtRules, FiscalAssumptions, FiscalCase

    c = TimeSeries.constant
    baseline = Baseline(gdp=1.0e12, real_gdp_growth=c(g), inflation=c(0.0), revenue_gdp=c(pb),
                        primary_expenditure_gdp=c(0.0), debt_gdp=d0, interest_rate=c(r),
                        foreign_currency_share=c(0.0), exchange_rate=None, stock_flow_adjustment_gdp=c(0.0))
    debt = DebtRules(threshold, threshold is not None and threshold < d0, d0 if target is None else target,
                     BASE + horizon, (0.0, 0.01))
    return FiscalAssumptions(FiscalCase("validation", "validation", BASE, horizon, "NCU"), baseline, {}, None,
                             debt, tuple(options), stochastic, "<validation case>", "validation")


def _option(name, kind, capacity, cost=1.0):
    from fiscal_space.options import Option

    return Option(name, kind, cost, None, 0.0, "given", {"capacity_gdp": TimeSeries.constant(capacity)},
                  custom=True)


def _costs(gap, years) -> xr.Dataset:
    gap = np.broadcast_to(np.asarray(gap, float), (len(years),))
    return xr.Dataset({"cost_gdp": (("year", "item"), gap[:, None])}, coords={"year": years, "item": ["package"]})


def _closed(d0, r, g, pb, t):
    q = (1 + r) / (1 + g)
    return d0 * q ** t - pb * (q ** t - 1) / (q - 1)


def fiscal_debt_dynamics(name: str, r: Reader, folder: Path) -> list[Row]:
    from fiscal_space import run_fiscal_space

    d0, rate, g, pb = (r.number(k) for k in ("d0", "r", "g", "pb"))
    horizon = r.number("horizon", lo=1, hi=300, integer=True)
    target = r.number("target", lo=0.0)
    gap = r.number("gap", lo=0.0)
    tol = r.number("rtol", lo=0.0)
    years = np.arange(BASE, BASE + horizon + 1)
    t = years - BASE
    fa = _assumptions(d0, rate, g, pb, horizon, [_option("borrowing", "debt", 1.0)], target=target)
    ds = run_fiscal_space(fa, _costs(gap, years))
    q = (1 + rate) / (1 + g)
    a = (q ** horizon - 1) / (q - 1)
    d = _closed(d0, rate, g, pb, t)
    d_with = _closed(d0, rate, g, pb - gap, t)
    return [
        row(name, "debt d(t) = d0 q^t - pb (q^t - 1)/(q - 1)", d,
            ds["debt_gdp"].sel(reform="without").values, tol),
        row(name, "debt-stabilising primary balance d (r - g)/(1 + g)", d * (rate - g) / (1 + g),
            ds["debt_stabilising_primary_balance"].sel(reform="without").values, tol),
        row(name, f"fiscal gap to debt {target} in {horizon} years", (d0 * q ** horizon - pb * a - target) / a,
            float(ds["fiscal_gap"].sel(reform="without")), tol),
        row(name, "debt with r - g up 1 point", _closed(d0, rate + 0.01, g, pb, t),
            ds["debt_gdp_r_g_sensitivity"].sel(reform="without", r_g_shift=0.01).values, tol),
        row(name, f"debt with a gap of {gap} financed by borrowing: closed form with pb - gap", d_with,
            ds["debt_gdp"].sel(reform="with").values, tol),
    ]


def fiscal_full_cost(name: str, r: Reader, folder: Path) -> list[Row]:
    from fiscal_space import run_fiscal_space

    d0, rate, g, pb = (r.number(k) for k in ("d0", "r", "g", "pb"))
    horizon = r.number("horizon", lo=1, hi=300, integer=True)
    gap, capacity, threshold = r.number("gap", lo=0.0), r.number("capacity", lo=0.0), r.number("threshold")
    tol = r.number("rtol", lo=0.0)
    years = np.arange(BASE, BASE + horizon + 1)
    t = years - BASE
    fa = _assumptions(d0, rate, g, pb, horizon, [_option("tax", "balance", capacity)], threshold=threshold)
    ds = run_fiscal_space(fa, _costs(gap, years))
    full = _closed(d0, rate, g, pb - gap + capacity, t)
    return [
        row(name, f"debt, full cost: gap {gap} with {capacity} financed, the rest borrowed (closed form)", full,
            ds["debt_gdp"].sel(reform="with").values, tol),
        row(name, "debt, scaled back to what the plan finances = without the reform (closed form)",
            _closed(d0, rate, g, pb, t), ds["debt_gdp"].sel(reform="scaled_back").values, tol),
        row(name, "shortfall = gap - capacity (abs)", np.full(t.size, gap - capacity), ds["shortfall_gdp"].values,
            1e-12, relative=False),
        row(name, f"years above the threshold {threshold}, full cost (count)", float((full > threshold).sum()),
            float(ds["debt_above_threshold"].sel(reform="with").sum()), 0.0, relative=False),
    ]


def fiscal_plan(name: str, r: Reader, folder: Path) -> list[Row]:
    from fiscal_space import financing_plan

    gap = np.array(r.number_list("gap", r.raw("gap"), lo=0.0))
    capacity = r.number("capacity", lo=0.0)
    costs = r.number_list("costs", r.raw("costs"), lo=0.0)
    atol = r.number("atol", lo=0.0)
    n = len(costs)
    ample = np.full((gap.size, n), gap.max() + capacity)
    ample[:, 1] = 0.0  # the second option has no capacity
    plan = financing_plan(gap, ample, costs)
    short = np.full((gap.size, n), capacity)
    tight = financing_plan(gap, short, costs)
    return [
        row(name, "ample capacity: financing - gap (abs)", gap, plan.financing.sum(axis=1), atol, relative=False),
        row(name, "ample capacity: shortfall (abs)", np.zeros(gap.size), plan.shortfall, atol, relative=False),
        row(name, "zero-capacity option: financing (abs)", np.zeros(gap.size), plan.financing[:, 1], atol,
            relative=False),
        row(name, f"capacity {n} x {capacity}: shortfall = gap - capacity (abs)",
            np.maximum(gap - n * capacity, 0.0), tight.shortfall, atol, relative=False),
    ]


def _normal_cdf(x):
    return 0.5 * (1 + np.vectorize(erf)(np.asarray(x) / sqrt(2)))


def fiscal_stochastic(name: str, r: Reader, folder: Path) -> list[Row]:
    from fiscal_space import run_fiscal_space
    from fiscal_space.assumptions import Stochastic

    d0, rate, g, pb = (r.number(k) for k in ("d0", "r", "g", "pb"))
    horizon = r.number("horizon", lo=1, hi=300, integer=True)
    sd = r.number("sd", lo=0.0)
    paths = r.number("paths", lo=100, integer=True)
    threshold = r.number("threshold", lo=0.0)
    tol_mean, tol_sd, tol_p = r.number("atol_median"), r.number("rtol_sd"), r.number("atol_probability")
    years = np.arange(BASE, BASE + horizon + 1)
    t = years - BASE
    cov = np.zeros((4, 4))
    cov[2, 2] = sd ** 2
    fa = _assumptions(d0, rate, g, pb, horizon, threshold=None,
                      stochastic=Stochastic(paths, 20250101, horizon + 1, threshold, cov, None))
    ds = run_fiscal_space(fa, _costs(0.0, years))
    q = (1 + rate) / (1 + g)
    mean = _closed(d0, rate, g, pb, t)
    sdev = sd * np.sqrt((q ** (2 * t) - 1) / (q ** 2 - 1))
    pct = ds["debt_gdp_percentile"]
    z75 = 0.6744897501960817  # standard normal 75th percentile
    spread = (pct.sel(percentile=75) - pct.sel(percentile=25)).values / (2 * z75)
    prob = 1 - _normal_cdf((threshold - mean[1:]) / sdev[1:])
    return [
        row(name, "median debt vs the deterministic path (abs)", mean, pct.sel(percentile=50).values, tol_mean,
            relative=False),
        row(name, "interquartile range / 1.349 vs sd of debt", sdev[1:], spread[1:], tol_sd),
        row(name, f"P(debt > {threshold}) vs the normal cdf (abs)", prob,
            ds["debt_above_threshold_probability"].values[1:], tol_p, relative=False),
    ]


KINDS = {"fiscal_debt_dynamics": fiscal_debt_dynamics, "fiscal_full_cost": fiscal_full_cost, "fiscal_plan": fiscal_plan,
         "fiscal_stochastic": fiscal_stochastic}
