"""Financing metrics on synthetic cash flows with closed-form answers."""

import numpy as np
import pytest

from actuarial.projection.pension_metrics import (
    discount_factors, floored_reserve, general_average_premium, reserve_path, scaled_premium, steady_state_rate)


def test_reserve_grows_at_interest_without_flows():
    i = np.array([[0.05, 0.03, 0.07, 0.04]])
    F, invest = reserve_path(100.0, np.zeros((1, 4)), np.zeros((1, 4)), i)
    np.testing.assert_allclose(F[0], 100 * np.concatenate([[1], np.cumprod(1 + i[0])]), rtol=1e-15)
    np.testing.assert_allclose(invest[0], F[0, :-1] * i[0], rtol=1e-15)


def test_mid_year_flow_earns_half_a_year():
    """A single contribution of 1 at mid-year is worth sqrt(1+i) at year end."""
    F, _ = reserve_path(0.0, np.array([[1.0]]), np.array([[0.0]]), np.array([[0.21]]))
    assert F[0, 1] == pytest.approx(1.1, rel=1e-15)


def test_discounting_mid_year():
    d = np.full((1, 3), 0.1)
    v, m = discount_factors(d)
    np.testing.assert_allclose(v[0], [1, 1 / 1.1, 1 / 1.21], rtol=1e-15)
    np.testing.assert_allclose(m[0], v[0] / np.sqrt(1.1), rtol=1e-15)


def rising_costs(T=60):
    t = np.arange(T)
    ie = (100.0 * 1.03**t)[None]
    E = ie * (0.05 + 0.002 * t)[None]
    i = np.full((1, T), 0.04)
    return ie, E, i


def test_scaled_premium_keeps_the_reserve_from_falling_and_is_the_lowest():
    ie, E, i = rising_costs()
    pi = scaled_premium(50.0, ie, E, i, period=15)
    F, _ = reserve_path(50.0, pi * ie, E, i)
    net = np.diff(F[0])
    assert np.all(net >= -1e-9)
    for a in range(0, 60, 15):
        assert np.all(pi[0, a:a + 15] == pi[0, a])
        assert np.min(net[a:a + 15]) == pytest.approx(0.0, abs=1e-9)  # binding: cannot be lower
    assert np.all(np.diff(pi[0, ::15]) > 0)


def test_steady_state_rate_is_the_cpp_definition():
    """The scheduled rate over the 3-year review period, then the steady-state
    rate; assets at the end of the 10th and 60th years after the review period
    over the next year's expenditure are equal (t = 13 and 63 on 1 January)."""
    ie, E, i = rising_costs(80)
    scheduled = np.full((1, 80), 0.08)
    rate = steady_state_rate(200.0, ie, E, np.zeros_like(ie), i, scheduled)
    path = np.where(np.arange(80) < 3, 0.08, rate[:, None])
    F, _ = reserve_path(200.0, path * ie, E, i)
    assert F[0, 13] / E[0, 13] == pytest.approx(F[0, 63] / E[0, 63], rel=1e-10)
    # the review period matters: another scheduled rate gives another steady-state rate
    assert steady_state_rate(200.0, ie, E, np.zeros_like(ie), i, 2 * scheduled)[0] != pytest.approx(rate[0])
    # without a review period, the rate applies from the first year
    rate0 = steady_state_rate(200.0, ie, E, np.zeros_like(ie), i, scheduled, review=0)
    F0, _ = reserve_path(200.0, rate0[:, None] * ie, E, i)
    assert F0[0, 10] / E[0, 10] == pytest.approx(F0[0, 60] / E[0, 60], rel=1e-10)


def test_steady_state_rate_with_refunds_scaling_with_the_rate():
    ie, E, i = rising_costs(80)
    refund = 0.01 * ie
    scheduled = np.full((1, 80), 0.08)
    rate = steady_state_rate(200.0, ie - refund, E, refund, i, scheduled)
    path = np.where(np.arange(80) < 3, 0.08, rate[:, None])
    spent = E + path * refund
    F, _ = reserve_path(200.0, path * ie, spent, i)
    assert F[0, 13] / spent[0, 13] == pytest.approx(F[0, 63] / spent[0, 63], rel=1e-10)


def test_gap_with_a_target_reserve_ends_the_recursion_at_the_target():
    """Discount rate = interest rate: at the GAP the reserve recursion over h
    years ends at k x the last year's expenditure (refunds included)."""
    ie, E, i = rising_costs(60)
    refund = 0.02 * ie
    i = np.linspace(0.02, 0.06, 60)[None]
    for k, h in ((0.0, 25), (1.0, 25), (2.5, 50)):
        pi = general_average_premium(300.0, ie - refund, E, refund, i, h, k)
        spent = E + pi[:, None] * refund
        F, _ = reserve_path(300.0, (pi[:, None] * ie)[:, :h], spent[:, :h], i[:, :h])
        assert F[0, h] == pytest.approx(k * spent[0, h - 1], abs=1e-9 * E[0, h - 1])


def test_floored_reserve_pays_the_deficit_after_depletion():
    ie, E, i = rising_costs(60)
    C = 0.07 * ie
    F, invest, S = floored_reserve(100.0, C, E, i)
    assert np.all(F >= 0)
    np.testing.assert_allclose(F[0, 1:], F[0, :-1] + C[0] + S[0] + invest[0] - E[0], atol=1e-9)
    unfloored, _ = reserve_path(100.0, C, E, i)
    assert (unfloored[0, 1:] <= 0).any()
    first = int(np.argmax(unfloored[0, 1:] <= 0))  # the year the reserve runs out
    assert 0 < first < 59
    assert np.all(S[0, :first] == 0) and S[0, first] > 0
    # afterwards the reserve is empty and the state pays expenditure less contributions
    np.testing.assert_allclose(S[0, first + 1:], (E - C)[0, first + 1:], rtol=1e-12)
    assert np.all(F[0, first + 1:] == 0)


def test_gap_closed_form_constant_cost_ratio(demoland):
    """E = k IE every year and no reserve: the GAP over any horizon is k."""
    import dataclasses

    from actuarial.projection.pension_metrics import add_valuation_metrics
    import xarray as xr

    T = 30
    ie = 1e9 * 1.05 ** np.arange(T)
    ds = xr.Dataset({
        "insurable_earnings": (("scenario", "year"), ie[None]),
        "expenditure": (("scenario", "year"), 0.137 * ie[None]),
        "contribution_rate": (("year",), np.full(T, 0.1)),
    }, coords={"year": np.arange(2000, 2000 + T)})
    econ = xr.Dataset({"interest_rate": ("year", np.full(T, 0.06)),
                       "discount_rate": ("year", np.linspace(0.03, 0.08, T))},
                      coords={"year": np.arange(2000, 2000 + T)})
    pension = dataclasses.replace(demoland.pension, initial_reserve=0.0, horizons=(10, 20, 30))
    out = add_valuation_metrics(ds, pension, econ)
    np.testing.assert_allclose(out["general_average_premium"].values, 0.137, rtol=1e-14)
