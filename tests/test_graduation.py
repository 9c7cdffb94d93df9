"""Graduation of grouped data (actuarial.demography.graduation) and demography.grouped."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from actuarial.assumptions import load_assumptions
from actuarial.assumptions.demography import LifeTableMortality
from actuarial.demography import graduation as g

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("method", ["sprague", "beers"])
def test_panels_keep_group_totals_and_constants(method):
    first, second, middle = g.PANELS[method]
    for panel, own in ((first, 0), (second, 1), (middle, 2)):
        sums = panel.sum(axis=0)
        assert np.allclose(sums, np.eye(5)[own], atol=1e-12)  # each group's own column sums to 1
        assert np.allclose(panel.sum(axis=1), 0.2, atol=1e-12)  # a constant is reproduced


@pytest.mark.parametrize("method", ["sprague", "beers"])
def test_cubic_density_is_reproduced_exactly(method):
    x = np.arange(106.0)
    cum = 1e4 * x + 30 * x**2 - 0.2 * x**3 + 0.001 * x**4  # cumulative of degree 4
    single = np.diff(cum)
    got = g.osculatory(single.reshape(21, 5).sum(axis=1), method)
    assert np.allclose(got[:100], single[:100], rtol=1e-12, atol=0)


@pytest.mark.parametrize("method", ["sprague", "beers"])
def test_random_groups_are_kept(method):
    groups = np.random.default_rng(1).uniform(1e3, 1e5, 21)
    got = g.osculatory(groups, method)
    assert np.allclose(got[:100].reshape(20, 5).sum(axis=1), groups[:20], rtol=1e-12)
    assert got[100] == groups[20]


def test_negative_result_is_an_error():
    groups = [1e5] * 19 + [10.0, 1e4]  # a tiny group next to a large open group
    with pytest.raises(ValueError, match="negative value"):
        g.graduate_counts(groups, "sprague")
    assert (g.graduate_counts(groups, "pclm") > 0).all()


def test_pclm_recovers_a_smooth_curve_and_the_total():
    rng = np.random.default_rng(7)
    ages = np.arange(111) + 0.5
    curve = 2e4 * np.exp(-0.5 * ((ages - 30) / 25) ** 2)
    sample = rng.poisson(curve).astype(float)
    groups = np.append(sample[:100].reshape(20, 5).sum(axis=1), sample[100:].sum())
    est = g.pclm(groups)
    assert abs(est.sum() / groups.sum() - 1) < 1e-6  # the level is unpenalised: totals kept
    assert np.max(np.abs(est[:95] / curve[:95] - 1)) < 0.03
    assert np.all(np.abs(np.diff(np.log(est[:100]), 2)) < 0.02)  # no cliffs


def test_pclm_exact_keeps_every_group_and_follows_a_fertility_curve():
    """Births by age of mother from a smooth curve (a Hadwiger-like bell, positive on 15..49 only),
    grouped 15-19 .. 45-49 by plain sums: each group kept to 1e-12, nothing outside, close to
    the curve at the central ages, no steps at the group edges."""
    ages = np.arange(15, 50)
    curve = np.exp(-0.5 * ((ages + 0.5 - 29.0) / 5.5) ** 2)
    groups = np.array([curve[i:i + 5].sum() for i in range(0, 35, 5)])
    starts = np.arange(15, 50, 5)
    est = g.pclm_exact(groups, starts, starts + 5)
    assert est.shape == (35,) and np.all(est > 0)
    np.testing.assert_allclose(est.reshape(7, 5).sum(axis=1), groups, rtol=1e-12)
    np.testing.assert_allclose(est[5:30], curve[5:30], rtol=0.05)  # ages 20-44 (measured 4.0%)
    steps = np.abs(np.diff(np.log(est), 2))
    even = np.abs(np.diff(np.log(np.repeat(groups / 5, 5)), 2))
    assert steps.max() < 0.2 < even.max()
    assert np.array_equal(g.pclm_exact(np.zeros(3), [10, 15, 20], [15, 20, 25]), np.zeros(15))


def test_pclm_takes_an_early_open_group():
    groups = np.array([5e4, 4.9e4, 4.8e4, 4.7e4, 4.5e4, 4.3e4, 4e4, 3.7e4, 3.3e4, 2.9e4, 2.4e4, 1.9e4,
                       1.4e4, 1e4, 7e3, 4e3, 5e3])  # 80+ open
    est = g.graduate_counts(groups, "pclm")
    assert est.shape == (101,) and (est > 0).all()
    assert abs(est[80:].sum() / 5e3 - 1) < 0.05


def test_abridged_life_table_to_complete():
    # a Gompertz-Makeham table: abridged by its own deaths / person-years, graduated back
    mx = 2e-4 + 3e-5 * np.exp(0.1 * np.arange(101.0))
    mx[0] = 0.01
    lx = np.cumprod(np.append(1.0, 1 - mx[:100] / (1 + 0.5 * mx[:100])))
    Lx = np.append((lx[:100] + lx[1:]) / 2, lx[100] / mx[100])
    dx = mx * Lx
    starts = [0, 1, *range(5, 101, 5), 101]
    nmx = np.array([dx[a:b].sum() / Lx[a:b].sum() for a, b in zip(starts[:-1], starts[1:])])
    got = g.graduate_rates(nmx, True)
    assert got[0] == nmx[0] and got[100] == nmx[-1]
    assert np.max(np.abs(got[5:95] / mx[5:95] - 1)) < 0.02
    assert np.max(np.abs(got[95:100] / mx[95:100] - 1)) < 0.06  # m_x near 0.6: the edge of the open group
    lt = g.complete_life_table({"female": nmx, "male": nmx})
    assert set(lt.data_vars) >= {"mx", "qx", "lx", "Lx", "Tx", "ex"}
    assert lt["ex"].sel(sex="female", age=0) > 0


def _demoland_with(grouped: dict, tmp_path) -> Path:
    data = yaml.safe_load((ROOT / "assumptions" / "demoland.yaml").read_text())
    data["demography"]["grouped"] = grouped
    path = tmp_path / "grouped.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _demoland_groups():
    data = yaml.safe_load((ROOT / "assumptions" / "demoland.yaml").read_text())
    pop = data["demography"]["base_population"]
    return {s: [float(sum(pop[s][a:a + 5])) for a in range(0, 100, 5)] + [float(pop[s][100])] for s in pop}


def test_grouped_base_population_is_read_and_graduated(tmp_path):
    groups = _demoland_groups()
    a = load_assumptions(_demoland_with({"age_groups": 5, "graduation": "pclm", "base_population": groups},
                                        tmp_path))
    got = a.demography.base_population
    assert np.allclose(got.female, g.pclm(groups["female"]))
    labels = {f"{5 * i}-{5 * i + 4}": v for i, v in enumerate(groups["male"][:20])} | {"100+": groups["male"][20]}
    b = load_assumptions(_demoland_with({"age_groups": 5, "graduation": "pclm",
                                         "base_population": {"female": groups["female"], "male": labels}},
                                        tmp_path))
    assert np.array_equal(b.demography.base_population.male, got.male)


def test_grouped_life_tables_replace_the_mortality(tmp_path):
    mx = [0.02, 0.002, 0.0008, 0.0006, 0.001, 0.0015, 0.0017, 0.002, 0.0025, 0.003, 0.004, 0.006, 0.009,
          0.013, 0.02, 0.03, 0.05, 0.08, 0.13, 0.2, 0.3, 0.45]
    a = load_assumptions(_demoland_with({"age_groups": 5, "life_tables": {2025: {"female": mx, "male": mx}}},
                                        tmp_path))
    mort = a.demography.mortality
    assert isinstance(mort, LifeTableMortality)
    table = mort.tables.values[0].female
    assert table.quantity == "mx" and table.values.shape == (101,)
    assert np.allclose(table.values, g.graduate_rates(mx, True))
