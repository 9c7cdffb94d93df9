"""``summary.xlsx``: key indicators by year, one sheet per stage, with the
assumptions used and the run's metadata. Numbers are stored as numbers, with
Excel number formats (ratios as percentages, money with thousands separators).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from actuarial.output import atomic_path
from actuarial.report.console import central

# stage -> variables (by year) shown on its sheet
SHEETS = {
    "demography": ["total_population", "births", "deaths", "net_migration", "unrealised_emigration",
                   "old_age_dependency_ratio",
                   "child_dependency_ratio", "crude_birth_rate", "crude_death_rate", "total_fertility_rate",
                   "life_expectancy"],
    "economy": ["gdp", "real_gdp_growth", "inflation", "average_wage", "nominal_wage_growth", "interest_rate",
                "discount_rate", "government_expenditure", "government_expenditure_gdp"],
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
    "fiscal_space": ["financing_gap_gdp", "financing_gap", "capacity", "financing", "shortfall_gdp",
                     "primary_balance_gdp", "debt_gdp", "debt_above_threshold", "debt_stabilising_primary_balance",
                     "debt_gdp_percentile", "debt_gdp_with_reform_percentile", "debt_above_threshold_probability",
                     "debt_above_threshold_probability_fiscal_paths"],
    "spf": ["beneficiaries", "cost", "cost_gdp", "package_cost", "package_cost_gdp",
            "package_cost_government_expenditure", "coverage"],
}
REFORM_COLUMNS = {"without": "without reform", "with": "with reform, full cost: unfinanced part borrowed",
                  "scaled_back": "reform scaled back to what the plan finances"}
SCALARS = {"pension": ["general_average_premium", "depletion_year", "steady_state_rate", "actuarial_balance",
                       "summarized_income_rate", "summarized_cost_rate", "accrued_liability",
                       "accrued_liability_gdp", "closed_group_deficit", "pv_contributions", "pv_expenditure"]}


def _columns(da: xr.DataArray) -> pd.DataFrame:
    """A by-year table of one variable: other dims are summed over age, split otherwise."""
    if "age" in da.dims:
        da = da.sum("age")
    extra = [d for d in da.dims if d != "year"]
    if not extra:
        return pd.DataFrame({da.name: da.to_series()})
    if "reform" in extra:  # say which debt path is which
        da = da.assign_coords(reform=[REFORM_COLUMNS.get(str(r), str(r)) for r in da["reform"].values])
    frame = da.to_dataframe().unstack(extra)[da.name]
    frame.columns = [f"{da.name} ({', '.join(map(str, c if isinstance(c, tuple) else (c,)))})"
                     for c in frame.columns]
    return frame


FAN_SOURCES = {"macro_shock": "macro-shock fan (fiscal_space.stochastic), not the valuation's scenarios",
               "valuation": "percentiles across the valuation's scenarios"}


def stage_table(ds: xr.Dataset, names) -> tuple[pd.DataFrame, dict]:
    """Variables by year as columns, and each column's units."""
    ds = central(ds)
    frames, units = [], {}
    for name in names:
        if name in ds:
            frame = _columns(ds[name].rename(name))
            source = {"valuation_scenarios": "over the valuation scenarios",
                      "fiscal_paths": "over the fiscal stage's own paths"}.get(ds[name].attrs.get("based_on"))
            source = source or FAN_SOURCES.get(ds[name].attrs.get("fan") or (  # say what a fan comes from
                "macro_shock" if name == "debt_gdp_percentile" else None))
            if source:  # say what a probability comes from
                frame.columns = [f"{c} ({source})" for c in frame.columns]
            units.update({c: ds[name].attrs.get("units", "") for c in frame.columns})
            frames.append(frame)
    table = pd.concat(frames, axis=1)
    table.index.name = "year"
    return table, units


def _format(sheet, table: pd.DataFrame, units: dict) -> None:
    for j, column in enumerate(table.columns, start=2):
        unit = units.get(column, "")
        fmt = "0.00%" if unit in ("1", "1/year") else ("0.00" if unit in ("year", "births/woman") else "#,##0")
        for i in range(2, len(table) + 2):
            sheet.cell(row=i, column=j).number_format = fmt
        sheet.column_dimensions[sheet.cell(row=1, column=j).column_letter].width = max(12, min(len(column), 40))


def write_summary(tree: xr.DataTree, assumptions, target: Path) -> Path:
    """Write ``summary.xlsx`` atomically. The assumptions sheet shows the
    assumptions as parsed when the run loaded them (``Assumptions.parsed``),
    not the file as it is now; every text cell is text, never a formula."""
    data = assumptions.parsed or {}
    meta = pd.DataFrame({"value": {
        "engine_version": tree.attrs.get("engine_version"), "assumptions_hash": tree.attrs.get("assumptions_hash"),
        "case": assumptions.case.name, "country": assumptions.case.country,
        "currency": assumptions.case.currency, "base_year": assumptions.case.base_year,
        "horizon_years": assumptions.case.horizon, "assumptions_file": str(assumptions.source),
        "scenarios": tree.attrs.get("scenarios", tree["demography"].sizes.get("scenario", 1)),
        "seed": tree.attrs.get("seed", "") if tree.attrs.get("scenarios") else ""}})
    if "spf" in tree.children and "coverage" in tree["spf"]:  # the SDG 1.3.1 counting convention
        meta.loc["spf_coverage_overlap_rule", "value"] = tree["spf"]["coverage"].attrs.get("overlap_rule", "")
    if "pension" in tree.children:
        meta.loc["pension_reserve", "value"] = ("floored at 0: after depletion the state pays the "
                                                "deficit_after_depletion; reserve ratio = reserve on 1 January / "
                                                "expenditure of the year before (none in the first year)")
    if "fiscal_space" in tree.children:
        meta.loc["fiscal_space_debt_paths", "value"] = "; ".join(f"{k}: {v}" for k, v in REFORM_COLUMNS.items())
        prob = tree["fiscal_space"].to_dataset().get("debt_above_threshold_probability")
        if prob is not None:
            meta.loc["debt_above_threshold_probability", "value"] = prob.attrs.get("long_name", "")
    flat = pd.json_normalize(data, sep=".").T.rename(columns={0: "value"})
    flat["value"] = flat["value"].map(lambda v: v if isinstance(v, (int, float, str)) else str(v))
    # where each value came from ({value: ..., source: "..."} in the file; key paths as flattened here)
    flat["source"] = [getattr(assumptions, "sources", {}).get(k, "") for k in flat.index]
    with atomic_path(target) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            meta.to_excel(writer, sheet_name="metadata", index_label="item")
            for stage, names in SHEETS.items():
                if stage not in tree.children:
                    continue
                table, units = stage_table(tree[stage].to_dataset(), names)
                table.to_excel(writer, sheet_name=stage)
                _format(writer.sheets[stage], table, units)
                if stage in SCALARS:
                    scalars = scalar_table(tree[stage].to_dataset(), SCALARS[stage])
                    scalars.to_excel(writer, sheet_name=f"{stage}_metrics", index_label="metric")
            write_stochastic_sheets(writer, tree)
            flat.to_excel(writer, sheet_name="assumptions", index_label="key")
            for sheet in writer.book.worksheets:
                as_text(sheet)
    return target


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(sheet) -> None:
    """Every string cell of ``sheet`` stored as text: openpyxl stores a string
    beginning with ``=`` as a formula; it becomes a string cell again, and
    strings that a spreadsheet would read as a formula when typed or imported
    (``=``, ``+``, ``-``, ``@``, tab, carriage return: OWASP, "CSV Injection")
    also get the quote prefix, so editing the cell keeps it text."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
            if cell.data_type == "s" and isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                cell.quotePrefix = True


def scalar_table(ds: xr.Dataset, names) -> pd.DataFrame:
    ds = central(ds)
    rows = {}
    for name in names:
        if name not in ds:
            continue
        da = ds[name]
        if da.ndim == 0:
            rows[name] = (float(da), da.attrs.get("units", ""), da.attrs.get("long_name", ""))
        else:
            for coord, value in zip(da[da.dims[0]].values, da.values):
                rows[f"{name} ({coord})"] = (float(value), da.attrs.get("units", ""), da.attrs.get("long_name", ""))
    return pd.DataFrame.from_dict(rows, orient="index", columns=["value", "units", "description"])


def write_stochastic_sheets(writer, tree: xr.DataTree) -> None:
    """A stochastic run's sheets: ``stochastic`` (scenarios, seed, each
    headline's percentiles, mean and share of scenarios past its threshold,
    and the probability that the reserve is depleted by each year) and
    ``stochastic_fans`` (every ``<name>_percentile`` of every node in tidy
    long form: node, variable, fan, coordinates, year, percentile, value,
    units). Nothing without a ``/stochastic`` node or fans."""
    from actuarial.report import stochastic as st

    nodes = {k: tree[k].to_dataset() for k in tree.children}
    if st.NODE in nodes:
        ds = nodes[st.NODE]
        head = pd.DataFrame({"value": {"scenarios": int(ds.attrs.get("scenarios", 0)), "seed": ds.attrs.get("seed"),
                                       "percentiles": ", ".join(str(int(p)) for p in np.atleast_1d(
                                           ds.attrs.get("percentiles", [])))}})
        table = st.headline_table(ds)
        head.to_excel(writer, sheet_name="stochastic", index_label="run")
        start = len(head) + 2
        if len(table):
            table = table.set_index("label").astype(object)
            never = table["headline"] == "depletion_year"  # a percentile among the never-depleted scenarios
            for c in [c for c in table.columns if c.startswith("p") and c[1:].isdigit()]:
                table.loc[never, c] = [v if np.isfinite(v) else "never" for v in table.loc[never, c]]
            table = table.map(lambda v: None if isinstance(v, float) and not np.isfinite(v) else v)  # empty cells
            table.to_excel(writer, sheet_name="stochastic", startrow=start, index_label="headline (label)")
            sheet = writer.sheets["stochastic"]
            numbers = [c for c in table.columns if c.startswith("p") and c[1:].isdigit()] + ["mean", "share past"]
            for i, (_, row) in enumerate(table.iterrows(), start=start + 2):
                for c in numbers:
                    j = 2 + list(table.columns).index(c)
                    unit = "1" if c == "share past" else row["units"]
                    sheet.cell(row=i, column=j).number_format = "0.00%" if unit in ("1", "1/year") else "0"
            start += len(table) + 2
        if "depletion_probability" in ds:
            prob = ds["depletion_probability"]
            frame = pd.DataFrame({"share of scenarios depleted in or before the year": prob.to_series()})
            frame.index = frame.index.astype(int)
            if "depletion_never_share" in ds:
                frame.loc["never within the horizon"] = float(ds["depletion_never_share"])
            frame.to_excel(writer, sheet_name="stochastic", startrow=start, index_label="depletion by year")
            sheet = writer.sheets["stochastic"]
            for i in range(start + 2, start + 2 + len(frame)):
                sheet.cell(row=i, column=2).number_format = "0.00%"
        writer.sheets["stochastic"].column_dimensions["A"].width = 40
    fans = st.fans_long(nodes)
    if len(fans):
        fans.to_excel(writer, sheet_name="stochastic_fans", index=False)
