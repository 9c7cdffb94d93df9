"""Accrued liability: generational annuities and the reversionary annuity."""

import numpy as np
import pytest

from actuarial.projection.liability import cohort_annuities, reversionary


def test_cohort_annuity_follows_the_diagonal():
    """W(0, x) = sum_k v^k prod_{j<k} (1 - q(j, x + j)), by a plain sum."""
    rng = np.random.default_rng(1)
    Q = rng.uniform(0.01, 0.3, size=(1, 5, 2, 12))
    Q[..., -1] = 0.5
    v = 0.97
    W = cohort_annuities(Q, v)
    x = 3
    total, surv = 0.0, 1.0
    for k in range(400):
        total += v**k * surv
        surv *= 1 - Q[0, min(k, 4), 0, min(x + k, 11)]
    assert W[0, 0, 0, x] == pytest.approx(total, rel=1e-12)


def test_reversionary_annuity_is_a_y_minus_a_xy():
    """With h(x + k) = (k+1)p_y and the survivor annuity-due from the next year,
    RV = a_{x|y} = a_y - a_xy (Bowers et al. 1997, sec. 9.4), annual immediate."""
    A, v, x, y = 60, 0.96, 6, 10
    qx = np.linspace(0.005, 0.4, A)
    qx[-1] = 1.0
    qy = np.linspace(0.003, 0.35, A)
    qy[-1] = 1.0  # y dies by age A - 1, before x reaches it
    py = np.zeros(A + 1)
    py[:A - y + 1] = np.concatenate([[1.0], np.cumprod(1 - qy[y:])])  # k p_y
    ay_due = np.zeros(A + 1)
    for a in range(A - 1, -1, -1):
        ay_due[a] = 1 + v * (1 - qy[a]) * ay_due[a + 1]
    h = np.zeros(A)
    at_death = np.zeros((1, 1, A))
    for k in range(A - x):  # member dies at age x + k: spouse aged y + k + 1 next year
        h[x + k] = py[k + 1]
        at_death[0, 0, x + k] = v * ay_due[min(y + k + 1, A)]
    RV = reversionary(qx[None, None, :], h, at_death, v)[0, 0, x]
    px = np.concatenate([[1.0], np.cumprod(1 - qx[x:])])
    a_y = sum(v**t * py[t] for t in range(1, A - y + 1))
    a_xy = sum(v**t * py[t] * px[t] for t in range(1, A - y + 1))
    assert RV == pytest.approx(a_y - a_xy, rel=1e-12)
