"""Stochastic debt simulation: a fan chart of the debt ratio.

Each path draws yearly joint shocks to four variables (IMF 2013 DSA
guidance note, "fan charts"; Celasun, Debrun & Ostry 2006, IMF WP/06/67):

    growth            1 + n'(t) = (1 + n(t)) (1 + e_g(t))   (real growth shock; prices unchanged)
    interest_rate     r'(t) = r(t) + e_r(t)
    primary_balance   pb'(t) = pb(t) + e_pb(t)
    exchange_rate     e'(t) = e(t) + e_x(t)                  (depreciation rate)

and runs d(t+1) = d(t) (1 + r')(1 + alpha e') / (1 + n') - pb' + sfa from
today's debt (:mod:`fiscal_space.debt`). Shocks are independent across years
and jointly distributed within a year: multivariate normal N(0, Sigma)
(drawn as z @ L.T with Sigma = L L^T from an eigen-decomposition, so a
singular Sigma works), or bootstrapped: whole years of demeaned history
drawn with replacement, which keeps their co-movement.

Path k draws from its own stream, ``SeedSequence(seed, spawn_key=(k,))``
(the k-th child of ``SeedSequence(seed).spawn``), so a path does not depend
on how many paths are run or how they are split into chunks.
"""

from __future__ import annotations

import numpy as np

PERCENTILES = (5, 10, 25, 50, 75, 90, 95)


def shock_factor(covariance) -> np.ndarray:
    """L with L L^T = covariance (covariance symmetric positive semi-definite)."""
    w, v = np.linalg.eigh(np.asarray(covariance, float))
    return v * np.sqrt(np.clip(w, 0.0, None))


def draw_shocks(n_years: int, seed: int, paths: int, first_path: int = 0, *,
                covariance=None, history=None) -> np.ndarray:
    """Shocks (path, year, 4) for paths first_path .. first_path + paths - 1."""
    out = np.empty((paths, n_years, 4))
    gen = np.random.Generator
    bits = np.random.PCG64
    seq = np.random.SeedSequence
    if covariance is not None:
        for i in range(paths):
            gen(bits(seq(seed, spawn_key=(first_path + i,)))).standard_normal((n_years, 4), out=out[i])
        return out @ shock_factor(covariance).T
    history = np.asarray(history, float)
    n = history.shape[0]
    idx = np.empty((paths, n_years), dtype=np.int64)
    for i in range(paths):
        idx[i] = gen(bits(seq(seed, spawn_key=(first_path + i,)))).integers(0, n, n_years)
    return history[idx]


def simulate_debt(d0: float, interest_rate, nominal_growth, primary_balance, seed: int, paths: int,
                  first_path: int = 0, *, foreign_currency_share=0.0, depreciation=0.0, sfa=0.0,
                  covariance=None, history=None) -> np.ndarray:
    """Debt ratio paths (path, year); year 0 is today's debt ``d0``.

    The inputs are the central paths (year,) over the simulated years.
    """
    r = np.asarray(interest_rate, float)
    n_years = r.size
    e = draw_shocks(n_years, seed, paths, first_path, covariance=covariance, history=history)
    n = (1 + np.asarray(nominal_growth, float)) * (1 + e[..., 0]) - 1
    rr = r + e[..., 1]
    pb = np.asarray(primary_balance, float) + e[..., 2]
    dep = np.asarray(depreciation, float) + e[..., 3]
    factor = (1 + rr) * (1 + np.asarray(foreign_currency_share, float) * dep) / (1 + n)
    sfa = np.broadcast_to(np.asarray(sfa, float), (n_years,))
    out = np.empty((paths, n_years))
    out[:, 0] = d0
    for t in range(n_years - 1):
        out[:, t + 1] = out[:, t] * factor[:, t] - pb[:, t] + sfa[t]
    return out


def fan(paths: np.ndarray, threshold: float, percentiles=PERCENTILES) -> tuple[np.ndarray, np.ndarray]:
    """Percentiles (percentile, year) of the debt ratio and P(debt > threshold) by year."""
    return np.percentile(paths, percentiles, axis=0), (paths > threshold).mean(axis=0)


def scenario_threshold_probability(ds, debt_with_reform) -> dict:
    """P(debt / GDP with the reform > threshold) by year from the debt paths of
    a stochastic valuation's scenarios (``debt_with_reform``: DataArray on
    ``scenario``, ``year``), which carry each scenario's own costs, growth
    and interest: it replaces the probability from the fiscal stage's own
    paths (kept as ``debt_above_threshold_probability_fiscal_paths``).
    Returns the variables to assign to the fiscal-space node ``ds``;
    empty when the node has no threshold."""
    old = ds.get("debt_above_threshold_probability")
    threshold = old.attrs["threshold_gdp"] if old is not None else ds.attrs.get("debt_threshold_gdp")
    if threshold is None:
        return {}
    n = debt_with_reform.sizes["scenario"]
    prob = (debt_with_reform > threshold).mean("scenario").reindex(year=ds["year"])
    out = {"debt_above_threshold_probability": prob.assign_attrs(
        units="1", long_name=f"probability that debt / GDP with the reform (full cost) exceeds the threshold, "
                             f"over the {n} valuation scenarios", threshold_gdp=threshold,
        based_on="valuation_scenarios", scenarios=n)}
    if old is not None:
        out["debt_above_threshold_probability_fiscal_paths"] = old
    return out
