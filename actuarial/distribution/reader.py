"""Household survey reader: persons and households, checked through the
project's one data-file path (``actuarial.datafiles``).

Formats by file name: ``.csv`` / ``.csv.gz`` (the ``csv`` module into numpy,
through ``datafiles.read_columns``, without pandas, so that ``actuarial
check`` stays light: rows are file rows, the header is row 1), ``.parquet``
(pyarrow), ``.dta`` (``pandas.read_stata``) and ``.sav`` (pyreadstat): rows
are records, 1-based; every format is checked into a ``datafiles.Table``. Every file first passes
``datafiles.read_bytes`` (a regular file, at most ``MAX_BYTES``).

One file or two: ``households`` and ``persons`` may name the same file, one
row a person carrying its household's columns (id, weight, welfare,
urban/rural) on each of its rows; those must then be equal on every row of a
household, and the household's first row stands for it.

Checks (each error names the file, the column and the row): household ids
unique in the households file; every person's household in it and every
household with at least one person; weights > 0; welfare >= 0 and finite;
ages whole numbers 0..130 (100 and above are the open group 100+); sex and
urban/rural one of their codes; optional columns: disability, head and
contributing 0 or 1, pensions >= 0.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from typing import TYPE_CHECKING

import numpy as np

from actuarial.datafiles import Column, Table, check_table, check_unique, data_error, read_bytes, read_columns
from actuarial.distribution.draws import splitmix64

if TYPE_CHECKING:  # pandas only for Parquet, Stata and SPSS files, imported there
    import pandas as pd

FORMATS = (".csv", ".csv.gz", ".parquet", ".dta", ".sav")
OPEN_AGE = 100


@dataclass(frozen=True, eq=False)
class Survey:
    """A checked survey as arrays. Households (H): ``key`` (uint64 of the id,
    for the draws), ``weight``, ``welfare`` (a month, per household),
    ``urban`` (bool or None), ``size``; persons (P): ``household`` (index into
    the households), ``key`` (uint64), ``age`` (0..100), ``female``, and the
    optional ``head``, ``disabled``, ``unemployed``, ``contributing`` (bool)
    and ``pension`` (amount) or None."""

    year: int
    key: np.ndarray
    weight: np.ndarray
    welfare: np.ndarray
    urban: np.ndarray | None
    size: np.ndarray
    household: np.ndarray
    person_key: np.ndarray
    age: np.ndarray
    female: np.ndarray
    head: np.ndarray | None
    disabled: np.ndarray | None
    unemployed: np.ndarray | None
    contributing: np.ndarray | None
    pension: np.ndarray | None
    files: tuple[str, str]


def _format(path: Path) -> str:
    name = path.name.lower()
    for ext in FORMATS:
        if name.endswith(ext):
            return ext
    raise data_error(path, "", None, f"expected a survey file ending in {', '.join(FORMATS)}")


def _as_text(values: pd.Series) -> pd.Series:
    """Codes as text: whole-number floats (Stata, SPSS) as integers ("2", not "2.0")."""
    import pandas as pd

    if pd.api.types.is_float_dtype(values):
        whole = values.dropna()
        if (whole == np.round(whole)).all():
            values = values.astype("Int64")
    return values.astype("string").astype("category")


def read_frame(path: Path, columns: list[Column], what: str, optional=()) -> Table:
    """The file's table with the declared ``columns``, and those of
    ``optional`` it has, checked."""
    ext = _format(path)
    if ext in (".csv", ".csv.gz"):
        return read_columns(path, columns, optional=optional, what=what)
    import pandas as pd

    data = read_bytes(path)
    try:
        if ext == ".parquet":
            frame = pd.read_parquet(io.BytesIO(data))
        elif ext == ".dta":
            frame = pd.read_stata(io.BytesIO(data), convert_categoricals=False)
        else:
            import pyreadstat  # SPSS only

            frame, _ = pyreadstat.read_sav(str(path), apply_value_formats=False)
    except ImportError as exc:
        raise data_error(path, "", None, f"reading {ext} files needs {exc.name} (pip install {exc.name})") from None
    except Exception as exc:  # noqa: BLE001 (any reader's failure: one clean error)
        raise data_error(path, "", None, f"not a readable {ext} {what} ({' '.join(str(exc).split())})") from None
    frame.columns = [str(c) for c in frame.columns]
    frame.index = pd.RangeIndex(1, 1 + len(frame))
    columns = [*columns, *(c for c in optional if c.name in frame.columns)]
    for c in columns:
        if c.kind == "text" and c.name in frame:
            frame[c.name] = _as_text(frame[c.name])
    return check_table(path, frame, columns, what=what)


def id_keys(values: np.ndarray) -> np.ndarray:
    """Stable 64-bit keys of ids: whole numbers as themselves, any other id by
    the first 8 bytes of its BLAKE2b hash (same key in every run and chunk)."""
    if values.dtype.kind in "iu":
        return values.astype(np.uint64)
    uniques, inverse = np.unique(values.astype(str), return_inverse=True)
    keys = np.array([int.from_bytes(hashlib.blake2b(u.encode(), digest_size=8).digest(), "little")
                     for u in uniques], dtype=np.uint64)
    return keys[inverse]


def _ids(table: Table, name: str) -> np.ndarray:
    values = np.asarray(table[name])
    if values.dtype.kind == "f" and np.all(values == np.round(values)):
        return values.astype(np.int64)
    return values.astype(str) if values.dtype.kind == "O" else values


def _flag(path, table: Table, name) -> np.ndarray:
    return np.asarray(table[name]) == 1


def read_survey(households: Path, persons: Path, spec, year: int) -> Survey:
    """The survey of ``spec`` (a ``SurveySpec``: columns, codes, period) from its files, checked."""
    col, codes = spec.columns, spec.codes
    hh_columns = [Column(col.household_id, "text", what="a household id"),
                  Column(col.weight, lo=0.0, what="a survey weight (households represented)"),
                  Column(col.welfare, lo=0.0, what="a household welfare amount (consumption or income)")]
    optional_hh = {col.urban: Column(col.urban, "text", choices=(codes.urban, codes.rural),
                                     what="an urban/rural code")}
    hh_frame = _with_optional(households, hh_columns, optional_hh, "households table")
    if Path(households).resolve() == Path(persons).resolve():  # one file: a row a person
        shared = [c for c in (col.weight, col.welfare, col.urban) if c in hh_frame]
        hh_frame = _one_row_per_household(households, hh_frame, col.household_id, shared)
    else:
        check_unique(households, hh_frame, [col.household_id])
    weight = hh_frame[col.weight].astype(float)
    if (weight <= 0).any():
        i = int(np.argmax(weight <= 0))
        raise data_error(households, col.weight, int(hh_frame.rows[i]),
                         f"expected a survey weight > 0; got {weight[i]:g}")
    p_columns = [Column(col.household_id, "text", what="a household id"),
                 Column(col.age, "int", lo=0, hi=130, what="an age in completed years"),
                 Column(col.sex, "text", choices=(codes.female, codes.male), what="a sex code")]
    optional_p = {col.head: Column(col.head, "int", lo=0, hi=1, what="1 for the head, else 0"),
                  col.disability: Column(col.disability, "int", lo=0, hi=1, what="1 for a severe disability"),
                  col.employment: Column(col.employment, "text", what="an employment status"),
                  col.contributing: Column(col.contributing, "int", lo=0, hi=1, what="1 when contributing"),
                  col.pension: Column(col.pension, lo=0.0, what="a pension amount")}
    p_frame = _with_optional(persons, p_columns, optional_p, "persons table")
    hh_ids = hh_frame[col.household_id].astype(str)
    p_ids = p_frame[col.household_id].astype(str)
    order = np.argsort(hh_ids, kind="stable")
    pos = np.searchsorted(hh_ids[order], p_ids)
    pos = np.minimum(pos, hh_ids.size - 1)
    found = hh_ids[order][pos] == p_ids
    if not found.all():
        i = int(np.argmax(~found))
        raise data_error(persons, col.household_id, int(p_frame.rows[i]),
                         f"expected a household id of {Path(households).name}; got {str(p_ids[i])!r}")
    household = order[pos]
    size = np.bincount(household, minlength=hh_ids.size)
    if (size == 0).any():
        i = int(np.argmax(size == 0))
        raise data_error(households, col.household_id, int(hh_frame.rows[i]),
                         f"expected a household with persons in {Path(persons).name}; none for {str(hh_ids[i])!r}")
    welfare = hh_frame[col.welfare].astype(float) * (1.0 if spec.welfare_period == "month" else 1.0 / 12)
    hh_key = id_keys(_ids(hh_frame, col.household_id))
    line = _line_numbers(household)
    person_key = _mix(hh_key[household], line.astype(np.uint64))
    opt = lambda name, f: f(p_frame, name) if name in p_frame else None  # noqa: E731
    unemployed = None
    if col.employment in p_frame:
        unemployed = p_frame[col.employment].astype(str) == codes.unemployed
    return Survey(
        year=year, key=hh_key, weight=weight, welfare=welfare,
        urban=(hh_frame[col.urban].astype(str) == codes.urban) if col.urban in hh_frame else None,
        size=size, household=household, person_key=person_key,
        age=np.minimum(p_frame[col.age].astype(np.int64), OPEN_AGE),
        female=p_frame[col.sex].astype(str) == codes.female,
        head=opt(col.head, lambda f, n: _flag(persons, f, n)),
        disabled=opt(col.disability, lambda f, n: _flag(persons, f, n)),
        unemployed=unemployed,
        contributing=opt(col.contributing, lambda f, n: _flag(persons, f, n)),
        pension=opt(col.pension, lambda f, n: np.asarray(f[n], float)),
        files=(str(Path(households).absolute()), str(Path(persons).absolute())))


def _one_row_per_household(path: Path, table: Table, id_column: str, shared: list) -> Table:
    """The households of a one-file survey: the first row of each household,
    whose ``shared`` (household) columns must be the same on all of its rows."""
    ids = np.asarray(table[id_column]).astype(str)
    _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    first_row = first[inverse.reshape(-1)]  # each row's household's first row
    for column in shared:
        values = table[column]
        differs = values[first_row] != values
        if differs.any():
            i = int(np.argmax(differs))
            raise data_error(path, column, int(table.rows[i]),
                             f"expected the same {column} on every row of household {str(ids[i])!r} (a one-file "
                             f"survey repeats the household's columns on each person's row); got "
                             f"{values[i]}, its first row has {values[first_row[i]]}")
    return table.take(np.sort(first))


def _with_optional(path: Path, required: list[Column], optional: dict, what: str) -> Table:
    """The table with its required columns and those optional ones it has, all checked."""
    return read_frame(path, required, what, optional=list(optional.values()))


def _line_numbers(household: np.ndarray) -> np.ndarray:
    """Each person's line number within the household (0, 1, ... in file order)."""
    order = np.argsort(household, kind="stable")
    sorted_h = household[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_h)) + 1]
    first = np.repeat(starts, np.diff(np.r_[starts, sorted_h.size]))
    line = np.empty_like(household)
    line[order] = np.arange(household.size) - first
    return line


def _mix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A 64-bit key of two keys (splitmix64 of a, xor b, mixed again)."""
    return splitmix64(splitmix64(a) ^ b)
