"""One checking path for every data file the engine reads (CSV, maybe gzipped).

A data file is read as strictly as an assumption file (design: "Every data
file the engine reads ... goes through one checking path"):

- only a regular file is opened (never a device such as ``/dev/zero``, a
  FIFO or a folder), without blocking, and at most :data:`MAX_BYTES` of it,
  compressed or not (a larger file is refused, so a gzip bomb cannot exhaust
  memory);
- gzip is recognised by its magic bytes; a corrupt or truncated gzip, an
  empty file and a file that is not UTF-8 CSV text get one clean error;
- the declared columns must be present, numeric cells must be numbers
  (finite, and whole numbers where declared), text cells one of the
  declared choices, each within its declared range;
- keys are unique (:func:`check_unique`), coverage complete
  (:func:`to_array`: every key once on the declared axes; :func:`check_years`).

Every error is an :class:`~actuarial.errors.AssumptionError` naming the full
path, the column and the file row (1-based; the header is row 1), and what
was expected. The tables returned are indexed by that file row.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import stat
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from actuarial.errors import AssumptionError

if TYPE_CHECKING:  # imported where used: reading an assumption file stays light
    import pandas as pd

MAX_BYTES = 256 * 2**20
"""Largest data file read, in bytes, on disk and after gunzip (256 MiB; the
UN single-age life table of a country for 1950-2100 is about 25 MiB)."""


@dataclass(frozen=True)
class Column:
    """A declared column: ``kind`` is ``"int"`` (whole numbers), ``"float"``
    or ``"text"``; ``lo``/``hi`` bound numbers, ``choices`` bound text;
    ``what`` says what the column holds (for messages)."""

    name: str
    kind: str = "float"
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] | None = None
    what: str = ""


def data_error(path, column: str, row: int | None, expected: str) -> AssumptionError:
    """The error for a data file: full path, column and file row, expected."""
    where = column if row is None else f"{column} (row {row})" if column else f"row {row}"
    return AssumptionError(Path(path).absolute(), where, expected)


# -- bytes ---------------------------------------------------------------------

def read_bytes(path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    The file is opened non-blocking and checked on the open descriptor, so
    a FIFO or a device is refused at once (never read)."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise data_error(path, "", None, f"cannot open the file ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise data_error(path, "", None, "expected a regular file (not a folder, device, FIFO or socket)")
        if info.st_size > limit:
            raise data_error(path, "", None, f"the file has {info.st_size} bytes; data files are limited "
                                         f"to {limit} bytes")
        with os.fdopen(fd, "rb", closefd=True) as f:
            fd = None
            data = f.read(limit + 1)
    except OSError as exc:
        raise data_error(path, "", None, f"cannot read the file ({exc.strerror or exc})") from None
    finally:
        if fd is not None:
            os.close(fd)
    if len(data) > limit:
        raise data_error(path, "", None, f"the file grew past the limit of {limit} bytes while read")
    return data


def read_text(path, limit: int = MAX_BYTES) -> bytes:
    """The UTF-8 text (as bytes, BOM removed) of a possibly gzipped file, at
    most ``limit`` bytes on disk and after decompression."""
    data = read_bytes(path, limit)
    if data[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as f:
                data = f.read(limit + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise data_error(path, "", None, f"expected a gzip file; it is corrupt or truncated ({exc})") from None
        if len(data) > limit:
            raise data_error(path, "", None, f"the file unpacks to more than {limit} bytes, the limit for "
                                         f"data files")
    elif Path(path).suffix == ".gz":
        raise data_error(path, "", None, "expected a gzip file (name ends in .gz); it is not gzip")
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise data_error(path, "", None, f"expected UTF-8 CSV text; byte {exc.start} is not text "
                                     "(a binary or spreadsheet file?)") from None
    if b"\x00" in data:
        raise data_error(path, "", None, "expected CSV text; the file holds NUL characters (a binary file?)")
    if not data.strip():
        raise data_error(path, "", None, "the file is empty; expected a CSV table with a header row")
    return data


# -- tables --------------------------------------------------------------------

def read_table(path, columns, *, others: str | None = None, what: str = "table", context=(),
               limit: int = MAX_BYTES) -> pd.DataFrame:
    """A CSV table with the declared ``columns`` (a sequence of :class:`Column`),
    checked cell by cell; other columns are kept as read, or, with
    ``others="float"``, checked as finite numbers. The result is indexed by
    the file row (1-based, header = row 1); empty lines are dropped. An
    error shows the ``context`` columns of the offending row."""
    import pandas as pd

    text = read_text(path, limit)
    header = next(csv.reader(io.StringIO(text.split(b"\n", 1)[0].decode())), [])
    names = [h.strip() for h in header]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise data_error(path, twice[0], 1, "expected each column once in the header")
    declared = [c.name for c in columns]
    missing = [c for c in declared if c not in names]
    if missing:
        raise data_error(path, "", 1, f"expected the columns {', '.join(declared)} of the {what}; "
                                  f"missing {', '.join(missing)} (header: {', '.join(names)})")
    try:
        table = pd.read_csv(io.BytesIO(text), skip_blank_lines=False, keep_default_na=False,
                            na_values=[""], dtype={c.name: "category" for c in columns if c.kind == "text"})
    except (ValueError, pd.errors.ParserError) as exc:
        raise data_error(path, "", None, f"not a readable CSV {what} ({' '.join(str(exc).split())})") from None
    table.columns = names
    table.index = pd.RangeIndex(2, 2 + len(table))
    if table.iloc[:, 0].isna().any():  # only then can a line be blank
        table = table[table.notna().any(axis=1).to_numpy()]
    if table.empty:
        raise data_error(path, "", None, f"expected rows of the {what} under the header; there are none")
    for column in columns:
        table[column.name] = _checked(path, table[column.name], column, table, context)
    if others is not None:
        for name in names:
            if name not in declared:
                table[name] = _checked(path, table[name], Column(name, others))
    return table


def _first(path, values: pd.Series, bad, column: str, expected: str, table=None, context=()):
    """Raise for the first ``bad`` cell: its file row, value and, from
    ``table``, the ``context`` columns of that row (e.g. year, sex, age)."""
    bad = np.asarray(bad)
    if bad.any():
        i = int(bad.argmax())
        got = values.iloc[i]
        if isinstance(got, (float, np.floating)):
            got = "an empty cell" if np.isnan(got) else f"{float(got):.10g}"
        else:
            got = repr(str(got))
        at = "" if table is None else ", ".join(f"{k}={table[k].iloc[i]}" for k in context if k in table)
        raise data_error(path, column, int(values.index[i]),
                     f"{expected}; got {got}" + (f" at {at}" if at else "")
                     + (f" ({int(bad.sum())} such cells in all)" if bad.sum() > 1 else ""))


def _checked(path, values: pd.Series, column: Column, table=None, context=()) -> pd.Series:
    """``values`` converted to the column's kind, each cell checked."""
    import pandas as pd

    what = column.what or {"int": "a whole number", "float": "a number", "text": "a value"}[column.kind]
    if column.kind == "text":
        codes = values.cat.codes.to_numpy()  # read as categories: strip each distinct value once
        _first(path, values, codes < 0, column.name, f"expected {what}, not an empty cell")
        uniques = np.array([str(u).strip() for u in values.cat.categories], dtype=object)
        if column.choices is not None:
            allowed = np.isin(uniques, column.choices)
            _first(path, values, ~allowed[codes], column.name,
                   f"expected {what}: {_alternatives(column.choices)}")
        return pd.Series(uniques[codes], index=values.index, dtype=object)
    numbers = values if pd.api.types.is_numeric_dtype(values) else pd.to_numeric(values, errors="coerce")
    numbers = numbers.astype(float)
    array = numbers.to_numpy()
    _first(path, values, np.isnan(array), column.name, f"expected {what}", table, context)
    _first(path, values, ~np.isfinite(array), column.name, f"expected {what} (finite)", table, context)
    if column.kind == "int":
        _first(path, values, (array != np.round(array)) | (np.abs(array) > 2**53), column.name,
               f"expected {what}", table, context)
    if column.lo is not None:
        _first(path, values, array < column.lo, column.name, f"expected {what} >= {column.lo:g}", table, context)
    if column.hi is not None:
        _first(path, values, array > column.hi, column.name, f"expected {what} <= {column.hi:g}", table, context)
    return numbers.astype(np.int64) if column.kind == "int" else numbers


def _alternatives(choices) -> str:
    """``a, b or c``."""
    choices = list(choices)
    return choices[0] if len(choices) == 1 else f"{', '.join(choices[:-1])} or {choices[-1]}"


def check_range(path, table: pd.DataFrame, column: str, lo=None, hi=None, what: str = "a number",
                context=()) -> None:
    """Each cell of ``column`` (a numeric column of ``table``) in [lo, hi];
    an error shows the ``context`` columns of the first cell outside."""
    values = table[column]
    array = values.to_numpy(float)
    if lo is not None:
        _first(path, values, array < lo, column, f"expected {what} >= {lo:g}", table, context)
    if hi is not None:
        _first(path, values, array > hi, column, f"expected {what} <= {hi:g}", table, context)


def check_unique(path, table: pd.DataFrame, key) -> None:
    """No two rows with the same values of the ``key`` columns."""
    key = list(key)
    twice = table.duplicated(subset=key, keep=False).to_numpy()
    if twice.any():
        rows = table.index[twice]
        first = table.loc[rows[0], key]
        same = ", ".join(f"{k}={v}" for k, v in first.items())
        again = rows[1:][(table.loc[rows[1:], key] == first).all(axis=1).to_numpy()]
        raise data_error(path, ", ".join(key), int(again[0]),
                     f"expected one row per {', '.join(key)}; {same} appears again (first at row "
                     f"{int(rows[0])})")


def check_years(path, table: pd.DataFrame, column: str = "time_start") -> np.ndarray:
    """The sorted years of ``column``: consecutive, none missing (a gap is an
    error, never interpolated)."""
    years = np.unique(table[column].to_numpy())
    gap = np.flatnonzero(np.diff(years) != 1)
    if gap.size:
        raise data_error(path, column, None, f"expected every year from {years[0]} to {years[-1]}; "
                                         f"no row for {years[gap[0]] + 1}")
    return years


def to_array(path, table: pd.DataFrame, axes: dict, value: str = "value", what: str = "") -> np.ndarray:
    """The ``value`` column as a dense array over ``axes`` (column -> the
    values of that axis, in order), checking in one pass that every row's key
    is on the axes, that no key appears twice and that none is missing."""
    import pandas as pd

    shape = tuple(len(v) for v in axes.values())
    linear = np.zeros(len(table), dtype=np.int64)
    for name, values in axes.items():
        axis = pd.Index(list(values))
        position = axis.get_indexer(table[name].to_numpy())
        outside = position < 0
        _first(path, table[name], outside, name, f"expected one of {_show(axis)}")
        linear = linear * len(axis) + position
    counts = np.bincount(linear, minlength=int(np.prod(shape)))
    if (counts > 1).any():
        check_unique(path, table, list(axes))
    if (counts == 0).any():
        cell = np.unravel_index(int(np.argmax(counts == 0)), shape)
        at = ", ".join(f"{k}={list(v)[i]}" for (k, v), i in zip(axes.items(), cell))
        raise data_error(path, ", ".join(axes), None,
                     f"expected a row for every {', '.join(axes)}{what}; no row for {at} "
                     f"({int((counts == 0).sum())} missing in all)")
    out = np.empty(int(np.prod(shape)))
    out[linear] = table[value].to_numpy(float)
    return out.reshape(shape)


def _show(axis: pd.Index) -> str:
    values = list(axis)
    if len(values) > 6 and all(isinstance(v, (int, np.integer)) for v in values):
        return f"{values[0]}..{values[-1]}"
    return ", ".join(map(str, values))


def read_csv(path, limit: int = MAX_BYTES) -> pd.DataFrame:
    """Any CSV table through the same opening checks (regular file, size,
    gzip, text, header, each column once), columns as pandas infers them;
    for tables without a declared layout (e.g. validation references)."""
    return read_table(path, [], what="CSV table", limit=limit)


def check_table(path, table: pd.DataFrame, columns, *, what: str = "table", context=()) -> pd.DataFrame:
    """A table read by another reader (Parquet, Stata, SPSS: indexed by record,
    1-based) checked like :func:`read_table`'s: the declared ``columns``
    present, each cell of its kind and range; returns the checked table."""
    names = [str(c) for c in table.columns]
    missing = [c.name for c in columns if c.name not in names]
    if missing:
        raise data_error(path, "", None, f"expected the columns {', '.join(c.name for c in columns)} of the "
                                         f"{what}; missing {', '.join(missing)} (columns: {', '.join(names)})")
    if table.empty:
        raise data_error(path, "", None, f"expected rows of the {what}; there are none")
    table = table.copy()
    for column in columns:
        values = table[column.name]
        if column.kind == "text" and values.dtype.name != "category":
            values = values.astype("category")
        table[column.name] = _checked(path, values, column, table, context)
    return table
