"""Public debt dynamics: paths, debt-stabilising balance, fiscal gap, r - g.

Timing follows the engine (stocks on 1 January, flows during the year) and
the IMF debt-dynamics equation (IMF 2013 DSA guidance note, annex; Escolano
2010, *A Practical Guide to Public Debt Dynamics, Fiscal Sustainability,
and Cyclical Adjustment of Budgetary Aggregates*, IMF TNM/10/02):

    D(t+1) = D(t) (1 + r(t)) [foreign part revalued] - PB(t) + SFA(t)

With d(t) = debt on 1 January of t / GDP of t - 1 (the end-year ratio of
year t - 1, as DSAs report it) and flows as fractions of GDP of year t:

    d(t+1) = d(t) f(t) - pb(t) + sfa(t),
    f(t) = (1 + r(t)) (1 + alpha(t) e(t)) / (1 + n(t)),

n nominal GDP growth into year t, alpha the foreign-currency share and e the
depreciation. With constant r, n (no foreign debt) and pb, writing
q = (1 + r) / (1 + n):

    d(t) = d0 q^t - pb (q^t - 1) / (q - 1).

The debt-stabilising primary balance keeps d(t+1) = d(t):

    pb*(t) = d(t) (f(t) - 1) + sfa(t)   [= d (r - n) / (1 + n) without FX]

The fiscal gap (Blanchard 1990, OECD WP 79; Escolano 2010, section IV) is
the permanent change Delta of the primary balance, from the base year on,
that brings debt to d_target in year T:

    d_T(Delta) = d_T(0) - Delta A_T,  A_T = sum_{u<T} prod_{u<v<T} f(v),
    Delta = (d_T(0) - d_target) / A_T   (> 0: consolidation needed).

**The debt path with the reform.** The reform costs gap(t) (fraction of
GDP); the plan finances x_o(t) with each option and leaves s(t) unfinanced
(:mod:`fiscal_space.plan`). The reform is carried at its full cost: what
the plan does not finance is borrowed (debt rises, and a debt ceiling is
reported as breached where it is, never honoured by dropping spending):

    pb_with(t) = pb_without(t) - gap(t) + sum_{balance options} x_o(t)

A scaled-back path, under its own label (``reform="scaled_back"``), takes
the package cut to what the plan finances: pb_scaled(t) = pb_with(t) + s(t).

Options of kind ``balance`` (re-allocation, taxes, contributions, aid, curbed
illicit flows) raise revenue or cut other spending and so improve the
balance. ``debt`` options (borrowing, a tolerated deficit) and ``asset``
options (reserves) do not improve it; the deficit they finance is borrowed
(debt rises) or paid from reserves (debt does not rise, an asset falls: a
stock-flow adjustment of -x):

    d_with(t+1) = d_with(t) f(t) - pb_with(t) + sfa(t) - sum_{asset} x_o(t).
"""

from __future__ import annotations

import numpy as np


def debt_factor(r, n, alpha=0.0, e=0.0):
    """f = (1 + r)(1 + alpha e) / (1 + n)."""
    return (1 + np.asarray(r, float)) * (1 + np.asarray(alpha, float) * np.asarray(e, float)) \
        / (1 + np.asarray(n, float))


def debt_path(d0, factor, pb, sfa=0.0, extra_step: bool = False) -> np.ndarray:
    """d(t) on the years of ``factor`` (last axis): d(0) = d0,
    d(t+1) = d(t) f(t) - pb(t) + sfa(t). Leading axes broadcast (paths,
    shifts). With ``extra_step`` the result has one more value, the debt
    after the flows of the last year."""
    factor, pb, sfa = np.broadcast_arrays(np.asarray(factor, float), np.asarray(pb, float),
                                          np.asarray(sfa, float))
    lead = np.broadcast_shapes(np.shape(d0), factor.shape[:-1])
    n = factor.shape[-1] + (1 if extra_step else 0)
    out = np.empty((*lead, n))
    out[..., 0] = d0
    for t in range(n - 1):
        out[..., t + 1] = out[..., t] * factor[..., t] - pb[..., t] + sfa[..., t]
    return out


def stabilising_primary_balance(debt, factor, sfa=0.0) -> np.ndarray:
    """pb*(t) = d(t) (f(t) - 1) + sfa(t): the primary balance that keeps d(t+1) = d(t)."""
    return np.asarray(debt, float) * (np.asarray(factor, float) - 1) + np.asarray(sfa, float)


def annuity(factor, periods: int):
    """A_T = sum_{u<T} prod_{u<v<T} f(v): debt in year T per unit of primary
    deficit in each year before it (= (q^T - 1)/(q - 1) for constant f = q)."""
    a = 0.0
    for t in range(periods):
        a = a * factor[..., t] + 1.0
    return a


def fiscal_gap(d0, factor, pb, sfa, target: float, periods: int):
    """Permanent change of the primary balance from the base year bringing debt
    to ``target`` after ``periods`` years (fraction of GDP; > 0: tighten).
    ``factor``, ``pb`` and ``sfa`` may have leading axes (e.g. reform, year):
    then an array of gaps over those axes, else a float."""
    pb, sfa = np.asarray(pb, float), np.asarray(sfa, float)
    shape = np.broadcast_shapes(np.shape(factor), pb.shape, sfa.shape)
    d_end = debt_path(d0, np.asarray(factor)[..., :periods], pb[..., :periods],
                      np.broadcast_to(sfa, shape)[..., :periods], extra_step=True)[..., -1]
    gap = (d_end - target) / annuity(factor, periods)
    return float(gap) if np.ndim(gap) == 0 else gap


def propagation(factor) -> np.ndarray:
    """K[t, u]: d(t + 1) per unit of debt-financed deficit in year u (fraction of
    GDP), t, u = 0..T-1; K[t, u] = prod_{u<v<=t} f(v) for u <= t, else 0."""
    factor = np.asarray(factor, float)
    logp = np.concatenate([[0.0], np.cumsum(np.log(factor))])  # log prod_{v<t} f(v), t = 0..T
    k = np.exp(logp[None, 1:] - logp[1:, None]).T  # [t, u] = prod_{u<v<=t}
    return np.tril(k)


def scenario_debt(central, cost_gdp, nominal_growth, interest_shift=0.0) -> np.ndarray:
    """Debt / GDP with the reform in each scenario of a stochastic valuation,
    the central financing plan kept (scenario, year).

    ``central`` is the fiscal-space Dataset of the deterministic path;
    ``cost_gdp`` (scenario, year, item) the scenario's costs / GDP on its
    items; ``nominal_growth`` n_s(t) = Y_s(t) / Y_s(t-1) - 1 (scenario, year);
    ``interest_shift`` the scenario's deviation of the interest rate. The
    scenario's gap moves the primary balance one for one (what the plan
    does not finance is borrowed): pb_s = pb_c - (gap_s - gap_c), and
      d_s(t+1) = d_s(t) (1 + r(t) + di_s(t)) / (1 + n_s(t)) - pb_s(t) + a(t),
    a(t) = d_c(t+1) - d_c(t) (1 + r(t)) / (1 + n_c(t)) + pb_c(t), the central
    path's other terms (exchange-rate valuation, stock-flow adjustments)
    carried as they are. d_s(0) = d_c(0).
    """
    d_c = central["debt_gdp"].sel(reform="with").values
    pb_c = central["primary_balance_gdp"].sel(reform="with").values
    r = central["interest_rate"].values
    n_c = central["nominal_gdp_growth"].values
    gap_c = central["financing_gap_gdp"].values
    spent = central["package_baseline_gdp"].sum("item").values
    gap_s = np.asarray(cost_gdp, float).sum(-1) - spent
    pb_s = pb_c - (gap_s - gap_c)
    other = np.empty_like(d_c)
    other[:-1] = d_c[1:] - d_c[:-1] * (1 + r[:-1]) / (1 + n_c[:-1]) + pb_c[:-1]
    other[-1] = 0.0
    factor = (1 + r + np.asarray(interest_shift, float)) / (1 + np.asarray(nominal_growth, float))
    return debt_path(d_c[0], factor, pb_s, other)
