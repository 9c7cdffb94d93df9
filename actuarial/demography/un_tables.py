"""Reader for UN long tables (World Population Prospects, ccmppWPP layout).

A folder with ``inputs/`` (or the files directly) holding CSV long tables,
columns ``time_start, time_span, [sex,] age_start, age_span, value``; the
open age group is marked by ``age_span = 1000``. Files may be gzipped.
Population, m_x, fertility rates and the sex ratio at birth must be
non-negative: a negative cell is an error naming the file, column and row
(net migrant counts may be negative).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from actuarial.errors import AssumptionError

FILES = {
    "population": "pop_count_age_sex_base",
    "life_table": "life_table_age_sex",
    "fertility": "fert_rate_age_f",
    "srb": "srb",
    "migration": "mig_net_count_age_sex",
    "migration_parameters": "mig_parameter",
}
SEXES = ["female", "male"]


def _find(folder: Path, stem: str) -> Path:
    for sub in ("inputs", "."):
        for ext in (".csv", ".csv.gz"):
            path = folder / sub / f"{stem}{ext}"
            if path.is_file():
                return path
    raise AssumptionError(folder, "un_tables", f"missing table {stem}.csv")


def _read(folder: Path, stem: str, columns, non_negative: str | None = None, rows=None) -> pd.DataFrame:
    """The table ``stem``; ``non_negative`` names what its ``value`` column
    holds, then checked >= 0 (on the rows ``rows(table)`` selects, if given)."""
    path = _find(folder, stem)
    try:
        table = pd.read_csv(path)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise AssumptionError(path, "", f"not a readable CSV table ({exc})") from None
    missing = set(columns) - set(table.columns)
    if missing:
        raise AssumptionError(path, "", f"expected columns {sorted(missing)}")
    if non_negative is not None:
        _check_non_negative(path, table if rows is None else table[rows(table)], non_negative)
    return table


def _check_non_negative(path: Path, table: pd.DataFrame, what: str) -> None:
    """One error for the first negative ``value``: file, column, CSV line, cell."""
    values = pd.to_numeric(table["value"], errors="coerce")
    negative = table[values < 0]
    if negative.empty:
        return
    first = negative.iloc[0]
    line = int(negative.index[0]) + 2  # header is line 1
    cell = ", ".join(f"{k}={first[k]}" for k in ("time_start", "sex", "age_start") if k in table.columns)
    raise AssumptionError(path, f"value (line {line})",
                          f"expected a non-negative {what}, got {first['value']} at {cell} "
                          f"({len(negative)} negative in all)")


def _by_age(table: pd.DataFrame, path_hint: str, index) -> np.ndarray:
    """Pivot to (index..., age 0..100), checking that no age is missing."""
    wide = table.pivot_table(index=index, columns="age_start", values="value", aggfunc="first")
    if list(wide.columns) != list(range(101)):
        raise AssumptionError(path_hint, "age_start", "expected single ages 0..100 (100 = 100+)")
    if wide.isna().any().any():
        raise AssumptionError(path_hint, "value", "missing values for some ages")
    return wide


def read_un_tables(folder) -> dict:
    """Base population, m_x, fertility, SRB and net migrants from UN tables.

    Returns arrays with sex order (female, male): ``population`` (2, 101),
    ``mx`` (years, 2, 101), ``asfr`` (years, 101), ``srb`` (years,),
    ``migration`` (years, 2, 101); ``years``; ``base_year``; ``timing``.
    """
    folder = Path(folder)
    pop = _read(folder, FILES["population"], ["time_start", "sex", "age_start", "value"], "population count")
    pop = pop[pop["sex"].isin(SEXES)]
    if pop.empty or set(pop["sex"]) != set(SEXES):
        raise AssumptionError(folder, FILES["population"], "expected female and male rows")
    base_year = int(pop["time_start"].min())
    population = _by_age(pop, FILES["population"], "sex").loc[SEXES].values

    lt = _read(folder, FILES["life_table"], ["indicator", "time_start", "sex", "age_start", "value"],
               "central death rate (lt_nMx)", rows=lambda t: t["indicator"] == "lt_nMx")
    lt = lt[(lt["indicator"] == "lt_nMx") & lt["sex"].isin(SEXES)]
    if lt.empty:
        raise AssumptionError(folder, FILES["life_table"], "expected lt_nMx rows for female and male")
    years = np.array(sorted(lt["time_start"].unique()))
    index = pd.MultiIndex.from_product([years, SEXES])
    mx = _by_age(lt, FILES["life_table"], ["time_start", "sex"]).reindex(index).values.reshape(years.size, 2, 101)

    fert = _read(folder, FILES["fertility"], ["time_start", "age_start", "value"], "fertility rate")
    asfr = _by_age(fert, FILES["fertility"], "time_start").reindex(years).values

    srb = _read(folder, FILES["srb"], ["time_start", "value"], "sex ratio at birth").set_index("time_start")["value"]
    mig = _read(folder, FILES["migration"], ["time_start", "sex", "age_start", "value"])
    migration = _by_age(mig[mig["sex"].isin(SEXES)], FILES["migration"], ["time_start", "sex"])
    migration = migration.reindex(index).values.reshape(years.size, 2, 101)  # matched year by year

    timing = "end"
    try:
        params = _read(folder, FILES["migration_parameters"], ["indicator", "value"])
        kinds = set(params.loc[params["indicator"] == "mig_assumption", "value"])
        types = set(params.loc[params["indicator"] == "mig_type", "value"])
        if types - {"counts"}:
            raise AssumptionError(folder, "mig_type", "only migration counts are supported")
        if kinds == {"even"}:
            timing = "half"
        elif kinds - {"end"}:
            raise AssumptionError(folder, "mig_assumption", "expected 'end' or 'even'")
    except AssumptionError as exc:
        if "missing table" not in str(exc):
            raise
    for name, arr in (("life_table", mx), ("fertility", asfr), ("srb", srb.reindex(years).values),
                      ("migration", migration)):
        if np.isnan(arr).any() or len(arr) != years.size:
            raise AssumptionError(folder, name, f"expected values for every year {years[0]}..{years[-1]}")
    return {
        "base_year": base_year, "years": years, "population": population, "mx": mx,
        "asfr": asfr, "srb": srb.reindex(years).values, "migration": migration, "timing": timing,
    }
