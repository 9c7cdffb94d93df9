"""No negative people (emigration capped at the persons present), projecting
past the UN tables' last year, and negative cells in UN input tables."""

from __future__ import annotations

import gzip
import shutil
import warnings

import numpy as np
import pytest

from actuarial import AssumptionError, load_assumptions
from actuarial.demography.inputs import demographic_inputs
from actuarial.demography.projection import NegativePopulationWarning, UnrealisedEmigrationWarning
from actuarial.pipeline import run_demography

# Demoland's migration pattern before issue 12: the Rogers-Castro schedule
# taken as a pattern of counts (constant c = 0.003 at every age)
OLD_PATTERN = {sex: {"form": "rogers_castro", "a1": 0.02, "alpha1": 0.1, "a2": 0.06, "alpha2": 0.11,
                     "mu2": 20.0, "lambda2": 0.4, "c": 0.003} for sex in ("female", "male")}


def test_demoland_has_no_negative_people_nor_capped_emigration(demoland):
    """Issue 12: the shipped example is plausible as given (before: 255 negative cells)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", NegativePopulationWarning)
        warnings.simplefilter("error", UnrealisedEmigrationWarning)
        ds = run_demography(demoland).isel(scenario=0)
    assert ds.attrs["migration_rule"] == "capped"
    assert ds.attrs["negative_population_cells"] == 0
    assert ds.attrs["unrealised_emigration_total"] == 0.0
    assert float(ds["unrealised_emigration"].max()) == 0.0
    assert float(ds["deaths"].min()) >= 0.0
    rate = -ds["net_migration"] / ds["population"]
    assert float(rate.max()) < 0.0026  # at most 0.25% a year: assumptions/sources/demoland_migration.py
    assert float(rate.sel(age=slice(65, None)).max()) < 0.0003
    inputs = demographic_inputs(demoland.demography, demoland.case.years)
    np.testing.assert_allclose(ds["net_migration"].values, inputs["net_migration"].values, rtol=0, atol=0)
    for var in ("net_migration", "unrealised_emigration"):
        assert ds[var].attrs["units"] == "persons/year"
    assert "capped" in ds["net_migration"].attrs["long_name"]


def test_old_demoland_pattern_negative_as_given_and_capped_by_default(root):
    """The counts pattern with a constant c took 255 cells below zero under
    the UN's arithmetic (the figure of the issue, with the UN's open age
    group); the default rule caps it and reports the excess."""
    path = root / "assumptions" / "demoland.yaml"
    old = {"demography.migration.pattern": OLD_PATTERN, "demography.open_age_group": "un"}
    with pytest.warns(NegativePopulationWarning, match="255 negative population cells"):
        raw = run_demography(load_assumptions(path, {**old, "demography.migration_rule": "as_given"}))
    assert raw.attrs["negative_population_cells"] == 255
    assert float(raw["population"].min()) == pytest.approx(-159.91, abs=0.01)
    assert float(raw["deaths"].min()) < 0
    with pytest.warns(UnrealisedEmigrationWarning, match=r"7,018 persons .* 253 cells .* from the year 2025"):
        capped = run_demography(load_assumptions(path, old)).isel(scenario=0)
    assert capped.attrs["negative_population_cells"] == 0 and float(capped["deaths"].min()) >= 0
    excess = capped["unrealised_emigration"]
    assumed = demographic_inputs(load_assumptions(path, old).demography, capped["year"].values)["net_migration"]
    np.testing.assert_allclose(excess.values, capped["net_migration"].values - assumed.values, atol=1e-9)
    assert capped.attrs["unrealised_emigration_total"] == pytest.approx(float(excess.sum()))
    assert 7000 < capped.attrs["unrealised_emigration_total"] < 7040  # 7,018 persons over 2025-2125


def test_as_given_is_the_default_with_un_tables_and_reproduces_canada(root):
    a = load_assumptions(root / "validation_cases" / "un_canada_1950_2020" / "assumptions.yaml")
    assert a.demography.migration.rule == "as_given"


def test_migration_rule_is_checked(root, tmp_path):
    with pytest.raises(AssumptionError, match="demography.migration_rule: expected one of capped, as_given"):
        load_assumptions(root / "assumptions" / "demoland.yaml", {"demography.migration_rule": "clip"})


# -- past the UN tables' last year -------------------------------------------------------

def _un_case(tmp_path, root, horizon, extra=""):
    data = (root / "validation_cases" / "un_canada_1950_2020" / "data").as_posix()
    path = tmp_path / "un.yaml"
    path.write_text(f"case: {{name: un, base_year: 1950, horizon: {horizon}}}\n"
                    f"demography:\n  un_tables: {data}\n{extra}", encoding="utf-8")
    return path


def test_past_the_tables_last_year_is_an_error_naming_key_and_year(root, tmp_path):
    with pytest.raises(AssumptionError) as info:
        load_assumptions(_un_case(tmp_path, root, 80))
    message = str(info.value)
    assert "demography.beyond_data" in message and "2019" in message and "2030" in message
    assert "hold_flat" in message and "un.yaml" in message


def test_tables_carry_the_population_to_the_year_after_their_last(root, tmp_path):
    a = load_assumptions(_un_case(tmp_path, root, 70))  # 1950 + 70 = 2020 = 2019 + 1: within the data
    assert a.demography.beyond_data is None


def test_hold_flat_holds_the_last_rates(root, tmp_path):
    a = load_assumptions(_un_case(tmp_path, root, 75, "  beyond_data: hold_flat\n"))
    assert a.demography.beyond_data == "hold_flat"
    inputs = demographic_inputs(a.demography, a.case.years)
    for name in ("mx", "asfr", "srb", "net_migration"):
        last = inputs[name].sel(year=2019)
        for year in (2020, 2025):
            assert np.array_equal(inputs[name].sel(year=year).values, last.values), name
    assert run_demography(a).attrs["beyond_data"] == "hold_flat"


def test_beyond_data_needs_un_tables(root):
    with pytest.raises(AssumptionError, match="demography.beyond_data: applies only with un_tables"):
        load_assumptions(root / "assumptions" / "demoland.yaml", {"demography.beyond_data": "hold_flat"})


def test_beyond_data_choice_is_checked(root, tmp_path):
    with pytest.raises(AssumptionError, match="demography.beyond_data: expected one of hold_flat"):
        load_assumptions(_un_case(tmp_path, root, 80, "  beyond_data: extrapolate\n"))


def test_given_components_need_no_beyond_data(root, tmp_path):
    """Only what is taken from the tables must be covered by them."""
    demo = "\n".join([
        "  mortality: {life_tables: {1950: {female: {mx: {first_age: 0, width: 100, values: [0.01, 0.01]}},",
        "                                   male: {mx: {first_age: 0, width: 100, values: [0.01, 0.01]}}}}}",
        "  fertility: {rates: {1950: {first_age: 20, width: 10, values: [0.1]}}}",
        "  migration: {total: 0, pattern: {female: {first_age: 0, width: 100, values: [1, 1]},"
        " male: {first_age: 0, width: 100, values: [1, 1]}}}", ""])
    a = load_assumptions(_un_case(tmp_path, root, 80, demo))
    assert a.demography.beyond_data is None and a.demography.migration.rule == "capped"


# -- negative cells in UN input tables ---------------------------------------------------

@pytest.mark.parametrize(("stem", "what"), [("pop_count_age_sex_base", "population count"),
                                             ("life_table_age_sex", "central death rate"),
                                             ("fert_rate_age_f", "fertility rate"),
                                             ("srb", "sex ratio at birth")])
def test_negative_cell_in_un_tables_names_file_column_and_row(root, tmp_path, stem, what):
    data = tmp_path / "data"
    shutil.copytree(root / "validation_cases" / "un_canada_1950_2020" / "data", data)
    path = data / "inputs" / f"{stem}.csv.gz"
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    header = lines[0].split(",")
    col = header.index("value")
    for i in range(1, len(lines)):  # the first positive value of interest (lt_nMx in the life table)
        cells = lines[i].split(",")
        if float(cells[col]) > 0 and ("indicator" not in header or cells[header.index("indicator")] == "lt_nMx"):
            cells[col] = "-" + cells[col]
            lines[i] = ",".join(cells)
            break
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    with pytest.raises(AssumptionError) as info:
        load_assumptions(_bad_case(tmp_path, data))
    message = str(info.value)
    assert f"{stem}.csv.gz" in message and f"value (row {i + 1})" in message and what in message
    assert "time_start=" in message


def _bad_case(tmp_path, data):
    path = tmp_path / "bad.yaml"
    path.write_text(f"case: {{name: bad, base_year: 1950, horizon: 70}}\ndemography:\n  un_tables: {data.as_posix()}\n",
                    encoding="utf-8")
    return path
