"""The real-country assumption sets: Canada and Mexico (assumptions/*.yaml).

Reference figures are UN World Population Prospects (CC BY 3.0 IGO):
WPP 2019 (the ccmppWPP outputs: Canada's population in 2020) and WPP 2024
medium-variant medians (TFR, e0, population in 2024), copied here so the
tests do not need ../shared/data.
"""

from pathlib import Path

import numpy as np
import pytest

from actuarial.assumptions import load_assumptions
from actuarial.pipeline import run, run_demography

ASSUMPTIONS = Path(__file__).resolve().parents[1] / "assumptions"

# WPP 2024 medium variant (wpp2024: tfrprojMed, e0Fproj, e0Mproj, popprojMed)
WPP2024 = {
    "canada": {"tfr": {2024: 1.343104, 2025: 1.332437, 2030: 1.324957},
               "e0": {2024: (84.9130, 80.5315), 2025: (85.0299, 80.7383), 2030: (85.6330, 81.6848)},
               "pop2024": 39_946_376},
    "mexico": {"tfr": {2024: 1.891584, 2025: 1.868938, 2030: 1.792628},
               "e0": {2024: (77.9992, 72.4434), 2025: (78.1742, 72.6293), 2030: (79.0439, 73.5964)},
               "pop2024": 131_413_615},
}
# 2020: Canada, the UN's ccmppWPP output (WPP 2019, un_ccmpp_canada/outputs/pop_count_tot_sex.csv);
# Mexico, WPP 2019's published estimate (its base is scaled to WPP 2024's level: see build_countries.py)
UN_2020 = {"canada": 37_498_710, "mexico": 128_932_753}
BASE_TOLERANCE = {"canada": 0.01, "mexico": 0.02}


@pytest.fixture(scope="module", params=["canada", "mexico"])
def country(request):
    return request.param


@pytest.fixture(scope="module")
def short(country, tmp_path_factory):
    """A 10-year variant of the country file, through ``extends:``."""
    folder = tmp_path_factory.mktemp(country)
    path = folder / f"{country}_short.yaml"
    path.write_text(
        f"extends: {(ASSUMPTIONS / f'{country}.yaml').as_posix()}\n"
        f"case: {{name: {country}_short, horizon: 10}}\n"
        "pension: {horizons: [5, 10]}\n"
        "employment_injury: {gap_horizon: 10}\n"
        "fiscal_space: {stochastic: {paths: 50}}\n", encoding="utf-8")
    return load_assumptions(path)


def test_loads_without_shared_data(country):
    a = load_assumptions(ASSUMPTIONS / f"{country}.yaml")
    assert a.case.base_year == 2020 and a.case.horizon == 80
    for section in ("economy", "labour", "pension", "employment_injury", "spf", "stochastic", "fiscal_space"):
        assert getattr(a, section) is not None, section
    assert a.stochastic.mortality is not None  # Lee-Carter b_x from the build script
    text = (ASSUMPTIONS / "data" / country / "un_wpp.yaml").read_text()
    assert "CC BY 3.0 IGO" in text and "shared" not in text.split("demography:")[1]


def test_base_population_matches_un(country, short):
    total = float(np.sum(short.demography.base_population))
    assert total == pytest.approx(UN_2020[country], rel=BASE_TOLERANCE[country])


def test_first_years_follow_wpp2024(country, short):
    demo = run_demography(short)
    tfr = demo["total_fertility_rate"]
    tfr = tfr.isel(scenario=0) if "scenario" in tfr.dims else tfr
    for year, value in WPP2024[country]["tfr"].items():
        assert float(tfr.sel(year=year)) == pytest.approx(value, abs=0.002), year
    e0 = demo["life_expectancy"].isel(scenario=0).sel(at_age=0)
    for year, (female, male) in WPP2024[country]["e0"].items():
        assert float(e0.sel(year=year, sex="female")) == pytest.approx(female, abs=0.05), year
        assert float(e0.sel(year=year, sex="male")) == pytest.approx(male, abs=0.05), year
    pop2024 = float(demo["population"].isel(scenario=0).sel(year=2024).sum())
    # Mexico is calibrated to it; Canada (WPP 2019 base) falls short by the 2020s revision (~2.6%)
    assert pop2024 == pytest.approx(WPP2024[country]["pop2024"], rel=0.005 if country == "mexico" else 0.03)


def test_short_variant_runs_through_the_pipeline(country, short):
    tree = run(short)
    for node in ("demography", "economy", "pension", "employment_injury", "spf", "fiscal_space"):
        assert node in tree.children, node
    cost = tree["employment_injury"]["cost_rate"]
    assert np.all(np.isfinite(cost.values)) and 0.003 < float(cost.max()) < 0.03
    p = tree["pension"].to_dataset().isel(scenario=0).sel(year=2020)
    # Mexico's IMSS old-age pensions are individual accounts since 1997 (pension.transition): the
    # pensions in payment of 2020 are the Ley 73 legacy's; bounded as the DB scheme's cost rate was
    payg = p["legacy_expenditure"] / p["insurable_earnings"] if country == "mexico" else p["payg_cost_rate"]
    assert 0.05 < float(payg) < 0.2
    spf = tree["spf"]["package_cost_gdp"].isel(scenario=0).sel(year=2020)
    assert 0.005 < float(spf) < 0.06


# -- Demoland's Lee-Carter volatility: Mexico's, on the single-age scale (issue 12) --------

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def _volatility_script():
    import importlib.util

    path = ASSUMPTIONS / "sources" / "lee_carter_volatility.py"
    spec = importlib.util.spec_from_file_location("lee_carter_volatility", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_demoland_lee_carter_volatility_is_on_the_single_age_scale(demoland):
    """b_x sum to 1 over the 101 single ages, and sigma is Mexico's fit on that
    scale (the shipped country file's figure, fitted by build_countries.py)."""
    mort = demoland.stochastic.mortality
    for b in mort.b:
        assert len(b) == 101 and float(np.sum(b)) == pytest.approx(1.0, abs=1e-9)
    mexico = load_assumptions(ASSUMPTIONS / "mexico.yaml").stochastic.mortality.volatility
    assert mort.volatility == round(mexico, 2) == 1.17


@pytest.mark.skipif(not (SHARED / "un_ccmpp_mexico").is_dir(), reason="needs ../shared/data")
def test_lee_carter_volatility_recomputed_from_the_un_tables(demoland):
    """Plain SVD estimate (the script) = the engine's fit = the figure in demoland.yaml."""
    from actuarial.demography.un_tables import read_un_tables
    from actuarial.stochastic.lee_carter import fit_lee_carter

    est = _volatility_script().estimates(SHARED)
    sigma = {c: np.mean([v[1] for v in est[c].values()]) for c in est}
    assert sigma["mexico"] == pytest.approx(1.168, abs=5e-4) and sigma["canada"] == pytest.approx(0.562, abs=5e-4)
    assert demoland.stochastic.mortality.volatility == round(sigma["mexico"], 2)
    un = read_un_tables(SHARED / "un_ccmpp_mexico")
    rows = (un["years"] >= 1970) & (un["years"] <= 2019)
    for g, sex in enumerate(("female", "male")):
        fit = fit_lee_carter(np.log(un["mx"][rows, g]))
        drift, vol, vol19 = est["mexico"][sex]
        assert fit.volatility == pytest.approx(vol, rel=1e-9) and fit.drift == pytest.approx(drift, rel=1e-9)
        assert 4.5 < vol / vol19 < 5.5  # 19 age groups: k and sigma about 5 times smaller


# -- no cliffs between adjacent ages (issue 15 item 6) ----------------------------------------

POPULATION_JUMP = 0.05
"""Bound on |ln(P_x+1/P_x) - ln(P_x/P_x-1)| over ages 1-95: the largest of Canada's
UN output (WPP 2019, used as it is) is 0.036 (ages 69-70, the 1950 base cohorts' seam in
the UN's own projection); Mexico's former base had 0.24 (P_70/P_69 = 0.81 women,
0.795 men), its graduated base 0.025."""
MX_JUMP = 0.1
"""Bound on |ln(m_x+1/m_x) - ln(m_x/m_x-1)| over ages 2-98 (m_1..m_99: m_0 and the open
group 100+ are no points of a smooth single-age curve) of the Brass standards, WPP 2024's
abridged m_x of 2015-2020 graduated by the PCLM: largest 0.071 (Mexico, women, age 7, the
bottom of the mortality curve); WPP 2019's single-age life tables of 2019 reach 0.051."""


def age_jumps(values) -> np.ndarray:
    """|ln(v_x+1/v_x) - ln(v_x/v_x-1)| by age x = 1..len-2 (last axis)."""
    return np.abs(np.diff(np.log(np.asarray(values, float)), n=2, axis=-1))


def test_age_jump_measure_sees_a_cliff():
    """The measure flags a 0.81 cliff in an otherwise geometric pyramid (Mexico's former seam)."""
    smooth = 1e6 * 0.95 ** np.arange(101)
    cliff = smooth.copy()
    cliff[70:] *= 0.81 / 0.95
    assert age_jumps(smooth).max() < 1e-12
    assert age_jumps(cliff)[69] == pytest.approx(abs(np.log(0.81 / 0.95)), rel=1e-12)  # age 70
    assert age_jumps(cliff)[69] > 3 * POPULATION_JUMP


def test_base_population_has_no_cliffs(country):
    pop = load_assumptions(ASSUMPTIONS / f"{country}.yaml").demography.base_population
    jumps = age_jumps(pop)[:, 0:95]  # ages 1..95, both sexes
    assert jumps.shape == (2, 95) and jumps.max() < POPULATION_JUMP, (country, jumps.max(), jumps.argmax() % 95 + 1)


def test_mortality_standard_has_no_cliffs(country):
    import yaml

    text = (ASSUMPTIONS / "data" / country / "un_wpp.yaml").read_text()
    standard = yaml.safe_load(text)["demography"]["mortality"]["brass_logit"]["standard"]
    assert "WPP 2024 mxF5/mxM5 2015-2020" in text
    for sex in ("female", "male"):
        mx = np.asarray(standard[sex]["mx"], float)
        assert mx.shape == (101,) and np.all(mx > 0) and np.all(np.diff(mx[10:]) > 0), sex  # rising from 10
        jumps = age_jumps(mx)[1:98]  # ages 2..98
        assert jumps.max() < MX_JUMP, (country, sex, jumps.max())


@pytest.mark.skipif(not (SHARED / "wpp2024").is_dir(), reason="needs ../shared/data")
def test_mortality_standard_reproduces_wpp2024_groups(country):
    """The graduated standard's deaths over the PCLM exposures give back WPP 2024's m_x of
    each 5-year group (within 2%), and m_0 exactly: the source is the published abridged table."""
    import pandas as pd
    import yaml

    code = {"canada": 124, "mexico": 484}[country]
    standard = yaml.safe_load((ASSUMPTIONS / "data" / country / "un_wpp.yaml").read_text())
    standard = standard["demography"]["mortality"]["brass_logit"]["standard"]
    for sex in ("female", "male"):
        table = pd.read_csv(SHARED / "wpp2024" / f"mx{sex[0].upper()}5.txt", sep="\t", dtype={"age": str})
        nmx = table[table["country_code"] == code]["2015-2020"].to_numpy(float)
        mx = np.asarray(standard[sex]["mx"], float)
        assert mx[0] == pytest.approx(nmx[0], rel=1e-5)
        # a plain life table by single age (constant force within each age), grouped as WPP's
        lx = np.concatenate([[1.0], np.exp(-np.cumsum(mx[:100]))])
        Lx = np.where(mx[:100] > 0, (lx[:-1] - lx[1:]) / mx[:100], lx[:-1])
        for j, (lo, hi) in enumerate(zip([1, *range(5, 100, 5)], [5, *range(10, 101, 5)])):
            grouped = (mx[lo:hi] * Lx[lo:hi]).sum() / Lx[lo:hi].sum()
            assert grouped == pytest.approx(nmx[j + 1], rel=0.02), (sex, lo)


ASFR_JUMP = 0.5
"""Bound on |ln(f_x+1/f_x) - ln(f_x/f_x-1)| over the ages of positive shares of the fertility
patterns (shares by single age of mother, 10..54; Mexico's 50-54 group is 0 in WPP 2024), WPP
2024's 5-year shares graduated by the PCLM (build_countries.graduated_pattern): largest 0.33
(Mexico 2050 and 2075; Canada at most 0.21); the former even spread of each group over its 5
ages had steps of 4.1 to 5.2 at the group edges (Canada 2020: 5.13, ln(f_15-19/f_10-14))."""


def fertility_patterns(country) -> dict:
    import yaml

    text = (ASSUMPTIONS / "data" / country / "un_wpp.yaml").read_text()
    return yaml.safe_load(text)["demography"]["fertility"]["pattern"]


def test_fertility_pattern_has_no_steps(country):
    for year, p in fertility_patterns(country).items():
        assert p["first_age"] == 10 and p.get("width", 1) == 1 and len(p["values"]) == 45, year
        values = np.asarray(p["values"], float)
        positive = np.flatnonzero(values > 0)
        assert positive[0] == 0 and np.all(np.diff(positive) == 1), year  # one run from age 10
        assert np.all(values[positive[-1] + 1:] == 0) and positive[-1] >= 39, year  # at least 10..49
        assert values.sum() == pytest.approx(1.0, abs=1e-6), year
        jumps = age_jumps(values[positive])
        assert jumps.max() < ASFR_JUMP, (country, year, jumps.max())
    # the engine's schedule: zero outside 10..54, the shares as written
    a = load_assumptions(ASSUMPTIONS / f"{country}.yaml")
    pattern = np.asarray(a.demography.fertility.pattern.values[0])
    assert np.all(pattern[:10] == 0) and np.all(pattern[55:] == 0) and np.all(pattern[10:50] > 0)


@pytest.mark.skipif(not (SHARED / "wpp2024").is_dir(), reason="needs ../shared/data")
def test_fertility_pattern_keeps_wpp2024_groups(country):
    """Each 5-year group's share of the graduated pattern is WPP 2024's (percentASFR5 / 100)
    to the 12 significant digits written: the TFR of each group, and the total, unchanged."""
    import pandas as pd

    code = {"canada": 124, "mexico": 484}[country]
    table = pd.read_csv(SHARED / "wpp2024" / "percentASFR5.txt", sep="\t")
    rows = table[table["country_code"] == code]
    for year, p in fertility_patterns(country).items():
        groups = np.asarray(p["values"], float).reshape(9, 5).sum(axis=1)
        wpp = rows[str(year)].to_numpy(float) / 100.0
        np.testing.assert_allclose(groups, wpp, rtol=1e-10, atol=1e-14, err_msg=str(year))
