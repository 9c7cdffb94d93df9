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
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from actuarial.assumptions import load_assumptions
from actuarial.assumptions.reader import Reader
from actuarial.pipeline import run
from actuarial.projection.pension_dc import run_accounts
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
