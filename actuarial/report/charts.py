"""Native Excel charts of ``summary.xlsx``, beside the tables they plot.

Each chart reads the workbook's own cells (``TableRef`` of
``actuarial.report.workbook.write_table``): the pension's PAYG cost rate
against the contribution rate and the GAP, the reserve ratio, the SPF cost
by benefit, the financing mix (each option's financing and the unfinanced
part, against the financing gap), the debt paths with and without the
reform, the population, and the injury cost rates by financing method.
"""

from __future__ import annotations

import pandas as pd
import xarray as xr

from actuarial.report.console import central
from actuarial.report.workbook import write_table

# the fiscal stage's debt paths (coordinate ``reform``), as the workbook's charts and cover name them
REFORM_COLUMNS = {"without": "without reform", "with": "with reform, full cost: unfinanced part borrowed",
                  "scaled_back": "reform scaled back to what the plan finances"}

SIZE = {"x_scale": 1.5, "y_scale": 1.4}


def _chart(book, kind: str, title: str, y_title: str, subtype: str | None = None, percent: bool = True):
    chart = book.add_chart({"type": kind, **({"subtype": subtype} if subtype else {})})
    chart.set_title({"name": title, "name_font": {"size": 11}})
    chart.set_x_axis({"name": "year", "interval_unit": 10, "interval_tick": 10})
    chart.set_y_axis({"name": y_title, **({"num_format": "0%"} if percent else {"num_format": "#,##0"})})
    chart.set_legend({"position": "bottom"})
    return chart


def _beside(ref) -> int:
    return max(ref.columns.values()) + 2


def _series(chart, ref, column, name, years_ref=None, rows=None, **extra):
    first, last = rows if rows else (ref.first_row, ref.last_row)
    col = ref.columns[column]
    years = years_ref or ref  # the years: the same rows of this table, or those of the main table
    ycol = years.columns["year"]
    y_first, y_last = (years.first_row, years.last_row) if years_ref else (first, last)
    name = str(name)
    name = " " + name if name.startswith("=") else name  # a label, never a reference
    chart.add_series({"name": name, "categories": [years.sheet, y_first, ycol, y_last, ycol],
                      "values": [ref.sheet, first, col, last, col], **extra})


def _blocks(frame_key: pd.Series) -> list[tuple[str, int, int]]:
    """(coordinate, first, last) row offsets of each coordinate's contiguous years."""
    out, start = [], 0
    values = frame_key.tolist()
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            out.append((str(values[start]), start, i - 1))
            start = i
    return out


def _by_coord(chart, ref, key, column, label=lambda c: c, **extra):
    for coord, a, b in _blocks(ref.frame[key]):
        _series(chart, ref, column, label(coord), rows=(ref.first_row + a, ref.first_row + b), **extra)


def pension_charts(book, tree, refs) -> None:
    main = refs.get(())
    if main is None:
        return
    sheet = book.get_worksheet_by_name(main.sheet)
    col = _beside(main)
    chart = _chart(book, "line", "PAYG cost rate, contribution rate and GAP", "% of insurable earnings")
    for name, label in (("payg_cost_rate", "PAYG cost rate"), ("contribution_rate", "contribution rate")):
        if name in main.columns:
            _series(chart, main, name, label)
    p = central(tree["pension"].to_dataset())
    if "general_average_premium" in p:  # each horizon's GAP as a level line over its horizon (a helper block)
        years = p["year"].values.astype(int)
        gap = pd.DataFrame({"year": years})
        for h, v in zip(p["horizon"].values, p["general_average_premium"].values):
            gap[f"GAP {int(h)} years"] = [float(v) if y < years[0] + int(h) else float("nan") for y in years]
        ref = write_table(book, main.sheet, gap, {c: "1" for c in gap.columns if c != "year"},
                          {c: f"{c} (level line for the chart)" for c in gap.columns}, start_col=col + 18,
                          freeze=False, title="chart data: GAP by horizon")
        for c in gap.columns[1:]:
            _series(chart, ref, c, c, years_ref=main, line={"dash_type": "dash"})
    sheet.insert_chart(main.first_row, col, chart, SIZE)
    if "reserve_ratio" in main.columns:
        chart = _chart(book, "line", "Reserve ratio (reserve at 1 January / expenditure of the year before)",
                       "years of expenditure", percent=False)
        chart.set_y_axis({"name": "years of expenditure", "num_format": "0.0"})
        _series(chart, main, "reserve_ratio", "reserve ratio")
        sheet.insert_chart(main.first_row + 22, col, chart, SIZE)


def spf_charts(book, tree, refs, currency) -> None:
    main = refs.get(())
    s = central(tree["spf"].to_dataset())
    if main is None or "cost_gdp" not in s:
        return
    cost = s["cost_gdp"].sum("sex") if "sex" in s["cost_gdp"].dims else s["cost_gdp"]
    frame = cost.transpose("year", "benefit").to_pandas()
    frame.columns = [str(c) for c in frame.columns]
    frame = frame.reset_index()
    frame["year"] = frame["year"].astype(int)
    col = _beside(main)
    ref = write_table(book, main.sheet, frame, {c: "1" for c in frame.columns if c != "year"},
                      {c: (f"{c}: cost / GDP, both sexes" if c != "year" else c) for c in frame.columns},
                      start_col=col + 18, freeze=False, title="chart data: SPF cost by benefit (% of GDP)")
    chart = _chart(book, "area", "SPF cost by benefit", "% of GDP", subtype="stacked")
    for c in frame.columns[1:]:
        _series(chart, ref, c, c)
    book.get_worksheet_by_name(main.sheet).insert_chart(main.first_row, col, chart, SIZE)


def fiscal_charts(book, tree, refs) -> None:
    main, by_option, by_reform = refs.get(()), refs.get(("option",)), refs.get(("reform",))
    if by_option is not None and "financing" in by_option.columns and main is not None:
        chart = _chart(book, "area", "Financing mix: how the plan pays for the financing gap", "% of GDP",
                       subtype="stacked")
        _by_coord(chart, by_option, "option", "financing")
        if "shortfall_gdp" in main.columns:  # the unfinanced part, its own band
            _series(chart, main, "shortfall_gdp", "unfinanced (borrowed)", fill={"color": "#BBBBBB"},
                    pattern={"pattern": "wide_upward_diagonal", "fg_color": "#888888", "bg_color": "#FFFFFF"})
        if "financing_gap_gdp" in main.columns:
            line = _chart(book, "line", "", "")
            _series(line, main, "financing_gap_gdp", "financing gap", line={"color": "black", "width": 2})
            chart.combine(line)
        book.get_worksheet_by_name(by_option.sheet).insert_chart(by_option.first_row, _beside(by_option),
                                                                  chart, SIZE)
    if by_reform is not None and "debt_gdp" in by_reform.columns:
        chart = _chart(book, "line", "Public debt / GDP, with and without the reform", "% of GDP")
        _by_coord(chart, by_reform, "reform", "debt_gdp",
                  label=lambda c: REFORM_COLUMNS.get(c, c))
        book.get_worksheet_by_name(by_reform.sheet).insert_chart(by_reform.first_row, _beside(by_reform),
                                                                  chart, SIZE)


def simple_chart(book, ref, column, title, y_title, percent, by=None) -> None:
    if ref is None or column not in ref.columns:
        return
    chart = _chart(book, "line", title, y_title, percent=percent)
    if by is None:
        _series(chart, ref, column, title)
    else:
        _by_coord(chart, ref, by, column)
    book.get_worksheet_by_name(ref.sheet).insert_chart(ref.first_row, _beside(ref), chart, SIZE)


def add_charts(book, tree: xr.DataTree, refs: dict, currency: str) -> None:
    """The charts of every stage present (``refs``: stage -> {dims: TableRef})."""
    if "demography" in refs:
        simple_chart(book, refs["demography"].get(()), "total_population", "Total population at 1 January",
                     "persons", False)
    if "pension" in refs:
        pension_charts(book, tree, refs["pension"])
    if "employment_injury" in refs:
        simple_chart(book, refs["employment_injury"].get(("financing_method",)), "cost_rate",
                     "Employment injury cost rate by financing method", "% of insurable payroll", True,
                     by="financing_method")
    if "spf" in refs:
        spf_charts(book, tree, refs["spf"], currency)
    if "fiscal_space" in refs:
        fiscal_charts(book, tree, refs["fiscal_space"])
