"""Write the small extracts of UN data used by the graduation validation cases.

Run from the repository root (needs ``../shared/data/``; the validation cases
and tests never read it):

    python validation_cases/sources/make_graduation_fixtures.py

Writes, in this folder:

- ``canada_pop_1x1.csv``: population on 1 January by single age 0..100+ and
  sex, Canada, years 1950, 1970, 1990, 2010, 2020 (columns year, sex, age,
  value), from ``un_ccmpp_canada/outputs/pop_count_age_sex_1x1.csv``;
- ``canada_lt_1x1.csv``: the complete life tables of the same years (columns
  year, sex, age, mx, dx, Lx: lt_nMx, lt_ndx, lt_nLx), from
  ``un_ccmpp_canada/outputs/lt_complete_age_sex.csv``;
- ``wpp2024_mx5.csv``: the WPP 2024 abridged death rates (ages 0, 1-4, 5-9,
  ..., 100+) of Canada and Mexico by sex and 5-year period 1950-2100
  (columns country, sex, period, age, value; ``age`` the group's lower age),
  from ``wpp2024/mxF5.txt`` and ``mxM5.txt``.

Source: UN Population Division, World Population Prospects 2019 (ccmppWPP
outputs) and 2024 (R package wpp2024). Licence: CC BY 3.0 IGO.
"""

from pathlib import Path

import pandas as pd

SHARED = Path("../shared/data")
HERE = Path(__file__).resolve().parents[1] / "graduation"
YEARS = [1950, 1970, 1990, 2010, 2020]


def _write(table: pd.DataFrame, name: str, rev: str) -> None:
    """``table`` as CSV (source and licence of ``rev`` in this folder's README.md)."""
    table.to_csv(HERE / name, index=False, float_format="%.10g", lineterminator="\n")


def main() -> None:
    out = SHARED / "un_ccmpp_canada" / "outputs"
    pop = pd.read_csv(out / "pop_count_age_sex_1x1.csv")
    pop = pop[pop.sex.isin(["female", "male"]) & pop.time_start.isin(YEARS)]
    pop = pop.rename(columns={"time_start": "year", "age_start": "age"})[["year", "sex", "age", "value"]]
    _write(pop, "canada_pop_1x1.csv", "2019 (ccmppWPP outputs, Canada)")
    lt = pd.read_csv(out / "lt_complete_age_sex.csv")
    lt = lt[lt.sex.isin(["female", "male"]) & lt.time_start.isin(YEARS)
            & lt.indicator.isin(["lt_nMx", "lt_ndx", "lt_nLx"])]
    lt = lt.pivot_table(index=["time_start", "sex", "age_start"], columns="indicator", values="value").reset_index()
    lt.columns = ["year", "sex", "age", "Lx", "mx", "dx"]
    _write(lt[["year", "sex", "age", "mx", "dx", "Lx"]], "canada_lt_1x1.csv", "2019 (ccmppWPP outputs, Canada)")
    rows = []
    for sex, stem in (("female", "mxF5"), ("male", "mxM5")):
        wide = pd.read_csv(SHARED / "wpp2024" / f"{stem}.txt", sep="\t")
        long = wide.melt(id_vars=["country_code", "country", "age"], var_name="period", value_name="value")
        long["age"] = long["age"].astype(str).str.rstrip("+").astype(int)
        long["sex"] = sex
        rows.append(long.rename(columns={"country": "country_name"}))
    mx5 = pd.concat(rows)
    mx5 = mx5.rename(columns={"country_name": "country"})[["country", "sex", "period", "age", "value"]]
    _write(mx5, "wpp2024_mx5.csv", "2024 (R package wpp2024, mxF5/mxM5)")


if __name__ == "__main__":
    main()
