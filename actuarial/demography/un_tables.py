"""Reader for UN long tables (World Population Prospects, ccmppWPP layout).

A folder with ``inputs/`` (or the files directly) holding CSV long tables,
columns ``time_start, time_span, [sex,] age_start, age_span, value``; the
open age group is marked by ``age_span = 1000``. Files may be gzipped.

Every table goes through :mod:`actuarial.datafiles` (regular file, size
limit, gzip, declared columns and types) and is checked here:

- keys unique (a duplicate row is an error, never resolved silently);
- coverage complete: single ages 0..100 for each sex and year, every year
  from the life table's first to its last in every table (a missing year
  is an error, never interpolated); the base population of one year;
- ranges: population counts >= 0; m_x (``lt_nMx``) in [0, :data:`MX_MAX`];
  fertility rates in [0, 1] births per woman-year at each age and a total
  fertility rate of at most :data:`TFR_MAX`; the sex ratio at birth in
  [0.8, 1.3] males per female (the bounds of ``demography.fertility.srb``);
  net migrant counts of any sign; all values finite.

Errors name the file (full path), the column, the file row and what was
expected.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from actuarial.datafiles import Column, check_range, check_years, read_table, to_array
from actuarial.errors import AssumptionError

if TYPE_CHECKING:  # tables are read by datafiles (pandas imported there, when a file is read)
    import pandas as pd

FILES = {
    "population": "pop_count_age_sex_base",
    "life_table": "life_table_age_sex",
    "fertility": "fert_rate_age_f",
    "srb": "srb",
    "migration": "mig_net_count_age_sex",
    "migration_parameters": "mig_parameter",
}
SEXES = ["female", "male"]
AGES = range(101)
MX_MAX = 2.0
"""Largest single-age central death rate m_x accepted: with a_x = 1/2
(:mod:`actuarial.demography.lifetable`) q_x = m_x / (1 + m_x / 2) reaches 1
at m_x = 2, so a larger rate is no one-year death rate (for 100+, m = 1/e_100
> 2 would mean e_100 < 6 months)."""
TFR_MAX = 15.0
"""Largest total fertility rate accepted (births per woman; the bound of
``demography.fertility.tfr``)."""
SRB_RANGE = (0.8, 1.3)
"""Sex ratio at birth accepted, males per female (as ``demography.fertility.srb``)."""

TIME = Column("time_start", "int", lo=1000, hi=3000, what="a year")
SEX = Column("sex", "text", choices=("female", "male", "both"), what="a sex")
AGE = Column("age_start", "int", lo=0, hi=100, what="a single age 0..100 (100 = 100+)")
CONTEXT = ("time_start", "sex", "age_start")


def _find(folder: Path, stem: str) -> Path:
    for sub in ("inputs", "."):
        for ext in (".csv", ".csv.gz"):
            path = folder / sub / f"{stem}{ext}"
            if path.exists():
                return path
    raise AssumptionError(folder, "un_tables", f"missing table {stem}.csv")


def _read(folder: Path, stem: str, columns) -> tuple[Path, pd.DataFrame]:
    """The table ``stem``, its declared ``columns`` checked."""
    path = _find(folder, stem).absolute()
    return path, read_table(path, columns, what=f"UN table {stem}", context=CONTEXT)


def _sexes(path, table: pd.DataFrame) -> pd.DataFrame:
    """The female and male rows (other sexes, e.g. ``both``, are left out)."""
    table = table[table["sex"].isin(SEXES)]
    if set(table["sex"]) != set(SEXES):
        raise AssumptionError(path, "sex", "expected rows for female and male")
    return table


def read_un_tables(folder) -> dict:
    """Base population, m_x, fertility, SRB and net migrants from UN tables.

    Returns arrays with sex order (female, male): ``population`` (2, 101),
    ``mx`` (years, 2, 101), ``asfr`` (years, 101), ``srb`` (years,),
    ``migration`` (years, 2, 101); ``years`` (consecutive, those of the
    life table's ``lt_nMx`` rows); ``base_year``; ``timing``.
    """
    folder = Path(folder)
    path, pop = _read(folder, FILES["population"],
                      [TIME, SEX, AGE, Column("value", lo=0.0, what="a population count (persons)")])
    pop = _sexes(path, pop)
    if pop["time_start"].nunique() != 1:
        raise AssumptionError(path, "time_start", f"expected the base population of one year; got years "
                                                  f"{sorted(pop['time_start'].unique())[:5]}")
    base_year = int(pop["time_start"].iloc[0])
    population = to_array(path, pop, {"sex": SEXES, "age_start": AGES})

    path, lt = _read(folder, FILES["life_table"],
                     [Column("indicator", "text", what="a life-table indicator"), TIME, SEX, AGE, Column("value")])
    lt = lt[(lt["indicator"] == "lt_nMx").to_numpy()]
    if lt.empty:
        raise AssumptionError(path, "indicator", "expected lt_nMx rows (central death rates) for female and male")
    lt = _sexes(path, lt)
    check_range(path, lt, "value", 0.0, MX_MAX, "a central death rate (lt_nMx)", CONTEXT)
    years = check_years(path, lt)
    mx = to_array(path, lt, {"time_start": years, "sex": SEXES, "age_start": AGES}, what=" of the lt_nMx rows")

    path, fert = _read(folder, FILES["fertility"],
                       [TIME, AGE, Column("value", lo=0.0, hi=1.0, what="a fertility rate (births per woman-year)")])
    asfr = to_array(path, _years(fert, years), {"time_start": years, "age_start": AGES})
    tfr = asfr.sum(axis=1)
    if (tfr > TFR_MAX).any():
        year = int(years[np.argmax(tfr > TFR_MAX)])
        raise AssumptionError(path, "value", f"expected a total fertility rate of at most {TFR_MAX:g} births "
                                             f"per woman; the rates of {year} add up to {tfr.max():.4g}")

    path, srb = _read(folder, FILES["srb"],
                      [TIME, Column("value", lo=SRB_RANGE[0], hi=SRB_RANGE[1],
                                    what="a sex ratio at birth (males per female)")])
    srb = to_array(path, _years(srb, years), {"time_start": years})

    path, mig = _read(folder, FILES["migration"], [TIME, SEX, AGE, Column("value", what="a net migrant count")])
    migration = to_array(path, _years(_sexes(path, mig), years), {"time_start": years, "sex": SEXES, "age_start": AGES})
    return {
        "base_year": base_year, "years": years, "population": population, "mx": mx,
        "asfr": asfr, "srb": srb, "migration": migration, "timing": _timing(folder),
    }


def _years(table: pd.DataFrame, years) -> pd.DataFrame:
    """The rows of the life table's years (a table may run longer)."""
    inside = table["time_start"].between(years[0], years[-1]).to_numpy()
    return table if inside.all() else table[inside]


def _timing(folder: Path) -> str:
    """Migration timing from ``mig_parameter`` (optional): ``end`` (default) or
    ``half`` when the UN's ``mig_assumption`` is ``even``."""
    try:
        path = _find(folder, FILES["migration_parameters"])
    except AssumptionError:
        return "end"
    path = path.absolute()
    params = read_table(path, [Column("indicator", "text"), Column("value", "text")],
                        what=f"UN table {FILES['migration_parameters']}")
    kinds = set(params.loc[params["indicator"] == "mig_assumption", "value"])
    types = set(params.loc[params["indicator"] == "mig_type", "value"])
    if types - {"counts"}:
        raise AssumptionError(path, "mig_type", "only migration counts are supported")
    if kinds == {"even"}:
        return "half"
    if kinds - {"end"}:
        raise AssumptionError(path, "mig_assumption", "expected 'end' or 'even'")
    return "end"
