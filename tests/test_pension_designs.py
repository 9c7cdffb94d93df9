"""The pension stage's designs: defined contribution kernels against plain references, the
design dispatch, the points design and the fiscal stage's reading of the state's top-up."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate

from actuarial.assumptions import load_assumptions
from actuarial.pipeline import run
from actuarial.projection import _dc_kernels as kern
from actuarial.projection.pension_dc import annuity_factors, run_accounts
from design_helpers import short_variant

ROOT = Path(__file__).resolve().parents[1]


def test_annuity_factors_match_the_plain_sum():
    rng = np.random.default_rng(3)
    q = rng.uniform(0.01, 0.3, (2, 6, 2, 9))
    q[..., -1] = 0.4  # the open age: the plain sum's tail is negligible
    got = annuity_factors(q, 0.04, 0.01)
    np.testing.assert_allclose(got, kern.annuity_factors_reference(q, 0.04, 0.01), rtol=1e-12)


@pytest.mark.parametrize("cv", [0.0, 0.3, 1.2])
@pytest.mark.parametrize("mean", [50.0, 100.0, 180.0])
def test_top_up_is_the_lognormal_expectation(mean, cv):
    G = 100.0
    if cv == 0:
        expected = max(G - mean, 0.0)
    else:
        s2 = math.log(1 + cv * cv)
        mu = math.log(mean) - s2 / 2

        def f(y):
            return (G - y) * math.exp(-(math.log(y) - mu) ** 2 / (2 * s2)) / (y * math.sqrt(2 * math.pi * s2))
        expected = integrate.quad(f, 0.0, G, epsabs=1e-12, epsrel=1e-12, limit=200)[0]
    assert kern.top_up(G, mean, cv) == pytest.approx(expected, rel=1e-9, abs=1e-10)


def reference_accounts(K, q, dens, level, scale, ceil, R, rate, ret, gmin, af, par, P0, W0, N0, B0, x_lo, x_hi):
    """The rules of ``pension_dc``'s docstring in plain loops (one scenario)."""
    fee_c, fee_b, a, w, load, esc, elig, cv = par
    T, X = K.shape[1], K.shape[3]
    P, W, N, B = P0.copy(), W0.copy(), N0.copy(), B0.copy()
    U, V = np.zeros_like(N), np.zeros_like(N)
    out = {k: np.zeros((T, 2)) for k in ("contributions", "fees", "invest", "lumps", "premiums", "withdrawals",
                                         "bequests", "awards_b", "awards_u", "topups_paid", "balance_total")}
    for t in range(T):
        r = ret[0, t]
        t1 = min(t + 1, T - 1)
        nP, nW, nN, nB, nU, nV = (np.zeros_like(P) for _ in range(6))
        for g in range(2):
            for x in range(X):
                if N[g, x] <= 0:
                    continue
                qx = q[0, t, g, x]
                out["topups_paid"][t, g] += U[g, x] * (1 - qx / 2)
                wd = V[g, x] / af[0, t, g, x]
                out["withdrawals"][t, g] += wd
                out["invest"][t, g] += (V[g, x] - wd) * r
                out["fees"][t, g] += fee_b * (V[g, x] - wd) * (1 + r)
                end = (V[g, x] - wd) * (1 + r) * (1 - fee_b)
                out["bequests"][t, g] += qx * end
                d = min(x + 1, X - 1)
                nN[g, d] += N[g, x] * (1 - qx)
                nB[g, d] += B[g, x] * (1 - qx) * (1 + esc)
                nU[g, d] += U[g, x] * (1 - qx) * (1 + esc)
                nV[g, d] += end * (1 - qx)
            for x in range(x_lo, x_hi + 1):
                k = K[0, t, g, x] if x < R[t, g] else 0.0
                P[g, x] = max(P[g, x], k)
                out["balance_total"][t, g] += W[g, x]
                c = rate[0, t] * k * dens[g, x] * min(level[0, t, g] * scale[x], ceil[0, t])
                out["contributions"][t, g] += c
                grown = W[g, x] * (1 + r) + c * (1 - fee_c) * math.sqrt(1 + r)
                out["invest"][t, g] += grown - W[g, x] - c * (1 - fee_c)
                out["fees"][t, g] += fee_c * c + fee_b * grown
                end = grown * (1 - fee_b)
                out["bequests"][t, g] += q[0, t, g, x] * end
                nP[g, x + 1] += P[g, x] * (1 - q[0, t, g, x])
                nW[g, x + 1] += end * (1 - q[0, t, g, x])
            for x in range(max(R[t1, g], x_lo), x_hi + 2):
                n, bal = nP[g, x], nW[g, x]
                if n <= 0:
                    continue
                factor = (1 + load) * af[0, t1, g, x]
                out["lumps"][t, g] += (1 - a - w) * bal
                out["premiums"][t, g] += a * bal
                out["awards_b"][t, g] += a * bal / factor
                out["awards_u"][t, g] += n * elig * kern.top_up(gmin[0, t1], bal / (n * factor), cv)
                nN[g, x] += n
                nB[g, x] += a * bal / factor
                nU[g, x] += n * elig * kern.top_up(gmin[0, t1], bal / (n * factor), cv)
                nV[g, x] += w * bal
                nP[g, x] = nW[g, x] = 0.0
        P, W, N, B, U, V = nP, nW, nN, nB, nU, nV
    return out


def test_accounts_kernel_matches_the_plain_reference():
    rng = np.random.default_rng(11)
    T, X, x_lo = 7, 12, 2
    R = np.array([[8, 9]] * 3 + [[7, 8]] * 4, dtype=np.int64)  # a falling pensionable age: several retire at once
    K = rng.uniform(50, 100, (1, T, 2, X))
    q = rng.uniform(0.0, 0.1, (1, T, 2, X))
    dens = rng.uniform(0.5, 1.0, (2, X))
    level = rng.uniform(900, 1100, (1, T, 2))
    scale = rng.uniform(0.8, 1.5, X)
    ceil = np.full((1, T), 1300.0)
    rate, ret = rng.uniform(0.05, 0.15, (1, T)), rng.uniform(-0.05, 0.1, (1, T))
    gmin = np.full((1, T), 40.0)
    af = annuity_factors(q, 0.03, 0.01)
    par = np.array([0.01, 0.005, 0.6, 0.25, 0.03, 0.01, 0.8, 0.5])
    P0, W0 = rng.uniform(0, 120, (2, X)), rng.uniform(0, 5e4, (2, X))
    N0, B0 = rng.uniform(0, 30, (2, X)), rng.uniform(0, 3e3, (2, X))
    got = run_accounts(K, q, dens, level, scale, ceil, R, rate, ret, gmin, af, par, P0, W0, N0, B0, x_lo, 8)
    want = reference_accounts(K, q, dens, level, scale, ceil, R, rate, ret, gmin, af, par, P0, W0, N0, B0, x_lo, 8)
    for name, value in want.items():
        np.testing.assert_allclose(got[name][0], value, rtol=1e-10, atol=1e-6, err_msg=name)


@pytest.fixture(scope="module")
def dc_tree():
    return run(load_assumptions(ROOT / "assumptions" / "designs" / "demoland_dc.yaml"))


def test_dc_node_has_the_accounts_outputs(dc_tree):
    p = dc_tree["pension"].to_dataset()
    assert p.attrs["design"] == "defined_contribution"
    for name in ("account_balance", "account_balance_total", "annuitised_replacement_rate", "fees",
                 "state_top_up", "state_top_up_gdp", "contribution_income", "expenditure", "reserve",
                 "payg_cost_rate", "contributors", "pensioners"):
        assert "long_name" in p[name].attrs and "units" in p[name].attrs, name
    assert p["account_balance"].dims == ("scenario", "year", "sex", "age")
    assert float(p["state_top_up"].max()) > 0  # the guarantee binds for part of Demoland's retirees
    # insured balances by age add up to the total
    np.testing.assert_allclose(p["account_balance"].sum("age"), p["account_balance_total"], rtol=1e-12)


def test_fiscal_stage_reads_the_top_up(dc_tree):
    cost = dc_tree["fiscal_space"]["cost_gdp"].sel(item="pension_guarantee")
    np.testing.assert_allclose(cost.values.ravel(), dc_tree["pension"]["state_top_up_gdp"].values.ravel(),
                               rtol=1e-12)


def test_defined_benefit_is_the_default(tmp_path):
    a = load_assumptions(ROOT / "assumptions" / "demoland.yaml")
    assert a.pension.design == "defined_benefit" and a.pension.defined_contribution is None


def test_higher_fees_lower_the_replacement_rate(dc_tree):
    import dataclasses

    a = load_assumptions(ROOT / "assumptions" / "designs" / "demoland_dc.yaml")
    dc = dataclasses.replace(a.pension.defined_contribution, fee_on_balance=0.02)
    b = dataclasses.replace(a, pension=dataclasses.replace(a.pension, defined_contribution=dc), spf=None,
                            fiscal_space=None, employment_injury=None)
    low = run(b)["pension"]["annuitised_replacement_rate"].isel(scenario=0, year=-1)
    high = dc_tree["pension"]["annuitised_replacement_rate"].isel(scenario=0, year=-1)
    assert (low.values < high.values).all()


def test_mexico_afore_set(tmp_path):
    """The Mexican individual accounts (assumptions/designs/mexico_afore.yaml) over 10 years: the
    RCV balances of the valuation date (~MXN 4.7 trillion, CONSAR) and the guarantee's cost in the
    fiscal stage."""
    path = tmp_path / "mexico_afore_short.yaml"
    path.write_text(f"extends: {(ROOT / 'assumptions' / 'designs' / 'mexico_afore.yaml').as_posix()}\n"
                    "case: {horizon: 10}\npension: {horizons: [5, 10]}\nemployment_injury: {gap_horizon: 10}\n"
                    "fiscal_space: {stochastic: {paths: 50}}\n", encoding="utf-8")
    tree = run(load_assumptions(path))
    p = tree["pension"].to_dataset().isel(scenario=0)
    assert p.attrs["design"] == "defined_contribution"
    assert float(p["reserve"][0]) == pytest.approx(4.7e12, rel=0.05)
    assert float(p["contribution_rate"].sel(year=2030)) == pytest.approx(0.15)
    assert float(p["state_top_up"].sum()) > 0
    assert "pension_guarantee" in tree["fiscal_space"]["cost_gdp"]["item"].values


def test_dc_returns_follow_the_stochastic_interest_rate(tmp_path):
    """With the stochastic section drawing the interest rate, each scenario's accounts earn its own
    return: balances differ by scenario, and the scenario summaries carry the state's top-up."""
    from actuarial.stochastic.scenarios import chunk_nodes, for_scenarios, summarise

    path = tmp_path / "dc_short.yaml"
    path.write_text(f"extends: {(ROOT / 'assumptions' / 'designs' / 'demoland_dc.yaml').as_posix()}\n"
                    "case: {horizon: 12}\npension: {horizons: [5, 10]}\nemployment_injury: {gap_horizon: 10}\n",
                    encoding="utf-8")
    a = for_scenarios(load_assumptions(path))
    nodes = chunk_nodes(a, 0, 4, None)
    p = nodes["/pension"]
    final = p["reserve"].isel(year=-1).values
    assert np.unique(np.round(final / final[0], 12)).size == 4
    part = summarise(a, nodes)
    assert part["pension"]["state_top_up_gdp"].dims == ("scenario", "year")
    assert "general_average_premium" not in part["stochastic"]  # no DB headlines for a DC design


def test_mexico_transition_generation_option(tmp_path):
    """Mexico's Ley 73 option (pension.transition.legacy_option): the cohorts of the transition
    generation whose old-law pension exceeds the account's choose it, the state's net cost is a
    fiscal item; with a negligible old-law pension nobody chooses it and it costs nothing."""
    def tree(extra: str):
        path = tmp_path / f"mexico_{len(extra)}.yaml"
        path.write_text(f"extends: {(ROOT / 'assumptions' / 'mexico.yaml').as_posix()}\n"
                        "case: {horizon: 10}\npension: {horizons: [5, 10]" + extra + "}\n"
                        "employment_injury: {gap_horizon: 10}\nfiscal_space: {stochastic: {paths: 20}}\n",
                        encoding="utf-8")
        return run(load_assumptions(path))

    on = tree("")
    p = on["pension"].to_dataset().isel(scenario=0)
    chosen = p["legacy_option_retirees"].values
    account = (p["annuitised_replacement_rate"] * p["average_insurable_wage"].shift(year=-1)).values
    # those who choose hold an old-law pension above the account's annuity (the top-up aside)
    assert chosen[:-1].sum() > 0 and np.all(p["legacy_option_pension"].values[:-1][chosen[:-1] > 0]
                                            > account[:-1][chosen[:-1] > 0])
    assert float(p["legacy_option_cost"].sum()) > 0
    cost = on["fiscal_space"]["cost_gdp"].sel(item="legacy_option").values.ravel()
    np.testing.assert_allclose(cost, p["legacy_option_cost_gdp"].values)
    off = tree(", accrual_rate: 0.0001, minimum_pension: 0.0")["pension"].to_dataset()
    assert float(off["legacy_option_retirees"].sum()) == 0 and float(off["legacy_option_cost"].sum()) == 0


@pytest.fixture(scope="module")
def dc_to_db(tmp_path_factory):
    """Demoland's accounts turned into DB in 2030 (demoland_dc_to_db.yaml), kept and converted, 40 years."""
    tmp = tmp_path_factory.mktemp("dc_to_db")
    kept = "  transition: {year: 2030, to: defined_benefit, accrued_rights: kept}\n"
    return {"kept": run(load_assumptions(short_variant(tmp, "designs/demoland_dc_to_db.yaml", "kept", kept))),
            "converted": run(load_assumptions(short_variant(tmp, "designs/demoland_dc_to_db.yaml", "conv")))}


def test_dc_to_db_kept_freezes_the_accounts(dc_to_db):
    """Kept: the accounts receive contributions to 2029 only and pay out after; the DB scheme's
    contributions and awards start in 2030; the legacy's top-ups are the fiscal item."""
    from actuarial.report.console import pension_summary

    tree = dc_to_db["kept"]
    p = tree["pension"].to_dataset().isel(scenario=0)
    years = p["year"].values
    old_c, new_c = p["legacy_contribution_income"].values, p["contribution_income"].values
    assert (old_c[years < 2030] > 0).all() and (old_c[years >= 2030] == 0).all()
    assert (new_c[years < 2030] == 0).all() and (new_c[years >= 2030] > 0).all()
    assert (p["reserve"].values[years <= 2030] == 0).all()
    assert (p["expenditure"].values[years < 2030] == 0).all()
    balances = p["legacy_account_balance_total"].sum("sex").values
    assert balances[years == 2035][0] > 0 and balances[-1] < balances.max()  # paid out as members retire
    assert p.attrs["transition_from"] == "defined_contribution" and p.attrs["design"] == "defined_benefit"
    item = tree["fiscal_space"]["cost_gdp"].sel(item="pension_guarantee").values.ravel()
    np.testing.assert_allclose(item, p["state_top_up_gdp"].values.ravel())
    assert "DC legacy (accounts frozen from 2030" in p["legacy_reserve"].attrs["long_name"]
    text = pension_summary(tree)
    assert "Transition in 2030 from defined_contribution to defined_benefit" in text
    assert "accounts frozen" in text


def test_dc_to_db_converted_moves_the_balances(dc_to_db):
    """Converted: the DB reserve on 1 January 2030 = the balances transferred (no reserve before),
    the kept run's balances of that day; no insured's balance is left; the insured's DB credits of
    their careers since the valuation date give larger DB pensions than credits from 2030 only."""
    from actuarial.report.console import pension_summary

    kept = dc_to_db["kept"]["pension"].to_dataset().isel(scenario=0)
    conv = dc_to_db["converted"]["pension"].to_dataset().isel(scenario=0)
    k = int(2030 - conv["year"].values[0])
    moved = float(conv["transferred_balance_total"])
    assert moved > 0 and float(conv["reserve"][k] - conv["reserve_end"][k - 1]) == pytest.approx(moved, rel=1e-12)
    assert float(kept["legacy_account_balance_total"][k].sum()) == pytest.approx(moved, rel=1e-12)
    assert float(conv["transferred_balance"].sum()) == pytest.approx(moved, rel=1e-12)
    assert (conv["legacy_account_balance_total"].values[k:] == 0).all()
    awards = lambda p: float(p["new_pension_amounts"].sel(benefit_type="old_age").sel(year=2040).sum())  # noqa: E731
    assert awards(conv) > 1.5 * awards(kept)
    assert "Ley 26.425" in conv["transferred_balance"].attrs["long_name"]
    assert "DC balances transferred to the DB reserve on 1 January 2030" in pension_summary(dc_to_db["converted"])


def test_db_to_points_kept_credits_points_from_the_year(tmp_path):
    """DB -> points, kept: the points scheme's contributions and awards start in 2030 and its insured
    hold no points before; the DB legacy keeps the rights accrued to 2029."""
    extra = ("  points: {purchase_value: 1.0e6, point_value: 1.25e5}\n"
             "  transition: {year: 2030, to: points, accrued_rights: kept}\n")
    tree = run(load_assumptions(short_variant(tmp_path, "demoland.yaml", "pkept", extra)))
    p = tree["pension"].to_dataset().isel(scenario=0)
    years = p["year"].values
    assert p.attrs["design"] == "points" and p.attrs["transition_year"] == 2030
    awards = p["new_pension_amounts"].sum(("benefit_type", "sex")).values
    assert (awards[years < 2030] == 0).all() and awards[years == 2060][0] > 0
    # one year of points by 2031: the first old-age awards are tiny against the legacy's
    first = float(p["new_pension_amounts"].sel(benefit_type="old_age", year=2030).sum())
    legacy = float(p["legacy_pension_amounts"].sel(benefit_type="old_age", year=2031).sum())
    assert 0 <= first < 0.02 * legacy
    assert (p["legacy_contribution_income"].values[years >= 2030] == 0).all()
