"""Validation kind for the stochastic generators' calibration.

lee_carter_volatility  the volatility of Lee-Carter's k_t (Lee & Carter 1992,
                       JASA 87: ln m(x,t) = a_x + b_x k_t, k a random walk with
                       drift, sigma = sd of its first differences) on the
                       engine's scale (b_x summing to 1 over the 101 single
                       ages), estimated here by power iteration on the centred
                       ln m_x of a UN table, against the engine's fit and
                       against the figure an assumption file states
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from actuarial.assumptions import load_assumptions
from actuarial.assumptions.reader import Reader
from actuarial.datafiles import read_csv
from actuarial.validation import Row, row


def _sigma_by_power_iteration(log_m: np.ndarray, iterations: int = 2000) -> float:
    """sigma of the first differences of k, with b (sum 1) and k the leading
    singular pair of Z = ln m - a, found by power iteration (b <- Z'Z b), not
    by an SVD routine."""
    z = log_m - log_m.mean(axis=0)
    b = np.ones(z.shape[1])
    for _ in range(iterations):
        b = z.T @ (z @ b)
        b = b / math.sqrt(float(b @ b))
    b = b / b.sum()  # the engine's scale: sum of b_x = 1
    k = (z @ b) / float(b @ b)  # least squares k_t given b
    steps = np.diff(k)
    return math.sqrt(float(((steps - steps.mean()) ** 2).sum()) / (steps.size - 1))


def lee_carter_volatility(name: str, r: Reader, folder: Path) -> list[Row]:
    from actuarial.stochastic.lee_carter import fit_lee_carter

    table = read_csv(folder / r.string("table"))
    a = load_assumptions(folder / r.string("assumptions"))
    tol = r.number("rtol", lo=0.0)
    rows, sigmas = [], []
    for sex in ("female", "male"):
        one = table[table["sex"] == sex].pivot(index="time_start", columns="age_start", values="value")
        log_m = np.log(one.sort_index().sort_index(axis=1).values)
        sigma = _sigma_by_power_iteration(log_m)
        sigmas.append(sigma)
        rows.append(row(name, f"sigma of k, {sex}, {one.index[0]}-{one.index[-1]} (power iteration vs the "
                              f"engine's fit)", sigma, fit_lee_carter(log_m).volatility, tol))
    mean = sum(sigmas) / 2
    mortality = a.stochastic.mortality
    rows.append(row(name, f"stated volatility = mean of the sexes {mean:.4f} rounded to 0.01 (abs)",
                    round(mean, 2), mortality.volatility, 1e-12, relative=False))
    rows.append(row(name, "the stated b_x sum to 1 over the 101 ages (the scale of sigma; abs)",
                    np.ones(len(mortality.b)), np.array([float(np.sum(b)) for b in mortality.b]), 1e-9,
                    relative=False))
    return rows


KINDS = {"lee_carter_volatility": lee_carter_volatility}
