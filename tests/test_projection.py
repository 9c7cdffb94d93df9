"""The numba projection kernel against the plain-numpy reference, and the API."""

import numpy as np
import pytest
import xarray as xr

from actuarial.demography import _kernels
from actuarial.demography.inputs import demographic_inputs
from actuarial.demography.lifetable import survival
from actuarial.demography.projection import project_population
from actuarial.demography.reference import project_reference


def random_inputs(rng, n_scen, n_years, per_scenario=True):
    A = 101
    s = n_scen if per_scenario else 1
    pop0 = rng.uniform(1e3, 1e5, (n_scen, 2, A))
    S = np.ascontiguousarray(rng.uniform(0.5, 1.0, (s, n_years, 2, A)))
    asfr = np.zeros((s, n_years, A))
    asfr[..., 15:50] = rng.uniform(0.0, 0.2, (s, n_years, 35))
    srb = rng.uniform(1.03, 1.07, (s, n_years))
    mig = rng.normal(0, 500, (s, n_years, 2, A))
    return pop0, S, asfr, srb, mig


@pytest.mark.parametrize("timing", [0, 1])
@pytest.mark.parametrize("per_scenario", [True, False])
def test_kernel_matches_numpy_reference(timing, per_scenario):
    rng = np.random.default_rng(1)
    args = random_inputs(rng, 7, 12, per_scenario)
    pop = np.empty((7, 12, 2, 101))
    births = np.empty((7, 12, 2))
    deaths = np.empty((7, 12, 2, 101))
    _kernels.project(*args, timing, 1.0, pop, births, deaths)
    ref = project_reference(*args, timing)
    for got, want in zip((pop, births, deaths), ref):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-9)


def test_scenarios_are_independent_of_batching():
    """Scenario k gives bit-identical numbers alone or within a batch."""
    rng = np.random.default_rng(2)
    args = random_inputs(rng, 5, 10)

    def run(sl):
        sub = [a[sl] for a in args]
        n = sub[0].shape[0]
        out = (np.empty((n, 10, 2, 101)), np.empty((n, 10, 2)), np.empty((n, 10, 2, 101)))
        _kernels.project(*sub, 0, 1.0, *out)
        return out

    full = run(slice(0, 5))
    part = run(slice(3, 4))
    for f, p in zip(full, part):
        assert np.array_equal(f[3:4], p)


def test_survivors_never_exceed_the_cohort():
    """With S <= 1 and no migrants, each cohort only shrinks."""
    rng = np.random.default_rng(3)
    pop0, S, asfr, srb, mig = random_inputs(rng, 2, 20)
    mig[:] = 0
    pop = np.empty((2, 20, 2, 101))
    births, deaths = np.empty((2, 20, 2)), np.empty((2, 20, 2, 101))
    _kernels.project(pop0, S, asfr, srb, mig, 0, 1.0, pop, births, deaths)
    assert np.all(pop[:, 1:, :, 1:100] <= pop[:, :-1, :, :99] + 1e-9)
    assert np.all(deaths >= -1e-9)


def test_scenario_axis_on_any_input(demoland):
    years = demoland.case.years[:21]
    inputs = demographic_inputs(demoland.demography, years)
    det = project_population(**inputs)
    # three scenarios differing only in fertility
    factors = xr.DataArray([0.9, 1.0, 1.1], dims="scenario")
    sto = project_population(**{**inputs, "asfr": inputs["asfr"] * factors})
    assert sto.sizes["scenario"] == 3
    xr.testing.assert_allclose(sto["population"].isel(scenario=1, drop=True),
                               det["population"].isel(scenario=0, drop=True), rtol=1e-14)
    births = sto["births"].sum("sex").isel(year=0).values
    assert births[0] < births[1] < births[2]


def test_dataset_conventions(demoland):
    inputs = demographic_inputs(demoland.demography, demoland.case.years)
    ds = project_population(**inputs)
    assert ds["population"].dims == ("scenario", "year", "sex", "age")
    assert ds["births"].dims == ("scenario", "year", "sex")
    assert ds["deaths"].dims == ("scenario", "year", "sex", "age")
    assert ds["net_migration"].dims == ("scenario", "year", "sex", "age")
    assert list(ds["sex"].values) == ["female", "male"]
    assert ds.sizes["age"] == 101 and ds.sizes["year"] == 101
    for name, var in ds.data_vars.items():
        assert "units" in var.attrs and "long_name" in var.attrs, name
    assert list(ds["life_expectancy"]["at_age"].values) == [0, 65]


def test_dependency_ratio_by_hand(demoland):
    inputs = demographic_inputs(demoland.demography, demoland.case.years[:3])
    ds = project_population(**inputs)
    p = ds["population"].isel(scenario=0, year=0).sum("sex").values
    assert ds["old_age_dependency_ratio"].isel(scenario=0, year=0) == pytest.approx(
        p[65:].sum() / p[15:65].sum(), rel=1e-14)


def test_survival_ratios_from_life_table():
    from actuarial.demography.lifetable import life_table

    mx = xr.DataArray(np.tile(np.geomspace(0.002, 0.5, 101), (2, 1)), dims=("sex", "age"),
                      coords={"sex": ["female", "male"]})
    S, e = survival(mx)
    lt = life_table(mx, radix=1.0)
    L, T = lt["Lx"].values, lt["Tx"].values
    np.testing.assert_allclose(S.values[:, 0], L[:, 0], rtol=1e-14)
    np.testing.assert_allclose(S.values[:, 1:100], L[:, 1:100] / L[:, :99], rtol=1e-14)
    np.testing.assert_allclose(S.values[:, 100], T[:, 100] / (L[:, 99] + T[:, 100]), rtol=1e-14)
    np.testing.assert_allclose(e.sel(at_age=65).values, lt["ex"].sel(age=65).values, rtol=1e-14)


# -- emigration capped at the persons present (migration_rule: capped) ------------------

def _outputs(n, T):
    return np.empty((n, T, 2, 101)), np.empty((n, T, 2)), np.empty((n, T, 2, 101)), np.empty((n, T, 2, 101))


@pytest.mark.parametrize("timing", [0, 1])
def test_capped_kernel_is_the_raw_kernel_when_no_cell_empties(timing):
    rng = np.random.default_rng(5)
    *args, mig = random_inputs(rng, 4, 15)
    args = (*args, np.abs(mig) - 1.0)  # emigration of at most one person a cell, and immigrants
    pop, births, deaths, realised = _outputs(4, 15)
    _kernels.project_capped(*args, timing, 1.0, pop, births, deaths, realised)
    raw = _outputs(4, 15)[:3]
    _kernels.project(*args, timing, 1.0, *raw)
    assert np.all(pop > 0)
    for got, want in zip((pop, births, deaths), raw):
        assert np.array_equal(got, want)
    assert np.array_equal(realised, np.broadcast_to(args[-1], realised.shape))


@pytest.mark.parametrize("timing", [0, 1])
def test_capped_kernel_keeps_every_stock_and_death_count_non_negative(timing):
    rng = np.random.default_rng(6)
    pop0, S, asfr, srb, mig = random_inputs(rng, 3, 20)
    mig = mig - 20_000.0  # emigration larger than most cells
    pop, births, deaths, realised = _outputs(3, 20)
    _kernels.project_capped(pop0, S, asfr, srb, mig, timing, 1.0, pop, births, deaths, realised)
    assert pop.min() >= 0.0 and deaths.min() >= 0.0
    assert np.all(realised >= mig) and np.all(realised <= np.maximum(mig, 0.0))
    assert (realised > mig).any()
    # balancing equation with the realised migrants, cell by cell of the sex totals
    change = births - deaths.sum(-1) + realised.sum(-1)
    np.testing.assert_allclose(pop[:, 1:].sum(-1), pop[:, :-1].sum(-1) + change[:, :-1], rtol=1e-12, atol=1e-6)
