"""The pension scheme: kernel against a plain-Python reference of the rules,
headcount and money identities of the Demoland run, GAP, and bad input.

The reference below is written from the scheme rules stated in the module
docstrings of ``actuarial/projection/_pension_kernels.py`` and
``actuarial/projection/pension.py``, one event at a time, with dictionaries
keyed by (sex, age, credits); it shares no code with the kernel.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml

from actuarial.projection import _pension_kernels as kern

ROOT = Path(__file__).resolve().parents[1]
DEMOLAND = ROOT / "assumptions" / "demoland.yaml"

from actuarial.validation.pension_reference import (  # noqa: F401
    FLOWS, HI, LO, OUTPUT_SHAPES, RULES, T, X, Rules, Static, Year, State, assert_outputs_close,
    reference_projection, reference_run, reference_year, run_kernel, small_case)

# =====================================================================================
# 1. kernel == reference
# =====================================================================================

def test_reference_case_exercises_every_rule():
    """The hand-made case is only useful if each branch of the rules carries weight."""
    inputs = small_case()
    out, seen = reference_run(inputs)
    flows = out["flows"].sum((0, 1))
    for name in FLOWS:
        assert flows[FLOWS.index(name)] > 0, f"no {name} in the small case"
    for rule in ("minimum binds", "minimum binds at retirement", "maximum binds", "ceiling binds",
                 "lump sums", "invalidity awarded", "invalidity not vested", "survivors of inactive",
                 "survivors of pensioners", "survivors bounded by the population",
                 "survivors above the population die with it"):
        assert seen[rule] > 0, f"the small case never has {rule}"
    # the minimum never exceeds the maximum, where "clipped to [minimum, maximum]" is ambiguous
    assert seen["minimum above maximum"] == 0
    # in year 0, a shortfall below the re-entry limit somewhere, and above it elsewhere
    A0, I0, K = inputs["A0"][0], inputs["I0"][0], inputs["K"][0, 0]
    gap = K - A0.sum(-1)
    limit = RULES.reentry_rate * I0.sum(-1)
    assert ((gap > 0) & (gap < limit)).any()
    assert (gap > limit).any()
    assert (gap < 0).any()


def test_kernel_matches_reference_one_year():
    inputs = small_case()
    got = run_kernel(inputs)
    want, _ = reference_run(inputs)
    assert_outputs_close({k: v[:, :1] for k, v in got.items()}, {k: v[:1] for k, v in want.items()})


def test_kernel_matches_reference_over_years():
    inputs = small_case()
    got = run_kernel(inputs)
    want, _ = reference_run(inputs)
    assert set(got) - {"converted"} <= set(want)  # converted: checked by validation case ndc_conversion
    assert_outputs_close(got, want)


@pytest.mark.skipif(not hasattr(kern, "CLOSED"), reason="kernel has no closed-group switch")
def test_kernel_matches_reference_closed_group():
    inputs = small_case()
    inputs["par"] = inputs["par"].copy()
    inputs["par"][kern.CLOSED] = 1.0
    got = run_kernel(inputs)
    want, _ = reference_run(inputs, rules=replace(RULES, closed=True))
    assert got["flows"][..., FLOWS.index("entrants")].sum() == 0
    assert_outputs_close(got, want)


def test_kernel_matches_reference_for_each_scenario():
    inputs = small_case(n_scen=3, seed=11)
    got = run_kernel(inputs)
    for s in range(3):
        want, _ = reference_run(inputs, s)
        assert_outputs_close(got, want, s)


BROADCAST = ("K", "q", "level", "ceil", "minp", "idx", "lump_rate", "A0", "I0", "N0", "B0", "pop")


@pytest.mark.parametrize("name", BROADCAST)
def test_scenario_axis_of_length_one_broadcasts(name):
    """An input with one scenario gives the same rows as the same input repeated N times."""
    inputs = small_case(n_scen=3, seed=7)
    one = dict(inputs)
    one[name] = inputs[name][:1]
    pairs = ("A0", "I0") if name in ("A0", "I0") else ("N0", "B0") if name in ("N0", "B0") else (name,)
    for other in pairs:  # stocks and amounts go together
        one[other] = inputs[other][:1]
    tiled = dict(one)
    for other in pairs:
        tiled[other] = np.repeat(one[other], 3, axis=0)
    a, b = run_kernel(one), run_kernel(tiled)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=f"{key} when {name} broadcasts")
    # and the broadcast rows are those of the reference
    for s in range(3):
        want, _ = reference_run(one, s)
        assert_outputs_close(a, want, s)


def test_all_inputs_broadcast_together():
    inputs = small_case(n_scen=1, seed=3)
    tiled = {k: np.repeat(v, 4, axis=0) if k in BROADCAST else v for k, v in inputs.items()}
    a, b = run_kernel(inputs), run_kernel(tiled)
    for key in a:
        assert a[key].shape[0] == 1 and b[key].shape[0] == 4
        for s in range(4):
            np.testing.assert_array_equal(b[key][s], a[key][0], err_msg=key)


def test_a_scenario_does_not_depend_on_its_batch():
    inputs = small_case(n_scen=5, seed=13)
    full = run_kernel(inputs)
    for s in (0, 3, 4):
        alone = run_kernel({k: v[s:s + 1] if k in BROADCAST else v for k, v in inputs.items()})
        pair = run_kernel({k: v[s - 1:s + 1] if k in BROADCAST else v for k, v in inputs.items()}) \
            if s else None
        for key in full:
            np.testing.assert_array_equal(full[key][s], alone[key][0], err_msg=key)
            if pair is not None:
                np.testing.assert_array_equal(full[key][s], pair[key][1], err_msg=key)


# =====================================================================================
# 2. Identities of the Demoland run
# =====================================================================================

def run_pension(path):
    """(pension, economy, labour) nodes of a full run of the assumption file at ``path``."""
    from actuarial.assumptions import load_assumptions
    from actuarial.pipeline import run

    assumptions = load_assumptions(path)
    tree = run(assumptions)
    return tree["pension"].to_dataset(), tree["economy"].to_dataset(), assumptions


@pytest.fixture(scope="module")
def demoland():
    return run_pension(DEMOLAND)


@pytest.fixture(scope="module", params=["demoland.yaml", "demoland_reform.yaml"])
def scheme_run(request, demoland):
    """Demoland, and its reform (pensionable age rising 60 -> 65, rate 12% -> 18%)."""
    return demoland if request.param == "demoland.yaml" else run_pension(ROOT / "assumptions" / request.param)


def child_yaml(folder: Path, name: str, body: dict, parent: Path = DEMOLAND) -> Path:
    """A scenario file that extends ``parent`` (absolute path) and overrides ``body``."""
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"extends": str(parent), **body}, sort_keys=False))
    return path


def sum_over(da, *dims):
    return da.sum([d for d in dims if d in da.dims])


def test_insured_headcount_balances_year_by_year(scheme_run):
    ds, _, _ = scheme_run
    flow = sum_over(ds["flows"], "sex").isel(scenario=0)
    insured = (sum_over(ds["contributors"], "sex") + sum_over(ds["inactive_insured"], "sex", "age")
               ).isel(scenario=0).values
    out = sum(flow.sel(flow=f).values for f in (
        "deaths_insured", "invalidity_awarded", "invalidity_not_vested", "retired_vested",
        "retired_not_vested"))
    entrants = flow.sel(flow="entrants").values
    assert entrants[1:].sum() > 0 and out.min() > 0
    np.testing.assert_allclose(insured[1:] - entrants[1:], insured[:-1] - out[:-1], rtol=1e-9)


def test_pensioner_headcount_balances_year_by_year(scheme_run):
    ds, _, _ = scheme_run
    pensioners = sum_over(ds["pensioners"], "benefit_type", "sex", "age").isel(scenario=0).values
    deaths = sum_over(ds["flows"].sel(flow="deaths_pensioners"), "sex").isel(scenario=0).values
    new = sum_over(ds["new_pensioners"], "benefit_type", "sex").isel(scenario=0).values
    survivors = sum_over(ds["flows"].sel(flow="survivor_awards"), "sex").isel(scenario=0).values
    np.testing.assert_allclose(pensioners[1:], pensioners[:-1] - deaths[:-1] + new[:-1], rtol=1e-9)
    # awards of survivors' pensions are counted once, in both places
    np.testing.assert_allclose(sum_over(ds["new_pensioners"].sel(benefit_type="survivors"), "sex")
                               .isel(scenario=0).values, survivors, rtol=1e-12)


def test_reserve_accumulates_cash_flows(scheme_run):
    ds, economy, _ = scheme_run
    F = ds["reserve"].isel(scenario=0).values
    C = ds["contribution_income"].isel(scenario=0).values
    II = ds["investment_income"].isel(scenario=0).values
    E = ds["expenditure"].isel(scenario=0).values
    S = ds["deficit_after_depletion"].isel(scenario=0).values
    scale = np.abs(F).max()
    np.testing.assert_allclose(F[1:], F[:-1] + C[:-1] + S[:-1] + II[:-1] - E[:-1], rtol=1e-10, atol=1e-10 * scale)
    np.testing.assert_allclose(ds["reserve_end"].isel(scenario=0).values, F + C + S + II - E, rtol=1e-10,
                               atol=1e-10 * scale)
    # investment income: a year's interest on the reserve, half a year's on the net cash flow
    i = economy["interest_rate"].values
    np.testing.assert_allclose(II, i * F + (C - E + S) * (np.sqrt(1 + i) - 1), rtol=1e-10, atol=1e-10 * scale)
    # the reserve is floored at zero; the state pays what the reserve cannot, never more
    assert (F >= 0).all() and (S >= 0).all()
    paid = S > 0
    assert (ds["reserve_end"].isel(scenario=0).values[paid] == 0).all()
    np.testing.assert_allclose(S[paid], (E - C - F * np.sqrt(1 + i))[paid], rtol=1e-12)
    np.testing.assert_allclose(ds["deficit_after_depletion_gdp"].isel(scenario=0).values,
                               S / economy["gdp"].values, rtol=1e-12)


def test_expenditure_is_benefits_lump_sums_and_administration(scheme_run):
    ds, _, assumptions = scheme_run
    benefits = ds["benefit_expenditure"].sum("benefit_type") + ds["lump_sums"]
    np.testing.assert_allclose(ds["expenditure"].values,
                               (benefits + ds["administrative_expenses"]).values, rtol=1e-12)
    np.testing.assert_allclose(ds["administrative_expenses"].values,
                               assumptions.pension.administrative_cost * benefits.values, rtol=1e-12)
    assert float(ds["lump_sums"].sum()) > 0


def test_cost_rate_reserve_ratio_and_gdp_share(scheme_run):
    ds, economy, _ = scheme_run
    E = ds["expenditure"].isel(scenario=0).values
    F = ds["reserve"].isel(scenario=0).values
    ie = ds["insurable_earnings"].isel(scenario=0).values
    np.testing.assert_allclose(ds["payg_cost_rate"].isel(scenario=0).values, E / ie, rtol=1e-12)
    ratio = ds["reserve_ratio"].isel(scenario=0).values
    assert np.isnan(ratio[0])
    np.testing.assert_allclose(ratio[1:], F[1:] / E[:-1], rtol=1e-12)
    np.testing.assert_allclose(ds["expenditure_gdp"].isel(scenario=0).values,
                               E / economy["gdp"].values, rtol=1e-12)
    np.testing.assert_allclose(ds["contribution_income"].isel(scenario=0).values,
                               ds["contribution_rate"].values * ie, rtol=1e-12)


def test_depletion_year_is_the_first_year_ending_without_reserve(scheme_run):
    ds, _, _ = scheme_run
    end = ds["reserve_end"].isel(scenario=0).values
    years = ds["year"].values
    depletion = float(ds["depletion_year"].isel(scenario=0))
    deficit = ds["deficit_after_depletion"].isel(scenario=0).values
    if np.isnan(depletion):
        assert (end > 0).all() and (deficit == 0).all()
    else:
        k = int(np.argmax(years == depletion))
        assert end[k] <= 0 and (end[:k] > 0).all()
        assert (deficit[:k] == 0).all() and deficit[k] > 0


def test_insurable_earnings_are_contributors_x_density_x_capped_wage(scheme_run):
    """labour.py: contributions are paid on K x density x min(w, ceiling)."""
    from actuarial.pipeline import run_demography
    from actuarial.projection.labour import insurable_wages, project_labour

    ds, economy, assumptions = scheme_run
    labour = project_labour(assumptions.labour, run_demography(assumptions)["population"])
    aw = economy["average_wage"]
    wage = insurable_wages(assumptions.labour, aw, labour["employed"])
    ceiling = assumptions.pension.ceiling.at(ds["year"].values) * aw
    below = labour["age"] < ds["pensionable_age"]  # the scheme's contributors: below the pensionable age
    K = labour["contributors"].where(below, 0.0)
    np.testing.assert_allclose(ds["contributors"].transpose("scenario", "year", "sex").values,
                               K.sum("age").transpose("scenario", "year", "sex").values, rtol=1e-12)
    expected = (K * labour["density"] * np.minimum(wage, ceiling)).sum(("sex", "age"))
    np.testing.assert_allclose(ds["insurable_earnings"].values,
                               expected.transpose("scenario", "year").values, rtol=1e-10)


YOUNGER_WORKERS = {"labour": {"participation": {
    2025: {"female": {"first_age": 15, "width": 5, "values": [0.20, 0.45, 0.52, 0.55, 0.57, 0.57, 0.55,
                                                              0.50, 0.42, 0.30, 0.18, 0.10, 0.05]},
           "male": {"first_age": 15, "width": 5, "values": [0.35, 0.75, 0.92, 0.95, 0.95, 0.94, 0.92,
                                                            0.88, 0.80, 0.65, 0.45, 0.30, 0.15]}},
    2060: {"female": {"first_age": 10, "width": 5, "values": [0.05, 0.18, 0.55, 0.65, 0.68, 0.70, 0.70,
                                                              0.68, 0.63, 0.55, 0.42, 0.25, 0.14, 0.06]},
           "male": {"first_age": 10, "width": 5, "values": [0.05, 0.30, 0.72, 0.92, 0.95, 0.95, 0.94,
                                                            0.92, 0.89, 0.83, 0.70, 0.50, 0.32, 0.15]}},
}, "salary_scale": {"first_age": 10, "width": 5, "values": [0.4, 0.55, 0.70, 0.85, 0.97, 1.05, 1.12, 1.17,
                                                            1.20, 1.20, 1.18, 1.12, 1.05, 1.00]}}}


def test_headcount_balances_when_later_anchors_start_younger(tmp_path):
    ds, _, _ = run_pension(child_yaml(tmp_path, "younger", YOUNGER_WORKERS))
    assert float(ds["inactive_insured"].sel(age=slice(10, 14)).sum()) > 0  # the young are projected
    flow = ds["flows"].sum("sex").isel(scenario=0)
    insured = (ds["contributors"].sum("sex") + ds["inactive_insured"].sum(("sex", "age"))).isel(scenario=0).values
    out = sum(flow.sel(flow=f).values for f in (
        "deaths_insured", "invalidity_awarded", "invalidity_not_vested", "retired_vested",
        "retired_not_vested"))
    entrants = flow.sel(flow="entrants").values
    np.testing.assert_allclose(insured[1:] - entrants[1:], insured[:-1] - out[:-1], rtol=1e-9)


# =====================================================================================
# 3. No benefits, no contributions: the reserve earns interest and nothing else
# =====================================================================================

NO_BENEFITS = {"pension": {
    "accrual_rate": 0, "minimum_pension": 0, "contribution_rate": 0, "administrative_cost": 0,
    "lump_sum": "none", "survivors": {"pension_share": 0},
    "initial": {"pensioners": {k: {"counts": 0} for k in ("old_age", "invalidity", "survivors")}},
}}


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning", "ignore:invalid value:RuntimeWarning")
def test_reserve_grows_at_the_interest_rate_without_benefits(tmp_path):
    ds, economy, _ = run_pension(child_yaml(tmp_path, "no_benefits", NO_BENEFITS))
    assert float(np.abs(ds["expenditure"]).max()) == 0.0
    assert float(np.abs(ds["contribution_income"]).max()) == 0.0
    assert float(ds["new_pensioners"].sum()) > 0  # people still retire, with nothing to pay
    F = ds["reserve"].isel(scenario=0).values
    i = economy["interest_rate"].values
    np.testing.assert_allclose(F[1:], F[:-1] * (1 + i[:-1]), rtol=1e-12)
    np.testing.assert_allclose(ds["reserve_end"].isel(scenario=0).values, F * (1 + i), rtol=1e-12)
    assert F[0] == 1.2e12


def test_no_expenditure_runs_without_numpy_warnings(tmp_path):
    import warnings

    path = child_yaml(tmp_path, "no_benefits", NO_BENEFITS)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        ds, _, _ = run_pension(path)
    assert np.isnan(ds["reserve_ratio"].isel(year=0)).all()


# =====================================================================================
# 4. General average premium
# =====================================================================================

def discount(economy):
    """Start-of-year and mid-year discount factors from the discount-rate path."""
    d = economy["discount_rate"].values
    v = np.ones(d.size + 1)
    for t, rate in enumerate(d):
        v[t + 1] = v[t] / (1 + rate)
    return v, v[:-1] / np.sqrt(1 + d)


def test_gap_balances_present_values(demoland):
    ds, economy, assumptions = demoland
    _, mid = discount(economy)
    ie = ds["insurable_earnings"].isel(scenario=0).values
    E = ds["expenditure"].isel(scenario=0).values
    rate = ds["contribution_rate"].values
    # refunds (and their administration) scale with the rate: E(pi) = E - (rate - pi) x refunds
    refunds = (1 + assumptions.pension.administrative_cost) * ds["refund_base"].isel(scenario=0).values
    F0 = assumptions.pension.initial_reserve
    horizons = ds["general_average_premium"]["horizon"].values
    assert list(horizons) == [25, 50, 75]
    for h in horizons:
        gap = float(ds["general_average_premium"].sel(horizon=h).isel(scenario=0))
        E_gap = E - (rate - gap) * refunds
        pv_ie, pv_e = (ie * mid)[:h].sum(), (E_gap * mid)[:h].sum()
        np.testing.assert_allclose(F0 + gap * pv_ie, pv_e, rtol=1e-12)
    gaps = ds["general_average_premium"].isel(scenario=0).values
    assert 0 < gaps[0] < gaps[1] < gaps[2] < 1  # a maturing scheme: cost rises with the horizon


def _reserve_left_at_gap(tmp_path, lump_sum: str, h: int = 25):
    """Run Demoland (with ``lump_sum``), then again at contribution rate GAP_h;
    returns (PV at the start of year h of the second run's reserve, initial reserve)."""
    base = child_yaml(tmp_path, f"base_{lump_sum}", {"pension": {"lump_sum": lump_sum}})
    ds, economy, assumptions = run_pension(base)
    np.testing.assert_allclose(economy["discount_rate"].values, economy["interest_rate"].values, rtol=0)
    gap = float(ds["general_average_premium"].sel(horizon=h).isel(scenario=0))
    at_gap = child_yaml(tmp_path, f"at_gap_{lump_sum}", {"pension": {"contribution_rate": gap}}, parent=base)
    ds2, economy2, assumptions2 = run_pension(at_gap)
    assert assumptions2.pension.contribution_rate.at([2030])[0] == gap  # the rate survives the YAML
    v, _ = discount(economy2)
    # with i == d and mid-year flows, F_h v_h = F_0 + PV(C - E) over years 0..h-1
    return float(ds2["reserve"].isel(scenario=0, year=h)) * v[h], assumptions.pension.initial_reserve


def test_contributing_the_gap_leaves_no_reserve_in_present_value(tmp_path):
    """Without refunds, expenditure does not depend on the contribution rate."""
    pv, F0 = _reserve_left_at_gap(tmp_path, "none")
    assert abs(pv) <= 1e-9 * F0


def test_contributing_the_gap_leaves_no_reserve_with_refunds(tmp_path):
    pv, F0 = _reserve_left_at_gap(tmp_path, "refund")
    assert abs(pv) <= 1e-9 * F0


# =====================================================================================
# 5. Bad input through the CLI
# =====================================================================================

def run_cli(argv) -> tuple[int, str, str]:
    from actuarial.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _without_economy(folder: Path) -> Path:
    from actuarial.assumptions.loader import read_yaml

    data = read_yaml(DEMOLAND)
    del data["economy"]
    path = folder / "no_economy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


BAD_PENSION = [
    ("age_120", {"pension": {"pensionable_age": 120}}, "pension.pensionable_age"),
    ("age_10", {"pension": {"pensionable_age": {"female": 10, "male": 60}}}, "pension.pensionable_age.female"),
    ("negative_accrual", {"pension": {"accrual_rate": -0.01}}, "pension.accrual_rate"),
    ("negative_rate", {"pension": {"contribution_rate": -0.05}}, "pension.contribution_rate"),
    ("negative_rate_anchor", {"pension": {"contribution_rate": {2025: 0.12, 2040: -0.01}}},
     "pension.contribution_rate.2040"),
    ("coverage", {"labour": {"coverage": {"female": 1.2, "male": 0.5}}}, "labour.coverage.female"),
    ("counts_50_ages", {"pension": {"initial": {"pensioners": {"old_age": {"counts": {
        "female": [100.0] * 50}}}}}}, "pension.initial.pensioners.old_age.counts.female"),
    ("vesting_50", {"pension": {"vesting_years": 50, "pensionable_age": 60}}, "pension.vesting_years"),
    ("no_economy", None, "economy"),
]


@pytest.mark.parametrize(("name", "body", "key"), BAD_PENSION, ids=[c[0] for c in BAD_PENSION])
def test_bad_pension_input_exits_2_with_one_line(tmp_path, name, body, key):
    cases = tmp_path / "cases"
    cases.mkdir()
    path = _without_economy(cases) if body is None else child_yaml(cases, name, body)
    out_dir = tmp_path / "out"
    code, out, err = run_cli(["run", str(path), "-o", str(out_dir), "-q"])
    assert code == 2
    assert out == ""
    lines = err.strip("\n").splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    assert line.startswith("error:") and "Traceback" not in err
    assert str(path) in line, line
    assert f": {key}:" in line, line
    assert not out_dir.exists() or [p for p in out_dir.rglob("*") if p.is_file()] == []


# =====================================================================================
# 6. Initial insured from a data file
# =====================================================================================

def _insured_csv(folder: Path, rows) -> Path:
    path = folder / "insured.csv"
    path.write_text("sex,age,credits,status,count\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n")
    return path


def test_initial_insured_from_file_sets_the_credit_distribution(tmp_path):
    """Given insured with known credits, the first year's flows follow them.

    On 1 January 2025 the actives are brought to the labour-based targets,
    so entrants with no credits fill the rest; of those reaching 60 on
    1 January 2026, only the file's 1,500 persons with 20 credits (>= 15)
    can be vested, less the deaths of 2025 (q at 59 is about 1-2%)."""
    from actuarial.assumptions import load_assumptions
    from actuarial.pipeline import run

    rows = [("female", 59, 20, "active", 1000.0), ("male", 59, 20, "inactive", 500.0),
            ("male", 40, 10, "active", 2000.0)]
    _insured_csv(tmp_path, rows)
    # the file replaces the parent's parametric credit_share and inactive_ratio
    child = child_yaml(tmp_path, "from_file", {"pension": {"initial": {"insured_file": "insured.csv"}}})
    a = load_assumptions(child)
    assert a.pension.initial_credit_share is None
    assert a.pension.initial_insured.sum() == pytest.approx(3500.0)
    p = run(a)["pension"]
    flows = p["flows"].isel(scenario=0, year=0)
    # retirements at 60 on 1 January 2026: the 59-year-olds of the file who survive 2025
    vested = float(flows.sel(flow="retired_vested").sum())
    assert 1400.0 < vested < 1500.0
    assert float(flows.sel(flow="retired_not_vested").sum()) > 0  # entrants of 2025 are not vested


@pytest.mark.parametrize("rows, words", [
    ([("female", 10, 0, "active", 5)], ["insured_file", "aged 15..59"]),
    ([("female", 30, 25, "active", 5)], ["insured_file", "credited years exceed"]),
    ([("woman", 30, 5, "active", 5)], ["insured.csv", "sex", "female or male"]),
    ([("female", 30, 5, "retired", 5)], ["insured.csv", "status", "active or inactive"]),
    ([("female", 30, 5, "active", -5)], ["insured.csv", "count", "non-negative"]),
])
def test_bad_insured_file_is_a_clear_error(tmp_path, rows, words):
    from actuarial import AssumptionError
    from actuarial.assumptions import load_assumptions

    _insured_csv(tmp_path, rows)
    child = child_yaml(tmp_path, "bad_file", {"pension": {"initial": {"insured_file": "insured.csv"}}})
    with pytest.raises(AssumptionError) as info:
        load_assumptions(child)
    for word in words:
        assert word in str(info.value)


def test_salary_scale_must_be_positive_where_people_work(tmp_path):
    from actuarial import AssumptionError
    from actuarial.assumptions import load_assumptions

    young = {"labour": {**YOUNGER_WORKERS["labour"]}}
    del young["labour"]["salary_scale"]
    with pytest.raises(AssumptionError, match=r"labour.salary_scale.*positive relative wage.*10..14"):
        load_assumptions(child_yaml(tmp_path, "no_wage", young))


def test_side_by_side_puts_base_and_reform_on_a_case_dimension():
    from actuarial.assumptions import load_assumptions
    from actuarial.pipeline import run, side_by_side

    base = run(load_assumptions(DEMOLAND))
    reform = run(load_assumptions(ROOT / "assumptions" / "demoland_reform.yaml"))
    both = side_by_side({"base": base, "reform": reform}, variables=["payg_cost_rate", "pensionable_age"])
    assert list(both["case"].values) == ["base", "reform"]
    np.testing.assert_array_equal(both["payg_cost_rate"].sel(case="reform").values,
                                  reform["pension"]["payg_cost_rate"].values)
    assert int(both["pensionable_age"].sel(case="reform", year=2045, sex="male")) == 65
    assert int(both["pensionable_age"].sel(case="base", year=2045, sex="male")) == 60
