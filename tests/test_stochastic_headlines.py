"""Stochastic valuations as a user reads them: per-scenario headline results,
their distributions (/stochastic), fans, the kept scenarios (Zarr), the seed."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
import yaml
from scipy.stats import binom

from actuarial import pipeline
from actuarial.assumptions import load_assumptions
from actuarial.cli import main
from actuarial.stochastic.headlines import HEADLINES, spf_report_years
from actuarial.stochastic.scenarios import SOURCES, SUMMARIES, central_fiscal, chunk_nodes, run_scenarios

HORIZON = 12


def _short(root, folder, **pension):
    path = folder / "short.yaml"
    path.write_text(yaml.safe_dump({
        "extends": str(root / "assumptions" / "demoland.yaml"),
        "case": {"horizon": HORIZON}, "pension": {"horizons": [HORIZON], **pension},
        "employment_injury": {"gap_horizon": HORIZON},
    }))
    return path


@pytest.fixture(scope="module")
def depleting(root, tmp_path_factory):
    """Demoland over 12 years with a low contribution rate and reserve: the
    reserve is exhausted in the last years in some scenarios, never in others."""
    folder = tmp_path_factory.mktemp("depleting")
    return load_assumptions(_short(root, folder, contribution_rate=0.065, initial={"reserve": 3e11},
                                   horizons=[6, HORIZON]))


@pytest.fixture(scope="module")
def kept(depleting, tmp_path_factory):
    """A 9-scenario run in chunks of 4 with its scenarios kept in a Zarr store."""
    pytest.importorskip("zarr")
    import dataclasses

    a = dataclasses.replace(depleting, stochastic=dataclasses.replace(depleting.stochastic, chunk=4))
    store = tmp_path_factory.mktemp("kept") / "scenarios.zarr"
    return a, pipeline.run(a, scenarios=9, keep_scenarios=store), store


def _present_value_balance(ds, economy, reserve0: float, horizon: int) -> float:
    """Actuarial balance by its definition (US Trustees; pension_metrics'
    docstring), as plain loops over the years of one scenario: summarized
    income rate (F_0 + PV C) / PV IE minus summarized cost rate
    (PV E + v_H E_H) / PV IE over H = min(horizon, T - 1) years, mid-year flows."""
    ie = ds["insurable_earnings"].values.ravel()
    rate = np.broadcast_to(ds["contribution_rate"].values, ds["insurable_earnings"].shape).ravel()
    E = ds["expenditure"].values.ravel()
    d = np.broadcast_to(economy["discount_rate"].values, ds["insurable_earnings"].shape).ravel()
    H = min(horizon, ie.size - 1)
    v, pv_ie, pv_c, pv_e = 1.0, 0.0, 0.0, 0.0
    for t in range(H):
        m = v / np.sqrt(1 + d[t])
        pv_ie += ie[t] * m
        pv_c += rate[t] * ie[t] * m
        pv_e += E[t] * m
        v /= 1 + d[t]
    return (reserve0 + pv_c) / pv_ie - (pv_e + v * E[H]) / pv_ie


def test_headlines_of_a_scenario_run_alone_are_the_same(depleting):
    """Scenarios 0, 4 and 5 of a run in chunks of 4 (pooled injury pensioners,
    no closed group), rerun alone through the deterministic code path (by
    sector, closed group on) with their drawn inputs: the same headline
    numbers to rounding; the actuarial balance and depletion year also by
    their definition from the alone run's cash flows."""
    a = depleting
    headlines = run_scenarios(a, 6, chunk=4)["stochastic"]
    assert set(headlines) == set(HEADLINES)
    central = central_fiscal(a)
    for k in (0, 4, 5):
        alone = chunk_nodes(a, k, 1, central, totals_only=False)
        p, e, s = alone["/pension"].isel(scenario=0), alone["/employment_injury"], alone["/spf"]
        got = {name: da.sel(scenario=k).values for name, da in headlines.items()}
        np.testing.assert_allclose(got["general_average_premium"], p["general_average_premium"].values,
                                   rtol=1e-10)
        np.testing.assert_allclose(got["actuarial_balance"], p["actuarial_balance_by_horizon"].values,
                                   rtol=1e-10)
        assert got["actuarial_balance"][-1] == pytest.approx(float(p["actuarial_balance"]), rel=1e-10)
        np.testing.assert_allclose(got["steady_state_rate"], p["steady_state_rate"].values, rtol=1e-10)
        for h, value in zip(a.pension.horizons, got["actuarial_balance"]):
            balance = _present_value_balance(p, alone["/economy"].isel(scenario=0), a.pension.initial_reserve, h)
            assert value == pytest.approx(balance, rel=1e-10, abs=1e-13)
        end = p["reserve_end"].values
        want_year = float(p["year"].values[np.argmax(end <= 0)]) if (end <= 0).any() else np.nan
        np.testing.assert_array_equal(got["depletion_year"], want_year)
        np.testing.assert_allclose(got["injury_cost_rate"],
                                   e["cost_rate"].isel(scenario=0, year=HORIZON - 1).values, rtol=1e-10)
        np.testing.assert_allclose(got["spf_package_cost_gdp"], s["package_cost_gdp"].isel(scenario=0).sel(
            year=spf_report_years(a)).values, rtol=1e-10)
        debt = alone["/fiscal_space"]["debt_gdp_with_reform"].isel(scenario=0).values
        np.testing.assert_allclose(got["debt_gdp_final"], debt[-1], rtol=1e-10)
    depleted = headlines["depletion_year"].values
    assert np.isnan(depleted).any() and (~np.isnan(depleted)).any()  # the fixture does what it says


def test_fans_and_distributions_equal_numpy_on_the_kept_scenarios(kept):
    a, tree, store = kept
    levels = [5, 10, 25, 50, 75, 90, 95]
    for node, names in SUMMARIES.items():
        kept_paths = xr.open_zarr(store, group=node)
        for name in names:
            if name not in kept_paths:  # a design's own summary (e.g. the DC top-up): not in this DB run
                assert f"{name}_percentile" not in tree[node]
                continue
            fan = tree[node][f"{name}_percentile"]
            assert fan.dims[:2] == ("year", "percentile") and fan.attrs["fan"] == "valuation"
            assert fan["percentile"].values.tolist() == levels and fan["percentile"].dtype.kind == "i"
            values = kept_paths[name].transpose("scenario", "year", ...).values
            assert values.shape[0] == 9
            want = np.moveaxis(np.percentile(values, levels, axis=0), 0, 1)
            np.testing.assert_array_equal(fan.values, want, err_msg=f"{node}/{name}")
    heads = xr.open_zarr(store)
    s = tree["stochastic"].to_dataset()
    assert s.attrs["headlines"] == list(HEADLINES) and s.attrs["scenarios"] == 9
    for name in HEADLINES:
        values = heads[name].transpose("scenario", ...).values
        if name != "depletion_year":
            want = np.moveaxis(np.percentile(values, levels, axis=0), 0, -1)
            np.testing.assert_array_equal(s[f"{name}_percentile"].values, want, err_msg=name)
            np.testing.assert_allclose(s[f"{name}_mean"].values, values.mean(0), rtol=1e-14)
        assert 0 <= float(s[f"{name}_share_past"].min()) and float(s[f"{name}_share_past"].max()) <= 1
        assert s[f"{name}_share_past"].attrs["threshold_rule"]
    years = heads["depletion_year"].values
    for year, prob in zip(s["year"].values, s["depletion_probability"].values):
        assert prob == np.count_nonzero(years <= year) / years.size
    assert float(s["depletion_never_share"]) == np.isnan(years).mean()
    # depletion percentiles: a year where the sorted years (never last) give one, NaN among the never
    order = np.sort(np.where(np.isnan(years), np.inf, years))
    for level, q in zip(levels, s["depletion_year_percentile"].values):
        pos = level / 100 * (years.size - 1)
        lo, hi = order[int(np.floor(pos))], order[int(np.ceil(pos))]
        if np.isfinite(hi):
            assert q == pytest.approx(lo + (pos - np.floor(pos)) * (hi - lo))
        else:
            assert np.isnan(q)
    # the GAP is past its threshold when above the legislated rate of the base year
    gap = heads["general_average_premium"].values
    assert float(s["general_average_premium_share_past"][0]) == (gap[:, 0] > 0.065).mean()


def test_the_kept_store_is_chunked_along_scenario_and_holds_the_run(kept):
    a, tree, store = kept
    import zarr

    root = zarr.open_group(store, mode="r")
    assert root["demography"]["total_population"].chunks[0] == 4
    assert root.attrs["seed"] == a.stochastic.seed and root.attrs["scenarios"] == 9
    summaries = run_scenarios(a, 9)
    for node, names in summaries.items():
        ds = xr.open_zarr(store, group=None if node == "stochastic" else node)
        for name, da in names.items():
            np.testing.assert_array_equal(ds[name].values, da.values, err_msg=f"{node}/{name}")


def test_the_fiscal_fans_share_the_percentile_coordinate_without_nan(kept):
    _, tree, _ = kept
    f = tree["fiscal_space"].to_dataset()
    own, valuation = f["debt_gdp_percentile"], f["debt_gdp_with_reform_percentile"]
    assert own.attrs["fan"] == "macro_shock" and "not the valuation's scenarios" in own.attrs["long_name"]
    assert valuation.attrs["fan"] == "valuation"
    assert own.dims == valuation.dims == ("year", "percentile")
    assert np.isfinite(valuation.values).all()
    years = own.attrs.get("years")
    assert np.isfinite(own.values if years is None else own.values[:years]).all()


def test_the_seed_is_in_the_attrs_and_the_digest(depleting):
    a = depleting
    other = pipeline.with_seed(a, a.stochastic.seed + 1)
    assert other.digest != a.digest and other.stochastic.seed == a.stochastic.seed + 1
    assert pipeline.with_seed(a, a.stochastic.seed).digest == a.digest  # the file's own seed: the same run
    assert pipeline.with_seed(other, a.stochastic.seed + 2).digest not in (a.digest, other.digest)
    assert other.parsed["stochastic"]["seed"] == a.stochastic.seed + 1
    tree = pipeline.run(other, scenarios=2)
    assert tree.attrs["seed"] == a.stochastic.seed + 1 and tree.attrs["assumptions_hash"] == other.digest
    assert tree["stochastic"].attrs["seed"] == a.stochastic.seed + 1


def test_cli_keeps_the_scenarios_in_the_output_set(root, tmp_path, monkeypatch):
    pytest.importorskip("zarr")
    case = _short(root, tmp_path)
    out = tmp_path / "out"
    args = ["run", str(case), "-o", str(out), "--scenarios", "3", "--seed", "7", "--keep-scenarios",
            "--no-report", "-q"]
    assert main(args) == 0
    folder = out / "demoland"
    heads = xr.open_zarr(folder / "scenarios.zarr")
    assert heads.sizes["scenario"] == 3 and heads.attrs["seed"] == 7
    with xr.open_datatree(folder / "results.nc") as tree:
        assert tree.attrs["seed"] == 7 and tree.attrs["scenarios"] == 3
        first = tree.attrs["assumptions_hash"]
    # a run that fails after its scenarios leaves the earlier set as it was, and no store of its own
    import actuarial.report.excel as excel

    def broken(*_, **__):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(excel, "write_summary", broken)
    assert main([*args[:5], "4", *args[6:], "--force"]) == 2
    with xr.open_datatree(folder / "results.nc") as tree:
        assert tree.attrs["seed"] == 7 and tree.attrs["assumptions_hash"] == first
    assert [p.name for p in out.iterdir() if "tmp" in p.name] == []
    assert xr.open_zarr(folder / "scenarios.zarr").sizes["scenario"] == 3


def test_cli_keep_scenarios_needs_scenarios(root, tmp_path, capsys):
    assert main(["run", str(_short(root, tmp_path)), "-o", str(tmp_path / "o"), "--keep-scenarios", "-q"]) == 2
    assert "--keep-scenarios" in capsys.readouterr().err


def _median_interval(n: int, alpha: float) -> tuple[int, int]:
    """0-based ranks (j, n - 1 - j) of the order statistics bracketing the
    median of a continuous distribution with probability >= 1 - alpha from
    n draws: j the largest with P(Bin(n, 1/2) < j + 1) <= alpha / 2
    (distribution-free; e.g. Conover, Practical Nonparametric Statistics, 3.2)."""
    j = int(binom.ppf(alpha / 2, n, 0.5))
    while j > 0 and binom.cdf(j - 1, n, 0.5) > alpha / 2:  # P(X_(j+1) > median) <= alpha / 2, 0-based j
        j -= 1
    return j, n - 1 - j


def test_the_median_of_each_fan_is_the_deterministic_path_within_sampling_error(root, tmp_path):
    """Demoland's shocks have mean 0 around the deterministic paths, so each
    path's scenario median estimates it: the deterministic value lies
    between the order statistics of a distribution-free confidence interval
    for the median (Bonferroni over every checked cell, 1% in all); the
    width of the interval comes from the scenario count alone."""
    n = 201
    a = load_assumptions(_short(root, tmp_path))
    deterministic = pipeline.stages(a)
    paths = run_scenarios(a, n)
    cells = {(node, name): da for node, names in paths.items() if node != "stochastic"
             for name, da in names.items()}
    checked = sum(int(np.prod(da.shape[1:])) - int(np.prod(da.shape[2:])) for da in cells.values())
    lo, hi = _median_interval(n, 0.01 / checked)
    assert 0 < lo < n // 2 < hi  # a meaningful interval: enough scenarios for the bound
    misses = []
    for (node, name), da in cells.items():
        if name == "debt_gdp_with_reform":
            det = deterministic["/fiscal_space"]["debt_gdp"].sel(reform="with")
        else:
            det = deterministic[f"/{node}"][SOURCES.get((node, name), name)]
        det = det.isel(scenario=0) if "scenario" in det.dims else det
        order = np.sort(da.transpose("scenario", "year", ...).values, axis=0)[:, 1:]  # after the base year
        want = det.transpose("year", ...).values[1:]
        inside = (order[lo] <= want + 1e-12 * np.abs(want)) & (want - 1e-12 * np.abs(want) <= order[hi])
        if not inside.all():
            misses.append(f"{node}/{name}")
    assert not misses, misses
