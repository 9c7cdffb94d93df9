"""Validation kinds for the Commission's sustainability gaps and the fan's
probabilistic criteria (``fiscal_space.sustainability_gaps``,
``fiscal_space.stochastic``).

sustainability_gaps  S1 and S2 against plain references written from the
                     Commission's definitions (DSM 2023 annex): S2 the
                     permanent change of the primary balance from the year
                     after the base year whose present value over a long
                     truncated horizon (the last year's r - g and ageing
                     costs continued, summed year by year, no closed tail)
                     equals the debt; S1 from two runs of the plain debt
                     loop (the end-year debt is linear in the adjustment);
                     components: IBP with no ageing costs to the base-year
                     debt, DR to the target, CoA the rest; with constant
                     r, g and no ageing S2 = (r - g)/(1 + g) D - pb
fiscal_var           VAR(1) estimated by OLS on a long simulated history
                     recovers the coefficients within 3 standard errors
fiscal_probabilities a random-walk debt (r = g, primary-balance shocks only):
                     P(d(5) < d(0)) = 1/2, and P(d(t) < a for every year) from
                     the multivariate normal cdf of the partial sums, within
                     4 binomial standard errors

Every expected value is computed here from its definition, not by the engine.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from actuarial.assumptions.reader import Reader
from actuarial.assumptions.series import TimeSeries
from actuarial.validation import Row, row

BASE = 2025


def _fiscal(d0, rate: TimeSeries, g, pb, horizon, gaps=None, stochastic=None):
    from fiscal_space.assumptions import Baseline, DebtRules, FiscalAssumptions, FiscalCase

    c = TimeSeries.constant
    baseline = Baseline(gdp=1.0e12, real_gdp_growth=c(g), inflation=c(0.0), revenue_gdp=c(pb),
                        primary_expenditure_gdp=c(0.0), debt_gdp=d0, interest_rate=rate,
                        foreign_currency_share=c(0.0), exchange_rate=None, stock_flow_adjustment_gdp=c(0.0))
    debt = DebtRules(None, False, d0, BASE + horizon, (0.0,))
    return FiscalAssumptions(FiscalCase("validation", "validation", BASE, horizon, "NCU"), baseline, {}, None,
                             debt, (), stochastic, "<validation case>", "validation", sustainability_gaps=gaps)


def _series(r: Reader, key) -> TimeSeries:
    return r.series(key)


def _pv_gap(debt, pb, factor, change, years=20_000):
    """The permanent change x with debt = sum_{k>=1} delta(k) (pb + x - dA(k)),
    delta(k) = prod_{j<=k} 1/f(j), summed year by year over ``years`` years,
    f and dA held at their last values after the projection."""
    pv_one = pv_pb = 0.0
    disc = 1.0
    for k in range(1, years + 1):
        i = min(k, len(factor) - 1)
        disc /= factor[i]
        pv_one += disc
        pv_pb += disc * (pb - change[i])
    return (debt - pv_pb) / pv_one


def _end_debt(debt, pb, factor, change, x, steps, years):
    """End-year debt of the target year by the plain loop d <- d f - (pb + x w - dA)."""
    d = debt
    for k in range(1, years + 1):
        d = d * factor[k] - (pb + x * min(k / steps, 1.0) - change[k])
    return d


def _s1(debt, pb, factor, change, target, steps, years):
    """S1 from two runs of the loop (d_end is linear in the adjustment)."""
    d0 = _end_debt(debt, pb, factor, change, 0.0, steps, years)
    d1 = _end_debt(debt, pb, factor, change, 1.0, steps, years)
    return (d0 - target) / (d0 - d1)


def sustainability_gaps(name: str, r: Reader, folder: Path) -> list[Row]:
    from fiscal_space import run_fiscal_space
    from fiscal_space.assumptions import GapRules

    d0, g, pb = r.number("d0"), r.number("g"), r.number("pb")
    rate = _series(r, "r")
    horizon = r.number("horizon", lo=20, hi=300, integer=True)
    package = _series(r, "package_cost_gdp")
    pension = _series(r, "pension_spending_gdp")
    target, years_to_target, steps = (r.number("target_debt_gdp"), r.number("years_to_target", integer=True),
                                      r.number("adjustment_years", integer=True))
    tol = r.number("atol", lo=0.0)
    closed = r.flag("closed_form", False)
    years = np.arange(BASE, BASE + horizon + 1)
    costs = xr.Dataset({"cost_gdp": (("year", "item"), package.at(years)[:, None]),
                        "age_related_spending_gdp": (("year", "programme"), np.column_stack(
                            [pension.at(years), package.at(years)]))},
                       coords={"year": years, "item": ["package"], "programme": ["pension", "package"]})
    fa = _fiscal(d0, rate, g, pb, horizon, GapRules(target, years_to_target, steps, "constant"))
    ds = run_fiscal_space(fa, costs)
    factor = (1 + rate.at(years)) / (1 + g)
    rows = []
    for reform, with_package in (("without", False), ("with", True)):
        pb_base = pb - (package.at(years)[0] if with_package else 0.0)  # no financing option: all borrowed
        spend = pension.at(years) + (package.at(years) if with_package else 0.0)
        change = spend - spend[0]
        none = np.zeros_like(change)
        debt = d0 * factor[0] - pb_base  # end of the base year
        s2 = _pv_gap(debt, pb_base, factor, change)
        s2_ibp = _pv_gap(debt, pb_base, factor, none)
        s1 = _s1(debt, pb_base, factor, change, target, steps, years_to_target)
        s1_ibp = _s1(debt, pb_base, factor, none, debt, steps, years_to_target)
        s1_dr = _s1(debt, pb_base, factor, none, target, steps, years_to_target) - s1_ibp
        gap = ds["sustainability_gap"].sel(reform=reform)
        comp = ds["sustainability_gap_component"].sel(reform=reform)
        rows += [
            row(name, f"S2 {reform} the reform: present value year by year (abs)", s2,
                float(gap.sel(sustainability_indicator="S2")), tol, relative=False),
            row(name, f"S2 IBP {reform} (abs)", s2_ibp, float(comp.sel(
                sustainability_indicator="S2", sustainability_component="initial_budgetary_position")), tol,
                relative=False),
            row(name, f"S2 CoA {reform} (abs)", s2 - s2_ibp, float(comp.sel(
                sustainability_indicator="S2", sustainability_component="cost_of_ageing")), tol, relative=False),
            row(name, f"S1 {reform}: plain debt loop to {target} in {years_to_target} years (abs)", s1,
                float(gap.sel(sustainability_indicator="S1")), tol, relative=False),
            row(name, f"S1 IBP {reform}: debt kept at its base-year ratio (abs)", s1_ibp, float(comp.sel(
                sustainability_indicator="S1", sustainability_component="initial_budgetary_position")), tol,
                relative=False),
            row(name, f"S1 DR {reform} (abs)", s1_dr, float(comp.sel(
                sustainability_indicator="S1", sustainability_component="debt_requirement")), tol, relative=False),
            row(name, f"S1 CoA {reform} (abs)", s1 - s1_ibp - s1_dr, float(comp.sel(
                sustainability_indicator="S1", sustainability_component="cost_of_ageing")), tol, relative=False),
        ]
        if closed and reform == "without":
            rr = rate.at(years)[0]
            rows.append(row(name, "S2 with constant r, g, no ageing: (r - g)/(1 + g) D - pb (abs)",
                            (rr - g) / (1 + g) * debt - pb_base, float(gap.sel(sustainability_indicator="S2")),
                            tol, relative=False))
    return rows


def fiscal_var(name: str, r: Reader, folder: Path) -> list[Row]:
    from fiscal_space.stochastic import estimate_var

    n = r.number("years", lo=50, integer=True)
    seed = r.number("seed", lo=0, integer=True)
    a = np.array([r.number_list("coefficients", row_, length=4) for row_ in r.raw("coefficients")])
    sd = np.array(r.number_list("sd", r.raw("sd"), lo=0.0, length=4))
    rng = np.random.default_rng(seed)
    x = np.zeros((n + 100, 4))
    mean = np.array([0.03, 0.05, 0.0, 0.01])
    c = (np.eye(4) - a) @ mean
    for t in range(1, n + 100):  # 100 burn-in years
        x[t] = c + a @ x[t - 1] + sd * rng.standard_normal(4)
    x = x[100:]
    est = estimate_var(x)
    # OLS standard errors from the definition: se(A_ij) = sqrt(s_ii [(Z'Z)^-1]_jj), Z = [1, x_{t-1}]
    z = np.column_stack([np.ones(n - 1), x[:-1]])
    beta = np.linalg.solve(z.T @ z, z.T @ x[1:])
    resid = x[1:] - z @ beta
    s = resid.T @ resid / (n - 1 - 5)
    se = np.sqrt(np.outer(np.diag(s), np.diag(np.linalg.inv(z.T @ z))[1:]))
    return [row(name, "VAR(1) coefficients: |estimate - true| / standard error", np.zeros(16),
                (np.abs(est.coefficients - a) / se).ravel(), 3.0, relative=False),
            row(name, "VAR(1) residual sd vs the true sd (relative)", sd, np.sqrt(np.diag(est.covariance)),
                r.number("rtol_sd"))]


def fiscal_probabilities(name: str, r: Reader, folder: Path) -> list[Row]:
    from scipy.stats import multivariate_normal

    from fiscal_space import run_fiscal_space
    from fiscal_space.assumptions import Stochastic

    d0, rate, sd, threshold = r.number("d0"), r.number("r"), r.number("sd", lo=0.0), r.number("threshold")
    years, paths, seed = (r.number("years", lo=6, integer=True), r.number("paths", lo=1000, integer=True),
                          r.number("seed", lo=0, integer=True))
    cov = np.zeros((4, 4))
    cov[2, 2] = sd ** 2
    horizon = years - 1
    fa = _fiscal(d0, TimeSeries.constant(rate), rate, 0.0, horizon,
                 stochastic=Stochastic(paths, seed, years, threshold, cov, None))
    ds = run_fiscal_space(fa, xr.Dataset({"cost_gdp": (("year", "item"), np.zeros((years, 1)))},
                                         coords={"year": np.arange(BASE, BASE + years), "item": ["none"]}))
    # d(t) = d0 - S(t), S(t) the sum of t iid N(0, sd^2) shocks: cov(S(s), S(t)) = sd^2 min(s, t)
    t = np.arange(1, years)
    below = multivariate_normal(np.zeros(t.size), sd ** 2 * np.minimum.outer(t, t), abseps=1e-7,
                                releps=1e-7, maxpts=1_000_000).cdf(np.full(t.size, threshold - d0))
    below = float(below) if d0 < threshold else 0.0
    se = lambda p: np.sqrt(p * (1 - p) / paths)  # noqa: E731
    return [
        row(name, "P(d(5) < d(0)) = 1/2 for a random walk (abs)", 0.5,
            float(ds["debt_declining_probability"]), 4 * se(0.5), relative=False),
        row(name, f"P(d(t) < {threshold} every year): multivariate normal cdf (abs)", below,
            float(ds["debt_below_threshold_probability"]), 4 * se(below), relative=False),
    ]


KINDS = {"sustainability_gaps": sustainability_gaps, "fiscal_var": fiscal_var,
         "fiscal_probabilities": fiscal_probabilities}
