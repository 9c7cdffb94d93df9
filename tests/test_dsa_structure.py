"""fiscal_space DSA, issue 20 items 1-3: debt decomposition, gross financing needs, the
effective interest rate from the debt's structure (fiscal_space.decomposition,
fiscal_space.financing_needs)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fiscal_space as fs
from actuarial.errors import AssumptionError
from fiscal_space.decomposition import COMPONENTS, decompose
from fiscal_space.financing_needs import Profile, structure_path
from test_fiscal_space import BASE, D0, G, H, PB, R, closed_form, run, spec, write

PROFILE = {"short_term_share": 0.2, "average_maturity": 8.0}
RATES = {"existing_rate": 0.05, "marginal_rate": {"short": 0.04, "long": 0.07}}


def with_profile(**profile):
    return spec(**{"fiscal_space.debt_profile": profile})


def fx_spec(**changes):
    """Inflation, a foreign-currency share and a depreciating currency, so every component is non-zero."""
    doc = spec(**{"fiscal_space.baseline.inflation": {BASE: 0.04, BASE + H: 0.02},
                  "fiscal_space.baseline.foreign_currency_share": 0.3,
                  "fiscal_space.baseline.exchange_rate": {BASE - 1: 95.0, BASE: 100.0, BASE + H: 140.0},
                  "fiscal_space.baseline.stock_flow_adjustment_gdp": 0.003, **changes})
    return doc


def test_the_components_sum_to_the_change_every_year(tmp_path):
    ds = run(tmp_path, fx_spec())
    c = ds["debt_change_contribution"]
    assert c.dims == ("year", "reform", "component")
    assert list(c["component"].values) == list(COMPONENTS)
    d = ds["debt_gdp"]
    change = (d.shift(year=-1) - d).isel(year=slice(None, -1))
    total = c.sum("component").isel(year=slice(None, -1))
    np.testing.assert_allclose(total.values, change.values, rtol=0, atol=1e-15)
    residual = c.sel(component="residual").values
    assert np.abs(residual).max() <= 1e-15  # explained by the flows themselves, not by the residual
    for k in COMPONENTS[:-1]:  # each flow is at work in this case
        assert np.abs(c.sel(component=k).values).max() > 1e-4, k


def test_the_components_from_their_definitions(tmp_path):
    """Each component by hand from the IMF template's formulas, in a plain loop."""
    ds = run(tmp_path, fx_spec())
    years = ds["year"].values
    g = G
    pi = np.interp(years - 1, [BASE, BASE + H], [0.04, 0.02])
    x = np.interp(years, [BASE - 1, BASE, BASE + H], [95.0, 100.0, 140.0])
    x_prev = np.interp(years - 1, [BASE - 1, BASE, BASE + H], [95.0, 100.0, 140.0])
    e = x / x_prev - 1
    c = ds["debt_change_contribution"].sel(reform="without")
    d = ds["debt_gdp"].sel(reform="without").values
    pb = ds["primary_balance_gdp"].sel(reform="without").values
    for t in range(years.size):
        n1 = (1 + g) * (1 + pi[t])
        want = {"interest_rate": d[t] * R / n1, "inflation": -d[t] * pi[t] * (1 + g) / n1,
                "real_growth": -d[t] * g / n1, "exchange_rate": d[t] * 0.3 * e[t] * (1 + R) / n1,
                "primary_deficit": -pb[t], "stock_flow_adjustment": 0.003}
        for k, v in want.items():
            assert float(c.sel(component=k).isel(year=t)) == pytest.approx(v, rel=1e-12, abs=1e-15), (k, t)


def test_decompose_vectorised_over_a_leading_axis():
    rng = np.random.default_rng(1)
    T = 12
    r, g, pi, a, e = (rng.uniform(0, 0.08, (3, T)) for _ in range(5))
    pb, sfa = rng.uniform(-0.02, 0.02, (3, T)), rng.uniform(-0.01, 0.01, (3, T))
    f = (1 + r) * (1 + a * e) / ((1 + g) * (1 + pi))
    d = fs.debt_path(np.array([0.4, 0.6, 0.9]), f, pb, sfa, extra_step=True)
    parts = decompose(d, r, g, pi, a, e, pb, sfa)
    assert parts.shape == (3, T, len(COMPONENTS))
    np.testing.assert_allclose(parts.sum(-1), np.diff(d, axis=-1), rtol=0, atol=1e-15)
    assert np.abs(parts[..., -1]).max() < 1e-15
    one = decompose(d[1], r[1], g[1], pi[1], a[1], e[1], pb[1], sfa[1])
    np.testing.assert_array_equal(one, parts[1])


def test_without_a_profile_no_financing_needs_and_the_debt_unchanged(tmp_path):
    ds = run(tmp_path, fx_spec())
    assert "gross_financing_needs_gdp" not in ds and "effective_interest_rate" not in ds
    prof = run(tmp_path, fx_spec(**{"fiscal_space.debt_profile": PROFILE}))
    names = [k for k in ds.data_vars]
    xr.testing.assert_identical(ds[names].drop_attrs(), prof[names].drop_attrs())
    assert "effective_interest_rate" not in prof


def test_gross_financing_needs_identity_and_amortisation(tmp_path):
    ds = run(tmp_path, fx_spec(**{"fiscal_space.debt_profile": PROFILE}))
    gfn = ds["gross_financing_needs_gdp"]
    want = ds["interest_payments_gdp"] + ds["amortisation_gdp"] - ds["primary_balance_gdp"] + 0.003
    np.testing.assert_allclose(gfn.values, want.values, rtol=0, atol=1e-15)
    np.testing.assert_allclose(ds["gross_financing_needs"].values, (gfn * ds["gdp"]).values, rtol=1e-15)
    # year 0: short-term debt 0.2 d0 all repaid, 1/8 of the rest; in GDP of the base year
    n0 = (1 + G) * (1 + 0.04) - 1
    assert float(ds["amortisation_gdp"].sel(reform="without").isel(year=0)) == pytest.approx(
        (0.2 * D0 + 0.8 * D0 / 8) / (1 + n0), rel=1e-14)


def _hand_rollover(d0, years, n, pb, sfa, sigma, m, re, rs, rl, threshold=None, bp=0.0):
    """Two buckets (short, long) with long-term vintages tracked one by one, in a plain loop."""
    short, existing, vintages = sigma * d0, (1 - sigma) * d0, []  # vintages: [balance, rate]
    debt, rate, gfns = [d0], [], []
    for t in range(years):
        d_open = short + existing + sum(v[0] for v in vintages)
        prem = 0.0 if threshold is None else bp / 10000 * max(0.0, d_open - threshold) * 100
        g1 = 1 + n
        short, existing = short / g1, existing / g1
        for v in vintages:
            v[0] /= g1
        interest = short * (rs + prem) + existing * re + sum(b * r for b, r in vintages)
        rate.append(interest / (d_open / g1))
        amort = short + existing / m + sum(b / m for b, _ in vintages)
        gfn = interest + amort - pb + sfa
        gfns.append(gfn)
        existing -= existing / m
        for v in vintages:
            v[0] -= v[0] / m
        vintages.append([(1 - sigma) * gfn, rl + prem])
        short = sigma * gfn
        debt.append(short + existing + sum(v[0] for v in vintages))
    return np.array(debt), np.array(rate), np.array(gfns)


@pytest.mark.parametrize("premium", [None, (0.55, 8.0)])
def test_structure_path_against_a_plain_rollover(premium):
    T, n, pb, sfa = 15, 0.05, -0.01, 0.002
    prof = Profile(np.full(T, 0.25), 6.0, None, np.full(T, 0.05), np.full(T, 0.03), np.full(T, 0.08),
                   *(premium or (None, 0.0)))
    p = structure_path(0.6, np.full(T, n), 0.0, 0.0, np.full(T, pb), np.full(T, sfa), prof)
    d, r, gfn = _hand_rollover(0.6, T, n, pb, sfa, 0.25, 6.0, 0.05, 0.03, 0.08,
                               *(premium or (None, 0.0)))
    np.testing.assert_allclose(p.debt, d, rtol=1e-13)
    np.testing.assert_allclose(p.effective_rate, r, rtol=1e-13)
    np.testing.assert_allclose(p.gross_financing_needs_gdp, gfn, rtol=1e-13)
    if premium:
        assert p.risk_premium.max() > 0


def test_flat_rates_give_the_closed_form(tmp_path):
    flat = {**PROFILE, "existing_rate": R, "marginal_rate": {"short": R, "long": R}}
    ds = run(tmp_path, with_profile(**flat))
    t = ds["year"].values - BASE
    np.testing.assert_allclose(ds["effective_interest_rate"].values, R, rtol=1e-14)
    np.testing.assert_allclose(ds["debt_gdp"].sel(reform="without").values, closed_form(D0, R, G, PB, t),
                               rtol=1e-13)


def test_the_premium_raises_the_reforms_own_interest_cost(tmp_path):
    doc = with_profile(**PROFILE, **RATES, risk_premium={"threshold_gdp": 0.6, "basis_points_per_point": 10.0})
    doc["fiscal_space"]["options"] = {"borrowing": {"max_gdp": 0.05, "cost": 1.0}}  # the reform borrowed
    ds = run(tmp_path, doc)
    d = ds["debt_gdp"]
    prem = ds["risk_premium"]
    want = 10.0 * 1e-2 * np.maximum(0.0, d - 0.6)  # on the debt on 1 January (previous year's end)
    np.testing.assert_allclose(prem.values, want.values, rtol=1e-13, atol=1e-16)
    rate = ds["effective_interest_rate"]
    assert (d.sel(reform="with") > d.sel(reform="without")).values[1:].all()
    assert (rate.sel(reform="with") > rate.sel(reform="without")).values[2:].all()
    # the decomposition uses each path's own effective rate: still exact
    c = ds["debt_change_contribution"]
    assert np.abs(c.sel(component="residual").values).max() <= 1e-15


def test_rated_profile_needs_no_baseline_interest_rate(tmp_path):
    doc = with_profile(**PROFILE, **RATES)
    del doc["fiscal_space"]["baseline"]["interest_rate"]
    ds = run(tmp_path, doc)
    assert np.isfinite(ds["interest_rate"].values).all()
    assert "debt_profile" in ds["interest_rate"].attrs["long_name"]


@pytest.mark.parametrize("profile, key", [
    ({"short_term_share": 0.2}, "debt_profile.average_maturity"),
    ({**PROFILE, "existing_rate": 0.05}, "debt_profile.marginal_rate"),
    ({**PROFILE, "short_term_share": 1.5}, "debt_profile.short_term_share"),
    ({**PROFILE, "average_maturity": 0.5}, "debt_profile.average_maturity"),
    ({**PROFILE, **RATES, "marginal_rate": {"short": 0.04}}, "debt_profile.marginal_rate.long"),
    ({**PROFILE, "risk_premium": {"threshold_gdp": 0.6, "basis_points_per_point": 5}}, "debt_profile.risk_premium"),
    ({**PROFILE, **RATES, "risk_premium": {"threshold_gdp": 0.6, "basis_points_per_point": -1}},
     "debt_profile.risk_premium.basis_points_per_point"),
])
def test_bad_profile_one_clear_error(tmp_path, profile, key):
    with pytest.raises(AssumptionError) as err:
        fs.load_fiscal(write(tmp_path, with_profile(**profile)))
    assert key in err.value.key, err.value


def test_the_premium_cap(tmp_path):
    prem = {"threshold_gdp": 0.6, "basis_points_per_point": 50.0, "max_basis_points": 150.0}
    doc = with_profile(**PROFILE, **RATES, risk_premium=prem)
    doc["fiscal_space"]["baseline"]["primary_expenditure_gdp"] = 0.25  # a deficit: debt rises past 0.6 + 3 points
    ds = run(tmp_path, doc)
    d = ds["debt_gdp"].sel(reform="without")
    want = np.minimum(50.0 * 1e-2 * np.maximum(0.0, d - 0.6), 0.015)
    np.testing.assert_allclose(ds["risk_premium"].sel(reform="without").values, want.values, rtol=1e-13, atol=1e-16)
    assert float(ds["risk_premium"].max()) == pytest.approx(0.015) and (d > 0.63).any()
