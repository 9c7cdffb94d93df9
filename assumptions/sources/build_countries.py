"""How the demography of ``canada.yaml`` and ``mexico.yaml`` was made.

Reads the UN reference data in ``../shared/data`` (not shipped: users do not
have it) and writes, for each country, ``assumptions/data/<country>/un_wpp.yaml``:
the ``demography`` section (and the Lee-Carter ``b_x`` of ``stochastic.mortality``)
that ``assumptions/<country>.yaml`` extends. Every number in those files
comes from here; rerun to rebuild them:

    python assumptions/sources/build_countries.py [--data ../shared/data]

Sources (UN Population Division, data licence CC BY 3.0 IGO):
- World Population Prospects 2019, inputs of the UN's cohort-component
  projection as distributed with the R package ccmppWPP (Wheldon & Hertog):
  population by single age and sex in 1950, life tables, fertility, sex
  ratio at birth and net migrants by age and sex, every year 1950-2019
  (``un_ccmpp_<country>/inputs``); for Canada also the UN's projected
  population by single age of 2020 (``un_ccmpp_canada/outputs``).
- World Population Prospects 2024 (R package wpp2024): estimates 2020-2023
  and medium-variant projections 2024-2100 of the TFR, the percentage age
  pattern of fertility, life expectancy at birth by sex, the sex ratio at
  birth and net migration totals (``wpp2024/``).

Method:
- Base population, 2020: Canada: the UN's own 2020 output (WPP 2019).
  Mexico: the WPP 2019 inputs projected 1950 -> 2020 by this engine with the
  UN conventions (``demography: {un_tables: ...}``; the same code reproduces
  the UN's Canada 1950-2020 output to ~4e-7, see
  validation_cases/un_canada_1950_2020; this script checks it again on
  Canada), summed into 5-year groups and graduated back to single ages by
  Beers' ordinary formula (``actuarial.demography.graduation``, every group
  total kept): the 1950 -> 2020 re-projection leaves a cliff between ages 69
  and 70 (P_70/P_69 = 0.81 women, 0.795 men, neighbours ~0.95), the seam
  between the 1950 base cohorts and the projected births, which no source
  shows (the max of |ln(P_x+1/P_x) - ln(P_x/P_x-1)| over ages 1-95 falls
  from 0.24 to 0.025; Canada's UN output, used as it is, has 0.036).
  UN figures are mid-year (1 July) stocks; the engine reads them as
  1 January 2020 (a half-year shift, ignored). The WPP 2019 inputs for
  Mexico have much lower mortality than WPP 2024's revised estimates (e0 in
  2019: 79.0 / 73.1 against 77.4 / 71.6) and give 134.4 million in 2020,
  4% above WPP 2019's published 128.9 million; so Mexico's base keeps the
  age-sex structure but its level is scaled by one factor so that the
  projection below reaches WPP 2024's 2024 population. Canada's UN output is
  used as it is (the script prints how close it comes to WPP 2024 in 2024).
- Mortality: the Brass logit model (beta = 1) with WPP 2024's life table of
  2015-2020 as the standard (the abridged m_x of mxF5/mxM5, ages 0, 1-4,
  5-9, ..., 100+, graduated to single ages by the penalised composite link
  model, ``graduation.graduate_rates``), moved to WPP 2024's e0 by sex:
  estimates 2020-2023 (including the COVID-19 years, severe in Mexico), then
  the medium variant, at anchors 2020-2025 and every 5 years to 2100.
- Fertility: WPP 2024 TFR (same anchors) x WPP 2024 percentage age pattern
  (5-year groups 10-14 .. 50-54) at anchors 2020, 2030, 2050, 2075, 2100,
  graduated to single ages 10..54 by the penalised composite link model
  over the groups' ages (``graduation.pclm_exact``: each group's share kept
  to rounding, so the TFR exactly; Mexico's 50-54 group, 0 in WPP 2024,
  stays 0): the former even spread over each group's 5 ages had steps of
  4.1 to 5.2 in max |ln(f_x+1/f_x) - ln(f_x/f_x-1)|, the PCLM has at most
  0.33 (Canada 0.21); sex ratio at birth from WPP 2024.
- Migration: WPP 2024 net migration totals (thousands -> persons, same
  anchors) x a model age-sex pattern: Rogers-Castro schedules fitted by sex
  to WPP 2019's net migrants by age summed over 2015-2019
  (``wpp_build.fitted_pattern``, the ``model`` method of ``demography.wpp``;
  Mexico: emigration, so fitted to the net emigrants). The WPP 2024 CSVs
  give totals only, and no single-age populations are in ../shared/data to
  take residuals from.
- Stochastic mortality: Lee-Carter b_x fitted by this engine
  (actuarial.stochastic.lee_carter) to ln m_x of WPP 2019's life tables
  1970-2019 by sex, and the volatility of k (mean over the sexes).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]  # assumptions/
DEFAULT_DATA = ROOT.parents[1] / "shared" / "data"
SEXES = ("female", "male")
COUNTRIES = {"canada": ("Canada", 124), "mexico": ("Mexico", 484)}
BASE_YEAR = 2020
ANCHORS = [2020, 2021, 2022, 2023, 2024, 2025, *range(2030, 2101, 5)]
PATTERN_ANCHORS = [2020, 2030, 2050, 2075, 2100]
FERTILE = (10, 54)  # WPP 2024's groups of the age pattern of fertility: 10-14 .. 50-54
SRB_ANCHORS = [2020, 2030, 2050, 2075, 2100]
MIGRATION_YEARS = range(2015, 2020)
MORTALITY_PERIOD = "2015-2020"  # WPP 2024 abridged m_x, the last period before COVID-19
GRADUATION = "beers"  # Mexico's base: 5-year groups to single ages (graduation.beers, group totals kept)
GRADUATE = ("mexico",)
LEE_CARTER_YEARS = (1970, 2019)
CALIBRATION_YEAR = 2024
CALIBRATE = ("mexico",)  # base level scaled to WPP 2024 (see the docstring)
LICENCE = ("# Source: UN Population Division, World Population Prospects 2019 (ccmppWPP inputs)\n"
           "# and 2024 (wpp2024). Data licence: CC BY 3.0 IGO.\n")


def wpp(data: Path, name: str, code: int) -> pd.Series:
    """One country's row of a wide WPP 2024 table, indexed by year (int)."""
    table = pd.read_csv(data / "wpp2024" / f"{name}.txt", sep="\t")
    row = table[table["country_code"] == code].iloc[0]
    row = row[[c for c in row.index if str(c).isdigit()]]  # years only (tfr.txt has a last.observed column)
    return pd.Series(row.values.astype(float), index=row.index.astype(int))


def wpp_path(data: Path, name: str, code: int) -> pd.Series:
    """Estimates (``name``) then medium-variant projections (``name``proj[Med])."""
    past = wpp(data, name, code)
    for suffix in ("projMed", "proj"):
        if (data / "wpp2024" / f"{name}{suffix}.txt").is_file():
            future = wpp(data, name + suffix, code)
            return pd.concat([past[past.index < future.index[0]], future])
    raise FileNotFoundError(name)


def asfr_pattern(data: Path, code: int, year: int) -> list[float]:
    """WPP 2024's percentage age pattern of fertility of ``year`` as shares of the
    5-year groups 10-14 .. 50-54 (percentASFR5 / 100)."""
    table = pd.read_csv(data / "wpp2024" / "percentASFR5.txt", sep="\t")
    rows = table[table["country_code"] == code]
    ages = [int(a.split("-")[0]) for a in rows["age"]]
    assert ages == list(range(FERTILE[0], FERTILE[1] + 1, 5)), ages
    return [float(v) / 100.0 for v in rows[str(year)]]


def graduated_pattern(shares) -> np.ndarray:
    """Single-age shares of ages 10..54 from the shares of the 5-year groups
    10-14 .. 50-54: the penalised composite link model (Rizzi, Gampe & Eilers
    2015) over the groups' ages (none outside; zero groups at the ends stay
    zero), every group then scaled to its own share, so that each group
    total, and so the TFR, is kept to rounding (``graduation.pclm_exact``)."""
    from actuarial.demography.graduation import pclm_exact

    starts = np.arange(FERTILE[0], FERTILE[1] + 1, 5)
    return pclm_exact(shares, starts, starts + 5)


def pattern_jump(values) -> float:
    """max over the ages x inside the run of positive shares f (ages 10..54, a zero
    group at the end left out, e.g. Mexico's 50-54) of |ln(f_x+1/f_x) - ln(f_x/f_x-1)|
    (the measure of tests/test_countries.age_jumps)."""
    values = np.asarray(values, float)
    return float(np.abs(np.diff(np.log(values[values > 0]), n=2)).max())


def un_assumptions(folder: Path, years: int):
    """The engine's assumptions for a UN long-table folder projected ``years`` years."""
    from actuarial.assumptions.model import assumptions_from_tree

    tree = {"case": {"name": "un_base", "base_year": 1950, "horizon": years},
            "demography": {"un_tables": str(folder)}}
    origins = {(): folder / "inputs" / "virtual.yaml"}
    return assumptions_from_tree(tree, origins, folder / "virtual.yaml")


def regraduate(pop: np.ndarray, method: str = GRADUATION) -> np.ndarray:
    """(sex, age) population summed into 5-year groups 0-4, ..., 95-99, 100+
    and graduated back to single ages by ``method`` (Beers ordinary: every
    group total kept, smooth across groups; actuarial.demography.graduation)."""
    from actuarial.demography.graduation import graduate_counts

    groups = np.concatenate([pop[:, :100].reshape(2, 20, 5).sum(axis=2), pop[:, 100:]], axis=1)
    return np.stack([graduate_counts(row, method) for row in groups])


def base_population(data: Path, country: str) -> np.ndarray:
    """(sex, age) population of 2020."""
    from actuarial.pipeline import run_demography

    folder = data / f"un_ccmpp_{country}"
    projected = run_demography(un_assumptions(folder, BASE_YEAR - 1950))["population"]
    projected = projected.isel(scenario=0).sel(year=BASE_YEAR).transpose("sex", "age").values
    if country in GRADUATE:
        print(f"{country}: base population by single age before graduation: max age-to-age jump "
              f"{max_jump(projected):.3f}; after: {max_jump(regraduate(projected)):.3f}")
        return regraduate(projected)
    out = pd.read_csv(folder / "outputs" / "pop_count_age_sex_1x1.csv")
    out = out[(out["time_start"] == BASE_YEAR) & out["sex"].isin(SEXES)]
    un = out.pivot_table(index="sex", columns="age_start", values="value").loc[list(SEXES)].values
    gap = np.abs(projected / un - 1).max()
    print(f"canada: engine 1950->2020 vs UN output, max relative difference {gap:.1e}")
    assert gap < 1e-5
    return un


def max_jump(pop: np.ndarray, ages=(1, 95)) -> float:
    """max over sexes and ages x in ``ages`` of |ln(P_x+1/P_x) - ln(P_x/P_x-1)|."""
    second = np.abs(np.diff(np.log(pop), n=2, axis=-1))  # column k: age k + 1
    return float(second[..., ages[0] - 1:ages[1]].max())


def abridged_mx(data: Path, code: int, sex: str, period: str = MORTALITY_PERIOD) -> np.ndarray:
    """WPP 2024 m_x of the abridged ages 0, 1-4, 5-9, ..., 95-99, 100+ (mxF5/mxM5)."""
    table = pd.read_csv(data / "wpp2024" / f"mx{sex[0].upper()}5.txt", sep="\t", dtype={"age": str})
    rows = table[table["country_code"] == code]
    assert list(rows["age"]) == ["0", "1", *map(str, range(5, 100, 5)), "100+"], list(rows["age"])
    return rows[period].to_numpy(float)


def standard_mx(data: Path, country: str) -> np.ndarray:
    """(sex, age) single-age m_x: WPP 2024's abridged m_x of MORTALITY_PERIOD graduated by the
    penalised composite link model (actuarial.demography.graduation.graduate_rates)."""
    from actuarial.demography.graduation import graduate_rates

    code = COUNTRIES[country][1]
    return np.stack([graduate_rates(abridged_mx(data, code, s), s == "female") for s in SEXES])


def migration_pattern(data: Path, country: str, sign: float) -> tuple[np.ndarray, list]:
    """Shares (sex, age), sum 1: a Rogers-Castro schedule fitted by sex to the UN's net
    migrants by age (WPP 2019) summed over MIGRATION_YEARS, times ``sign`` (Mexico: the net
    emigrants), by actuarial.demography.wpp_build.fitted_pattern (the model method)."""
    from actuarial.demography.wpp_build import fitted_pattern

    mig = pd.read_csv(data / f"un_ccmpp_{country}" / "inputs" / "mig_net_count_age_sex.csv")
    mig = mig[mig["time_start"].isin(MIGRATION_YEARS) & mig["sex"].isin(SEXES)]
    counts = mig.pivot_table(index="sex", columns="age_start", values="value", aggfunc="sum")
    pattern, params = fitted_pattern(sign * counts.loc[list(SEXES)].values[None])
    return pattern / pattern.sum(), params


def lee_carter(data: Path, country: str) -> tuple[np.ndarray, float]:
    from actuarial.stochastic.lee_carter import fit_lee_carter
    from actuarial.demography.un_tables import read_un_tables

    un = read_un_tables(data / f"un_ccmpp_{country}")
    rows = (un["years"] >= LEE_CARTER_YEARS[0]) & (un["years"] <= LEE_CARTER_YEARS[1])
    fits = [fit_lee_carter(np.log(un["mx"][rows, g])) for g in range(2)]
    b = []
    for fit in fits:  # 7 decimals, the rounding put on the largest b_x so that sum = 1
        values = np.round(fit.b, 7)
        i = int(np.argmax(values))
        values[i] = round(1.0 - (values.sum() - values[i]), 7)
        b.append(values)
    return np.array(b), float(np.mean([f.volatility for f in fits]))


# -- YAML writing ---------------------------------------------------------------------

def ages_list(values, fmt, indent: str) -> str:
    rows = []
    for start in range(0, 100, 10):
        chunk = ", ".join(fmt(v) for v in values[start:start + 10])
        rows.append(f"{indent} {chunk},   # ages {start}-{start + 9}")
    rows.append(f"{indent} {fmt(values[100])}]   # age 100+")
    rows[0] = indent + "[" + rows[0][len(indent) + 1:]
    return "\n".join(rows)


def anchors(series: pd.Series, years, fmt) -> str:
    return "{" + ", ".join(f"{y}: {fmt(series.loc[y])}" for y in years) + "}"


def g(digits):
    return lambda v: f"{float(v):.{digits}g}"


def total_in(text: str, year: int, base: np.ndarray | None = None) -> float:
    """Total population of ``year`` projected from 2020 with the demography in
    ``text`` (a generated file), optionally from another base population."""
    import yaml

    from actuarial.assumptions.model import assumptions_from_tree
    from actuarial.pipeline import run_demography

    tree = yaml.safe_load(text)
    tree.pop("stochastic")
    tree["case"] = {"name": "check", "base_year": BASE_YEAR, "horizon": year - BASE_YEAR}
    if base is not None:
        tree["demography"]["base_population"] = {s: [float(v) for v in row] for s, row in zip(SEXES, base)}
    a = assumptions_from_tree(tree, {(): ROOT / "check.yaml"}, ROOT / "check.yaml")
    return float(run_demography(a)["population"].isel(scenario=0).sel(year=year).sum())


def build(data: Path, country: str) -> str:
    name, code = COUNTRIES[country]
    pop = base_population(data, country)
    text = write(data, country, pop, "")
    target = wpp(data, "popprojMed", code).loc[CALIBRATION_YEAR] * 1000.0
    reached = total_in(text, CALIBRATION_YEAR)
    print(f"{country}: base 2020 {pop.sum() / 1e6:.3f} m reaches {reached / 1e6:.3f} m in {CALIBRATION_YEAR}; "
          f"WPP 2024: {target / 1e6:.3f} m")
    if country in CALIBRATE:
        # the projection is linear in the base population: P(k) = k (P(1) - P(0)) + P(0)
        zero = total_in(text, CALIBRATION_YEAR, np.zeros_like(pop))
        k = (target - zero) / (reached - zero)
        pop = pop * k
        note = (f"# The WPP 2019 inputs give {pop.sum() / k / 1e6:.3f} million in 2020 (their mortality is lower than\n"
                f"# WPP 2024's); the base is scaled by {k:.4f} so that this projection reaches WPP 2024's\n"
                f"# {CALIBRATION_YEAR} population ({target / 1e6:.3f} million).\n")
        text = write(data, country, pop, note)
        print(f"{country}: scaled by {k:.4f} to {pop.sum() / 1e6:.3f} m; reaches "
              f"{total_in(text, CALIBRATION_YEAR) / 1e6:.3f} m in {CALIBRATION_YEAR}")
    return text


def write(data: Path, country: str, pop: np.ndarray, note: str) -> str:
    name, code = COUNTRIES[country]
    mx = standard_mx(data, country)
    tfr = wpp_path(data, "tfr", code)
    e0 = {s: wpp_path(data, f"e0{s[0].upper()}", code) for s in SEXES}
    srb = wpp(data, "sexRatio", code)
    net = wpp_path(data, "migration", code) * 1000.0
    sign = 1.0 if net.loc[2015:2019].sum() >= 0 else -1.0
    pattern, params = migration_pattern(data, country, sign)
    b, vol = lee_carter(data, country)

    lines = [
        f"# {name}: demography made by assumptions/sources/build_countries.py (do not edit by hand:",
        "# rerun the script). assumptions/" + country + ".yaml extends this file.",
        LICENCE.rstrip("\n"),
        f"# Base population 2020: {pop.sum() / 1e6:.3f} million; "
        f"WPP 2024 medium variant {CALIBRATION_YEAR}: "
        f"{wpp(data, 'popprojMed', code).loc[CALIBRATION_YEAR] / 1e3:.3f} million.",
        *note.splitlines(),
        "demography:",
        "  working_ages: [15, 64]",
        "  old_age: 65",
        "  base_population:     # 1 January 2020 (UN mid-2020 stock, WPP 2019), persons by single age 0..99 and 100+",
    ]
    if country in GRADUATE:
        lines.append(f"    # 5-year groups of the WPP 2019 inputs projected 1950 -> 2020, graduated to single ages by "
                     f"{GRADUATION} (group totals kept)")
    for s, row in zip(SEXES, pop):
        lines.append(f"    {s}:")
        lines.append(ages_list(np.rint(row).astype(int), str, "      "))
    lines += [
        "  mortality:",
        f"    brass_logit:       # WPP 2024 life table of {MORTALITY_PERIOD} moved to WPP 2024's e0",
        "      beta: 1.0",
        f"      standard:        # m_x by single age 0..99 and 100+: WPP 2024 mxF5/mxM5 {MORTALITY_PERIOD} "
        "(ages 0, 1-4, 5-9, ..., 100+) graduated by the PCLM",
    ]
    for s, row in zip(SEXES, mx):
        lines.append(f"        {s}:")
        lines.append("          mx:")
        lines.append(ages_list(row, g(6), "            "))
    lines.append("      e0:              # years at birth: WPP 2024 estimates 2020-2023, medium variant 2024-2100")
    for s in SEXES:
        lines.append(f"        {s}: {anchors(e0[s], ANCHORS, lambda v: f'{v:.2f}')}")
    lines += [
        "  fertility:",
        f"    tfr: {anchors(tfr, ANCHORS, lambda v: f'{v:.3f}')}   # births per woman, WPP 2024",
        "    pattern:           # shares by single age of mother 10..54: WPP 2024 percentage age pattern (5-year",
        "                       # groups 10-14 .. 50-54) graduated by the PCLM, each group's share kept",
    ]
    for y in PATTERN_ANCHORS:
        shares = asfr_pattern(data, code, y)
        single = graduated_pattern(shares)
        print(f"{country} {y}: fertility pattern's max age-to-age jump, groups spread evenly "
              f"{pattern_jump(np.repeat(shares, 5)):.3f}, PCLM {pattern_jump(single):.3f}; TFR {tfr.loc[y]:.6f} "
              f"x groups' shares: sum {sum(shares):.12f} before, {single.sum():.12f} after")
        rows = [", ".join(f"{v:.12g}" for v in single[i:i + 10]) for i in range(0, single.size, 10)]
        lines.append(f"      {y}:")
        lines.append(f"        first_age: {FERTILE[0]}")
        for i, row in enumerate(rows):
            start = FERTILE[0] + 10 * i
            end = min(start + 9, FERTILE[1])
            lead = "        values: [" if i == 0 else "                 "
            tail = "]" if i == len(rows) - 1 else ","
            lines.append(f"{lead}{row}{tail}   # ages {start}-{end}")
    lines += [
        f"    srb: {anchors(srb, SRB_ANCHORS, lambda v: f'{v:.3f}')}   # males born per female born, WPP 2024",
        "  migration:",
        "    timing: end        # as in the UN's projection (ccmppWPP mig_assumption = end)",
        f"    total: {anchors(net, ANCHORS, lambda v: f'{v:.0f}')}   # net migrants a year, WPP 2024",
        f"    pattern:           # shares by sex and age: Rogers-Castro schedules fitted to the net "
        f"{'immigrants' if sign > 0 else 'emigrants'} of WPP 2019, {MIGRATION_YEARS[0]}-{MIGRATION_YEARS[-1]}",
    ]
    for s, p in zip(SEXES, params):
        lines.append(f"      # {s}: Rogers-Castro " + ", ".join(f"{k} {v:.4g}" for k, v in p.items()))
    for s, row in zip(SEXES, pattern):
        lines.append(f"      {s}:")
        lines.append(ages_list(row, g(5), "        "))
    lines += [
        "",
        "stochastic:",
        "  mortality:          # Lee-Carter fitted to WPP 2019 ln m_x "
        f"{LEE_CARTER_YEARS[0]}-{LEE_CARTER_YEARS[1]} (b_x sum to 1)",
        "    b:",
    ]
    for s, row in zip(SEXES, b):
        lines.append(f"      {s}:")
        lines.append(ages_list(row, lambda v: f"{v:.7f}", "        "))
    lines.append(f"    volatility: {vol:.3f}   # sd of the yearly change of k, mean of the sexes")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared reference data folder")
    parser.add_argument("countries", nargs="*", default=list(COUNTRIES))
    args = parser.parse_args(argv)
    for country in args.countries:
        text = build(args.data, country)
        out = ROOT / "data" / country / "un_wpp.yaml"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out.relative_to(ROOT.parent)} ({len(text) // 1024} KiB)")


if __name__ == "__main__":
    main()
