"""Grouped rows in the UN long tables (demography.un_tables): rows with an
``age_span`` (5-year groups, the open group 100+ as age_span 1000) are
graduated to single ages by demography.grouped.graduation; a table of single
ages written with span 1 reads exactly as before; group totals are kept
(Sprague/Beers: every group; PCLM: the grand total; fertility: every group's
births); overlapping or gapped groups are one error naming the file and row.

Tables: the UN's Canada inputs of 1950-1951 (validation_cases/un_canada_1950_2020),
summed into groups here by plain loops.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from actuarial.assumptions import load_assumptions
from actuarial.demography.un_tables import FILES, read_un_tables
from actuarial.errors import AssumptionError

ROOT = Path(__file__).resolve().parents[1]
CANADA = ROOT / "validation_cases" / "un_canada_1950_2020" / "data" / "inputs"
YEARS = (1950, 1951)


def _lines(stem: str) -> list[str]:
    lines = gzip.decompress((CANADA / f"{stem}.csv.gz").read_bytes()).decode().splitlines()
    col = lines[0].split(",").index("time_start")
    keep = [lines[0]] + [ln for ln in lines[1:] if int(ln.split(",")[col]) in YEARS]
    if stem == FILES["life_table"]:
        keep = [keep[0]] + [ln for ln in keep[1:] if ln.startswith("lt_nMx,")]
    return keep


def grouped_lines(lines: list[str], edges) -> list[str]:
    """``lines`` of single ages summed into the groups [edges[j], edges[j+1]) (the last group
    open to 100+, age_span 1000, when edges[-1] is 101; ages outside the edges left out);
    m_x are not summable: their groups are written by :func:`abridged_mx_lines`."""
    header = lines[0].split(",")
    age, span, value = header.index("age_start"), header.index("age_span"), header.index("value")
    sums: dict[str, float] = {}
    for ln in lines[1:]:
        cells = ln.split(",")
        a = int(cells[age])
        j = np.searchsorted(edges, a, side="right") - 1
        if j < 0 or j >= len(edges) - 1:
            continue
        lo, hi = edges[j], edges[j + 1]
        cells[age], cells[span] = str(lo), str(1000 if hi == 101 else hi - lo)
        key = ",".join(cells[:value])
        sums[key] = sums.get(key, 0.0) + float(cells[value])
    return [lines[0]] + [f"{k},{v!r}" for k, v in sums.items()]


FIVES = [*range(0, 101, 5), 101]  # 0-4, ..., 95-99, 100+


def _folder(tmp_path: Path, replaced: dict[str, list[str]]) -> Path:
    inputs = tmp_path / "un" / "inputs"
    inputs.mkdir(parents=True)
    for stem in [*FILES.values()]:
        lines = replaced.get(stem) or _lines(stem)
        (inputs / f"{stem}.csv").write_text("\n".join(lines) + "\n")
    return inputs.parent


@pytest.fixture(scope="module")
def single():
    return read_un_tables(CANADA.parent)


def _fives(values) -> np.ndarray:
    """Sums over 0-4, ..., 95-99 and 100+ by plain loops."""
    values = list(values)
    return np.array([sum(values[a:a + 5]) for a in range(0, 100, 5)] + [values[100]])


def test_single_ages_with_spans_read_as_before(tmp_path):
    folder = _folder(tmp_path, {})
    a, b = read_un_tables(folder), read_un_tables(folder, "beers")
    for key in ("population", "mx", "asfr", "srb", "migration"):
        assert np.array_equal(a[key], b[key]), key


def test_span_one_groups_equal_the_single_age_file(tmp_path):
    """Every age its own group (age_span 1, 100+ open): identical to the single-age file."""
    ones = list(range(0, 102))
    replaced = {FILES["population"]: grouped_lines(_lines(FILES["population"]), ones),
                FILES["migration"]: grouped_lines(_lines(FILES["migration"]), ones)}
    base = read_un_tables(_folder(tmp_path / "a", {}))
    un = read_un_tables(_folder(tmp_path / "b", replaced), "pclm")
    assert np.array_equal(un["population"], base["population"])
    assert np.array_equal(un["migration"], base["migration"])


@pytest.mark.parametrize("method", ["sprague", "beers"])
def test_grouped_population_and_migration_keep_every_group(tmp_path, method):
    base = read_un_tables(_folder(tmp_path / "a", {}))
    replaced = {FILES["population"]: grouped_lines(_lines(FILES["population"]), FIVES),
                FILES["migration"]: grouped_lines(_lines(FILES["migration"]), FIVES)}
    un = read_un_tables(_folder(tmp_path / "b", replaced), method)
    for g in range(2):
        want = _fives(base["population"][g])
        np.testing.assert_allclose(_fives(un["population"][g]), want, rtol=1e-12)
        assert not np.array_equal(un["population"][g], base["population"][g])  # graduated, not copied
        # the graduated ages close to the UN's single ages (a smooth 1950 pyramid): within 6% below 85
        np.testing.assert_allclose(un["population"][g][:85], base["population"][g][:85], rtol=0.06)
        for y in range(2):
            np.testing.assert_allclose(_fives(un["migration"][y, g]), _fives(base["migration"][y, g]),
                                       rtol=1e-9, atol=1e-6)


def test_grouped_population_by_pclm_keeps_the_total(tmp_path):
    base = read_un_tables(_folder(tmp_path / "a", {}))
    replaced = {FILES["population"]: grouped_lines(_lines(FILES["population"]), [0, 1, *range(5, 86, 5), 101])}
    un = read_un_tables(_folder(tmp_path / "b", replaced), "pclm")  # abridged, open group 85+
    for g in range(2):
        assert un["population"][g].sum() == pytest.approx(base["population"][g].sum(), rel=1e-6)
        assert (un["population"][g] > 0).all()
        assert un["population"][g][0] == pytest.approx(base["population"][g][0], rel=1e-3)  # age 0 its own group


def test_grouped_fertility_keeps_each_group_and_the_tfr(tmp_path):
    base = read_un_tables(_folder(tmp_path / "a", {}))
    edges = list(range(15, 51, 5))  # 15-19 .. 45-49, no births outside
    lines = _lines(FILES["fertility"])
    grouped = grouped_lines(lines, edges)
    header = grouped[0].split(",")
    span, value = header.index("age_span"), header.index("value")
    rates = [grouped[0]]  # a group's rate: its births per woman over its width (the mean rate)
    for ln in grouped[1:]:
        cells = ln.split(",")
        cells[value] = repr(float(cells[value]) / int(cells[span]))
        rates.append(",".join(cells))
    un = read_un_tables(_folder(tmp_path / "b", {FILES["fertility"]: rates}))
    for y in range(2):
        asfr, ref = un["asfr"][y], base["asfr"][y]
        assert np.all(asfr[:15] == 0) and np.all(asfr[50:] == 0) and np.all(asfr[15:50] > 0)
        for lo in edges[:-1]:
            assert asfr[lo:lo + 5].sum() == pytest.approx(ref[lo:lo + 5].sum(), rel=1e-12), lo
        assert asfr.sum() == pytest.approx(ref[15:50].sum(), rel=1e-12)
        # smooth: no steps at the group edges (the even spread of each group: 2.27 in 1950)
        assert np.abs(np.diff(np.log(asfr[15:50]), 2)).max() < 0.3
        assert np.abs(np.diff(np.log(np.repeat(np.add.reduceat(ref[15:50], range(0, 35, 5)), 5)), 2)).max() > 1.0
        # near the UN's own single ages (1950-51 baby boom; largest difference 18% at age 20)
        np.testing.assert_allclose(asfr[20:40], ref[20:40], rtol=0.2)


def test_grouped_mx_abridged(tmp_path):
    """Abridged m_x (0, 1-4, 5-9, ..., 100+) as written by a life table of the 1950 single ages
    (deaths over exposures of each group, a constant force within each age): graduated by the
    PCLM, close to the single ages from 1 to 95; m_0 and m_100+ their own groups."""
    base = read_un_tables(_folder(tmp_path / "a", {}))
    lines = _lines(FILES["life_table"])
    header = lines[0].split(",")
    idx = {k: header.index(k) for k in ("time_start", "sex", "age_start", "age_span", "value")}
    edges = [0, 1, *range(5, 101, 5), 101]
    out = [lines[0]]
    for y, year in enumerate(YEARS):
        for g, sex in enumerate(("female", "male")):
            mx = base["mx"][y, g]
            lx = np.concatenate([[1.0], np.exp(-np.cumsum(mx[:100]))])
            Lx = np.append((lx[:-1] - lx[1:]) / mx[:100], lx[100] / mx[100])
            for lo, hi in zip(edges[:-1], edges[1:]):
                m = (mx[lo:hi] * Lx[lo:hi]).sum() / Lx[lo:hi].sum()
                cells = ["lt_nMx", str(year), "1", sex, str(lo), str(1000 if hi == 101 else hi - lo), repr(float(m))]
                out.append(",".join(cells))
    assert header == ["indicator", "time_start", "time_span", "sex", "age_start", "age_span", "value"]
    un = read_un_tables(_folder(tmp_path / "b", {FILES["life_table"]: out}))
    assert un["mx"].shape == base["mx"].shape
    np.testing.assert_allclose(un["mx"][:, :, 0], base["mx"][:, :, 0], rtol=1e-12)
    np.testing.assert_allclose(un["mx"][:, :, 1:96], base["mx"][:, :, 1:96], rtol=0.25)


@pytest.mark.parametrize("change, words", [
    (lambda ls: ls[:3] + [ls[3].replace(",10,5,", ",8,5,")] + ls[4:], ["age_start (row 4)", "8-12", "overlaps 5-9"]),
    (lambda ls: ls[:3] + ls[4:], ["age_start (row 4)", "ages 10-14", "in no group"]),
    (lambda ls: ls[:21] + [ls[21].replace(",100,1000,", ",100,5,")] + ls[22:], ["age_span (row 22)", "open", "100-104"]),
    (lambda ls: [ls[0]] + [ln for ln in ls[1:] if ",0,5," not in ln], ["expected the first age group", "age 0"]),
])
def test_bad_groups_are_one_error_naming_file_and_row(tmp_path, change, words):
    lines = change(grouped_lines(_lines(FILES["population"]), FIVES))
    folder = _folder(tmp_path, {FILES["population"]: lines})
    with pytest.raises(AssumptionError) as info:
        read_un_tables(folder)
    text = str(info.value)
    assert f"{FILES['population']}.csv" in text and str(folder) in text
    for w in words:
        assert w in text, (w, text)


def test_assumption_file_graduates_by_the_grouped_method(tmp_path):
    """demography.grouped.graduation applies to the tables' grouped rows (beers: every group kept)."""
    replaced = {FILES["population"]: grouped_lines(_lines(FILES["population"]), FIVES)}
    folder = _folder(tmp_path, replaced)
    path = tmp_path / "case.yaml"
    path.write_text("case: {name: grouped_un, base_year: 1950, horizon: 1}\n"
                    f"demography:\n  un_tables: {folder.as_posix()}\n"
                    "  grouped: {age_groups: 5, graduation: beers}\n", encoding="utf-8")
    pop = np.asarray(load_assumptions(path).demography.base_population)
    direct = read_un_tables(folder, "beers")["population"]
    np.testing.assert_array_equal(pop, direct)
    base = read_un_tables(_folder(tmp_path / "a", {}))["population"]
    for g in range(2):
        np.testing.assert_allclose(_fives(pop[g]), _fives(base[g]), rtol=1e-12)
