"""Stochastic projections: generators, reproducibility, percentiles, bad input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import yaml

from actuarial import pipeline
from actuarial.assumptions import load_assumptions
from actuarial.cli import main
from actuarial.errors import AssumptionError
from actuarial.stochastic.generators import draw
from actuarial.stochastic.lee_carter import fit_lee_carter, random_walk

HORIZON = 12


@pytest.fixture(scope="module")
def short(root, tmp_path_factory):
    """Demoland over a short horizon, with its stochastic section."""
    path = tmp_path_factory.mktemp("stoch") / "short.yaml"
    path.write_text(yaml.safe_dump({
        "extends": str(root / "assumptions" / "demoland.yaml"),
        "case": {"horizon": HORIZON}, "pension": {"horizons": [HORIZON]},
        "employment_injury": {"gap_horizon": HORIZON},
    }))
    return load_assumptions(path)


def _zero_volatility(a):
    st = a.stochastic
    return dataclasses.replace(a, stochastic=dataclasses.replace(
        st, mortality=dataclasses.replace(st.mortality, volatility=0.0),
        fertility=dataclasses.replace(st.fertility, volatility=0.0),
        economy=dataclasses.replace(st.economy, covariance=np.zeros_like(st.economy.covariance))))


def test_zero_volatility_gives_the_deterministic_numbers_bit_for_bit(short):
    a = _zero_volatility(short)
    deterministic = pipeline.stages(a)
    scenarios = pipeline.stages(a, pipeline.scenario_draws(a, 0, 3))
    compared = 0
    for node, ds in scenarios.items():
        for name, da in ds.data_vars.items():
            want = deterministic[node][name]
            for k in range(3):
                got = da.isel(scenario=k) if "scenario" in da.dims else da
                ref = want.isel(scenario=0) if "scenario" in want.dims else want
                np.testing.assert_array_equal(got.values, ref.values, err_msg=f"{node}/{name}")
                compared += 1
    assert compared > 100


def test_scenarios_do_not_depend_on_chunking(short):
    one = pipeline.run_scenarios(short, 6, chunk=6)
    three = pipeline.run_scenarios(short, 6, chunk=4)
    later = pipeline.run_scenarios(short, 3, first=3, chunk=2)  # scenarios 3..5 alone
    for node, names in one.items():
        for name, da in names.items():
            np.testing.assert_array_equal(da.values, three[node][name].values)
            np.testing.assert_array_equal(da.isel(scenario=slice(3, 6)).values, later[node][name].values)
    # and the scenarios do differ from each other
    pop = one["demography"]["total_population"].values
    assert np.ptp(pop[:, -1]) > 0



def test_a_chunks_totals_only_stages_leave_its_summaries_unchanged(short):
    """A chunk's stages as a run projects them (``totals_only``: no accrued-to-date
    liability, no SPF coverage series, injury pensioners pooled) against the full
    stages on the same draws: the pension, SPF, demography and economy summaries bit
    for bit, the injury scheme's to rounding (pooled sums); the variables left out
    are the ones no summary reads."""
    from actuarial.stochastic.scenarios import SUMMARIES, central_fiscal, chunk_nodes, for_scenarios, summarise

    a = for_scenarios(short)
    central = central_fiscal(a)
    lean, full = chunk_nodes(a, 2, 3, central), chunk_nodes(a, 2, 3, central, totals_only=False)
    assert "accrued_liability" in full["/pension"] and "accrued_liability" not in lean["/pension"]
    assert "coverage" in full["/spf"] and "coverage" not in lean["/spf"]
    got, want = summarise(a, lean), summarise(a, full)
    assert set(got) == set(want) and set(got["pension"]) == set(want["pension"])
    for node, names in want.items():
        for name, da in names.items():
            if node == "employment_injury" or name == "injury_cost_rate":
                np.testing.assert_allclose(got[node][name].values, da.values, rtol=1e-12, err_msg=name)
            else:
                np.testing.assert_array_equal(got[node][name].values, da.values, err_msg=f"{node}/{name}")
    assert set(SUMMARIES["pension"]) & set(lean["/pension"].data_vars)

def test_a_runs_summaries_are_its_chunks_summaries_joined(short):
    """``run_scenarios`` numbers a chunk's scenarios on its summaries only and joins
    the chunks with numpy (``_join``): the same DataArrays (values, coordinates,
    attrs, names) as ``summarise(chunk_nodes(...))`` of each chunk joined by
    ``xarray.concat``, an uneven last chunk included."""
    import xarray as xr

    from actuarial.stochastic.scenarios import (central_fiscal, chunk_nodes, chunk_starts, for_scenarios,
                                                run_scenarios, summarise)

    central = central_fiscal(short)
    a = for_scenarios(short)
    got = run_scenarios(short, 5, chunk=2, central=central)
    parts = [summarise(a, chunk_nodes(a, first, count, central)) for first, count in chunk_starts(0, 5, 2)]
    assert set(got) == set(parts[0]) and len(got) > 3
    for node, names in parts[0].items():
        assert set(got[node]) == set(names)
        for name in names:
            want = xr.concat([part[node][name] for part in parts], "scenario")
            xr.testing.assert_identical(got[node][name], want)
            assert got[node][name].attrs == want.attrs and got[node][name].name == want.name
            np.testing.assert_array_equal(got[node][name]["scenario"].values, np.arange(5))


def test_same_seed_same_numbers_other_seed_other_numbers(short):
    a = draw(short.stochastic, HORIZON, 0, 4, np.full(HORIZON, 2.5))
    b = draw(short.stochastic, HORIZON, 0, 4, np.full(HORIZON, 2.5))
    c = draw(dataclasses.replace(short.stochastic, seed=short.stochastic.seed + 1), HORIZON, 0, 4,
             np.full(HORIZON, 2.5))
    np.testing.assert_array_equal(a["mortality_factor"], b["mortality_factor"])
    assert not np.array_equal(a["mortality_factor"], c["mortality_factor"])
    # deviations start at zero in the base year
    assert np.all(a["mortality_factor"][:, 0] == 1.0)
    assert np.all(a["asfr_factor"][:, 0] == 1.0)
    assert all(np.all(v[:, 0] == 0.0) for v in a["economy"].values())


def test_components_have_their_own_streams(short):
    """Switching fertility off leaves the mortality and economic draws alone."""
    st = short.stochastic
    full = draw(st, HORIZON, 0, 3, np.full(HORIZON, 2.5))
    part = draw(dataclasses.replace(st, fertility=None), HORIZON, 0, 3, np.full(HORIZON, 2.5))
    np.testing.assert_array_equal(full["mortality_factor"], part["mortality_factor"])
    np.testing.assert_array_equal(full["economy"]["inflation"], part["economy"]["inflation"])
    assert "asfr_factor" not in part


def test_tfr_bounds_hold_and_never_move_the_path(short):
    st = dataclasses.replace(short.stochastic, fertility=dataclasses.replace(
        short.stochastic.fertility, volatility=1.0, bounds=(2.0, 3.0)))
    tfr = np.full(HORIZON, 2.5)
    path = draw(st, HORIZON, 0, 50, tfr)["asfr_factor"] * tfr
    assert path.min() >= 2.0 - 1e-12 and path.max() <= 3.0 + 1e-12
    outside = np.full(HORIZON, 3.5)  # a path above the bounds is kept where the deviation is 0
    zero = dataclasses.replace(st, fertility=dataclasses.replace(st.fertility, volatility=0.0))
    assert np.all(draw(zero, HORIZON, 0, 2, outside)["asfr_factor"] == 1.0)


def test_economic_shocks_have_the_assumed_covariance(short):
    st = dataclasses.replace(short.stochastic, economy=dataclasses.replace(
        short.stochastic.economy, persistence=np.zeros((4, 4))))
    z = draw(st, 3, 0, 4000, None)["economy"]
    sample = np.array([z[name][:, 1] for name in st.economy.variables])
    np.testing.assert_allclose(np.cov(sample), st.economy.covariance, atol=4e-5)


def test_lee_carter_fit_recovers_known_parameters():
    rng = np.random.default_rng(3)
    ages, years = 101, 60
    a = np.linspace(-8.0, -1.0, ages)
    b = np.exp(-np.linspace(0, 2, ages))
    b /= b.sum()
    k = random_walk(rng, years, volatility=1.5, drift=-1.2)
    k -= k.mean()
    log_m = a + np.outer(k, b) + rng.normal(0, 1e-4, (years, ages))
    fit = fit_lee_carter(log_m)
    np.testing.assert_allclose(fit.b, b, atol=2e-4)
    np.testing.assert_allclose(fit.k, k, atol=0.05)
    assert fit.drift == pytest.approx((k[-1] - k[0]) / (years - 1), abs=0.01)
    # the volatility estimate is the sample sd of the drift-free steps
    assert fit.volatility == pytest.approx(np.std(np.diff(k) - fit.drift, ddof=1), rel=0.02)
    assert 1.0 < fit.volatility < 2.0


def test_percentiles_are_monotone_and_labelled(short):
    tree = pipeline.run(short, scenarios=8)
    for node in ("demography", "pension", "employment_injury", "spf"):
        ds = tree[node].to_dataset()
        names = [n for n in ds.data_vars if n.endswith("_percentile")]
        assert names, node
        for name in names:
            da = ds[name]
            assert list(da["percentile"].values) == [5, 10, 25, 50, 75, 90, 95]
            assert da["percentile"].dtype.kind == "i" and da.dims[:2] == ("year", "percentile")
            assert "units" in da.attrs and "8 scenarios" in da.attrs["long_name"]
            diffs = da.diff("percentile").values
            assert np.all(diffs[np.isfinite(diffs)] >= 0), f"{node}/{name}"
    assert tree.attrs["scenarios"] == 8


@pytest.mark.parametrize("section, message", [
    ({"economy": {"volatilities": [0.01, -0.01, 0.01, 0.01]}}, "volatilities"),
    ({"economy": {"volatilities": [0.01, 0.01, 0.01, 0.01],
                  "correlation": [[1, 0.9, 0.9, 0], [0.9, 1, -0.9, 0], [0.9, -0.9, 1, 0], [0, 0, 0, 1]]}},
     "not positive semi-definite"),
    ({"economy": {"persistence": [1.2, 0.0, 0.0, 0.0]}}, "persistence"),
    ({"mortality": {"volatility": -1.0}}, "stochastic.mortality.volatility"),
    ({"mortality": {"b": 0.5}}, "sum to 1"),
    ({"fertility": {"bounds": [3.0, 2.0]}}, "stochastic.fertility.bounds"),
    ({"economy": {"variables": ["inflation", "exchange_rate"]}}, "stochastic.economy.variables"),
])
def test_bad_stochastic_input_names_the_key(root, tmp_path, section, message):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"extends": str(root / "assumptions" / "demoland.yaml"),
                                    "stochastic": section}))
    with pytest.raises(AssumptionError, match=message) as err:
        load_assumptions(path)
    assert str(path) in str(err.value) or "demoland.yaml" in str(err.value)


def test_cli_scenarios_without_a_stochastic_section_is_one_clear_error(root, tmp_path, capsys):
    path = tmp_path / "plain.yaml"
    data = yaml.safe_load((root / "assumptions" / "demoland.yaml").read_text())
    data.pop("stochastic")
    path.write_text(yaml.safe_dump(data))
    assert main(["run", str(path), "-o", str(tmp_path / "out"), "--scenarios", "5", "-q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "stochastic" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.nc"))


def test_report_charts_of_a_stochastic_run_draw_the_fan(short):
    from actuarial.report import plots

    tree = pipeline.run(short, scenarios=6)
    cost = plots.cost_rate_vs_contribution(tree["pension"]).plotted_data
    for column in ("PAYG cost rate (%) p5", "PAYG cost rate (%) median", "PAYG cost rate (%) p95"):
        assert column in cost, column
    median = 100 * tree["pension"]["payg_cost_rate_percentile"].sel(percentile=50).values
    np.testing.assert_allclose(cost["PAYG cost rate (%) median"].values, median)
    injury = plots.injury_cost_rates(tree["employment_injury"]).plotted_data
    assert any(c.endswith("p95") for c in injury.columns)


def test_scenarios_on_a_cluster_give_the_same_numbers(short, tmp_path):
    """Chunks as tasks on 2 worker processes: bit for bit the in-process numbers,
    and the Zarr store written as the chunks end (in any order) holds them too."""
    from distributed import Client, LocalCluster

    from actuarial.stochastic.scenarios import run_scenarios_on
    from actuarial.stochastic.store import ScenarioStore, open_scenarios, zarr_available

    local = pipeline.run_scenarios(short, 6, chunk=6)
    store = ScenarioStore(tmp_path / "s.zarr", 6, 2) if zarr_available() else None
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster, set_as_default=False) as client:
        spread = run_scenarios_on(client, short, 6, chunk=2, store=store)
        one = run_scenarios_on(client, short, 6, chunk=6)
    for node, names in local.items():
        kept = open_scenarios(store.path, None if node == "stochastic" else node) if store else None
        for name, da in names.items():
            np.testing.assert_array_equal(spread[node][name].values, da.values, err_msg=f"{node}/{name}")
            np.testing.assert_array_equal(one[node][name].values, da.values)
            if kept is not None:
                np.testing.assert_array_equal(kept[name].values, da.values, err_msg=f"kept {node}/{name}")


def test_scenarios_on_one_worker_give_the_numbers_of_two(short):
    """The CLI's cluster (``actuarial.batch.connect``, workers warmed) with one
    worker: the same bits as in-process, so as the 2-worker run above (any
    number of workers, any chunking)."""
    from actuarial.batch import connect
    from actuarial.stochastic.scenarios import run_scenarios_on

    local = pipeline.run_scenarios(short, 5, chunk=5)
    with connect(workers=1) as client:
        one = run_scenarios_on(client, short, 5, chunk=2)
    assert one.keys() == local.keys()
    for node, names in local.items():
        for name, da in names.items():
            np.testing.assert_array_equal(one[node][name].values, da.values, err_msg=f"{node}/{name}")


def test_scenario_debt_follows_the_central_plan(short):
    """Zero volatility: every scenario's debt with the reform is the central path's;
    with volatility the scenarios spread around it."""
    a = _zero_volatility(short)
    central = pipeline.stages(a)["/fiscal_space"]
    flat = pipeline.run_scenarios(a, 3)["fiscal_space"]["debt_gdp_with_reform"]
    want = central["debt_gdp"].sel(reform="with").values
    np.testing.assert_allclose(flat.values, np.broadcast_to(want, flat.shape), rtol=1e-12, atol=1e-14)
    spread = pipeline.run_scenarios(short, 8)["fiscal_space"]["debt_gdp_with_reform"]
    assert np.ptp(spread.values[:, -1]) > 1e-4
    assert spread.values[:, 0] == pytest.approx(want[0])


def test_threshold_probability_comes_from_the_valuation_scenarios(short):
    """With scenarios, P(debt > threshold) is the share of the valuation
    scenarios' debt paths above it, labelled as such; the fiscal stage's own
    fan keeps its probability under another name."""
    threshold = 0.58
    a = dataclasses.replace(short, fiscal_space=dataclasses.replace(
        short.fiscal_space, debt=dataclasses.replace(short.fiscal_space.debt, threshold_gdp=threshold),
        stochastic=dataclasses.replace(short.fiscal_space.stochastic, threshold_gdp=threshold)))
    tree = pipeline.run(a, scenarios=12)
    f = tree["fiscal_space"].to_dataset()
    paths = pipeline.run_scenarios(a, 12)["fiscal_space"]["debt_gdp_with_reform"].values
    prob = f["debt_above_threshold_probability"]
    np.testing.assert_array_equal(prob.values, (paths > threshold).mean(axis=0))
    assert prob.attrs["based_on"] == "valuation_scenarios" and prob.attrs["scenarios"] == 12
    assert 0 < float(prob.max()) and float(prob.min()) < 1  # the threshold sits inside the spread
    assert f["debt_above_threshold_probability_fiscal_paths"].attrs["based_on"] == "fiscal_paths"


FORKED_RUN = """
import sys
import numpy as np
from actuarial import pipeline
from actuarial.assumptions import load_assumptions
from actuarial.batch import can_fork, connect

a = load_assumptions(sys.argv[1])
assert can_fork(), "a fresh process that has run no parallel kernel forks its workers"
with connect(workers=2) as client:
    remote = pipeline.run(a, scenarios=5, client=client)
local = pipeline.run(a, scenarios=5)
assert not can_fork(), "once this process has used numba's threads, workers are spawned"
for node in local.subtree:
    for name, da in node.to_dataset().variables.items():
        np.testing.assert_array_equal(remote[node.path].to_dataset()[name].values, da.values,
                                      err_msg=node.path + "/" + name)
print("same bits")
"""


def test_a_run_on_forked_workers_gives_the_in_process_bits(short, tmp_path):
    """``pipeline.run`` with a client of ``connect``'s forked workers (warmed by a
    dropped chunk while the client computes the deterministic path,
    ``warm_workers``): every variable of every node as in-process, bit for bit.
    In a fresh interpreter: this one has used numba's threads (it would spawn)."""
    import subprocess
    import sys

    script = tmp_path / "forked_run.py"
    script.write_text(FORKED_RUN, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), str(short.source)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "same bits" in done.stdout
