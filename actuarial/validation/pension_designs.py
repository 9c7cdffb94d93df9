"""Validation kinds for the pension stage's designs other than defined benefit.

Expected values are closed forms or plain loops written from the designs'
definitions, never through ``pension_dc``'s or the kernels' formulas.

dc_closed_forms         the accounts' kernel on a hand cohort (constant
                        contributions, return, fees and mortality, a target
                        of contributors that the survivors meet exactly):
                        the balance at retirement = the future value of an
                        annuity, c' ((g^n - 1) / (g - 1)); the annuity
                        factor = 1 / (1 - p u) (constant q); the annuity =
                        balance / ((1 + loading) x factor); the guarantee's
                        top-up = E[max(G - Y, 0)] by quadrature over the
                        lognormal density
dc_accounting           Demoland as individual accounts: the accounts'
                        identity F(t+1) = F(t) + C - fees + II - E, and the
                        annuities bought = premium / ((1 + loading) a_x), a_x
                        summed by a plain loop along the cohort's diagonal of
                        the demography node's death probabilities
points_vs_career_average a points scheme whose purchase and point values
                        follow the average wage against the career-average
                        scheme with the matching accrual (same pensions,
                        costs and reserve), and the standard beneficiary's
                        points bought year by year x the point value
ndc_steady_state        a mature notional-account scheme in a stationary
                        population started from its closed-form steady state:
                        PAYG cost rate = rate (1 + g)^(-1/2) (the rate at
                        g = 0), capital and pensions by their closed forms,
                        the balance ratio 1 at g = 0; the pay-out duration
                        expected from the divisors = the stationary stock's
                        measured one; a young stock completed above its
                        oldest age (a new scheme's rule) = the full stock
ndc_balance_ratio       Sweden's balance ratio on a hand case
db_to_db_transition     a DB-to-DB "transition" changes nothing (bit-identical)
dc_to_dc_transition     a DC-to-DC "transition" changes nothing (bit-identical)
db_to_points_conversion a DB scheme moved to points, the rights converted
                        (P / point value) with the DB pensions indexed to
                        wages as the point value: the pensions of the legacy
                        and the points scheme = the DB scheme's
dc_to_db_transition     a DC scheme turned into DB: kept, the frozen accounts
                        grow at the net return (closed form per surviving
                        member); converted, the DB reserve jumps by exactly
                        the balances transferred (accounting identity)
ndc_conversion          accrued DB rights converted: the kernel's accrued
                        pensions by plain loops, their present value by
                        forward sums, and the pension from the converted
                        notional capital = the accrued DB pension (rate =
                        norm = notional rate)
legacy_option           Mexico's Ley 73 option on a hand case: which cohorts
                        take the old law (L > A), L, and the state's net
                        cost, by plain loops from the definition
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from actuarial.assumptions import load_assumptions
from actuarial.assumptions.reader import Reader
from actuarial.pipeline import run
from actuarial.projection.pension_dc import run_accounts
from actuarial.projection.pension_ndc import payment_ages, run_notional
from actuarial.validation import Row, row


def _hand_cohort(r: Reader):
    """Inputs of the hand case: one cohort entering at x_lo, everything constant."""
    keys = dict(rate=r.number("contribution_rate", lo=0.0, hi=1.0), wage=r.number("wage", lo=0.0),
                density=r.number("density", lo=0.0, hi=1.0), ret=r.number("return", lo=-0.5, hi=1.0),
                fee_c=r.number("fee_on_contributions", lo=0.0, hi=1.0),
                fee_b=r.number("fee_on_balance", lo=0.0, hi=1.0), q=r.number("q", lo=0.0, hi=0.5),
                x_lo=r.number("first_age", lo=0, hi=99, integer=True),
                age=r.number("pensionable_age", lo=1, hi=100, integer=True),
                interest=r.number("annuity_interest", lo=-0.5, hi=1.0),
                indexation=r.number("annuity_indexation", lo=-0.5, hi=1.0),
                loading=r.number("loading", lo=0.0, hi=1.0), share=r.number("annuity_share", lo=0.0, hi=1.0),
                minimum=r.number("minimum_pension", lo=0.0), cv=r.number("balance_dispersion", lo=0.0))
    return keys


def _lognormal_put(minimum: float, mean: float, cv: float) -> float:
    """E[max(minimum - Y, 0)], Y lognormal (mean, cv), by the trapezoidal rule on the density."""
    if cv == 0:
        return max(minimum - mean, 0.0)
    s2 = math.log(1 + cv * cv)
    mu = math.log(mean) - s2 / 2
    y = np.linspace(1e-9 * minimum, minimum, 200001)
    density = np.exp(-(np.log(y) - mu) ** 2 / (2 * s2)) / (y * math.sqrt(2 * math.pi * s2))
    f = (minimum - y) * density
    return float(((f[1:] + f[:-1]) / 2 * np.diff(y)).sum())


def dc_closed_forms(name: str, r: Reader, folder: Path) -> list[Row]:
    tol = r.number("rtol", lo=0.0)
    k = _hand_cohort(r)
    X, x_lo, R = 101, k["x_lo"], k["age"]
    n = R - x_lo
    T = n + 2
    ages = np.arange(X)
    survive = np.where((ages >= x_lo) & (ages < R), (1 - k["q"]) ** np.maximum(ages - x_lo, 0), 0.0)
    # the cohort aged x_lo in year 0: K[t, x_lo + t] = its survivors (the others' ages stay empty)
    K = np.zeros((1, T, 2, X))
    for t in range(min(T, n)):
        K[0, t, :, x_lo + t] = 1000.0 * survive[x_lo + t]
    q = np.full((1, T, 2, X), k["q"])
    dens = np.full((2, X), k["density"])
    level = np.full((1, T, 2), k["wage"])
    scale = np.ones(X)
    ceil = np.full((1, T), np.inf)
    Ra = np.full((T, 2), R, dtype=np.int64)
    flat = lambda v: np.full((1, T), v)  # noqa: E731
    u = (1 + k["indexation"]) / (1 + k["interest"])
    factor = 1.0 / (1.0 - (1.0 - k["q"]) * u)  # closed form, constant q
    af = np.full((1, T, 2, X), factor)  # the kernel reads the factors it is given; checked below
    par = np.array([k["fee_c"], k["fee_b"], k["share"], 0.0, k["loading"], k["indexation"], 1.0, k["cv"]])
    zeros = np.zeros((2, X))
    out = run_accounts(K, q, dens, level, scale, ceil, Ra, flat(k["rate"]), flat(k["ret"]),
                       flat(k["minimum"]), af, par, zeros, zeros, zeros, zeros, x_lo, R - 1)
    # future value of an annuity: c' = c (1 - f_c)(1 + r)^(1/2)(1 - f_b), g = (1 + r)(1 - f_b)
    c = k["rate"] * k["density"] * k["wage"]
    g = (1 + k["ret"]) * (1 - k["fee_b"])
    c1 = c * (1 - k["fee_c"]) * math.sqrt(1 + k["ret"]) * (1 - k["fee_b"])
    fv = c1 * (g ** n - 1) / (g - 1) if g != 1 else c1 * n
    t_ret = n - 1  # retires on 1 January of year n, booked in year n - 1
    persons = out["retiring_n"][0, t_ret, 0]
    balance = out["retiring_bal"][0, t_ret, 0] / persons
    annuity = out["awards_b"][0, t_ret, 0] / persons
    expected_annuity = k["share"] * fv / ((1 + k["loading"]) * factor)
    mean_full = fv / ((1 + k["loading"]) * factor)
    rows = [
        row(name, f"balance at retirement after {n} years = c' (g^n - 1) / (g - 1)", fv, balance, tol),
        row(name, "persons retiring = 1000 (1 - q)^n", 1000 * (1 - k["q"]) ** n, persons, tol),
        row(name, "annuity = share x balance / ((1 + loading) x annuity factor)", expected_annuity, annuity, tol),
        row(name, "no balance left after retirement (abs)", 0.0, out["balance_total"][0, n, 0], tol,
            relative=False),
    ]
    if k["minimum"] > 0:
        expected_top = _lognormal_put(k["minimum"], mean_full, k["cv"])
        got_top = out["awards_u"][0, t_ret, 0] / persons
        rows.append(row(name, f"top-up to the minimum = E[max(G - Y, 0)] (quadrature, cv {k['cv']:g})",
                        expected_top, got_top, max(tol, 1e-7)))
    # the engine's factors on this constant table against the closed form
    from actuarial.projection.pension_dc import annuity_factors

    engine_af = annuity_factors(q, k["interest"], k["indexation"])
    rows.append(row(name, "annuity-due factor, constant q = 1 / (1 - (1 - q)(1 + e) / (1 + i))",
                    np.full(engine_af.shape, factor), engine_af, tol))
    return rows


def dc_accounting(name: str, r: Reader, folder: Path) -> list[Row]:
    tol = r.number("rtol", lo=0.0)
    a = load_assumptions(folder / r.string("assumptions"))
    dc = a.pension.defined_contribution
    tree = run(a)
    p = tree["pension"].to_dataset().isel(scenario=0)
    d = tree["demography"].to_dataset()
    d = d.isel(scenario=0) if "scenario" in d.dims else d
    e = tree["economy"].to_dataset()
    e = e.isel(scenario=0) if "scenario" in e.dims else e
    F, C, fees = p["reserve"].values, p["contribution_income"].values, p["fees"].values.sum(-1)
    II, E = p["investment_income"].values, p["expenditure"].values
    expected = [F[0]]
    for t in range(len(C)):
        expected.append(expected[-1] + C[t] - fees[t] + II[t] - E[t])
    scale = np.abs(F).max()
    rows = [row(name, "accounts: F(t+1) = F(t) + C - fees + II - E (relative to the largest balance)",
                np.array(expected[1:-1]) / scale, F[1:] / scale, tol, relative=False)]
    # the annuity bought on 1 January t+1 by the cohort at the pensionable age
    qx = d["death_probability"].transpose("year", "sex", "age").values
    years = p["year"].values
    T, X = qx.shape[0], qx.shape[2]
    u = (1 + dc.annuity.indexation) / (1 + dc.annuity.interest_rate)
    R = p["pensionable_age"].transpose("year", "sex").values
    expected_b, got_b = [], []
    for t in range(0, T - 1, 5):
        for g in range(2):
            x0, t0 = int(R[t + 1, g]), t + 1
            total, surv = 0.0, 1.0
            for j in range(500):  # a plain sum along the diagonal, held at the last year and the open age
                total += u ** j * surv
                surv *= 1 - qx[min(t0 + j, T - 1), g, min(x0 + j, X - 1)]
            bal = float(p["retiring_balance"].values[t, g])
            if bal <= 0:
                continue
            expected_b.append(dc.annuity_share * bal / ((1 + dc.annuity.loading) * total))
            got_b.append(float(p["new_pension_amounts"].sel(benefit_type="old_age").values[t, g]))
    rows.append(row(name, f"annuities bought = premium / ((1 + loading) a_x), a_x on cohort mortality "
                          f"({len(got_b)} award years and sexes)", expected_b, got_b, tol))
    rows.append(row(name, "state top-up / GDP (abs)", p["state_top_up"].values / e["gdp"].values,
                    p["state_top_up_gdp"].values, tol, relative=False))
    fiscal = tree["fiscal_space"].to_dataset() if "fiscal_space" in tree.children else None
    if fiscal is not None and "cost_gdp" in fiscal:
        cost = fiscal["cost_gdp"].sel(item="pension_guarantee")
        cost = cost.isel(scenario=0) if "scenario" in cost.dims else cost
        rows.append(row(name, "the fiscal stage's pension_guarantee cost = state top-up / GDP (abs)",
                        p["state_top_up_gdp"].values, cost.values, tol, relative=False))
    return rows


def points_vs_career_average(name: str, r: Reader, folder: Path) -> list[Row]:
    tol = r.number("rtol", lo=0.0)
    points = load_assumptions(folder / r.string("points_assumptions"))
    db = load_assumptions(folder / r.string("career_average_assumptions"))
    pts = points.pension.points
    p = run(points)["pension"].to_dataset().isel(scenario=0)
    b = run(db)["pension"].to_dataset().isel(scenario=0)
    rows = [row(name, f"points vs career average (accrual {db.pension.accrual_rate:g}): {v}",
                b[v].values, p[v].values, tol) for v in ("replacement_rate", "payg_cost_rate", "expenditure")]
    # the standard beneficiary (a man, 30 points-buying years before the pensionable age): points
    # bought each year at the purchase value, x the point value at retirement, both values moving
    # with the average wage (so in base-year terms); earnings on the award year's wage level and the
    # salary scale (the stage's stated career convention); / his last year's earnings
    scale = np.asarray(points.labour.salary_scale, dtype=float)
    rate = pts.points_rate if pts.points_rate is not None else float(points.pension.contribution_rate.at(
        [points.case.base_year])[0])
    R = p["pensionable_age"].sel(sex="male").values
    expected = []
    for age in R:
        age = int(age)
        bought = sum(rate * scale[x] / pts.purchase_value for x in range(age - 30, age))
        expected.append(bought * pts.point_value / scale[age - 1])
    rows.append(row(name, "standard beneficiary: points bought x point value / previous earnings",
                    expected, p["standard_replacement_rate"].sel(benefit_type="old_age").values, tol))
    return rows


KINDS = {"dc_closed_forms": dc_closed_forms, "dc_accounting": dc_accounting,
         "points_vs_career_average": points_vs_career_average}


# -- notional accounts (pension_ndc) -----------------------------------------------------------

def _survivors(first_age: int, q_young: float, q_growth: float, q_cap: float, ages: int = 1500) -> np.ndarray:
    """l_x from the first age (l = 1000 there), q_x = min(q_young x q_growth^(x - first age), q_cap),
    q = 1 at the table's last age (100): nobody lives past it (the open age group holds one age)."""
    q = np.array([min(q_young * q_growth ** max(x - first_age, 0), q_cap) if x < 100 else 1.0
                  for x in range(ages)])
    l_ = np.zeros(ages)
    l_[first_age] = 1000.0
    for x in range(first_age + 1, ages):
        l_[x] = l_[x - 1] * (1.0 - q[x - 1])
    return q, l_


def ndc_steady_state(name: str, r: Reader, folder: Path) -> list[Row]:
    """A mature NDC scheme in a stationary population (1,000 entrants a year, no new entrants'
    capital, all insured contributing to the pensionable age), wages growing at g, the notional
    rate = the wage bill's growth = g, no buffer fund, started from its steady state written in
    closed form; the kernel must keep it there. Closed forms (w_t = w (1 + g)^t, S_R = sum_{y<R} l_y):

      capital at 1 January t, age x (the cohort's)  = rate w_t (1 + g)^(-1/2) sum_{x_lo<=y<x} l_y
      divisor D_R = sum_k (l_{R+k} / l_R) / (1 + norm)^k
      pensions at age x >= R = rate w_t (1 + g)^(-1/2) S_R / (l_R D_R) l_x / (1 + norm)^(x - R)
      so E_t = rate w_t (1 + g)^(-1/2) S_R and C_t = rate w_t S_R: the PAYG cost rate is
      rate (1 + g)^(-1/2) (contributions mid-year, pensions on 1 January): the rate when g = 0;
      with g = 0 the liability equals contributions x turnover duration: the balance ratio is 1.
    """
    tol = r.number("rtol", lo=0.0)
    rate, w, g = r.number("contribution_rate", lo=0.0, hi=1.0), r.number("wage", lo=0.0), r.number("growth")
    norm = r.number("norm", lo=0.0, hi=0.2)
    x_lo = r.number("first_age", lo=0, hi=99, integer=True)
    R = r.number("pensionable_age", lo=1, hi=99, integer=True)
    T = r.number("years", lo=2, hi=200, integer=True)
    qs, l_ = _survivors(x_lo, r.number("q_young", lo=0.0, hi=0.5), r.number("q_growth", lo=1.0, hi=1.5),
                        r.number("q_cap", lo=0.01, hi=1.0), ages=102)
    balancing = r.flag("balancing", True)
    X = 101
    S_R = l_[x_lo:R].sum()
    D_R = sum(l_[R + k] / l_[R] / (1 + norm) ** k for k in range(len(l_) - R))
    unit = rate * w * (1 + g) ** -0.5  # rate w_t (1 + g)^(-1/2) at t = 0
    P0, W0, N0, B0 = (np.zeros((2, X)) for _ in range(4))
    for x in range(x_lo, R):
        P0[:, x] = l_[x]
        W0[:, x] = unit * l_[x_lo:x].sum()
    for x in range(R, len(l_)):
        a = min(x, X - 1)  # the open age group holds every age from 100
        N0[:, a] += l_[x]
        B0[:, a] += unit * S_R / (l_[R] * D_R) * l_[x] / (1 + norm) ** (x - R)
    q = np.broadcast_to(qs[:X], (1, T, 2, X)).copy()
    K = np.zeros((1, T, 2, X))
    K[..., x_lo:R] = l_[x_lo:R]
    level = (w * (1 + g) ** np.arange(T))[None, :, None] * np.ones((1, T, 2))
    div = np.zeros((1, T, 2, X))
    for x in range(x_lo, X):  # plain sums of the definition (the kernel reads those at R and above)
        div[..., x] = sum(l_[x + k] / l_[x] / (1 + norm) ** k for k in range(len(l_) - x))
    Ra = np.full((T, 2), R, dtype=np.int64)
    flat = lambda v: np.full((1, T), v)  # noqa: E731
    out = run_notional(K, q, np.ones((2, X)), level, np.ones(X), flat(np.inf), Ra, flat(rate), flat(g),
                       flat(0.0), div, np.array([norm, float(balancing), 0.0]), P0, W0, N0, B0, 0.0, x_lo, R - 1)
    cost = out["paid"][0] / out["earnings"][0]
    rows = [row(name, f"PAYG cost rate = rate (1 + g)^(-1/2), every year (g = {g:g})",
                np.full(T, rate * (1 + g) ** -0.5), cost, tol),
            row(name, "contributions = rate w_t S_R", rate * w * (1 + g) ** np.arange(T) * S_R * 2,
                out["contributions"][0].sum(-1), tol),
            row(name, "pensions paid = rate w_t (1 + g)^(-1/2) S_R",
                unit * (1 + g) ** np.arange(T) * S_R * 2, out["paid"][0], tol),
            row(name, "notional capital, all ages = rate w_t (1 + g)^(-1/2) sum_x sum_{y<x} l_y",
                unit * (1 + g) ** np.arange(T) * 2 * sum(l_[x_lo:x].sum() for x in range(x_lo, R)),
                out["capital_total"][0].sum(-1), tol),
            row(name, "the brake stays off: the credited rate is g (abs)", np.full(T, g), out["credited"][0], tol,
                relative=False)]
    # the turnover duration by plain sums: pension-weighted less contribution-weighted mean ages
    a_c = sum(x * l_[x] for x in range(x_lo, R)) / S_R
    pay = [(min(x, X - 1), l_[x] / (1 + norm) ** (x - R)) for x in range(R, len(l_))]
    a_r = sum(a * p for a, p in pay) / sum(p for _, p in pay)
    rows.append(row(name, "turnover duration = A_R - A_C", np.full(T, a_r - a_c), out["turnover"][0], tol))
    if g == 0:
        rows.append(row(name, "balance ratio = 1 (g = 0: liability = contributions x turnover duration)",
                        np.ones(T), out["ratio"][0], tol))
    # an immature scheme's rule: the pay-out duration expected from the divisors' mortality and norm
    # (pension_ndc.payment_ages) equals the mature stationary stock's measured one, A_R - R
    expected = payment_ages(q, norm, False)[0, :, :, R]
    rows.append(row(name, "expected pay-out duration (divisors' mortality, norm) = measured A_R - R, 1e-12",
                    np.full((T, 2), a_r - R), expected - R, min(tol, 1e-12)))
    # a new scheme's stock (only the ages R..R + young - 1 held, not taken as mature) completed above
    # its oldest age by its youngest age's pensions' expected payments (stock_completion): in the
    # stationary population that is the full stock's cross-section, so TD = A_R - A_C every year
    # until its first pensioners reach the last age (then measured on the full stock)
    young = r.number("completion_ages", lo=1, hi=X - R, integer=True)
    N1, B1 = N0.copy(), B0.copy()
    N1[:, R + young:], B1[:, R + young:] = 0.0, 0.0
    rule = run_notional(K, q, np.ones((2, X)), level, np.ones(X), flat(np.inf), Ra, flat(rate), flat(g),
                        flat(0.0), div, np.array([norm, float(balancing), 0.0]), P0, W0, N1, B1, 0.0, x_lo, R - 1,
                        stock_mature=False)
    full = min(X - R - young, T)  # the years before the stock holds the last age X - 1
    rows.append(row(name, f"turnover duration on the stock of ages {R}-{R + young - 1} completed by expected "
                          "payments = A_R - A_C", np.full(full, a_r - a_c), rule["turnover"][0, :full], tol))
    rows.append(row(name, "the stock completed until it holds the last age, then measured (abs)",
                    (np.arange(T) >= full).astype(float), rule["measured"][0], 0.0, relative=False))
    # (no balance-ratio row for it: the completion is of the turnover duration only, the liability is
    # the young stock's own, so the ratio is not 1 here)
    return rows


def ndc_balance_ratio(name: str, r: Reader, folder: Path) -> list[Row]:
    """Sweden's balance ratio on a hand case (Orange Report, "Accounting principles"):
    (buffer fund + contributions x turnover duration) / (notional capital + pensions x divisors),
    turnover duration = pension-weighted mean age of pensioners - contribution-weighted mean age
    of contributors; expected by hand arithmetic in the case file, against the engine's
    ``_ndc_kernels.balance_ratio``."""
    from actuarial.projection._ndc_kernels import balance_ratio

    tol = r.number("rtol", lo=0.0)
    ages = [int(a) for a in r.number_list("ages", r.raw("ages"), lo=0, hi=100, what="an age")]
    f = lambda k: np.array(r.number_list(k, r.raw(k), lo=0.0, length=len(ages)))  # noqa: E731
    c, p, cap, pens, div = f("contributions"), f("pensions_paid"), f("capital"), f("pensions"), f("divisors")
    X = max(ages) + 1
    put = lambda v: np.bincount(ages, weights=v, minlength=X).astype(float)  # noqa: E731
    got = balance_ratio(r.number("buffer_fund", lo=0.0), float(c.sum()), put(c), put(p), put(cap), put(pens),
                        put(div))
    return [row(name, "turnover duration (hand)", r.number("expected_turnover_duration"), got[1], tol),
            row(name, "contribution asset (hand)", r.number("expected_contribution_asset"), got[2], tol),
            row(name, "pension liability (hand)", r.number("expected_liability"), got[3], tol),
            row(name, "balance ratio (hand)", r.number("expected_balance_ratio"), got[0], tol)]


KINDS.update(ndc_steady_state=ndc_steady_state, ndc_balance_ratio=ndc_balance_ratio)


def db_to_db_transition(name: str, r: Reader, folder: Path) -> list[Row]:
    """A defined-benefit scheme "reformed" to defined benefit: every variable of the pension and
    fiscal-space nodes is bit-identical to the unreformed run's (the largest absolute difference
    is 0)."""
    return _no_reform(name, r, folder, "defined_benefit")


def dc_to_dc_transition(name: str, r: Reader, folder: Path) -> list[Row]:
    """Individual accounts "reformed" to individual accounts: as ``db_to_db_transition``."""
    return _no_reform(name, r, folder, "defined_contribution")


def _no_reform(name: str, r: Reader, folder: Path, design: str) -> list[Row]:
    """The file's run against the same run with a transition to its own design in ``year``."""
    import dataclasses

    from actuarial.assumptions.pension import Transition

    a = load_assumptions(folder / r.string("assumptions"))
    year = r.number("year", lo=1900, hi=2300, integer=True)
    if a.pension.design != design:
        raise ValueError(f"{name}: the assumptions' pension.design is {a.pension.design}, not {design}")
    b = dataclasses.replace(a, pension=dataclasses.replace(a.pension, transition=Transition(year, design)))
    base, moved = run(a), run(b)
    rows = []
    for node in ("pension", "fiscal_space"):
        x, y = base[node].to_dataset(), moved[node].to_dataset()
        worst = max((float(np.nanmax(np.abs(x[k].values - y[k].values), initial=0.0))
                     if np.issubdtype(x[k].dtype, np.number) else float(not np.array_equal(x[k], y[k]))
                     for k in x.data_vars), default=0.0)
        same_nan = all(np.array_equal(np.isnan(x[k].values), np.isnan(y[k].values)) for k in x.data_vars
                       if np.issubdtype(x[k].dtype, np.floating))
        rows.append(row(name, f"/{node}: largest difference over {len(x.data_vars)} variables (abs)", 0.0,
                        worst if same_nan and set(x.data_vars) == set(y.data_vars) else np.inf, 0.0,
                        relative=False))
    return rows


KINDS["dc_to_dc_transition"] = dc_to_dc_transition


def dc_to_db_transition(name: str, r: Reader, folder: Path) -> list[Row]:
    """A DC scheme turned into DB in t0 (``pension.transition``, to defined_benefit), both rules:

    kept       the frozen accounts of a cohort aged x at t0 (x + n below the pensionable ages),
               per surviving member: B(t0 + n) = B(t0) prod_k (1 + r_net,k), with
               1 + r_net,k = (1 + i_k + spread_k)(1 - balance fee) (no contributions); the
               cohort's total is that times its survival prod_k (1 - q(t0 + k, x + k)) from the
               demography node; (1 + r_net)^n when the rate is constant
    kept       the DB scheme pays no old-age pension awarded before t0 + 1 and no contribution
               income before t0
    converted  the DB reserve on 1 January t0 = its reserve on 31 December t0 - 1 + the balances
               transferred, and those balances = the accounts' balances on 1 January t0 in the kept
               run (the same accounts up to that day); the converted run's accounts hold no
               insured's balance from t0"""
    import dataclasses

    a = load_assumptions(folder / r.string("assumptions"))
    n_years = r.number("years", lo=1, hi=60, integer=True)
    rtol = r.number("rtol", lo=0.0, hi=1.0)
    tr = a.pension.transition
    if a.pension.design != "defined_contribution" or tr is None or tr.to != "defined_benefit":
        raise ValueError(f"{name}: the assumptions need pension.design defined_contribution with a transition "
                         f"to defined_benefit")
    trees = {rule: run(dataclasses.replace(a, pension=dataclasses.replace(
        a.pension, transition=dataclasses.replace(tr, accrued_rights=rule)))) for rule in ("kept", "converted")}
    kept, conv = (trees[k]["pension"].to_dataset().isel(scenario=0) for k in ("kept", "converted"))
    years = kept["year"].values
    k0 = int(tr.year - years[0])
    dc = a.pension.defined_contribution
    i = trees["kept"]["economy"].to_dataset()["interest_rate"]
    i = (i.isel(scenario=0) if "scenario" in i.dims else i).values
    spread = dc.return_spread.at(years)
    q = trees["kept"]["demography"].to_dataset()["death_probability"]
    q = (q.isel(scenario=0) if "scenario" in q.dims else q).transpose("year", "sex", "age").values
    R = kept["pensionable_age"].values
    x_lo = a.labour.first_age
    W = kept["legacy_account_balance"].transpose("year", "sex", "age").values
    expected, got = [], []
    for g in range(2):
        for x in range(x_lo, int(R[:, g].min())):
            if x + n_years >= R[k0:k0 + n_years + 1, g].min() or W[k0, g, x] <= 0:
                continue
            growth, alive = 1.0, 1.0
            for k in range(n_years):
                growth *= (1.0 + i[k0 + k] + spread[k0 + k]) * (1.0 - dc.fee_on_balance)
                alive *= 1.0 - q[k0 + k, g, x + k]
            expected.append(W[k0, g, x] * growth)
            got.append(W[k0 + n_years, g, x + n_years] / alive)
    rows = [row(name, f"kept: frozen balance per surviving member after {n_years} years, {len(got)} cohorts "
                      f"(rel)", np.array(expected), np.array(got), rtol)]
    old = kept["new_pension_amounts"].sel(benefit_type="old_age").sum("sex").values
    income = kept["contribution_income"].values
    rows.append(row(name, "kept: DB old-age awards before the transition year and contributions before it (abs)",
                    0.0, float(np.abs(old[:k0]).sum() + np.abs(income[:k0]).sum()), 0.0, relative=False))
    moved = float(conv["transferred_balance_total"])
    jump = float(conv["reserve"].values[k0] - conv["reserve_end"].values[k0 - 1])
    rows.append(row(name, "converted: DB reserve on 1 January t0 - reserve on 31 December t0-1 = balances "
                          "transferred (rel)", moved, jump, rtol))
    rows.append(row(name, "converted: balances transferred = the kept accounts' balances on 1 January t0 (rel)",
                    float(kept["legacy_account_balance_total"].values[k0].sum()), moved, rtol))
    rows.append(row(name, "converted: insured's balances left in the accounts from t0 (abs)", 0.0,
                    float(np.abs(conv["legacy_account_balance_total"].values[k0:]).sum()), 0.0, relative=False))
    return rows


KINDS["dc_to_db_transition"] = dc_to_db_transition


KINDS["db_to_db_transition"] = db_to_db_transition


def _cohort_q(x_lo: int, T: int, q_young: float, q_growth: float, q_cap: float, improvement: float) -> np.ndarray:
    """q (1, T, 2, 101): min(q_young q_growth^(x - x_lo) (1 - improvement)^t, q_cap), the same for both sexes."""
    ages = np.arange(101)
    q = np.minimum(q_young * q_growth ** (ages - x_lo)[None] * (1 - improvement) ** np.arange(T)[:, None], q_cap)
    return np.broadcast_to(q[None, :, None, :], (1, T, 2, 101)).copy()


def _apv_plain(P: float, q: np.ndarray, g: int, x: int, t0: int, R: int, rate: float, survival: bool) -> float:
    """P v^n np_x ä(t0 + n, R) by forward sums along the cohort (400 years; years past the
    projection at the last one's q), n = R - x, np_x = 1 without survival."""
    T, X = q.shape[1], q.shape[3]
    qq = lambda t, a: q[0, min(t, T - 1), g, min(a, X - 1)]  # noqa: E731
    n = R - x
    p = 1.0
    if survival:
        for k in range(n):
            p *= 1.0 - qq(t0 + k, x + k)
    annuity, s = 0.0, 1.0
    for j in range(400):
        annuity += s / (1.0 + rate) ** j
        s *= 1.0 - qq(t0 + n + j, R + j)
    return P * p * annuity / (1.0 + rate) ** n


def ndc_conversion(name: str, r: Reader, folder: Path) -> list[Row]:
    """Accrued DB rights converted (``pension.transition``, ``accrued_rights: converted``), three checks:

    1. the DB kernel's accrued pensions at the conversion (``_pension_kernels._convert_rights``, at the
       first year of the pension reference's small case): sum_c (A + I) min(accrual c ref, max share ref),
       ref = min(wage level x average scale, ceiling), by plain loops over its insured;
    2. the converted capital = the actuarial present value of the accrued pension P from the pensionable
       age R, P v^n np_x ä_R on cohort mortality (with survival: notional capital; without: a DC
       recognition bond), by forward sums along each cohort (``_apv_plain``);
    3. conservation: the NDC kernel fed only the converted capital (no contributions, no entrants), with
       the notional rate and the norm equal to the conversion rate: the pension awarded at R to every
       survivor of a cohort equals the accrued DB pension per member, P / N (closed form)."""
    from actuarial.projection import _pension_kernels as kern
    from actuarial.projection.pension_conversion import present_values
    from actuarial.projection.pension_ndc import divisors
    from actuarial.validation import pension_reference as ref

    tol = r.number("rtol", lo=0.0)
    rate = r.number("rate", lo=-0.05, hi=0.2)
    x_lo = r.number("first_age", lo=0, hi=99, integer=True)
    R = r.number("pensionable_age", lo=1, hi=99, integer=True)
    T = r.number("years", lo=2, hi=200, integer=True)
    t0 = r.number("conversion_year_index", lo=0, hi=T - 1, integer=True)
    members = r.number("members", lo=0.0, lo_open=True)
    per_year = r.number("pension_per_year_of_age", lo=0.0, lo_open=True)
    q = _cohort_q(x_lo, T, r.number("q_young", lo=0.0, hi=0.5), r.number("q_growth", lo=1.0, hi=1.5),
                  r.number("q_cap", lo=0.01, hi=1.0), r.number("improvement", lo=0.0, hi=0.1))
    rows = []
    # 1. the kernel's accrued pensions at the freeze year (index 0: the valuation date's insured)
    inputs = ref.small_case()
    par = np.zeros(kern.CONVERT + 1)
    par[:inputs["par"].size] = inputs["par"]
    par[kern.FREEZE], par[kern.CONVERT] = 0.0, 1.0
    inputs["par"] = par
    got = ref.run_kernel(inputs)["converted"][0]
    A, I, lev, sa, ceil = inputs["A0"][0], inputs["I0"][0], inputs["level"][0, 0], inputs["scale_avg"], \
        inputs["ceil"][0, 0]
    plain = np.zeros((2, 2, ref.X))
    for g in range(2):
        for x in range(ref.LO, ref.HI + 2):
            for c in range(ref.C):
                e = min(lev[g] * sa[x, c], ceil)
                plain[0, g, x] += A[g, x, c] + I[g, x, c]
                plain[1, g, x] += (A[g, x, c] + I[g, x, c]) * min(ref.RULES.accrual * c * e,
                                                                  ref.RULES.maximum_share * e)
    ins = slice(ref.LO, ref.HI + 1)  # the insured ages (none older on 1 January)
    rows.append(row(name, "kernel: insured converted (plain sums over credits)", plain[0, :, ins], got[0, :, ins],
                    tol))
    older = slice(ref.LO + 1, ref.HI + 1)  # at the first age every insured has 0 credits: no pension
    rows.append(row(name, "kernel: accrued pensions converted = sum (A + I) accrual c ref (plain)",
                    plain[1, :, older], got[1, :, older], tol))
    rows.append(row(name, "kernel: nothing converted outside the insured ages (abs)", 0.0,
                    float(np.abs(got[:, :, :ref.LO]).sum() + np.abs(got[:, :, ref.HI + 1:]).sum()), 0.0,
                    relative=False))
    # 2. present values by forward sums
    accrued = np.zeros((1, 2, 101))
    accrued[0, :, x_lo:R] = per_year * members * (np.arange(x_lo, R) - x_lo + 1)  # P grows with the career
    Ra = np.full((T, 2), R, dtype=np.int64)
    for survival, what in ((True, "notional capital (with survival)"), (False, "recognition bond (no survival)")):
        got = present_values(accrued, q, Ra, t0, rate, survival)
        want = np.zeros_like(got)
        for g in range(2):
            for x in range(x_lo, R):
                want[0, g, x] = _apv_plain(accrued[0, g, x], q, g, x, t0, R, rate, survival)
        rows.append(row(name, f"{what} = P v^n np_x a_R (forward sums)", want[0, :, x_lo:R], got[0, :, x_lo:R], tol))
    # 3. conservation through the NDC kernel: notional rate = norm = conversion rate, capital on 1 January
    #    of the first year (index 0), to members of every age x_lo..R-1
    capital = present_values(accrued, q, Ra, 0, rate, True)
    P0 = np.zeros((2, 101))
    P0[:, x_lo:R] = members
    zeros = np.zeros((2, 101))
    flat = lambda v: np.full((1, T), v)  # noqa: E731
    out = run_notional(np.zeros((1, T, 2, 101)), q, np.ones((2, 101)), np.ones((1, T, 2)), np.ones(101),
                       flat(np.inf), Ra, flat(0.0), flat(rate), flat(0.0), divisors(q, rate, unisex=False),
                       np.array([rate, 0.0, 0.0]), P0, zeros, zeros, zeros, 0.0, x_lo, R - 1, Win=capital, t_in=0)
    k = np.arange(R - x_lo)  # the cohort aged R - 1 - k on 1 January of year 0 retires at the end of year k
    n = out["retiring_n"][0, k]
    per_survivor = out["awards_b"][0, k] / np.where(n > 0, n, np.nan)
    expected = per_year * (R - 1 - k - x_lo + 1)  # P(x) / N, x = R - 1 - k
    rows.append(row(name, "conservation: pension at R per survivor = accrued DB pension per member "
                          "(rate = norm = notional rate)", np.stack([expected, expected], -1), per_survivor, tol))
    return rows


KINDS["ndc_conversion"] = ndc_conversion


# -- the transition generation's option (pension_option, Mexico's Ley 73) ----------------------

def _option_inputs(r: Reader):
    """The hand case of ``legacy_option``: years 2020-2024, two scenarios, a flat salary scale
    (every reference earnings = the wage level), the women's wage 0.8 the men's."""
    import types

    import xarray as xr

    years = np.arange(2020, 2025)
    T, X = years.size, 101
    ns = types.SimpleNamespace
    rules = ns(reference_earnings="final_years", final_years=5, ceiling=None,
               indexation_prices=r.number("indexation_prices", lo=0.0, hi=1.0),
               initial_credit_share=r.number("credit_share", lo=0.0, hi=1.0),
               vesting_years=r.number("vesting_years", lo=0, hi=60, integer=True),
               maximum_pension=r.number("maximum_pension", lo=0.0), accrual_rate=r.number("accrual_rate", lo=0.0),
               minimum_pension=r.number("minimum_pension", lo=0.0),
               defined_contribution=ns(annuity=ns(loading=r.number("loading", lo=0.0))))
    gender = 0.8
    lab = ns(first_age=20, salary_scale=[1.0] * X, gender_wage_ratio=ns(at=lambda y: np.full(len(y), gender)))
    R = np.array([[62, 65], [62, 65], [60, 65], [60, 65], [60, 65]])  # (year, sex)
    aw = 100.0 * 1.04 ** np.arange(T)
    employed = np.zeros((T, 2, X))
    employed[:, 0, 20:60], employed[:, 1, 20:65] = 30.0, 50.0
    q = np.minimum(0.002 * 1.1 ** (np.arange(X) - 20), 0.4)[None, None, :] * np.array([0.8, 1.0])[None, :, None] \
        * (0.99 ** np.arange(T))[:, None, None]
    infl, wage_g = np.full(T, 0.03), np.full(T, 0.04)
    m = np.array([[[10.0, 20.0], [11.0, 21.0], [12.0, 22.0], [13.0, 23.0], [0.0, 0.0]]] * 2)  # (scen, year, sex)
    rr = np.array([[[0.20, 0.25], [0.30, 0.50], [0.25, 0.30], [0.2, 0.2], [0.0, 0.0]],
                   [[0.45, 0.25], [0.30, 0.30], [0.25, 0.60], [0.2, 0.2], [0.0, 0.0]]])
    aiw = np.stack([aw * 0.9, aw * 0.95])
    topup = m * np.array([1.0, 0.0])[None, None, :] * 2.0  # the women's guarantee top-up, 2 a head
    af = np.stack([np.linspace(18.0, 17.0, T), np.linspace(15.0, 14.0, T)], -1)  # (year, sex)
    balance = m * 300.0
    dims3 = ("scenario", "year", "sex")
    ys = {"year": years}
    demography = xr.Dataset({"death_probability": (("year", "sex", "age"), q)}, coords=ys)
    labour = xr.Dataset({"employed": (("year", "sex", "age"), employed)}, coords=ys)
    economy = xr.Dataset({"average_wage": ("year", aw), "inflation": ("year", infl),
                          "nominal_wage_growth": ("year", wage_g), "gdp": ("year", aw * 1e4)}, coords=ys)
    new = xr.Dataset({"pensionable_age": (("year", "sex"), R),
                      "new_pensioners": (("scenario", "year", "sex", "benefit_type"), m[..., None]),
                      "annuitised_replacement_rate": (dims3, rr), "average_insurable_wage": (("scenario", "year"), aiw),
                      "new_state_top_up": (dims3, topup), "retiring_balance": (dims3, balance),
                      "annuity_factor": (("year", "sex"), af)}, coords={**ys, "benefit_type": ["old_age"]})
    tr = ns(year=r.number("reform_year", lo=1900, hi=2300, integer=True))
    plain = dict(years=years, R=R, aw=aw, employed=employed, gender=gender, q=q, m=m, rr=rr, aiw=aiw,
                 topup=topup, af=af, balance=balance, rules=rules, infl=infl, wage_g=wage_g)
    return (rules, lab, demography, labour, economy, new, tr), plain


def legacy_option(name: str, r: Reader, folder: Path) -> list[Row]:
    """Mexico's Ley 73 option (``pension.transition.legacy_option``; LSS 1997 transitorios 3, 11
    and 13) on a hand case of four award years x two sexes x two scenarios, by plain loops from
    the definition: a cohort awarded on 1 January of year t + 1 at the age R is of the transition
    generation when it was of working age in the reform year (R - (t + 1 - reform) >= 20) and has
    vesting_years of its credit_share x (R - 20) credits c; its old-law pension is
    L = max(min(accrual c ref, maximum ref), minimum AW), ref the wage level AW g_s / n_t (flat
    salary scale), the account's A = rr x insurable wage of t + 1 + top-up / retirees; it takes the
    old law when L > A, and the state then pays L per retiree less the top-ups it no longer pays
    less the balance's annuity at the insurers' price, balance / ((1 + loading) a), indexed at
    prices and wages by the indexation_prices weight, to the survivors on 1 January less half the
    year's deaths."""
    from actuarial.projection.pension_option import option_variables

    tol = r.number("rtol", lo=0.0)
    want_choices = r.number("choices", lo=0, integer=True)
    args, h = _option_inputs(r)
    got = option_variables(*args)
    ru, years, R, aw, q = h["rules"], h["years"], h["R"], h["aw"], h["q"]
    reform = args[-1].year
    emp = h["employed"].sum(-1)  # (year, sex)
    T = years.size
    chosen, pension, cost = np.zeros((2, T, 2)), np.zeros((2, T, 2)), np.zeros((2, T))
    for s in range(2):
        for t in range(T - 1):
            u = t + 1
            norm = (emp[u, 0] * h["gender"] + emp[u, 1]) / (emp[u, 0] + emp[u, 1])
            for g in range(2):
                age = int(R[u, g])
                credits = int(round(ru.initial_credit_share * (age - 20)))
                if age - (years[u] - reform) < 20 or credits < ru.vesting_years:
                    continue
                ref = aw[u] * (h["gender"] if g == 0 else 1.0) / norm
                L = max(min(ru.accrual_rate * credits * ref, ru.maximum_pension * ref), ru.minimum_pension * aw[u])
                pension[s, t, g] = L
                n = h["m"][s, t, g]
                A = h["rr"][s, t, g] * h["aiw"][s, u] + h["topup"][s, t, g] / n
                if not L > A:
                    continue
                chosen[s, t, g] = n
                price = (1 + ru.defined_contribution.annuity.loading) * h["af"][u, g]
                net = L * n - h["topup"][s, t, g] - h["balance"][s, t, g] / price
                for y in range(u, T):
                    k = y - u
                    live = 1.0
                    for j in range(k):
                        w = ru.indexation_prices
                        live *= (1 - q[u + j, g, age + j]) * (1 + w * h["infl"][u + j] + (1 - w) * h["wage_g"][u + j])
                    cost[s, y] += net * live * (1 - 0.5 * q[y, g, age + k])
    rows = [row(name, "cells choosing the old law (of 16 award cells; hand count)", float(want_choices),
                float((chosen > 0).sum()), 0.0, relative=False),
            row(name, "retirees choosing the old law = plain choice L > A (abs)", chosen,
                got["legacy_option_retirees"].values, tol, relative=False),
            row(name, "old-law pension L (/ AW, abs)", pension / aw[None, None, :1],
                got["legacy_option_pension"].values / aw[None, None, :1], tol, relative=False)]
    scale = np.abs(cost).max()
    rows.append(row(name, "the state's net cost (/ its largest, abs)", cost / scale,
                    got["legacy_option_cost"].values / scale, tol, relative=False))
    return rows


KINDS["legacy_option"] = legacy_option


def db_to_points_conversion(name: str, r: Reader, folder: Path) -> list[Row]:
    """A DB scheme moved to points in t0 (``pension.transition``, to points, rule points), the DB
    pensions in payment indexed to wages (``indexation_prices`` 0) as the point value is, no
    survivors' pensions (no insured married: the survivors' bound is per scheme): (1) the
    points credited x the point value of t0 = the accrued DB pension, the point value computed
    here as point_value x AW(t0) / AW(base) from the economy node; (2) every year the pensions in
    payment, the pensioners, the awards and the benefits paid of the DB legacy plus the points
    scheme = those of the unreformed DB scheme, by type and sex (the same careers, one rule)."""
    import dataclasses

    a = load_assumptions(folder / r.string("assumptions"))
    rtol = r.number("rtol", lo=0.0, hi=1.0)
    tr = a.pension.transition
    if tr is None or tr.to != "points" or tr.accrued_rights != "converted":
        raise ValueError(f"{name}: the assumptions need a transition to points with converted rights")
    married = type(a.pension.married)(*(np.zeros_like(np.asarray(m, dtype=float)) for m in a.pension.married))
    # no survivors' pensions: their bound (at most the unmarried population of a sex and age) is applied
    # per scheme, so two schemes may award more than one (1.9e-4 of Demoland's pensioners)
    reform = dataclasses.replace(a, pension=dataclasses.replace(a.pension, indexation_prices=0.0, married=married))
    db = dataclasses.replace(reform, pension=dataclasses.replace(reform.pension, transition=None, points=None))
    trees = [run(x) for x in (reform, db)]
    new, old = (t["pension"].to_dataset().isel(scenario=0) for t in trees)
    aw = trees[1]["economy"].to_dataset()["average_wage"]
    aw = (aw.isel(scenario=0) if "scenario" in aw.dims else aw).values
    k = int(tr.year - int(new["year"][0]))
    value = a.pension.points.point_value * aw[k] / aw[0]
    accrued = new["legacy_converted_accrued_pension"].values
    held = accrued > 0
    rows = [row(name, f"points x point value of {tr.year} = accrued DB pension, {held.sum()} sex-age cells with "
                      f"rights (rel)", accrued[held], (new["converted_points"].values * value)[held], rtol)]
    for var in ("pension_amounts", "pensioners_total", "expenditure"):
        got = new[var].values + new[f"legacy_{var}"].values
        rows.append(row(name, f"{var}: DB legacy + points scheme = DB scheme, every year (rel)", old[var].values,
                        got, rtol))
    return rows


KINDS["db_to_points_conversion"] = db_to_points_conversion
