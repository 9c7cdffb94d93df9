"""The backward and forward recursions moved into numba kernels (issue 17) against
plain Python loops written from their formulas (the functions' docstrings), one
cell at a time: the same operations in the same order, so equal to the last bit.
"""

import numpy as np

from actuarial.projection.employment_injury import terminal_values
from actuarial.projection.liability import cohort_annuities, reversionary
from fiscal_space.financing_needs import Profile, structure_path


def _cohort_annuities(Q, v):
    """W(t, x) = 1 + v p(t, x) W(t + 1, x + 1); last year held, W(t, A-1) = 1 / (1 - v p)."""
    S, T, G, A = Q.shape
    W = np.zeros(Q.shape)
    for s in range(S):
        for g in range(G):
            for t in range(T - 1, -1, -1):
                for x in range(A - 1, -1, -1):
                    p = 1.0 - Q[s, t, g, x]
                    if x == A - 1:
                        W[s, t, g, x] = 1.0 / (1.0 - v * p)
                    else:
                        later = W[s, min(t + 1, T - 1), g, x + 1]
                        W[s, t, g, x] = 1.0 + v * p * later
    return W


def _reversionary(Qm, h, at_death, v):
    """RV(t, x) = q h at_death + v p RV(t + 1, x + 1); last year held, RV(t, A-1) = a / (1 - v p)."""
    S, T, A = Qm.shape
    RV = np.zeros(Qm.shape)
    for s in range(S):
        for t in range(T - 1, -1, -1):
            for x in range(A - 1, -1, -1):
                a = Qm[s, t, x] * h[x] * at_death[s, t, x]
                p = 1.0 - Qm[s, t, x]
                if x == A - 1:
                    RV[s, t, x] = a / (1.0 - v * p)
                else:
                    RV[s, t, x] = a + v * p * RV[s, min(t + 1, T - 1), x + 1]
    return RV


def test_cohort_and_reversionary_annuities_cell_by_cell():
    rng = np.random.default_rng(5)
    Q = rng.uniform(0.0, 1.0, (2, 7, 2, 12))
    np.testing.assert_array_equal(cohort_annuities(Q, 0.97), _cohort_annuities(Q, 0.97))
    h, at_death = rng.uniform(0, 1, 12), rng.uniform(0, 3, (2, 7, 12))
    np.testing.assert_array_equal(reversionary(Q[:, :, 1], h, at_death, 0.97),
                                  _reversionary(Q[:, :, 1], h, at_death, 0.97))


def test_a_certain_death_at_the_last_age_and_v_one():
    """q = 1 at the last age: W = 1 there; v = 1 with q = 0 there: 1 / 0 = inf, as numpy (no exception)."""
    Q = np.full((1, 3, 2, 4), 0.5)
    Q[..., -1] = 1.0
    assert np.all(cohort_annuities(Q, 0.9)[..., -1] == 1.0)
    Q[..., -1] = 0.0
    with np.errstate(divide="ignore"):
        assert np.all(np.isinf(cohort_annuities(Q, 1.0)[..., -1]))


def _terminal_values(q_last, i, j, factors, orphan_limit):
    """V(x) = (1 - q/2)(1 + i)^-1/2 + (1 - q) v' V(x + 1), v' = (1 + j)/(1 + i); lifelong types
    from the stationary V(A-1); orphans (type 3) from 0 at their age limit."""
    n, _, X = q_last.shape
    out = np.zeros((n, 4, 2, X))
    for s in range(n):
        vv = (1 + j[s]) / (1 + i[s])
        half = 1 / np.sqrt(1 + i[s])
        for p in range(4):
            for g in range(2):
                q = np.minimum(factors[p] * q_last[s, g], 1.0)
                value, top = 0.0, min(orphan_limit, X)
                if p != 3:
                    value = (1 - q[X - 1] / 2) * half / (1 - (1 - q[X - 1]) * vv)
                    out[s, p, g, X - 1] = value
                    top = X - 1
                for x in range(top - 1, -1, -1):
                    value = (1 - q[x] / 2) * half + (1 - q[x]) * vv * value
                    out[s, p, g, x] = value
    return out


def test_injury_terminal_values_cell_by_cell():
    rng = np.random.default_rng(6)
    q = rng.uniform(0.0, 0.5, (2, 2, 30))
    i, j, factors = np.array([0.04, 0.06]), np.array([0.02, 0.03]), np.array([1.0, 1.3, 0.9, 0.9])
    for limit in (18, 40):  # within the ages, beyond them
        np.testing.assert_array_equal(terminal_values(q, i, j, factors, limit),
                                      _terminal_values(q, i, j, factors, limit))


def _profile(T, premium=True):
    return Profile(np.full(T, 0.3), 5.0, None, np.full(T, 0.05), np.full(T, 0.04), np.full(T, 0.07),
                   0.6 if premium else None, 10.0, 150.0 if premium else None)


def test_structure_path_rows_are_the_paths_one_at_a_time():
    """The leading axes (here reform x shift) are independent rows: each equals the path computed alone."""
    T = 12
    rng = np.random.default_rng(7)
    pb, sfa = rng.uniform(-0.05, 0.02, (3, T)), rng.uniform(0, 0.01, (3, T))
    shifts = np.array([-0.01, 0.0, 0.02])[:, None, None]
    n = np.full(T, 0.05)
    d0 = np.array([0.7, 0.8, 0.9])
    together = structure_path(d0, n, 0.3, 0.01, pb, sfa, _profile(T), rate_shift=shifts)
    for k in range(3):
        for r in range(3):
            alone = structure_path(d0[r], n, 0.3, 0.01, pb[r], sfa[r], _profile(T), rate_shift=shifts[k, 0])
            np.testing.assert_array_equal(together.debt[k, r], alone.debt)
            np.testing.assert_array_equal(together.risk_premium[k, r], alone.risk_premium)
    assert together.risk_premium.max() > 0


def test_structure_path_with_gdp_halving_to_nothing_gives_inf_not_an_exception():
    """1 + n = 0 in a year: the debt ratio divides by zero (inf or NaN, as numpy's arrays did)."""
    T = 4
    n = np.array([0.05, -1.0, 0.05, 0.05])
    with np.errstate(divide="ignore", invalid="ignore"):
        p = structure_path(0.6, n, 0.0, 0.0, np.zeros(T), np.zeros(T), _profile(T, premium=False))
    assert np.isfinite(p.debt[:2]).all() and not np.isfinite(p.debt[2:]).any()
