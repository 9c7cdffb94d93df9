"""The demography stage's fused kernels (issue 17) against plain references.

- survival ratios in one pass per table give the bits of S_x = L_x / L_{x-1},
  S_100 = T_100 / (L_99 + T_100) and e_x = T_x / l_x formed in numpy from the
  full life-table columns (``life_table_columns``, the ``_table`` arithmetic);
- the population sums of ``indicators`` are the plain numpy sums over sex and
  age (the previous code) to 1e-14 relative: the kernel sums in ascending age,
  numpy pairwise, so the last bits may differ (measured <= 2e-15 on the asv inputs);
- unrealised emigration and the migration attrs are those of plain numpy.
"""

from __future__ import annotations

import numpy as np
import pytest

from actuarial.demography import _kernels
from test_projection import random_inputs

RTOL = 1e-14  # issue 17: summation order may change the last bits, no more


def _rates(n, seed=5):
    g = np.random.default_rng(seed)
    mx = np.exp(np.linspace(-7.0, -0.5, 101))[None, :] * g.uniform(0.5, 2.0, (n, 1))
    mx[:, 0] = g.uniform(0.002, 0.2, n)  # a_0 on both branches of the Coale-Demeny rule
    return mx, np.arange(n) % 2 == 0


@pytest.mark.parametrize("rule", [_kernels.OPEN_UN, _kernels.OPEN_GOMPERTZ])
def test_survival_ratios_are_the_life_table_columns(rule):
    mx, female = _rates(60)
    at = np.array([0, 1, 65, 100])
    S, ex = np.empty_like(mx), np.empty((mx.shape[0], at.size))
    assert _kernels.run_survival_ratios(mx, female, S, ex, at, rule) == 0
    l, L, T = (np.empty_like(mx) for _ in range(3))
    _kernels.run_life_table_columns(mx, female, l, L, T, rule)
    expected = np.empty_like(mx)
    expected[:, 0] = L[:, 0]
    expected[:, 1:-1] = L[:, 1:-1] / L[:, :-2]
    expected[:, -1] = L[:, -1] / (L[:, -2] + L[:, -1])
    np.testing.assert_array_equal(S, expected)
    for k, a in enumerate(at):  # T_a summed from age a upwards, as a plain loop
        T_a = np.zeros(mx.shape[0])
        for x in range(a, 101):
            T_a = T_a + L[:, x]
        np.testing.assert_array_equal(ex[:, k], T_a / l[:, a])


def test_survival_ratios_count_bad_tables_and_leave_them():
    mx, female = _rates(6)
    mx[1, 30] = np.nan
    mx[2, -1] = 0.0
    mx[3, 5] = -1e-3
    mx[4, 50] = 3.0  # q_50 = 1: nobody reaches 99, S_x = 0 / 0 above 52
    mx[5, 99] = 3.0  # q_99 = 1: S_100 = 0, a valid table
    S = np.full_like(mx, 7.0)
    ex = np.full((6, 2), 7.0)
    assert _kernels.run_survival_ratios(mx, female, S, ex, np.array([0, 65])) == 4
    assert np.all(S[1:5] == 7.0) and np.all(ex[1:5] == 7.0)
    assert np.all(np.isfinite(S[[0, 5]])) and np.all(S[[0, 5]] != 7.0) and S[5, -1] == 0.0


def _projection(n, capped, seed=3):
    args = random_inputs(np.random.default_rng(seed), n, 12)
    pop, deaths, realised = (np.empty((n, 12, 2, 101)) for _ in range(3))
    births = np.empty((n, 12, 2))
    _kernels.run_projection(*args, 0, 1.0, pop, births, deaths, realised if capped else None)
    return args, pop, births, deaths, realised


AGES = (15, 15, 65, 65)  # young below 15, working 15-64, old 65+


def _pass(pop, births, deaths, realised=None, mig=None):
    unrealised = np.empty_like(pop) if realised is not None else np.empty((0, 1, 1, 1))
    sums, stats = _kernels.run_population_pass(pop, births, deaths, pop if realised is None else realised,
                                               pop if mig is None else mig, unrealised, AGES)
    return sums, stats, unrealised


@pytest.mark.parametrize("n", [1, 3, 200])
def test_population_sums_are_numpys(n):
    _, pop, births, deaths, _ = _projection(n, True)
    sums = _pass(pop, births, deaths)[0]
    expected = [pop[..., :15].sum((-2, -1)), pop[..., 15:65].sum((-2, -1)), pop[..., 65:].sum((-2, -1)),
                pop.sum((-2, -1)), births.sum(-1), deaths.sum((-2, -1))]
    for got, want in zip(sums, expected):
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=0)


def test_population_pass_does_not_depend_on_the_batch():
    args, pop, births, deaths, realised = _projection(200, True)
    whole = _pass(pop, births, deaths, realised, args[-1])  # parallel kernel
    part = _pass(pop[:7], births[:7], deaths[:7], realised[:7], args[-1][:7])  # serial body
    for a, b in zip(whole, part):
        np.testing.assert_array_equal(a[:7] if a.ndim == 4 else a[:, :7], b)


@pytest.mark.parametrize("shared", [False, True])
def test_unrealised_emigration_and_its_stats_are_numpys(shared):
    args, pop, births, deaths, realised = _projection(5, True)
    mig = args[-1][:1] if shared else args[-1]
    mig = mig * 40.0  # much emigration: many capped cells
    pop, births, deaths = (np.empty_like(a) for a in (pop, births, deaths))
    _kernels.run_projection(*args[:-1], mig, 0, 1.0, pop, births, deaths, realised)
    pop[0, 3, 1, 50] = -2.5  # a negative stock for the counts
    pop[2, 4, 0, 7] = -1.0
    _, stats, unrealised = _pass(pop, births, deaths, realised, mig)
    expected = realised - mig
    np.testing.assert_array_equal(unrealised, expected)
    capped = expected > 0
    assert stats[3].sum() == np.count_nonzero(capped) > 0
    np.testing.assert_array_equal(stats[3], np.count_nonzero(capped, axis=(1, 2, 3)))
    first = [np.nonzero(c.any(axis=(1, 2)))[0][0] if c.any() else -1 for c in capped]
    np.testing.assert_array_equal(stats[4], first)
    np.testing.assert_array_equal(stats[0], np.count_nonzero(pop < 0, axis=(1, 2, 3)))
    np.testing.assert_array_equal(stats[1], pop.min(axis=(1, 2, 3)))
    np.testing.assert_allclose(stats[2], expected.sum(axis=(1, 2, 3)), rtol=RTOL)
    no_record = _pass(pop, births, deaths)[1]  # as_given: no unrealised emigration
    np.testing.assert_array_equal(no_record[:2], stats[:2])
    assert np.all(no_record[2:4] == 0) and np.all(no_record[4] == -1)


def _four_kernels(mx, female, at, rule, pop0, asfr, srb, mig, timing, capped):
    """survival_ratios, project(_capped), population_pass and death_probability_inplace
    one after the other (the path of one scenario, and of all before issue 17's fusion)."""
    n, T = asfr.shape[0], asfr.shape[1]
    S, ex = np.empty_like(mx), np.empty((mx.shape[0], at.size))
    assert _kernels.survival_ratios(mx, female, S, ex, at, rule) == 0
    pop, deaths = np.empty((n, T, 2, 101)), np.empty((n, T, 2, 101))
    births = np.empty((n, T, 2))
    realised = np.empty_like(pop)
    args = (pop0, S.reshape(n, T, 2, 101), asfr, srb, mig, timing, 1.0, pop, births, deaths)
    if capped:
        _kernels.project_capped(*args, realised)
    else:
        _kernels.project(*args)
        realised = pop
    unrealised = np.empty_like(pop) if capped else np.empty((0, 1, 1, 1))
    sums, stats = np.empty((6, n, T)), np.empty((5, n))
    _kernels.population_pass(pop, births, deaths, realised, mig, unrealised, np.array(AGES), sums, stats)
    _kernels.death_probability_inplace(S)
    return S, ex, pop, births, deaths, realised, unrealised, sums, stats


@pytest.mark.parametrize("capped", [False, True])
@pytest.mark.parametrize("timing", [0, 1])
@pytest.mark.parametrize("rule", [_kernels.OPEN_UN, _kernels.OPEN_GOMPERTZ])
def test_fused_kernel_is_the_four_kernels_bit_for_bit(capped, timing, rule):
    n, T = 9, 12
    args = random_inputs(np.random.default_rng(11), n, T)
    pop0, _, asfr, srb, mig = args
    mig = mig * 40.0  # much emigration: capped cells
    g = np.random.default_rng(4)
    mx = (np.exp(np.linspace(-7.0, -0.5, 101))[None, :] * g.uniform(0.5, 2.0, (n * T * 2, 1)))
    mx[:, 0] = g.uniform(0.002, 0.2, n * T * 2)
    female = np.arange(n * T * 2) % 2 == 0
    at = np.array([0, 65])
    want = _four_kernels(mx, female, at, rule, pop0, asfr, srb, mig, timing, capped)
    S, ex = np.empty_like(mx), np.empty((mx.shape[0], at.size))
    pop, deaths = np.empty((n, T, 2, 101)), np.empty((n, T, 2, 101))
    births = np.empty((n, T, 2))
    realised = np.empty_like(pop) if capped else pop
    unrealised = np.empty_like(pop) if capped else np.empty((0, 1, 1, 1))
    arrays = (pop0, S.reshape(n, T, 2, 101), asfr, srb, mig)
    sums, stats, bad = _kernels.run_project_fused(mx, female, S, ex, at, rule, arrays, timing, 1.0, pop, births,
                                                  deaths, realised, capped, unrealised, AGES)
    assert bad == 0
    for got, expected in zip((S, ex, pop, births, deaths, realised, unrealised, sums, stats), want):
        np.testing.assert_array_equal(got, expected)
    if capped:
        assert np.count_nonzero(unrealised) > 0


def test_fused_kernel_counts_bad_tables():
    n, T = 4, 3
    pop0, _, asfr, srb, mig = random_inputs(np.random.default_rng(2), n, T)
    mx = np.tile(np.exp(np.linspace(-7.0, -0.5, 101)), (n * T * 2, 1))
    mx[7, 30] = np.nan
    S, ex = np.empty_like(mx), np.empty((mx.shape[0], 2))
    pop, deaths = np.empty((n, T, 2, 101)), np.empty((n, T, 2, 101))
    births = np.empty((n, T, 2))
    out = _kernels.run_project_fused(mx, np.arange(n * T * 2) % 2 == 0, S, ex, np.array([0, 65]),
                                     _kernels.OPEN_UN, (pop0, S.reshape(n, T, 2, 101), asfr, srb, mig), 0, 1.0,
                                     pop, births, deaths, pop, False, np.empty((0, 1, 1, 1)), AGES)
    assert out[2] == 1


def _labelled_inputs(n, T, seed=8):
    import xarray as xr
    pop0, _, asfr, srb, mig = random_inputs(np.random.default_rng(seed), n, T)
    g = np.random.default_rng(seed + 1)
    mx = np.exp(np.linspace(-7.0, -0.5, 101)) * g.uniform(0.5, 2.0, (n, T, 2, 1))
    mx[..., 0] = g.uniform(0.002, 0.2, (n, T, 2))
    c = {"scenario": np.arange(n), "year": 2025 + np.arange(T), "sex": ["female", "male"], "age": np.arange(101)}
    d4, d3 = ("scenario", "year", "sex", "age"), ("scenario", "year", "age")
    return {"base_population": xr.DataArray(pop0[0], dims=d4[2:], coords={k: c[k] for k in d4[2:]}),
            "mx": xr.DataArray(mx, dims=d4, coords=c),
            "asfr": xr.DataArray(asfr, dims=d3, coords={k: c[k] for k in d3}),
            "srb": xr.DataArray(srb, dims=d4[:2], coords={k: c[k] for k in d4[:2]}),
            "net_migration": xr.DataArray(mig * 40.0, dims=d4, coords=c)}


@pytest.mark.parametrize("rule", ["capped", "as_given"])
def test_project_population_fused_path_is_the_separate_kernels(rule, monkeypatch):
    """project_population from FUSED_SCENARIOS scenarios (one fused kernel) gives the
    bits of the separate kernels' path (taken below it)."""
    import warnings

    from actuarial.demography.projection import project_population
    inputs = _labelled_inputs(_kernels.FUSED_SCENARIOS, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fused = project_population(**inputs, migration_rule=rule, migration_timing="half")
        monkeypatch.setattr(_kernels, "FUSED_SCENARIOS", 10 ** 9)
        separate = project_population(**inputs, migration_rule=rule, migration_timing="half")
    assert fused.attrs == separate.attrs
    for name in separate.data_vars:
        np.testing.assert_array_equal(fused[name].values, separate[name].values, err_msg=name)
    if rule == "capped":
        assert fused.attrs["unrealised_emigration_total"] > 0


def test_project_population_fused_path_rejects_bad_mx():
    from actuarial.demography.projection import project_population
    inputs = _labelled_inputs(_kernels.FUSED_SCENARIOS, 2)
    inputs["mx"][5, 1, 0, 40] = np.nan
    with pytest.raises(ValueError, match="mx must be finite"):
        project_population(**inputs)
