"""Write small WPP 2024 CSV fixtures, in the UN's layout, for tests/test_wpp.py.

Run from the repository root (needs ``../shared/data/``; the tests never do):

    python tests/data/wpp/make_fixtures.py

Writes, gzipped as the UN distributes them, for Canada (LocID 124, CAN) and
Mexico (484, MEX), estimates 2021-2023 and projections 2024-2027:

- ``WPP2024_Population1JanuaryBySingleAgeSex_Medium_1950-2023.csv.gz`` and
  ``..._Medium_2024-2100.csv.gz`` (Medium) and
  ``WPP2024_Population1JanuaryBySingleAgeSex_OtherVariants_2024-2100.csv.gz``
  (High, Low);
- ``WPP2024_Life_Table_Complete_Medium_{Female,Male}_{1950-2023,2024-2100}.csv.gz``;
- ``WPP2024_Fertility_by_Age1.csv.gz`` (Medium, High, Low; ages 15-49);
- ``WPP2024_Demographic_Indicators_Medium.csv.gz`` and
  ``WPP2024_Demographic_Indicators_OtherVariants.csv.gz``.

Columns and units are those of the UN files (see actuarial/demography/wpp.py);
the VALUES are approximations built from the public data in ../shared/data
(they are test data, not WPP 2024 figures):

- 1 January 2021 population by single age and sex: the WPP 2019 ccmppWPP
  inputs (single ages, 1950 base) projected 1950 -> 2019 by the UN method of
  ../shared/data/README.md, then 2020 and 2021 with the 2019 rates;
- m_x by single age: the WPP 2024 5-year death rates (``mxF5``, ``mxM5``) of
  the period holding the year, each single age given its group's rate (a
  step, no graduation); life tables from m_x with a_x = 1/2 at ages 1..99,
  a_0 by the Coale-Demeny rule, L_100 = l_100 / m_100, S_x = L_{x+1} / L_x
  (S_99 = S_100 = T_100 / T_99);
- ASFR at single age x in 15..49: TFR(year) x percentASFR5(group, year) / 100
  / 5 (the group's rate at each of its ages; the small shares of ages 10-14
  and 50-54 are left out, so the fixtures' TFR, written in the indicators,
  is a little below WPP's); High and Low: these rates times (TFR + 0.5) / TFR
  and (TFR - 0.5) / TFR from 2024 (after the UN's definition, +/- half a
  child, without its phase-in);
- SRB from ``sexRatio`` (males per female; written per 100 female births);
  net migration totals (thousands) from ``migration`` / ``migrationprojMed``
  (the same in every variant), spread over age and sex by the WPP 2019
  pattern of 2019;
- the populations of 2022-2027 projected from 2021 with these rates
  (migrants added at the end of the year), variant by variant.
Indicator columns not derived here are left empty.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[3]
SHARED = ROOT.parent / "shared" / "data"
OUT = Path(__file__).resolve().parent
COUNTRIES = [(124, "CAN", "CA", "Canada", 905), (484, "MEX", "MX", "Mexico", 916)]
ESTIMATES = range(2021, 2024)
PROJECTIONS = range(2024, 2028)
VARIANTS = {"Medium": (2, 0.0), "High": (3, 0.5), "Low": (4, -0.5)}
SEXES = ("female", "male")
IDS = ["SortOrder", "LocID", "Notes", "ISO3_code", "ISO2_code", "SDMX_code", "LocTypeID", "LocTypeName",
       "ParentID", "Location", "VarID", "Variant", "Time"]
INDICATORS = ["TPopulation1Jan", "TPopulation1July", "TPopulationMale1July", "TPopulationFemale1July",
              "PopDensity", "PopSexRatio", "MedianAgePop", "NatChange", "NatChangeRT", "PopChange",
              "PopGrowthRate", "DoublingTime", "Births", "Births1519", "CBR", "TFR", "NRR", "MAC", "SRB",
              "Deaths", "DeathsMale", "DeathsFemale", "CDR", "LEx", "LExMale", "LExFemale", "LE15", "LE15Male",
              "LE15Female", "LE65", "LE65Male", "LE65Female", "LE80", "LE80Male", "LE80Female", "InfantDeaths",
              "IMR", "LBsurvivingAge1", "Under5Deaths", "Q5", "Q0040", "Q0040Male", "Q0040Female", "Q0060",
              "Q0060Male", "Q0060Female", "Q1550", "Q1550Male", "Q1550Female", "Q1560", "Q1560Male",
              "Q1560Female", "NetMigrations", "CNMR"]


def wide(name: str, code: int) -> pd.DataFrame:
    table = pd.read_csv(SHARED / "wpp2024" / name, sep="\t")
    return table[table["country_code"] == code]


def by_year(names, code) -> dict:
    out = {}
    for name in names:
        row = wide(name, code).iloc[0]
        out.update({int(k): float(v) for k, v in row.items() if str(k).isdigit()})
    return out


def long(country: str, stem: str, indicator: str | None = None) -> pd.DataFrame:
    table = pd.read_csv(SHARED / f"un_ccmpp_{country.lower()}" / "inputs" / f"{stem}.csv")
    return table if indicator is None else table[table["indicator"] == indicator]


def lifetable(mx: np.ndarray, sex: str) -> dict:
    """Complete life table from single-age m_x (0..100+), radix 100000."""
    ax = np.full(101, 0.5)
    a0 = 0.1
    for _ in range(50):  # Coale-Demeny a_0 from q_0 (fixed point)
        q0 = mx[0] / (1 + (1 - a0) * mx[0])
        a0 = (0.35 if q0 >= 0.1 else 0.05 + 3 * q0) if sex == "female" else \
            (0.33 if q0 >= 0.1 else 0.0425 + 2.875 * q0)
    ax[0] = a0
    qx = mx / (1 + (1 - ax) * mx)
    qx[100] = 1.0
    lx = 100000 * np.concatenate([[1.0], np.cumprod(1 - qx[:-1])])
    dx = lx * qx
    Lx = lx - (1 - ax) * dx
    Lx[100] = lx[100] / mx[100]
    ax[100] = 1 / mx[100]
    Tx = np.cumsum(Lx[::-1])[::-1]
    Sx = np.empty(101)
    Sx[:99] = Lx[1:100] / Lx[:99]
    Sx[99:] = Tx[100] / Tx[99]
    return {"mx": mx, "qx": qx, "px": 1 - qx, "lx": lx, "dx": dx, "Lx": Lx, "Sx": Sx, "Tx": Tx,
            "ex": Tx / lx, "ax": ax}


def survival(mx: np.ndarray, sex: str) -> tuple[np.ndarray, float]:
    """S_x (x = 1..100 for the ageing, open group last) and S_0 (births)."""
    lt = lifetable(mx, sex)
    L, T = lt["Lx"], lt["Tx"]
    S = np.empty(101)
    S[1:100] = L[1:100] / L[:99]
    S[100] = T[100] / (L[99] + T[100])
    return S, L[0] / 100000


def step(pop, mx, asfr, srb, mig):
    """One year of the cohort-component projection (pop (2, 101) persons)."""
    new = np.empty_like(pop)
    s0 = []
    for i, sex in enumerate(SEXES):
        S, b = survival(mx[i], sex)
        new[i, 1:100] = pop[i, :99] * S[1:100]
        new[i, 100] = (pop[i, 99] + pop[i, 100]) * S[100]
        s0.append(b)
    births = float((asfr * (pop[0] + new[0]) / 2).sum())
    female = births / (1 + srb)
    new[0, 0], new[1, 0] = female * s0[0], (births - female) * s0[1]
    return new + mig, births


def base_2021(country: str) -> tuple[np.ndarray, np.ndarray]:
    """1 January 2021 population (2, 101) and the 2019 migration shares (2, 101)."""
    def cube(table, years):
        table = table.assign(s=table["sex"].map({"female": 0, "male": 1})).dropna(subset=["s"])
        arr = np.zeros((len(years), 2, 101))
        arr[table["time_start"] - years[0], table["s"].astype(int), table["age_start"]] = table["value"]
        return arr

    years = np.arange(1950, 2020)
    pop = cube(long(country, "pop_count_age_sex_base"), [1950])[0]
    mx = cube(long(country, "life_table_age_sex", "lt_nMx"), years)
    mig = cube(long(country, "mig_net_count_age_sex"), years)
    fert = long(country, "fert_rate_age_f")
    asfr = np.zeros((len(years), 101))
    asfr[fert["time_start"] - 1950, fert["age_start"]] = fert["value"]
    srb = long(country, "srb").set_index("time_start")["value"]
    for t in range(len(years) + 1):  # 1 Jan 1950 -> 2020 (rates of 1950..2019), -> 2021 (2019 rates)
        k = min(t, len(years) - 1)
        pop, _ = step(pop, mx[k], asfr[k], float(srb[years[k]]), mig[k])
    return pop, mig[-1] / mig[-1].sum()


def rates(code: int):
    """Single-age m_x (year -> (2, 101)), ASFR (year -> (101,)), SRB, migration (persons)."""
    mx5 = {sex: wide(f"mx{sex[0].upper()}5.txt", code) for sex in SEXES}
    pasfr = wide("percentASFR5.txt", code).set_index("age")
    tfr = by_year(["tfr.txt", "tfrprojMed.txt"], code)
    srb = by_year(["sexRatio.txt"], code)
    migration = by_year(["migration.txt", "migrationprojMed.txt"], code)
    starts = [0, 1] + list(range(5, 101, 5))
    width = np.diff(starts + [101])
    mx, asfr = {}, {}
    for year in list(ESTIMATES) + list(PROJECTIONS):
        start = year - year % 5
        period = f"{start}-{start + 5}"
        mx[year] = np.stack([np.repeat(mx5[sex][period].to_numpy(float), width) for sex in SEXES])
        a = np.zeros(101)
        for age in range(15, 50, 5):
            a[age:age + 5] = tfr[year] * pasfr.loc[f"{age}-{age + 4}", str(year)] / 100 / 5
        asfr[year] = a
    return mx, asfr, tfr, srb, migration


def ids(loc, variant: str, year: int, sort: int) -> dict:
    locid, iso3, iso2, name, parent = loc
    return {"SortOrder": sort, "LocID": locid, "Notes": "", "ISO3_code": iso3, "ISO2_code": iso2,
            "SDMX_code": locid, "LocTypeID": 4, "LocTypeName": "Country/Area", "ParentID": parent,
            "Location": name, "VarID": VARIANTS[variant][0], "Variant": variant, "Time": year}


def age_cols(age: int) -> dict:
    return {"AgeGrp": "100+" if age == 100 else str(age), "AgeGrpStart": age, "AgeGrpSpan": -1 if age == 100 else 1}


def build():
    rows = {k: [] for k in ("pop", "lt", "fert", "ind")}
    for sort, loc in enumerate(COUNTRIES, start=1):
        locid, _, _, name, _ = loc
        base, shares = base_2021(name)
        mx, asfr, tfr, srb, migration = rates(locid)
        lts = {(y, s): lifetable(mx[y][i], sex) for y in mx for i, (s, sex) in enumerate(zip(("Female", "Male"), SEXES))}
        for variant, (_, extra) in VARIANTS.items():
            pop = base
            years = list(ESTIMATES) + list(PROJECTIONS) if variant == "Medium" else list(PROJECTIONS)
            for year in list(ESTIMATES) + list(PROJECTIONS):
                a = asfr[year] * ((tfr[year] + (extra if year >= 2024 else 0.0)) / tfr[year])
                mig = migration[year] * 1000 * shares
                nxt, births = step(pop, mx[year], a, srb[year], mig)
                if year in years:
                    key = ids(loc, variant, year, sort)
                    for age in range(101):
                        rows["pop"].append({**key, "MidPeriod": year, **age_cols(age), "PopMale": pop[1, age] / 1000,
                                            "PopFemale": pop[0, age] / 1000, "PopTotal": pop[:, age].sum() / 1000})
                    for age in range(15, 50):
                        mean = (pop[0, age] + nxt[0, age]) / 2
                        rows["fert"].append({**key, "MidPeriod": year + 0.5, **age_cols(age), "ASFR": a[age] * 1000,
                                             "PASFR": 100 * a[age] / a.sum(), "Births": a[age] * mean / 1000})
                    ind = dict.fromkeys(INDICATORS, "")
                    ind.update({"TPopulation1Jan": pop.sum() / 1000, "Births": births / 1000, "TFR": a.sum(),
                                "SRB": 100 * srb[year], "NetMigrations": migration[year],
                                "LExFemale": lts[(year, "Female")]["ex"][0], "LExMale": lts[(year, "Male")]["ex"][0]})
                    rows["ind"].append({**key, **ind})
                    if variant == "Medium":
                        for s in ("Female", "Male"):
                            lt = lts[(year, s)]
                            for age in range(101):
                                rows["lt"].append({**key, "MidPeriod": year + 0.5, "SexID": 2 if s == "Female" else 1,
                                                   "Sex": s, **age_cols(age),
                                                   **{k: v[age] for k, v in lt.items()}})
                pop = nxt
    return {k: pd.DataFrame(v) for k, v in rows.items()}


def write(table: pd.DataFrame, name: str) -> None:
    text = table.to_csv(index=False, float_format="%.10g")
    with open(OUT / name, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:
        f.write(("\ufeff" + text).encode("utf-8"))  # the UN's files start with a UTF-8 BOM


def main():
    t = build()
    est, proj = t["pop"]["Time"] < 2024, t["pop"]["Time"] >= 2024
    med = t["pop"]["Variant"] == "Medium"
    write(t["pop"][est], "WPP2024_Population1JanuaryBySingleAgeSex_Medium_1950-2023.csv.gz")
    write(t["pop"][proj & med], "WPP2024_Population1JanuaryBySingleAgeSex_Medium_2024-2100.csv.gz")
    write(t["pop"][~med], "WPP2024_Population1JanuaryBySingleAgeSex_OtherVariants_2024-2100.csv.gz")
    for sex in ("Female", "Male"):
        lt = t["lt"][t["lt"]["Sex"] == sex]
        write(lt[lt["Time"] < 2024], f"WPP2024_Life_Table_Complete_Medium_{sex}_1950-2023.csv.gz")
        write(lt[lt["Time"] >= 2024], f"WPP2024_Life_Table_Complete_Medium_{sex}_2024-2100.csv.gz")
    write(t["fert"], "WPP2024_Fertility_by_Age1.csv.gz")
    write(t["ind"][t["ind"]["Variant"] == "Medium"], "WPP2024_Demographic_Indicators_Medium.csv.gz")
    write(t["ind"][t["ind"]["Variant"] != "Medium"], "WPP2024_Demographic_Indicators_OtherVariants.csv.gz")


if __name__ == "__main__":
    main()
