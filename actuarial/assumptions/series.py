"""Time series given as ``{year: value}`` anchors."""

from __future__ import annotations

import numpy as np

from actuarial.schema.values import TimeSeries  # noqa: F401 (re-exported)


def interpolation_weights(anchor_years, years) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bracketing anchor indices and weights for interpolating whole arrays.

    Returns ``(lo, hi, w)`` so that value(year) = (1 - w) * v[lo] + w * v[hi],
    flat outside the anchors (the same rule as :meth:`TimeSeries.at`).
    """
    anchors = np.asarray(anchor_years, dtype=float)
    years = np.asarray(years, dtype=float)
    if anchors.size == 1:
        zeros = np.zeros(years.size, dtype=np.int64)
        return zeros, zeros, np.zeros(years.size)
    pos = np.clip(years, anchors[0], anchors[-1])
    hi = np.clip(np.searchsorted(anchors, pos, side="right"), 1, anchors.size - 1)
    lo = hi - 1
    w = (pos - anchors[lo]) / (anchors[hi] - anchors[lo])
    return lo, hi, w


def interpolate_anchored(anchored, years) -> np.ndarray:
    """Arrays given at anchor years, linear in between, flat outside."""
    values = np.array([np.asarray(v, dtype=float) for v in anchored.values])
    lo, hi, w = interpolation_weights(anchored.years, years)
    w = w.reshape(-1, *([1] * (values.ndim - 1)))
    return (1 - w) * values[lo] + w * values[hi]
