"""Validation kinds for the demography stage.

un_projection     UN WPP 2019 projection of Canada 1950-2020 (ccmppWPP outputs)
un_life_table     UN complete life tables (published l_x, L_x, T_x, e_x, q_x)
preston           Preston, Heuveline & Guillot (2001) Box 6.2, Sweden 1993-1998
stationary        B L_x / l_0 with NRR = 1 and no migration stays put
stable            growth factor -> dominant eigenvalue of the Leslie matrix,
                  and ln(lambda) ~ Lotka's r solved with scipy
accounting        P(t+1) = P(t) + B - D + M, by sex, every year
annuities         closed forms under constant mortality, and commutation
                  functions (D_x, N_x) on a real table
makeham_law       annuities, e_x and S_100 of a Makeham law given at ages
                  0..100 only, against its closed-form survival past 100
un_beyond_data    UN tables projected past their last year: an error naming
                  demography.beyond_data and the year without the key; with
                  hold_flat, the last year's m_x and fertility rates (read from
                  the CSV files here) in every later year
migration_cap     emigration capped at the persons present (no negative
                  people), against a plain cohort-component loop
"""

from __future__ import annotations

import math
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from scipy.integrate import quad
from scipy.optimize import brentq

from actuarial.assumptions import load_assumptions
from actuarial.assumptions.reader import Reader
from actuarial.datafiles import read_csv
from actuarial.demography import _kernels
from actuarial.demography.inputs import demographic_inputs
from actuarial.demography.lifetable import annuity_factors, life_table, qx_to_mx, survival
from actuarial.demography.projection import TIMINGS, UnrealisedEmigrationWarning, project_population
from actuarial.errors import AssumptionError
from actuarial.pipeline import run_demography
from actuarial.validation import Row, row

SEXES = ["female", "male"]


def _read_long(path: Path, index) -> pd.DataFrame:
    table = read_csv(path)
    table = table[table["sex"].isin(SEXES)] if "sex" in table else table
    return table.pivot_table(index=index, columns="age_start", values="value", aggfunc="first")


def un_projection(name: str, r: Reader, folder: Path) -> list[Row]:
    assumptions = load_assumptions(folder / r.string("assumptions"))
    outputs = r.file_path("outputs")
    tol = r.number("rtol", lo=0.0)
    ds = run_demography(assumptions).isel(scenario=0)
    pop = _read_long(next(outputs.glob("pop_count_age_sex_1x1.csv*")), ["time_start", "sex"])
    years = pop.index.get_level_values(0).unique().values
    expected_pop = pop.values.reshape(years.size, 2, 101)
    rows = [row(name, "population by year, sex, age", expected_pop,
                ds["population"].sel(year=years).values, tol)]
    for stem, var, label in (("birth_count_tot_sex", ds["births"], "births by sex"),
                             ("death_count_tot_sex", ds["deaths"].sum("age"), "deaths by sex")):
        flows = read_csv(next(outputs.glob(f"{stem}.csv*")))
        flows = flows[flows["sex"].isin(SEXES)].pivot(index="time_start", columns="sex", values="value")
        flows = flows[SEXES]
        rows.append(row(name, label, flows.values, var.sel(year=flows.index.values).values, tol))
    return rows


def un_life_table(name: str, r: Reader, folder: Path) -> list[Row]:
    path = r.file_path("table")
    tol = r.number("rtol", lo=0.0)
    table = read_csv(path)
    wide = {ind: g.pivot_table(index=["time_start", "sex"], columns="age_start", values="value")
            for ind, g in table.groupby("indicator")}
    years = wide["lt_nMx"].index.get_level_values(0).unique().values
    shape = (years.size, 2, 101)
    mx = xr.DataArray(wide["lt_nMx"].values.reshape(shape), dims=("year", "sex", "age"),
                      coords={"year": years, "sex": SEXES, "age": np.arange(101)})
    lt = life_table(mx, radix=100_000.0, open_group="un")  # the UN's own open-group rule
    pairs = (("lt_nqx", "qx"), ("lt_lx", "lx"), ("lt_nLx", "Lx"), ("lt_Tx", "Tx"), ("lt_ex", "ex"))
    return [row(name, f"{ours} ({years[0]}-{years[-1]}, both sexes, ages 0-100+)",
                wide[un].values.reshape(shape), lt[ours].values, tol) for un, ours in pairs]


def preston(name: str, r: Reader, folder: Path) -> list[Row]:
    """Five-year projection with half the migrants at the start, half at the end."""
    data = read_csv(r.file_path("table"))
    srb = r.number("srb", lo=0.8, hi=1.3)
    step = r.number("step", lo=1.0)
    tol = r.number("atol", lo=0.0)
    n = len(data)

    def both(col_f, col_m):
        return np.stack([data[col_f].values, data[col_m].values]).astype(float)

    pop0 = both("pop_count_age_f_begin", "pop_count_age_m_begin")[None]
    S = both("survival_ratio_age_f", "survival_ratio_age_m")[None, None]
    mig = both("mig_net_count_age_f", "mig_net_count_age_m")[None, None]
    asfr = data["fert_rate_age_f"].values.astype(float)[None, None]
    srb_a = np.array([[srb]])
    pop = np.empty((1, 2, 2, n))
    births = np.empty((1, 2, 2))
    deaths = np.empty((1, 2, 2, n))
    # two steps so that the first end population is kept (the kernel drops the last)
    S2, mig2, asfr2 = (np.repeat(a, 2, axis=1) for a in (S, mig, asfr))
    _kernels.project(pop0, np.ascontiguousarray(S2), np.ascontiguousarray(asfr2),
                     np.repeat(srb_a, 2, axis=1), np.ascontiguousarray(mig2), TIMINGS["half"],
                     step, pop, births, deaths)
    end = pop[0, 1]
    return [
        row(name, "female population 1998 by age", data["pop_count_age_f_end"].values, end[0], tol, False),
        row(name, "male population 1998 aged 0-4", data["pop_count_age_m_end"].values[0], end[1, 0], tol, False),
        row(name, "births 1993-1998", data["birth_count_age_b"].sum(), births[0, 0].sum(), 2 * tol, False),
    ]


def _base_rates(r: Reader, folder: Path):
    assumptions = load_assumptions(folder / r.string("assumptions"))
    year = assumptions.case.base_year
    inputs = demographic_inputs(assumptions.demography, [year])
    return assumptions, {k: v.isel(year=0, drop=True) if "year" in v.dims else v for k, v in inputs.items()}


def _constant(da: xr.DataArray, years) -> xr.DataArray:
    return da.expand_dims(year=years).copy()


def stationary(name: str, r: Reader, folder: Path) -> list[Row]:
    """Start at B_s L_x / l_0 (T_100 / l_0 at 100+) with F scaled to NRR = 1."""
    assumptions, base = _base_rates(r, folder)
    horizon = r.number("horizon", lo=1, integer=True)
    tol = r.number("rtol", lo=0.0)
    years = np.arange(horizon + 1)
    lt = life_table(base["mx"], radix=1.0)
    srb = float(base["srb"])
    Lf = lt["Lx"].sel(sex="female")
    asfr = base["asfr"] * (1 + srb) / float((base["asfr"] * Lf).sum())  # sum F L^f = 1 + SRB
    b = xr.DataArray([1e5, 1e5 * srb], dims="sex", coords={"sex": SEXES})
    start = b * lt["Lx"].where(lt["age"] < 100, lt["Tx"])
    ds = project_population(start, _constant(base["mx"], years), _constant(asfr, years),
                            _constant(base["srb"], years), _constant(xr.zeros_like(base["mx"]), years))
    pop = ds["population"].isel(scenario=0)
    return [
        row(name, "population by year, sex, age / start", np.ones(pop.shape),
            (pop / start).transpose("year", "sex", "age").values, tol),
        row(name, "births by year and sex", np.broadcast_to(b.values, (years.size, 2)),
            ds["births"].isel(scenario=0).values, tol),
    ]


def leslie_matrix(S: np.ndarray, F: np.ndarray, srb: float) -> np.ndarray:
    """Female projection matrix of the UN method, built independently of the kernel.

    Survival part M: P'_x = S_x P_{x-1}, P'_100 = S_100 (P_99 + P_100).
    Births B = 1/2 sum_x F_x (P_x + P'_x) = 1/2 (F + F M) P; the first row
    adds S_0 B / (1 + SRB).
    """
    n = S.size
    M = np.zeros((n, n))
    M[np.arange(1, n), np.arange(n - 1)] = S[1:]
    M[n - 1, n - 1] = S[n - 1]
    births = 0.5 * (F + F @ M)
    M[0] += S[0] * births / (1 + srb)
    return M


def stable(name: str, r: Reader, folder: Path) -> list[Row]:
    assumptions, base = _base_rates(r, folder)
    horizon = r.number("horizon", lo=50, integer=True)
    tol_lambda = r.number("rtol_lambda", lo=0.0)
    tol_r = r.number("atol_r", lo=0.0)
    years = np.arange(horizon + 1)
    srb = float(base["srb"])
    mig = xr.zeros_like(base["mx"])
    ds = project_population(base["base_population"], _constant(base["mx"], years),
                            _constant(base["asfr"], years), _constant(base["srb"], years),
                            _constant(mig, years))
    female = ds["population"].isel(scenario=0).sel(sex="female").sum("age").values
    growth = female[-1] / female[-2]
    S, _ = survival(base["mx"])
    F = base["asfr"].values
    lam = max(np.linalg.eigvals(leslie_matrix(S.sel(sex="female").values, F, srb)), key=abs).real
    lt = life_table(base["mx"], radix=1.0).sel(sex="female")
    net = (F * lt["Lx"].values) / (1 + srb)
    x = np.arange(101) + 0.5
    lotka_r = brentq(lambda rr: float((np.exp(-rr * x) * net).sum()) - 1.0, -0.2, 0.2)
    return [
        row(name, "growth factor of women vs Leslie eigenvalue", lam, growth, tol_lambda),
        row(name, "ln(growth factor) vs Lotka r (per year)", lotka_r, np.log(growth), tol_r, False),
    ]


def accounting(name: str, r: Reader, folder: Path) -> list[Row]:
    assumptions = load_assumptions(folder / r.string("assumptions"))
    tol = r.number("rtol", lo=0.0)
    ds = run_demography(assumptions)
    pop = ds["population"].sum("age")
    change = (ds["births"] - ds["deaths"].sum("age") + ds["net_migration"].sum("age"))
    after = (pop + change).shift(year=1).isel(year=slice(1, None))
    return [row(name, "P(t+1) vs P(t) + B - D + M, by sex", pop.isel(year=slice(1, None)).values,
                after.values, tol)]


def annuities(name: str, r: Reader, folder: Path) -> list[Row]:
    q = r.number("q", lo=0.0, hi=1.0)
    i = r.number("interest", lo=-0.5)
    n = r.number("term", lo=1, integer=True)
    d = r.number("deferral", lo=1, integer=True)
    tol = r.number("rtol", lo=0.0)
    vp = (1 - q) / (1 + i)
    qx = np.full(101, q)
    rows = [
        row(name, "whole life due, constant q: 1/(1-vp)", np.full(101, 1 / (1 - vp)),
            annuity_factors(qx, i), tol),
        row(name, f"temporary {n} due: (1-(vp)^n)/(1-vp)", np.full(101, (1 - vp**n) / (1 - vp)),
            annuity_factors(qx, i, term=n), tol),
        row(name, f"deferred {d} due: (vp)^d/(1-vp)", np.full(101, vp**d / (1 - vp)),
            annuity_factors(qx, i, deferral=d), tol),
        row(name, "whole life immediate: vp/(1-vp)", np.full(101, vp / (1 - vp)),
            annuity_factors(qx, i, due=False), tol),
    ]
    # commutation functions on a real table: D_x = v^x l_x, N_x = sum D_y, past 100
    # the documented Gompertz law (least-squares slope of ln(-ln(1 - q_x)) at ages
    # 80-99, through mu_99) to age 130, then q_130 (geometric tail)
    _, base = _base_rates(r, folder)
    lt = life_table(base["mx"], radix=1.0).sel(sex="female")
    qf = lt["qx"].values.copy()
    qf[-1] = 1 - np.exp(-lt["mx"].values[-1])
    slope = np.polyfit(np.arange(80, 100), np.log(-np.log(1 - qf[80:100])), 1)[0]
    level = np.log(-np.log(1 - qf[99])) - slope * 99
    q130 = np.concatenate([qf, 1 - np.exp(-np.exp(level + slope * np.arange(101, 131)))])
    v = 1 / (1 + i)
    ages = np.arange(131)
    D = v**ages * np.concatenate([[1.0], np.cumprod(1 - q130[:-1])])
    tail = D[-1] / (1 - v * (1 - q130[-1]))
    N = np.append(np.cumsum(D[:-1][::-1])[::-1], 0.0) + tail  # sum_{y=x}^{129} D_y + tail
    rows.append(row(name, "whole life due vs commutation N_x/D_x (Demoland women; Gompertz past 100)",
                    (N / D)[:101], annuity_factors(qf, i), tol))
    return rows


def _makeham_log_survival(A: float, B: float, c: float, x: float) -> float:
    """ln S(x) of Makeham's law mu(x) = A + B c^x: -A x - B (c^x - 1) / ln c."""
    return -A * x - B * (c**x - 1.0) / math.log(c)


def makeham_law(name: str, r: Reader, folder: Path) -> list[Row]:
    """Annuities, life expectancy and the open group's survival on a Makeham
    law tabulated at ages 0..100 only, against the law's closed-form survival
    function continued to age ``to_age`` (plain loops, scipy quad)."""
    A, B, c = (r.number(k, lo=0.0) for k in ("A", "B", "c"))
    i = r.number("interest", lo=-0.5)
    top = r.number("to_age", lo=130, integer=True)
    tol = r.number("rtol", lo=0.0)
    ages = list(range(r.number("first_age", lo=0, hi=100, integer=True), 101))
    exp_only = list(range(ages[0], r.number("exact_e_to_age", lo=ages[0], hi=100, integer=True) + 1))

    def tp(x, t):  # t p_x from the closed form
        return math.exp(_makeham_log_survival(A, B, c, x + t) - _makeham_log_survival(A, B, c, x))

    q = np.array([1.0 - tp(x, 1) for x in range(101)])
    ann_ref, trap_ref, exact_ref = [], [], []
    for x in ages:
        ann_ref.append(sum((1 + i) ** -k * tp(x, k) for k in range(top - x)))
        trap_ref.append(sum(0.5 * (tp(x, k) + tp(x, k + 1)) for k in range(top - x)))
    for x in exp_only:
        exact_ref.append(quad(lambda t: tp(x, t), 0.0, top - x, limit=200)[0])
    T100 = trap_ref[-1]  # person-years above 100 per survivor at 100
    L99 = 0.5 * (1.0 + tp(99, 1))
    S100 = T100 * tp(99, 1) / (L99 + T100 * tp(99, 1))

    mx = qx_to_mx(q, female=True)
    da = xr.DataArray(np.array([mx, mx]), dims=("sex", "age"), coords={"sex": SEXES})
    lt = life_table(da, radix=1.0).sel(sex="female")
    S, e = survival(da, at_ages=(ages[0], 65, 100))
    sel = np.array(ages)
    return [
        row(name, f"annuity-due at {i:.0%}, ages {ages[0]}-100, vs closed-form sum to {top}",
            np.array(ann_ref), annuity_factors(q, i)[sel], tol),
        row(name, f"e_x (life table, a_x = 1/2), ages {ages[0]}-100, vs trapezoidal integral of S(x) to {top}",
            np.array(trap_ref), lt["ex"].values[sel], tol),
        row(name, f"e_x at {ages[0]}, 65, 100 (projection kernel) vs trapezoidal integral",
            np.array([trap_ref[0], trap_ref[65 - ages[0]], T100]), e.sel(sex="female").values, tol),
        row(name, f"e_x (life table), ages {exp_only[0]}-{exp_only[-1]}, vs exact integral of S(x) (quad)",
            np.array(exact_ref), lt["ex"].values[np.array(exp_only)], tol),
        row(name, "open-group survival S_100 = T_100 / (L_99 + T_100) vs the law's",
            S100, float(S.sel(sex="female").values[-1]), tol),
    ]
def _plain_survival(m, female: bool) -> list:
    """UN WPP survival ratios written out from the life table's definition.

    a_x = 1/2 (x = 1..99), a_0 = Coale-Demeny West of q_0 (fixed point);
    q_x = m_x / (1 + (1 - a_x) m_x), l_{x+1} = l_x (1 - q_x),
    L_x = l_{x+1} + a_x (l_x - l_{x+1}), L_100 = l_100 / m_100;
    S_0 = L_0 / l_0, S_x = L_x / L_{x-1}, S_100 = L_100 / (L_99 + L_100).
    """
    a0 = 0.1
    for _ in range(200):
        q0 = m[0] / (1 + (1 - a0) * m[0])
        if female:
            a0 = 0.35 if q0 >= 0.1 else 0.05 + 3.0 * q0
        else:
            a0 = 0.33 if q0 >= 0.1 else 0.0425 + 2.875 * q0
    n = len(m)
    l, L = [1.0], []
    for x in range(n - 1):
        a = a0 if x == 0 else 0.5
        q = m[x] / (1 + (1 - a) * m[x])
        l.append(l[x] * (1 - q))
        L.append(l[x + 1] + a * (l[x] - l[x + 1]))
    L.append(l[n - 1] / m[n - 1])
    return [L[0]] + [L[x] / L[x - 1] for x in range(1, n - 1)] + [L[n - 1] / (L[n - 2] + L[n - 1])]


def _plain_capped_projection(P0, m, F, srb, M, timing: str, years: int) -> dict:
    """Cohort-component projection with emigration capped, as plain loops.

    Rates constant in time. Each part of the net migrants of a cell (all of
    them at the end of the step, or half at its start and half at its end)
    is realised as max(M, -P) with P the stock it joins, so no stock goes
    below zero; the rest of M is the unrealised emigration.
    """
    A = len(P0[0])
    S = [_plain_survival(m[g], g == 0) for g in range(2)]
    early_share = 0.5 if timing == "half" else 0.0
    pop, births, deaths, realised = [[list(P0[0]), list(P0[1])]], [], [], []
    for t in range(years):
        P = pop[-1]
        moved = [[0.0] * A for _ in range(2)]
        start = [[0.0] * A for _ in range(2)]
        for g in range(2):
            for x in range(A):
                moved[g][x] = max(early_share * M[g][x], -max(P[g][x], 0.0))
                start[g][x] = P[g][x] + moved[g][x]
        new = [[0.0] * A for _ in range(2)]
        dead = [[0.0] * A for _ in range(2)]
        for g in range(2):
            for x in range(1, A):
                before = start[g][x - 1] + (start[g][A - 1] if x == A - 1 else 0.0)
                new[g][x] = before * S[g][x]
                dead[g][x] = before - new[g][x]
        late = [[max((1 - early_share) * M[g][x], -max(new[g][x], 0.0)) for x in range(A)] for g in range(2)]
        exposure = [start[0][x] + new[0][x] + (late[0][x] if timing == "half" else 0.0) for x in range(A)]
        b = 0.5 * sum(F[x] * exposure[x] for x in range(1, A))  # F_0 = 0
        bs = [b / (1 + srb), b - b / (1 + srb)]
        for g in range(2):
            new[g][0] = bs[g] * S[g][0]
            dead[g][0] = bs[g] - new[g][0]
            late[g][0] = max((1 - early_share) * M[g][0], -new[g][0])
        births.append(bs)
        deaths.append(dead)
        realised.append([[moved[g][x] + late[g][x] for x in range(A)] for g in range(2)])
        pop.append([[new[g][x] + late[g][x] for x in range(A)] for g in range(2)])
    return {"population": np.array(pop[:-1]), "births": np.array(births), "deaths": np.array(deaths),
            "net_migration": np.array(realised), "unrealised_emigration": np.array(realised) - np.array(M)[None]}


def migration_cap(name: str, r: Reader, folder: Path) -> list[Row]:
    """A tiny projection whose emigration exceeds some cells, both timings.

    The assumptions give one anchor year of m_x (life_tables), fertility
    rates and net migrant counts; the reference reads those parsed values and
    projects them by ``_plain_capped_projection``.
    """
    path = folder / r.string("assumptions")
    tol = r.number("rtol", lo=0.0)
    rows = []
    for timing in ("end", "half"):
        a = load_assumptions(path, {"demography.migration.timing": timing})
        d = a.demography
        if d.migration.rule != "capped":
            raise r.error("assumptions", "expected demography.migration_rule: capped")
        m = [np.asarray(t.values) for t in d.mortality.tables.values[0]]
        F = np.asarray(d.fertility.rates.values[0])
        if F[0] != 0.0:
            raise r.error("assumptions", "expected no fertility at age 0")
        M = [np.asarray(c) for c in d.migration.counts.values[0]]
        srb = float(d.fertility.srb.at([a.case.base_year])[0])
        ref = _plain_capped_projection(list(d.base_population), m, F, srb, M, timing, a.case.years.size)
        if ref["unrealised_emigration"].sum() <= 0:
            raise r.error("assumptions", "expected emigration exceeding some cell (nothing to cap)")
        with warnings.catch_warnings():  # the cap is what this case is about
            warnings.simplefilter("ignore", UnrealisedEmigrationWarning)
            ds = run_demography(a).isel(scenario=0)
        for var in ("population", "births", "deaths", "net_migration", "unrealised_emigration"):
            rows.append(row(name, f"{var}, timing {timing} (persons)", ref[var], ds[var].values, tol, False))
        rows.append(row(name, f"unrealised emigration, all years, timing {timing}",
                        ref["unrealised_emigration"].sum(), ds.attrs["unrealised_emigration_total"], tol, False))
        rows.append(row(name, f"lowest population and deaths (>= 0), timing {timing}", 0.0,
                        min(0.0, float(ds["population"].min()), float(ds["deaths"].min())), 0.0, False))
    return rows


def un_beyond_data(name: str, r: Reader, folder: Path) -> list[Row]:
    """Past the UN tables' last year: one clear error without the choice,
    the last year's rates held with ``beyond_data: hold_flat``."""
    data = folder / r.string("un_tables")
    horizon = r.number("horizon", lo=1, integer=True)
    base = r.number("base_year", integer=True)
    life = read_csv(data / "inputs" / "life_table_age_sex.csv.gz")
    fert = read_csv(data / "inputs" / "fert_rate_age_f.csv.gz")
    last = int(life["time_start"].max())
    text = (f"case: {{name: {name}, base_year: {base}, horizon: {horizon}}}\n"
            f"demography:\n  un_tables: {data.as_posix()}\n")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "beyond.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            load_assumptions(path)
            message = ""
        except AssumptionError as exc:
            message = str(exc)
        path.write_text(text + "  beyond_data: hold_flat\n", encoding="utf-8")
        a = load_assumptions(path)
    inputs = demographic_inputs(a.demography, a.case.years)
    mx = life[life["indicator"] == "lt_nMx"]
    want_mx = np.array([mx[(mx["time_start"] == last) & (mx["sex"] == sex)].sort_values("age_start")["value"].values
                        for sex in SEXES])
    want_f = fert[fert["time_start"] == last].sort_values("age_start")["value"].values
    later = [y for y in a.case.years if y > last]
    got_mx = inputs["mx"].sel(year=later).transpose("year", "sex", "age").values
    got_f = inputs["asfr"].sel(year=later).transpose("year", "age").values
    named = "demography.beyond_data" in message and str(last) in message
    return [
        row(name, f"without beyond_data: an error naming the key and the last year {last} (1 = yes)", 1.0,
            float(named), 0.0, relative=False),
        row(name, f"hold_flat: m_x of {later[0]}-{later[-1]} = the tables' {last} (abs)",
            np.broadcast_to(want_mx, got_mx.shape), got_mx, 0.0, relative=False),
        row(name, f"hold_flat: fertility rates of {later[0]}-{later[-1]} = the tables' {last} (abs)",
            np.broadcast_to(want_f[:got_f.shape[1]], got_f.shape), got_f, 0.0, relative=False),
    ]


KINDS = {
    "un_beyond_data": un_beyond_data,
    "makeham_law": makeham_law,
    "un_projection": un_projection,
    "un_life_table": un_life_table,
    "preston": preston,
    "stationary": stationary,
    "stable": stable,
    "accounting": accounting,
    "annuities": annuities,
    "migration_cap": migration_cap,
}
