"""Mortality for the projection years: m_x(year, sex, age).

Three ways, chosen in the assumptions:
(a) life tables given at anchor years; ln m_x interpolated linearly between
    anchors, held flat outside them;
(b) a standard table moved to a target e_0 path with the Brass (1971)
    relational logit model, Y_x = alpha + beta Y^s_x,
    Y_x = 1/2 ln((1 - l_x) / l_x), alpha solved so that e_0 hits the target;
(c) a base table improved at age-specific annual rates,
    m_x(t) = m_x(base) (1 - r_x)^(t - base year).
"""

from __future__ import annotations

import numpy as np

from actuarial.assumptions.model import (
    BrassMortality, ImprovementMortality, LifeTableMortality, MortalityTable)
from actuarial.assumptions.series import interpolation_weights
from actuarial.demography import _kernels
from actuarial.demography.lifetable import open_group_rule, qx_to_mx

FEMALE = np.array([True, False])


def table_mx(table: MortalityTable, female: bool) -> np.ndarray:
    """m_x of one assumption table (given as m_x, q_x or a law)."""
    if table.quantity == "mx":
        return np.array(table.values)
    return qx_to_mx(table.values, female)


def mortality_rates(mortality, years, open_group: str = "gompertz") -> np.ndarray:
    """m_x as an array (year, sex, age) for ``years`` from an assumption;
    ``open_group`` is the life tables' rule past 100 (Brass e_0 targets)."""
    years = np.asarray(years)
    if isinstance(mortality, LifeTableMortality):
        anchors = mortality.tables
        raw = np.array([[table_mx(t, f) for t, f in zip(tabs, FEMALE)] for tabs in anchors.values])
        lo, hi, w = interpolation_weights(anchors.years, years)
        w = w[:, None, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            out = raw[lo] ** (1 - w) * raw[hi] ** w  # linear in ln m_x
        zero = (raw[lo] == 0) | (raw[hi] == 0)  # ln 0: fall back to linear in m_x
        out[zero] = ((1 - w) * raw[lo] + w * raw[hi])[zero]
        return out
    if isinstance(mortality, BrassMortality):
        standard = np.array([table_mx(t, f) for t, f in zip(mortality.standard, FEMALE)])
        e0 = np.stack([s.at(years) for s in mortality.e0], axis=-1)
        return brass_mx(standard, e0, mortality.beta, open_group)
    if isinstance(mortality, ImprovementMortality):
        base = np.array([table_mx(t, f) for t, f in zip(mortality.base, FEMALE)])
        rates = np.array(mortality.rates)
        t = (years - mortality.base_year)[:, None, None]
        return base[None] * (1.0 - rates[None]) ** t
    raise TypeError(f"unknown mortality assumption {type(mortality).__name__}")


def brass_mx(standard_mx: np.ndarray, e0: np.ndarray, beta: float = 1.0,
             open_group: str = "gompertz") -> np.ndarray:
    """m_x (..., sex, age) whose life tables have e_0 equal to ``e0`` (..., sex).

    ``standard_mx`` is (sex, age) with sex order female, male. The open group
    keeps the standard's ratio m_100 / m_99; e_0 is that of ``life_table``
    with the same ``open_group`` rule. The second-last axis of ``e0``
    (years, when there are several) is solved in sequence, each table
    starting from the previous solution; everything else in parallel.
    """
    standard_mx = np.ascontiguousarray(standard_mx, dtype=float)
    e0 = np.asarray(e0, dtype=float)
    if np.any(~np.isfinite(e0)) or np.any(e0 <= 0) or np.any(e0 > 110):
        raise ValueError("e0 targets must lie in (0, 110] years")
    ls, Ls, Ts = (np.empty_like(standard_mx) for _ in range(3))
    _kernels.run_life_table_columns(standard_mx, FEMALE, ls, Ls, Ts)
    with np.errstate(divide="ignore"):
        wb = np.where(ls > 0, ((1.0 - ls) / ls) ** beta, np.inf)
    wb[:, 0] = 0.0
    ratio = np.ascontiguousarray(standard_mx[:, -1] / standard_mx[:, -2])
    paths = e0[None, :] if e0.ndim == 1 else e0  # (..., Y, sex)
    lead = paths.shape[:-2]
    by_group = np.moveaxis(paths, -1, -2).reshape(-1, paths.shape[-2])  # (lead x sex, Y)
    female = np.ascontiguousarray(np.tile(FEMALE, int(np.prod(lead, dtype=int))))
    out = np.empty((*by_group.shape, standard_mx.shape[-1]))
    _kernels.run_brass_logit(np.ascontiguousarray(wb), ratio, female, np.ascontiguousarray(by_group), out,
                             open_group_rule(open_group))
    out = np.moveaxis(out.reshape(*lead, 2, paths.shape[-2], -1), -3, -2)  # (..., Y, sex, age)
    return np.ascontiguousarray(out.reshape(*e0.shape, standard_mx.shape[-1]))
