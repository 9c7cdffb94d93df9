"""Validation kinds: the pension headlines recomputed from their published
definitions by plain loops over the pension node's own cash flows (never
through ``pension_metrics``).

pension_cpp_steady_state  the CPP steady-state rate (Calculation of
                          Contribution Rates Regulations; Chief Actuary of
                          Canada): the scheduled rate over a 3-year review
                          period, then the lowest constant rate under which
                          assets at the end of the 10th and 60th years after it
                          over the next year's expenditure are equal; found by
                          scanning rates and bisection on a plain reserve loop
pension_gap_target        the GAP with a target end reserve (ILO): at the GAP,
                          the reserve recursion (discount rate = interest rate)
                          ends the horizon at k x the last year's expenditure
pension_depletion         the reserve floored at zero and the deficit after
                          depletion (DESIGN.md): a plain loop over C, E and i
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np

from actuarial.assumptions import load_assumptions
from actuarial.assumptions.reader import Reader
from actuarial.pipeline import run
from actuarial.validation import Row, row


def _flows(a):
    """The central path's cash flows as plain lists: IE, scheduled rate,
    expenditure less rate-scaled refunds (E0), refunds per unit of rate (r),
    interest, discount, GDP, contributions, expenditure."""
    tree = run(a)
    p = tree["pension"].to_dataset().isel(scenario=0)
    e = tree["economy"].to_dataset()
    e = e.isel(scenario=0) if "scenario" in e.dims else e
    rate = p["contribution_rate"].values
    refund = (1 + a.pension.administrative_cost) * p["refund_base"].values
    E = p["expenditure"].values
    return dict(ie=p["insurable_earnings"].values, rate=rate, E0=E - rate * refund, refund=refund,
                i=e["interest_rate"].values, d=e["discount_rate"].values, gdp=e["gdp"].values,
                C=p["contribution_income"].values, E=E, node=p, years=p["year"].values)


def _reserve(F0, rates, f) -> list[float]:
    """F_{t+1} = F_t (1 + i_t) + (C_t - E_t) sqrt(1 + i_t), C and E at ``rates``."""
    F = [F0]
    for t, pi in enumerate(rates):
        net = pi * f["ie"][t] - (f["E0"][t] + pi * f["refund"][t])
        F.append(F[-1] * (1 + f["i"][t]) + net * math.sqrt(1 + f["i"][t]))
    return F


def pension_cpp_steady_state(name: str, r: Reader, folder: Path) -> list[Row]:
    tol = r.number("rtol", lo=0.0)
    review = r.number("review_period", lo=0, hi=20, integer=True)
    a = load_assumptions(folder / r.string("assumptions"))
    a = dataclasses.replace(a, pension=dataclasses.replace(a.pension, steady_state_review_period=review))
    f = _flows(a)
    F0, T = a.pension.initial_reserve, len(f["ie"])
    ya, yb = review + 10, review + 60  # 1 January after the 10th and 60th years after the review period

    def excess(pi):
        rates = [f["rate"][t] if t < review else pi for t in range(T)]
        F = _reserve(F0, rates, f)
        return F[ya] / (f["E0"][ya] + pi * f["refund"][ya]) - F[yb] / (f["E0"][yb] + pi * f["refund"][yb])

    grid = np.linspace(0.0, 1.0, 1001)
    values = [excess(pi) for pi in grid]
    k = next(j for j in range(len(grid) - 1) if values[j] == 0 or values[j] * values[j + 1] < 0)
    lo, hi = grid[k], grid[k + 1]
    for _ in range(200):  # bisection to the last bit
        mid = 0.5 * (lo + hi)
        if (excess(lo) > 0) == (excess(mid) > 0):
            lo = mid
        else:
            hi = mid
    years = f["years"]
    return [row(name, f"CPP steady-state rate from {years[review]}: assets end of {years[ya - 1]} and "
                      f"{years[yb - 1]} / next year's expenditure equal", 0.5 * (lo + hi),
                float(f["node"]["steady_state_rate"]), tol)]


def pension_gap_target(name: str, r: Reader, folder: Path) -> list[Row]:
    tol = r.number("rtol", lo=0.0)
    k = r.number("target_reserve_ratio", lo=0.0)
    a = load_assumptions(folder / r.string("assumptions"))
    a = dataclasses.replace(a, pension=dataclasses.replace(a.pension, gap_target_reserve_ratio=k))
    f = _flows(a)
    if not np.allclose(f["d"], f["i"], rtol=0, atol=0):
        raise ValueError(f"{name}: the check needs the discount rate equal to the interest rate")
    rows = []
    gap = f["node"]["general_average_premium"]
    for h in gap["horizon"].values:
        pi = float(gap.sel(horizon=h))
        F = _reserve(a.pension.initial_reserve, [pi] * int(h), f)
        target = k * (f["E0"][h - 1] + pi * f["refund"][h - 1])
        scale = max(abs(target), abs(a.pension.initial_reserve))
        rows.append(row(name, f"reserve after {h} years at the GAP {100 * pi:.4f}% = {k:g} x the last year's "
                              f"expenditure (relative to it)", target / scale, F[int(h)] / scale, tol,
                        relative=False))
    return rows


def pension_depletion(name: str, r: Reader, folder: Path) -> list[Row]:
    tol = r.number("rtol", lo=0.0)
    a = load_assumptions(folder / r.string("assumptions"))
    f = _flows(a)
    F, S = [a.pension.initial_reserve], []
    for t in range(len(f["C"])):
        root = math.sqrt(1 + f["i"][t])
        S.append(max(f["E"][t] - f["C"][t] - F[t] * root, 0.0))
        F.append(max(F[t] * (1 + f["i"][t]) + (f["C"][t] - f["E"][t] + S[t]) * root, 0.0))
    F, S = np.array(F), np.array(S)
    p, years = f["node"], f["years"]
    scale = F.max()
    depleted = np.nonzero(F[1:] <= 0)[0]
    expected_year = float(years[depleted[0]]) if depleted.size else np.nan
    got_year = float(p["depletion_year"])
    return [
        row(name, "reserve floored at 0 (plain loop; relative to its largest value)", F[:-1] / scale,
            p["reserve"].values / scale, tol, relative=False),
        row(name, "deficit after depletion / largest reserve", S / scale,
            p["deficit_after_depletion"].values / scale, tol, relative=False),
        row(name, "deficit after depletion / insurable earnings (abs)", S / f["ie"],
            p["deficit_after_depletion_rate"].values, tol, relative=False),
        row(name, "deficit after depletion / GDP (abs)", S / f["gdp"],
            p["deficit_after_depletion_gdp"].values, tol, relative=False),
        row(name, "reserve ratio F_t / E_(t-1) (abs)", F[1:-1] / f["E"][:-1], p["reserve_ratio"].values[1:],
            tol, relative=False),
        row(name, "depletion year (abs; -1: never)", -1.0 if np.isnan(expected_year) else expected_year,
            -1.0 if np.isnan(got_year) else got_year, 0.0, relative=False),
    ]


KINDS = {"pension_cpp_steady_state": pension_cpp_steady_state, "pension_gap_target": pension_gap_target,
         "pension_depletion": pension_depletion}
