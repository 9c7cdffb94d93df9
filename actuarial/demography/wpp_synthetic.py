"""Synthetic files in the layout of the UN's WPP 2024 CSV files (tests, benchmarks).

:func:`write_synthetic` writes, for ``n`` made-up locations (LocID 1001...,
ISO3 ``Q00``..., names ``Synthland 0``...), the Medium-variant files that
:mod:`actuarial.demography.wpp` reads, with the UN's columns (those of the
fixtures in ``tests/data/wpp``): population on 1 January by single age and
sex (1950-2023 and 2024-2100), complete life tables by sex (the same two
periods), fertility by single age and the demographic indicators. With
237 locations and every year 1950-2100 they are as large as the UN's files
(hundreds of MB uncompressed).

The values are invented but demographically coherent: m_x a Gompertz-Makeham
law improving 1% a year, ASFR a Hadwiger pattern times a TFR path, SRB 1.05,
net migration 0.2% of the population a year (emigration for every third
location) spread over ages by a normal curve around age 28 (deliberately not
the Rogers-Castro schedule), and the populations projected year by year by a
plain cohort-component step written here (Preston, Heuveline & Guillot
2001, ch. 6: survival ratios S_x = L_{x+1}/L_x of the written life table,
a_x = 1/2 and a_0 = 0.1, T_100/T_99 for the open group, births from the
mean female exposure surviving with L_0/l_0, migrants added at the end of
the year). The files' populations, rates and totals are thus consistent
to the precision written (10 significant digits), as the UN's are.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd

AGES = np.arange(101)
PREFIX = ["SortOrder", "LocID", "Notes", "ISO3_code", "ISO2_code", "SDMX_code", "LocTypeID", "LocTypeName",
          "ParentID", "Location", "VarID", "Variant"]
LT_COLUMNS = ["mx", "qx", "px", "lx", "dx", "Lx", "Sx", "Tx", "ex", "ax"]
INDICATORS = ["TPopulation1Jan", "TPopulation1July", "TPopulationMale1July", "TPopulationFemale1July",
              "PopDensity", "PopSexRatio", "MedianAgePop", "NatChange", "NatChangeRT", "PopChange",
              "PopGrowthRate", "DoublingTime", "Births", "Births1519", "CBR", "TFR", "NRR", "MAC", "SRB",
              "Deaths", "DeathsMale", "DeathsFemale", "CDR", "LEx", "LExMale", "LExFemale", "LE15", "LE15Male",
              "LE15Female", "LE65", "LE65Male", "LE65Female", "LE80", "LE80Male", "LE80Female", "InfantDeaths",
              "IMR", "LBsurvivingAge1", "Under5Deaths", "Q5", "Q0040", "Q0040Male", "Q0040Female", "Q0060",
              "Q0060Male", "Q0060Female", "Q1550", "Q1550Male", "Q1550Female", "Q1560", "Q1560Male",
              "Q1560Female", "NetMigrations", "CNMR"]
FLOAT = "%.10g"


def location(k: int, years) -> dict:
    """The made-up demography of location ``k``: mx (Y, 2, 101), asfr (Y, 101),
    net migration totals (Y,), population (Y, 2, 101), births (Y,)."""
    years = np.asarray(years)
    t = years - years[0]
    size = 1e6 * (1 + (k * 7919) % 50)  # 1 to 50 million in the first year
    level = 1.0 + 0.3 * ((k * 31) % 7) / 7
    sex = np.array([1.0, 1.25])[None, :, None]  # men's mortality a quarter higher
    improve = 0.99 ** t[:, None, None]
    mx = level * sex * improve * (0.0005 + 0.00003 * np.exp(0.095 * AGES))[None, None, :]
    mx = np.minimum(mx, 1.5)
    mx[:, :, 0] = level * sex[:, :, 0] * improve[:, :, 0] * 0.03
    tfr = 1.6 + 3.5 * np.exp(-t / (40 + k % 20))
    x = AGES + 0.5
    H, T = 3.0, 28.0
    pattern = np.where((x > 15) & (x < 50), (T / x) ** 1.5 * np.exp(-H**2 * (T / x + x / T - 2)), 0.0)
    asfr = tfr[:, None] * (pattern / pattern.sum())[None]
    shares = np.exp(-0.5 * ((AGES - 28) / 10.0) ** 2)
    shares = np.stack([shares, shares]) / (2 * shares.sum())
    sign = -1.0 if k % 3 == 2 else 1.0
    pop = np.empty((years.size, 2, 101))
    pop[0] = size / 101 / 2 * np.exp(-AGES / 60.0)[None] * (1 + np.array([0.02, 0.0]))[:, None]
    migration = np.empty(years.size)
    births = np.empty(years.size)
    for i in range(years.size):
        lt = life_table(mx[i])
        S = lt["Sx"]  # S_x = L_{x+1} / L_x; the open group (99 and 100+ together) T_100 / T_99
        new = np.empty((2, 101))
        new[:, 1:100] = pop[i, :, :99] * S[:, :99]
        new[:, 100] = (pop[i, :, 99] + pop[i, :, 100]) * S[:, 100]
        b = float(np.sum(asfr[i] * (pop[i, 0] + np.r_[0.0, new[0, 1:]]) / 2))
        new[:, 0] = b * np.array([1 / 2.05, 1.05 / 2.05]) * lt["Lx"][:, 0] / 100000
        births[i] = b
        migration[i] = sign * 0.002 * pop[i].sum()
        if i + 1 < years.size:
            pop[i + 1] = np.maximum(new + migration[i] * shares, 0.0)
    return {"mx": mx, "asfr": asfr, "net_migration": migration, "population": pop, "births": births}


def life_table(mx: np.ndarray) -> dict:
    """The UN's life-table columns from m_x (..., 101), a_x = 1/2 (a_0 0.1), radix 100,000."""
    ax = np.full(mx.shape, 0.5)
    ax[..., 0] = 0.1
    qx = np.minimum(mx / (1 + (1 - ax) * mx), 1.0)
    qx[..., -1] = 1.0
    lx = 100000 * np.concatenate([np.ones(mx.shape[:-1] + (1,)), np.cumprod(1 - qx[..., :-1], -1)], -1)
    dx = lx * qx
    Lx = lx - (1 - ax) * dx
    Lx[..., -1] = lx[..., -1] / mx[..., -1]
    Tx = np.cumsum(Lx[..., ::-1], -1)[..., ::-1]
    Sx = np.concatenate([Lx[..., 1:] / Lx[..., :-1], Tx[..., -1:] / Tx[..., -2:-1]], -1)
    return {"mx": mx, "qx": qx, "px": 1 - qx, "lx": lx, "dx": dx, "Lx": Lx, "Sx": Sx, "Tx": Tx,
            "ex": Tx / lx, "ax": ax}


def iso3(k: int) -> str:
    """The made-up ISO3 code of location ``k`` (QAA, QAB, ...)."""
    return f"Q{chr(65 + k // 26 % 26)}{chr(65 + k % 26)}"


def _keys(k: int) -> dict:
    """The key columns before ``Time`` of location ``k``."""
    return {"SortOrder": k + 1, "LocID": 1001 + k, "Notes": "", "ISO3_code": iso3(k), "ISO2_code": "",
            "SDMX_code": 1001 + k, "LocTypeID": 4,
            "LocTypeName": "Country/Area", "ParentID": 900, "Location": f"Synthland {k}", "VarID": 2,
            "Variant": "Medium"}


def write_synthetic(folder, n: int = 237, years=range(1950, 2101), split: int = 2024, compress: bool = True,
                    distinct: int = 3) -> Path:
    """Write the files for ``n`` locations and ``years`` into ``folder``
    (gzipped when ``compress``); periods split at ``split`` as the UN's. The
    first ``distinct`` locations have their own values (:func:`location`);
    location k >= distinct repeats the rows of location ``k % distinct``
    under its own keys (full-size files written fast)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    years = np.asarray(list(years))
    tables = [_tables(location(k, years), years, split) for k in range(min(n, distinct))]
    for name in tables[0]:
        path = folder / f"WPP2024_{name}{'.csv.gz' if compress else '.csv'}"
        opener = (lambda p: gzip.open(p, "wt", encoding="utf-8", newline="", compresslevel=1)) if compress else \
            (lambda p: open(p, "w", encoding="utf-8", newline=""))
        with opener(path) as f:
            f.write("\ufeff" + ",".join(PREFIX) + "," + tables[0][name][0] + "\n")
            for k in range(n):
                prefix = ",".join(str(v) for v in _keys(k).values()) + ","
                f.write("".join(prefix + line for line in tables[k % len(tables)][name][1]))
    return folder


def _tables(d: dict, years, split: int) -> dict:
    """file name -> (header after the keys, lines after the keys) of one location."""
    names = {"est": f"{years[0]}-{split - 1}", "proj": f"{split}-{years[-1]}"}
    out = {}
    for period, sel in (("est", years < split), ("proj", years >= split)):
        y = years[sel]
        if not y.size:
            continue
        rows_y = np.repeat(y, 101)
        ages = np.tile(AGES, y.size)
        age_cols = {"AgeGrp": np.where(ages == 100, "100+", ages.astype(str)), "AgeGrpStart": ages,
                    "AgeGrpSpan": np.where(ages == 100, -1, 1)}
        p = d["population"][sel] / 1000
        out[f"Population1JanuaryBySingleAgeSex_Medium_{names[period]}"] = _text({
            "Time": rows_y, "MidPeriod": rows_y, **age_cols, "PopMale": p[:, 1].ravel(),
            "PopFemale": p[:, 0].ravel(), "PopTotal": p.sum(1).ravel()})
        lt = life_table(d["mx"][sel])
        for g, (sex, sex_id) in enumerate((("Female", 2), ("Male", 1))):
            out[f"Life_Table_Complete_Medium_{sex}_{names[period]}"] = _text({
                "Time": rows_y, "MidPeriod": rows_y + 0.5, "SexID": sex_id, "Sex": sex, **age_cols,
                **{c: lt[c][:, g].ravel() for c in LT_COLUMNS}})
    fert_ages = np.arange(15, 50)
    rows_y = np.repeat(years, fert_ages.size)
    asfr = d["asfr"][:, 15:50] * 1000
    out["Fertility_by_Age1"] = _text({
        "Time": rows_y, "MidPeriod": rows_y + 0.5, "AgeGrp": np.tile(fert_ages, years.size),
        "AgeGrpStart": np.tile(fert_ages, years.size), "AgeGrpSpan": 1, "ASFR": asfr.ravel(),
        "PASFR": (asfr / asfr.sum(1, keepdims=True) * 100).ravel(), "Births": np.nan})
    ind = {c: np.nan for c in INDICATORS}
    ind.update({"TPopulation1Jan": d["population"].sum((1, 2)) / 1000, "Births": d["births"] / 1000,
                "SRB": 105.0, "TFR": d["asfr"].sum(1), "NetMigrations": d["net_migration"] / 1000})
    out["Demographic_Indicators_Medium"] = _text({"Time": years, **ind})
    return out


def _text(columns: dict) -> tuple[str, list[str]]:
    """(header, CSV lines with their newline) of the columns."""
    frame = pd.DataFrame(columns)
    text = frame.to_csv(index=False, float_format=FLOAT, lineterminator="\n")
    header, _, body = text.partition("\n")
    return header, body.splitlines(keepends=True)
