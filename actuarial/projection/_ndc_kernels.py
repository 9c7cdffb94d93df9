"""Numba kernels of the notional defined-contribution design (``pension.design: notional``).

State at 1 January of each year, per scenario and sex g, by age x (formulas and
conventions in ``pension_ndc.py``): P[g, x] insured persons, W[g, x] their
notional capital (the cohort's total: the capital of insured who die is shared
among the survivors of their cohort, Sweden's inheritance gains), N[g, x]
pensioners, B[g, x] their yearly pensions; F the buffer fund; b the balance
index / the income index (1 when the brake is off). The plain-python references
(``*_reference``) compute the same definitions in plain loops, for the tests.
"""

from __future__ import annotations

import math

import numpy as np

from actuarial.demography._kernels import njit, prange
from actuarial.projection._dc_kernels import insured_contribution

# indices of ``par``
NORM, BALANCING, ADMIN = range(3)


@njit(cache=True)
def balance_ratio(F, contributions, c_age, p_age, capital, pensions, divisors):
    """Sweden's balance ratio (Swedish Pensions Agency, Orange Report, "Accounting principles"):

      balance ratio = (buffer fund F + contribution asset) / pension liability
      contribution asset = contributions x turnover duration
      turnover duration = pay-in + pay-out duration = A_R - A_C, A_R the pension-weighted
                          mean age of pensioners, A_C the contribution-weighted mean age
                          of contributors
      pension liability = notional capital of the insured + pensions in payment x
                          their annuity divisors

    ``c_age``/``p_age``: contributions and pensions paid by age (for the mean ages);
    ``capital``, ``pensions``, ``divisors`` by age. Returns (ratio, turnover duration,
    contribution asset, liability)."""
    return balance_ratio_completed(F, contributions, c_age, p_age, 0.0, 0.0, capital, pensions, divisors)


@njit(cache=True)
def balance_ratio_completed(F, contributions, c_age, p_age, w_extra, wa_extra, capital, pensions, divisors):
    """``balance_ratio`` with A_R on the pensioner stock completed at the ages it does not hold yet
    (an immature stock, ``pension_ndc.py``): A_R = (sum_x x p_age[x] + wa_extra) / (sum_x p_age[x] +
    w_extra), w_extra and wa_extra the expected payments there and their age-weighted sum
    (``stock_completion``); zero extras: Sweden's measured A_R."""
    sc, sa, sp, spa = 0.0, 0.0, 0.0, 0.0
    for x in range(c_age.size):
        sc += c_age[x]
        sa += x * c_age[x]
        sp += p_age[x]
        spa += x * p_age[x]
    sp += w_extra
    spa += wa_extra
    td = spa / sp - sa / sc if sc > 0.0 and sp > 0.0 else 0.0
    liability = 0.0
    for x in range(capital.size):
        liability += capital[x] + pensions[x] * divisors[x]
    asset = contributions * td
    ratio = (F + asset) / liability if liability > 0.0 else 1.0
    return ratio, td, asset, liability


@njit(cache=True)
def stock_completion(N, B, div, pay_age, t):
    """Expected pension payments at the ages above the oldest that an immature stock holds, on the
    year's (t) pensions of its youngest age r (the latest retirees), by sex g:

      w = B[r] sum_{k > top - r} u^k kp_r = B[r] (u^j jp_r) a[t + j, top + 1],  j = top + 1 - r
      wa = B[r] sum_{k > top - r} a_k u^k kp_r = w A*[t + j, top + 1]

    a the divisors (annuity-due at the norm), A* ``payment_ages``, u^j jp_r = prod_{i<j}
    (a[t+i, r+i] - 1) / a[t+i+1, r+i+1] along the cohort's diagonal (the divisors' mortality,
    years past the projection at the last year's). A stock that holds the last (open) age X - 1:
    no completion. N, B (2, X): the stock paid on 1 January t; div, pay_age (T, 2, X).
    Returns (w, wa, completed: whether any sex was completed)."""
    T, X = div.shape[0], div.shape[2]
    w_all, wa_all, done = 0.0, 0.0, False
    for g in range(2):
        r, top = -1, -1
        for x in range(X):
            if N[g, x] > 0.0:
                if r < 0:
                    r = x
                top = x
        if r < 0 or top >= X - 1:
            continue
        v = 1.0
        for k in range(top + 1 - r):
            v *= (div[min(t + k, T - 1), g, r + k] - 1.0) / div[min(t + k + 1, T - 1), g, r + k + 1]
        tj = min(t + top + 1 - r, T - 1)
        w = B[g, r] * v * div[tj, g, top + 1]
        w_all += w
        wa_all += w * pay_age[tj, g, top + 1]
        done = True
    return w_all, wa_all, done


@njit(cache=True)
def payment_ages(q, norm, out):
    """Mean age of payment of a unit of pension awarded at age x in year t (scenario, year, sex,
    age), the payments weighted as the divisor weighs them (cohort survival kp_x at the norm):

      A*[t, x] = sum_k a_k u^k kp_x / sum_k u^k kp_x,   u = 1 / (1 + norm), a_k = min(x + k, X - 1)

    (the open age group counted at its own age, as the pensioner stock holds it). In a stationary
    population the pension-weighted mean age of the pensioners that constant awards at age R build
    is A*[R] (their amounts at age R + k are kp_R u^k of the award, the income index's growth
    aside), so A*[R] - R is the stock's measured pay-out duration when the stock is mature.
    Backwards along each cohort diagonal with the annuity a (``_dc_kernels.annuity_factors``):
    M[t, x] = x + u (1 - q[t, x]) M[t + 1, x + 1], M[., X-1] = (X - 1) a[., X-1]; A* = M / a;
    years past the projection at the last year's rates."""
    n, T, G, X = q.shape
    u = 1.0 / (1.0 + norm)
    for s in range(n):
        for g in range(G):
            a_last = np.empty(X)
            m_last = np.empty(X)
            a_last[X - 1] = 1.0 / (1.0 - (1.0 - q[s, T - 1, g, X - 1]) * u)
            m_last[X - 1] = (X - 1) * a_last[X - 1]
            for x in range(X - 2, -1, -1):
                p = u * (1.0 - q[s, T - 1, g, x])
                a_last[x] = 1.0 + p * a_last[x + 1]
                m_last[x] = x + p * m_last[x + 1]
            a_next, m_next = a_last.copy(), m_last.copy()
            out[s, T - 1, g, :] = m_last / a_last
            a_t, m_t = np.empty(X), np.empty(X)
            for t in range(T - 2, -1, -1):
                a_t[X - 1] = 1.0 + u * (1.0 - q[s, t, g, X - 1]) * a_next[X - 1]
                m_t[X - 1] = (X - 1) * a_t[X - 1]
                for x in range(X - 2, -1, -1):
                    p = u * (1.0 - q[s, t, g, x])
                    a_t[x] = 1.0 + p * a_next[x + 1]
                    m_t[x] = x + p * m_next[x + 1]
                out[s, t, g, :] = m_t / a_t
                a_next[:] = a_t
                m_next[:] = m_t


def payment_ages_reference(q, norm):
    """``payment_ages`` by plain forward sums along each cohort (400 years)."""
    n, T, G, X = q.shape
    out = np.zeros(q.shape)
    for s in range(n):
        for t in range(T):
            for g in range(G):
                for x in range(X):
                    num, den, p = 0.0, 0.0, 1.0
                    for k in range(400):
                        w = p / (1.0 + norm) ** k
                        num += min(x + k, X - 1) * w
                        den += w
                        p *= 1.0 - q[s, min(t + k, T - 1), g, min(x + k, X - 1)]
                    out[s, t, g, x] = num / den
    return out


def balance_ratio_reference(F, contributions, c_age, p_age, capital, pensions, divisors):
    """``balance_ratio`` in plain python."""
    ages = range(len(c_age))
    a_c = sum(x * c_age[x] for x in ages) / sum(c_age)
    a_r = sum(x * p_age[x] for x in ages) / sum(p_age)
    liability = sum(capital[x] + pensions[x] * divisors[x] for x in range(len(capital)))
    td = a_r - a_c
    return (F + contributions * td) / liability, td, contributions * td, liability


@njit(cache=True, parallel=True, error_model="numpy")
def project_notional(K, q, dens, level, scale, ceil, R, rate, nrate, i, div, par, P0, W0, N0, B0, F0,
                     x_lo, x_hi, Win, t_in, pay_age, stock_mature, earnings, wage_bill,
                     headcount, contributions, paid, fund, capital_total,
                     capital, pens_n, pens_age, pens_b, retiring_n, retiring_cap, awards_b, ratio, turnover,
                     asset, liability, credited, measured):
    """Project the notional accounts; see ``pension_ndc.py``.

    Shapes (s: scenario, length 1 broadcasts): K, q, div (s, T, 2, X); dens (2, X); level
    (s, T, 2); scale (X); ceil, rate, nrate, i (s, T); R (T, 2); P0, W0, N0, B0 (2, X); Win (s, 2, X) added to the
    balances on 1 January of year index t_in (converted DB rights; t_in < 0: none). pay_age (s, T, 2, X):
    ``payment_ages`` on the divisors' mortality; a stock carried from the start (``stock_mature``) is
    measured as Sweden's; otherwise the stock is completed at the ages it does not hold yet
    (``stock_completion``) until it holds the last age.
    Outputs (n, T, ...): earnings, wage_bill, paid, fund, ratio, turnover, asset, liability,
    credited, measured (1: measured, 0: stock completed, NaN: no pensions paid) (); headcount,
    contributions, capital_total, pens_n, pens_b, retiring_n,
    retiring_cap, awards_b (2); capital, pens_age (2, X) (a year axis of length 1 skips it).
    """
    n_scen, T = earnings.shape[0], earnings.shape[1]
    X = P0.shape[1]
    norm, balancing, admin = par[NORM], par[BALANCING] > 0.0, par[ADMIN]
    for si in prange(n_scen):
        s = np.int64(si)
        sk = s if K.shape[0] > 1 else 0
        sq = s if q.shape[0] > 1 else 0
        sl = s if level.shape[0] > 1 else 0
        se = s if ceil.shape[0] > 1 else 0
        sn = s if nrate.shape[0] > 1 else 0
        si_ = s if i.shape[0] > 1 else 0
        sd = s if div.shape[0] > 1 else 0
        sc_ = s if rate.shape[0] > 1 else 0
        store = capital.shape[1] == T
        P, W, N, B = P0.copy(), W0.copy(), N0.copy(), B0.copy()
        nP, nW, nN, nB = np.zeros_like(P), np.zeros_like(W), np.zeros_like(N), np.zeros_like(B)
        c_age, p_age = np.zeros(X), np.zeros(X)
        cap_all, pen_all, div_all = np.zeros(2 * X), np.zeros(2 * X), np.zeros(2 * X)
        F = F0
        b, factor = 1.0, 1.0  # balance index / income index; this year's balancing factor
        sp = s if pay_age.shape[0] > 1 else 0
        sw = s if Win.shape[0] > 1 else 0
        for t in range(T):
            if t == t_in:  # rights converted from a DB scheme, credited on 1 January (pension.transition)
                W += Win[sw]
            g_t = nrate[sn, t]
            credit = (1.0 + g_t) * factor  # the notional rate (or the balance index's growth)
            credited[s, t] = credit - 1.0
            root = math.sqrt(credit)
            t1 = min(t + 1, T - 1)
            nP[:] = 0.0
            nW[:] = 0.0
            nN[:] = 0.0
            nB[:] = 0.0
            c_age[:] = 0.0
            p_age[:] = 0.0
            C, E = 0.0, 0.0
            for g in range(2):
                # -- pensions in payment on 1 January (the divisor's annuity-due), indexed at 31 December
                for x in range(X):
                    pens_n[s, t, g] += N[g, x]
                    if store:
                        pens_age[s, t, g, x] = N[g, x]
                    pens_b[s, t, g] += B[g, x]
                    if N[g, x] <= 0.0:
                        continue
                    E += B[g, x]
                    p_age[x] += B[g, x]
                    qx = q[sq, t, g, x]
                    d = min(x + 1, X - 1)
                    nN[g, d] += N[g, x] * (1.0 - qx)
                    nB[g, d] += B[g, x] * (1.0 - qx) * credit / (1.0 + norm)
                # -- insured: contributions mid-year, credited with half a year's notional rate
                for x in range(x_lo, x_hi + 1):
                    c = insured_contribution(K, R, level, scale, ceil, rate, dens, P, W, s, sk, sl, se, sc_, t,
                                             g, x, store, capital, capital_total, earnings, wage_bill, headcount,
                                             contributions)
                    C += c
                    c_age[x] += c
                    qx = q[sq, t, g, x]
                    nP[g, x + 1] += P[g, x] * (1.0 - qx)
                    nW[g, x + 1] += W[g, x] * credit + c * root  # inheritance gains: the cohort keeps it
                # -- retirement on 1 January t+1 at the pensionable age of t+1: capital / divisor
                for x in range(max(R[t1, g], x_lo), x_hi + 2):
                    n, cap = nP[g, x], nW[g, x]
                    if n <= 0.0:
                        continue
                    amount = cap / div[sd, t1, g, x]
                    retiring_n[s, t, g] += n
                    retiring_cap[s, t, g] += cap
                    awards_b[s, t, g] += amount
                    nN[g, x] += n
                    nB[g, x] += amount
                    nP[g, x] = 0.0
                    nW[g, x] = 0.0
            # -- buffer fund, floored at zero (``_pension_kernels.floored_reserve_path``)
            E *= 1.0 + admin
            paid[s, t] = E
            fund[s, t] = F
            r = i[si_, t]
            root_i = math.sqrt(1.0 + r)
            deficit = max(E - C - F * root_i, 0.0)
            net = C - E + deficit
            F = 0.0 if deficit > 0.0 else max(F + net + r * F + net * (root_i - 1.0), 0.0)
            # -- the balance ratio at 31 December t; the brake on next year's indexation
            for g in range(2):
                for x in range(X):
                    cap_all[g * X + x] = nW[g, x]
                    pen_all[g * X + x] = nB[g, x]
                    div_all[g * X + x] = div[sd, t1, g, x]
            w_x, wa_x, completed = 0.0, 0.0, False
            if not stock_mature:  # the stock paid on 1 January t (N, B before this year's update)
                w_x, wa_x, completed = stock_completion(N, B, div[sd], pay_age[sp], t)
            br, td, ca, li = balance_ratio_completed(F, C, c_age, p_age, w_x, wa_x, cap_all, pen_all, div_all)
            if E <= 0.0:  # no pensions paid: no turnover duration, no balance ratio
                br, td, ca = np.nan, np.nan, np.nan
                measured[s, t] = np.nan
            else:
                measured[s, t] = 0.0 if completed else 1.0
            ratio[s, t] = br
            turnover[s, t] = td
            asset[s, t] = ca
            liability[s, t] = li
            # no pensions paid (a new scheme, e.g. after a reform): no turnover duration, no brake
            if balancing and E > 0.0 and (b < 1.0 or br < 1.0):
                new = min(b * br, 1.0)  # the balance index grows by the ratio until it meets the income index
                factor = new / b
                b = new
            else:
                factor = 1.0
            P[:] = nP
            W[:] = nW
            N[:] = nN
            B[:] = nB
