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

Grouped rows: a table may give age groups instead of single ages, each row
an ``age_start`` and its ``age_span`` (e.g. 0-4 as ``0,5``; the open group
``age_span = 1000``), contiguous within each year and sex (no overlap, no
gap; counts and m_x from age 0 to an open group; fertility any closed
groups, zero outside them). They are graduated to single ages 0..100+
(:func:`graduated`, :mod:`actuarial.demography.graduation`) by the
``demography.grouped.graduation`` method: population by ``graduate_counts``
(pclm: any groups; sprague or beers: 0-4, ..., 95-99, 100+), net migrants by
``graduate_signed`` (sprague or beers), m_x (``lt_nMx``) always by the PCLM
of an abridged life table (``complete_mx``), fertility rates always by the
PCLM of births per woman (rate x span) over the groups' ages (zero outside),
every group's births kept (``pclm_exact``). A table of single ages (every
span 1, the last 1000 or 1) is read as it is.

Errors name the file (full path), the column, the file row and what was
expected.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from actuarial.datafiles import Column, check_range, check_table, check_years, data_error, read_table, to_array
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


def _read(folder: Path, stem: str, columns, graduation: str = "pclm") -> tuple[Path, pd.DataFrame]:
    """The table ``stem``, its declared ``columns`` checked; grouped rows
    (an ``age_span`` other than 1) graduated to single ages (:func:`graduated`)."""
    path = _find(folder, stem).absolute()
    table = read_table(path, columns, what=f"UN table {stem}", context=CONTEXT)
    return path, graduated(path, table, stem, graduation)


OPEN_SPAN = 1000
"""``age_span`` of the open age group (ccmppWPP)."""
SPAN = Column("age_span", "int", lo=1, hi=OPEN_SPAN, what=f"an age span in years ({OPEN_SPAN} = the open group)")
KINDS = {FILES["population"]: "counts", FILES["life_table"]: "rates", FILES["fertility"]: "fertility",
         FILES["migration"]: "signed"}
"""How each table's grouped rows are graduated (module docstring)."""


def graduated(path: Path, table: pd.DataFrame, stem: str, method: str = "pclm") -> pd.DataFrame:
    """``table`` with its grouped rows graduated to single ages 0..100 (100 =
    100+), one block per year (and sex, and indicator) by :func:`_graduate_block`;
    unchanged when it has no ``age_span`` column or only single ages. The
    rows made carry the file row of their block's first row."""
    import pandas as pd

    if "age_span" not in table.columns or stem not in KINDS:
        return table
    span = check_table(path, table[["age_span"]], [SPAN], what=f"UN table {stem}")["age_span"]
    age = table["age_start"].to_numpy()
    if np.all((span == 1) | ((span == OPEN_SPAN) & (age == AGES[-1]))):
        return table
    keys = [k for k in ("indicator", "time_start", "sex") if k in table.columns]
    table = table.assign(age_span=span)
    blocks = []
    for _, block in table.groupby(keys, sort=False):
        if "indicator" in block and block["indicator"].iloc[0] != "lt_nMx":
            continue  # only the life table's m_x are read
        values = _graduate_block(path, block.sort_values("age_start", kind="stable"), KINDS[stem], method)
        first = block.iloc[0]
        blocks.append(pd.DataFrame({**{k: first[k] for k in keys}, "age_start": np.arange(len(AGES)),
                                    "age_span": 1, "value": values},
                                   index=np.full(len(AGES), block.index[0])))
    return pd.concat(blocks)


def _graduate_block(path: Path, block: pd.DataFrame, kind: str, method: str) -> np.ndarray:
    """Single-age values 0..100+ of one year's (and sex's) groups, checked
    contiguous (:func:`_check_groups`) and graduated as ``kind``."""
    from actuarial.demography import graduation as grad

    starts, ends = _check_groups(path, block, kind)
    values = block["value"].to_numpy(float)
    if np.all(ends - starts == 1):  # single ages (the open group 100+ ends at 101): as they are
        out = np.zeros(len(AGES))
        out[starts] = values
        return out
    where = ", ".join(f"{k}={block[k].iloc[0]}" for k in ("time_start", "sex") if k in block)
    try:
        if kind == "fertility":
            out = np.zeros(len(AGES))
            # a group's rate times its width = its births per woman = the sum of its single-age rates
            out[starts[0]:ends[-1]] = grad.pclm_exact(values * (ends - starts), starts, ends)
            return out
        if kind == "rates":
            return grad.complete_mx(values, starts, female=block["sex"].iloc[0] == "female")
        fives = list(range(0, 101, 5))
        if method != "pclm" and list(starts) != fives:
            raise ValueError(f"{method} needs the groups 0-4, 5-9, ..., 95-99, 100+; for other groups "
                             "use demography.grouped.graduation: pclm")
        if kind == "signed":
            if method == "pclm":
                raise ValueError("net migrant counts (of any sign) are graduated by sprague or beers, not "
                                 "pclm: set demography.grouped: {age_groups: 5, graduation: beers}")
            return grad.graduate_signed(values, method)
        if method == "pclm":
            return grad.pclm(values, starts)
        return grad.graduate_counts(values, method)
    except ValueError as exc:
        raise data_error(path, "value", int(block.index[0]), f"the age groups of {where} from this row "
                                             f"cannot be graduated: {exc}") from None


def _check_groups(path: Path, block: pd.DataFrame, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper (exclusive) ages of one block's groups: contiguous, no
    overlap, no gap; counts and m_x from age 0 to an open group (age_span
    1000); fertility closed groups within 0..100. The open group ends at 101
    here (the engine's 100+). Errors name the file row and what was expected."""
    starts = block["age_start"].to_numpy()
    spans = block["age_span"].to_numpy()
    rows = block.index.to_numpy()
    is_open = spans == OPEN_SPAN
    ends = np.where(is_open, len(AGES), starts + spans)
    where = ", ".join(f"{k}={block[k].iloc[0]}" for k in ("time_start", "sex") if k in block)

    def label(i):
        return f"{starts[i]}+" if is_open[i] else f"{starts[i]}-{ends[i] - 1}"

    if kind != "fertility" and starts[0] != 0:
        raise data_error(path, "age_start", int(rows[0]), f"expected the first age group of {where} at "
                                                 f"age 0; got {label(0)}")
    for i in range(1, starts.size):
        if starts[i] < ends[i - 1]:
            raise data_error(path, "age_start", int(rows[i]), f"the age group {label(i)} of {where} overlaps "
                                                     f"{label(i - 1)} (row {rows[i - 1]}); expected the next group "
                                                     f"to start at age {ends[i - 1]}")
        if starts[i] > ends[i - 1]:
            raise data_error(path, "age_start", int(rows[i]), f"ages {ends[i - 1]}-{starts[i] - 1} of {where} "
                                                     f"are in no group (after {label(i - 1)}, row {rows[i - 1]}); "
                                                     f"expected the next group to start at age {ends[i - 1]}")
    if kind == "fertility":
        if is_open.any() or ends[-1] > len(AGES) - 1:
            i = int(np.argmax(is_open | (ends > len(AGES) - 1)))
            raise data_error(path, "age_span", int(rows[i]), f"expected closed fertility age groups within "
                                                    f"ages 0..99; got {label(i)}")
    elif not is_open[-1]:
        raise data_error(path, "age_span", int(rows[-1]), f"expected the last age group of {where} open "
                                                f"(age_span {OPEN_SPAN}, e.g. 100+); got {label(-1)}")
    if kind == "fertility" and ends[-1] - starts[0] < 5:
        raise AssumptionError(path, "age_start", f"expected fertility age groups over at least 5 ages; got {where}")
    return starts, ends


def _sexes(path, table: pd.DataFrame) -> pd.DataFrame:
    """The female and male rows (other sexes, e.g. ``both``, are left out)."""
    table = table[table["sex"].isin(SEXES)]
    if set(table["sex"]) != set(SEXES):
        raise AssumptionError(path, "sex", "expected rows for female and male")
    return table


def read_un_tables(folder, graduation: str = "pclm") -> dict:
    """Base population, m_x, fertility, SRB and net migrants from UN tables.

    Returns arrays with sex order (female, male): ``population`` (2, 101),
    ``mx`` (years, 2, 101), ``asfr`` (years, 101), ``srb`` (years,),
    ``migration`` (years, 2, 101); ``years`` (consecutive, those of the
    life table's ``lt_nMx`` rows); ``base_year``; ``timing``. Grouped rows
    are graduated by ``graduation`` (module docstring).
    """
    folder = Path(folder)
    path, pop = _read(folder, FILES["population"],
                      [TIME, SEX, AGE, Column("value", lo=0.0, what="a population count (persons)")], graduation)
    pop = _sexes(path, pop)
    if pop["time_start"].nunique() != 1:
        raise AssumptionError(path, "time_start", f"expected the base population of one year; got years "
                                                  f"{sorted(pop['time_start'].unique())[:5]}")
    base_year = int(pop["time_start"].iloc[0])
    population = to_array(path, pop, {"sex": SEXES, "age_start": AGES})

    path, lt = _read(folder, FILES["life_table"],
                     [Column("indicator", "text", what="a life-table indicator"), TIME, SEX, AGE, Column("value")],
                     graduation)
    lt = lt[(lt["indicator"] == "lt_nMx").to_numpy()]
    if lt.empty:
        raise AssumptionError(path, "indicator", "expected lt_nMx rows (central death rates) for female and male")
    lt = _sexes(path, lt)
    check_range(path, lt, "value", 0.0, MX_MAX, "a central death rate (lt_nMx)", CONTEXT)
    years = check_years(path, lt)
    mx = to_array(path, lt, {"time_start": years, "sex": SEXES, "age_start": AGES}, what=" of the lt_nMx rows")

    path, fert = _read(folder, FILES["fertility"],
                       [TIME, AGE, Column("value", lo=0.0, hi=1.0, what="a fertility rate (births per woman-year)")],
                       graduation)
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

    path, mig = _read(folder, FILES["migration"], [TIME, SEX, AGE, Column("value", what="a net migrant count")],
                        graduation)
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
