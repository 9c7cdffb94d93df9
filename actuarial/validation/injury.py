"""Validation kinds for the employment-injury stage.

injury_capitalised_value  constant mortality, interest and indexation: the
                          engine's capitalised values of a pension in
                          payment and of an award equal annuities built
                          independently from l_x (commutation sums; ages
                          past 100 on a Gompertz law fitted here with
                          np.polyfit to ages 80-99, to age 130, q_130
                          beyond), and the constituent-capitals cost equals
                          the year's awards x those factors
injury_stationary         stationary population, constant wages, incidence
                          and rates, pensioners at the stationary stock (built
                          here from the awards, to age 130 on the same
                          law) and a reserve equal to their
                          capitalised value L: stocks and reserve stay put and
                          PAYG cost = constituent-capitals cost + interest on
                          L, i.e. E - C = i L / sqrt(1 + i) (cash flows at
                          mid-year)
injury_accounting         the shipped assumptions: pensioners(t+1) =
                          pensioners(t) + awards - deaths - leavers by type;
                          reserve(t+1) = reserve + C + II - E; expenditure by
                          benefit adds up; the GAP balances present values;
                          sector rates average to the uniform rate
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from actuarial.assumptions import load_assumptions
from actuarial.assumptions.injury import PENSION_TYPES, Beneficiaries
from actuarial.assumptions.model import BySex, frozen
from actuarial.assumptions.reader import Reader
from actuarial.assumptions.series import TimeSeries
from actuarial.pipeline import run
from actuarial.projection.employment_injury import mortality_factors, project_injury
from actuarial.projection.pension_metrics import discount_factors
from actuarial.validation import Row, row
from actuarial.validation.pension import _extended_q, stationary_scheme


def annuity_by_commutation(q: np.ndarray, i: float, j: float, limit: int | None = None, terms: int = 3000) -> np.ndarray:
    """V(x) = sum_k (1+i)^-(k+1/2) (1+j)^k (l_{x+k} + l_{x+k+1}) / (2 l_x), payments
    stopping at age ``limit``; l_x built from q by age 0..len(q)-1 (the last
    age's q beyond it). Plain loops."""
    top = len(q) - 1
    out = np.zeros(top + 1)
    for x in range(top + 1 if limit is None else min(limit, top + 1)):
        value, alive, age = 0.0, 1.0, x
        for k in range(terms):
            if limit is not None and age >= limit:
                break
            qq = q[min(age, top)]
            nxt = alive * (1.0 - qq)
            value += (1.0 + i) ** -(k + 0.5) * (1.0 + j) ** k * (alive + nxt) / 2.0
            alive, age = nxt, age + 1
            if alive < 1e-300:
                break
        out[x] = value
    return out


def award_factor(q: np.ndarray, V: np.ndarray, i: float, j: float, limit: int | None = None) -> np.ndarray:
    """W(x) = 0.5 + (1 - q)/(1 - q/2) (1 + j)(1 + i)^-1/2 V(x+1) for an award at mid-year."""
    top = len(q) - 1
    nxt = np.array([0.0 if limit is not None and x + 1 >= limit else V[min(x + 1, top)] for x in range(top + 1)])
    return 0.5 + (1 - q) / (1 - q / 2) * (1 + j) / np.sqrt(1 + i) * nxt


def _constant_case(path: Path, interest: float, inflation: float):
    """Stationary demography and economy (pension validation's), constant
    interest and inflation, no incidence trends, no initial beneficiaries."""
    a, *_ = stationary_scheme(path, accrual=0.015)
    econ = dataclasses.replace(a.economy, interest_rate=TimeSeries.constant(interest),
                               discount_rate=TimeSeries.constant(interest),
                               inflation=TimeSeries.constant(inflation))
    inj = a.employment_injury
    sectors = tuple(dataclasses.replace(s, trend=TimeSeries.constant(1.0)) for s in inj.sectors)
    inj = dataclasses.replace(inj, sectors=sectors, initial_beneficiaries={}, initial_reserve=0.0)
    return dataclasses.replace(a, economy=econ, employment_injury=inj, spf=None, fiscal_space=None)


def _detail(a):
    tree = run(dataclasses.replace(a, employment_injury=None, pension=None, spf=None, fiscal_space=None))
    ds = {k: tree[k].to_dataset() for k in ("demography", "labour", "economy")}
    inj = project_injury(a.employment_injury, a.labour, ds["demography"], ds["labour"], ds["economy"], detail=True)
    return inj.isel(scenario=0), ds["demography"]["death_probability"].isel(scenario=0, year=0).values


def _independent_values(a, q):
    """V and W by type, sex and age 0..130 from ``annuity_by_commutation`` on
    q (2, 101) extended past 100 by the reference's own Gompertz fit."""
    inj = a.employment_injury
    Q = _extended_q(q[None])[0]
    i = float(a.economy.interest_rate.values[0])
    j = inj.indexation_prices * float(a.economy.inflation.values[0])  # no real wage growth here
    V = np.zeros((4, 2, 131))
    W = np.zeros((4, 2, 131))
    for p, f in enumerate(mortality_factors(inj)):
        limit = inj.orphan_age_limit if PENSION_TYPES[p] == "orphan" else None
        for g in range(2):
            qq = np.minimum(f * Q[g], 1.0)
            V[p, g] = annuity_by_commutation(qq, i, j, limit)
            W[p, g] = award_factor(qq, V[p, g], i, j, limit)
    return V, W, i, j


def injury_capitalised_value(name: str, r: Reader, folder: Path) -> list[Row]:
    tol = r.number("rtol", lo=0.0)
    a = _constant_case(folder / r.string("assumptions"), r.number("interest_rate", lo=0.0, hi=0.5),
                       r.number("inflation", lo=0.0, hi=0.5))
    ds, q = _detail(a)
    V, W, i, j = _independent_values(a, q)
    from actuarial.projection import _injury_kernels as kern
    from actuarial.projection.employment_injury import extended_mortality, terminal_values

    rows = []
    T = 3
    for p, f in enumerate(mortality_factors(a.employment_injury)):
        limit = a.employment_injury.orphan_age_limit if p == kern.ORPHAN else kern.NO_LIMIT
        q_engine = extended_mortality(q)  # the engine's ages 0..130
        got = np.empty((T + 1, 2, 131))
        qT = np.broadcast_to(q_engine, (T, 2, 131)).copy()
        term = terminal_values(q_engine[None], np.array([i]), np.array([j]), mortality_factors(a.employment_injury),
                               a.employment_injury.orphan_age_limit)[0, p]
        kern.capitalised_values(qT, f, limit, np.full(T, i), np.full(T, j), term, got)
        scale = V[p].max()  # orphans' values are 0 above the limit: errors relative to the largest value
        rows.append(row(name, f"V {PENSION_TYPES[p]} / max V: kernel recursion vs commutation sums",
                        V[p] / scale, got[0] / scale, tol, relative=False))
        rows.append(row(name, f"V {PENSION_TYPES[p]} / max V beyond the horizon (constant-rate recursion) "
                              "vs commutation", V[p] / scale, term / scale, tol, relative=False))
    amounts = ds["new_pension_amounts_by_age"].values  # (year, type, sex, age)
    expected = (amounts * W[None, ..., :101]).sum((1, 2, 3))
    rows.append(row(name, "capitalised awards = sum of new pensions x award factors (every year)",
                    expected, ds["capitalised_awards"].values, tol))
    return rows


def stationary_injury(path: Path, interest: float):
    """The constant case with pensioners at the stationary stock of its awards,
    by age 0..130 on the reference's extended q (``_extended_q``):
    N(x+1) = N(x)(1 - q) + A(x)(1 - q)/(1 - q/2) (awards at ages 0..100; the
    last age 130 keeps its survivors, N = N (1 - q) + inflow; orphans leaving
    at the limit), the same for amounts (no indexation). The input gives ages
    0..100, the persons (and amounts) at 100 and over in its open group 100+.
    Returns the assumptions, the stock (type, count/amount, sex, 131) and q."""
    a = _constant_case(path, interest, 0.0)
    ds, q = _detail(a)
    Q = _extended_q(q[None])[0]
    inj = a.employment_injury
    A = ds["new_beneficiaries_by_age"].isel(year=0).values
    Ab = ds["new_pension_amounts_by_age"].isel(year=0).values
    initial = {}
    stocks = np.zeros((4, 2, 2, 131))
    for p, f in enumerate(mortality_factors(inj)):
        limit = inj.orphan_age_limit if PENSION_TYPES[p] == "orphan" else 131
        stock = stocks[p]  # (count/amount, sex, age)
        for g in range(2):
            qq = np.minimum(f * Q[g], 1.0)
            live = (1 - qq) / (1 - qq / 2)
            for m, awards in enumerate((A[p, g], Ab[p, g])):
                awards = np.concatenate([awards, np.zeros(30)])  # none past 100
                for x in range(1, min(limit, 130)):
                    stock[m, g, x] = stock[m, g, x - 1] * (1 - qq[x - 1]) + awards[x - 1] * live[x - 1]
                if limit > 130:
                    inflow = stock[m, g, 129] * (1 - qq[129]) + awards[129] * live[129] + awards[130] * live[130]
                    stock[m, g, 130] = inflow / qq[130]
        given = np.concatenate([stock[..., :100], stock[..., 100:].sum(-1, keepdims=True)], axis=-1)
        avg = np.divide(given[1], given[0], out=np.zeros((2, 101)), where=given[0] > 0)
        initial[PENSION_TYPES[p]] = Beneficiaries(BySex(frozen(given[0, 0]), frozen(given[0, 1])),
                                                  BySex(frozen(avg[0]), frozen(avg[1])))
    a = dataclasses.replace(a, employment_injury=dataclasses.replace(
        inj, initial_beneficiaries=initial, initial_reserve=None))
    return a, stocks, q


def injury_stationary(name: str, r: Reader, folder: Path) -> list[Row]:
    tol = r.number("rtol", lo=0.0)
    a, stocks, q = stationary_injury(folder / r.string("assumptions"), r.number("interest_rate", lo=0.0, hi=0.5))
    e = run(a)["employment_injury"].to_dataset().isel(scenario=0)
    V, _, i, _ = _independent_values(a, q)
    L = float((stocks[:, 1] * V).sum())  # amounts by type, sex and age 0..130 x capitalised values
    IE = e["insurable_earnings"].values
    rates = e["cost_rate"]
    payg, acc = rates.sel(financing_method="payg").values, rates.sel(financing_method="constituent_capitals").values
    n0 = e["beneficiaries"].isel(year=0).values
    return [
        row(name, "capitalised value of pensions in payment vs commutation sums",
            L, float(e["liability"].isel(year=0)), tol),
        row(name, "pensioners stay put (by type and sex)", np.broadcast_to(n0, e["beneficiaries"].shape),
            e["beneficiaries"].values, tol),
        row(name, "reserve (constituent capitals) stays at L", np.full(IE.shape, L), e["reserve"].values, tol),
        row(name, "PAYG - constituent-capitals cost = i L / sqrt(1+i) / payroll",
            np.full(IE.shape, i * L / np.sqrt(1 + i)) / IE, payg - acc, tol),
        row(name, "PAYG - constituent-capitals cost = investment income / payroll",
            e["investment_income"].values / IE, payg - acc, tol),
    ]


def injury_accounting(name: str, r: Reader, folder: Path) -> list[Row]:
    tol = r.number("rtol", lo=0.0)
    a = load_assumptions(folder / r.string("assumptions"))
    tree = run(a)
    e = tree["employment_injury"].to_dataset().isel(scenario=0)
    eco = tree["economy"].to_dataset()
    nxt, cur = slice(1, None), slice(None, -1)
    N = e["beneficiaries"].sum("sex")
    flows = N + e["new_beneficiaries"].sum("sex") - e["deaths_beneficiaries"] - e["leavers"]
    rows = [
        row(name, "pensioners(t+1) = pensioners(t) + awards - deaths - leavers (by type)",
            N.isel(year=nxt).values, flows.isel(year=cur).values, tol),
        row(name, "reserve(t+1) = reserve(t) + C + II - E", e["reserve"].isel(year=nxt).values,
            (e["reserve"] + e["contribution_income"] + e["investment_income"] - e["total_expenditure"]
             ).isel(year=cur).values, tol),
        row(name, "expenditure by benefit adds up to the total", e["total_expenditure"].values,
            e["expenditure"].sum("benefit").values, tol),
        row(name, "claims x coverage: insured by sector add up to insured by sex",
            e["insured"].sum("sector").values, e["insured_by_sex"].sum("sex").values, tol),
    ]
    h = a.employment_injury.gap_horizon
    _, m = discount_factors(eco["discount_rate"].values.reshape(1, -1))
    m = m[0, :h]
    E, IE = e["total_expenditure"].values[:h], e["insurable_earnings"].values[:h]
    gap = float(e["cost_rate"].sel(financing_method="gap").isel(year=0))
    F0 = float(e["reserve"].isel(year=0)) if a.employment_injury.financing_method == "gap" else \
        (a.employment_injury.initial_reserve if a.employment_injury.initial_reserve is not None
         else float(e["liability"].isel(year=0)))
    rows.append(row(name, f"GAP over {h} years: F0 + GAP x PV(payroll) = PV(expenditure)",
                    (m * E).sum(), F0 + gap * (m * IE).sum(), tol))
    method = a.employment_injury.financing_method
    payroll = e["insurable_payroll"]
    weighted = (e["sector_rate"] * payroll).sum("sector") / payroll.sum("sector")
    if method == "gap":  # the sectors' GAPs average with their present values of payroll
        pv = (payroll.isel(year=slice(0, h)) * m[:, None]).sum("year")
        weighted = (e["sector_rate"].isel(year=0) * pv).sum() / pv.sum()
    rows.append(row(name, "payroll-weighted sector rates = uniform rate",
                    e["contribution_rate"].values if method != "gap" else gap, np.asarray(weighted), tol))
    return rows


KINDS = {"injury_capitalised_value": injury_capitalised_value, "injury_stationary": injury_stationary,
         "injury_accounting": injury_accounting}
