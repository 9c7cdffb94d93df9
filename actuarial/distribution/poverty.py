"""Weighted poverty and inequality indices (plain numpy: the weights are
survey weights x persons, the units households; a choice made so that every
group is one weight vector on the same households, sorted once).

  FGT_a (Foster, Greer and Thorbecke 1984, Econometrica 52(3)):
      P_a = sum_i w_i (1 - y_i/z)^a [y_i < z] / sum_i w_i;  a = 0 headcount,
      1 poverty gap, 2 severity (squared gap). Welfare within a relative
      1e-12 of the line (rounding) counts as at the line, not poor.
  Lorenz curve: L(p) of the units sorted by y, cumulative weight share p and
      cumulative welfare share L, linear between units.
  Gini = 1 - sum_i (p_i - p_{i-1}) (L_i + L_{i-1}) (twice the area between
      the diagonal and the piecewise-linear Lorenz curve; with equal weights
      the mean absolute difference over all ordered pairs / (2 mean)).
  Theil T = sum_i w_i (y_i/mu) ln(y_i/mu) / sum_i w_i (0 ln 0 = 0)
      (Theil 1967; Cowell, Measuring Inequality, 2011).
  Palma = share of the richest 10% / share of the poorest 40% =
      (1 - L(0.9)) / L(0.4) (Palma 2011; Cobham and Sumner 2013).
"""

from __future__ import annotations

import numpy as np

AT_LINE_RTOL = 1e-12
LORENZ_POINTS = np.linspace(0.0, 1.0, 21)


def fgt(y: np.ndarray, weights: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """FGT 0, 1, 2 of each group (rows of ``weights``, G x H) and line: (3, G, L)."""
    z = np.asarray(lines, float)[:, None]  # (L, 1)
    poor = y[None, :] < z * (1.0 - AT_LINE_RTOL)
    gap = np.where(poor, 1.0 - y[None, :] / z, 0.0)  # (L, H)
    total = weights.sum(1)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.stack([weights @ poor.T.astype(float), weights @ gap.T, weights @ (gap * gap).T]) / total


def inequality(y: np.ndarray, weights: np.ndarray) -> dict:
    """Gini, Theil T, Palma and the Lorenz curve (at ``LORENZ_POINTS``) of each
    group (rows of ``weights``): arrays (G,) and (G, points). Theil as
    sum w y ln y / sum w y - ln mu (the same sum, one logarithm a unit)."""
    order = np.argsort(y, kind="stable")
    ys = y[order]
    w = weights[:, order]
    cw = np.cumsum(w, axis=1)
    wy = w * ys
    cy = np.cumsum(wy, axis=1)
    total_w, total_y = cw[:, -1], cy[:, -1]
    with np.errstate(divide="ignore", invalid="ignore"):
        p = cw / total_w[:, None]
        lor = cy / total_y[:, None]
        dp = np.diff(p, axis=1, prepend=0.0)
        gini = 1.0 - (dp * lor).sum(1) - (dp[:, 1:] * lor[:, :-1]).sum(1)
        mu = total_y / total_w
        ylny = np.where(ys > 0, ys * np.log(np.where(ys > 0, ys, 1.0)), 0.0)
        theil = (w @ ylny) / total_y - np.log(mu)
        curve = np.stack([np.interp(LORENZ_POINTS, np.r_[0.0, p[g]], np.r_[0.0, lor[g]]) for g in range(w.shape[0])])
        palma = (1.0 - curve[:, 18]) / curve[:, 8]  # L(0.9), L(0.4)
    return {"gini": gini, "theil": theil, "palma": palma, "lorenz": curve, "mean": mu}


def deciles(y: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Decile (0..9) of each unit by y: the weighted share of persons below the
    unit's midpoint (households are not split across deciles)."""
    order = np.argsort(y, kind="stable")
    w = weights[order]
    mid = (np.cumsum(w) - 0.5 * w) / w.sum()
    out = np.empty(y.size, dtype=np.int64)
    out[order] = np.minimum((mid * 10).astype(np.int64), 9)
    return out
