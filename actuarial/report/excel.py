"""``summary.xlsx`` (XlsxWriter): a cover sheet with the case, the run and the
key indicators; one sheet per stage (variables by year, labelled with their
``long_name`` and unit); tidy long tables for the variables with more
dimensions (by sector, benefit, sex...: one row per year and coordinate);
each stage's metrics; native Excel charts beside the main tables; the
assumptions as a table of key, value, unit, description and source.

Units as shown (``actuarial.report.workbook.shown_unit``): money in millions
of the case's currency, ratios as Excel percentages, by-age variables summed
over age (counts and money only). A stochastic run's stage sheets show the
median over the scenarios (``console.central``), and its own sheets the
headline distributions and the fans.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from actuarial.output import atomic_path
from actuarial.report import charts
from actuarial.report.console import central
from actuarial.report.workbook import (FORMULA_STARTS, MAX_LABEL, fmt, gc_paused, get_sheet, new_workbook, shown_unit,
                                       write_table, write_text, write_value)

# stage -> variables shown on its sheets (the by-year ones on the stage's sheet, the others in long tables)
SHEETS = {
    "demography": ["total_population", "births", "deaths", "net_migration", "unrealised_emigration",
                   "old_age_dependency_ratio",
                   "child_dependency_ratio", "crude_birth_rate", "crude_death_rate", "total_fertility_rate",
                   "life_expectancy"],
    "economy": ["gdp", "real_gdp_growth", "inflation", "average_wage", "nominal_wage_growth", "interest_rate",
                "discount_rate", "government_expenditure", "government_expenditure_gdp"],
    "labour": ["labour_force", "employed", "contributors"],
    "pension": ["contributors", "pensioners_total", "insurable_earnings", "contribution_rate",
                "contribution_income", "benefit_expenditure", "lump_sums", "administrative_expenses",
                "expenditure", "investment_income", "reserve", "deficit_after_depletion",
                "deficit_after_depletion_gdp", "payg_cost_rate", "reserve_ratio",
                "scaled_premium", "system_dependency_ratio", "replacement_rate", "average_replacement_rate",
                "expenditure_gdp"],
    "employment_injury": ["insured", "insurable_earnings", "claims", "beneficiaries", "new_beneficiaries",
                          "expenditure", "total_expenditure", "capitalised_awards", "liability", "cost_rate",
                          "contribution_rate", "contribution_income", "investment_income", "reserve",
                          "funded_ratio", "sector_rate", "expenditure_gdp"],
    "spf": ["beneficiaries", "cost", "cost_gdp", "package_cost", "package_cost_gdp",
            "package_cost_government_expenditure", "coverage"],
    "fiscal_space": ["financing_gap_gdp", "financing_gap", "shortfall_gdp", "capacity", "financing",
                     "primary_balance_gdp", "debt_gdp", "debt_above_threshold", "debt_stabilising_primary_balance",
                     "debt_gdp_percentile", "debt_gdp_with_reform_percentile", "debt_above_threshold_probability",
                     "debt_above_threshold_probability_fiscal_paths",
                     "debt_change_contribution", "amortisation_gdp", "gross_financing_needs_gdp",
                     "gross_financing_needs", "effective_interest_rate", "risk_premium",
                     "stress_debt_gdp", "stress_interest_gdp", "stress_gross_financing_needs_gdp",
                     "stress_effective_interest_rate"],
}
SHORT = {"demography": "demography", "economy": "economy", "labour": "labour", "pension": "pension",
         "employment_injury": "injury", "spf": "spf", "fiscal_space": "fiscal"}
SOURCES = {"valuation_scenarios": "over the valuation scenarios", "fiscal_paths": "over the fiscal stage's own paths"}
RATIOS = ("1", "1/year")
# more sheets: writer(book, tree, currency), called after the stage sheets (a module adds its own tables with
# ``actuarial.report.workbook.write_table(book, sheet_name, frame, units)``)
EXTRA_SHEETS: list = []


def write_heat_map(book, tree, currency) -> None:
    """``fiscal heat map``: the DSA heat map (0 green, 1 yellow, 2 red) and its peaks, by stress test,
    indicator and reform (fiscal_space.stress_tests), with the benchmarks in the title."""
    if "fiscal_space" not in tree.children or "heat_map" not in tree["fiscal_space"].to_dataset():
        return
    ds = tree["fiscal_space"].to_dataset()
    frame = ds[["heat_map", "heat_map_peak"]].to_dataframe().reset_index()
    h = ds["heat_map"].attrs
    ref = write_table(book, "fiscal heat map", frame, {"heat_map": "level", "heat_map_peak": "1"},
                      {"heat_map": "heat map: 0 green, 1 yellow, 2 red",
                       "heat_map_peak": ds["heat_map_peak"].attrs["long_name"]},
                      title=f"DSA heat map ({h['framework']}): benchmarks debt {h['debt_benchmark_gdp']:.0%}, GFN "
                            f"{h['gfn_benchmark_gdp']:.0%}; red if the baseline breaches, yellow if the stress test "
                            "does")
    if "debt_profile_risk" in ds:  # the debt-profile indicators against their early-warning benchmarks
        names = ["debt_profile_value", "debt_profile_lower", "debt_profile_upper", "debt_profile_risk"]
        ref = write_table(book, "fiscal heat map", ds[names].to_dataframe().reset_index(),
                    {"debt_profile_risk": "level", **{k: "fraction" for k in names[:3]}},
                    {"debt_profile_risk": "debt-profile risk: 0 green, 1 yellow, 2 red (empty: not given)",
                     "debt_profile_value": "value (fractions: 0.35 = 35%; the bond spread 0.02 = 200 bp)",
                     "debt_profile_lower": "lower early-warning benchmark",
                     "debt_profile_upper": "upper early-warning benchmark"},
                    start_row=ref.last_row + 3, freeze=False,
                    title=f"Debt profile against the early-warning benchmarks (IMF 2013, {h['economy_group']}): "
                          "red above the upper, yellow above the lower")
    tests = [t.split(": ", 1) for t in ds["stress_test"].attrs.get("long_name", "").split("; ") if ": " in t]
    write_table(book, "fiscal heat map", pd.DataFrame(tests, columns=["stress_test", "what the test does"]), {},
                start_row=ref.last_row + 3, freeze=False, title="Stress tests (IMF 2013 MAC DSA): shocks and sizes")


EXTRA_SHEETS.append(write_heat_map)


def _by_year(ds: xr.Dataset, names) -> dict[tuple, list[xr.DataArray]]:
    """The stage's variables (central scenario), by-age counts and money summed
    over age, grouped by their dimensions other than ``year``."""
    groups: dict[tuple, list] = {}
    for name in names:
        if name not in ds or "year" not in ds[name].dims:
            continue
        da = ds[name]
        if "age" in da.dims:
            if da.attrs.get("units") in RATIOS:
                continue  # a rate by age has no total
            da = da.sum("age", keep_attrs=True)
        dims = tuple(d for d in da.dims if d != "year")
        groups.setdefault(dims, []).append(da.rename(name))
    return groups


FAN_SOURCES = {"macro_shock": "macro-shock fan (fiscal_space.stochastic), not the valuation's scenarios",
               "valuation": "percentiles across the valuation's scenarios"}


def label_of(name: str, da: xr.DataArray) -> str:
    """A column's label: the variable's ``long_name`` and, for a probability or a fan, what it is over."""
    label = da.attrs.get("long_name") or name
    source = SOURCES.get(da.attrs.get("based_on")) or FAN_SOURCES.get(
        da.attrs.get("fan") or ("macro_shock" if name == "debt_gdp_percentile" else None))
    if not source or source in label:
        return label
    room = MAX_LABEL - len(source) - 3  # the source kept whole in a header cut at MAX_LABEL characters
    return f"{label if len(label) <= room else label[:room - 3] + '...'} ({source})"


def tidy_frame(arrays: list[xr.DataArray]) -> pd.DataFrame:
    """Variables sharing dimensions as one tidy table: the other dimensions,
    then ``year`` (the innermost, so that each coordinate's years are
    contiguous rows: a chart's series), then one column per variable."""
    dims = [d for d in arrays[0].dims if d != "year"] + ["year"]
    arrays = [da.transpose(*dims) for da in arrays]
    shape = arrays[0].shape
    columns = {}
    for k, d in enumerate(dims):  # each key column: its coordinate broadcast over the others (C order)
        coord = arrays[0][d].values.astype(int) if d == "year" else arrays[0][d].values
        columns[d] = np.broadcast_to(coord.reshape([-1 if i == k else 1 for i in range(len(dims))]), shape).ravel()
    columns.update({da.name: da.values.ravel() for da in arrays})
    return pd.DataFrame(columns)


def sheet_name(stage: str, dims: tuple, taken) -> str:
    """``<stage>`` for the by-year table, ``<short> by <dims>`` for a long one (Excel: 31 characters)."""
    name = stage if not dims else f"{SHORT.get(stage, stage)} by {', '.join(dims)}"
    name = name[:31]
    base, k = name, 2
    while name.lower() in {t.lower() for t in taken}:
        name = f"{base[:28]} {k}"
        k += 1
    return name


def write_stage(book, stage: str, ds: xr.Dataset, currency: str, taken: list) -> dict:
    """A stage's sheets; returns ``{dims: TableRef}`` for the charts."""
    refs = {}
    ds = central(ds)
    for dims, arrays in sorted(_by_year(ds, SHEETS.get(stage, list(ds.data_vars))).items(), key=lambda i: len(i[0])):
        frame = tidy_frame(arrays)
        name = sheet_name(stage, dims, taken)
        taken.append(name)
        units = {da.name: da.attrs.get("units", "") for da in arrays}
        labels = {da.name: label_of(da.name, da) for da in arrays}
        labels.update({d: d.replace("_", " ") for d in (*dims, "year")})
        refs[dims] = write_table(book, name, frame, units, labels, currency=currency)
    metrics = metric_table(ds)
    if len(metrics):
        name = sheet_name(f"{SHORT.get(stage, stage)} metrics", (), taken)
        taken.append(name)
        write_table(book, name, metrics, {}, {"label": "indicator", "coordinate": "coordinate"},
                    currency=currency, unit_column="units")
    return refs


def metric_table(ds: xr.Dataset) -> pd.DataFrame:
    """The stage's results without a year (scalars and one-dimensional ones, e.g.
    the GAP by horizon): variable, coordinate, indicator (``long_name``), value, units."""
    rows = []
    for name, da in ds.data_vars.items():
        if "year" in da.dims or da.ndim > 1 or da.dtype.kind not in "fiub":
            continue
        if da.attrs.get("units") == "level":  # flags 0/1/2 (green/yellow/red): on the heat-map sheet
            continue
        if da.ndim == 0:
            rows.append((name, "", da.attrs.get("long_name", ""), da.values.item(), da.attrs.get("units", "")))
            continue
        dim = da.dims[0]
        for coord, value in zip(da[dim].values, da.values):
            rows.append((name, f"{dim}={coord.item() if hasattr(coord, 'item') else coord}",
                         da.attrs.get("long_name", ""), value.item(), da.attrs.get("units", "")))
    return pd.DataFrame(rows, columns=["variable", "coordinate", "label", "value", "units"])


def write_sustainability_gaps(book, tree, currency) -> None:
    """``fiscal sustainability gaps``: S1 and S2 by reform, their components and the cost of ageing by
    programme (fiscal_space.sustainability_gaps), % of GDP, the convention in the title."""
    if "fiscal_space" not in tree.children or "sustainability_gap" not in tree["fiscal_space"].to_dataset():
        return
    ds = tree["fiscal_space"].to_dataset()
    gap = ds["sustainability_gap"].to_dataframe().reset_index()
    comp = ds["sustainability_gap_component"].to_series().unstack("sustainability_component").reset_index()
    frame = gap.merge(comp, on=["sustainability_indicator", "reform"])
    ageing = ds["sustainability_gap_ageing"].to_series().unstack("programme").add_prefix("cost_of_ageing_")
    frame = frame.merge(ageing.reset_index(), on=["sustainability_indicator", "reform"])
    values = [c for c in frame.columns if c not in ("sustainability_indicator", "reform")]
    labels = {"sustainability_gap": ds["sustainability_gap"].attrs["long_name"],
              **{c: f"component: {c.replace('_', ' ')}" for c in ds["sustainability_component"].values},
              **{f"cost_of_ageing_{p}": f"cost of ageing from {p}" for p in ds["programme"].values}}
    write_table(book, "fiscal sustainability gaps", frame, dict.fromkeys(values, "1"), labels,
                title=f"{ds['sustainability_gap'].attrs['convention']}; {ds['sustainability_gap'].attrs['S1']}; "
                      f"{ds['sustainability_gap'].attrs['S2']}")


EXTRA_SHEETS.append(write_sustainability_gaps)


# -- the cover --------------------------------------------------------------------------------------------------

def key_indicators(tree: xr.DataTree) -> pd.DataFrame:
    """The headline results as the console and ``actuarial compare`` show them
    (``actuarial.compare.headlines``), values as fractions (a percentage cell)
    or years: indicator, value, unit."""
    from actuarial.compare import headlines

    frame = headlines({"case": tree})
    rows = []
    for label, value in frame["case"].items():
        name, _, unit = label.rpartition(" (")
        unit = unit.rstrip(")") if name else ""
        name = name or label
        percent = unit.startswith("%")
        rows.append((name, value / 100 if percent else value, unit if percent else
                     ("calendar year; empty: " + unit.partition(":")[2].strip() if "NaN" in unit else unit),
                     "percent" if percent else "year"))
    return pd.DataFrame(rows, columns=["indicator", "value", "unit", "kind"])


def _created(tree) -> str:
    created = tree.attrs.get("created") or tree.attrs.get("creation_time")
    return str(created) if created else _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def write_cover(book, tree: xr.DataTree, assumptions) -> None:
    """The cover: the case and the run (engine version, assumptions digest,
    scenarios and seed, creation date), notes on conventions, key indicators."""
    sheet = get_sheet(book, "cover")
    case = assumptions.case
    scenarios = tree.attrs.get("scenarios", tree["demography"].sizes.get("scenario", 1))
    items = [("case", case.name), ("country", case.country), ("currency", case.currency),
             ("base year", case.base_year), ("horizon (years)", case.horizon),
             ("assumptions file", str(assumptions.source)),
             ("engine version", tree.attrs.get("engine_version")),
             ("assumptions digest", tree.attrs.get("assumptions_hash")),
             ("scenarios", scenarios), ("seed", tree.attrs.get("seed", "") if tree.attrs.get("scenarios") else ""),
             ("created", _created(tree)),
             ("units", f"money in millions of {case.currency} (per-person amounts in {case.currency}); "
                       "ratios as percentages; stocks at 1 January, flows during the year"
                       + ("; stage sheets: the median over the scenarios" if tree.attrs.get("scenarios") else ""))]
    if "pension" in tree.children:
        items.append(("pension reserve", "floored at 0: after depletion the state pays the deficit_after_depletion; "
                                         "reserve ratio = reserve on 1 January / expenditure of the year before"))
    if "pension" in tree.children and "conversion_value_gdp" in tree["pension"]:  # pension.transition: converted
        conv = tree["pension"]
        items.append(("accrued DB rights converted", f"{100 * float(conv['conversion_value_gdp'].values.ravel()[0]):.1f}"
                      f"% of GDP of {conv.attrs.get('transition_year')}: "
                      + conv["converted_capital"].attrs["long_name"].split(": ", 1)[1]))
    if "pension" in tree.children and "transferred_balance_gdp" in tree["pension"]:  # DC -> DB, converted
        conv = tree["pension"]
        share = 100 * float(conv["transferred_balance_gdp"].values.ravel()[0])
        items.append(("DC balances transferred to DB", f"{share:.1f}% of GDP of {conv.attrs.get('transition_year')}: "
                      + conv["transferred_balance"].attrs["long_name"]))
    if "pension" in tree.children and "converted_points_total" in tree["pension"]:  # DB -> points, converted
        conv = tree["pension"]
        items.append(("accrued DB rights converted", f"{float(conv['converted_points_total'].values.ravel()[0]):,.0f} "
                      "points: " + conv["converted_points"].attrs["long_name"]))
    if "spf" in tree.children and "coverage" in tree["spf"]:  # the SDG 1.3.1 counting convention
        items.append(("SPF coverage overlap rule", tree["spf"]["coverage"].attrs.get("overlap_rule", "")))
    if "fiscal_space" in tree.children:
        items.append(("debt paths (reform)", "; ".join(f"{k}: {v}" for k, v in charts.REFORM_COLUMNS.items())))
    bold = fmt(book, "general", bold=True)
    write_text(sheet, 0, 0, f"{case.country}: {case.name}, actuarial valuation summary", book,
               {"bold": True, "font_size": 14})
    for i, (item, value) in enumerate(items, start=2):
        sheet.write_string(i, 0, item, bold)
        write_value(sheet, i, 1, value if value is not None else "", book)
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, 2, 40)
    row = len(items) + 4
    write_text(sheet, row, 0, "Key indicators", book, {"bold": True, "font_size": 12})
    for j, head in enumerate(("indicator", "value", "unit")):
        sheet.write_string(row + 1, j, head, fmt(book, "general", bold=True, bottom=1))
    for i, r in enumerate(key_indicators(tree).itertuples(), start=row + 2):
        write_text(sheet, i, 0, r.indicator, book)
        if np.isfinite(r.value):
            sheet.write_number(i, 1, float(r.value), fmt(book, r.kind, align="left"))
        else:
            sheet.write_string(i, 1, "none within the horizon" if r.kind == "year" else "")
        write_text(sheet, i, 2, r.unit, book)
    sheet.activate()


# -- the assumptions ---------------------------------------------------------------------------------------------

MAX_CELL = 200  # characters of a value shown in one cell; a longer list goes to "assumption lists"


def _is_series(value) -> bool:
    return isinstance(value, dict) and value and all(isinstance(k, int) or (isinstance(k, str) and k.isdigit())
                                                    for k in value) and all(
        isinstance(v, (int, float)) for v in value.values())


def _flat(tree, prefix=""):
    """``(key path, value)``: mappings expanded (a ``{year: value}`` series as
    one row per anchor, ``economy.inflation.2030``: the key paths of the
    values' sources), lists kept whole."""
    if isinstance(tree, dict) and tree:
        for k, v in tree.items():
            yield from _flat(v, f"{prefix}.{k}" if prefix else str(k))
    else:
        yield prefix, tree


def _text(value) -> str:
    if _is_series(value):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items()) if value else "{}"
    return "" if value is None else str(value)


def _describe(key: str):
    """``(unit, description)`` of a key path from the schema (empty when not declared)."""
    from actuarial.schema.describe import find
    from actuarial.schema.section import param_of

    parts = key.split(".")
    for n in range(len(parts), 0, -1):  # an entry's own key, else the nearest declared parent
        try:
            cls, name = find(".".join(parts[:n]))
        except Exception:  # noqa: BLE001 - a key the schema does not declare: no description
            continue
        if cls is None:
            return "", ""
        param = param_of(cls, name) if name else None
        if param is not None:
            return param.unit or "", param.description or ""
        if not name:
            doc = (cls.__doc__ or "").strip().splitlines()
            return "", (doc[0].strip() if doc and n == len(parts) else "")
    return "", ""


def assumption_tables(parsed: dict, sources: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The assumptions as parsed by the run: one row per key path (value, unit,
    description, source); a value longer than ``MAX_CELL`` characters (an age
    schedule) is summarised there and listed in full in the second table
    (key, position or year, value)."""
    rows, lists = [], []
    for key, value in _flat(parsed):
        unit, description = _describe(key)
        if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
            shown = value
        else:
            shown = _text(value)
            if len(shown) > MAX_CELL:
                items = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
                numbers = [v for _, v in items if isinstance(v, (int, float)) and not isinstance(v, bool)]
                span = f", {min(numbers):g} .. {max(numbers):g}" if numbers else ""
                shown = f"{len(items)} values{span}: listed in full on the sheet 'assumption lists'"
                lists += [(key, str(k), v if isinstance(v, (int, float)) else _text(v)[:MAX_CELL]) for k, v in items]
        rows.append((key, shown, unit, description[:MAX_CELL], str(sources.get(key, ""))[:MAX_CELL]))
    return (pd.DataFrame(rows, columns=["key", "value", "unit", "description", "source"]),
            pd.DataFrame(lists, columns=["key", "position or year", "value"]))


def write_assumptions(book, assumptions) -> None:
    table, lists = assumption_tables(assumptions.parsed or {}, getattr(assumptions, "sources", {}) or {})
    sheet = get_sheet(book, "assumptions")
    head = fmt(book, "general", bold=True, bottom=1)
    for j, column in enumerate(table.columns):
        sheet.write_string(0, j, column, head)
    wrap = {"text_wrap": True, "valign": "top"}
    for i, row in enumerate(table.itertuples(index=False), start=1):
        write_text(sheet, i, 0, row.key, book)
        if isinstance(row.value, str):
            write_text(sheet, i, 1, row.value, book, wrap)
        else:
            write_value(sheet, i, 1, row.value, book, fmt(book, "general", align="left"))
        for j, text in enumerate((row.unit, row.description, row.source), start=2):
            if text:
                write_text(sheet, i, j, text, book, wrap)
    for j, width in enumerate((44, 50, 16, 60, 40)):
        sheet.set_column(j, j, width)
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, max(len(table), 1), len(table.columns) - 1)
    if len(lists):
        write_table(book, "assumption lists", lists, {}, currency="")


# -- stochastic --------------------------------------------------------------------------------------------------

def write_stochastic(book, tree: xr.DataTree, currency: str) -> None:
    """A stochastic run's sheets: ``stochastic`` (scenarios, seed, each
    headline's percentiles, mean and share of scenarios past its threshold)
    and ``stochastic depletion`` (the probability that the reserve is
    depleted by each year), ``stochastic fans`` (every ``<name>_percentile``
    in tidy long form). Nothing without a ``/stochastic`` node or fans."""
    from actuarial.report import stochastic as st

    nodes = {k: tree[k].to_dataset() for k in tree.children}
    if st.NODE in nodes:
        ds = nodes[st.NODE]
        table = st.headline_table(ds)
        title = (f"Stochastic valuation: {st.run_text(ds.attrs)}; percentiles "
                 + ", ".join(str(int(p)) for p in np.atleast_1d(ds.attrs.get("percentiles", []))))
        if len(table):
            table = table.copy()
            numbers = [c for c in table.columns if c.startswith("p") and c[1:].isdigit()] + ["mean"]
            table["share past"] = table["share past"].astype(float)
            table = table[[c for c in table.columns if c not in ("threshold",)]]
            text_cols = [c for c in table.columns if c not in numbers + ["share past"] and c != "units"]
            table[text_cols] = table[text_cols].astype(str)
            never = table["headline"] == "depletion_year"  # a percentile among the never-depleted scenarios
            for c in numbers[:-1]:
                table[c] = table[c].astype(object)
                table.loc[never, c] = [v if np.isfinite(v) else "never" for v in table.loc[never, c]]
            write_table(book, "stochastic", table, {"share past": "1"}, currency=currency, title=title,
                        unit_column="units", row_unit_columns=tuple(numbers))
        else:
            write_text(get_sheet(book, "stochastic"), 0, 0, title, book, {"bold": True})
        if "depletion_probability" in ds:
            prob = ds["depletion_probability"]
            frame = pd.DataFrame({"year": prob["year"].values.astype(int).astype(object),
                                  "depleted by the year": prob.values})
            labels = {"depleted by the year": "share of scenarios whose reserve is depleted in or before the year"}
            if "depletion_never_share" in ds:  # the last row: the share never depleted
                frame.loc[len(frame)] = ["never within the horizon", float(ds["depletion_never_share"])]
            write_table(book, "stochastic depletion", frame, {"depleted by the year": "1"}, labels)
    fans = st.fans_long(nodes)
    if len(fans):
        write_table(book, "stochastic fans", fans, {}, currency=currency, unit_column="units")


# -- the workbook ------------------------------------------------------------------------------------------------

def write_summary(tree: xr.DataTree, assumptions, target: Path) -> Path:
    """Write ``summary.xlsx`` atomically. The assumptions sheet shows the
    assumptions as parsed when the run loaded them (``Assumptions.parsed``),
    not the file as it is now; every text cell is text, never a formula."""
    currency = assumptions.case.currency or ""
    with atomic_path(Path(target)) as tmp, gc_paused():
        book = new_workbook(tmp)
        write_cover(book, tree, assumptions)
        taken = ["cover", "assumptions", "assumption lists", "stochastic", "stochastic depletion",
                 "stochastic fans"]
        refs = {}
        others = [n for n in tree.children if n not in SHEETS and n != "stochastic"]  # e.g. a later module's node:
        for stage in [*SHEETS, *others]:  # all its variables, by the same rules
            if stage in tree.children:
                refs[stage] = write_stage(book, stage, tree[stage].to_dataset(), currency, taken)
        for writer in EXTRA_SHEETS:
            writer(book, tree, currency)
        write_stochastic(book, tree, currency)
        charts.add_charts(book, tree, refs, currency)
        write_assumptions(book, assumptions)
        book.close()
    return target


def write_batch_summary(frame: pd.DataFrame, target: Path) -> Path:
    """``batch_summary.xlsx``: ``actuarial.batch.summary_rows`` (one row per
    case: file, digest, grid values, headline results) as a formatted table;
    the headlines in percent (their labels say "%") as Excel percentages."""
    frame = frame.reset_index()
    units = {}
    for column in frame.columns:
        if "(%" in str(column):
            frame[column] = frame[column] / 100
            units[column] = "1"
        elif "depletion year" in str(column):
            units[column] = "year"
    labels = {c: str(c).replace("grid_", "grid: ") for c in frame.columns}
    with atomic_path(Path(target)) as tmp, gc_paused():
        book = new_workbook(tmp)
        write_table(book, "batch", frame, units, labels)
        book.close()
    return target


__all__ = ["EXTRA_SHEETS", "FORMULA_STARTS", "SHEETS", "key_indicators", "shown_unit", "write_batch_summary",
           "write_summary", "write_table"]
