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
drawn with replacement, which keeps their co-movement, or from a VAR(1)
estimated by OLS on the history (Commission, Debt Sustainability Monitor
2023, annex on the stochastic debt projections; Berti 2013, European
Economy Economic Paper 480; the Bruegel EU-DSA code's ``var`` option):

    x(t) = c + A x(t-1) + u(t),  u ~ N(0, Sigma_u)   (OLS, equation by equation)

the shocks being the VAR's deviations from the central path, starting from
none: e(0) = u(0), e(t) = A e(t-1) + u(t), u(t) = L_u z(t) (so they persist
as the history did).

Probabilistic criteria (:func:`probabilities`): the Commission's
probability that the debt ratio is lower after five years than at the
start, P(d(5) < d(0)) (DSM 2023: debt "plausibly declining", the 2024
economic governance framework's 70% test), and the probability that it
stays below a threshold in every simulated year, P(max_t d(t) < a).
The fan's percentiles (:func:`percentiles_by_year`) are bit for bit
``np.percentile``'s. Speed (issue 20: 100,000 paths and the criteria under
0.5 s; asv ``FanProbabilities``): over ``stochastic.years`` = 30 the block
streams' normal draws are about 60% of the time, which bit-identical draws
cannot cut; over a 101-year projection the draws alone exceed 0.5 s.

Random streams: the paths are cut into fixed blocks of ``BLOCK`` paths
(paths ``b*BLOCK .. (b+1)*BLOCK - 1`` form block b, whatever chunks a caller
asks for); block b draws from its own stream ``SeedSequence(seed,
spawn_key=(b,))`` (the b-th child of ``SeedSequence(seed).spawn``), year by
year: year t's draws for the block's paths follow year t-1's. So path k's
shock in year t depends only on (seed, k, t): not on how many paths are run,
how they are split into chunks, or the horizon. (Until issue 17 each path
had its own stream, spawn_key=(k,); one SeedSequence and Generator per path
was 75% of the time of 100,000 paths. The draws differ from that method's
but have the same distribution; tests/test_fiscal_space.py compares their
statistics.)

A block's draws depend only on (seed, block, years) (and the history's
length for the bootstrap), not on the central paths nor the covariance: they
are kept in a small in-process cache (``_block_draws``, at most
``CACHE_BLOCKS`` blocks of up to ``CACHE_BYTES`` each, read-only arrays), so
that the deterministic runs of one process (a batch, a grid, base and
reform, a warm re-run) draw a seed's 1,000 x 101 normals once (issue 17:
they were about 40% of the fiscal stage). The same bits either way.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

PERCENTILES = (5, 10, 25, 50, 75, 90, 95)


def shock_factor(covariance) -> np.ndarray:
    """L with L L^T = covariance (covariance symmetric positive semi-definite)."""
    w, v = np.linalg.eigh(np.asarray(covariance, float))
    return v * np.sqrt(np.clip(w, 0.0, None))


BLOCK = 1024  # paths per random stream (fixed: changing it changes every draw)
CACHE_BLOCKS = 8  # blocks of draws kept in the cache (LRU)
CACHE_BYTES = 4 << 20  # a block's draws larger than this (here: over 128 years) are not cached


def _draw_block(seed: int, block: int, n_years: int, n_history: int | None) -> np.ndarray:
    """Block ``block``'s draws from its own stream ``SeedSequence(seed, spawn_key=(block,))``:
    standard normals (year, 4, BLOCK), or bootstrap indices (year, BLOCK) into
    ``n_history`` years of history."""
    g = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block,))))
    if n_history is None:
        return g.standard_normal((n_years, 4, BLOCK))
    return g.integers(0, n_history, (n_years, BLOCK))


@functools.lru_cache(maxsize=CACHE_BLOCKS)
def _cached_block(seed: int, block: int, n_years: int, n_history: int | None) -> np.ndarray:
    draws = _draw_block(seed, block, n_years, n_history)
    draws.setflags(write=False)  # shared by every caller
    return draws


def _block_draws(seed, block: int, n_years: int, n_history: int | None = None) -> np.ndarray:
    """``_draw_block``, from the cache when the block is small enough (read-only then)."""
    size = n_years * BLOCK * (8 if n_history is not None else 32)
    if size > CACHE_BYTES:
        return _draw_block(seed, block, n_years, n_history)
    return _cached_block(int(seed), block, n_years, None if n_history is None else int(n_history))


@dataclass(frozen=True)
class VarModel:
    """A VAR(1) x(t) = intercept + coefficients x(t-1) + u(t), cov(u) = covariance."""
    intercept: np.ndarray  # (4,)
    coefficients: np.ndarray  # (4, 4): row = equation
    covariance: np.ndarray  # (4, 4)
    observations: int


def estimate_var(history) -> VarModel:
    """OLS of each variable on a constant and every variable's last value:
    B = (Z'Z)^+ Z'Y with Z = [1, x(t-1)], Y = x(t) (least squares; a column
    of zeros, a variable the history does not give, gets zero coefficients);
    Sigma_u = U'U / (T - 1 - 5), T the years of history (Hamilton 1994,
    Time Series Analysis, ch. 11)."""
    x = np.asarray(history, float)
    z = np.column_stack([np.ones(len(x) - 1), x[:-1]])
    beta = np.linalg.lstsq(z, x[1:], rcond=None)[0]  # (5, 4)
    resid = x[1:] - z @ beta
    dof = max(len(x) - 1 - z.shape[1], 1)
    return VarModel(beta[0], beta[1:].T, resid.T @ resid / dof, len(x))


def _var_path(u: np.ndarray, a: np.ndarray) -> np.ndarray:
    """e(0) = u(0), e(t) = A e(t-1) + u(t) for u (year, 4, paths), in place."""
    for t in range(1, u.shape[0]):
        u[t] += a @ u[t - 1]
    return u


def _shock_blocks(n_years: int, seed: int, paths: int, first_path: int, covariance, history, var=None):
    """Yield (rows of the output, shocks (year, 4, rows)) block by block.

    Block b draws its whole block from its own stream, year by year: standard
    normals (year, 4, BLOCK) turned into shocks L z (same shapes whatever the
    chunking, so the same bits; with a VAR, L = L_u of its residuals and the
    shocks then follow the VAR, path by path), or bootstrap indices (year,
    BLOCK) into the history; the requested paths are then sliced out.
    """
    if var is not None:
        covariance = var.covariance
    if covariance is not None:
        L = shock_factor(covariance)
    else:
        history = np.asarray(history, float)
    stop = first_path + paths
    for b in range(first_path // BLOCK, -(-stop // BLOCK)):
        lo, hi = max(first_path, b * BLOCK), min(stop, (b + 1) * BLOCK)
        cols = slice(lo - b * BLOCK, hi - b * BLOCK)
        if covariance is not None:
            block = L @ _block_draws(seed, b, n_years)
            if var is not None:  # on the whole block: the same shapes whatever the chunking
                block = _var_path(block, var.coefficients)
            block = block[..., cols]
        else:
            idx = _block_draws(seed, b, n_years, history.shape[0])[:, cols]
            block = np.moveaxis(history[idx], -1, 1)
        yield slice(lo - first_path, hi - first_path), block


def draw_shocks(n_years: int, seed: int, paths: int, first_path: int = 0, *,
                covariance=None, history=None, var=None) -> np.ndarray:
    """Shocks (path, year, 4) for paths first_path .. first_path + paths - 1
    (streams: see the module docstring)."""
    out = np.empty((paths, n_years, 4))
    for rows, block in _shock_blocks(n_years, seed, paths, first_path, covariance, history, var):
        out[rows] = block.transpose(2, 0, 1)
    return out


def simulate_debt(d0: float, interest_rate, nominal_growth, primary_balance, seed: int, paths: int,
                  first_path: int = 0, *, foreign_currency_share=0.0, depreciation=0.0, sfa=0.0,
                  covariance=None, history=None, var=None) -> np.ndarray:
    """Debt ratio paths (path, year); year 0 is today's debt ``d0``.

    The inputs are the central paths (year,) over the simulated years. Worked
    block by block (cache-sized temporaries); the result is a (path, year) view
    of a year-major array.
    """
    r = np.asarray(interest_rate, float)
    n_years = r.size

    def col(x):
        return np.broadcast_to(np.asarray(x, float), (n_years,))[:, None]

    g1, r_, pb_, dep_, alpha = (col(x) for x in (nominal_growth, r, primary_balance, depreciation,
                                                 foreign_currency_share))
    sfa = np.broadcast_to(np.asarray(sfa, float), (n_years,))
    out = np.empty((n_years, paths))
    out[0] = d0
    for rows, e in _shock_blocks(n_years, seed, paths, first_path, covariance, history, var):
        factor, pb = _block_terms(e, g1, r_, pb_, dep_, alpha)
        d = out[:, rows]
        for t in range(n_years - 1):
            np.multiply(d[t], factor[t], out=d[t + 1])
            d[t + 1] -= pb[t]
            d[t + 1] += sfa[t]
    return out.T


def _block_terms(e, g1, r_, pb_, dep_, alpha):
    """A block's debt factor (1 + r + e_r)(1 + alpha (dep + e_x)) / (1 + n), 1 + n = (1 + g)(1 + e_g),
    and primary balance pb + e_pb (year, paths), with in-place operations in the order of
    d(t+1) = d(t) (1 + r')(1 + alpha e') / (1 + n') - pb' + sfa (the same bits, fewer temporaries)."""
    growth = e[:, 0] + 1
    growth *= 1 + g1
    growth -= 1  # n'
    growth += 1
    factor = e[:, 1] + r_
    factor += 1
    fx = e[:, 3] + dep_
    fx *= alpha
    fx += 1
    factor *= fx
    factor /= growth
    return factor, e[:, 2] + pb_


def fan(paths: np.ndarray, threshold: float, percentiles=PERCENTILES) -> tuple[np.ndarray, np.ndarray]:
    """Percentiles (percentile, year) of the debt ratio (:func:`percentiles_by_year`) and
    P(debt > threshold) by year, over the paths (path, year)."""
    paths = np.asarray(paths, float)
    return percentiles_by_year(paths.T, percentiles), (paths > threshold).mean(axis=0)


def percentiles_by_year(x: np.ndarray, percentiles=PERCENTILES) -> np.ndarray:
    """Percentiles (percentile, year) of ``x`` (year, path), bit for bit
    ``np.percentile(x, percentiles, axis=1)`` (its default "linear" method).

    The p-th percentile of n sorted values x_(0) <= ... <= x_(n-1): with
    h = (n - 1) (p / 100), j = floor(h), g = h - j, it is
    x_(j) + g (x_(j+1) - x_(j)) for g < 1/2 and x_(j+1) - (1 - g)(x_(j+1) - x_(j))
    for g >= 1/2 (Hyndman & Fan 1996, definition 7, in numpy's two-sided
    form; h >= n - 1 gives x_(n-1)). The order statistics come from sorting
    each year's paths (a cache-sized copy of ``SORT_CELLS`` cells at most, a
    few years at a time; 100,000 paths: one year, about 4 times faster than
    ``np.partition`` at the 2 x 7 ranks, which ``np.percentile`` does), the
    interpolation elementwise over those years. A year with a NaN path gives
    NaN (NaN sorts last).
    """
    x = np.asarray(x, float)
    n = x.shape[1]
    h = (n - 1) * np.true_divide(np.asarray(percentiles, float), 100)
    below = np.floor(h)
    above = below + 1
    top = h >= n - 1
    below[top] = above[top] = n - 1
    gamma = h - below
    lo, hi = below.astype(np.intp), above.astype(np.intp)
    out = np.empty((len(h), x.shape[0]))
    step = max(1, SORT_CELLS // max(n, 1))
    for t in range(0, x.shape[0], step):
        years = np.sort(x[t:t + step], axis=1)  # each year's paths sorted on their own
        a, b = years[:, lo], years[:, hi]  # (years, percentile)
        diff = b - a
        value = a + diff * gamma
        value = np.where(gamma >= 0.5, b - diff * (1 - gamma), value)
        value[np.isnan(years[:, -1])] = np.nan
        out[:, t:t + step] = value.T
    return out


SORT_CELLS = 1 << 16  # paths x years sorted at once by percentiles_by_year (512 KiB)


def probabilities(paths: np.ndarray, threshold: float, years: int = 5) -> tuple[float, float]:
    """(P(d(years) < d(0)), P(d(t) < threshold in every year t)) over the
    paths (path, year) (module docstring; year 0 is today's debt)."""
    paths = np.asarray(paths, float)
    declining = float((paths[:, years] < paths[:, 0]).mean()) if paths.shape[1] > years else np.nan
    return declining, float((paths.max(axis=1) < threshold).mean())


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
