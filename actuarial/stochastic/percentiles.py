"""Percentiles across scenarios: numpy's definition (linear interpolation
between order statistics, ``numpy.percentile``'s default), one integer
``percentile`` coordinate for every node."""

from __future__ import annotations

import warnings

import numpy as np


def levels(percentiles) -> np.ndarray:
    """The ``percentile`` coordinate: integers when the levels are whole numbers."""
    values = np.asarray(percentiles, dtype=float)
    return values.astype(np.int64) if np.all(values == np.round(values)) else values


def percentile_along(values: np.ndarray, percentiles, axis: int = 0) -> np.ndarray:
    """``numpy.percentile`` (linear interpolation) over ``axis``, the levels
    in that axis's place; NaN where a scenario has no value."""
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        q = np.percentile(values, np.asarray(percentiles, dtype=float), axis=axis)
    return np.moveaxis(q, 0, axis)
