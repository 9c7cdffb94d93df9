"""Social protection floor costing: hand-computable cases and bad input."""

from pathlib import Path

import numpy as np
import pytest
import yaml

import actuarial
from actuarial.pipeline import run

ROOT = Path(__file__).resolve().parents[1]
DEMOLAND = ROOT / "assumptions" / "demoland.yaml"


def child(tmp_path, spf: dict, name="spf.yaml") -> Path:
    """Demoland with its floor package replaced by ``spf`` (a standalone file:
    ``extends:`` would merge the benefits with Demoland's)."""
    from actuarial.assumptions.loader import read_yaml

    data = read_yaml(DEMOLAND)
    data["spf"] = spf
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def universal(kind="child", **extra):
    return {"poverty_line": 30000, "benefits": {"b": {"kind": kind, "ages": [0, 5], "level": {"amount": 1000.0},
                                                      **extra}}}


@pytest.fixture(scope="module")
def demoland_run():
    return run(actuarial.load_assumptions(DEMOLAND))


def test_universal_benefit_is_eligible_times_level_times_months(tmp_path):
    tree = run(actuarial.load_assumptions(child(tmp_path, universal())))
    spf = tree["spf"].to_dataset().isel(scenario=0).sel(benefit="b")
    pop = tree["demography"]["population"].isel(scenario=0).sel(age=slice(0, 5)).sum("age")
    cpi = tree["economy"]["price_index"]
    expected = pop * 1000.0 * cpi * 12
    np.testing.assert_allclose(spf["cost"].transpose("year", "sex").values,
                               expected.transpose("year", "sex").values, rtol=1e-13)
    np.testing.assert_allclose(spf["beneficiaries"].values, spf["eligible"].values, rtol=1e-15)


def test_coverage_is_one_at_full_take_up_and_moves_with_it(tmp_path):
    """Over children_ages set to the benefit's band (0-5)."""
    full = run(actuarial.load_assumptions(child(tmp_path, {**universal(), "children_ages": [0, 5]})))["spf"]
    half = run(actuarial.load_assumptions(child(tmp_path, {**universal(take_up=0.5), "children_ages": [0, 5]},
                                                "half.yaml")))["spf"]
    np.testing.assert_allclose(full["coverage"].sel(indicator="children").values, 1.0, rtol=1e-15)
    np.testing.assert_allclose(half["coverage"].sel(indicator="children").values, 0.5, rtol=1e-15)
    np.testing.assert_allclose(half["cost"].values, 0.5 * full["cost"].values, rtol=1e-15)


def test_targeting_admin_and_months(tmp_path):
    base = run(actuarial.load_assumptions(child(tmp_path, universal())))["spf"]["cost"]
    other = run(actuarial.load_assumptions(child(tmp_path, universal(
        targeting=0.3, administrative_cost=0.1, months=4), "t.yaml")))["spf"]["cost"]
    np.testing.assert_allclose(other.values, base.values * 0.3 * 1.1 * 4 / 12, rtol=1e-14)


def test_pension_tested_social_pension_never_exceeds_the_old(demoland_run):
    spf = demoland_run["spf"].to_dataset()
    pension = demoland_run["pension"].to_dataset()
    pop = demoland_run["demography"]["population"].sel(age=slice(65, 100)).sum("age")
    social = spf["beneficiaries"].sel(benefit="social_pension")
    contributory = pension["pensioners"].sum("benefit_type").sel(age=slice(65, 100)).sum("age")
    assert bool(((social + contributory) <= pop * (1 + 1e-12)).all())
    assert bool((social > 0).all())


def test_maternity_is_births_times_take_up(demoland_run):
    spf = demoland_run["spf"].to_dataset().sel(benefit="maternity_benefit")
    births = demoland_run["demography"]["births"].sum("sex")
    take_up = np.interp(spf["year"].values, [2025, 2030], [0.5, 0.9])
    np.testing.assert_allclose(spf["beneficiaries"].sel(sex="female").values,
                               (births * take_up).values, rtol=1e-14)
    assert float(spf["beneficiaries"].sel(sex="male").sum()) == 0.0


def test_costs_as_shares_of_gdp_and_spending(demoland_run):
    spf = demoland_run["spf"].to_dataset()
    econ = demoland_run["economy"].to_dataset()
    np.testing.assert_allclose(spf["package_cost_gdp"].values, (spf["package_cost"] / econ["gdp"]).values,
                               rtol=1e-14)
    np.testing.assert_allclose(spf["cost"].sum(("benefit", "sex")).values, spf["package_cost"].values,
                               rtol=1e-14)
    np.testing.assert_allclose(spf["package_cost_government_expenditure"].values,
                               (spf["package_cost"] / econ["government_expenditure"]).values, rtol=1e-14)


@pytest.mark.parametrize("spf, words", [
    (universal(ages=[0, 120]), ["spf.benefits.b.ages", "within 0..100"]),
    (universal(take_up=1.2), ["spf.benefits.b.take_up", "[0.0, 1.0]"]),
    ({"poverty_line": 1, "benefits": {"b": {"kind": "child", "level": {"dollars": 5}}}},
     ["spf.benefits.b.level", "exactly one of amount"]),
    ({"poverty_line": 1, "benefits": {"b": {"kind": "pets", "level": {"amount": 5}}}},
     ["spf.benefits.b.kind", "child"]),
])
def test_bad_spf_input_names_the_key(tmp_path, spf, words):
    from actuarial.cli import main

    path = child(tmp_path, spf)
    with pytest.raises(actuarial.AssumptionError) as info:
        actuarial.load_assumptions(path)
    for word in words:
        assert word in str(info.value)
    assert main(["run", str(path), "-o", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.nc"))


def test_coverage_gap_is_target_minus_coverage(demoland_run):
    spf = demoland_run["spf"].to_dataset().isel(scenario=0)
    target = spf["coverage_target"].sel(indicator="children")
    assert float(target.sel(year=2027)) == pytest.approx(0.25)  # the interim target
    assert bool(target.sel(year=2024 + 100 - 50).isnull())  # no target after the target year
    gap = spf["coverage_gap"].sel(indicator="children", year=2030)
    np.testing.assert_allclose(gap.values, 0.4 - spf["coverage"].sel(indicator="children", year=2030).values,
                               rtol=1e-14)


@pytest.mark.parametrize("targets, words", [
    ({"children": {2020: 0.3, 2030: 1.0}}, ["coverage_targets.children", "before the base year 2025"]),
    ({"children": {2025: 0.3, 2030: 1.2}}, ["coverage_targets.children.2030", "[0.0, 1.0]"]),
    ({"unemployed": {2025: 0.3, 2030: 1.0}}, ["coverage_targets.unemployed", "no benefit of the package"]),
    ({"children": 0.5}, ["coverage_targets.children", "baseline"]),
])
def test_bad_coverage_targets(tmp_path, targets, words):
    spf = universal()
    spf["coverage_targets"] = targets
    with pytest.raises(actuarial.AssumptionError) as info:
        actuarial.load_assumptions(child(tmp_path, spf))
    for word in words:
        assert word in str(info.value)


def test_phase_in_reaches_universal_take_up_in_2030():
    tree = run(actuarial.load_assumptions(ROOT / "assumptions" / "demoland_spf_phasein.yaml"))
    cov = tree["spf"]["coverage"].isel(scenario=0).sel(year=2030)
    for name in ("mothers_with_newborns", "severe_disability"):
        np.testing.assert_allclose(cov.sel(indicator=name).sel(sex="female").values, 1.0, rtol=1e-14)
    # the phase-in's child benefit covers 0-15, the SDG 1.3.1 children (ILO): all of them
    np.testing.assert_allclose(cov.sel(indicator="children").values, 1.0, rtol=1e-14)
    gap = tree["spf"]["coverage_gap"].isel(scenario=0).sel(year=2030, indicator="children")
    np.testing.assert_allclose(gap.values, 0.0, atol=1e-13)
    # older persons above the pensionable age (60) with a survivors' pension only receive no old-age
    # pension (the social pension is pension-tested): the old-age series stays short of its target
    old = cov.sel(indicator="old_age").values
    assert (old < 1.0).all() and (old > 0.85).all()


def test_standard_checks_against_hand_computed_levels(demoland_run):
    """Flat benefit: level x 12 / average wage; pension: the standard beneficiary's
    replacement rate from the scheme's rules (30 credits, career-average scale)."""
    a = actuarial.load_assumptions(DEMOLAND)
    spf = demoland_run["spf"].to_dataset()
    conv, scheme, benefit = (spf[k].values for k in ("convention", "scheme", "standard_benefit"))
    level, minimum = spf["standard_level"].values, spf["standard_minimum"].values

    def pick(c, sch, ben):
        (i,) = np.nonzero((conv == c) & (scheme == sch) & (benefit == ben))[0]
        return level[i], minimum[i]

    assert pick("C102", "maternity_benefit", "maternity")[0] == pytest.approx(
        1.0 * 30000 * 12 / a.economy.average_wage, rel=1e-14)
    # a non-contributory maternity benefit falls under C183 Art. 6(6)-(7) (no rate), not Art. 6(3)
    assert not ((conv == "C183") & (scheme == "maternity_benefit")).any()
    # public works pay a wage, not a C102 Part IV unemployment benefit
    assert "public_works" not in scheme
    assert "public_works" in spf["standard_check"].attrs["not_compared"]
    article = spf["article"].values
    assert article[(conv == "C102") & (scheme == "maternity_benefit")][0].startswith("Part VIII, Art. 50")
    assert article[(conv == "C102") & (scheme == "pension") & (benefit == "old_age")][0].startswith("Part V, Art. 28")
    scale = np.array(a.labour.salary_scale)
    expected = a.pension.accrual_rate * 30 * scale[30:60].mean() / scale[59]  # ages 30..59, retiring at 60
    assert pick("C102", "pension", "old_age")[0] == pytest.approx(expected, rel=1e-12)
    assert pick("C128", "pension", "old_age")[1] == 0.45
    np.testing.assert_array_equal(spf["standard_check"].values, level >= minimum)


def test_public_works_cost_is_days_times_daily_wage(demoland_run):
    spf = demoland_run["spf"].to_dataset().sel(benefit="public_works")
    aw = demoland_run["economy"]["average_wage"]
    daily_wage = 0.5 * aw / 260  # half the average wage, 260 working days a year
    expected = spf["beneficiaries"] * 100 * daily_wage * 1.1  # 100 days, 10% administration
    np.testing.assert_allclose(spf["cost"].values, expected.transpose(*spf["cost"].dims).values, rtol=1e-13)


def test_two_child_benefits_cover_the_union_of_their_ages(tmp_path):
    spf = {"poverty_line": 30000, "benefits": {
        "young": {"kind": "child", "ages": [0, 5], "level": {"amount": 1000.0}, "take_up": 0.5},
        "older": {"kind": "child", "ages": [6, 14], "level": {"amount": 1000.0}, "take_up": 0.5}},
        "children_ages": [0, 14]}
    cov = run(actuarial.load_assumptions(child(tmp_path, spf)))["spf"]["coverage"].sel(indicator="children")
    np.testing.assert_allclose(cov.values, 0.5, rtol=1e-14)


def test_standard_rate_is_zero_without_vesting(tmp_path):
    from actuarial.assumptions.loader import read_yaml

    data = read_yaml(DEMOLAND)
    data["pension"]["vesting_years"] = 35
    data["pension"]["invalidity"]["vesting_years"] = 20
    path = tmp_path / "late_vesting.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    rates = run(actuarial.load_assumptions(path))["pension"]["standard_replacement_rate"].isel(year=0)
    np.testing.assert_array_equal(rates.values, 0.0)


def test_children_series_is_0_to_15_by_default(tmp_path):
    """The ILO's children series: ages 0-15; a 0-5 benefit at full take-up covers pop 0-5 / pop 0-15."""
    tree = run(actuarial.load_assumptions(child(tmp_path, universal())))
    cov = tree["spf"]["coverage"].isel(scenario=0).sel(indicator="children")
    pop = tree["demography"]["population"].isel(scenario=0)
    expected = pop.sel(age=slice(0, 5)).sum("age") / pop.sel(age=slice(0, 15)).sum("age")
    np.testing.assert_allclose(cov.transpose("year", "sex").values, expected.transpose("year", "sex").values,
                               rtol=1e-13)
    assert "aged 0-15" in str(tree["spf"]["indicator_definition"].sel(indicator="children").values)


@pytest.mark.parametrize("ages", [[0, 120], [5], "0-15"])
def test_bad_children_ages(tmp_path, ages):
    with pytest.raises(actuarial.AssumptionError) as info:
        actuarial.load_assumptions(child(tmp_path, {**universal(), "children_ages": ages}))
    assert "spf.children_ages" in str(info.value) and "within 0..100" in str(info.value)


def _hand_inputs(years=(2025, 2026)):
    """100 persons in every (sex, age) cell; active insured 30 a cell at ages 20-59,
    old-age pensioners 40 a cell at 60+ (pensionable age 60), 101 injury
    total-incapacity pensioners a sex, 20 unemployed a cell at ages 20-59."""
    import xarray as xr

    ages, sexes, T = np.arange(101), ["female", "male"], len(years)
    c = {"scenario": [0], "year": list(years), "sex": sexes, "age": ages}
    cells = np.full((1, T, 2, 101), 100.0)
    work = (ages >= 20) & (ages < 60)
    demography = xr.Dataset({"population": (("scenario", "year", "sex", "age"), cells),
                             "births": (("scenario", "year", "sex"), np.full((1, T, 2), 50.0))}, coords=c)
    economy = xr.Dataset({k: ("year", np.ones(T)) for k in ("gdp", "government_expenditure", "price_index",
                                                             "average_wage")}, coords={"year": list(years)})
    labour = xr.Dataset({"participation_rate": (("year", "sex", "age"), np.broadcast_to(0.8 * work, (T, 2, 101))),
                         "employed": (("scenario", "year", "sex", "age"), cells * 0.6 * work),
                         "contributors": (("scenario", "year", "sex", "age"), cells * 0.3 * work)}, coords=c)
    pens = np.zeros((1, T, 3, 2, 101))
    pens[:, :, 0, :, 60:] = 40.0
    pension = xr.Dataset({"pensioners": (("scenario", "year", "benefit_type", "sex", "age"), pens),
                          "pensionable_age": (("year", "sex"), np.full((T, 2), 60)),
                          "standard_replacement_rate": (("year", "benefit_type"), np.full((T, 3), 0.4))},
                         coords={**c, "benefit_type": ["old_age", "invalidity", "survivors"]})
    inj = np.zeros((1, T, 4, 2))
    inj[:, :, 1] = 101.0
    injury = xr.Dataset({"beneficiaries": (("scenario", "year", "benefit_type", "sex"), inj),
                         "insured_by_sex": (("scenario", "year", "sex"), np.full((1, T, 2), 1200.0))},
                        coords={"scenario": [0], "year": list(years), "sex": sexes,
                                "benefit_type": ["permanent_partial", "permanent_total", "spouse", "orphan"]})
    return demography, economy, labour, pension, injury


def test_sdg_131_hand_case_with_known_overlaps():
    """Two child benefits (0-15 at 1/2, 0-5 at 1/2: 3/4 of a cell of ages 0-5 covered once),
    a pension-tested social pension at 65+ (the 60 without a pension a cell), public works
    (no cash benefit), contributors and pensioners distinct, injury pensioners independent."""
    from actuarial.assumptions.series import TimeSeries
    from actuarial.assumptions.spf import SPF, Benefit
    from actuarial.projection.spf import project_spf

    def ben(name, kind, ages, take_up=1.0, tested=False, works=False):
        return Benefit(name, kind, ages, ("female", "male"), TimeSeries.constant(take_up), 1.0, "amount", 1.0,
                       12.0, "prices", 0.0, None, tested, works)

    spf = SPF(1.0, (ben("a", "child", (0, 15), 0.5), ben("b", "child", (0, 5), 0.5),
                    ben("s", "old_age", (65, 100), tested=True), ben("w", "unemployment", (20, 59), works=True)),
              {})
    out = project_spf(spf, *_hand_inputs()).isel(scenario=0, year=0, sex=0)["coverage"]
    # ages 0-5: 75, 6-15: 50, 16-19: 0, 20-59: 30 contributors, 60-64: 40 pensioners, 65+: 40 + 60
    covered = 6 * 75 + 10 * 50 + 40 * 30 + 5 * 40 + 36 * 100
    covered += 101 * (1 - covered / 10100)  # injury pensioners, independent within the sex
    expected = {"population_covered": covered / 10100, "children": (6 * 75 + 10 * 50) / 1600,
                "old_age": (5 * 40 + 36 * 100) / (41 * 100), "unemployed": 0.0,
                "employment_injury": 1200 / (40 * 60),
                "vulnerable": (6 * 75 + 10 * 50 + 36 * 60) / (1600 + (4 * 100 + 40 * 70) * (1 - 101 / 4400)
                                                              + 41 * 60)}
    for name, value in expected.items():
        assert float(out.sel(indicator=name)) == pytest.approx(value, rel=1e-13), name
    assert "independently" in out.attrs["long_name"]


def test_unemployment_cash_benefit_counts_public_works_does_not():
    from actuarial.assumptions.series import TimeSeries
    from actuarial.assumptions.spf import SPF, Benefit
    from actuarial.projection.spf import project_spf

    def spf(works):
        b = Benefit("u", "unemployment", (20, 59), ("female", "male"), TimeSeries.constant(0.25), 1.0, "amount",
                    1.0, 12.0, "prices", 0.0, None, False, works)
        return project_spf(SPF(1.0, (b,), {}), *_hand_inputs()).isel(scenario=0, year=0, sex=1)["coverage"]

    cash, works = spf(False), spf(True)
    assert float(cash.sel(indicator="unemployed")) == pytest.approx(0.25, rel=1e-14)  # 5 of 20 a cell
    assert float(works.sel(indicator="unemployed")) == 0.0
    # ages 20-59: contributors (30% of a cell) and recipients (5%) independent: 1 - 0.7 x 0.95 of each cell
    base = 40 * 30 + 5 * 40 + 36 * 40
    extra = 40 * 100 * (1 - (1 - 0.3) * (1 - 0.05)) - 40 * 30
    for cov, add in ((works, 0.0), (cash, extra)):
        covered = base + add
        covered += 101 * (1 - covered / 10100)
        assert float(cov.sel(indicator="population_covered")) == pytest.approx(covered / 10100, rel=1e-13)
