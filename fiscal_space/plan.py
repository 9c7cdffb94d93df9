"""Financing plan: the least-cost mix of options closing the gap each year.

A linear programme solved with HiGHS (the ``highspy`` package, as
``scipy.optimize.linprog(method="highs")`` poses it: the same model, options
and solution, without linprog's input checks and per-column multipliers):

    minimise    sum_t [ sum_o c_o x_o(t) + M s(t) ]
    subject to  sum_o x_o(t) + s(t) = max(gap(t), 0)          every year t
                0 <= x_o(t) <= capacity_o(t) x ramp_o(t)      (fraction of GDP)
                sum_t x_reserves(t) Y(t)/Y(0) <= stock_gdp      (the stock runs out)
                sum_{u<=t} K[t, u] sum_{o debt} x_o(u) <= headroom(t)   every t
                s(t) >= 0

x_o(t) is what option o finances in year t, c_o its relative cost, s(t)
the shortfall, priced at M = 1000 x max(1, max c_o) so that every unit of
capacity is used before any shortfall: when the gap cannot be closed the
plan says in which years and by how much (s > 0), instead of failing.
K (:func:`fiscal_space.debt.propagation`) carries a unit of debt-financed
deficit into later debt ratios; headroom(t) = max(threshold - d0(t + 1), 0)
where d0 is debt with the reform financed without any debt option, so
borrowing and a tolerated deficit never take debt above the threshold (nor
further above it where the path without them already is).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import highspy


@dataclass(frozen=True)
class Plan:
    financing: np.ndarray  # (year, option), fraction of GDP
    shortfall: np.ndarray  # (year,), fraction of GDP
    status: int
    message: str
    cost: float  # value of the objective without the shortfall penalty


def financing_plan(gap, capacity, cost, kinds=None, *, stock=None, propagation=None,
                   headroom=None) -> Plan:
    """Solve the plan.

    ``gap`` (T,) and ``capacity`` (T, O) in fractions of GDP (capacity already
    ramped); ``cost`` (O,); ``kinds`` (O,) of "balance", "debt", "asset";
    ``stock`` a list of ``(option index, weights (T,), limit)`` rows
    sum_t weights(t) x_o(t) <= limit; ``propagation`` (T, T) and
    ``headroom`` (T,) the debt-ceiling rows for the ``debt`` options.
    """
    gap = np.asarray(gap, float)
    gap = np.where(gap > 1e-14, gap, 0.0)  # below 1e-14 of GDP counts as nothing
    capacity = np.maximum(np.asarray(capacity, float), 0.0)
    cost = np.asarray(cost, float)
    n_years, n_opts = capacity.shape
    kinds = list(kinds) if kinds is not None else ["balance"] * n_opts
    # HiGHS tolerances are absolute: solve in units of the largest gap
    scale = 1.0 / gap.max() if gap.size and gap.max() > 0 else 1.0
    penalty = 1000.0 * max(1.0, float(cost.max()) if cost.size else 1.0)
    # variables: x[o, t] at o * T + t, then s[t]
    c = np.concatenate([np.repeat(cost, n_years), np.full(n_years, penalty)])
    upper = np.concatenate([capacity.T.reshape(-1), gap])
    bounds = np.column_stack([np.zeros(c.size), upper * scale])
    a_eq = _sum_rows(n_years, n_opts)
    debt_opts = [o for o in range(n_opts) if kinds[o] == "debt"]
    ceiling = propagation is not None and headroom is not None and bool(debt_opts)
    a_ub, b_ub = _inequality_rows(n_years, c.size, stock or (), debt_opts if ceiling else [], propagation, scale)
    if ceiling:
        b_ub = np.concatenate([b_ub, np.maximum(np.asarray(headroom, float), 0.0) * scale])
    if a_ub is None:
        b_ub = None
    status, message, solution = _solve(c, a_ub, b_ub, a_eq, gap * scale, bounds[:, 0], bounds[:, 1])
    if status != 0 or solution is None:
        raise RuntimeError(f"financing plan: HiGHS failed: {message}")
    x = np.clip(solution / scale, 0.0, upper)
    financing = x[:n_opts * n_years].reshape(n_opts, n_years).T.copy()
    financing = _exact(financing, gap, capacity, cost)
    shortfall = np.maximum(gap - financing.sum(axis=1), 0.0)
    return Plan(financing, shortfall, status, message, float((financing * cost).sum()))


# HiGHS's options as scipy.optimize.linprog(method="highs") sets them, with the plan's tolerances
_OPTIONS = {"output_flag": False, "log_to_console": False, "presolve": "on", "simplex_strategy": 1,
            "highs_debug_level": 0, "primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


def _solve(c, a_ub, b_ub, a_eq, b_eq, lower, upper) -> tuple[int, str, np.ndarray | None]:
    """min c x subject to a_ub x <= b_ub, a_eq x = b_eq, lower <= x <= upper, by
    HiGHS's dual simplex after presolve: the model ``linprog(method="highs")``
    passes (rows a_ub then a_eq, column-wise, -inf left-hand sides of a_ub).
    Returns (0 and linprog's message when optimal, else 4 and HiGHS's model
    status; the solution or None)."""
    n_ub = 0 if a_ub is None else a_ub.shape[0]
    start, index, values = _columnwise([a_eq] if a_ub is None else [a_ub, a_eq], c.size)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = c.size, n_ub + a_eq.shape[0]
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = c, np.ascontiguousarray(lower), np.ascontiguousarray(upper)
    lp.row_lower_ = np.concatenate([np.full(n_ub, -np.inf), b_eq])
    lp.row_upper_ = np.concatenate([np.zeros(0) if b_ub is None else b_ub, b_eq])
    m = lp.a_matrix_
    m.format_, m.num_col_, m.num_row_ = highspy.MatrixFormat.kColwise, c.size, lp.num_row_
    m.start_, m.index_, m.value_ = start, index, values
    h = highspy.Highs()
    for key, value in _OPTIONS.items():
        h.setOptionValue(key, value)
    h.passModel(lp)
    h.run()
    model = h.getModelStatus()
    if model != highspy.HighsModelStatus.kOptimal:
        return 4, f"{h.modelStatusToString(model)} (HiGHS Status {int(model)})", None
    return 0, f"Optimization terminated successfully. (HiGHS Status {int(model)}: Optimal)", \
        np.array(h.getSolution().col_value)


class Rows(NamedTuple):
    """Rows of the plan's constraint matrix as their nonzero entries: ``values[i]`` at
    (``rows[i]``, ``cols[i]``), no position twice (built with numpy: scipy.sparse, 11-25 ms
    of a CLI run's CPU to import, is not needed for a matrix HiGHS reads as plain arrays)."""

    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    shape: tuple[int, int]

    def toarray(self) -> np.ndarray:
        """The dense matrix."""
        out = np.zeros(self.shape)
        out[self.rows, self.cols] = self.values
        return out


def _columnwise(parts: list[Rows], n_cols: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """HiGHS's column-wise matrix (start, index, value) of ``parts`` stacked one under the
    other: each column's entries in the order of their rows (as scipy's ``csc_array`` of
    the stacked rows orders them, with its 32-bit indices)."""
    offsets = np.cumsum([0] + [p.shape[0] for p in parts[:-1]])
    rows = np.concatenate([p.rows + offset for p, offset in zip(parts, offsets)])
    cols = np.concatenate([p.cols for p in parts])
    values = np.concatenate([p.values for p in parts])
    order = np.lexsort((rows, cols))  # by column, then by row
    start = np.zeros(n_cols + 1, np.int32)
    np.cumsum(np.bincount(cols, minlength=n_cols), out=start[1:])
    return start, rows[order].astype(np.int32), values[order]


def _sum_rows(n_years: int, n_opts: int) -> Rows:
    """The equality rows sum_o x_o(t) + s(t) (columns o * T + t, then s(t)): T x (O + 1) T."""
    cols = np.arange((n_opts + 1) * n_years).reshape(n_opts + 1, n_years).T.reshape(-1)  # row-major by year
    rows = np.repeat(np.arange(n_years), n_opts + 1)
    return Rows(rows, cols, np.ones(cols.size), (n_years, (n_opts + 1) * n_years))


def _inequality_rows(n_years: int, n_cols: int, stock, debt_opts, propagation, scale):
    """The stock rows (one per ``(option, weights, limit)``: sum_t weights(t) x_o(t)
    <= limit) then, for ``debt_opts``, the T debt-ceiling rows sum_{u<=t} K[t, u]
    sum_o x_o(u) (right-hand sides of the ceiling rows added by the caller).
    Built from the nonzero entries (zeros are not stored). Returns (``Rows`` or None, rhs)."""
    rows, cols, vals, rhs = [], [], [], []
    for i, (o, weights, limit) in enumerate(stock):
        w = np.asarray(weights, float)
        nz = np.nonzero(w)[0]
        rows.append(np.full(nz.size, i))
        cols.append(o * n_years + nz)
        vals.append(w[nz])
        rhs.append(max(float(limit), 0.0) * scale)
    n_rows = len(rhs)
    if debt_opts:
        k = np.asarray(propagation, float)
        t, u = np.nonzero(k)
        for o in debt_opts:
            rows.append(n_rows + t)
            cols.append(o * n_years + u)
            vals.append(k[t, u])
        n_rows += n_years
    if not n_rows:
        return None, np.zeros(0)
    return Rows(np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), (n_rows, n_cols)), \
        np.asarray(rhs, float)


def _exact(financing, gap, capacity, cost, noise: float = 1e-7):
    """Remove solver noise: never finance more than the gap, and close a
    residual smaller than ``noise`` x the largest gap from spare capacity,
    cheapest first (a larger residual is a true shortfall)."""
    total = financing.sum(axis=1)
    over = total > gap
    financing[over] *= (gap[over] / total[over])[:, None]
    resid = gap - financing.sum(axis=1)
    tiny = noise * (gap.max() if gap.size else 0.0)
    for t in np.nonzero((resid > 0) & (resid <= tiny))[0]:
        for o in np.argsort(cost, kind="stable"):
            add = min(resid[t], capacity[t, o] - financing[t, o])
            if add > 0:
                financing[t, o] += add
                resid[t] -= add
            if resid[t] <= 0:
                break
    return financing
