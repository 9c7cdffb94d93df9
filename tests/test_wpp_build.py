"""``demography.wpp``: a projection from the WPP 2024 files (residual and model
migration, any base year, beyond_data, the cache).

Expected values are the files' own figures, read with plain pandas
(:func:`raw_population`), not through the engine's reader.
"""

from __future__ import annotations

import os
import shutil
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from actuarial.assumptions import load_assumptions
from actuarial.demography.wpp_cache import cache_path, read_wpp_cached
from actuarial.demography.wpp_synthetic import write_synthetic
from actuarial.errors import AssumptionError
from actuarial.stages import run_demography

DATA = Path(__file__).parent / "data" / "wpp"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    """Two made-up locations, every year 1950-2100, in the UN's layout."""
    return write_synthetic(tmp_path_factory.mktemp("wpp_syn"), n=2, distinct=2)


@pytest.fixture
def fixtures(tmp_path) -> Path:
    """A copy of the UN-layout fixtures (the cache is written beside them)."""
    folder = tmp_path / "wpp"
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns("*.py", ".actuarial-cache"))
    return folder


def raw_population(folder: Path, locid: int) -> dict:
    """{year: (2, 101) persons (female, male)} from the population files, plain pandas."""
    frames = [pd.read_csv(p, encoding="utf-8-sig") for p in sorted(folder.glob("WPP2024_Population1January*"))]
    table = pd.concat(frames)
    table = table[(table["LocID"] == locid) & (table["Variant"] == "Medium")]
    out = {}
    for year, rows in table.groupby("Time"):
        rows = rows.sort_values("AgeGrpStart")
        out[int(year)] = np.stack([rows["PopFemale"].to_numpy(), rows["PopMale"].to_numpy()]) * 1000
    return out


def raw_net_migration(folder: Path, locid: int) -> dict:
    table = pd.read_csv(next(folder.glob("WPP2024_Demographic_Indicators_Medium*")), encoding="utf-8-sig")
    table = table[table["LocID"] == locid]
    return dict(zip(table["Time"].astype(int), table["NetMigrations"] * 1000))


def case_file(tmp_path: Path, folder: Path, country, base_year: int, horizon: int, extra: str = "",
              wpp_extra: str = "") -> Path:
    path = tmp_path / f"case_{base_year}_{horizon}.yaml"
    path.write_text(f"case:\n  name: w\n  country: X\n  base_year: {base_year}\n  horizon: {horizon}\n"
                    f"  currency: XXX\ndemography:\n  wpp:\n    folder: {folder.as_posix()}\n"
                    f"    country: {country}\n{wpp_extra}{extra}", encoding="utf-8")
    return path


def project(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no negative stock, no capped emigration
        return run_demography(load_assumptions(path))


def worst_relative(ds, expected: dict) -> float:
    pop = ds["population"].values[0]
    worst = 0.0
    for i, year in enumerate(ds["year"].values):
        ref = expected[int(year)]
        worst = max(worst, float(np.max(np.abs(pop[i] - ref) / np.maximum(ref, 1.0))))
    return worst


def test_residual_reproduces_fixture_populations_every_year(tmp_path, fixtures):
    """Canada and Mexico, base 2021 (the fixtures' first year) to 2026: every
    single age and sex of every 1 January to 1e-6 relative."""
    for country, locid in (("Canada", 124), ("MEX", 484)):
        ds = project(case_file(tmp_path, fixtures, country, 2021, 5))
        assert list(ds["year"].values) == list(range(2021, 2027))
        assert worst_relative(ds, raw_population(fixtures, locid)) < 1e-6
        assert ds.attrs["migration_rule"] == "as_given"


@pytest.mark.parametrize("base_year, horizon", [(1950, 149), (2030, 40), (2090, 9)])
def test_residual_any_base_year(tmp_path, synthetic, base_year, horizon):
    """Any base year of the files (1950-2100): the files' populations, every year, to 1e-6."""
    ds = project(case_file(tmp_path, synthetic, "Synthland 1", base_year, horizon))
    assert ds["year"].values[0] == base_year
    assert worst_relative(ds, raw_population(synthetic, 1002)) < 1e-6


def test_model_migration_totals_within_half_percent_for_30_years(tmp_path, synthetic):
    """Rogers-Castro migrants scaled to NetMigrations: total population within
    0.5% of the files' for 30 years; the migrants add up to the published totals."""
    for country, locid in (("QAA", 1001), ("1002", 1002)):
        ds = project(case_file(tmp_path, synthetic, country, 2000, 30, wpp_extra="    migration: model\n"))
        ref = raw_population(synthetic, locid)
        total = ds["total_population"].values[0]
        expected = np.array([ref[int(y)].sum() for y in ds["year"].values])
        assert np.max(np.abs(total / expected - 1)) < 0.005
        published = raw_net_migration(synthetic, locid)
        migrants = ds["net_migration"].values[0].sum(axis=(1, 2))
        np.testing.assert_allclose(migrants, [published[int(y)] for y in ds["year"].values], rtol=1e-9)


def test_past_the_files_needs_beyond_data(tmp_path, fixtures):
    """The fixtures end in 2027: residual migrants end in 2026; a later year needs beyond_data."""
    with pytest.raises(AssumptionError) as err:
        load_assumptions(case_file(tmp_path, fixtures, "Canada", 2021, 6))
    message = str(err.value)
    assert "demography.beyond_data" in message and "migration (last 2026)" in message
    a = load_assumptions(case_file(tmp_path, fixtures, "Canada", 2021, 10, extra="  beyond_data: hold_flat\n"))
    ds = run_demography(a)
    assert ds.attrs["beyond_data"] == "hold_flat"
    assert ds["year"].values[-1] == 2031
    model = case_file(tmp_path, fixtures, "Canada", 2021, 6, wpp_extra="    migration: model\n")
    assert run_demography(load_assumptions(model))["year"].values[-1] == 2027  # model: totals to 2027


def test_base_year_outside_the_files(tmp_path, fixtures):
    with pytest.raises(AssumptionError, match=r"demography.wpp.folder: case.base_year 2019 is outside the "
                                              r"files' years 2021..2027"):
        load_assumptions(case_file(tmp_path, fixtures, "Canada", 2019, 3))
    with pytest.raises(AssumptionError, match="residual migrants of 2027 need the population of 1 January 2028"):
        load_assumptions(case_file(tmp_path, fixtures, "Canada", 2027, 1))


def test_explicit_keys_override_the_files(tmp_path, fixtures):
    """fertility given beside wpp replaces the files' rates (the others still come from the files)."""
    extra = "  fertility:\n    tfr: 3.0\n    pattern: {form: hadwiger, H: 3.0, T: 28.0}\n    srb: 1.05\n"
    a = load_assumptions(case_file(tmp_path, fixtures, "Canada", 2021, 3, extra=extra))
    ds = run_demography(a)
    np.testing.assert_allclose(ds["total_fertility_rate"].values[0], 3.0)
    assert a.demography.open_age_group == "un"  # mortality still from the files


def test_unknown_country_and_variant(tmp_path, fixtures):
    with pytest.raises(AssumptionError, match="no location 'Canda'.*closest: Canada"):
        load_assumptions(case_file(tmp_path, fixtures, "Canda", 2021, 3))
    with pytest.raises(AssumptionError, match="no variant 'Zero migration'"):
        load_assumptions(case_file(tmp_path, fixtures, "Canada", 2021, 3,
                                   wpp_extra="    variant: Zero migration\n"))


def test_cache_second_read_fast_and_equal(fixtures):
    first = read_wpp_cached(fixtures, "Canada")
    path = cache_path(fixtures, "Canada", "Medium")
    assert path.is_file()
    start = time.perf_counter()
    second = read_wpp_cached(fixtures, "Canada")
    assert time.perf_counter() - start < 0.5
    for key in ("years", "population", "mx", "asfr", "srb", "net_migration", "births"):
        np.testing.assert_array_equal(first[key], second[key])
    assert second["country"] == first["country"] and second["sources"] == first["sources"]


def test_cache_follows_the_files(fixtures):
    """A changed file (size or time) is read again; a corrupt cache is ignored."""
    first = read_wpp_cached(fixtures, "Canada")
    name = "WPP2024_Demographic_Indicators_Medium.csv.gz"
    table = pd.read_csv(fixtures / name, encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    table.loc[table["LocID"] == 124, "SRB"] = 110.0
    table.to_csv(fixtures / name, index=False, encoding="utf-8-sig", compression="gzip")
    os.utime(fixtures / name, ns=(1, 1))
    assert np.all(read_wpp_cached(fixtures, "Canada")["srb"] == 1.10)
    assert not np.all(first["srb"] == 1.10)
    cache_path(fixtures, "Canada", "Medium").write_bytes(b"not a cache")
    assert np.all(read_wpp_cached(fixtures, "Canada")["srb"] == 1.10)


def test_cache_cannot_be_written(fixtures):
    """No cache can be written (here a file stands where its folder would be,
    as a read-only folder does even for root): the files are read, no error."""
    (fixtures / ".actuarial-cache").write_text("not a folder", encoding="utf-8")
    data = read_wpp_cached(fixtures, "Mexico")
    assert data["country"]["LocID"] == 484
    assert (fixtures / ".actuarial-cache").read_text(encoding="utf-8") == "not a folder"


def test_un_tables_later_base_year(tmp_path):
    """un_tables with case.base_year 2000 (the tables' base is 1950): the base
    population is the UN's own 1 January 2000 population (pop_count_age_sex_1x1,
    the UN's output) to 1e-6, and the projection goes on reproducing it; a base
    year outside the tables is one clear error."""
    data = Path(__file__).resolve().parents[1] / "validation_cases" / "un_canada_1950_2020" / "data"
    path = tmp_path / "un.yaml"
    path.write_text(f"case: {{name: u, base_year: 2000, horizon: 19}}\ndemography:\n  un_tables: {data.as_posix()}\n",
                    encoding="utf-8")
    ds = run_demography(load_assumptions(path))
    out = pd.read_csv(data / "outputs" / "pop_count_age_sex_1x1.csv.gz")
    out = out[out["sex"].isin(["female", "male"]) & out["time_start"].between(2000, 2019)]
    want = out.pivot_table(index=["time_start", "sex"], columns="age_start", values="value").to_numpy()
    got = ds["population"].values[0].reshape(-1, 101)
    assert np.max(np.abs(got - want) / np.maximum(want, 1.0)) < 1e-6
    path.write_text(f"case: {{name: u, base_year: 2030, horizon: 5}}\ndemography:\n  un_tables: {data.as_posix()}\n",
                    encoding="utf-8")
    with pytest.raises(AssumptionError, match=r"demography.un_tables: case.base_year 2030 is outside the "
                                              r"tables' years 1950..20"):
        load_assumptions(path)
