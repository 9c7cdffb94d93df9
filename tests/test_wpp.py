"""The WPP 2024 CSV reader (actuarial.demography.wpp) on the UN-layout fixtures.

The fixtures (tests/data/wpp, written by make_fixtures.py) are read here
independently with plain pandas to give the expected values.
"""

from __future__ import annotations

import gzip
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from actuarial.demography.wpp import read_wpp
from actuarial.errors import AssumptionError

DATA = Path(__file__).parent / "data" / "wpp"
POP_EST = "WPP2024_Population1JanuaryBySingleAgeSex_Medium_1950-2023.csv.gz"
POP_PROJ = "WPP2024_Population1JanuaryBySingleAgeSex_Medium_2024-2100.csv.gz"
LT_F = "WPP2024_Life_Table_Complete_Medium_Female_1950-2023.csv.gz"
FERT = "WPP2024_Fertility_by_Age1.csv.gz"
IND = "WPP2024_Demographic_Indicators_Medium.csv.gz"
IND_OTHER = "WPP2024_Demographic_Indicators_OtherVariants.csv.gz"


def raw(name, folder=DATA) -> pd.DataFrame:
    return pd.read_csv(folder / name, encoding="utf-8-sig", keep_default_na=False, na_values=[""])


def copy(tmp_path) -> Path:
    folder = tmp_path / "wpp"
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns("*.py"))
    return folder


def rewrite(folder: Path, name: str, table: pd.DataFrame) -> None:
    with gzip.open(folder / name, "wt", encoding="utf-8") as f:
        table.to_csv(f, index=False)


@pytest.fixture(scope="module")
def mexico():
    return read_wpp(DATA, "Mexico")


def test_layout_and_units(mexico):
    d = mexico
    assert list(d["years"]) == list(range(2021, 2028)) and d["base_year"] == 2021
    assert d["population"].shape == (7, 2, 101) and d["mx"].shape == (7, 2, 101)
    assert d["asfr"].shape == (7, 101) and d["srb"].shape == d["net_migration"].shape == (7,)
    assert d["country"] == {"LocID": 484, "ISO3_code": "MEX", "Location": "Mexico"}
    pop = raw(POP_EST)
    row = pop[(pop.LocID == 484) & (pop.Time == 2022) & (pop.AgeGrpStart == 37)].iloc[0]
    assert d["population"][1, 0, 37] == pytest.approx(row.PopFemale * 1000, rel=1e-12)
    assert d["population"][1, 1, 37] == pytest.approx(row.PopMale * 1000, rel=1e-12)
    proj = raw(POP_PROJ)
    row = proj[(proj.LocID == 484) & (proj.Time == 2027) & (proj.AgeGrp == "100+")].iloc[0]
    assert d["population"][6, 1, 100] == pytest.approx(row.PopMale * 1000, rel=1e-12)
    np.testing.assert_array_equal(d["population_base"], d["population"][0])
    lt = raw(LT_F)
    row = lt[(lt.LocID == 484) & (lt.Time == 2023) & (lt.AgeGrpStart == 64)].iloc[0]
    assert d["mx"][2, 0, 64] == pytest.approx(row.mx, rel=1e-12)
    assert d["life_table"]["ex"][2, 0, 64] == pytest.approx(row.ex, rel=1e-12)
    fert = raw(FERT)
    f = fert[(fert.LocID == 484) & (fert.Time == 2021) & (fert.Variant == "Medium")]
    assert d["asfr"][0, 15:50] == pytest.approx(f.sort_values("AgeGrpStart").ASFR.to_numpy() / 1000, rel=1e-12)
    assert d["asfr"][0, :15].sum() == 0 and d["asfr"][0, 50:].sum() == 0
    ind = raw(IND)
    i = ind[(ind.LocID == 484)].set_index("Time")
    assert d["srb"] == pytest.approx(i.loc[2021:2027, "SRB"].to_numpy() / 100, rel=1e-12)
    assert d["net_migration"] == pytest.approx(i.loc[2021:2027, "NetMigrations"].to_numpy() * 1000, rel=1e-12)
    assert d["births"] == pytest.approx(i.loc[2021:2027, "Births"].to_numpy() * 1000, rel=1e-12)
    assert d["variant"] == "Medium" and d["revision"] == "WPP2024"
    assert d["sources"]["population"]["files"][0] == POP_EST


@pytest.mark.parametrize("name", ["Mexico", "mexico", " MEXICO ", "MEX", "mex", "484", 484])
def test_country_by_name_iso3_or_locid(name, mexico):
    d = read_wpp(DATA, name, years=[2021])
    assert d["country"]["LocID"] == 484
    np.testing.assert_array_equal(d["population"][0], mexico["population"][0])


def test_countries_differ():
    assert read_wpp(DATA, "CAN", years=[2021])["country"]["Location"] == "Canada"


@pytest.mark.parametrize("name, closest", [("Mexco", "Mexico"), ("Canda", "Canada"), ("CAM", "Canada")])
def test_unknown_country_lists_the_closest(name, closest):
    with pytest.raises(AssumptionError, match=f"no location '{name}'.*closest: .*{closest}") as err:
        read_wpp(DATA, name)
    assert IND in str(err.value)


def test_unknown_country_without_close_names():
    with pytest.raises(AssumptionError, match="no location 'Atlantis'") as err:
        read_wpp(DATA, "Atlantis")
    assert "closest" not in str(err.value)


def test_years_subset(mexico):
    d = read_wpp(DATA, "MEX", years=(2023, 2025))
    assert list(d["years"]) == [2023, 2024, 2025] and d["base_year"] == 2023
    np.testing.assert_array_equal(d["mx"], mexico["mx"][2:5])
    np.testing.assert_array_equal(d["population"], mexico["population"][2:5])


def test_variants_projection_from_the_variant_estimates_from_medium(mexico):
    high = read_wpp(DATA, "Mexico", variant="high")
    low = read_wpp(DATA, "Mexico", variant="Low")
    assert high["variant"] == "High" and low["variant"] == "Low"
    # estimates (to 2023) are the Medium rows; projections (from 2024) the variant's own
    np.testing.assert_array_equal(high["asfr"][:3], mexico["asfr"][:3])
    np.testing.assert_array_equal(high["population"][:4], mexico["population"][:4])  # 1 Jan 2024 before births
    other = raw(IND_OTHER)
    for d, name in ((high, "High"), (low, "Low")):
        o = other[(other.LocID == 484) & (other.Variant == name)].set_index("Time")
        assert d["asfr"][3:].sum(axis=1) == pytest.approx(o.loc[2024:2027, "TFR"].to_numpy(), rel=1e-9)
        assert d["births"][3:] == pytest.approx(o.loc[2024:2027, "Births"].to_numpy() * 1000, rel=1e-12)
    tfr = {k: v["asfr"].sum(axis=1) for k, v in (("m", mexico), ("h", high), ("l", low))}
    assert (tfr["h"][3:] > tfr["m"][3:] + 0.4).all() and (tfr["l"][3:] < tfr["m"][3:] - 0.4).all()
    assert (high["population"][4:, :, 0] > mexico["population"][4:, :, 0]).all()
    np.testing.assert_array_equal(high["mx"], mexico["mx"])  # medium mortality, stated in the sources
    assert "medium mortality" in high["sources"]["life_table"]["rows"]
    assert "Medium rows (estimates) before 2024" in high["sources"]["fertility"]["rows"]


def test_missing_variant_lists_those_in_the_files():
    with pytest.raises(AssumptionError, match="no variant 'Zero migration'.*High, Low, Medium"):
        read_wpp(DATA, "MEX", variant="Zero migration")


def test_variant_without_medium_mortality_needs_its_own_life_tables(tmp_path):
    folder = copy(tmp_path)
    for name in [POP_PROJ, FERT, IND]:  # a Constant-mortality variant in every file but the life tables
        t = raw(name, folder)
        extra = t[(t.Variant == "Medium") & (t.Time >= 2024)].assign(Variant="Constant mortality", VarID=8)
        rewrite(folder, name, pd.concat([t, extra]))
    with pytest.raises(AssumptionError, match="Life_Table.*no variant 'Constant mortality' in the life table"):
        read_wpp(folder, "MEX", variant="Constant mortality")


@pytest.mark.parametrize("form", ["csv", "zip"])
def test_plain_and_zip_files_as_downloaded(tmp_path, form, mexico):
    folder = tmp_path / form
    folder.mkdir()
    for path in DATA.glob("*.csv.gz"):
        stem = path.name[:-len(".csv.gz")]
        data = gzip.decompress(path.read_bytes())
        if form == "csv":
            (folder / f"{stem}.csv").write_bytes(data)
        else:
            with zipfile.ZipFile(folder / f"{stem}.zip", "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr(f"{stem}.csv", data)
    d = read_wpp(folder, "Mexico")
    for key in ("population", "mx", "asfr", "srb", "net_migration"):
        np.testing.assert_array_equal(d[key], mexico[key])


# -- bad inputs: one AssumptionError naming the file and what was expected ------

def test_year_outside_the_files():
    with pytest.raises(AssumptionError, match=r"Population1January.*Time: expected the year 2020 .* hold "
                                              r"2021\.\.2027"):
        read_wpp(DATA, "MEX", years=(2020, 2022))


def test_years_not_consecutive():
    with pytest.raises(AssumptionError, match="expected every year from 2021 to 2025"):
        read_wpp(DATA, "MEX", years=[2021, 2025])


def test_file_of_another_revision(tmp_path):
    folder = copy(tmp_path)
    for path in folder.glob("WPP2024_Fertility*"):
        path.rename(path.with_name(path.name.replace("WPP2024", "WPP2022")))
    with pytest.raises(AssumptionError, match="WPP2022_Fertility_by_Age1.csv.gz: wpp: a file of another WPP "
                                              "revision \\(WPP2022\\); expected the WPP2024 files"):
        read_wpp(folder, "MEX")


def test_file_of_another_layout(tmp_path):
    folder = copy(tmp_path)
    rewrite(folder, LT_F, raw(LT_F, folder).drop(columns=["Lx"]))
    with pytest.raises(AssumptionError, match=f"{LT_F}: row 1: expected the WPP2024 layout .*missing Lx"):
        read_wpp(folder, "MEX")


def test_missing_age(tmp_path):
    folder = copy(tmp_path)
    t = raw(POP_EST, folder)
    rewrite(folder, POP_EST, t[~((t.LocID == 484) & (t.Time == 2022) & (t.AgeGrpStart == 50))])
    with pytest.raises(AssumptionError, match="Population1January.*expected a row for every Time, AgeGrpStart "
                                              "in the population; no row for Time=2022, AgeGrpStart=50"):
        read_wpp(folder, "MEX")


def test_five_year_age_groups_refused(tmp_path):
    folder = copy(tmp_path)
    t = raw(FERT, folder)
    t.loc[t.AgeGrpStart == 20, "AgeGrpSpan"] = 5
    rewrite(folder, FERT, t)
    with pytest.raises(AssumptionError, match=f"{FERT}: AgeGrpSpan \\(row \\d+\\): expected single ages"):
        read_wpp(folder, "MEX")


def test_bad_value_names_file_column_and_row(tmp_path):
    folder = copy(tmp_path)
    t = raw(POP_EST, folder)
    i = t.index[(t.LocID == 484) & (t.Time == 2021) & (t.AgeGrpStart == 3)][0]
    t.loc[i, "PopMale"] = -1.0
    rewrite(folder, POP_EST, t)
    with pytest.raises(AssumptionError, match=f"{POP_EST}: PopMale \\(row {i + 2}\\): expected a population "
                                              "\\(thousands\\) >= 0; got -1"):
        read_wpp(folder, "MEX")


def test_empty_cell_names_file_column_and_row(tmp_path):
    folder = copy(tmp_path)
    t = raw(IND, folder)
    i = t.index[(t.LocID == 124) & (t.Time == 2022)][0]
    t.loc[i, "SRB"] = np.nan
    rewrite(folder, IND, t)
    with pytest.raises(AssumptionError, match=f"{IND}: SRB \\(row {i + 2}\\): expected a sex ratio at birth"):
        read_wpp(folder, "CAN")


def test_country_missing_from_one_table(tmp_path):
    folder = copy(tmp_path)
    t = raw(FERT, folder)
    rewrite(folder, FERT, t[t.LocID != 124])
    with pytest.raises(AssumptionError, match="Fertility_by_Age1.csv.gz: LocID: no rows for Canada \\(LocID 124\\)"):
        read_wpp(folder, "Canada")


def test_missing_table_and_not_a_folder(tmp_path):
    folder = copy(tmp_path)
    for path in folder.glob("WPP2024_Life_Table*"):
        path.unlink()
    with pytest.raises(AssumptionError, match="no life table file: expected WPP2024_Life_Table_Complete_"):
        read_wpp(folder, "MEX")
    with pytest.raises(AssumptionError, match="expected a folder holding the WPP 2024 CSV files"):
        read_wpp(tmp_path / "nowhere", "MEX")


def test_corrupt_gzip(tmp_path):
    folder = copy(tmp_path)
    data = (folder / FERT).read_bytes()
    (folder / FERT).write_bytes(data[: len(data) // 2])
    with pytest.raises(AssumptionError, match=f"{FERT}: not a readable CSV file"):
        read_wpp(folder, "MEX")
    (folder / FERT).write_bytes(b"not gzip at all")
    with pytest.raises(AssumptionError, match=f"{FERT}: expected a gz file"):
        read_wpp(folder, "MEX")


def test_two_copies_of_a_file_are_an_error(tmp_path):
    folder = copy(tmp_path)
    (folder / POP_EST.replace(".csv.gz", ".csv")).write_bytes(gzip.decompress((folder / POP_EST).read_bytes()))
    with pytest.raises(AssumptionError, match="Medium_1950-2023.csv.gz: Time, AgeGrpStart \\(row \\d+\\): expected "
                                              "one row per Time, AgeGrpStart in the population; Time=2021, "
                                              "AgeGrpStart=0 appears again \\(first in .*Medium_1950-2023.csv row "
                                              "\\d+; two copies of a file\\?\\)"):
        read_wpp(folder, "MEX")


def test_names_without_accents(tmp_path):
    folder = copy(tmp_path)
    for path in folder.glob("*.csv.gz"):
        t = raw(path.name, folder)
        t["Location"] = t["Location"].replace({"Mexico": "México"})
        rewrite(folder, path.name, t)
    assert read_wpp(folder, "mexico", years=[2021])["country"]["Location"] == "México"
    assert read_wpp(folder, "MÉXICO", years=[2021])["country"]["LocID"] == 484


@pytest.mark.parametrize("years", ["2021", 2021, [], [2021.5], (2021, "2023")])
def test_bad_years_argument(years):
    with pytest.raises(AssumptionError, match="years: expected \\(first, last\\) or a list of years"):
        read_wpp(DATA, "MEX", years=years)


@pytest.mark.parametrize("variant", [None, "", 3])
def test_bad_variant_argument(variant):
    with pytest.raises(AssumptionError, match="variant: expected a WPP variant name"):
        read_wpp(DATA, "MEX", variant=variant)


@pytest.mark.parametrize("sort_order", [False, True])
@pytest.mark.parametrize("block", [7, 16, 33, 1 << 20])
def test_byte_scan_finds_every_line_and_row_across_blocks(tmp_path, monkeypatch, sort_order, block):
    """The scan (in place, blocks of SCAN_BYTES) gives the lines of one LocID and their file rows as
    a plain line-by-line reading does, whatever the block size cuts (LocID first or after SortOrder;
    other LocIDs that contain it as a prefix or suffix, 12 and 212, are not taken)."""
    import gzip

    from actuarial.demography import wpp as reader

    rng = np.random.default_rng(3)
    locs = rng.choice([12, 2, 212, 21, 122], size=60)
    header = ("SortOrder," if sort_order else "") + "LocID,ISO3_code,Location,Variant,Time,Value\n"
    body = "".join((f"{i}," if sort_order else "") + f"{loc},AAA,Place {loc},Medium,{2000 + i},{i * 1.5}\n"
                   for i, loc in enumerate(locs))
    path = tmp_path / "WPP2024_test.csv.gz"
    path.write_bytes(gzip.compress((header + body.rstrip("\n")).encode()))  # no newline at the end
    monkeypatch.setattr(reader, "SCAN_BYTES", block)
    k = 1 if sort_order else 0
    tables = list(reader._scan(path, ["LocID", "Time", "Value"], 12, k))
    want = [(i + 2, 2000 + i) for i, loc in enumerate(locs) if loc == 12]
    assert len(tables) == 1
    got = list(zip(tables[0].index, tables[0]["Time"]))
    assert got == want and (tables[0]["LocID"] == 12).all()
