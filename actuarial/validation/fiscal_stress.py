"""Validation kind for the IMF MAC DSA stress tests and heat map (issue 20 items 4-5).

fiscal_stress_tests  a debt profile with distinct rates (short-term share, average maturity, existing,
                     short and long marginal rates) and a foreign-currency share: each standard stress
                     test's inputs written from its definition (IMF 2013 MAC DSA guidance note: real growth
                     1 sd lower for 2 years with the deflator 0.25 per point, the primary balance half an sd
                     lower for 2 years, +200 bp on new borrowing for the rest of the projection, a one-time
                     depreciation, all four together, a one-time 10%-of-GDP debt-creating flow with the growth
                     shock) and a user scenario; debt, interest, GFN and the effective rate of each from a plain
                     loop keeping each long-term vintage with its own rate; the heat map classified by hand
                     (red if the baseline breaches the benchmark over the first years, yellow if only the
                     stress test does, green otherwise), with and without a breach in the baseline.

Every expected value is computed here from its definition, not by the engine.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from actuarial.assumptions.reader import Reader
from actuarial.validation import Row, row
from actuarial.validation.fiscal_structure import BASE, _assumptions, _costs

TESTS = ("baseline", "growth", "primary_balance", "interest_rate", "exchange_rate", "combined",
         "contingent_liability", "user")


def _loop(d0, n, pb, sfa, alpha, e, sigma, m, re, rs, rl):
    """Debt (T + 1), interest, GFN and effective rate (T) year by year: short-term debt repaid and
    reissued at rs(t), the existing long-term debt at re repaid 1/m a year, each vintage of new
    long-term debt at the long rate of its year, repaid 1/m a year; new borrowing = GFN, a share
    sigma short-term; the foreign-currency share alpha of the debt and its interest revalued by the
    depreciation e at the end of the year, every bucket in proportion."""
    short, existing, vintages = sigma * d0, (1 - sigma) * d0, []  # vintages: [balance, rate]
    out = {"debt": [d0], "interest": [], "gfn": [], "rate": []}
    for t in range(len(n)):
        opening = short + existing + sum(v[0] for v in vintages)
        short, existing = short / (1 + n[t]), existing / (1 + n[t])
        for v in vintages:
            v[0] /= 1 + n[t]
        d = opening / (1 + n[t])
        interest = short * rs[t] + existing * re + sum(b * rv for b, rv in vintages)
        amort = short + existing / m + sum(b / m for b, _ in vintages)
        gfn = interest + amort - pb[t] + sfa[t]
        existing -= existing / m
        for v in vintages:
            v[0] -= v[0] / m
        vintages.append([(1 - sigma) * gfn, rl[t]])
        short = sigma * gfn
        after = short + existing + sum(v[0] for v in vintages)
        scale = 1 + alpha * e[t] * (d + interest) / after
        short, existing = short * scale, existing * scale
        for v in vintages:
            v[0] *= scale
        out["debt"].append(short + existing + sum(v[0] for v in vintages))
        out["interest"].append(interest)
        out["gfn"].append(gfn)
        out["rate"].append(interest / d)
    return {k: np.array(v) for k, v in out.items()}


def _shocks(r: Reader, T: int) -> dict:
    """The inputs of each test (shift of real growth, of the deflator, of the primary balance, of the
    marginal rates, of the depreciation, debt-creating flow), from the guidance's definitions."""
    k = np.arange(T)
    two = k < 2
    dg = np.where(two, -r.number("growth_sd"), 0.0)  # 1 sd for 2 years
    dpi = 0.25 * dg  # the deflator: 0.25 per point of growth
    dpb = np.where(two, -0.5 * r.number("primary_balance_sd"), 0.0)  # half an sd for 2 years
    dr = np.full(T, 0.02)  # +200 bp on new borrowing for the rest of the projection
    de = np.where(k == 0, r.number("depreciation"), 0.0)  # one-time, base year
    cl = np.where(k == 0, 0.10, 0.0)  # 10% of GDP, base year
    user = np.where(k == 1, r.number("user_growth_shift"), 0.0)
    z = np.zeros(T)
    return {"baseline": (z, z, z, z, z, z), "growth": (dg, dpi, z, z, z, z), "primary_balance": (z, z, dpb, z, z, z),
            "interest_rate": (z, z, z, dr, z, z), "exchange_rate": (z, z, z, z, de, z),
            "combined": (dg, dpi, dpb, dr, de, z), "contingent_liability": (dg, dpi, z, z, z, cl),
            "user": (user, z, z, z, z, z)}


def _level(peak_test: float, peak_base: float, benchmark: float) -> int:
    if peak_base > benchmark:
        return 2
    return 1 if peak_test > benchmark else 0


def fiscal_stress_tests(name: str, r: Reader, folder: Path) -> list[Row]:
    from actuarial.schema import validate
    from fiscal_space import run_fiscal_space
    from fiscal_space.financing_needs import Profile
    from fiscal_space.stress_tests import StressTestsSection

    m = {k: r.number(k) for k in ("d0", "r", "g", "pb")}
    pi, alpha, e = (r.number(k) for k in ("inflation", "foreign_currency_share", "depreciation_path"))
    horizon = r.number("horizon", lo=6, hi=300, integer=True)
    sigma, mat = r.number("short_term_share", lo=0.0, hi=1.0), r.number("average_maturity", lo=1.0)
    re, rs, rl = (r.number(k) for k in ("existing_rate", "short_rate", "long_rate"))
    rtol = r.number("rtol", lo=0.0)
    years = np.arange(BASE, BASE + horizon + 1)
    T = years.size
    full = lambda v: np.full(T, float(v))  # noqa: E731
    profile = Profile(full(sigma), mat, None, full(re), full(rs), full(rl))
    fa = _assumptions(m, horizon, profile, inflation=pi, alpha=alpha, e=e)
    rows = []
    for bench_debt, label in ((r.number("debt_benchmark"), "benchmark above the baseline"),
                              (r.number("debt_benchmark_breached"), "baseline breaches the benchmark")):
        section = validate(StressTestsSection, {
            "growth_sd": r.number("growth_sd"), "primary_balance_sd": r.number("primary_balance_sd"),
            "depreciation": r.number("depreciation"), "debt_benchmark_gdp": bench_debt,
            "gfn_benchmark_gdp": r.number("gfn_benchmark"),
            "scenarios": {"user": {"growth": {BASE: 0.0, BASE + 1: r.number("user_growth_shift"), BASE + 2: 0.0}}}},
            origins={}, path=("stress_tests",))
        ds = run_fiscal_space(replace(fa, stress_tests=section.rules(years)), _costs(years))
        peaks = {}
        for test, (dg, dpi, dpb, dr, de, cl) in _shocks(r, T).items():
            n = (1 + m["g"] + dg) * (1 + pi + dpi) - 1
            want = _loop(m["d0"], n, m["pb"] + dpb, cl, alpha, e + de, sigma, mat, re, rs + dr, rl + dr)
            got = {k: ds[v].sel(reform="without", stress_test=test).values for k, v in (
                ("debt", "stress_debt_gdp"), ("interest", "stress_interest_gdp"),
                ("gfn", "stress_gross_financing_needs_gdp"), ("rate", "stress_effective_interest_rate"))}
            if label.startswith("benchmark above"):
                rows += [row(name, f"{test}: debt (plain loop)", want["debt"][:-1], got["debt"], rtol),
                         row(name, f"{test}: interest / GDP", want["interest"], got["interest"], rtol),
                         row(name, f"{test}: GFN = interest + amortisation - pb + sfa", want["gfn"], got["gfn"], rtol),
                         row(name, f"{test}: effective rate", want["rate"], got["rate"], rtol)]
            peaks[test] = (max(want["debt"][1:6]), max(want["gfn"][:5]))  # first 5 projection years
        for j, (ind, bench) in enumerate((("debt_gdp", bench_debt), ("gross_financing_needs_gdp",
                                                                    r.number("gfn_benchmark")))):
            want_levels = [_level(peaks[t][j], peaks["baseline"][j], bench) for t in TESTS]
            got_levels = ds["heat_map"].sel(reform="without", heat_indicator=ind, stress_test=list(TESTS)).values
            got_peaks = ds["heat_map_peak"].sel(reform="without", heat_indicator=ind, stress_test=list(TESTS)).values
            rows.append(row(name, f"heat map {ind}, {label}: levels {want_levels} (abs)", want_levels, got_levels, 0.0,
                            relative=False))
            rows.append(row(name, f"heat map {ind}, {label}: peaks over 5 years", [peaks[t][j] for t in TESTS],
                            got_peaks, rtol))
    return rows


KINDS = {"fiscal_stress_tests": fiscal_stress_tests}
