"""fiscal_space: closed forms, plan properties, bad input, stochastic reproducibility."""

from __future__ import annotations

import argparse
import copy
import re
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import fiscal_space as fs
from actuarial.errors import AssumptionError
from actuarial.schema.values import TimeSeries
from cli_helpers import run_cli
from fiscal_space.stochastic import simulate_debt

BASE = 2025
H = 10
R, G, PB, D0 = 0.06, 0.03, 0.01, 0.6


def spec(**changes) -> dict:
    """A small standalone fiscal file (constant r, g, pb; no inflation, no FX)."""
    doc = {
        "case": {"name": "t", "base_year": BASE, "horizon": H},
        "fiscal_space": {
            "baseline": {"gdp": 1000.0, "real_gdp_growth": G, "inflation": 0.0, "revenue_gdp": 0.2,
                         "primary_expenditure_gdp": 0.2 - PB, "debt_gdp": D0, "interest_rate": R},
            "costs": {"file": "costs.csv"},
            "package_baseline_gdp": {"spf": 0.002},
            "debt": {"threshold_gdp": 0.9},
            "options": {"tax": {"capacity_gdp": 0.05, "cost": 1.0},
                        "borrowing": {"max_gdp": 0.05, "cost": 3.0}},
        },
    }
    for path, value in changes.items():
        node = doc
        parts = path.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        if value is None:
            node.pop(parts[-1], None)
        else:
            node[parts[-1]] = value
    return doc


def write(tmp_path: Path, doc: dict, costs: dict | None = None, years=None) -> Path:
    years = np.arange(BASE, BASE + H + 1) if years is None else years
    costs = costs or {"spf": np.linspace(0.01, 0.03, len(years)), "pension_subsidy": np.full(len(years), 0.004)}
    lines = ["year," + ",".join(costs)]
    lines += [f"{y}," + ",".join(f"{float(costs[c][i])!r}" for c in costs) for i, y in enumerate(years)]
    (tmp_path / "costs.csv").write_text("\n".join(lines) + "\n")
    path = tmp_path / "fiscal.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def run(tmp_path, doc=None, **kw) -> xr.Dataset:
    return fs.run_fiscal_space(fs.load_fiscal(write(tmp_path, doc or spec(), **kw)))


def closed_form(d0, r, g, pb, t):
    q = (1 + r) / (1 + g)
    return d0 * q ** t - pb * (q ** t - 1) / (q - 1)


# -- debt dynamics: closed forms ------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 2.0), st.floats(-0.02, 0.15), st.floats(-0.05, 0.12), st.floats(-0.1, 0.1),
       st.integers(1, 60))
def test_debt_path_constant_closed_form(d0, r, g, pb, n):
    if abs(r - g) < 1e-6:
        return
    f = fs.debt_factor(np.full(n, r), np.full(n, g))
    d = fs.debt_path(d0, f, np.full(n, pb), extra_step=True)
    t = np.arange(n + 1)
    np.testing.assert_allclose(d, closed_form(d0, r, g, pb, t), rtol=1e-10, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.05, 2.0), st.floats(-0.02, 0.15), st.floats(-0.05, 0.12))
def test_stabilising_balance_closed_form_and_keeps_debt_flat(d, r, g):
    f = fs.debt_factor(r, g)
    pb = fs.stabilising_primary_balance(d, f)
    assert pb == pytest.approx(d * (r - g) / (1 + g), rel=1e-12, abs=1e-15)
    path = fs.debt_path(d, np.full(20, f), np.full(20, pb))
    np.testing.assert_allclose(path, d, rtol=1e-10)


def test_fiscal_gap_brings_debt_to_target():
    f = fs.debt_factor(np.full(30, 0.05), np.full(30, 0.02))
    pb = np.full(30, -0.01)
    delta = fs.fiscal_gap(0.8, f, pb, 0.0, 0.6, 30)
    d = fs.debt_path(0.8, f, pb + delta, extra_step=True)
    assert d[30] == pytest.approx(0.6, abs=1e-12)
    q = 1.05 / 1.02
    a = (q ** 30 - 1) / (q - 1)
    assert delta == pytest.approx((0.8 * q ** 30 + 0.01 * a - 0.6) / a, rel=1e-12)


def test_run_debt_without_reform_is_the_closed_form(tmp_path):
    ds = run(tmp_path)
    t = ds["year"].values - BASE
    np.testing.assert_allclose(ds["debt_gdp"].sel(reform="without").values, closed_form(D0, R, G, PB, t),
                               rtol=1e-12)
    d = ds["debt_gdp"].sel(reform="without").values
    np.testing.assert_allclose(ds["debt_stabilising_primary_balance"].sel(reform="without").values,
                               d * (R - G) / (1 + G), rtol=1e-12)
    q = (1 + R) / (1 + G)
    a = (q ** H - 1) / (q - 1)
    assert float(ds["fiscal_gap"].sel(reform="without")) == pytest.approx((D0 * q ** H - PB * a - D0) / a,
                                                                          rel=1e-10)
    mid = list(ds["r_g_shift"].values).index(0.0)
    np.testing.assert_allclose(ds["debt_gdp_r_g_sensitivity"].isel(r_g_shift=mid).values, ds["debt_gdp"].values)
    up = ds["debt_gdp_r_g_sensitivity"].sel(r_g_shift=0.01, reform="without").values
    np.testing.assert_allclose(up, closed_form(D0, R + 0.01, G, PB, t), rtol=1e-12)


def test_reform_debt_follows_the_documented_accounting(tmp_path):
    doc = spec(**{"fiscal_space.options": {
        "tax": {"capacity_gdp": 0.008, "cost": 1.0},
        "reserves": {"stock_gdp": 0.01, "max_draw_gdp": 0.004, "cost": 2.0},
        "borrowing": {"max_gdp": 0.05, "cost": 3.0}}})
    ds = run(tmp_path, doc)
    fin = ds["financing"]
    gap = ds["financing_gap_gdp"].values
    assert (fin.sel(option="reserves") > 0).any() and (fin.sel(option="borrowing") > 0).any()
    pb = ds["primary_balance_gdp"]
    # full cost: the shortfall is borrowed; scaled back: the shortfall is not spent
    np.testing.assert_allclose(pb.sel(reform="with").values, pb.sel(reform="without").values - gap
                               + fin.sel(option="tax").values, atol=1e-14)
    np.testing.assert_allclose(pb.sel(reform="scaled_back").values, pb.sel(reform="with").values
                               + ds["shortfall_gdp"].values, atol=1e-14)
    f = (1 + R) / (1 + G)
    for reform in ("with", "scaled_back"):
        d = ds["debt_gdp"].sel(reform=reform).values
        expected = d[:-1] * f - pb.sel(reform=reform).values[:-1] - fin.sel(option="reserves").values[:-1]
        np.testing.assert_allclose(d[1:], expected, atol=1e-14)
    assert (ds["debt_gdp"].sel(reform="with") >= ds["debt_gdp"].sel(reform="scaled_back") - 1e-15).all()
    # reserves never exceed the stock (relative to base-year GDP)
    index = ds["gdp"].values / ds["gdp"].values[0]
    assert (fin.sel(option="reserves").values * index).sum() <= 0.01 + 1e-12


# -- the plan -----------------------------------------------------------------------

gaps = st.lists(st.floats(0.0, 0.05), min_size=1, max_size=30)


@settings(max_examples=40, deadline=None)
@given(gaps, st.lists(st.floats(0.0, 3.0), min_size=3, max_size=3))
def test_plan_with_ample_capacity_closes_gap_exactly_and_skips_zero_capacity(gap, costs):
    gap = np.array(gap)
    cap = np.column_stack([np.full(gap.size, 0.06), np.zeros(gap.size), np.full(gap.size, 0.06)])
    plan = fs.financing_plan(gap, cap, costs)
    np.testing.assert_allclose(plan.financing.sum(axis=1), gap, atol=1e-12)
    assert np.all(plan.shortfall == 0)
    assert np.all(plan.financing[:, 1] == 0)
    assert np.all(plan.financing >= 0) and np.all(plan.financing <= cap)


@settings(max_examples=40, deadline=None)
@given(gaps, st.floats(0.0, 0.02), st.floats(0.0, 0.02))
def test_infeasible_shortfall_equals_gap_minus_capacity(gap, c1, c2):
    gap = np.array(gap)
    cap = np.column_stack([np.full(gap.size, c1), np.full(gap.size, c2)])
    plan = fs.financing_plan(gap, cap, [1.0, 2.0])
    np.testing.assert_allclose(plan.shortfall, np.maximum(gap - c1 - c2, 0.0), atol=1e-12)
    np.testing.assert_allclose(plan.financing.sum(axis=1) + plan.shortfall, gap, atol=1e-12)


def test_plan_uses_cheapest_first():
    plan = fs.financing_plan([0.03], [[0.02, 0.02]], [2.0, 1.0])
    np.testing.assert_allclose(plan.financing, [[0.01, 0.02]], atol=1e-14)


def test_plan_solver_poses_linprogs_model_and_prints_nothing(capfd):
    """fiscal_space.plan._solve gives HiGHS the model scipy.optimize.linprog(method="highs") poses
    (an independent reference): the same optimum on a plan with stock and debt-ceiling rows, with
    none and with only equality rows; an infeasible model is a status, not a solution; and HiGHS
    prints nothing (highspy 1.16 prints a banner when a Highs object is made)."""
    from scipy.optimize import linprog

    from fiscal_space.plan import Rows, _inequality_rows, _solve, _sum_rows
    rng = np.random.default_rng(7)
    n_years, n_opts = 12, 3
    gap = rng.uniform(0.0, 0.03, n_years)
    cap = rng.uniform(0.0, 0.02, (n_years, n_opts))
    cost = np.array([1.0, 1.7, 2.9])  # distinct costs: a unique optimum
    c = np.concatenate([np.repeat(cost, n_years), np.full(n_years, 3000.0)])
    upper = np.concatenate([cap.T.reshape(-1), gap])
    k = np.tril(rng.uniform(0.9, 1.1, (n_years, n_years)))
    a_eq = _sum_rows(n_years, n_opts)
    for stock, debt in (([(0, np.ones(n_years), 0.05)], [2]), ((), [])):
        a_ub, b_ub = _inequality_rows(n_years, c.size, stock, debt, k, 1.0)
        if debt:
            b_ub = np.concatenate([b_ub, np.full(n_years, 0.04)])
        if a_ub is None:
            b_ub = None
        status, message, x = _solve(c, a_ub, b_ub, a_eq, gap, np.zeros(c.size), upper)
        ref = linprog(c, A_ub=None if a_ub is None else a_ub.toarray(), b_ub=b_ub, A_eq=a_eq.toarray(), b_eq=gap, bounds=np.column_stack([np.zeros(c.size), upper]),
                      method="highs", options={"primal_feasibility_tolerance": 1e-10,
                                               "dual_feasibility_tolerance": 1e-10})
        assert status == ref.status == 0 and message == ref.message
        np.testing.assert_allclose(x, ref.x, rtol=0, atol=1e-12)
    one = Rows(np.array([0]), np.array([0]), np.ones(1), (1, 1))
    status, message, x = _solve(np.ones(1), None, None, one, np.array([3.0]), np.zeros(1), np.full(1, 2.0))
    assert status != 0 and x is None and "Infeasible" in message
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_plan_respects_debt_ceiling(tmp_path):
    stable = D0 * (R - G) / (1 + G)  # the baseline keeps debt at D0
    doc = spec(**{"fiscal_space.debt.threshold_gdp": 0.62,
                  "fiscal_space.baseline.primary_expenditure_gdp": 0.2 - stable,
                  "fiscal_space.options": {"borrowing": {"max_gdp": 0.05}, "aid": {"capacity_gdp": 0.001}}})
    ds = run(tmp_path, doc)
    np.testing.assert_allclose(ds["debt_gdp"].sel(reform="without").values, D0, rtol=1e-12)
    debt = ds["debt_gdp"].sel(reform="scaled_back").values  # what the plan finances stays under the ceiling
    assert debt.max() <= 0.62 + 1e-10
    # the full cost borrows the shortfall too: the ceiling is reported as breached, spending is not cut
    full = ds["debt_gdp"].sel(reform="with").values
    assert full.max() > 0.62
    np.testing.assert_array_equal(ds["debt_above_threshold"].sel(reform="with").values, full > 0.62)
    assert not ds["debt_above_threshold"].sel(reform="scaled_back").any()
    borrowed = ds["financing"].sel(option="borrowing").values
    assert borrowed.sum() > 0
    # including the debt after the last year's flows, which the plan also keeps under the ceiling
    factor = (1 + R) / (1 + G)
    assert D0 + (borrowed * factor ** np.arange(H, -1, -1)).sum() <= 0.62 + 1e-10
    assert ds["shortfall_gdp"].sum() > 0
    assert list(ds.attrs["unfinanced_years"]) == [int(y) for y in ds["year"].values[ds["shortfall_gdp"] > 1e-12]]


def test_run_infeasible_reports_years_and_amounts(tmp_path):
    doc = spec(**{"fiscal_space.options": {"tax": {"capacity_gdp": 0.01}, "aid": {"grants_gdp": 0.01,
                                                                                "share": 0.5}}})
    ds = run(tmp_path, doc)
    expected = np.maximum(ds["financing_gap_gdp"].values - 0.015, 0.0)
    np.testing.assert_allclose(ds["shortfall_gdp"].values, expected, atol=1e-12)
    np.testing.assert_allclose(ds["shortfall"].values, expected * ds["gdp"].values, rtol=1e-9, atol=1e-9)


def test_ramp_up_scales_capacity(tmp_path):
    doc = spec(**{"fiscal_space.options.tax": {"capacity_gdp": 0.05, "ramp_up": 4, "start": 2026}})
    cap = run(tmp_path, doc)["capacity"].sel(option="tax").values
    np.testing.assert_allclose(cap[:6], [0, 0.0125, 0.025, 0.0375, 0.05, 0.05])


def test_capacity_formulas(tmp_path):
    opts = {
        "reallocation": {"lines": {"fuel": {"spending_gdp": 0.02, "share": 0.5},
                                   "defence": {"spending_gdp": 0.03, "share": 0.1}}},
        "tax": {"measures": {"vat": {"rate_change": 0.02, "base_gdp": 0.4, "compliance": 0.5}}, "buoyancy": 1.0},
        "illicit_flows": {"outflows_gdp": 0.04, "curbed": 0.5, "tax_take": 0.25},
        "macro_framework": {"deficit_gdp": 0.003},
        "restructuring": {"custom": True, "kind": "balance", "capacity_gdp": 0.001},
    }
    cap = run(tmp_path, spec(**{"fiscal_space.options": opts}))["capacity"].isel(year=0)
    assert dict(zip(cap["option"].values, cap.values)) == pytest.approx(
        {"reallocation": 0.013, "tax": 0.004, "illicit_flows": 0.005, "macro_framework": 0.003,
         "restructuring": 0.001})


def test_tax_effort_with_buoyancy(tmp_path):
    doc = spec(**{"fiscal_space.options": {"tax": {"effort": {"current_gdp": 0.12, "benchmark_gdp": 0.18,
                                                              "closed": 0.5}, "buoyancy": 1.2}}})
    cap = run(tmp_path, doc)["capacity"].sel(option="tax").values
    np.testing.assert_allclose(cap, 0.03 * (1 + G) ** (0.2 * np.arange(H + 1)), rtol=1e-12)


def test_social_security_reads_a_cost_variable(tmp_path):
    years = np.arange(BASE, BASE + H + 1)
    doc = spec(**{"fiscal_space.options": {"social_security": {"from_costs": "contribution_income_gdp",
                                                               "share": 0.5}}})
    costs = {"spf": np.full(years.size, 0.01), "contribution_income_gdp": np.linspace(0, 0.01, years.size)}
    ds = run(tmp_path, doc, costs=costs)
    assert ds["item"].values.tolist() == ["spf"]
    np.testing.assert_allclose(ds["capacity"].sel(option="social_security").values, np.linspace(0, 0.005, years.size))


# -- inputs: Datasets, economy, layout --------------------------------------------------

def test_cost_dataset_in_currency_and_economy_dataset(tmp_path):
    fa = fs.load_fiscal(write(tmp_path, spec()))
    years = fa.years
    gdp = 1000.0 * (1 + G) ** np.arange(years.size)
    by_file = fs.run_fiscal_space(fa)
    cost_gdp = by_file["cost_gdp"].values
    costs = xr.Dataset({"cost": (("year", "item"), cost_gdp * gdp[:, None]), "gdp": ("year", gdp)},
                       coords={"year": years, "item": by_file["item"].values})
    economy = xr.Dataset({"gdp": (("scenario", "year"), gdp[None]), "interest_rate": ("year", np.full(years.size, R)),
                          "real_gdp_growth": ("year", np.full(years.size, G)), "inflation": ("year", np.zeros(years.size))},
                         coords={"year": years, "scenario": [0]})
    ds = fs.run_fiscal_space(fa, costs, economy)
    for name in ("financing_gap_gdp", "financing", "debt_gdp", "gdp"):
        np.testing.assert_allclose(ds[name].values, by_file[name].values, rtol=1e-12, atol=1e-15)


def test_every_variable_has_units_and_long_name(tmp_path):
    doc = spec(**{"fiscal_space.stochastic": {"paths": 50, "seed": 1, "sd": {"growth": 0.01}}})
    ds = run(tmp_path, doc)
    for name, var in ds.data_vars.items():
        assert var.attrs.get("units") is not None and var.attrs.get("long_name"), name
    assert set(ds["reform"].values) == {"without", "with", "scaled_back"}
    assert ds["financing"].dims == ("year", "option")
    assert ds["debt_gdp_percentile"].dims == ("year", "percentile")
    assert ds["debt_gdp"].sel(year=BASE).values.tolist() == [D0, D0, D0]


def test_example_file_runs_and_cli_writes(tmp_path, root, capsys):
    from fiscal_space import cli

    parser = argparse.ArgumentParser()
    cli.add_parser(parser.add_subparsers())
    args = parser.parse_args(["fiscal", str(root / "assumptions" / "fiscal_space_example.yaml"), "-o", str(tmp_path)])
    assert args.func(args) == 0
    out = tmp_path / "demoland_fiscal" / "fiscal_space.nc"
    ds = xr.open_dataset(out)
    assert ds.sizes["option"] == 8 and "debt_gdp_percentile" in ds
    assert ds.attrs["command"].startswith("actuarial fiscal ") and "software_versions" in ds.attrs
    assert "fiscal_space:" in ds.attrs["assumptions_yaml"] and ds.attrs["created"].endswith("Z")
    assert ds["year"].attrs["units"] == "year"
    assert "financing plan" in capsys.readouterr().out
    assert [p.name for p in out.parent.iterdir()] == ["fiscal_space.nc"]


def test_no_projection_import():
    src = Path(fs.__file__).parent
    for path in src.glob("*.py"):
        text = path.read_text()
        assert not re.search(r"actuarial\.(projection|demography|pipeline)", text), path.name


# -- bad input -----------------------------------------------------------------------

def bad(tmp_path, doc, key, match="", **kw):
    with pytest.raises(AssumptionError) as info:
        run(tmp_path, doc, **kw)
    assert info.value.key == key, str(info.value)
    assert match in str(info.value)
    return info.value


def test_negative_capacity_names_key(tmp_path):
    e = bad(tmp_path, spec(**{"fiscal_space.options.tax": {"capacity_gdp": {2025: 0.01, 2030: -0.01}}}),
            "fiscal_space.options.tax.capacity_gdp.2030", "non-negative")
    assert e.file.endswith("fiscal.yaml")


def test_threshold_below_current_debt_needs_flag(tmp_path):
    bad(tmp_path, spec(**{"fiscal_space.debt.threshold_gdp": 0.5}), "fiscal_space.debt.threshold_gdp",
        "allow_above_threshold")
    ds = run(tmp_path, spec(**{"fiscal_space.debt.threshold_gdp": 0.5,
                               "fiscal_space.debt.allow_above_threshold": True}))
    assert float(ds["financing"].sel(option="borrowing").sum()) == 0.0


def test_unknown_option_needs_custom(tmp_path):
    doc = spec(**{"fiscal_space.options.borowing": {"max_gdp": 0.01}})
    bad(tmp_path, doc, "fiscal_space.options.borowing", "did you mean 'borrowing'")
    doc = spec(**{"fiscal_space.options.pension_fund": {"custom": True, "capacity_gdp": 0.01}})
    bad(tmp_path, doc, "fiscal_space.options.pension_fund.kind", "required key is missing")


def test_cost_file_missing_years(tmp_path):
    years = np.array([y for y in range(BASE, BASE + H + 1) if y != 2030])
    e = bad(tmp_path, spec(), "fiscal_space.costs.file", "2030",
            costs={"spf": np.full(years.size, 0.01)}, years=years)
    assert e.file.endswith("costs.csv")


def test_cost_dataset_missing_years(tmp_path):
    fa = fs.load_fiscal(write(tmp_path, spec()))
    costs = xr.Dataset({"cost_gdp": (("year", "item"), np.full((3, 1), 0.01))},
                       coords={"year": [2025, 2026, 2027], "item": ["spf"]})
    with pytest.raises(AssumptionError, match=r"<cost Dataset>: cost_gdp: .*2028"):
        fs.run_fiscal_space(fa, costs)


def test_cost_dataset_variable_missing_years(tmp_path):
    doc = spec(**{"fiscal_space.options": {"social_security": {"from_costs": "extra_gdp"}}})
    n = H + 1
    fa = fs.load_fiscal(write(tmp_path, doc, costs={"spf": np.full(n, 0.01), "extra_gdp": np.full(n, 0.001)}))
    years = fa.years
    costs = xr.Dataset({"cost_gdp": (("year", "item"), np.full((years.size, 1), 0.01))},
                       coords={"year": years, "item": ["spf"]})
    costs["extra_gdp"] = xr.DataArray(np.full(years.size - 1, 0.001), dims="year", coords={"year": years[:-1]})
    with pytest.raises(AssumptionError, match=rf"<cost Dataset>: extra_gdp: .*{years[-1]}"):
        fs.run_fiscal_space(fa, costs)


@pytest.mark.parametrize("change, key", [
    ({"fiscal_space.debt.treshold_gdp": 0.9}, "fiscal_space.debt.treshold_gdp"),
    ({"fiscal_space.options.reserves": {"stock_gdp": 0.1, "stock": 5.0}}, "fiscal_space.options.reserves.stock_gdp"),
    ({"fiscal_space.options.borrowing": {}, "fiscal_space.debt": None}, "fiscal_space.options.borrowing.max_gdp"),
    ({"fiscal_space.package_baseline_gdp": {"spff": 0.01}}, "fiscal_space.package_baseline_gdp.spff"),
    ({"fiscal_space.options.social_security": {"from_costs": "nope"}}, "fiscal_space.options.social_security.from_costs"),
    ({"fiscal_space.stochastic": {"paths": 10, "seed": 1}}, "fiscal_space.stochastic.sd"),
    ({"fiscal_space.stochastic": {"paths": 10, "seed": 1, "covariance": [[1, 2, 0, 0], [2, 1, 0, 0],
                                                                          [0, 0, 1, 0], [0, 0, 0, 1]]}},
     "fiscal_space.stochastic.covariance"),
    ({"fiscal_space.baseline.interest_rate": None}, "fiscal_space.baseline.interest_rate"),
    ({"fiscal_space.costs": None}, "fiscal_space.costs"),
])
def test_bad_input_names_key(tmp_path, change, key):
    bad(tmp_path, spec(**change), key)


# -- stochastic ----------------------------------------------------------------------

COV = np.diag([0.02, 0.01, 0.01, 0.05]) ** 2
CENTRAL = dict(interest_rate=np.full(12, 0.05), nominal_growth=np.full(12, 0.04),
               primary_balance=np.full(12, -0.01), foreign_currency_share=0.3, depreciation=np.full(12, 0.02))


def test_stochastic_reproducible_and_chunk_independent():
    one = simulate_debt(0.6, seed=7, paths=1000, covariance=COV, **CENTRAL)
    again = simulate_debt(0.6, seed=7, paths=1000, covariance=COV, **CENTRAL)
    halves = np.concatenate([simulate_debt(0.6, seed=7, paths=500, covariance=COV, **CENTRAL),
                             simulate_debt(0.6, seed=7, paths=500, first_path=500, covariance=COV, **CENTRAL)])
    np.testing.assert_array_equal(one, again)
    np.testing.assert_array_equal(one, halves)
    assert not np.array_equal(one, simulate_debt(0.6, seed=8, paths=1000, covariance=COV, **CENTRAL))
    # path k is column k % BLOCK of block k // BLOCK, the (k // BLOCK)-th child of
    # SeedSequence(seed).spawn, drawn year by year (year, variable, path in block)
    B = fs.stochastic.BLOCK
    k = B + 2
    child = np.random.SeedSequence(7).spawn(2)[1]
    z = np.random.default_rng(child).standard_normal((12, 4, B))[:, :, 2]
    np.testing.assert_allclose(fs.stochastic.draw_shocks(12, 7, 1, k, covariance=COV)[0],
                               z @ fs.stochastic.shock_factor(COV).T)


def test_stochastic_bit_identical_across_uneven_chunks_and_horizons():
    """Chunks that cut the fixed random blocks anywhere give the same bits;
    a shorter horizon gives the first years of the same paths."""
    B = fs.stochastic.BLOCK
    n = 2 * B + 300
    whole = simulate_debt(0.6, seed=11, paths=n, covariance=COV, **CENTRAL)
    cuts = [0, 1, 7, B - 3, B + 5, 2 * B, n]
    parts = np.concatenate([simulate_debt(0.6, seed=11, paths=b - a, first_path=a, covariance=COV, **CENTRAL)
                            for a, b in zip(cuts[:-1], cuts[1:])])
    np.testing.assert_array_equal(whole, parts)
    short = {k: (v[:5] if np.ndim(v) else v) for k, v in CENTRAL.items()}
    np.testing.assert_array_equal(simulate_debt(0.6, seed=11, paths=n, covariance=COV, **short), whole[:, :5])
    history = np.array([[0.01, -0.01, 0.0, 0.02], [-0.01, 0.01, 0.005, -0.02], [0.0, 0.0, -0.005, 0.0]])
    boot = fs.stochastic.draw_shocks(12, 3, n, history=history)
    np.testing.assert_array_equal(boot[B - 3:B + 5], fs.stochastic.draw_shocks(12, 3, 8, B - 3, history=history))


def _per_path_debt(d0, seed, paths, cov, c):
    """The method before issue 17, written out: path k draws (year, 4) standard
    normals from its own stream SeedSequence(seed, spawn_key=(k,)), times L^T,
    then the debt recursion d(t+1) = d(t) (1 + r')(1 + alpha e') / (1 + n') - pb'."""
    L = fs.stochastic.shock_factor(cov)
    T = c["interest_rate"].size
    out = np.empty((paths, T))
    for k in range(paths):
        e = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(k,))).standard_normal((T, 4)) @ L.T
        d = d0
        for t in range(T):
            out[k, t] = d
            n = (1 + c["nominal_growth"][t]) * (1 + e[t, 0]) - 1
            f = (1 + c["interest_rate"][t] + e[t, 1]) * (1 + c["foreign_currency_share"]
                                                         * (c["depreciation"][t] + e[t, 3])) / (1 + n)
            d = d * f - (c["primary_balance"][t] + e[t, 2])
    return out


def test_fan_percentiles_are_numpys_linear_percentiles():
    """fan's one-sort interpolation equals np.percentile (default "linear") up to rounding."""
    paths = np.random.default_rng(3).lognormal(-0.5, 0.3, (997, 9))
    paths[5, 4] = np.nan
    pct, prob = fs.stochastic.fan(paths, 0.7, (0, 5, 12.5, 50, 95, 100))
    np.testing.assert_allclose(pct, np.percentile(paths, (0, 5, 12.5, 50, 95, 100), axis=0), rtol=1e-14)
    assert np.all(np.isnan(pct[:, 4])) and np.isnan(np.percentile(paths[:, 4], 50))
    np.testing.assert_array_equal(prob, (paths > 0.7).mean(axis=0))


def test_block_streams_keep_the_fan_statistics_of_per_path_streams():
    """The block streams (issue 17) change the last bits of every path, not the
    distribution: the shocks' covariance is Sigma, and the final-year debt's
    mean, sd and percentiles agree with the per-path method within sampling error
    (two independent samples of 4,000 paths; 4-sigma bounds)."""
    from scipy.stats import ks_2samp, norm

    cov = np.array([[4e-4, 0, 8e-5, 0], [0, 1e-4, 0, 0], [8e-5, 0, 1e-4, 0], [0, 0, 0, 6.4e-3]])
    m = 4000
    new = simulate_debt(0.6, seed=5, paths=m, covariance=cov, **CENTRAL)
    old = _per_path_debt(0.6, 5, m, cov, CENTRAL)
    e = fs.stochastic.draw_shocks(12, 5, m, covariance=cov).reshape(-1, 4)
    se = np.sqrt((np.outer(np.diag(cov), np.diag(cov)) + cov ** 2) / e.shape[0])  # sd of a sample covariance
    assert np.all(np.abs(np.cov(e.T) - cov) < 4 * se)
    a, b = new[:, -1], old[:, -1]
    sd = b.std()
    assert abs(a.mean() - b.mean()) < 4 * sd * np.sqrt(2 / m)
    assert abs(a.std() / sd - 1) < 4 / np.sqrt(m)  # each sample sd has sd sd / sqrt(2m)
    for p in (0.05, 0.5, 0.95):  # a sample p-quantile has sd sqrt(p (1 - p) / m) / density (normal approx.)
        bound = 4 * np.sqrt(2 * p * (1 - p) / m) / norm.pdf(norm.ppf(p)) * sd
        assert abs(np.quantile(a, p) - np.quantile(b, p)) < bound
    assert ks_2samp(a, b).pvalue > 1e-3


def test_bootstrap_chunk_independent_and_from_history():
    history = np.array([[0.01, -0.01, 0.0, 0.02], [-0.01, 0.01, 0.005, -0.02], [0.0, 0.0, -0.005, 0.0]])
    one = simulate_debt(0.6, seed=3, paths=40, history=history, **CENTRAL)
    two = np.concatenate([simulate_debt(0.6, seed=3, paths=15, history=history, **CENTRAL),
                          simulate_debt(0.6, seed=3, paths=25, first_path=15, history=history, **CENTRAL)])
    np.testing.assert_array_equal(one, two)
    shocks = fs.stochastic.draw_shocks(12, 3, 40, history=history)
    assert {tuple(s) for s in shocks.reshape(-1, 4)} <= {tuple(h) for h in history}


def test_zero_shocks_give_the_deterministic_path():
    paths = simulate_debt(0.6, seed=1, paths=5, covariance=np.zeros((4, 4)), **CENTRAL)
    f = fs.debt_factor(0.05, 0.04, 0.3, 0.02)
    np.testing.assert_allclose(paths, np.broadcast_to(fs.debt_path(0.6, np.full(12, f), np.full(12, -0.01)),
                                                      paths.shape), rtol=1e-13)


def test_fan_percentiles_monotone_and_probability(tmp_path):
    doc = spec(**{"fiscal_space.stochastic": {"paths": 400, "seed": 42, "years": 8, "threshold_gdp": 0.65,
                                              "sd": {"growth": 0.02, "interest_rate": 0.01, "primary_balance": 0.01},
                                              "correlation": {"growth": {"primary_balance": 0.5}}}})
    ds = run(tmp_path, doc)
    pct = ds["debt_gdp_percentile"].dropna("year").values
    assert pct.shape == (8, 7)
    assert np.all(np.diff(pct, axis=1) >= 0)
    assert np.all(np.isnan(ds["debt_gdp_percentile"].values[8:]))
    prob = ds["debt_above_threshold_probability"].values[:8]
    assert prob[0] == 0.0 and np.all((prob >= 0) & (prob <= 1)) and prob[-1] > 0
    again = run(tmp_path, copy.deepcopy(doc))
    xr.testing.assert_identical(ds["debt_gdp_percentile"], again["debt_gdp_percentile"])


# -- the options' declared keys (fiscal_space.options, one class per handbook option) ----------

@pytest.mark.parametrize("options, key, match", [
    ({"pension_fund": {"kind": "balance", "capacity_gdp": 0.01}}, "fiscal_space.options.pension_fund",
     "custom: true"),
    ({"pension_fund": {"custom": True, "kind": "bal", "capacity_gdp": 0.01}},
     "fiscal_space.options.pension_fund.kind", "one of balance, debt, asset"),
    ({"pension_fund": {"custom": True, "kind": "balance"}}, "fiscal_space.options.pension_fund.capacity_gdp",
     "required key is missing"),
    ({"tax": {"capacity_gdp": 0.01, "cots": 1}}, "fiscal_space.options.tax.cots", "did you mean 'cost'"),
    ({"tax": {"capacity_gdp": 0.01, "cost": -1}}, "fiscal_space.options.tax.cost", "[0.0, inf], got -1"),
    ({"tax": {"capacity_gdp": 0.01, "start": 2025.5}}, "fiscal_space.options.tax.start", "an integer"),
    ({"tax": {"capacity_gdp": 0.01, "ramp_up": {2025: 0.5, 2030: 1.5}}}, "fiscal_space.options.tax.ramp_up.2030",
     "a share between 0 and 1"),
    ({"tax": {"capacity_gdp": 0.01, "buoyancy": 1.2}}, "fiscal_space.options.tax.buoyancy", "unknown key"),
    ({"tax": {}}, "fiscal_space.options.tax.effort", "give exactly one of effort {current_gdp"),
    ({"tax": {"effort": {"current_gdp": 0.1, "benchmark_gdp": 0.2, "closd": 0.5}}},
     "fiscal_space.options.tax.effort.closd", "did you mean 'closed'"),
    ({"tax": {"measures": {}}}, "fiscal_space.options.tax.measures", "at least one tax measure {rate_change"),
    ({"tax": {"measures": {"vat": {"rate_change": 0.01, "base_gdp": 0.3, "complience": 1}}}},
     "fiscal_space.options.tax.measures.vat.complience", "did you mean 'compliance'"),
    ({"reallocation": {"lines": {"fuel": {"spending_gdp": 0.02, "shar": 0.5}}}},
     "fiscal_space.options.reallocation.lines.fuel.share", "found 'shar': a typo?"),
    ({"reallocation": {"line": {"fuel": {"spending_gdp": 0.02, "share": 0.5}}}},
     "fiscal_space.options.reallocation.lines", "found 'line': a typo?"),
    ({"social_security": {}}, "fiscal_space.options.social_security.capacity_gdp", "from_costs"),
    ({"aid": {"grants_gdp": 0.01, "shares": 0.5}}, "fiscal_space.options.aid.shares", "did you mean 'share'"),
    ({"aid": {"grants_gdp": 0.01, "capacity_gdp": 0.01}}, "fiscal_space.options.aid.grants_gdp", "unknown key"),
    ({"illicit_flows": {"outflows_gdp": 0.02}}, "fiscal_space.options.illicit_flows.curbed", "required key"),
    ({"reserves": {"stock_gdp": 6}}, "fiscal_space.options.reserves.stock_gdp", "[0.0, 5.0], got 6"),
    ({"macro_framework": {}}, "fiscal_space.options.macro_framework.deficit_gdp", "required key is missing"),
    ({"aid": None}, "fiscal_space.options.aid", "expected a mapping, got nothing"),
])
def test_bad_option_names_key(tmp_path, options, key, match):
    e = bad(tmp_path, spec(**{"fiscal_space.options": options}), key, match)
    assert e.file.endswith("fiscal.yaml")


def test_options_are_the_engine_options(tmp_path):
    """Every handbook option and a custom one become the engine's Option with the handbook's
    kind and default cost, the method of its keys and its settings."""
    doc = spec(**{"fiscal_space.options": {
        "reallocation": {"lines": {"fuel": {"spending_gdp": 0.02, "share": 0.5}}},
        "tax": {"measures": {"vat": {"rate_change": 0.01, "base_gdp": 0.3}}, "buoyancy": 1.1},
        "social_security": {"from_costs": "pension_subsidy", "share": 0.5},
        "aid": {"grants_gdp": 0.01}, "illicit_flows": {"outflows_gdp": 0.02, "curbed": 0.5},
        "reserves": {"stock": 5.0}, "borrowing": {}, "macro_framework": {"deficit_gdp": 0.01, "start": 2027},
        "fund": {"custom": True, "kind": "asset", "capacity_gdp": 0.001, "ramp_up": {2025: 0.5, 2026: 1.0}}}})
    options = {o.name: o for o in fs.load_fiscal(write(tmp_path, doc)).options}
    assert {n: (o.kind, o.cost, o.method, o.custom) for n, o in options.items()} == {
        "reallocation": ("balance", 1.0, "reallocation", False), "tax": ("balance", 1.5, "tax_measures", False),
        "social_security": ("balance", 1.0, "from_costs", False), "aid": ("balance", 2.0, "aid", False),
        "illicit_flows": ("balance", 1.5, "illicit_flows", False), "reserves": ("asset", 3.0, "reserves", False),
        "borrowing": ("debt", 4.0, "borrowing", False), "macro_framework": ("debt", 5.0, "given", False),
        "fund": ("asset", 1.0, "given", True)}
    assert options["tax"].settings["buoyancy"] == 1.1
    rate, base, compliance = options["tax"].settings["measures"]["vat"]
    assert (rate.values, base.values, compliance.values) == ((0.01,), (0.3,), (1.0,))
    assert options["aid"].settings["share"] == TimeSeries.constant(1.0)
    assert options["reserves"].settings == {"stock": 5.0, "max_draw_gdp": None}
    assert options["borrowing"].settings == {"max_gdp": None}
    assert options["macro_framework"].start == 2027 and options["macro_framework"].ramp_up == 0
    assert options["fund"].ramp_up.years == (2025, 2026)
    assert options["social_security"].settings["variable"] == "pension_subsidy"


def test_describe_shows_an_options_keys():
    code, out, _ = run_cli(["assumptions", "describe", "fiscal_space.options.tax"])
    assert code == 0
    for key in ("cost:", "ramp_up:", "buoyancy:", "effort.current_gdp:", "measures.<name>.rate_change:"):
        assert key in out, key
    code, out, _ = run_cli(["assumptions", "describe", "fiscal_space.options.aid.grants_gdp"])
    assert code == 0 and "section 3.4" in out and "share of GDP" in out
    code, out, _ = run_cli(["assumptions", "describe", "fiscal_space.options.my_fund"])
    assert code == 0 and "kind:" in out and "custom:" in out
