"""Validation kinds for the fiscal stage's DSA flows (issue 20 items 1-3).

fiscal_debt_decomposition  constant r, g, pi, a foreign-currency share alpha and depreciation e,
                           pb and sfa: the debt path from a plain loop of
                           d(t+1) = d (1 + r)(1 + alpha e) / ((1 + g)(1 + pi)) - pb + sfa and each
                           contribution from the IMF MAC DSA template's formulas (interest d r/(1+n),
                           inflation -d pi (1+g)/(1+n), real growth -d g/(1+n), exchange rate
                           d alpha e (1+r)/(1+n), primary deficit -pb, sfa); their sum against the
                           change every year
fiscal_debt_structure      a debt profile (short-term share, average maturity): with flat rates
                           (marginal = existing = r, no premium) the effective rate is r and the debt
                           the closed form d0 q^t - pb (q^t - 1)/(q - 1); with distinct rates, a
                           two-bucket rollover with each long-term vintage kept one by one in a plain
                           loop (debt, effective rate, amortisation, GFN = interest + amortisation - pb
                           + sfa); the same with a risk premium bp x max(0, d(t) - threshold)

Every expected value is computed here from its definition, not by the engine.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from actuarial.assumptions.reader import Reader
from actuarial.assumptions.series import TimeSeries
from actuarial.validation import Row, row

BASE = 2025


def _assumptions(r, horizon, profile=None, inflation=0.0, alpha=0.0, e=0.0, sfa=0.0, revenue=None):
    """The fiscal assumptions of a constant-parameter case; revenue / GDP ``revenue`` and primary
    spending revenue - pb when given (else revenue = pb, no spending)."""
    from fiscal_space.assumptions import Baseline, DebtRules, FiscalAssumptions, FiscalCase

    c = TimeSeries.constant
    years = np.arange(BASE - 1, BASE + horizon + 1)
    fx = TimeSeries(tuple(int(y) for y in years), tuple(100.0 * (1 + e) ** (years - BASE + 1))) if alpha else None
    baseline = Baseline(gdp=1.0e12, real_gdp_growth=c(r["g"]), inflation=c(inflation), revenue_gdp=c(r["pb"] if revenue is None else revenue),
                        primary_expenditure_gdp=c(0.0 if revenue is None else revenue - r["pb"]), debt_gdp=r["d0"], interest_rate=c(r["r"]),
                        foreign_currency_share=c(alpha), exchange_rate=fx, stock_flow_adjustment_gdp=c(sfa))
    debt = DebtRules(None, False, r["d0"], BASE + horizon, (0.0,))
    return FiscalAssumptions(FiscalCase("validation", "validation", BASE, horizon, "NCU"), baseline, {}, None,
                             debt, (), None, "<validation case>", "validation", profile)


def _costs(years):
    import xarray as xr

    return xr.Dataset({"cost_gdp": (("year", "item"), np.zeros((len(years), 1)))},
                      coords={"year": years, "item": ["package"]})


def _macro(r: Reader) -> dict:
    return {k: r.number(k) for k in ("d0", "r", "g", "pb")}


def fiscal_debt_decomposition(name: str, r: Reader, folder: Path) -> list[Row]:
    from fiscal_space import run_fiscal_space

    m = _macro(r)
    pi, alpha, e, sfa = (r.number(k) for k in ("inflation", "foreign_currency_share", "depreciation", "sfa"))
    horizon = r.number("horizon", lo=1, hi=300, integer=True)
    tol, rtol = r.number("atol", lo=0.0), r.number("rtol_debt", lo=0.0)
    years = np.arange(BASE, BASE + horizon + 1)
    ds = run_fiscal_space(_assumptions(m, horizon, inflation=pi, alpha=alpha, e=e, sfa=sfa), _costs(years))
    d0, rate, g, pb = m["d0"], m["r"], m["g"], m["pb"]
    n1 = (1 + g) * (1 + pi)
    want = {k: [] for k in ("interest_rate", "inflation", "real_growth", "exchange_rate", "primary_deficit",
                            "stock_flow_adjustment")}
    debt, change = [d0], []
    for _ in years:
        d = debt[-1]
        nxt = d * (1 + rate) * (1 + alpha * e) / n1 - pb + sfa
        want["interest_rate"].append(d * rate / n1)
        want["inflation"].append(-d * pi * (1 + g) / n1)
        want["real_growth"].append(-d * g / n1)
        want["exchange_rate"].append(d * alpha * e * (1 + rate) / n1)
        want["primary_deficit"].append(-pb)
        want["stock_flow_adjustment"].append(sfa)
        change.append(nxt - d)
        debt.append(nxt)
    c = ds["debt_change_contribution"].sel(reform="without")
    rows = [row(name, "debt path, plain loop", np.array(debt[:-1]), ds["debt_gdp"].sel(reform="without").values,
                rtol)]
    rows += [row(name, f"contribution {k} from its formula (abs)", np.array(v), c.sel(component=k).values, tol,
                 relative=False) for k, v in want.items()]
    rows.append(row(name, "sum of the contributions = d(t+1) - d(t) (abs)", np.array(change),
                    c.sum("component").values, tol, relative=False))
    rows.append(row(name, "residual (abs)", np.zeros(years.size), c.sel(component="residual").values, tol,
                    relative=False))
    return rows


def rollover(d0, n, pb, sfa, sigma, m, re, rs, rl, alpha=0.0, e=0.0, threshold=None, bp=0.0):
    """The one plain reference loop of the debt's structure, year by year over len(n) years (n, pb,
    sfa, alpha, e, rs, rl scalars or paths): short-term debt repaid and reissued each year at
    rs(t) (+ premium); the existing long-term debt at re and every vintage of new long-term debt at
    the long rate of its year (+ premium) repaid 1/m a year; new borrowing = GFN = interest +
    amortisation - pb + sfa, a share sigma short-term; the premium bp x max(0, d(t) - threshold)
    (per point of debt on 1 January); the foreign-currency share alpha of the debt and its interest
    revalued by the depreciation e at the end of the year, every bucket in proportion. Stocks on
    1 January in GDP of the year before, flows in GDP of the year. Returns debt (T + 1), interest,
    effective rate = interest / debt, amortisation, GFN and premium (T)."""
    T = len(n)  # n a path
    path = lambda x: np.broadcast_to(np.asarray(x, float), (T,))  # noqa: E731
    n, pb, sfa, alpha, e, rs, rl = (path(x) for x in (n, pb, sfa, alpha, e, rs, rl))
    short, existing, vintages = sigma * d0, (1 - sigma) * d0, []  # vintages: [balance, rate]
    out = {"debt": [d0], "interest": [], "rate": [], "amortisation": [], "gfn": [], "premium": []}
    for t in range(T):
        opening = short + existing + sum(v[0] for v in vintages)
        prem = 0.0 if threshold is None else bp / 10000.0 * 100.0 * max(0.0, opening - threshold)
        short, existing = short / (1 + n[t]), existing / (1 + n[t])
        for v in vintages:
            v[0] /= 1 + n[t]
        d = opening / (1 + n[t])
        interest = short * (rs[t] + prem) + existing * re + sum(b * rv for b, rv in vintages)
        amort = short + existing / m + sum(b / m for b, _ in vintages)
        gfn = interest + amort - pb[t] + sfa[t]
        existing -= existing / m
        for v in vintages:
            v[0] -= v[0] / m
        vintages.append([(1 - sigma) * gfn, rl[t] + prem])
        short = sigma * gfn
        after = short + existing + sum(v[0] for v in vintages)
        scale = 1 + alpha[t] * e[t] * (d + interest) / after
        short, existing = short * scale, existing * scale
        for v in vintages:
            v[0] *= scale
        out["debt"].append(short + existing + sum(v[0] for v in vintages))
        for k, x in (("interest", interest), ("rate", interest / d), ("amortisation", amort), ("gfn", gfn),
                     ("premium", prem)):
            out[k].append(x)
    return {k: np.array(v) for k, v in out.items()}


def fiscal_debt_structure(name: str, r: Reader, folder: Path) -> list[Row]:
    from fiscal_space import run_fiscal_space
    from fiscal_space.financing_needs import Profile

    m = _macro(r)
    horizon = r.number("horizon", lo=1, hi=300, integer=True)
    sigma, mat = r.number("short_term_share", lo=0.0, hi=1.0), r.number("average_maturity", lo=1.0)
    re, rs, rl = (r.number(k) for k in ("existing_rate", "short_rate", "long_rate"))
    threshold, bp = r.number("premium_threshold"), r.number("basis_points_per_point", lo=0.0)
    sfa = r.number("sfa")
    rtol = r.number("rtol", lo=0.0)
    years = np.arange(BASE, BASE + horizon + 1)
    T = years.size
    full = lambda v: np.full(T, float(v))  # noqa: E731
    n = m["g"]  # no inflation: n = g
    rows = []
    cases = [("flat rates", Profile(full(sigma), mat, None, full(m["r"]), full(m["r"]), full(m["r"])),
              (m["r"], m["r"], m["r"], None, 0.0)),
             ("two-bucket rollover", Profile(full(sigma), mat, None, full(re), full(rs), full(rl)),
              (re, rs, rl, None, 0.0)),
             (f"risk premium {bp} bp per point above {threshold}",
              Profile(full(sigma), mat, None, full(re), full(rs), full(rl), threshold, bp),
              (re, rs, rl, threshold, bp))]
    for label, profile, (e_r, s_r, l_r, thr, b) in cases:
        ds = run_fiscal_space(_assumptions(m, horizon, profile, sfa=sfa), _costs(years))
        want = rollover(m["d0"], np.full(T, n), m["pb"], sfa, sigma, mat, e_r, s_r, l_r, threshold=thr, bp=b)
        sel = {"reform": "without"}
        rows += [
            row(name, f"{label}: debt (plain loop)", want["debt"][:-1], ds["debt_gdp"].sel(sel).values, rtol),
            row(name, f"{label}: effective rate = interest / debt", want["rate"],
                ds["effective_interest_rate"].sel(sel).values, rtol),
            row(name, f"{label}: amortisation", want["amortisation"], ds["amortisation_gdp"].sel(sel).values, rtol),
            row(name, f"{label}: GFN = interest + amortisation - pb + sfa", want["gfn"],
                ds["gross_financing_needs_gdp"].sel(sel).values, rtol),
        ]
        if label == "flat rates":
            q = (1 + m["r"]) / (1 + n)
            t = years - BASE
            pb_eff = m["pb"] - sfa
            rows += [row(name, "flat rates: effective rate = r", full(m["r"]),
                         ds["effective_interest_rate"].sel(sel).values, rtol),
                     row(name, "flat rates: debt = d0 q^t - (pb - sfa)(q^t - 1)/(q - 1)",
                         m["d0"] * q ** t - pb_eff * (q ** t - 1) / (q - 1), ds["debt_gdp"].sel(sel).values, rtol)]
        if thr is not None:
            rows.append(row(name, f"{label}: premium (abs)", want["premium"], ds["risk_premium"].sel(sel).values,
                            rtol, relative=False))
    return rows


KINDS = {"fiscal_debt_decomposition": fiscal_debt_decomposition, "fiscal_debt_structure": fiscal_debt_structure}
