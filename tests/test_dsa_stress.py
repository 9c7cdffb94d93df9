"""fiscal_space DSA, issue 20 items 4-5: the IMF MAC DSA standard stress tests and the heat map
(fiscal_space.stress_tests)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from actuarial.schema import validate
from fiscal_space import load_fiscal, run_fiscal_space
from fiscal_space.cli import summary
from fiscal_space.stress_tests import STANDARD, StressTestsSection, heat_levels

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "assumptions" / "fiscal_space_example.yaml"


def rules(fa, **keys):
    return validate(StressTestsSection, keys, origins={}, path=("stress_tests",)).rules(fa.years)


@pytest.fixture(scope="module")
def example():
    fa = load_fiscal(EXAMPLE)
    return fa, run_fiscal_space(fa)


def test_example_has_every_standard_test_and_the_heat_map(example):
    _, ds = example
    assert ds["stress_test"].values.tolist() == list(STANDARD)
    assert ds["stress_debt_gdp"].dims == ("year", "reform", "stress_test")
    assert ds["heat_map"].dims == ("stress_test", "heat_indicator", "reform")
    assert ds["heat_map"].attrs["debt_benchmark_gdp"] == 0.70  # emerging: IMF (2013)
    assert ds["heat_map"].attrs["gfn_benchmark_gdp"] == 0.15
    assert set(np.unique(ds["heat_map"].values)) <= {0.0, 1.0, 2.0}


def test_the_baseline_test_is_the_main_path(example):
    _, ds = example
    base = ds.sel(stress_test="baseline")
    np.testing.assert_allclose(base["stress_debt_gdp"], ds["debt_gdp"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(base["stress_interest_gdp"], ds["interest_payments_gdp"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(base["stress_gross_financing_needs_gdp"], ds["gross_financing_needs_gdp"],
                               rtol=0, atol=1e-12)


def test_every_adverse_shock_raises_peak_debt_and_combined_is_worst_of_the_four(example):
    _, ds = example
    peak = ds["heat_map_peak"].sel(heat_indicator="debt_gdp", reform="with")
    for s in STANDARD[1:]:
        assert float(peak.sel(stress_test=s)) > float(peak.sel(stress_test="baseline")), s
    four = [float(peak.sel(stress_test=s)) for s in ("growth", "primary_balance", "interest_rate", "exchange_rate")]
    assert float(peak.sel(stress_test="combined")) > max(four)


def test_interest_shock_reaches_the_effective_rate_only_as_debt_rolls_over():
    fa = load_fiscal(EXAMPLE)
    prof = fa.debt_profile
    T = fa.years.size
    rated = replace(prof, existing_rate=np.full(T, 0.06), short_rate=np.full(T, 0.05), long_rate=np.full(T, 0.065),
                    premium_threshold_gdp=None)
    ds = run_fiscal_space(replace(fa, debt_profile=rated))
    r = ds["stress_effective_interest_rate"].sel(reform="without")
    rise = (r.sel(stress_test="interest_rate") - r.sel(stress_test="baseline")).values
    assert 0 < rise[0] < 0.02  # year 0: only the short-term debt reprices
    assert np.all(np.diff(rise[:10]) > 0)  # then more of the stock is new debt
    assert rise[-1] < 0.02 + 1e-12


def test_without_profile_no_gfn_and_the_debt_recursion():
    fa = load_fiscal(EXAMPLE)
    fa = replace(fa, debt_profile=None)
    ds = run_fiscal_space(fa)
    assert "stress_gross_financing_needs_gdp" not in ds
    np.testing.assert_array_equal(ds["stress_debt_gdp"].sel(stress_test="baseline"), ds["debt_gdp"])
    assert np.isnan(ds["heat_map_peak"].sel(heat_indicator="gross_financing_needs_gdp").values).all()
    # the interest shock on the whole stock: d(1) by hand from the recursion
    d0, r0 = fa.baseline.debt_gdp, float(ds["interest_rate"][0])
    n0, pb0 = float(ds["nominal_gdp_growth"][0]), float(ds["primary_balance_gdp"].sel(reform="without")[0])
    alpha = fa.baseline.foreign_currency_share.at(fa.years)[0]
    x = fa.baseline.exchange_rate.at(fa.years[:1])[0] / fa.baseline.exchange_rate.at(fa.years[:1] - 1)[0] - 1
    sfa0 = fa.baseline.stock_flow_adjustment_gdp.at(fa.years)[0]
    want = d0 * (1 + r0 + 0.02) * (1 + alpha * x) / (1 + n0) - pb0 + sfa0
    got = float(ds["stress_debt_gdp"].sel(stress_test="interest_rate", reform="without")[1])
    assert got == pytest.approx(want, rel=1e-13)
    assert "whole stock" in ds["stress_debt_gdp"].attrs["method"]


def test_heat_levels_rule():
    # stress test 0 is the baseline
    np.testing.assert_array_equal(heat_levels([0.5, 0.8, 0.6, 0.7], 0.7), [0, 1, 0, 0])
    np.testing.assert_array_equal(heat_levels([0.71, 0.8, 0.6], 0.7), [2, 2, 2])
    assert np.isnan(heat_levels([0.5, 0.8], None)).all()


def test_lic_dsf_benchmarks_and_the_nominal_debt_label(example):
    fa, _ = example
    ds = run_fiscal_space(replace(fa, stress_tests=rules(fa, framework="lic_dsf", debt_carrying_capacity="weak")))
    h = ds["heat_map"]
    assert h.attrs["debt_benchmark_gdp"] == 0.35 and np.isnan(h.attrs["gfn_benchmark_gdp"])
    assert np.isnan(h.sel(heat_indicator="gross_financing_needs_gdp")).all()
    assert (h.sel(heat_indicator="debt_gdp") == 2).all()  # debt 55% > 35% in the baseline
    assert "NOMINAL" in h.attrs["long_name"]
    assert "PV of debt" in summary(ds)


def test_advanced_benchmarks_and_overrides(example):
    fa, _ = example
    adv = rules(fa, economy_group="advanced").benchmarks
    assert adv == {"debt_gdp": 0.85, "gross_financing_needs_gdp": 0.20}
    own = rules(fa, debt_benchmark_gdp=0.6, gfn_benchmark_gdp=0.3).benchmarks
    assert own == {"debt_gdp": 0.6, "gross_financing_needs_gdp": 0.3}


def test_user_scenario_of_zero_shifts_is_the_baseline_and_one_of_growth(example):
    fa, _ = example
    years = fa.years
    st = rules(fa, scenarios={"calm": {"growth": 0.0},
                              "slump": {"growth": {int(years[0]): -0.03, int(years[1]): -0.03, int(years[2]): 0.0}}})
    ds = run_fiscal_space(replace(fa, stress_tests=st))
    assert ds["stress_test"].values.tolist() == [*STANDARD, "calm", "slump"]
    d = ds["stress_debt_gdp"]
    np.testing.assert_array_equal(d.sel(stress_test="calm"), d.sel(stress_test="baseline"))
    assert float(d.sel(stress_test="slump", reform="with")[3]) > float(d.sel(stress_test="baseline", reform="with")[3])
    assert "user scenario" in ds["stress_test"].attrs["long_name"]


def test_sizes_appear_in_the_labels(example):
    fa, _ = example
    ds = run_fiscal_space(replace(fa, stress_tests=rules(fa, interest_rate_bp=300, depreciation=0.25)))
    label = ds["stress_test"].attrs["long_name"]
    assert "+300 bp" in label and "25%" in label


def test_console_shows_the_stress_table(example):
    _, ds = example
    text = summary(ds)
    assert "stress tests (IMF MAC DSA)" in text
    line = next(x for x in text.splitlines() if x.strip().startswith("contingent_liability"))
    assert line.split()[-1] in ("green", "yellow", "red")


def test_validation_case_passes():
    from actuarial.validation import run_case

    rows = run_case(ROOT / "validation_cases" / "closed_forms" / "fiscal_stress_tests.case.yaml")
    assert rows and all(r.passed for r in rows), [r for r in rows if not r.passed]
    assert any("levels [0, 1, 0, 1, 0, 1, 1, 0]" in r.quantity for r in rows)  # a mixed heat map


def test_default_heat_map_years_cut_to_a_short_horizon(tmp_path):
    import yaml

    path = tmp_path / "short.yaml"
    path.write_text(yaml.safe_dump({"extends": str(EXAMPLE), "case": {"horizon": 3},
                                    "fiscal_space": {"debt": {"target_year": 2028},
                                                     "stochastic": {"declining_years": 2}}}))
    ds = run_fiscal_space(load_fiscal(path))
    assert ds["heat_map"].attrs["heat_map_years"] == 4  # the 4 years 2025-2028 of a 3-year horizon
    assert np.isfinite(ds["heat_map_peak"].sel(heat_indicator="debt_gdp")).all()


def _with_history(tmp_path, stress: dict, stochastic_history: bool = False):
    """The example without its stress-test sds, with a 5-year history (hist.csv) and a 4-year window."""
    import yaml

    (tmp_path / "hist.csv").write_text("year,growth,primary_balance,exchange_rate\n2019,0.05,-0.05,0.30\n"
                                       "2020,0.01,-0.02,0.05\n2021,0.03,-0.01,-0.02\n2022,0.02,-0.01,0.12\n"
                                       "2023,0.04,-0.02,0.03\n")
    data = yaml.safe_load(EXAMPLE.read_text())
    fiscal = data["fiscal_space"]
    fiscal["costs"]["file"] = str(EXAMPLE.parent / fiscal["costs"]["file"])
    for key in ("growth_sd", "primary_balance_sd"):
        fiscal["stress_tests"].pop(key)
    fiscal["stress_tests"].update(history_years=4, **stress)
    if stochastic_history:
        fiscal["stochastic"] = {k: v for k, v in fiscal["stochastic"].items() if k not in ("sd", "correlation")}
        fiscal["stochastic"]["history"] = {"file": "hist.csv"}
    path = tmp_path / "hist.yaml"
    path.write_text(yaml.safe_dump(data))
    return load_fiscal(path).stress_tests


def test_sizes_from_the_stress_tests_history_file(tmp_path):
    st = _with_history(tmp_path, {"history": {"file": "hist.csv"}})
    i = st.names.index("combined")
    # last 4 years (2020-2023): growth sd sqrt(5e-4 / 3), primary balance sd sqrt(1e-4 / 3), largest depreciation 0.12
    assert st.growth[i, :3] == pytest.approx([-np.sqrt(5e-4 / 3)] * 2 + [0.0], rel=1e-12)
    assert st.primary_balance[i, :3] == pytest.approx([-0.5 * np.sqrt(1e-4 / 3)] * 2 + [0.0], rel=1e-12)
    assert st.depreciation[i, :2] == pytest.approx([0.12, 0.0])
    assert "from history (4 years)" in st.labels["growth"] and "from history (4 years)" in st.labels["exchange_rate"]


def test_sizes_from_the_stochastic_history_and_explicit_override(tmp_path):
    st = _with_history(tmp_path, {"depreciation": 0.2}, stochastic_history=True)
    i = st.names.index("combined")
    assert st.growth[i, 0] == pytest.approx(-np.sqrt(5e-4 / 3), rel=1e-12)
    assert st.depreciation[i, 0] == 0.2 and "(given)" in st.labels["exchange_rate"]


def test_without_history_the_fixed_defaults_and_the_label(example):
    fa, ds = example
    st = rules(fa)
    i = st.names.index("combined")
    assert (st.growth[i, 0], st.primary_balance[i, 0], st.depreciation[i, 0]) == (-0.02, -0.005, 0.15)
    assert "fixed default, no history" in st.labels["growth"]
    assert "sd given" in str(ds["stress_test"].attrs["long_name"])  # the example gives its sds


def test_history_validation_case_passes():
    from actuarial.validation import run_case

    rows = run_case(ROOT / "validation_cases" / "closed_forms" / "fiscal_stress_history.case.yaml")
    assert len(rows) == 19 and all(r.passed for r in rows), [r for r in rows if not r.passed]


def test_contingent_liability_on_banking_assets_and_its_label(example):
    fa, _ = example
    st = rules(fa, banking_assets_gdp=1.2)
    i = st.names.index("contingent_liability")
    assert st.stock_flow[i, :2] == pytest.approx([0.12, 0.0], rel=1e-12)
    assert "10% of banking-sector assets of 120% of GDP" in st.labels["contingent_liability"]
    assert rules(fa, banking_assets_gdp=1.2, contingent_liability_gdp=0.05).stock_flow[i, 0] == 0.05
    assert "fixed default 10% of GDP" in rules(fa).labels["contingent_liability"]


def test_early_warning_levels_and_the_example(example):
    from fiscal_space.stress_tests import early_warning_level

    assert [early_warning_level(v, 0.2, 0.6) for v in (0.1, 0.2, 0.3, 0.6, 0.61)] == [0, 0, 1, 1, 2]
    assert np.isnan(early_warning_level(None, 0.2, 0.6)) and np.isnan(early_warning_level(0.5, None, None))
    fa, ds = example
    risk = ds["debt_profile_risk"]
    assert risk.dims == ("debt_profile_indicator",)
    fx = ds["debt_profile_value"].sel(debt_profile_indicator="foreign_currency_share")
    want = float(fa.baseline.foreign_currency_share.at(fa.years)[0])  # the base year's
    assert float(fx) == pytest.approx(want) and 0.2 < want < 0.6  # the example: between 20% and 60%
    assert float(risk.sel(debt_profile_indicator="foreign_currency_share")) == 1.0
    assert np.isnan(risk.sel(debt_profile_indicator="bond_spread_bp"))  # not given
    assert "not given" in ds["debt_profile_value"].attrs["origin"]


def test_early_warning_given_values_and_overridden_benchmarks(example):
    fa, _ = example
    st = rules(fa, early_warning={"bond_spread_bp": 300.0, "upper": {"bond_spread_bp": 250.0}})
    ds = run_fiscal_space(replace(fa, stress_tests=st))
    assert float(ds["debt_profile_risk"].sel(debt_profile_indicator="bond_spread_bp")) == 2.0
    assert float(ds["debt_profile_upper"].sel(debt_profile_indicator="bond_spread_bp")) == 250.0 * 1e-4  # a fraction in the results
    with pytest.raises(Exception, match="expected one of bond_spread_bp"):
        rules(fa, early_warning={"lower": {"spread": 1.0}})


def test_early_warning_validation_case_passes():
    from actuarial.validation import run_case

    rows = run_case(ROOT / "validation_cases" / "closed_forms" / "fiscal_early_warning.case.yaml")
    assert len(rows) == 8 and all(r.passed for r in rows), [r for r in rows if not r.passed]


def _with_rate_history(tmp_path, rates, inflation=None):
    """The example with a stress-test history of interest rates (and inflation) only."""
    import yaml

    cols = "year,interest_rate" + (",inflation" if inflation is not None else "")
    body = "".join(f"{2014 + i},{x}" + (f",{inflation[i]}" if inflation is not None else "") + "\n"
                   for i, x in enumerate(rates))
    (tmp_path / "rates.csv").write_text(cols + "\n" + body)
    data = yaml.safe_load(EXAMPLE.read_text())
    fiscal = data["fiscal_space"]
    fiscal["costs"]["file"] = str(EXAMPLE.parent / fiscal["costs"]["file"])
    fiscal["stress_tests"]["history"] = {"file": "rates.csv"}
    path = tmp_path / "rates.yaml"
    path.write_text(yaml.safe_dump(data))
    return load_fiscal(path)


def test_interest_shock_from_the_history_highest_real_rate(tmp_path):
    fa = _with_rate_history(tmp_path, [0.30, 0.12, 0.06, 0.05], inflation=[0.0, 0.01, 0.01, 0.01])
    ds = run_fiscal_space(fa)
    a = ds["stress_debt_gdp"].attrs
    # the highest real rate 1.30 / 1.00 - 1 of the last 10 years less the projected real effective rate
    base = ds["interest_rate"].values[:5]  # the example's debt profile has no rates: the baseline's rate
    pi = ((1 + ds["nominal_gdp_growth"].values) / (1 + fa.baseline.real_gdp_growth.at(fa.years - 1)) - 1)[:5]
    want = max(200.0, 1e4 * (1.30 / 1.0 - 1 - np.mean((1 + base) / (1 + pi) - 1)))
    assert a["interest_rate_shock_bp"] == pytest.approx(want, rel=1e-9) and want > 200
    assert "highest real rate of 4 years of history" in a["interest_rate_shock_origin"]
    assert f"+{want:.0f} bp" in ds["stress_test"].attrs["long_name"]
    low = run_fiscal_space(_with_rate_history(tmp_path, [0.02, 0.03]))  # nominal, below the projected rate
    assert low["stress_debt_gdp"].attrs["interest_rate_shock_bp"] == 200.0
    assert "nominal" in low["stress_debt_gdp"].attrs["interest_rate_shock_origin"]
    given = run_fiscal_space(replace(fa, stress_tests=rules(fa, interest_rate_bp=250)))
    assert given["stress_debt_gdp"].attrs["interest_rate_shock_bp"] == 250
    assert "+250 bp" in given["stress_test"].attrs["long_name"] and "(given)" in given["stress_test"].attrs["long_name"]


def test_primary_balance_feedback_and_growth_spending_raise_debt(example):
    fa, ds = example
    d = lambda x, s: float(x["stress_debt_gdp"].sel(stress_test=s, reform="without")[4])  # noqa: E731
    none = run_fiscal_space(replace(fa, stress_tests=rules(fa, growth_sd=0.02, primary_balance_sd=0.01,
                                                            primary_balance_interest_bp=0.0)))
    for s in ("primary_balance", "contingent_liability"):  # +25 bp a point of worsening
        assert d(ds, s) > d(none, s), s
    # combined: the larger of +200 bp and the feedback, here less than 8 points of worsening: the 200 bp
    assert d(ds, "combined") == d(none, "combined")
    assert d(ds, "growth") == d(none, "growth")  # no feedback in the growth shock
    real = run_fiscal_space(replace(fa, stress_tests=rules(fa, growth_sd=0.02, primary_balance_sd=0.01,
                                                            growth_spending="real")))
    # spending kept in real terms falls with the lower deflator: less worsening than at the nominal level
    assert d(ds, "baseline") < d(real, "growth") < d(ds, "growth")
    assert "real level" in real["stress_test"].attrs["long_name"]
    assert "nominal level" in ds["stress_debt_gdp"].attrs["growth_shock_spending"]


def test_exchange_rate_pass_through_by_economy_group(example):
    fa, ds = example
    adv = rules(fa, economy_group="advanced")
    em = rules(fa)
    i = em.names.index("exchange_rate")
    assert em.deflator[i, 0] == pytest.approx(0.25 * 0.15) and adv.deflator[i, 0] == 0.0
    assert rules(fa, exchange_rate_pass_through=0.4).deflator[i, 0] == pytest.approx(0.4 * 0.15)
    assert "default for emerging economies" in em.labels["exchange_rate"]
    assert ds["stress_debt_gdp"].attrs["exchange_rate_pass_through"] == 0.25


def test_heat_map_sheet_lists_the_stress_tests(example, tmp_path):
    import openpyxl
    from xarray import DataTree

    from actuarial.report.excel import write_heat_map
    from actuarial.report.workbook import new_workbook

    _, ds = example
    book = new_workbook(tmp_path / "w.xlsx")
    write_heat_map(book, DataTree.from_dict({"fiscal_space": ds}), "NCU")
    book.close()
    cells = [c for row in openpyxl.load_workbook(tmp_path / "w.xlsx")["fiscal heat map"].iter_rows(values_only=True)
             for c in row if isinstance(c, str)]
    assert "contingent_liability" in cells and any("+25 bp" in c for c in cells)
