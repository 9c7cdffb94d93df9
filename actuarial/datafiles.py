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

CSV text is read without pandas (so that ``actuarial check`` stays light):
:func:`read_columns` splits it (quote-free text in a few passes over the
string, any other by the ``csv`` module; both read it the same) into a
:class:`Table` of numpy arrays; :func:`read_table` is the same table as a
pandas DataFrame, for the stages that use one.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
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

@dataclass(frozen=True, eq=False)
class Table:
    """A CSV table read by :func:`read_columns`, as numpy arrays: ``names``
    (the header), ``rows`` (each record's file row, 1-based, header = row 1)
    and ``cells`` (column name -> array: declared columns checked and
    converted, float64, int64 or str objects; other columns the cells as
    read, str objects, ``""`` for an empty cell)."""

    names: tuple[str, ...]
    rows: np.ndarray
    cells: dict

    def __getitem__(self, name: str) -> np.ndarray:
        return self.cells[name]

    def __contains__(self, name: str) -> bool:
        return name in self.cells

    def __len__(self) -> int:
        return int(self.rows.size)

    def take(self, index) -> Table:
        """The records at ``index`` (positions or a mask), in that order."""
        return Table(self.names, self.rows[index], {k: v[index] for k, v in self.cells.items()})

    def frame(self, declared=()) -> pd.DataFrame:
        """The table as a pandas DataFrame indexed by file row (columns in file
        order): text cells of the ``declared`` columns as str objects, those
        of other columns as pandas infers text (as ``pandas.read_csv``)."""
        import pandas as pd

        def series(name, values):
            if values.dtype.kind == "O" and name not in declared:
                return pd.Series(values.tolist(), index=index)
            return pd.Series(values, index=index, dtype=values.dtype)

        index = pd.Index(self.rows)
        return pd.DataFrame({n: series(n, self.cells[n]) for n in self.names}, index=index)


def read_table(path, columns, *, others: str | None = None, what: str = "table", context=(),
               limit: int = MAX_BYTES) -> pd.DataFrame:
    """A CSV table with the declared ``columns`` (a sequence of :class:`Column`),
    checked cell by cell; other columns are kept as read (numbers where every
    cell is one, else text), or, with ``others="float"``, checked as finite
    numbers. The result is indexed by the file row (1-based, header = row 1);
    empty lines are dropped. An error shows the ``context`` columns of the
    offending row. :func:`read_columns` as a pandas DataFrame."""
    table = read_columns(path, columns, others=others, what=what, context=context, limit=limit)
    declared = {c.name for c in columns}
    cells = {n: v if n in declared or others is not None else _inferred(v) for n, v in table.cells.items()}
    return Table(table.names, table.rows, cells).frame(declared)


def read_columns(path, columns, *, optional=(), others: str | None = None, what: str = "table", context=(),
                 limit: int = MAX_BYTES) -> Table:
    """A CSV table (:func:`read_text`, then the ``csv`` module) with the
    declared ``columns`` (a sequence of :class:`Column`) and those of
    ``optional`` it has, checked cell by cell (see :func:`read_table`); a
    :class:`Table` of numpy arrays (no pandas)."""
    text = read_text(path, limit).decode("utf-8")
    records = _plain_records(text)
    if records is None:
        try:
            records = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as exc:
            raise data_error(path, "", None, f"not a readable CSV {what} ({' '.join(str(exc).split())})") \
                from None
    names = [h.strip() for h in (records[0] if records else [])]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise data_error(path, twice[0], 1, "expected each column once in the header")
    columns = [*columns, *(c for c in optional if c.name in names)]
    declared = [c.name for c in columns]
    missing = [c for c in declared if c not in names]
    if missing:
        raise data_error(path, "", 1, f"expected the columns {', '.join(declared)} of the {what}; "
                                  f"missing {', '.join(missing)} (header: {', '.join(names)})")
    rows, cells = records[1] if isinstance(records, tuple) else _records(path, records, len(names), what)
    if not rows.size:
        raise data_error(path, "", None, f"expected rows of the {what} under the header; there are none")
    raw = dict(zip(names, cells))
    table = Table(tuple(names), rows, dict(raw))
    for column in columns:
        shown = {k: table.cells[k] for k in context if k in raw}  # those checked so far converted
        table.cells[column.name] = _checked(path, raw[column.name], column, rows, shown, text=True)
    if others is not None:
        for name in names:
            if name not in declared:
                table.cells[name] = _checked(path, raw[name], Column(name, others), rows, text=True)
    return table


def _plain_records(text: str):
    """The records of CSV text without quotes in which every line has the
    header's number of cells or none, read as the ``csv`` module reads them
    but in a few passes over the text: ``(header, (file rows, columns))``,
    blank lines and records of empty cells dropped; None for any other text
    (read by the ``csv`` module)."""
    if '"' in text:
        return None
    text = text.replace("\r\n", "\n")
    if "\r" in text:
        return None
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if not lines or not lines[0]:
        return None
    header, body = lines[0].split(","), lines[1:]
    width = len(header)
    commas = np.fromiter(map(str.count, body, [","] * len(body)), dtype=np.int64, count=len(body))
    filled = np.fromiter(map(len, body), dtype=np.int64, count=len(body)) > 0
    if (commas[filled] != width - 1).any():
        return None
    kept = np.flatnonzero(filled)
    if kept.size < len(body):
        body = [body[i] for i in kept]
    cells = np.array(",".join(body).split(",") if body else [], dtype=object).reshape(-1, width)
    columns = [cells[:, j] for j in range(width)]
    rows = kept + 2
    if width and "," * (width - 1) in body:  # a record of empty cells: only commas on its line
        keep = np.zeros(len(body), dtype=bool)
        for c in columns:
            keep |= c != ""
        rows, columns = rows[keep], [c[keep] for c in columns]
    return header, (rows, columns)


def _records(path, records: list, width: int, what: str) -> tuple[np.ndarray, list]:
    """The file rows and the columns (object arrays of str) of the records
    under the header: a short record is padded with empty cells, a record of
    empty cells (a blank line) is dropped, a long record is an error."""
    body = records[1:]
    lengths = np.fromiter(map(len, body), dtype=np.int64, count=len(body))
    long = np.flatnonzero(lengths > width)
    if long.size:
        i = int(long[0])
        raise data_error(path, "", None, f"not a readable CSV {what} (expected {width} fields in row {i + 2}, "
                                         f"saw {int(lengths[i])})")
    if (lengths < width).any():
        body = [r if len(r) == width else r + [""] * (width - len(r)) for r in body]
    rows = np.arange(2, 2 + len(body), dtype=np.int64)
    cells = [np.array(c, dtype=object) for c in zip(*body)] if body else [np.array([], dtype=object)] * width
    if width and any(r[0] == "" for r in body):  # only then can a record be blank
        keep = np.zeros(len(body), dtype=bool)
        for c in cells:
            keep |= c != ""
        rows, cells = rows[keep], [c[keep] for c in cells]
    return rows, cells


_NUMBER = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*|[+-]?inf(?:inity)?",
                     re.ASCII | re.IGNORECASE)
_WHOLE = re.compile(r"\s*[+-]?\d+\s*", re.ASCII)
_NUMBER_CHARS = frozenset("0123456789.-+eE")


def _parse(cell) -> float:
    """A cell as a number (NaN: not one): a CSV cell (text) by the usual
    decimal notation (``1``, ``-2.5``, ``1e3``, ``inf``; not ``1_000``,
    ``0x10`` nor ``1,5``), a number read by another reader as itself."""
    if isinstance(cell, str):
        return float(cell) if _NUMBER.fullmatch(cell) else np.nan
    try:
        return float(cell)
    except (TypeError, ValueError):
        return np.nan


def _numbers(values: np.ndarray, text: bool = False) -> np.ndarray:
    """``values`` as float64, NaN where a cell is empty or not a number
    (``text``: every cell is a str, as in a CSV column)."""
    if values.dtype.kind in "fiub":
        return values.astype(float)
    if values.size and (text or _all_text(values)) and set("".join(values)) <= _NUMBER_CHARS:
        try:  # plain decimal notation only (no spaces, inf, nan, 1_000 nor other digits): float() is _parse
            return np.fromiter(map(float, values), dtype=float, count=values.size)
        except ValueError:
            pass
    return np.fromiter(map(_parse, values), dtype=float, count=values.size)


def _all_text(values: np.ndarray) -> bool:
    """Every cell a str (a CSV column; another reader's may hold numbers or None)."""
    return values.dtype.kind == "O" and all(type(v) is str for v in values)


def _shown(cell, text: bool = False) -> str:
    """A cell as an error message shows it (``text``: a cell of a text column, quoted)."""
    if text and isinstance(cell, str) and cell:
        return repr(cell)
    if isinstance(cell, str):
        number = _parse(cell)
        return "an empty cell" if cell == "" else repr(cell) if np.isnan(number) else f"{number:.10g}"
    if cell is None or (isinstance(cell, (float, np.floating)) and np.isnan(cell)):
        return "an empty cell"
    if isinstance(cell, (int, float, np.integer, np.floating)):
        return f"{float(cell):.10g}"
    return repr(str(cell))


def _first(path, values: np.ndarray, bad, column: str, expected: str, rows: np.ndarray, context=None,
           text: bool = False):
    """Raise for the first ``bad`` cell: its file row (``rows``), value (quoted
    for a ``text`` column) and the ``context`` columns of that row (name ->
    array, e.g. year, sex, age)."""
    bad = np.asarray(bad)
    if bad.any():
        i = int(bad.argmax())
        at = ", ".join(f"{k}={_plain(v[i])}" for k, v in (context or {}).items())
        count = int(bad.sum())
        raise data_error(path, column, int(rows[i]),
                         f"{expected}; got {_shown(values[i], text)}" + (f" at {at}" if at else "")
                         + (f" ({count} such cells in all)" if count > 1 else ""))


def _plain(value):
    """A context cell as pandas printed it: whole numbers read as numbers without ``.0``."""
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        return int(value) if _WHOLE.fullmatch(value) else float(value)
    return np.nan if isinstance(value, str) and value == "" else value


def _checked(path, values: np.ndarray, column: Column, rows: np.ndarray, context=None,
             text: bool = False) -> np.ndarray:
    """``values`` (an object array of cells; ``text``: all str, as read from a
    CSV file) converted to the column's kind, each cell checked."""
    what = column.what or {"int": "a whole number", "float": "a number", "text": "a value"}[column.kind]
    if column.kind == "text":
        return _checked_text(path, values, column, what, rows)
    array = _numbers(values, text)
    nan = np.isnan(array)
    quoted = values.dtype.kind == "O" and bool((nan & (values != "")).any())  # not all numbers: cells quoted
    _first(path, values, nan, column.name, f"expected {what}", rows, context, quoted)
    _first(path, values, ~np.isfinite(array), column.name, f"expected {what} (finite)", rows, context, quoted)
    if column.kind == "int":
        _first(path, values, (array != np.round(array)) | (np.abs(array) > 2**53), column.name,
               f"expected {what}", rows, context, quoted)
    if column.lo is not None:
        _first(path, values, array < column.lo, column.name, f"expected {what} >= {column.lo:g}", rows, context,
               quoted)
    if column.hi is not None:
        _first(path, values, array > column.hi, column.name, f"expected {what} <= {column.hi:g}", rows, context,
               quoted)
    return array.astype(np.int64) if column.kind == "int" else array


def _checked_text(path, values: np.ndarray, column: Column, what: str, rows: np.ndarray) -> np.ndarray:
    """A text column: no empty cell, each cell stripped of surrounding spaces
    and one of the column's ``choices`` (if any). Each distinct cell is looked
    at once; a column whose cells need no stripping (the usual CSV) is copied
    as it is."""
    cells = values.tolist()
    distinct = dict.fromkeys(cells)
    if "" in distinct:
        _first(path, values, values == "", column.name, f"expected {what}, not an empty cell", rows)
    stripped = [u.strip() for u in distinct]
    allowed = None if column.choices is None else [u in column.choices for u in stripped]
    if stripped == list(distinct) and (allowed is None or all(allowed)):
        return values.copy()
    index = {u: i for i, u in enumerate(distinct)}
    codes = np.fromiter(map(index.__getitem__, cells), dtype=np.int64, count=len(cells))
    if allowed is not None:
        _first(path, values, ~np.array(allowed, dtype=bool)[codes], column.name,
               f"expected {what}: {_alternatives(column.choices)}", rows, text=True)
    return np.array(stripped, dtype=object)[codes]


def _inferred(values: np.ndarray) -> np.ndarray:
    """An undeclared column as read: whole numbers (int64) when every cell is
    one, numbers (float64, NaN for an empty cell) when every cell is a number
    or empty, else the text (NaN for an empty cell)."""
    array = _numbers(values)
    empty = values == ""
    if (np.isnan(array) & ~empty).any():
        return np.where(empty, np.nan, values)
    if not empty.any() and not any(("." in v or "e" in v.lower() or "n" in v.lower()) for v in values):
        return array.astype(np.int64)
    return array


def _alternatives(choices) -> str:
    """``a, b or c``."""
    choices = list(choices)
    return choices[0] if len(choices) == 1 else f"{', '.join(choices[:-1])} or {choices[-1]}"


def check_range(path, table: pd.DataFrame, column: str, lo=None, hi=None, what: str = "a number",
                context=()) -> None:
    """Each cell of ``column`` (a numeric column of ``table``) in [lo, hi];
    an error shows the ``context`` columns of the first cell outside."""
    values = table[column].to_numpy()
    array = values.astype(float)
    rows = table.index.to_numpy()
    shown = {k: table[k].to_numpy() for k in context if k in table}
    if lo is not None:
        _first(path, values, array < lo, column, f"expected {what} >= {lo:g}", rows, shown)
    if hi is not None:
        _first(path, values, array > hi, column, f"expected {what} <= {hi:g}", rows, shown)


def _rows(table) -> np.ndarray:
    """The file rows of a :class:`Table` or a DataFrame (its index)."""
    return table.rows if isinstance(table, Table) else table.index.to_numpy()


def check_unique(path, table, key) -> None:
    """No two rows (of a :class:`Table` or a DataFrame) with the same values of the ``key`` columns."""
    key = list(key)
    rows = _rows(table)
    group = np.zeros(rows.size, dtype=np.int64)
    for k in key:
        uniques, inverse = np.unique(np.asarray(table[k]), return_inverse=True)
        group = group * uniques.size + inverse.reshape(-1)
    _, group, counts = np.unique(group, return_inverse=True, return_counts=True)
    group = group.reshape(-1)
    twice = counts[group] > 1
    if twice.any():
        first = int(np.argmax(twice))
        again = first + 1 + int(np.argmax(group[first + 1:] == group[first]))
        same = ", ".join(f"{k}={np.asarray(table[k])[first]}" for k in key)
        raise data_error(path, ", ".join(key), int(rows[again]),
                         f"expected one row per {', '.join(key)}; {same} appears again (first at row "
                         f"{int(rows[first])})")


def check_years(path, table, column: str = "time_start") -> np.ndarray:
    """The sorted years of ``column``: consecutive, none missing (a gap is an
    error, never interpolated)."""
    years = np.unique(np.asarray(table[column]))
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
    rows = _rows(table)
    for name, values in axes.items():
        axis = pd.Index(list(values))
        cells = table[name].to_numpy()
        position = axis.get_indexer(cells)
        outside = position < 0
        _first(path, cells, outside, name, f"expected one of {_show(axis)}", rows)
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
    gzip, text, header, each column once), each column numbers where every
    cell is one, else text; for tables without a declared layout (e.g.
    validation references)."""
    return read_table(path, [], what="CSV table", limit=limit)


def check_table(path, table: pd.DataFrame, columns, *, what: str = "table", context=()) -> Table:
    """A table read by another reader (Parquet, Stata, SPSS: indexed by record,
    1-based) checked like :func:`read_columns`'s: the declared ``columns``
    present, each cell of its kind and range; returns the checked
    :class:`Table` (the declared columns)."""
    names = [str(c) for c in table.columns]
    missing = [c.name for c in columns if c.name not in names]
    if missing:
        raise data_error(path, "", None, f"expected the columns {', '.join(c.name for c in columns)} of the "
                                         f"{what}; missing {', '.join(missing)} (columns: {', '.join(names)})")
    if table.empty:
        raise data_error(path, "", None, f"expected rows of the {what}; there are none")
    rows = table.index.to_numpy()
    out = Table(tuple(names), rows, {})
    for column in columns:
        values = table[column.name].astype(object).to_numpy()
        if column.kind == "text":  # cells as text, "" for a missing one
            values = np.array(["" if v is None or v != v else str(v) for v in values], dtype=object)
        shown = {k: out.cells.get(k, table[k].to_numpy()) for k in context if k in table}
        out.cells[column.name] = _checked(path, values, column, rows, shown)
    return out
