"""Time series given as ``{year: value}`` anchors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from actuarial.assumptions.display import series_repr


@dataclass(frozen=True)
class TimeSeries:
    """Values at anchor years; linear between anchors, flat outside them.

    A scalar in YAML is a series with one anchor (constant in time).
    """

    years: tuple[int, ...]
    values: tuple[float, ...]
    __repr__ = series_repr  # TimeSeries(60.0), TimeSeries({2025: 0.1, 2050: 0.12})

    @classmethod
    def constant(cls, value: float) -> "TimeSeries":
        return cls((0,), (float(value),))

    def at(self, years) -> np.ndarray:
        """Interpolated values at ``years`` (float64 array)."""
        return np.interp(
            np.asarray(years, dtype=float),
            np.asarray(self.years, dtype=float),
            np.asarray(self.values, dtype=float),
        )


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
