"""Data files through actuarial.datafiles: non-regular files fail at once,
sizes are bounded, and mutated tables give a clean AssumptionError or a
valid result (the valid one itself when the mutation changes nothing).

The mutation tests use hypothesis, derandomized and bounded (50 examples,
no deadline), on small valid tables cut in the test from the shipped UN
Canada tables (1950-1951).
"""

from __future__ import annotations

import gzip
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actuarial.assumptions.pension import read_insured_table
from actuarial.datafiles import Column, read_bytes, read_table, read_text
from actuarial.demography.un_tables import FILES, MX_MAX, SRB_RANGE, read_un_tables
from actuarial.errors import AssumptionError

ROOT = Path(__file__).resolve().parents[1]
CANADA = ROOT / "validation_cases" / "un_canada_1950_2020" / "data" / "inputs"
STEMS = list(FILES.values())
BOUNDED = settings(max_examples=50, deadline=None, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.too_slow])


def _fails_at_once(call, seconds=5.0) -> AssumptionError:
    """``call()`` raises AssumptionError within ``seconds`` (run in a thread,
    so a read that blocks fails the test instead of hanging it)."""
    box = {}

    def target():
        try:
            call()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            box["exc"] = exc

    thread = threading.Thread(target=target, daemon=True)
    start = time.perf_counter()
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still reading after {seconds} s"
    assert isinstance(box.get("exc"), AssumptionError), box.get("exc")
    assert time.perf_counter() - start < seconds
    return box["exc"]


# -- non-regular files and sizes ------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_fails_at_once(tmp_path):
    fifo = tmp_path / "insured.csv"
    os.mkfifo(fifo)
    exc = _fails_at_once(lambda: read_insured_table(fifo))
    assert str(fifo) in str(exc) and "regular file" in str(exc)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_as_a_un_table_or_cost_file_fails_at_once(tmp_path):
    from fiscal_space.assumptions import load_fiscal

    data = _small_un(tmp_path / "un")
    (data / "srb.csv.gz").unlink()
    os.mkfifo(data / "srb.csv")
    assert "regular file" in str(_fails_at_once(lambda: read_un_tables(data.parent)))
    os.mkfifo(tmp_path / "costs.csv")
    (tmp_path / "fiscal.yaml").write_text(f'extends: "{ROOT}/assumptions/fiscal_space_example.yaml"\n'
                                          "fiscal_space: {costs: {file: costs.csv}}\n")
    exc = _fails_at_once(lambda: load_fiscal(tmp_path / "fiscal.yaml"))
    assert "costs.csv" in str(exc) and "fiscal_space.costs.file" in str(exc) and "regular file" in str(exc)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_fails_at_once(tmp_path):
    assert "regular file" in str(_fails_at_once(lambda: read_bytes("/dev/zero")))
    link = tmp_path / "insured.csv"
    link.symlink_to("/dev/zero")
    assert "regular file" in str(_fails_at_once(lambda: read_insured_table(link)))


def test_a_folder_is_not_a_data_file(tmp_path):
    with pytest.raises(AssumptionError, match="regular file"):
        read_bytes(tmp_path)


def test_files_and_their_unpacked_text_are_bounded(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"year,x\n" + b"2025,1\n" * 100)
    with pytest.raises(AssumptionError, match="limited to 500 bytes"):
        read_bytes(path, limit=500)
    bomb = tmp_path / "bomb.csv.gz"
    bomb.write_bytes(gzip.compress(b"year,x\n" + b"0" * 10**6))
    assert bomb.stat().st_size < 5000
    with pytest.raises(AssumptionError, match="unpacks to more than 5000 bytes"):
        read_text(bomb, limit=5000)


def test_errors_name_the_full_path_column_row_and_expectation(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("t.csv").write_text("year,x\n2025,1\n2026,abc\n")
    with pytest.raises(AssumptionError) as info:
        read_table("t.csv", [Column("year", "int"), Column("x", what="a cost")])
    assert str(info.value) == f"{tmp_path / 't.csv'}: x (row 3): expected a cost; got 'abc'"


# -- mutation tests ---------------------------------------------------------------

def _small_un(folder: Path, years=(1950, 1951)) -> Path:
    """UN tables of ``years`` cut from the Canada tables; returns ``folder/inputs``."""
    inputs = folder / "inputs"
    inputs.mkdir(parents=True)
    for stem in STEMS:
        lines = gzip.decompress((CANADA / f"{stem}.csv.gz").read_bytes()).decode().splitlines()
        col = lines[0].split(",").index("time_start")
        keep = [lines[0]] + [ln for ln in lines[1:] if int(ln.split(",")[col]) in years
                             and not (stem == FILES["life_table"] and not ln.startswith("lt_nMx,"))]
        (inputs / f"{stem}.csv.gz").write_bytes(gzip.compress(("\n".join(keep) + "\n").encode(), mtime=0))
    return inputs


_VALID_DIR = Path(tempfile.mkdtemp(prefix="datafiles-"))
_VALID_UN = _small_un(_VALID_DIR / "un").parent
_VALID = read_un_tables(_VALID_UN)
_LINES = {stem: gzip.decompress((_VALID_UN / "inputs" / f"{stem}.csv.gz").read_bytes()).decode().splitlines()
          for stem in STEMS}

CELLS = st.one_of(
    st.sampled_from(["", " ", "x", "nan", "NaN", "inf", "-inf", "-1", "0", "1e300", "-0", "1.5", "2.5",
                     "1000", "female", "male", "both", "lt_nMx", "1950", "1951", "1949", "3000", "1e-300",
                     "\"\"", "0x10", "1,5", "NA", "none", "é", "\t"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\n,\""), max_size=6),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@st.composite
def mutations(draw):
    """(stem, kind, new lines or bytes, no-op?) for one mutation of one table."""
    stem = draw(st.sampled_from(STEMS))
    lines = list(_LINES[stem])
    kind = draw(st.sampled_from(["cell", "cell", "cell", "same", "duplicate", "delete", "truncate",
                                 "blank", "header"]))
    row = draw(st.integers(1, len(lines) - 1))
    if kind in ("cell", "same"):
        cells = lines[row].split(",")
        col = draw(st.integers(0, len(cells) - 1))
        cells[col] = cells[col] if kind == "same" else draw(CELLS)
        lines[row] = ",".join(cells)
    elif kind == "duplicate":
        lines.insert(draw(st.integers(1, len(lines))), lines[row])
    elif kind == "delete":
        del lines[row]
    elif kind == "blank":
        lines.append("")
    elif kind == "header":
        cells = lines[0].split(",")
        cells[draw(st.integers(0, len(cells) - 1))] = draw(st.sampled_from(["", "value", "sex", "Value", "x"]))
        lines[0] = ",".join(cells)
    data = gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0)
    if kind == "truncate":
        data = data[:draw(st.integers(0, len(data) - 1))]
    return stem, kind, data, kind in ("same", "blank")


def _assert_valid(un: dict) -> None:
    """What read_un_tables promises of any result."""
    years = un["years"]
    assert np.array_equal(years, np.arange(years[0], years[-1] + 1))
    for name in ("population", "mx", "asfr", "srb", "migration"):
        assert np.isfinite(un[name]).all(), name
    assert un["population"].shape == (2, 101) and (un["population"] >= 0).all()
    assert un["mx"].shape == (years.size, 2, 101) and (0 <= un["mx"]).all() and (un["mx"] <= MX_MAX).all()
    assert (0 <= un["asfr"]).all() and (un["asfr"] <= 1).all()
    assert (SRB_RANGE[0] <= un["srb"]).all() and (un["srb"] <= SRB_RANGE[1]).all()


@BOUNDED
@given(mutations())
def test_mutated_un_tables_give_a_clean_error_or_a_valid_result(mutation):
    stem, kind, data, no_op = mutation
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "un"
        shutil.copytree(_VALID_UN, folder)
        (folder / "inputs" / f"{stem}.csv.gz").write_bytes(data)
        try:
            un = read_un_tables(folder)
        except AssumptionError as exc:
            assert not no_op, f"a no-op mutation was refused: {exc}"
            assert str(folder) in str(exc)
            return
    _assert_valid(un)
    if no_op:
        for key, value in _VALID.items():
            assert np.array_equal(np.asarray(un[key]), np.asarray(value)), key


INSURED = ["sex,age,credits,status,count", "female,40,10,active,1000", "male,45,20,active,2000",
           "male,45,20,inactive,300", "female,60,30,inactive,12.5"]
_VALID_INSURED_DIR = Path(tempfile.mkdtemp(prefix="insured-"))
(_VALID_INSURED_DIR / "insured.csv").write_text("\n".join(INSURED) + "\n")
_VALID_INSURED = read_insured_table(_VALID_INSURED_DIR / "insured.csv")


@BOUNDED
@given(st.integers(1, len(INSURED) - 1), st.integers(0, 4), CELLS, st.booleans())
def test_mutated_insured_tables_give_a_clean_error_or_a_valid_result(row, col, cell, duplicate):
    lines = list(INSURED)
    cells = lines[row].split(",")
    cells[col] = cell
    lines[row] = ",".join(cells)
    if duplicate:
        lines.append(lines[row])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "insured.csv"
        path.write_text("\n".join(lines) + "\n")
        try:
            out = read_insured_table(path)
        except AssumptionError as exc:
            assert str(path) in str(exc)
            return
    assert not duplicate, "a duplicated group was accepted"
    assert np.isfinite(out).all() and (out >= 0).all()
    if lines == INSURED:
        assert np.array_equal(out, _VALID_INSURED)


def test_quoted_and_plain_csv_read_the_same(tmp_path):
    """read_columns' two ways through CSV text (quote-free text split directly, any other
    by the csv module) give the same cells, rows (blank lines dropped, file rows kept)
    and messages."""
    from actuarial.datafiles import read_columns

    lines = ["sex,age,count,note", "female,40,1.5,a", "", "male,41,2,b", ",,,", "female,42,1e3,"]
    quoted = [lines[0]] + [",".join(f'"{c}"' if c else c for c in ln.split(",")) if ln else ln for ln in lines[1:]]
    columns = [Column("sex", "text", choices=("female", "male")), Column("age", "int"), Column("count")]
    tables = []
    for name, rows, end in (("plain.csv", lines, "\n"), ("quoted.csv", quoted, "\n"), ("crlf.csv", lines, "\r\n")):
        (tmp_path / name).write_bytes((end.join(rows) + end).encode())
        tables.append(read_columns(tmp_path / name, columns))
    for t in tables:
        assert t.names == ("sex", "age", "count", "note") and t.rows.tolist() == [2, 4, 6]
        assert t["sex"].tolist() == ["female", "male", "female"] and t["age"].tolist() == [40, 41, 42]
        assert t["count"].tolist() == [1.5, 2.0, 1000.0] and t["note"].tolist() == ["a", "b", ""]
    for name, text in (("p.csv", "sex,age,count\nfemale,1_000,1\n"), ("q.csv", 'sex,age,count\n"female","1_000",1\n')):
        (tmp_path / name).write_text(text)
        with pytest.raises(AssumptionError) as info:
            read_columns(tmp_path / name, columns)
        assert str(info.value).endswith("age (row 2): expected a whole number; got '1_000'")


def test_text_cells_stripped_and_checked(tmp_path):
    """A text column: each cell stripped of surrounding spaces (a column needing none is
    returned as read), checked against its choices on its distinct cells, with the first
    bad cell's row and the count of bad cells; an empty cell refused first."""
    from actuarial.datafiles import read_columns

    columns = [Column("sex", "text", choices=("female", "male")), Column("id", "text")]
    (tmp_path / "a.csv").write_text("sex,id\nfemale,a\n male ,b \nfemale,a\n")
    t = read_columns(tmp_path / "a.csv", columns)
    assert t["sex"].tolist() == ["female", "male", "female"] and t["id"].tolist() == ["a", "b", "a"]
    (tmp_path / "b.csv").write_text("sex,id\nfemale,a\nmale,b\n")
    t = read_columns(tmp_path / "b.csv", columns)
    assert t["sex"].tolist() == ["female", "male"] and t["sex"].dtype == object and t["sex"].flags.c_contiguous
    for text, message in (("sex,id\nfemale,a\nmale,b\nmen,c\n men,d\n",
                           "sex (row 4): expected a value: female or male; got 'men' (2 such cells in all)"),
                          ("sex,id\nmen,a\n,b\n", "sex (row 3): expected a value, not an empty cell; got an empty cell")):
        (tmp_path / "c.csv").write_text(text)
        with pytest.raises(AssumptionError) as info:
            read_columns(tmp_path / "c.csv", columns)
        assert str(info.value).endswith(message), str(info.value)
