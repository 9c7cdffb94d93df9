"""Calibration of the survey weights to projected margins by raking.

The raking method of Deville and Särndal (1992, "Calibration estimators in
survey sampling", JASA 87(418); Deville, Särndal and Sautory 1993, JASA
88(423)): the household weights w_h = d_h exp(x_h . lambda), x_h the persons
of household h in each margin cell (age group x sex), lambda solving
sum_h w_h x_h = T (the margins) by Newton's method on that system (the
Jacobian X' diag(w) X), with step halving. It is the integrated-household
version of iterative proportional fitting: every member of a household keeps
the household's weight, and the margins are reproduced exactly (to the
solver's tolerance, 1e-12 relative).

The small matrix products run on one BLAS thread (threadpoolctl): on a
shared 2-core machine OpenBLAS's threads wait for each other (measured
2.2x slower at load 1.6, up to 760 ms against 4 ms under heavy load), and
one thread gives the same bits whatever the machine's BLAS thread count.
"""

from __future__ import annotations

import functools

import numpy as np

AGE_GROUPS = tuple(range(0, 85, 5))  # 0-4, ..., 75-79, 80+
RTOL = 1e-12


class CalibrationError(ValueError):
    """Margins the survey cannot reproduce (a cell without survey persons, or no convergence)."""


def margin_cells(survey, groups=AGE_GROUPS) -> tuple[list[tuple[str, int, int]], np.ndarray]:
    """The cells (sex, first age, last age) and each person's cell; an age group
    without any survey person of that sex is merged into the group below it."""
    cells, cell_of = [], np.full(survey.age.size, -1)
    for s, sex in enumerate(("female", "male")):
        mask = survey.female if s == 0 else ~survey.female
        bounds = list(groups)
        ages = survey.age[mask]
        kept = [b for i, b in enumerate(bounds) if i == 0 or
                ((ages >= b) & (ages < (bounds[i + 1] if i + 1 < len(bounds) else 101))).any()]
        for i, lo in enumerate(kept):
            hi = kept[i + 1] - 1 if i + 1 < len(kept) else 100
            cell_of[mask & (survey.age >= lo) & (survey.age <= hi)] = len(cells)
            cells.append((sex, lo, hi))
    return cells, cell_of


def cell_counts(survey, cell_of: np.ndarray, n_cells: int) -> np.ndarray:
    """Persons of each household in each cell (H, K)."""
    H = survey.size.size
    flat = np.bincount(survey.household * n_cells + cell_of, minlength=H * n_cells)
    return flat.reshape(H, n_cells).astype(float)


@functools.cache
def _blas():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def rake(d: np.ndarray, x: np.ndarray, totals: np.ndarray, max_iter: int = 100) -> np.ndarray:
    """Weights w = d exp(x lambda) with x' w = totals (module docstring), on one BLAS thread."""
    with _blas().limit(limits=1, user_api="blas"):
        return _rake(d, x, totals, max_iter)


def _rake(d: np.ndarray, x: np.ndarray, totals: np.ndarray, max_iter: int) -> np.ndarray:
    totals = np.asarray(totals, float)
    if ((x.sum(0) == 0) & (totals > 0)).any():
        k = int(np.argmax((x.sum(0) == 0) & (totals > 0)))
        raise CalibrationError(f"margin cell {k} has no survey person but a total of {totals[k]:g}")
    lam = np.zeros(x.shape[1])
    scale = np.maximum(np.abs(totals), 1.0)

    def residual(lam):
        w = d * np.exp(np.clip(x @ lam, -700, 700))
        return w, x.T @ w - totals

    w, r = residual(lam)
    for _ in range(max_iter):
        if np.max(np.abs(r) / scale) < RTOL:
            return w
        jac = x.T @ (x * w[:, None])
        step = np.linalg.lstsq(jac, -r, rcond=None)[0]
        t = 1.0
        while True:
            w_new, r_new = residual(lam + t * step)
            if np.max(np.abs(r_new) / scale) < np.max(np.abs(r) / scale) or t < 1e-6:
                break
            t *= 0.5
        lam, w, r = lam + t * step, w_new, r_new
    if np.max(np.abs(r) / scale) < 1e3 * RTOL:
        return w
    raise CalibrationError(f"raking did not converge (largest relative margin error {np.max(np.abs(r) / scale):.3g})")
