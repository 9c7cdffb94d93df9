"""Checks of each stage's results (``actuarial.checks``) and their place in the pipeline.

Hand-made results with one bad cell must fail naming the stage, the
variable, the cell and the assumption behind it; the shipped Demoland file
passes; mutations of it (hypothesis, seeded, a bounded number of examples)
give either one clean ``AssumptionError`` or results that are finite, with
no negative stock, and pass the checks.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from actuarial.checks import StageCheckError, check_memory, check_stage, plausibility, scenario_bytes
from actuarial.errors import AssumptionError

ROOT = Path(__file__).resolve().parents[1]
DEMOLAND = ROOT / "assumptions" / "demoland.yaml"
YEARS = np.arange(2025, 2030)
SEXES = ["female", "male"]


def demography(population=None, births=None) -> xr.Dataset:
    pop = np.full((1, YEARS.size, 2, 101), 100.0) if population is None else population
    b = np.full((1, YEARS.size, 2), 10.0) if births is None else births
    return xr.Dataset({"population": (("scenario", "year", "sex", "age"), pop),
                       "births": (("scenario", "year", "sex"), b)},
                      coords={"scenario": np.arange(pop.shape[0]), "year": YEARS, "sex": SEXES,
                              "age": np.arange(101)})


def test_good_results_pass_and_return_no_warning():
    assert check_stage("/demography", demography()) == []


def test_a_nan_names_the_stage_variable_and_first_cell():
    pop = np.full((1, YEARS.size, 2, 101), 100.0)
    pop[0, 3, 1, 40] = np.nan
    pop[0, 4, 0, 10] = np.inf
    with pytest.raises(StageCheckError) as info:
        check_stage("/demography", demography(pop), source="x.yaml")
    text = str(info.value)
    for word in ("x.yaml", "demography stage", "population", "not finite", "year 2028", "sex male", "age 40",
                 "1 more cell)", "demography.migration"):
        assert word in text, text
    assert info.value.where == {"scenario": 0, "year": 2028, "sex": "male", "age": 40}
    assert isinstance(info.value, AssumptionError)  # the CLI prints it and exits 2


def test_negative_births_trace_to_fertility_and_scenarios_are_numbered_from_first():
    births = np.full((3, YEARS.size, 2), 10.0)
    births[2, 1, 0] = -5.0
    pop = np.full((3, YEARS.size, 2, 101), 100.0)
    ds = demography(pop, births)
    with pytest.raises(StageCheckError) as info:
        check_stage("/demography", ds, first_scenario=500)
    assert info.value.key == "demography.fertility"
    assert info.value.where == {"scenario": 502, "year": 2026, "sex": "female"}
    assert "negative (-5)" in str(info.value)


def test_rounding_below_zero_is_not_a_negative_stock():
    pop = np.full((1, YEARS.size, 2, 101), 1e6)
    pop[0, 2, 0, 5] = -1e-7  # 1e-13 of the largest cell
    check_stage("/demography", demography(pop))


def rates(name: str, values, node="/pension") -> tuple[str, xr.Dataset]:
    return node, xr.Dataset({name: (("scenario", "year"), np.asarray(values, float)[None])},
                            coords={"scenario": [0], "year": YEARS[:len(values)]})


@pytest.mark.parametrize("node, name, values, words", [
    ("/pension", "payg_cost_rate", [0.1, 0.2, 1.5], ["payg_cost_rate", "outside [0, 1]", "year 2027"]),
    ("/pension", "payg_cost_rate", [0.1, -0.2, 0.5], ["outside [0, 1]", "year 2026"]),
    ("/pension", "payg_cost_rate", [0.1, np.inf, 0.5], ["not finite", "year 2026", "labour.coverage"]),
    ("/pension", "insurable_earnings", [1.0, 0.0, 2.0], ["not positive", "year 2026", "labour.coverage"]),
    ("/employment_injury", "sector_rate", [0.01, 2.0], ["sector_rate", "outside [0, 1]", "economy.discount_rate"]),
    ("/pension", "reserve", [1.0, -1.0], ["reserve", "negative", "year 2026"]),
])
def test_rates_and_stocks_out_of_range_fail(node, name, values, words):
    with pytest.raises(StageCheckError) as info:
        check_stage(*rates(name, values, node))
    for word in words:
        assert word in str(info.value), str(info.value)


def test_a_negative_premium_passes_one_above_1_fails():
    """A GAP below 0 is a reserve larger than the horizon's net cost (Demoland over 5 years); above 1 is not a rate."""
    ds = xr.Dataset({"general_average_premium": (("scenario", "horizon"), [[-0.01, 0.2]])},
                    coords={"scenario": [0], "horizon": [5, 50]})
    check_stage("/pension", ds)
    with pytest.raises(StageCheckError, match="above 1"):
        check_stage("/pension", ds.assign(general_average_premium=ds["general_average_premium"] + 1.0))


def test_documented_nan_passes_an_infinity_does_not():
    check_stage(*rates("reserve_ratio", [np.nan, 5.0, np.inf]))  # none in the first year; inf: no expenditure
    check_stage(*rates("replacement_rate", [np.nan, 0.4, 0.4]))  # no new pension in a year
    with pytest.raises(StageCheckError, match="replacement_rate is not finite"):
        check_stage(*rates("replacement_rate", [np.nan, np.inf, 0.4]))


def test_plausibility_warnings_name_the_first_year_once():
    found = plausibility("pension", rates("expenditure_gdp", [0.1, 0.3, 0.4])[1])
    assert len(found) == 1 and "above 25% of GDP" in found[0] and "year 2026" in found[0]
    assert plausibility("pension", rates("expenditure_gdp", [0.1, 0.2])[1]) == []


def test_memory_check_says_what_fits():
    per = scenario_bytes(101)
    budget = 4 << 30
    check_memory("s.yaml", 250, 1000, 101, memory=budget)  # Demoland's chunk fits in 4 GiB
    with pytest.raises(AssumptionError) as info:
        check_memory("s.yaml", 100_000, 100_000, 101, memory=budget)
    fits = (budget // 2) // per
    assert f"set chunk to {fits} or less" in str(info.value) and "stochastic.chunk" in str(info.value)
    assert fits * per <= budget // 2 < (fits + 1) * per
    with pytest.raises(AssumptionError, match="--scenarios.*at most"):
        check_memory("s.yaml", 250, 10_000_000, 101, memory=budget)
    with pytest.raises(AssumptionError, match="2 workers"):
        check_memory("s.yaml", fits, fits, 101, workers=2, memory=budget)


# -- the pipeline ---------------------------------------------------------------------------

def test_demoland_passes_every_check_without_warnings(demoland):
    from actuarial.pipeline import run

    tree = run(demoland)
    assert "plausibility_warnings" not in tree.attrs


def test_plausibility_warnings_reach_the_attrs_the_console_and_the_report(tmp_path, capsys):
    from actuarial.cli import main

    case = tmp_path / "costly.yaml"
    case.write_text(f'extends: "{DEMOLAND}"\ncase: {{horizon: 10}}\npension: {{horizons: [10]}}\n'
                    "employment_injury: {gap_horizon: 10}\nspf: {poverty_line: 400000}\n")
    assert main(["run", str(case), "-o", str(tmp_path / "out"), "-q"]) == 0
    err = capsys.readouterr().err
    assert err.count("the SPF package costs more than 20% of GDP") == 1
    tree = xr.open_datatree(tmp_path / "out" / "demoland" / "results.nc")
    found = list(np.atleast_1d(tree.attrs["plausibility_warnings"]))
    assert any("more than all government spending" in w for w in found)
    report = (tmp_path / "out" / "demoland" / "report.html").read_text()
    assert "Plausibility warnings" in report and "costs more than 20% of GDP" in report


def test_scenario_chunks_are_checked_with_their_scenario_numbers(demoland):
    from actuarial.pipeline import scenario_draws, stages

    draws = scenario_draws(demoland, 7, 2)
    draws["asfr_factor"] = draws["asfr_factor"].copy()
    draws["asfr_factor"][1, 3] = -1.0  # scenario 8, the fourth year: negative fertility
    with pytest.raises(StageCheckError) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the emigration of the unborn is capped and reported
        stages(demoland, draws, totals_only=True, first=7)
    assert info.value.key == "demography.fertility" and info.value.where["scenario"] == 8


# -- mutations of the shipped Demoland file ---------------------------------------------------

def _numeric_leaves(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _numeric_leaves(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _numeric_leaves(v, (*path, i))
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        yield path


BASE = yaml.safe_load(DEMOLAND.read_text())
BASE.pop("distribution")  # the survey: its own checks (tests/test_distribution.py, bad_inputs/survey)
BASE.pop("stochastic")  # not run by a deterministic run
BASE["fiscal_space"].pop("stochastic")  # the fan chart's 1000 paths: time, not a stage check
LEAVES = sorted(_numeric_leaves(BASE), key=str)
NASTY = st.sampled_from([0.0, -1.0, -0.5, 0.5, 1.0, 2.0, 1e-300, 1e300, -1e7, 1e7, 100.0, 0.999, -1e-9])


def _set(data, path, value):
    for k in path[:-1]:
        data = data[k]
    data[path[-1]] = value


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(mutations=st.lists(st.tuples(st.sampled_from(LEAVES), NASTY | st.floats(-10, 10)), min_size=1, max_size=3),
       scale=st.booleans())
def test_mutated_demoland_is_a_clean_error_or_checked_finite_results(tmp_path, mutations, scale):
    import copy

    from actuarial.assumptions import load_assumptions
    from actuarial.pipeline import stages

    data = copy.deepcopy(BASE)
    for path, value in mutations:
        old = data
        for k in path:
            old = old[k]
        _set(data, path, old * value if scale else value)
    file = tmp_path / "mutant.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False))
    with warnings.catch_warnings():  # input warnings are allowed output
        warnings.simplefilter("ignore")
        try:
            nodes = stages(load_assumptions(file))
        except AssumptionError as exc:
            event("a clean error: " + ("stage check" if isinstance(exc, StageCheckError) else "input"))
            return  # one clean error
    event("results")
    for path, ds in nodes.items():
        check_stage(path, ds)  # the checks pass on what came out
        for name in ("population", "births", "deaths", "pensioners", "reserve", "insured", "beneficiaries"):
            if name in ds:
                x = ds[name].values
                assert np.isfinite(x).all() and (x >= -1e-6 * max(1.0, np.abs(x).max())).all(), (path, name)
        for name, da in ds.data_vars.items():
            if da.dtype.kind == "f":
                assert not np.isinf(da.values).any(), (path, name)
    assert math.isfinite(float(nodes["/demography"]["total_population"].min()))
