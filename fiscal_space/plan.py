"""Financing plan: the least-cost mix of options closing the gap each year.

A linear programme solved with ``scipy.optimize.linprog`` (HiGHS):

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

import numpy as np
from scipy import sparse
from scipy.optimize import linprog


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
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=gap * scale, bounds=bounds, method="highs",
                  options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10})
    if res.status != 0 or res.x is None:
        raise RuntimeError(f"financing plan: linprog (HiGHS) failed: {res.message}")
    x = np.clip(res.x / scale, 0.0, upper)
    financing = x[:n_opts * n_years].reshape(n_opts, n_years).T.copy()
    financing = _exact(financing, gap, capacity, cost)
    shortfall = np.maximum(gap - financing.sum(axis=1), 0.0)
    return Plan(financing, shortfall, int(res.status), str(res.message),
                float((financing * cost).sum()))


def _sum_rows(n_years: int, n_opts: int) -> sparse.csr_matrix:
    """The equality rows sum_o x_o(t) + s(t) (columns o * T + t, then s(t)): T x (O + 1) T."""
    cols = np.arange((n_opts + 1) * n_years).reshape(n_opts + 1, n_years).T.reshape(-1)  # row-major by year
    indptr = np.arange(0, (n_opts + 1) * n_years + 1, n_opts + 1)
    return sparse.csr_matrix((np.ones(cols.size), cols, indptr), shape=(n_years, (n_opts + 1) * n_years))


def _inequality_rows(n_years: int, n_cols: int, stock, debt_opts, propagation, scale):
    """The stock rows (one per ``(option, weights, limit)``: sum_t weights(t) x_o(t)
    <= limit) then, for ``debt_opts``, the T debt-ceiling rows sum_{u<=t} K[t, u]
    sum_o x_o(u) (right-hand sides of the ceiling rows added by the caller).
    Built from the nonzero entries with numpy (zeros are not stored, as a
    ``csr_matrix`` of the dense rows would not). Returns (matrix or None, rhs)."""
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
    coo = sparse.coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                            shape=(n_rows, n_cols))
    return coo.tocsr(), np.asarray(rhs, float)


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
