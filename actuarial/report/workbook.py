"""Formatted tables in an XlsxWriter workbook: the generic part of ``summary.xlsx``.

:func:`write_table` writes one tidy DataFrame as a table with three header
rows (the label, i.e. the variable's ``long_name``; the unit as shown; the
variable's name in results.nc), Excel number formats, a frozen header pane
and an autofilter. Units are those of the results' ``units`` attrs
(DESIGN.md, Conventions): money (``currency``, ``currency/year``) is shown
in millions of the named currency (values divided by 10^6, header "million
MXN per year"), ratios (``1``, ``1/year``) as Excel percentages (the stored
number is the fraction, the cell shows it in percent), counts with thousands
separators. Another module adds a sheet with ``write_table(book, name,
frame, units)``; :func:`new_workbook` opens a workbook whose string cells
are never formulas or links.
"""

from __future__ import annotations

import contextlib
import gc
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import CellNumberTuple, CellStringTuple, Worksheet

MONEY_SCALE = 1e6  # aggregate money in millions of the currency
PER_PERSON = ("average_wage", "average_insurable_wage", "monthly_level",
              "benefit_receipt")  # money per person (benefit_receipt: a person a year, by decile): not scaled
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP "CSV Injection": text a spreadsheet would run
MAX_LABEL = 200  # characters of a header label (a longer long_name is cut with "...")
HEADER_ROWS = 3  # label, unit, variable name

FORMATS = {"percent": "0.00%", "money": "#,##0.0", "count": "#,##0", "year": "0", "decimal": "#,##0.00",
           "text": "@", "general": "General"}


class Sheet(Worksheet):
    """An XlsxWriter worksheet with a column's cells stored in one call, and its cells'
    XML written by a shorter path; the same file as ``Worksheet`` writes.

    ``Worksheet.write_number``/``write_string`` check the cell's position and
    type per cell, and ``_write_rows`` builds each cell's XML element from a list
    of attributes (``summary.xlsx``: 100,000 cells, about 70% of its time). Here
    :meth:`write_numbers` and :meth:`write_strings` store a column's cells at once,
    and :meth:`_write_rows` writes number and shared-string cells (the only
    kinds these tables hold; any other kind, or a sheet with comments, goes
    through XlsxWriter's own code) with the same elements and attributes, in
    the same order. ``tests/test_excel.py`` compares the XML with ``Worksheet``'s.
    """

    def write_numbers(self, row: int, col: int, numbers: list, cell_format=None) -> None:
        """``write_number`` of each finite float of ``numbers`` down the column from (``row``, ``col``)
        (a NaN or infinite one: no cell)."""
        rows = [row + i for i, v in enumerate(numbers) if math.isfinite(v)]
        if not rows:
            return
        if self._check_dimensions(rows[0], col) or self._check_dimensions(rows[-1], col):
            for r in rows:  # beyond the sheet's last row or column: XlsxWriter's own checks, cell by cell
                self._write_number(r, col, numbers[r - row], cell_format)
            return
        table = self.table
        for r in rows:
            table[r][col] = CellNumberTuple(numbers[r - row], cell_format)

    def write_strings(self, row: int, col: int, strings: list, formats: list) -> None:
        """``write_string(row + i, col, strings[i], formats[i])`` for each string of the column."""
        if not strings:
            return
        if self._check_dimensions(row, col) or self._check_dimensions(row + len(strings) - 1, col):
            for i, (text, form) in enumerate(zip(strings, formats)):  # beyond the sheet: cell by cell
                self._write_string(row + i, col, text, form)
            return
        table, index = self.table, self.str_table._get_shared_string_index
        for i, (text, form) in enumerate(zip(strings, formats)):
            if len(text) > self.xls_strmax // 2:  # perhaps too long: XlsxWriter cuts it
                self._write_string(row + i, col, text, form)
            else:
                table[row + i][col] = CellStringTuple(index(text), form)

    def _calculate_spans(self) -> None:
        """``Worksheet._calculate_spans`` (each block of 16 rows: first and last columns with a cell)
        from each row's columns, not every column of every row."""
        if self.comments:
            return super()._calculate_spans()
        spans = {}
        for row_num, cells in self.table.items():
            if cells:
                block, first, last = row_num // 16, min(cells), max(cells)
                if block in spans:
                    first, last = min(first, spans[block][0]), max(last, spans[block][1])
                spans[block] = (first, last)
        self.row_spans = {k: f"{a + 1}:{b + 1}" for k, (a, b) in sorted(spans.items())}

    def _write_rows(self) -> None:
        if self.comments or self.constant_memory or self.dim_rowmin is None:
            return super()._write_rows()
        self._calculate_spans()
        write, table, row_info, spans = self.fh.write, self.table, self.row_info, self.row_spans
        letters = {c: xl_col_to_name(c) for c in range(self.dim_colmin, self.dim_colmax + 1)}
        styles = {}  # id(format) -> ' s="<xf index>"'

        def style(form) -> str:
            styles[id(form)] = f' s="{form._get_xf_index()}"'
            return styles[id(form)]

        columns = {c: style(info.column_format) for c, info in self.col_info.items()
                   if info.column_format is not None}
        plain_rows = self.default_row_height == self.original_row_height and self.excel_version != 2010
        number_cell, string_cell = CellNumberTuple, CellStringTuple
        for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
            cells = table.get(row_num)
            span = spans.get(row_num // 16)
            info = row_info.get(row_num)
            if not cells:
                if info is not None:
                    self._write_empty_row(row_num, span, info)
                continue
            if info is None and plain_rows:
                write(f'<row r="{row_num + 1}" spans="{span}">' if span else f'<row r="{row_num + 1}">')
            else:
                self._write_row(row_num, span, info)
            row_style = style(info.row_format) if info is not None and info.row_format else None
            number = str(row_num + 1)
            parts = []
            for col_num in sorted(cells):
                cell = cells[col_num]
                kind = type(cell)
                if kind is number_cell or kind is string_cell:
                    value, form = cell
                    s = (styles.get(id(form)) or style(form)) if form else (row_style or columns.get(col_num, ""))
                    if kind is number_cell:
                        parts.append(f'<c r="{letters[col_num]}{number}"{s}><v>{value:.16G}</v></c>')
                    else:
                        parts.append(f'<c r="{letters[col_num]}{number}"{s} t="s"><v>{value}</v></c>')
                else:
                    write("".join(parts))
                    parts = []
                    self._write_cell(row_num, col_num, cell)
            parts.append("</row>")
            write("".join(parts))


@contextlib.contextmanager
def gc_paused():
    """Python's cyclic garbage collector off for the block (back as it was after).

    A workbook holds one small tuple per cell (100,000 in ``summary.xlsx``);
    each 700 new ones start a collection, and the older generations' that follow
    walk every object of the process (the results, xarray, numba: about
    300,000), about 0.2 s of the workbook's time. The cells are not garbage;
    what is (the closed workbook's own reference cycles) is collected once the
    collector is back on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Book(xlsxwriter.Workbook):
    """An XlsxWriter workbook whose sheets are :class:`Sheet`."""

    worksheet_class = Sheet


def new_workbook(path) -> xlsxwriter.Workbook:
    """A workbook whose strings are always text cells (never formulas, links or numbers)."""
    book = Book(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                            "strings_to_numbers": False, "nan_inf_to_errors": False,
                            "in_memory": True})  # no temporary files: faster
    book._actuarial_formats = {}  # (kind, extra...) -> Format, shared by every sheet
    return book


def fmt(book, kind: str = "general", **extra):
    """The workbook's cell format of a kind (``FORMATS``) with extra properties, made once."""
    key = (kind, tuple(sorted(extra.items())))
    cache = book._actuarial_formats
    if key not in cache:
        props = dict(extra)
        if FORMATS.get(kind, "General") != "General":
            props["num_format"] = FORMATS[kind]
        cache[key] = book.add_format(props)
    return cache[key]


@dataclass(frozen=True)
class Shown:
    """How a unit is shown: divide by ``scale``, label ``text``, number format ``kind``."""
    scale: float
    text: str
    kind: str


def shown_unit(units: str, currency: str = "", name: str = "") -> Shown:
    """The displayed unit of a results unit (``units`` attr): money in millions
    of ``currency`` (per-person amounts, ``PER_PERSON`` and ``currency/month``,
    in units), ratios as percentages, counts and years as numbers."""
    units = units or ""
    cur = currency or "currency"
    if units.startswith("currency"):
        per = units[len("currency"):].lstrip("/")
        per_text = f" per {per}" if per else ""
        if name.removesuffix("_percentile") in PER_PERSON or per == "month":
            return Shown(1.0, f"{cur}{per_text}", "decimal")
        return Shown(MONEY_SCALE, f"million {cur}{per_text}", "money")
    if units in ("1", "1/year"):
        return Shown(1.0, "%" + (" per year" if units == "1/year" else ""), "percent")
    if units == "year":
        calendar = name.endswith("_year") or "depletion year" in name
        return Shown(1.0, "calendar year" if calendar else "years", "year" if calendar else "decimal")
    if units in ("persons", "claims") or units.endswith("/year") and units.split("/")[0] in ("persons", "claims"):
        head, _, per = units.partition("/")
        return Shown(1.0, head + (f" per {per}" if per else ""), "count")
    return Shown(1.0, units.replace("/", " per "), "decimal")


@dataclass
class TableRef:
    """Where :func:`write_table` put a table: its sheet, first and last data rows
    (0-based), first column, and the column (0-based) of each frame column."""
    sheet: str
    first_row: int
    last_row: int
    first_col: int
    columns: dict = field(default_factory=dict)
    frame: object = None  # the table written (its key columns locate a chart's rows)

    def range(self, column) -> list:
        """``[sheet, first_row, col, last_row, col]``: a chart's reference to a column."""
        c = self.columns[column]
        return [self.sheet, self.first_row, c, self.last_row, c]


def write_text(sheet, row: int, col: int, text, book, base=None) -> None:
    """A string as a text cell; one a spreadsheet would read as a formula gets the quote prefix."""
    text = str(text)
    if text.startswith(FORMULA_STARTS):
        sheet.write_string(row, col, text, fmt(book, "general", quote_prefix=True, **(base or {})))
    else:
        sheet.write_string(row, col, text, fmt(book, "general", **base) if base else None)


def write_value(sheet, row: int, col: int, value, book, form=None) -> None:
    """A number as a number (NaN and None as an empty cell), a bool as a boolean, anything else as text."""
    if value is None or (isinstance(value, (float, np.floating)) and not math.isfinite(value)):
        return
    if isinstance(value, (bool, np.bool_)):
        sheet.write_boolean(row, col, bool(value))
    elif isinstance(value, (int, float, np.integer, np.floating)):
        sheet.write_number(row, col, float(value), form)
    else:
        write_text(sheet, row, col, value, book)


def _cut(text: str, n: int = MAX_LABEL) -> str:
    text = str(text)
    return text if len(text) <= n else text[:n - 3] + "..."


def get_sheet(book, name: str):
    """The sheet ``name`` (added when missing)."""
    return book.get_worksheet_by_name(name) or book.add_worksheet(name)


def write_table(book, sheet_name: str, frame: pd.DataFrame, units: dict, labels: dict | None = None, *,
                currency: str = "", start_row: int = 0, start_col: int = 0, title: str | None = None,
                freeze: bool = True, unit_column: str | None = None,
                row_unit_columns=("value",)) -> TableRef:
    """Write ``frame`` (tidy: one column per key or variable, index ignored) on
    ``sheet_name`` at (``start_row``, ``start_col``). Header rows: ``labels``
    (default: the column names), the unit shown (:func:`shown_unit` of
    ``units[column]``; key columns have none), the column name. Values are
    scaled to the unit shown; NaN is an empty cell. ``unit_column``: a column
    of per-row units (results units) that governs the ``row_unit_columns``
    (a table of metrics: each row its own unit).
    ``title`` (one line above the headers). Frozen panes below the headers and
    right of the key columns (columns without a unit), and an autofilter, when
    ``freeze`` (one table per sheet)."""
    sheet = get_sheet(book, sheet_name)
    labels = labels or {}
    row0 = start_row
    if title:
        write_text(sheet, row0, start_col, title, book, {"bold": True, "font_size": 12})
        row0 += 1
    shown = {c: shown_unit(units.get(c, ""), currency, str(c)) for c in frame.columns}
    for c in frame.columns:  # a yes/no variable (e.g. debt above the threshold)
        if units.get(c) and frame[c].dtype.kind == "b":
            shown[c] = Shown(1.0, "TRUE/FALSE", "general")
    ref = TableRef(sheet_name, row0 + HEADER_ROWS, row0 + HEADER_ROWS + len(frame) - 1, start_col, frame=frame)
    keys = 0
    for j, column in enumerate(frame.columns):
        col = start_col + j
        ref.columns[column] = col
        write_text(sheet, row0, col, _cut(labels.get(column, column)), book,
                   {"bold": True, "text_wrap": True, "valign": "top"})
        if units.get(column):
            write_text(sheet, row0 + 1, col, shown[column].text, book, {"italic": True, "font_color": "#555555"})
        elif column in row_unit_columns and unit_column:
            write_text(sheet, row0 + 1, col, f"unit: see '{unit_column}'", book,
                       {"italic": True, "font_color": "#555555"})
        write_text(sheet, row0 + 2, col, column, book, {"font_color": "#888888", "font_size": 8})
        if not units.get(column) and keys == j:
            keys += 1
        width = max(10, min(40, len(str(column)) + 2, max(14, len(str(labels.get(column, column))) // 3)))
        sheet.set_column(col, col, width)
    for j, column in enumerate(frame.columns):
        col = start_col + j
        values = frame[column].to_numpy()
        if unit_column and column in row_unit_columns:
            names = _row_names(frame, unit_column)
            per_row = [shown_unit(u, currency, str(n)) for u, n in zip(frame[unit_column], names)]
            for i, (v, s) in enumerate(zip(values, per_row)):
                write_value(sheet, ref.first_row + i, col, _scaled(v, s.scale), book, fmt(book, s.kind))
            continue
        if unit_column and column == unit_column:  # the unit as shown, e.g. "%" or "million MXN"
            names = _row_names(frame, unit_column)
            for i, (u, n) in enumerate(zip(values, names)):
                write_text(sheet, ref.first_row + i, col, shown_unit(str(u), currency, str(n)).text, book)
            continue
        s = shown[column]
        form = fmt(book, s.kind) if units.get(column) else (fmt(book, "year") if column == "year" else None)
        _write_column(book, sheet, ref.first_row, col, values, s.scale, form)
    if freeze and len(frame.columns):
        sheet.freeze_panes(row0 + HEADER_ROWS, start_col + max(keys, 1))
        sheet.autofilter(row0 + 2, start_col, max(ref.last_row, row0 + 2), start_col + len(frame.columns) - 1)
    sheet.set_row(row0, 60 if any(len(str(labels.get(c, c))) > 30 for c in frame.columns) else None)
    return ref


def _write_column(book, sheet, row: int, col: int, values: np.ndarray, scale: float, form) -> None:
    """One column's cells (the fast paths of :func:`write_value`: numbers, text)."""
    kind = values.dtype.kind
    if kind in "iuf":
        numbers = values.astype(float)
        sheet.write_numbers(row, col, (numbers / scale if scale != 1 else numbers).tolist(), form)
        return
    quoted = fmt(book, "general", quote_prefix=True)
    values = values.tolist()
    if all(isinstance(v, str) for v in values):
        sheet.write_strings(row, col, values, [quoted if v.startswith(FORMULA_STARTS) else None for v in values])
        return
    for i, v in enumerate(values):
        if isinstance(v, str):
            sheet.write_string(row + i, col, v, quoted if v.startswith(FORMULA_STARTS) else None)
        else:
            write_value(sheet, row + i, col, _scaled(v, scale), book, form)


def _row_names(frame: pd.DataFrame, unit_column: str) -> pd.Series:
    """Each row's variable name (a metrics table's ``variable`` or ``headline``), for its unit's display."""
    return frame[next((c for c in ("variable", "headline") if c in frame), unit_column)]


def _scaled(value, scale: float):
    if scale != 1 and isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
            value, (bool, np.bool_)):
        return value / scale
    return value
