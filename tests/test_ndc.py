"""The notional defined-contribution design (``pension_ndc``): the kernel against a plain
reference written from the module's rules, the node's outputs and the schema's rules."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from actuarial.assumptions import load_assumptions
from actuarial.errors import AssumptionError
from actuarial.pipeline import run
from actuarial.projection._ndc_kernels import balance_ratio, balance_ratio_reference, payment_ages_reference
from actuarial.projection.pension_dc import annuity_factors
from actuarial.projection.pension_ndc import divisors, payment_ages, run_notional
from design_helpers import short_variant

ROOT = Path(__file__).resolve().parents[1]


def reference_notional(K, q, dens, level, scale, ceil, R, rate, nrate, i, div, par, P0, W0, N0, B0, F0, x_lo, x_hi,
                       completed=False):
    """The rules of ``pension_ndc``'s docstring in plain loops (one scenario); ``completed``: no
    stock carried, the stock completed above its oldest age (``completion``) until it holds the
    last age."""
    norm, balancing, admin = par
    T, X = K.shape[1], K.shape[3]
    P, W, N, B, F = P0.copy(), W0.copy(), N0.copy(), B0.copy(), F0
    out = {k: np.zeros(T) for k in ("paid", "fund", "ratio", "credited", "earnings")}
    out.update({k: np.zeros((T, 2)) for k in ("contributions", "awards_b", "pens_b", "capital_total")})
    b, f = 1.0, 1.0
    for t in range(T):
        w_x, wa_x = completion(N, B, q, norm, t) if completed else (0.0, 0.0)
        credit = (1 + nrate[0, t]) * f
        out["credited"][t] = credit - 1
        t1 = min(t + 1, T - 1)
        nP, nW, nN, nB = (np.zeros_like(P) for _ in range(4))
        c_age, p_age = np.zeros(X), np.zeros(X)
        for g in range(2):
            for x in range(X):
                out["pens_b"][t, g] += B[g, x]
                if N[g, x] <= 0:
                    continue
                p_age[x] += B[g, x]
                d = min(x + 1, X - 1)
                nN[g, d] += N[g, x] * (1 - q[0, t, g, x])
                nB[g, d] += B[g, x] * (1 - q[0, t, g, x]) * credit / (1 + norm)
            for x in range(x_lo, x_hi + 1):
                k = K[0, t, g, x] if x < R[t, g] else 0.0
                P[g, x] = max(P[g, x], k)
                out["capital_total"][t, g] += W[g, x]
                ie = k * dens[g, x] * min(level[0, t, g] * scale[x], ceil[0, t])
                out["earnings"][t] += ie
                c = rate[0, t] * ie
                out["contributions"][t, g] += c
                c_age[x] += c
                nP[g, x + 1] += P[g, x] * (1 - q[0, t, g, x])
                nW[g, x + 1] += W[g, x] * credit + c * math.sqrt(credit)
            for x in range(max(R[t1, g], x_lo), x_hi + 2):
                if nP[g, x] <= 0:
                    continue
                out["awards_b"][t, g] += nW[g, x] / div[0, t1, g, x]
                nN[g, x] += nP[g, x]
                nB[g, x] += nW[g, x] / div[0, t1, g, x]
                nP[g, x] = nW[g, x] = 0.0
        C, E = c_age.sum(), p_age.sum() * (1 + admin)
        out["paid"][t], out["fund"][t] = E, F
        root = math.sqrt(1 + i[0, t])
        deficit = max(E - C - F * root, 0.0)
        F = 0.0 if deficit > 0 else max(F * (1 + i[0, t]) + (C - E) * root, 0.0)
        if E == 0:
            br = np.nan
        elif w_x > 0:
            a_c = sum(x * c_age[x] for x in range(X)) / C
            a_r = (sum(x * p_age[x] for x in range(X)) + wa_x) / (p_age.sum() + w_x)
            liab = sum(nW[g, x] + nB[g, x] * div[0, t1, g, x] for g in range(2) for x in range(X))
            br = (F + C * (a_r - a_c)) / liab
        else:
            br = balance_ratio_reference(F, C, c_age, p_age, nW.ravel(), nB.ravel(), div[0, t1].ravel())[0]
        out["ratio"][t] = br
        if balancing and E > 0 and (b < 1 or br < 1):  # no pensions paid: no turnover duration
            new = min(b * br, 1.0)
            f, b = new / b, new
        else:
            f = 1.0
        P, W, N, B = nP, nW, nN, nB
    return out


def completion(N, B, q, norm, t, years=4000):
    """The stock completion by forward sums: by sex, r and top the youngest and oldest ages held,
    the expected payments of the age-r pensions B[r] at the ages above top, B[r] u^k kp_r
    (u = 1 / (1 + norm), kp_r along the cohort's diagonal of the unisex mean of q, years past the
    projection and ages past the last at the last's), and their sum weighted by the age paid
    (the open last age X - 1 for all older; 4,000 years: the open age's q may be small); none for a
    sex whose stock holds the last age."""
    T, X = q.shape[1], q.shape[3]
    qu = q[0].mean(axis=1)  # (T, X): the unisex divisors' mortality
    w, wa = 0.0, 0.0
    for g in range(2):
        held = np.flatnonzero(N[g] > 0)
        if not held.size or held[-1] >= X - 1:
            continue
        r, top = held[0], held[-1]
        p = 1.0
        for k in range(years):
            age = min(r + k, X - 1)
            if r + k > top:
                w += B[g, r] * p / (1 + norm) ** k
                wa += age * B[g, r] * p / (1 + norm) ** k
            p *= 1 - qu[min(t + k, T - 1), age]
    return w, wa


@pytest.mark.parametrize("F0", [0.0, 1e9])  # no buffer fund: the brake works; a large one: it does not
def test_notional_kernel_matches_the_plain_reference(F0):
    rng = np.random.default_rng(5)
    T, X, x_lo = 9, 14, 2
    R = np.array([[9, 10]] * 4 + [[8, 9]] * 5, dtype=np.int64)
    K = rng.uniform(50, 100, (1, T, 2, X))
    q = rng.uniform(0.0, 0.15, (1, T, 2, X))
    dens = rng.uniform(0.5, 1.0, (2, X))
    level = rng.uniform(900, 1100, (1, T, 2))
    scale = rng.uniform(0.8, 1.5, X)
    ceil = np.full((1, T), 1300.0)
    rate, nrate, i = rng.uniform(0.1, 0.2, (1, T)), rng.uniform(-0.03, 0.05, (1, T)), rng.uniform(0, 0.05, (1, T))
    div = divisors(q, 0.016, True)
    par = np.array([0.016, 1.0, 0.02])
    P0, W0 = rng.uniform(0, 120, (2, X)), rng.uniform(0, 5e5, (2, X))
    N0, B0 = rng.uniform(0, 30, (2, X)), rng.uniform(0, 3e4, (2, X))
    got = run_notional(K, q, dens, level, scale, ceil, R, rate, nrate, i, div, par, P0, W0, N0, B0, F0, x_lo, 9)
    want = reference_notional(K, q, dens, level, scale, ceil, R, rate, nrate, i, div, par, P0, W0, N0, B0, F0,
                              x_lo, 9)
    for name, value in want.items():
        np.testing.assert_allclose(got[name][0], value, rtol=1e-10, atol=1e-6, err_msg=name)
    braked = (got["ratio"][0] < 1).any()
    assert braked == (F0 == 0.0)  # the case exercises both branches


@pytest.mark.parametrize("X", [14, 24])  # the stock reaches the last age (then measured), or not in 12 years
def test_notional_kernel_stock_completion_matches_the_plain_reference(X):
    """A new scheme (no pensions at the start): NaN ratio before the first pensions, then the
    stock completed above its oldest age by expected payments until it holds the last age, then
    measured."""
    rng = np.random.default_rng(7)
    T, x_lo = 12, 2
    R = np.array([[9, 10]] * T, dtype=np.int64)
    K = rng.uniform(50, 100, (1, T, 2, X))
    q = rng.uniform(0.0, 0.15, (1, T, 2, X))
    dens, level, scale = rng.uniform(0.5, 1.0, (2, X)), rng.uniform(900, 1100, (1, T, 2)), rng.uniform(0.8, 1.5, X)
    ceil = np.full((1, T), 1300.0)
    rate, nrate, i = rng.uniform(0.1, 0.2, (1, T)), rng.uniform(-0.03, 0.05, (1, T)), rng.uniform(0, 0.05, (1, T))
    div = divisors(q, 0.016, True)
    pay = payment_ages(q, 0.016, True)
    par = np.array([0.016, 1.0, 0.02])
    P0, W0 = rng.uniform(0, 120, (2, X)), rng.uniform(0, 5e5, (2, X))
    N0 = B0 = np.zeros((2, X))
    got = run_notional(K, q, dens, level, scale, ceil, R, rate, nrate, i, div, par, P0, W0, N0, B0, 0.0, x_lo, 9,
                       pay_age=pay)
    want = reference_notional(K, q, dens, level, scale, ceil, R, rate, nrate, i, div, par, P0, W0, N0, B0, 0.0,
                              x_lo, 9, completed=True)
    for name, value in want.items():
        np.testing.assert_allclose(got[name][0], value, rtol=1e-10, atol=1e-6, err_msg=name)
    m = got["measured"][0]
    # the first pensions are paid in year 1 (awards at 1 January from ages 9-10 on); the oldest held
    # age on 1 January t >= 1 is 9 + t (the insured aged x_hi = 9 at the start retire at 10 in year 0)
    first_full = next((t for t in range(1, T) if 9 + t >= X - 1), T)
    assert np.isnan(got["ratio"][0, 0]) and np.isnan(m[0]) and (m[1:first_full] == 0).all()
    assert (m[first_full:] == 1).all() and (first_full < T) == (X == 14)


def test_payment_ages_kernel_matches_forward_sums():
    rng = np.random.default_rng(4)
    q = rng.uniform(0.08, 0.3, (2, 5, 2, 8))  # the forward sums' 400-year tail below 1e-12
    np.testing.assert_allclose(payment_ages(q, 0.016, False), payment_ages_reference(q, 0.016), rtol=1e-12)
    unisex = payment_ages(q, 0.016, True)
    np.testing.assert_array_equal(unisex[:, :, 0], unisex[:, :, 1])


def test_balance_ratio_kernel_matches_the_reference():
    rng = np.random.default_rng(2)
    args = [rng.uniform(0, 10, 30) for _ in range(5)]
    got = balance_ratio(123.0, 55.0, *args)
    np.testing.assert_allclose(got, balance_ratio_reference(123.0, 55.0, *args), rtol=1e-12)


def test_unisex_divisors_are_the_mean_mortality_annuity():
    rng = np.random.default_rng(3)
    q = rng.uniform(0.01, 0.2, (1, 4, 2, 6))
    qm = np.broadcast_to(q.mean(axis=2, keepdims=True), q.shape).copy()
    np.testing.assert_allclose(divisors(q, 0.016, True), annuity_factors(qm, 0.016, 0.0), rtol=1e-14)
    assert not np.allclose(divisors(q, 0.016, False)[:, :, 0], divisors(q, 0.016, False)[:, :, 1])


@pytest.fixture(scope="module")
def ndc_tree():
    return run(load_assumptions(ROOT / "assumptions" / "designs" / "demoland_ndc.yaml"))


def test_ndc_node_has_the_db_and_notional_outputs(ndc_tree):
    p = ndc_tree["pension"].to_dataset()
    assert p.attrs["design"] == "notional"
    for name in ("payg_cost_rate", "reserve", "general_average_premium", "depletion_year", "expenditure",
                 "contribution_income", "deficit_after_depletion_gdp", "balance_ratio", "notional_capital",
                 "contribution_asset", "turnover_duration", "pension_liability", "notional_rate",
                 "annuity_divisor", "accrued_liability_gdp"):
        assert "long_name" in p[name].attrs and "units" in p[name].attrs, name
    np.testing.assert_allclose(p["notional_capital"].sum("age"), p["notional_capital_total"], rtol=1e-12)
    # Sweden's definition on the node's own variables
    np.testing.assert_allclose(p["contribution_asset"], p["contribution_income"] * p["turnover_duration"],
                               rtol=1e-12)
    np.testing.assert_allclose(p["balance_ratio"], (p["reserve_end"] + p["contribution_asset"])
                               / p["pension_liability"], rtol=1e-10)


def test_brake_lowers_pensions_when_the_fund_is_short(tmp_path):
    """Demoland with no reserve and a low contribution rate: the ratio falls below 1, the brake cuts
    the credited rate below the wage bill's growth; without the brake it is the wage bill's growth."""
    rates = {}
    for balancing in ("true", "false"):
        f = tmp_path / f"ndc_{balancing}.yaml"
        f.write_text(f"extends: {ROOT / 'assumptions' / 'designs' / 'demoland_ndc.yaml'}\n"
                     f"case: {{name: ndc_{balancing}}}\n"
                     "pension:\n  initial: {reserve: 0.0}\n"
                     f"  notional: {{balancing: {balancing}, initial_capital: 60.0}}\n")
        p = run(load_assumptions(f))["pension"]
        rates[balancing] = p
    on, off = rates["true"], rates["false"]
    assert float(off["balance_ratio"].min()) < 1
    assert float((on["notional_rate"] - off["notional_rate"]).min()) < -1e-4
    assert float(on["pension_amounts"].sum().values) < float(off["pension_amounts"].sum().values)


def test_notional_block_needs_its_design(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text(f"extends: {ROOT / 'assumptions' / 'demoland.yaml'}\npension:\n  notional: {{norm: 0.016}}\n")
    with pytest.raises(AssumptionError, match="notional"):
        load_assumptions(f)
    g = tmp_path / "bad2.yaml"
    g.write_text(f"extends: {ROOT / 'assumptions' / 'designs' / 'demoland_ndc.yaml'}\n"
                 "pension:\n  notional: {notional_rate: index}\n")
    with pytest.raises(AssumptionError, match="index"):
        load_assumptions(g)


# -- reforms between designs (pension.transition) ---------------------------------------------

def test_db_to_db_transition_changes_nothing(tmp_path):
    base = run(load_assumptions(short_variant(tmp_path, "demoland.yaml", "same")))
    moved = run(load_assumptions(short_variant(tmp_path, "demoland.yaml", "same",
                                        "  transition: {year: 2030, to: defined_benefit}\n")))
    for node in ("pension", "fiscal_space"):  # bit-identical values and labels (the file's hash differs)
        a, b = base[node].to_dataset(), moved[node].to_dataset()
        for ds in (a, b):
            for key in ("assumptions_hash", "source"):
                ds.attrs.pop(key, None)
        assert a.identical(b), node


@pytest.fixture(scope="module")
def reform_tree():
    return run(load_assumptions(ROOT / "assumptions" / "designs" / "demoland_ndc_reform.yaml"))


def test_reform_splits_contributions_and_keeps_the_legacy(reform_tree):
    p = reform_tree["pension"].to_dataset()
    assert p.attrs["design"] == "notional" and p.attrs["transition_year"] == 2030
    years = p["year"].values
    new_c = p["contribution_income"].values[0]
    old_c = p["legacy_contribution_income"].values[0]
    assert (new_c[years < 2030] == 0).all() and (new_c[years >= 2030] > 0).all()
    assert (old_c[years >= 2030] == 0).all() and (old_c[years < 2030] > 0).all()
    # the legacy pays pensions long after 2030 (accrued rights kept), but they die out with its members
    legacy = p["legacy_expenditure"].values[0]
    assert legacy[years == 2060][0] > 0 and legacy[-1] < 0.05 * legacy.max()
    # the fiscal stage sees the transition cost: the legacy's deficit plus the new design's
    cost = reform_tree["fiscal_space"]["cost_gdp"].sel(item="pension_subsidy").values.ravel()
    want = (p["legacy_deficit_after_depletion_gdp"]).values.ravel()
    assert want.max() > 0
    np.testing.assert_allclose(cost, p["deficit_after_depletion_gdp"].values.ravel(), rtol=1e-12)
    assert (p["deficit_after_depletion_gdp"].values.ravel() >= want - 1e-15).all()


def test_frozen_credits_stop_db_accruals(tmp_path):
    """The legacy's pensions awarded after the reform follow the credits accrued before it: with the
    reform in the second year, new DB pensions are far below the unreformed scheme's."""
    base = run(load_assumptions(short_variant(tmp_path, "demoland.yaml", "db")))["pension"]
    reform = run(load_assumptions(short_variant(tmp_path, "designs/demoland_ndc_reform.yaml", "early",
                                         "  transition: {year: 2026, to: notional}\n")))["pension"]
    late = base["year"] > 2050
    assert float(reform["legacy_pension_amounts"].where(late).sum()) < 0.6 * float(
        base["pension_amounts"].where(late).sum())


def test_transition_rules(tmp_path):
    bad = short_variant(tmp_path, "demoland.yaml", "bad", "  transition: {year: 2030, to: notional}\n")
    with pytest.raises(AssumptionError, match="notional"):
        load_assumptions(bad)  # no notional block
    late = short_variant(tmp_path, "designs/demoland_ndc_reform.yaml", "late", "  transition: {year: 2100, to: notional}\n")
    with pytest.raises(AssumptionError, match="transition"):
        load_assumptions(late)  # after the 40-year projection


def test_compare_db_dc_and_ndc_side_by_side():
    from actuarial.batch import combine
    from actuarial.compare import headlines, only_in
    from actuarial.pipeline import side_by_side

    trees = {name: run(load_assumptions(ROOT / "assumptions" / f))
             for name, f in (("db", "demoland.yaml"), ("dc", "designs/demoland_dc.yaml"),
                             ("ndc", "designs/demoland_ndc.yaml"))}
    ds = side_by_side(trees, "pension")
    assert list(ds["case"].values) == ["db", "dc", "ndc"]
    assert np.isfinite(ds["payg_cost_rate"]).all()  # what all three designs have, compared
    assert "balance_ratio" in ds.attrs["only_in_ndc"] and "balance_ratio" not in ds
    combined = combine(trees)  # batch.nc: the pension node across designs (an outer join of variables)
    assert "pension" in combined.children
    np.testing.assert_array_equal(combined["pension"]["balance_ratio"].sel(case="ndc"),
                                  trees["ndc"]["pension"]["balance_ratio"])
    assert np.isnan(combined["pension"]["balance_ratio"].sel(case="db")).all()
    frame = headlines(trees)
    assert {"db", "dc", "ndc"} <= set(frame.columns)
    assert any("balance_ratio" in line for line in only_in(trees))


def test_converted_rights_become_notional_capital(tmp_path):
    """accrued_rights: converted: the new design's capital on 1 January of the year exceeds the kept
    reform's by the conversion's value exactly; the legacy awards no old-age pension after it (its
    insured left with their rights); the value is reported / GDP."""
    conv = "  transition: {year: 2030, to: notional, accrued_rights: converted, conversion: {rate: 0.016}}\n"
    kept = run(load_assumptions(short_variant(tmp_path, "designs/demoland_ndc_reform.yaml", "kept")))["pension"]
    moved = run(load_assumptions(short_variant(tmp_path, "designs/demoland_ndc_reform.yaml", "conv", conv)))["pension"]
    value = float(moved["conversion_value"].values.ravel()[0])
    assert value > 0 and float(moved["conversion_value_gdp"].values.ravel()[0]) > 0.05
    jump = (moved["notional_capital_total"] - kept["notional_capital_total"]).sel(year=2030).sum().values
    assert float(jump) == pytest.approx(value, rel=1e-12)
    assert float((moved["notional_capital_total"] - kept["notional_capital_total"]).sel(year=2029).sum()) == 0
    assert float(moved["converted_capital"].sum()) == pytest.approx(value, rel=1e-12)
    old = moved["legacy_pensioners_total"].sel(benefit_type="old_age").sum("sex")
    # old-age pensioners only decline from 2030 (no awards to the converted insured); kept: awards go on
    assert np.all(np.diff(old.sel(year=slice(2030, None)).values.ravel()) < 0)
    kept_old = kept["legacy_pensioners_total"].sel(benefit_type="old_age").sum("sex")
    assert float(kept_old.sel(year=2040).sum()) > float(old.sel(year=2040).sum())
    assert "converted" in moved["legacy_expenditure"].attrs["long_name"]


def test_converted_rights_into_accounts_are_recognition_bonds(tmp_path):
    """To individual accounts: recognition bonds, paid by the state in the year (fiscal item)."""
    dc = ("  design: defined_benefit\n  transition: {year: 2030, to: defined_contribution, "
          "accrued_rights: converted, conversion: {rate: 0.04}}\n")
    tree = run(load_assumptions(short_variant(tmp_path, "designs/demoland_dc.yaml", "dcconv", dc)))
    p = tree["pension"]
    bonds = p["recognition_bonds"].values.ravel()
    years = p["year"].values
    assert bonds[years == 2030][0] == pytest.approx(float(p["conversion_value"].values.ravel()[0]), rel=1e-12)
    assert np.all(bonds[years != 2030] == 0)
    item = tree["fiscal_space"]["cost_gdp"].sel(item="recognition_bonds").values.ravel()
    np.testing.assert_allclose(item, p["recognition_bonds_gdp"].values.ravel())


def test_reform_balance_ratio_without_pensioners_of_its_own(reform_tree):
    """The reformed scheme pays its first pensions in 2031: no balance ratio before (NaN, skipped by
    the console's lowest), then the stock completed by expected payments (it does not hold the last
    age yet), labelled."""
    from actuarial.report.console import pension_summary

    p = reform_tree["pension"].to_dataset().isel(scenario=0)
    years = p["year"].values
    br, rule = p["balance_ratio"].values, p["turnover_duration_measured"].values
    paid = p["benefit_expenditure"].sum("benefit_type").values > 0
    assert (np.isnan(br) == ~paid).all() and years[paid].min() == 2031
    assert rule[years == 2031][0] == 0 and rule[-1] == 1  # mature by the horizon
    assert "completed by expected payments 2031-" in p.attrs["turnover_rule"]
    assert "not yet holding the last age" in p.attrs["turnover_rule"]
    assert "completed above its oldest age" in p["balance_ratio"].attrs["long_name"]
    line = next(x for x in pension_summary(reform_tree).splitlines() if x.startswith("Design: notional"))
    assert f"{np.nanmin(br):.4f} (lowest, years with pensions paid)" in line
    assert "completed by expected payments" in line
