"""The engine's value types built from assumption files: ``{year: value}``
series (:class:`TimeSeries`), values by sex (:class:`BySex`), items given at
anchor years (:class:`Anchored`) and read-only arrays (:func:`frozen`).

They live in the schema toolkit (which imports nothing else from the engine)
so that both ``actuarial`` and ``fiscal_space`` declare fields of these types;
``actuarial.assumptions.series`` and ``.schedules`` re-export them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from actuarial.schema.display import series_repr

SEXES = ("female", "male")
N_AGES = 101  # single ages 0..99 and the open group 100+


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


class BySex(NamedTuple):
    female: object
    male: object


def frozen(array) -> np.ndarray:
    out = np.array(array, dtype=float)
    out.flags.writeable = False
    return out


@dataclass(frozen=True)
class Anchored:
    """Age schedules (or tables) given at anchor years, interpolated between."""

    years: tuple[int, ...]
    values: tuple
