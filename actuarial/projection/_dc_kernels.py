"""Numba kernels of the defined-contribution design (individual accounts).

State at 1 January of each year, per scenario and sex g (0 female, 1 male),
by age x (formulas and conventions in ``pension_dc.py``):
  P[g, x]  insured persons (active and inactive), W[g, x] their account balances
  N[g, x]  retirees, B[g, x] their annuities, U[g, x] the state's top-ups,
  V[g, x]  their programmed-withdrawal balances.
Each plain-python reference (``*_reference``) is the same formula in plain
loops for the tests.
"""

from __future__ import annotations

import math

import numpy as np

from actuarial.demography._kernels import njit, prange

# indices of ``par``
FEE_C, FEE_B, ANN_SHARE, PW_SHARE, LOADING, ANN_INDEX, ELIGIBLE, DISPERSION, TRANSFER = range(9)


@njit(cache=True)
def annuity_factors(q, interest, indexation, out):
    """Whole-life annuity-due factors on cohort mortality, by (scenario, year, sex, age):
    a[t, x] = sum_k ((1 + e) / (1 + i))^k kp_x, kp_x = prod_{j<k} (1 - q[t + j, x + j]),
    years past the projection at the last projected year's rates, the open age
    group (last age) at its own rate: a[., X-1] = 1 / (1 - (1 - q) u) (geometric
    closure), u = (1 + e) / (1 + i). Computed backwards along each cohort diagonal:
    a[t, x] = 1 + u (1 - q[t, x]) a[t + 1, x + 1]."""
    n, T, G, X = q.shape
    u = (1.0 + indexation) / (1.0 + interest)
    for s in range(n):
        for g in range(G):
            # beyond the projection: the last year's table, a period annuity
            last = np.empty(X)
            last[X - 1] = 1.0 / (1.0 - (1.0 - q[s, T - 1, g, X - 1]) * u)
            for x in range(X - 2, -1, -1):
                last[x] = 1.0 + u * (1.0 - q[s, T - 1, g, x]) * last[x + 1]
            out[s, T - 1, g, :] = last
            for t in range(T - 2, -1, -1):
                out[s, t, g, X - 1] = 1.0 + u * (1.0 - q[s, t, g, X - 1]) * out[s, t + 1, g, X - 1]
                for x in range(X - 2, -1, -1):
                    out[s, t, g, x] = 1.0 + u * (1.0 - q[s, t, g, x]) * out[s, t + 1, g, x + 1]


def annuity_factors_reference(q, interest, indexation):
    """Plain forward sums of ``annuity_factors``' definition (q: (n, T, 2, X)),
    the cohort followed for 400 years (the tail is below 1e-12 for any q > 0.07 at
    the open age)."""
    n, T, G, X = q.shape
    u = (1.0 + indexation) / (1.0 + interest)
    out = np.zeros(q.shape)
    for s in range(n):
        for t in range(T):
            for g in range(G):
                for x in range(X):
                    total, p = 0.0, 1.0
                    for k in range(400):
                        total += u ** k * p
                        p *= 1.0 - q[s, min(t + k, T - 1), g, min(x + k, X - 1)]
                    out[s, t, g, x] = total
    return out


@njit(cache=True)
def top_up(minimum, mean, cv):
    """E[max(minimum - Y, 0)] for Y lognormal with mean ``mean`` and coefficient of
    variation ``cv`` (cv = 0: max(minimum - mean, 0)): minimum Phi(-d2) - mean Phi(-d1),
    d1 = (ln(mean / minimum) + sigma^2 / 2) / sigma, d2 = d1 - sigma, sigma^2 = ln(1 + cv^2)
    (the lognormal put; e.g. Hull, Options, Futures and Other Derivatives, ch. 15)."""
    if minimum <= 0.0:
        return 0.0
    if mean <= 0.0:
        return minimum
    if cv <= 0.0:
        return max(minimum - mean, 0.0)
    sigma = math.sqrt(math.log(1.0 + cv * cv))
    d1 = (math.log(mean / minimum) + 0.5 * sigma * sigma) / sigma
    d2 = d1 - sigma
    return minimum * 0.5 * math.erfc(d2 / math.sqrt(2.0)) - mean * 0.5 * math.erfc(d1 / math.sqrt(2.0))


@njit(inline="always")
def insured_contribution(K, R, level, scale, ceil, rate, dens, P, W, s, sk, sl, se, sc, t, g, x, store, stock,
                         stock_total, earnings, wage_bill, headcount, contributions):
    """The insured block of both account kernels (``project_accounts``, ``_ndc_kernels.project_notional``)
    at 1 January t, sex g, age x: the insured P = max(P, K) below the pensionable age (new entrants bring
    no balance); the stock W recorded (``stock`` by age when ``store``, ``stock_total``); contributors K,
    their insurable earnings K x density x min(wage, ceiling) and contributions = rate x earnings, paid
    mid-year, added to the year's totals. Returns the contribution. Inlined in the numba IR
    (``inline="always"``), so that it is compiled with each caller's own flags (the same bits as
    when the block was written in each kernel)."""
    target = K[sk, t, g, x] if x < R[t, g] else 0.0
    if P[g, x] < target:
        P[g, x] = target
    if store:
        stock[s, t, g, x] = W[g, x]
    stock_total[s, t, g] += W[g, x]
    wage = min(level[sl, t, g] * scale[x], ceil[se, t])
    ie = target * dens[g, x] * wage
    c = rate[sc, t] * ie
    earnings[s, t] += ie
    wage_bill[s, t] += target * wage
    headcount[s, t, g] += target
    contributions[s, t, g] += c
    return c


@njit(cache=True, parallel=True, error_model="numpy")
def project_accounts(K, q, dens, level, scale, ceil, R, rate, ret, gmin, af, par, P0, W0, N0, B0,
                     x_lo, x_hi, Win, t_in, earnings, wage_bill, headcount, contributions, fees, invest, balance,
                     balance_total,
                     pw_total, lumps, premiums, withdrawals, bequests, retiring_n, retiring_bal, awards_b,
                     awards_full, awards_u, pens_n, pens_age, pens_b, annuities_paid, topups_paid, transferred):
    """Project the accounts; see the module docstring and ``pension_dc.py``.

    Shapes (s: scenario, length 1 broadcasts): K, q, af (s, T, 2, X); dens (2, X);
    level (s, T, 2); scale (X); ceil, rate, ret, gmin (s, T); R (T, 2); P0, W0,
    N0, B0 (2, X); Win (s, 2, X) added to the
    balances on 1 January of year index t_in (converted DB rights; t_in < 0: none); par[TRANSFER]
    (optional, default -1: none) the year index on whose 1 January the insured's balances leave
    the accounts into ``transferred`` (s, 2, X) and the insured leave (a DC scheme turned into DB,
    its balances to the DB reserve; the retirees stay). Outputs (n, T, ...): earnings () insurable
    earnings, wage_bill () sum of K x wage; the
    others (2) by sex, and balance, pens_age (2, X) (a year axis of length 1 skips it).
    """
    n_scen, T = earnings.shape[0], earnings.shape[1]
    X = P0.shape[1]
    fee_c, fee_b = par[FEE_C], par[FEE_B]
    a_sh, pw_sh, load, esc = par[ANN_SHARE], par[PW_SHARE], par[LOADING], par[ANN_INDEX]
    elig, cv = par[ELIGIBLE], par[DISPERSION]
    t_out = np.int64(par[TRANSFER]) if par.shape[0] > TRANSFER else np.int64(-1)
    for si in prange(n_scen):
        s = np.int64(si)
        sk = s if K.shape[0] > 1 else 0
        sq = s if q.shape[0] > 1 else 0
        sl = s if level.shape[0] > 1 else 0
        se = s if ceil.shape[0] > 1 else 0
        sr = s if ret.shape[0] > 1 else 0
        sg = s if gmin.shape[0] > 1 else 0
        sa = s if af.shape[0] > 1 else 0
        sc = s if rate.shape[0] > 1 else 0
        store = balance.shape[1] == T
        P, W = P0.copy(), W0.copy()
        N, B, U, V = N0.copy(), B0.copy(), np.zeros_like(N0), np.zeros_like(N0)
        nP, nW = np.zeros_like(P), np.zeros_like(W)
        nN, nB, nU, nV = np.zeros_like(N), np.zeros_like(B), np.zeros_like(U), np.zeros_like(V)
        sw = s if Win.shape[0] > 1 else 0
        for t in range(T):
            if t == t_in:  # rights converted from a DB scheme, credited on 1 January (pension.transition)
                W += Win[sw]
            if t == t_out:  # balances transferred to a DB scheme's reserve on 1 January (pension.transition)
                for g in range(2):
                    for x in range(X):
                        transferred[s, g, x] = W[g, x]
                        W[g, x] = 0.0
                        P[g, x] = 0.0
            r = ret[sr, t]
            root = math.sqrt(1.0 + r)
            t1 = min(t + 1, T - 1)
            nP[:] = 0.0
            nW[:] = 0.0
            nN[:] = 0.0
            nB[:] = 0.0
            nU[:] = 0.0
            nV[:] = 0.0
            for g in range(2):
                # -- retirees: withdrawals at 1 January, annuities and top-ups through the year
                for x in range(X):
                    pens_n[s, t, g] += N[g, x]
                    if store:
                        pens_age[s, t, g, x] = N[g, x]
                    pens_b[s, t, g] += B[g, x]
                    pw_total[s, t, g] += V[g, x]
                    if N[g, x] <= 0.0:
                        continue
                    qx = q[sq, t, g, x]
                    annuities_paid[s, t, g] += B[g, x] * (1.0 - 0.5 * qx)
                    topups_paid[s, t, g] += U[g, x] * (1.0 - 0.5 * qx)
                    wd = V[g, x] / af[sa, t, g, x]
                    left = V[g, x] - wd
                    grown = left * (1.0 + r)
                    withdrawals[s, t, g] += wd
                    invest[s, t, g] += left * r
                    fees[s, t, g] += fee_b * grown
                    end = (1.0 - fee_b) * grown
                    bequests[s, t, g] += qx * end
                    d = min(x + 1, X - 1)
                    nN[g, d] += N[g, x] * (1.0 - qx)
                    nB[g, d] += B[g, x] * (1.0 - qx) * (1.0 + esc)
                    nU[g, d] += U[g, x] * (1.0 - qx) * (1.0 + esc)
                    nV[g, d] += end * (1.0 - qx)
                # -- insured: 1 January, new entrants bring no balance; contributions mid-year
                for x in range(x_lo, x_hi + 1):
                    c = insured_contribution(K, R, level, scale, ceil, rate, dens, P, W, s, sk, sl, se, sc, t, g,
                                             x, store, balance, balance_total, earnings, wage_bill, headcount,
                                             contributions)
                    net_c = c * (1.0 - fee_c)
                    grown = W[g, x] * (1.0 + r) + net_c * root
                    invest[s, t, g] += W[g, x] * r + net_c * (root - 1.0)
                    fees[s, t, g] += fee_c * c + fee_b * grown
                    end = (1.0 - fee_b) * grown  # deaths at the year's end: balances to the heirs
                    qx = q[sq, t, g, x]
                    bequests[s, t, g] += qx * end
                    nP[g, x + 1] += P[g, x] * (1.0 - qx)
                    nW[g, x + 1] += end * (1.0 - qx)
                # -- retirement on 1 January t+1 at the pensionable age of t+1
                gm = gmin[sg, t1]
                for x in range(max(R[t1, g], x_lo), x_hi + 2):
                    n, bal = nP[g, x], nW[g, x]
                    if n <= 0.0:
                        continue
                    factor = (1.0 + load) * af[sa, t1, g, x]
                    retiring_n[s, t, g] += n
                    retiring_bal[s, t, g] += bal
                    lumps[s, t, g] += (1.0 - a_sh - pw_sh) * bal
                    premiums[s, t, g] += a_sh * bal
                    amount = a_sh * bal / factor
                    extra = n * elig * top_up(gm, bal / (n * factor), cv)
                    awards_b[s, t, g] += amount
                    awards_full[s, t, g] += bal / factor
                    awards_u[s, t, g] += extra
                    nN[g, x] += n
                    nB[g, x] += amount
                    nU[g, x] += extra
                    nV[g, x] += pw_sh * bal
                    nP[g, x] = 0.0
                    nW[g, x] = 0.0
            P[:] = nP
            W[:] = nW
            N[:] = nN
            B[:] = nB
            U[:] = nU
            V[:] = nV
