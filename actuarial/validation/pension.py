"""Validation kinds for the pension stage.

pension_steady_state  stationary population, constant wages, flat coverage,
                      full careers: PAYG cost rate = (beneficiary-years /
                      contributors) x (pension / wage) in closed form, and the
                      GAP equals it
pension_zero_benefits no benefits, no contributions: the reserve grows
                      exactly at the interest rate
pension_reference     the numba kernel against a plain-Python reference of the
                      rules on a hand case of a few cohorts over a few years
pension_accounting    reserve(t+1) = reserve(t) + contributions + investment
                      income - expenditure, and headcounts that flow between
                      states with nothing created or lost
pension_survivor_bound survivors' pensioners at most the unmarried population of
                      their sex and age: the kernel on a hand case (the widowers
                      of women dying at 96, awarded in the open age 100, cut to
                      the room left; widows above the population dying with it)
                      against the numbers worked out by hand from the rule
pension_liability     accrued liability of the pensioners and of the insured
                      (generational annuities, accrued rights revalued to the
                      pensionable age, contingent survivors' pensions before
                      and after it) against plain loops along each cohort
"""

from __future__ import annotations

import dataclasses
import functools
import math
from pathlib import Path

import numpy as np

from actuarial.assumptions import load_assumptions
from actuarial.assumptions.model import (
    Anchored, BySex, Fertility, LifeTableMortality, Migration, MortalityTable, frozen)
from actuarial.assumptions.pension import Pensioners, by_sex_array
from actuarial.assumptions.reader import Reader
from actuarial.assumptions.series import TimeSeries
from actuarial.demography.inputs import demographic_inputs
from actuarial.demography.lifetable import life_table
from actuarial.pipeline import run
from actuarial.validation import Row, row


def stationary_scheme(path: Path, accrual: float):
    """The assumptions at ``path`` made stationary: base-year rates forever,
    NRR = 1, no migration, B L_x start; no growth, inflation 0, flat
    participation, coverage, density 1 and salary scale; no invalidity or
    survivors; everybody has full credits; pensioners in steady state."""
    a = load_assumptions(path)
    year = a.case.base_year
    inputs = demographic_inputs(a.demography, [year])
    mx = inputs["mx"].isel(year=0, drop=True)
    lt = life_table(mx, radix=1.0)
    srb = float(inputs["srb"][0])
    pattern = inputs["asfr"].isel(year=0).values / float(inputs["asfr"].isel(year=0).sum())
    tfr = (1 + srb) / float((pattern * lt["Lx"].sel(sex="female").values).sum())
    births = np.array([1e5, 1e5 * srb])[:, None]
    start = births * np.where(np.arange(101) < 100, lt["Lx"].values, lt["Tx"].values)
    demo = dataclasses.replace(
        a.demography,
        base_population=BySex(frozen(start[0]), frozen(start[1])),
        mortality=LifeTableMortality(Anchored((year,), (BySex(
            MortalityTable("mx", frozen(mx.values[0])), MortalityTable("mx", frozen(mx.values[1]))),))),
        fertility=Fertility(TimeSeries.constant(tfr), Anchored((0,), (frozen(pattern),)), None,
                            TimeSeries.constant(srb)),
        migration=Migration(TimeSeries.constant(0.0), BySex(frozen(np.full(101, 1 / 202)),
                                                            frozen(np.full(101, 1 / 202))), None, "end"))
    zero = TimeSeries.constant(0.0)
    econ = dataclasses.replace(a.economy, real_gdp_growth=zero, productivity_growth=None, inflation=zero,
                               real_wage_growth=zero)
    x_lo = 20
    R = int(a.pension.pensionable_age.female.values[0])
    flat = np.where((np.arange(101) >= x_lo) & (np.arange(101) < R), 0.6, 0.0)
    labour = dataclasses.replace(
        a.labour, participation=Anchored((0,), (BySex(frozen(flat), frozen(flat)),)),
        unemployment=BySex(zero, zero), coverage=BySex(TimeSeries.constant(0.5), TimeSeries.constant(0.5)),
        density=BySex(frozen(np.ones(101)), frozen(np.ones(101))), salary_scale=frozen(np.ones(101)),
        gender_wage_ratio=TimeSeries.constant(1.0))
    benefit = accrual * (R - x_lo) * a.economy.average_wage
    ages = np.arange(101)
    # pensioners at y >= R: the actives of age R-1 and their survivors, i.e.
    # 0.6 x 0.5 x P_y (the population is stationary and rates are flat)
    old = np.where(ages >= R, 0.3 * start, 0.0)
    none = Pensioners(BySex(frozen(np.zeros(101)), frozen(np.zeros(101))),
                      BySex(frozen(np.zeros(101)), frozen(np.zeros(101))))
    pens = dataclasses.replace(
        a.pension, pensionable_age=BySex(TimeSeries.constant(R), TimeSeries.constant(R)),
        accrual_rate=accrual, minimum_pension=0.0, maximum_pension=None, ceiling=None,
        invalidity_incidence=BySex(frozen(np.zeros(101)), frozen(np.zeros(101))),
        married=BySex(frozen(np.zeros(101)), frozen(np.zeros(101))), administrative_cost=0.0,
        vesting_years=0, initial_credit_share=1.0, initial_inactive_ratio=0.0, initial_reserve=0.0,
        initial_pensioners={"old_age": Pensioners(BySex(frozen(old[0]), frozen(old[1])),
                                                  BySex(frozen(np.full(101, benefit)), frozen(np.full(101, benefit)))),
                            "invalidity": none, "survivors": none})
    return dataclasses.replace(a, demography=demo, economy=econ, labour=labour, pension=pens), start, R, benefit


def pension_steady_state(name: str, r: Reader, folder: Path) -> list[Row]:
    accrual = r.number("accrual_rate", lo=0.0, hi=0.1)
    tol = r.number("rtol", lo=0.0)
    a, start, R, benefit = stationary_scheme(folder / r.string("assumptions"), accrual)
    tree = run(a)
    p = tree["pension"].to_dataset().isel(scenario=0)
    demo = tree["demography"].to_dataset().isel(scenario=0)
    q = demo["death_probability"].isel(year=0).values
    ages = np.arange(101)
    # beneficiary-years: 1 January stock less half of the year's deaths
    beneficiaries = (0.3 * start * (1 - q / 2))[:, ages >= R].sum()
    contributors = (0.3 * start)[:, (ages >= 20) & (ages < R)].sum()
    wage = a.economy.average_wage
    closed = beneficiaries / contributors * benefit / wage
    payg = p["payg_cost_rate"].values
    gap = p["general_average_premium"].values
    return [
        row(name, "PAYG cost rate every year vs (B/N) x (P/W)", np.full(payg.shape, closed), payg, tol),
        row(name, "GAP over each horizon vs PAYG cost rate", np.full(gap.shape, closed), gap, tol),
        row(name, "contributors stay put", np.full(payg.shape, contributors),
            p["contributors"].sum("sex").values, tol),
        row(name, "entrants beyond the entry age are 0 (abs, persons)", 0.0,
            float(p["flows"].sel(flow=["to_inactive", "reentrants"]).sum()), 1e-6, relative=False),
    ]


def pension_zero_benefits(name: str, r: Reader, folder: Path) -> list[Row]:
    tol = r.number("rtol", lo=0.0)
    a = load_assumptions(folder / r.string("assumptions"))
    zero = BySex(frozen(np.zeros(101)), frozen(np.zeros(101)))
    none = Pensioners(zero, zero)
    pens = dataclasses.replace(
        a.pension, contribution_rate=TimeSeries.constant(0.0), accrual_rate=0.0, minimum_pension=0.0,
        lump_sum="none", survivor_share=0.0, administrative_cost=0.0,
        initial_pensioners={k: none for k in a.pension.initial_pensioners})
    tree = run(dataclasses.replace(a, pension=pens))
    p = tree["pension"].to_dataset().isel(scenario=0)
    i = tree["economy"]["interest_rate"].values
    F = p["reserve"].values
    expected = pens.initial_reserve * np.cumprod(np.concatenate([[1.0], 1 + i[:-1]]))
    return [row(name, "reserve(t) = F0 prod(1 + i)", expected, F, tol),
            row(name, "expenditure is 0 (abs)", 0.0, float(np.abs(p["expenditure"]).max()), 0.0, relative=False)]


def pension_reference(name: str, r: Reader, folder: Path) -> list[Row]:
    """The numba kernel against the plain-Python reference on a small hand case."""
    from actuarial.validation import pension_reference as ref

    tol = r.number("rtol", lo=0.0)
    seed = r.number("seed", lo=0, integer=True, default=5)
    inputs = ref.small_case(seed=seed)
    got = ref.run_kernel(inputs)
    want, _ = ref.reference_run(inputs)
    rows = []
    for key in sorted(set(want) & set(got)):
        scale = max(float(np.abs(want[key]).max()), 1.0)  # error relative to the array's largest value
        rows.append(row(name, f"{key} / its largest value (kernel vs reference, {ref.T} years)",
                        want[key] / scale, got[key][0] / scale, tol, relative=False))
    return rows


def pension_survivor_bound(name: str, r: Reader, folder: Path) -> list[Row]:
    """The bound N_2[s, a](t+1) <= P[s, a](t+1) (1 - h_s(a)) on a hand case worked out by hand.

    No insured; on 1 January 2025: 100 old-age women aged 96 (pension 1000), 10
    widowers aged 99 (500), 50 widows aged 99 (400); q = 0.3 (women 96), 0.4 (men
    99), 0.1 (women 99); h = 0.5 (women 96), 0.2 (men 100), 0 (women 100); the
    husband is 4 years older, so a woman dying at 96 leaves a widower aged 96 + 4 + 1
    = 101 -> the open age 100 on 1 January 2026; survivor's share 0.6; population at
    1 January 2026: 20 men and 40 women aged 100. By hand:
      men 100: bound 20 x (1 - 0.2) = 16; last year's widowers alive 10 x 0.6 = 6;
               room 10; claims 100 x 0.3 x 0.5 = 15, cut by 10/15 to 10 awards,
               amount 15 x 0.6 x 1000 x 10/15 = 6000; widowers 6 + 10 = 16,
               their pensions 6 x 500 + 6000 = 9000 (no indexation);
      women 100: bound 40 x (1 - 0) = 40; last year's widows alive 50 x 0.9 = 45:
               the excess 5 dies, deaths of pensioners 30 + 5 + 5 = 40 women, 4 men;
               expenditure on survivors: men 10 x (1 - 0.2) x 500 + 6000 / 2 = 7000,
               women 50 x (1 - 0.05) x 400 = 19000."""
    from actuarial.validation import pension_reference as ref

    tol = r.number("rtol", lo=0.0)
    inputs = ref.small_case()
    X, T = ref.X, ref.T
    F, M = ref.FEMALE, ref.MALE
    q = np.full((1, T, 2, X), 0.2)
    q[..., F, 96], q[..., M, 99], q[..., F, 99] = 0.3, 0.4, 0.1
    married = np.zeros((2, X))
    married[F, 96], married[M, 100] = 0.5, 0.2
    N0 = np.zeros((1, 3, 2, X))
    B0 = np.zeros((1, 3, 2, X))
    N0[0, ref.OLD_AGE, F, 96], B0[0, ref.OLD_AGE, F, 96] = 100, 100 * 1000.0
    N0[0, ref.SURVIVORS, M, 99], B0[0, ref.SURVIVORS, M, 99] = 10, 10 * 500.0
    N0[0, ref.SURVIVORS, F, 99], B0[0, ref.SURVIVORS, F, 99] = 50, 50 * 400.0
    pop = np.full((1, T, 2, X), 1.0e6)
    pop[:, :, M, 100], pop[:, :, F, 100] = 20.0, 40.0
    par = inputs["par"].copy()
    par[ref.kern.DIFF], par[ref.kern.SURV_SHARE] = 4, 0.6
    inputs.update(K=np.zeros_like(inputs["K"]), q=q, married=married, N0=N0, B0=B0, pop=pop, par=par,
                  A0=np.zeros_like(inputs["A0"]), I0=np.zeros_like(inputs["I0"]),
                  idx=np.zeros_like(inputs["idx"]), minp=np.zeros_like(inputs["minp"]))
    got = ref.run_kernel(inputs)
    deaths = ref.FLOWS.index("deaths_pensioners")
    awards = ref.FLOWS.index("survivor_awards")
    return [
        row(name, "widowers aged 100 on 1 January 2026 (the bound 16)", 16.0,
            got["pens_n"][0, 1, ref.SURVIVORS, M, 100], tol),
        row(name, "widows aged 100 on 1 January 2026 (the bound 40)", 40.0,
            got["pens_n"][0, 1, ref.SURVIVORS, F, 100], tol),
        row(name, "survivors' pensions awarded in 2025, men (claims 15 cut to 10)", 10.0,
            got["awards_n"][0, 0, ref.SURVIVORS, M], tol),
        row(name, "their annual amount (6000)", 6000.0, got["awards_b"][0, 0, ref.SURVIVORS, M], tol),
        row(name, "survivors' pensions in payment 2026, men (6 x 500 + 6000)", 9000.0,
            got["pens_b"][0, 1, ref.SURVIVORS, M], tol),
        row(name, "survivor awards flow 2025 (women, men)", [0.0, 10.0], got["flows"][0, 0, :, awards], tol,
            relative=False),
        row(name, "deaths of pensioners 2025 (women 30 + 5 + 5, men 4)", [40.0, 4.0],
            got["flows"][0, 0, :, deaths], tol),
        row(name, "expenditure on survivors 2025 (women 19000, men 7000)", [19000.0, 7000.0],
            got["expend"][0, 0, ref.SURVIVORS], tol),
    ]


def pension_accounting(name: str, r: Reader, folder: Path) -> list[Row]:
    tol = r.number("rtol", lo=0.0)
    p = run(load_assumptions(folder / r.string("assumptions")))["pension"].to_dataset()
    f = p["flows"].sum("sex")
    insured = p["contributors"].sum("sex") + p["inactive_insured"].sum(("sex", "age"))
    out_of_insured = f.sel(flow=["deaths_insured", "invalidity_awarded", "invalidity_not_vested",
                                 "retired_vested", "retired_not_vested"]).sum("flow")
    pens = p["pensioners"].sum(("benefit_type", "sex", "age"))
    nxt = slice(1, None)
    cur = slice(None, -1)
    return [
        row(name, "reserve(t+1) = reserve(t) + C + S + II - E (S: deficit after depletion; / largest reserve)",
            p["reserve"].isel(year=nxt).values / float(p["reserve"].max()),
            (p["reserve"] + p["contribution_income"] + p["deficit_after_depletion"] + p["investment_income"]
             - p["expenditure"]).isel(year=cur).values / float(p["reserve"].max()), tol, relative=False),
        row(name, "insured(t+1) - entrants(t+1) = insured(t) - exits(t)",
            (insured - f.sel(flow="entrants")).isel(year=nxt).values,
            (insured - out_of_insured).isel(year=cur).values, tol),
        row(name, "pensioners(t+1) = pensioners(t) - deaths + awards",
            pens.isel(year=nxt).values,
            (pens - f.sel(flow="deaths_pensioners") + p["new_pensioners"].sum(("benefit_type", "sex"))
             ).isel(year=cur).values, tol),
    ]


def _extended_q(q) -> np.ndarray:
    """(T, 2, 131): the projected q (T, 2, 101), ages 101-130 on the Gompertz
    law fitted with np.polyfit to ln(-ln(1 - q_x)) at ages 80-99 through mu_99."""
    T = q.shape[0]
    Q = np.empty((T, 2, 131))
    for t in range(T):
        for g in range(2):
            slope = np.polyfit(np.arange(80, 100), np.log(-np.log(1 - q[t, g, 80:100])), 1)[0]
            level = math.log(-math.log(1 - q[t, g, 99])) - max(slope, 0.0) * 99
            Q[t, g, :101] = q[t, g]
            for x in range(101, 131):
                Q[t, g, x] = 1 - math.exp(-math.exp(level + max(slope, 0.0) * x))
    return Q


class _Cohorts:
    """Plain loops along each cohort on the extended q (years past the
    projection at the last year's, q_130 beyond age 130): monthly
    annuities-due by the two-term Woolhouse rule, and the contingent
    survivor's pension of a member (spouse of the other sex, married
    proportion at death, the survivor paid half a year in the year of the
    death, then for life)."""

    def __init__(self, q, pension, v: float):
        self.Q, self.T, self.v = _extended_q(q), q.shape[0], v
        self.D = pension.spouse_age_difference
        self.married = by_sex_array(pension.married)
        self.annuity = functools.lru_cache(maxsize=None)(self._annuity)  # caches live with the instance
        self.reversionary = functools.lru_cache(maxsize=None)(self._reversionary)

    def qc(self, t, x, g, f=1.0):
        return min(f * self.Q[min(t, self.T - 1), g, min(x, 130)], 1.0)

    def _annuity(self, t, x, g, f=1.0):  # monthly annuity-due along the cohort aged x in year t
        total, surv, k = 0.0, 1.0, 0
        while surv > 1e-15 and k < 1000:
            total += self.v**k * surv
            surv *= 1 - self.qc(t + k, x + k, g, f)
            k += 1
        return total - 11 / 24

    def spouse_annuity(self, t, y, g):
        return self.annuity(min(t, self.T - 1), min(max(y, 0), 130), g)

    def at_death(self, t, age, g):
        """Value at the death of a member of sex g aged ``age`` dying in year t,
        per unit of pension: half a year, then the spouse's annuity from t + 1."""
        y = min(age - self.D if g == 1 else age + self.D, 130)
        return 0.5 * math.sqrt(self.v) + self.v * self.spouse_annuity(t + 1, y + 1, 1 - g)

    def _reversionary(self, t, x, g, f=1.0):
        """Contingent survivor's pension, per unit of pension, of a member aged x in year t."""
        total, surv, k = 0.0, 1.0, 0
        while surv > 1e-15 and k < 1000:
            age = x + k
            dies = surv * self.qc(t + k, age, g, f) * self.married[g, min(age, 100)]
            total += dies * self.v**k * self.at_death(t + k, age, g)
            surv *= 1 - self.qc(t + k, age, g, f)
            k += 1
        return total


def _liability_reference(q, pension, v: float) -> tuple[float, float]:
    """Pensions in payment and their contingent survivors' pensions by plain
    loops along each cohort (``_Cohorts``)."""
    cohorts = _Cohorts(q, pension, v)
    share = pension.survivor_share
    factors = {"old_age": 1.0, "invalidity": pension.invalidity_mortality_factor, "survivors": 1.0}
    in_payment = survivors = 0.0
    for kind, f in factors.items():
        pens = pension.initial_pensioners[kind]
        counts, amounts = by_sex_array(pens.counts), by_sex_array(pens.average_pension)
        for g in range(2):
            for x in range(101):
                B = counts[g, x] * amounts[g, x]
                if B == 0:
                    continue
                in_payment += B * cohorts.annuity(0, x, g, f)
                if kind != "survivors":
                    survivors += B * share * cohorts.reversionary(0, x, g, f)
    return in_payment, survivors


def _accrued_pensions(a, tree) -> tuple[dict, int]:
    """Pension accrued at the valuation date by the insured of sex g aged x,
    {(g, x): P}, summed over credits c: insured (active + inactive) x
    accrual x c x min(wage level x average salary scale over the last c ages
    before x, ceiling), all of the base year; and the first insured age.
    The active insured are the labour node's contributors of the base year
    below the pensionable age R, split into c ~ Binomial(x - first age,
    credit share) (math.comb), the inactive ones a ratio of them (or the
    assumptions' table of active and inactive insured); wage level
    AW g_s / n, n = sum(E scale g) / sum(E) over the employed E."""
    pension, labour = a.pension, a.labour
    year0 = int(tree["demography"]["year"].values[0])
    lab = tree["labour"].to_dataset().sel(year=year0)
    lab = lab.isel(scenario=0) if "scenario" in lab.dims else lab
    K = lab["contributors"].transpose("sex", "age").values
    E = lab["employed"].transpose("sex", "age").values
    aw = float(np.asarray(tree["economy"]["average_wage"].sel(year=year0).values).reshape(-1)[0])
    scale = [float(s) for s in np.asarray(labour.salary_scale)]
    gender = [float(labour.gender_wage_ratio.at(np.array([year0]))[0]), 1.0]
    num = den = 0.0
    for g in range(2):
        for x in range(len(scale)):
            num += E[g, x] * scale[x] * gender[g]
            den += E[g, x]
    level = [aw * gender[g] / (num / den) for g in range(2)]
    ceiling = (float(pension.ceiling.at(np.array([year0]))[0]) * aw if pension.ceiling is not None
               else math.inf)
    R = [int(s.at(np.array([year0]))[0]) for s in pension.pensionable_age]
    x_lo = labour.first_age
    table = pension.initial_insured  # (status, sex, age, credits), or None: the binomial split
    p, ratio = pension.initial_credit_share, pension.initial_inactive_ratio
    accrued = {}
    for g in range(2):
        for x in range(x_lo, R[g]):
            n = x - x_lo
            total = 0.0
            for c in range(n + 1):
                if table is None:
                    insured = K[g, x] * (1 + ratio) * math.comb(n, c) * p**c * (1 - p) ** (n - c)
                else:
                    insured = float(table[0, g, x, c] + table[1, g, x, c]) if c < table.shape[-1] else 0.0
                hi = max(x, 1)
                lo = max(hi - max(c, 1), 0)
                if pension.reference_earnings == "final_years":
                    lo = max(hi - min(max(c, 1), pension.final_years), 0)
                avg_scale = sum(scale[lo:hi]) / (hi - lo)
                total += insured * pension.accrual_rate * c * min(level[g] * avg_scale, ceiling)
            accrued[g, x] = total
    return accrued, R


def _insured_reference(q, pension, accrued, R, v: float, rev: float) -> tuple[float, float]:
    """Accrued old-age rights of the insured and their contingent survivors'
    pensions by plain loops along each cohort: the pension P accrued at age x
    revalued by r = (1 + wage growth) / (1 + d) a year, to the pensionable
    age R (n = R - x years, survival np_x along the diagonal), then the
    annuity and the survivor's reversionary annuity at (t0 + n, R); deaths
    in year k < n leave the spouse the pension revalued to that year."""
    cohorts = _Cohorts(q, pension, v)
    share = pension.survivor_share
    insured = survivors = 0.0
    for (g, x), P in accrued.items():
        n = R[g] - x
        surv = 1.0
        for k in range(n):
            age = x + k
            dies = surv * cohorts.qc(k, age, g) * cohorts.married[g, min(age, 100)]
            survivors += P * share * rev**k * dies * cohorts.at_death(k, age, g)
            surv *= 1 - cohorts.qc(k, age, g)
        insured += P * rev**n * surv * cohorts.annuity(n, R[g], g)
        survivors += P * share * rev**n * surv * cohorts.reversionary(n, R[g], g)
    return insured, survivors


def pension_liability(name: str, r: Reader, folder: Path) -> list[Row]:
    """Accrued liability of Demoland's pensioners and insured at the valuation date
    (generational mortality, contingent survivors) against ``_liability_reference``
    and ``_insured_reference``."""
    tol = r.number("rtol", lo=0.0)
    a = load_assumptions(folder / r.string("assumptions"))
    rows = []
    for share in (0.0, a.pension.survivor_share):
        pens = dataclasses.replace(a.pension, survivor_share=share)
        case = dataclasses.replace(a, pension=pens)
        tree = run(case)
        p = tree["pension"].to_dataset().isel(scenario=0)
        econ = tree["economy"].to_dataset()
        q = tree["demography"]["death_probability"].isel(scenario=0).values
        first = {k: float(np.asarray(econ[k].transpose(..., "year").values).reshape(-1)[0])
                 for k in ("discount_rate", "inflation", "nominal_wage_growth")}
        w = pens.indexation_prices
        idx = w * first["inflation"] + (1 - w) * first["nominal_wage_growth"]
        v = (1 + idx) / (1 + first["discount_rate"])
        in_payment, survivors = _liability_reference(q, pens, v)
        accrued, R = _accrued_pensions(case, tree)
        insured, insured_survivors = _insured_reference(
            q, pens, accrued, R, v, (1 + first["nominal_wage_growth"]) / (1 + first["discount_rate"]))
        if share == 0:
            rows.append(row(name, "pensions in payment, generational annuities (survivor share 0)",
                            in_payment + survivors, float(p["accrued_liability_pensioners"]), tol))
            rows.append(row(name, "accrued old-age rights of the insured (survivor share 0)",
                            insured + insured_survivors, float(p["accrued_liability_insured"]), tol))
            rows.append(row(name, "contingent survivors' pensions are 0 (survivor share 0; abs)", 0.0,
                            float(p["accrued_liability_contingent_survivors"]), 0.0, relative=False))
            continue
        rows.append(row(name, f"pensions in payment + contingent survivors' pensions (share {share})",
                        in_payment + survivors, float(p["accrued_liability_pensioners"]), tol))
        rows.append(row(name, f"insured: accrued rights + contingent survivors' pensions (share {share})",
                        insured + insured_survivors, float(p["accrued_liability_insured"]), tol))
        rows.append(row(name, f"contingent survivors' pensions of pensioners and insured (share {share})",
                        survivors + insured_survivors, float(p["accrued_liability_contingent_survivors"]), tol))
    return rows


KINDS = {"pension_liability": pension_liability, "pension_steady_state": pension_steady_state, "pension_zero_benefits": pension_zero_benefits,
         "pension_reference": pension_reference, "pension_accounting": pension_accounting,
         "pension_survivor_bound": pension_survivor_bound}
