"""Mortality for projection years: interpolation, improvement, Brass paths."""

import numpy as np
import pytest

from actuarial.assumptions.model import (
    Anchored, BrassMortality, BySex, ImprovementMortality, LifeTableMortality, MortalityTable)
from actuarial.assumptions.series import TimeSeries
from actuarial.demography.laws import gompertz_makeham
from actuarial.demography.mortality import mortality_rates


def table(m):
    return MortalityTable("mx", np.asarray(m))


def test_life_tables_log_linear_between_anchors_flat_outside():
    m1 = gompertz_makeham(1e-4, 0.09, 1e-3)
    m2 = m1 * 0.5
    mort = LifeTableMortality(Anchored((2000, 2010), (BySex(table(m1), table(m1)), BySex(table(m2), table(m2)))))
    out = mortality_rates(mort, [1990, 2000, 2005, 2010, 2030])
    np.testing.assert_array_equal(out[0, 0], m1)  # flat before, exact at the anchor
    np.testing.assert_array_equal(out[1, 1], m1)
    np.testing.assert_allclose(out[2, 0], m1 * 0.5**0.5, rtol=1e-14)  # geometric mean
    np.testing.assert_array_equal(out[3, 0], m2)
    np.testing.assert_array_equal(out[4, 1], m2)


def test_improvement_compounds_yearly():
    base = gompertz_makeham(1e-4, 0.09, 1e-3)
    rates = np.linspace(0.02, 0.005, 101)
    mort = ImprovementMortality(BySex(table(base), table(base)), 2020, BySex(rates, rates * 0.5))
    out = mortality_rates(mort, [2020, 2021, 2050])
    np.testing.assert_allclose(out[0, 0], base, rtol=1e-15)
    np.testing.assert_allclose(out[1, 0], base * (1 - rates), rtol=1e-15)
    np.testing.assert_allclose(out[2, 1], base * (1 - rates * 0.5) ** 30, rtol=1e-13)


def test_brass_path_follows_e0_anchors():
    import xarray as xr

    from actuarial.demography.lifetable import life_table

    std = table(gompertz_makeham(5e-5, 0.095, 5e-4))
    mort = BrassMortality(BySex(std, std), BySex(TimeSeries((2020, 2040), (70.0, 80.0)),
                                                  TimeSeries.constant(65.0)), 1.0)
    mx = mortality_rates(mort, [2020, 2030, 2040, 2060])
    e0 = life_table(xr.DataArray(mx, dims=("year", "sex", "age"),
                                 coords={"sex": ["female", "male"]}))["ex"].isel(age=0).values
    np.testing.assert_allclose(e0[:, 0], [70.0, 75.0, 80.0, 80.0], atol=1e-8)
    np.testing.assert_allclose(e0[:, 1], 65.0, atol=1e-8)
    assert np.all(np.diff(mx[:3, 0, 1:], axis=0) < 0)  # rising e0: falling m_x at every age


def test_mortality_from_qx_table_runs_and_stays_consistent():
    from actuarial.demography.laws import heligman_pollard

    q = heligman_pollard(0.0005, 0.01, 0.1, 0.001, 10.0, 20.0, 0.00005, 1.1)
    mort = LifeTableMortality(Anchored((2000,), (BySex(MortalityTable("qx", q), MortalityTable("qx", q)),)))
    mx = mortality_rates(mort, [2000])
    assert mx.shape == (1, 2, 101)
    assert np.all(mx > 0)
    assert mx[0, 0, 50] == pytest.approx(q[50] / (1 - 0.5 * q[50]), rel=1e-14)
