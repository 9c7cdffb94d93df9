"""The Lee-Carter mortality model: fit and simulation.

ln m(x, t) = a_x + b_x k_t + e(x, t), sum_x b_x = 1, sum_t k_t = 0, fitted by
the first singular vectors of the centred log rates (Lee & Carter 1992,
"Modeling and forecasting U.S. mortality", JASA 87); k_t is a random walk
with drift: k_t = k_{t-1} + d + sigma e_t, d = (k_T - k_1)/(T - 1), sigma the
standard deviation of k_t - k_{t-1} - d.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LeeCarterFit:
    a: np.ndarray  # (ages,)
    b: np.ndarray  # (ages,), summing to 1
    k: np.ndarray  # (years,), summing to 0
    drift: float
    volatility: float


def fit_lee_carter(log_m: np.ndarray) -> LeeCarterFit:
    """Fit to a (years, ages) array of ln m_x."""
    log_m = np.asarray(log_m, dtype=float)
    if log_m.ndim != 2 or log_m.shape[0] < 3 or not np.all(np.isfinite(log_m)):
        raise ValueError("expected finite ln m_x for at least 3 years, as (years, ages)")
    a = log_m.mean(axis=0)
    u, s, vt = np.linalg.svd(log_m - a, full_matrices=False)
    b = vt[0] / vt[0].sum()
    k = s[0] * u[:, 0] * vt[0].sum()
    steps = np.diff(k)
    drift = (k[-1] - k[0]) / (k.size - 1)
    return LeeCarterFit(a, b, k, float(drift), float(np.std(steps - drift, ddof=1)))


def random_walk(rng: np.random.Generator, years: int, volatility: float, drift: float = 0.0) -> np.ndarray:
    """k_0 = 0, k_t = k_{t-1} + drift + volatility e_t (standard normal e; ``years`` draws)."""
    steps = drift + volatility * rng.standard_normal(years)
    steps[0] = 0.0
    return np.cumsum(steps)
