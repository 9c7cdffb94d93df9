"""Life tables, mortality models and annuities against independent references."""

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from actuarial.demography.laws import gompertz_makeham, hadwiger, heligman_pollard, rogers_castro
from actuarial.demography.lifetable import annuity_factors, life_table, qx_to_mx
from actuarial.demography.mortality import brass_mx

SEX = ["female", "male"]


def as_da(mx):
    return xr.DataArray(np.asarray(mx), dims=("sex", "age"), coords={"sex": SEX})


def test_constant_force_life_expectancy():
    """Constant m at every age: l_x geometric above age 1 (a = 1/2), e_100 = 1/m."""
    m = 0.05
    lt = life_table(as_da(np.full((2, 101), m)), radix=1.0)
    q = m / (1 + 0.5 * m)
    lx = lt["lx"].sel(sex="male").values
    np.testing.assert_allclose(lx[1:51] / lx[1], (1 - q) ** np.arange(50), rtol=1e-12)
    un = life_table(as_da(np.full((2, 101), m)), radix=1.0, open_group="un")
    assert un["ex"].sel(sex="male", age=100) == pytest.approx(1 / m, rel=1e-14)
    # Gompertz extension: the fit of a constant force is that force, mu = -ln(1 - q);
    # trapezoidal L_x at ages 100..129, then l_130 / mu
    p = 1 - q
    e100 = (1 + p) / 2 * (1 - p**30) / (1 - p) + p**30 / -np.log(p)
    assert lt["ex"].sel(sex="male", age=100) == pytest.approx(e100, rel=1e-12)


def test_a0_coale_demeny_fixed_point():
    """a_0 satisfies a_0 = 0.05 + 3 q_0 (women) with q_0 = m_0 / (1 + (1 - a_0) m_0)."""
    m0 = 0.02
    lt = life_table(as_da(np.full((2, 101), 0.01) + np.eye(2, 101)[[0, 0]] * (m0 - 0.01)), radix=1.0)
    a0, q0 = float(lt["ax"].sel(sex="female", age=0)), float(lt["qx"].sel(sex="female", age=0))
    assert a0 == pytest.approx(0.05 + 3 * q0, abs=1e-14)
    assert q0 == pytest.approx(m0 / (1 + (1 - a0) * m0), abs=1e-15)


def test_qx_mx_round_trip():
    q = heligman_pollard(0.0005, 0.01, 0.1, 0.001, 10.0, 20.0, 0.00005, 1.1)
    m = qx_to_mx(q, female=True)
    lt = life_table(as_da([m, m]), radix=1.0)
    np.testing.assert_allclose(lt["qx"].sel(sex="female").values[:100], q[:100], rtol=1e-12)


def test_gompertz_makeham_is_log_linear():
    m = gompertz_makeham(a=1e-4, b=0.09, c=0.0)
    np.testing.assert_allclose(np.diff(np.log(m)), 0.09, rtol=1e-12)


def test_heligman_pollard_odds_formula():
    A, B, C, D, E, F, G, H = 0.0005, 0.01, 0.1, 0.001, 10.0, 20.0, 0.00005, 1.1
    q = heligman_pollard(A, B, C, D, E, F, G, H)
    x = 40.0
    odds = A ** ((x + B) ** C) + D * np.exp(-E * (np.log(x) - np.log(F)) ** 2) + G * H**x
    assert q[40] / (1 - q[40]) == pytest.approx(odds, rel=1e-13)


def test_patterns_sum_to_one():
    assert hadwiger(3.2, 28.0).sum() == pytest.approx(1.0)
    assert rogers_castro(0.02, 0.1, 0.06, 0.11, 20.0, 0.4, 0.003).sum() == pytest.approx(1.0)
    f = hadwiger(3.2, 28.0)
    assert (f * (np.arange(101) + 0.5)).sum() == pytest.approx(28.0, abs=0.1)


@settings(max_examples=25, deadline=None)
@given(st.floats(35.0, 90.0), st.floats(35.0, 90.0), st.floats(0.6, 1.4))
def test_brass_hits_e0_targets(e0f, e0m, beta):
    standard = np.array([qx_to_mx(heligman_pollard(0.0014, 0.035, 0.134, 0.0004, 10.8, 24.8, 2.1e-5, 1.11), True),
                         qx_to_mx(heligman_pollard(0.0016, 0.0011, 0.111, 0.0016, 16.7, 20.0, 5e-5, 1.107), False)])
    mx = brass_mx(standard, np.array([[e0f, e0m]]), beta)
    lt = life_table(as_da(mx[0]), radix=1.0)
    np.testing.assert_allclose(lt["ex"].sel(age=0).values, [e0f, e0m], atol=1e-8)


def test_brass_identity_at_standard_e0():
    """alpha = 0, beta = 1 reproduces the standard table."""
    standard = np.array([gompertz_makeham(5e-5, 0.095, 5e-4), gompertz_makeham(8e-5, 0.09, 8e-4)])
    e0 = life_table(as_da(standard), radix=1.0)["ex"].sel(age=0).values
    mx = brass_mx(standard, e0[None], 1.0)[0]
    np.testing.assert_allclose(mx, standard, rtol=1e-7)


def test_annuity_recursion_and_relations():
    q = heligman_pollard(0.0005, 0.01, 0.1, 0.001, 10.0, 20.0, 0.00005, 1.1)
    i, v = 0.035, 1 / 1.035
    whole = annuity_factors(q, i)
    np.testing.assert_allclose(whole[:100], 1 + v * (1 - q[:100]) * whole[1:], rtol=1e-13)
    # whole = temporary + deferred; immediate = due - 1
    np.testing.assert_allclose(annuity_factors(q, i, term=20) + annuity_factors(q, i, deferral=20), whole, rtol=1e-13)
    np.testing.assert_allclose(annuity_factors(q, i, due=False), whole - 1, rtol=1e-13)
    # monthly payments: Woolhouse two-term correction (m - 1) / 2m
    np.testing.assert_allclose(annuity_factors(q, i, payments_per_year=12), whole - 11 / 24, rtol=1e-13)


def test_annuity_by_simulation_of_cash_flows():
    """Independent check: expected discounted payments summed year by year."""
    q = np.full(101, 0.0)
    q[:] = np.linspace(0.001, 0.4, 101)
    i = 0.05
    x, n = 60, 15
    p = 1 - np.concatenate([q, np.full(400, q[-1])])
    surv = np.concatenate([[1.0], np.cumprod(p[x:x + 300])])
    disc = 1.05 ** -np.arange(301)
    expected_temp = (surv[:n] * disc[:n]).sum()
    assert annuity_factors(q, i, term=n)[x] == pytest.approx(expected_temp, rel=1e-13)
    expected_whole = (surv[:300] * disc[:300]).sum()
    assert annuity_factors(q, i, open_group="un")[x] == pytest.approx(expected_whole, rel=1e-12)
    # past 100: Gompertz mu_x = exp(c + b x) with the least-squares slope of ln(-ln(1 - q_x))
    # at ages 80-99, through mu_99; q_130 beyond 130
    ages = np.arange(80, 100)
    b = np.polyfit(ages, np.log(-np.log(1 - q[80:100])), 1)[0]
    c = np.log(-np.log(1 - q[99])) - b * 99
    law = 1 - np.exp(-np.exp(c + b * np.arange(101, 131)))
    p = 1 - np.concatenate([q, law, np.full(300, law[-1])])
    surv = np.concatenate([[1.0], np.cumprod(p[x:x + 300])])
    assert annuity_factors(q, i)[x] == pytest.approx((surv[:300] * disc[:300]).sum(), rel=1e-12)
