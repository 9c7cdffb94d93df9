"""Numba kernels of the accrued-to-date liability's backward recursions
(:mod:`actuarial.projection.liability`, whose docstring gives the formulas).

Each fills its output year by year from the last and, within the last year,
age by age from the last, with the same operations in the same order as the
numpy loops they replaced (issue 17: those paid numpy's call overhead for
each of 130 ages and 100 years), so the same numbers.
"""

from __future__ import annotations

from actuarial.demography._kernels import njit


@njit(cache=True, error_model="numpy")
def cohort_annuities_into(Q, v, W):
    """W(s, t, g, x) = 1 + v p(t, x) W(t + 1, x + 1), p = 1 - Q, for Q (s, T, 2, A);
    the last year's table holds past the projection and the last age's q
    beyond it: W(t, A-1) = 1 / (1 - v p(t, A-1))."""
    S, T, G, A = Q.shape
    for s in range(S):
        for g in range(G):
            for t in range(T):
                W[s, t, g, A - 1] = 1.0 / (1.0 - v * (1.0 - Q[s, t, g, A - 1]))
            for x in range(A - 2, -1, -1):
                W[s, T - 1, g, x] = 1.0 + v * (1.0 - Q[s, T - 1, g, x]) * W[s, T - 1, g, x + 1]
            for t in range(T - 2, -1, -1):
                for x in range(A - 1):
                    W[s, t, g, x] = 1.0 + v * (1.0 - Q[s, t, g, x]) * W[s, t + 1, g, x + 1]


@njit(cache=True, error_model="numpy")
def reversionary_into(Qm, a, v, RV):
    """RV(s, t, x) = a(s, t, x) + v p(t, x) RV(t + 1, x + 1), p = 1 - Qm, for
    Qm, a (s, T, A); the last year holds past the projection and the last
    age is stationary: RV(t, A-1) = a / (1 - v p)."""
    S, T, A = Qm.shape
    for s in range(S):
        for t in range(T):
            RV[s, t, A - 1] = a[s, t, A - 1] / (1.0 - v * (1.0 - Qm[s, t, A - 1]))
        for x in range(A - 2, -1, -1):
            RV[s, T - 1, x] = a[s, T - 1, x] + v * (1.0 - Qm[s, T - 1, x]) * RV[s, T - 1, x + 1]
        for t in range(T - 2, -1, -1):
            for x in range(A - 1):
                RV[s, t, x] = a[s, t, x] + v * (1.0 - Qm[s, t, x]) * RV[s, t + 1, x + 1]


@njit(cache=True, error_model="numpy")
def terminal_values_into(qq, half, vv, lifelong, top, out):
    """The employment-injury pensions' values beyond the horizon
    (``employment_injury.terminal_values``) for qq (s, type, sex, A), ``half``
    = (1 + i)^-1/2 and ``vv`` = (1 + j) / (1 + i) by scenario: a lifelong
    type starts at the last age from V(A-1) = (1 - q/2) half / (1 - (1 - q) vv),
    then V(x) = (1 - q_x/2) half + (1 - q_x) vv V(x + 1) down from age top[p] - 1."""
    S, P, G, A = qq.shape
    for s in range(S):
        for p in range(P):
            for g in range(G):
                value = 0.0
                start = top[p]
                if lifelong[p]:
                    q = qq[s, p, g, A - 1]
                    value = (1 - q / 2) * half[s] / (1 - (1 - q) * vv[s])
                    out[s, p, g, A - 1] = value
                    start = A - 1
                for x in range(start - 1, -1, -1):
                    q = qq[s, p, g, x]
                    value = (1 - q / 2) * half[s] + (1 - q) * vv[s] * value
                    out[s, p, g, x] = value
