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

fiscal_stress_history  the shock sizes from a small history (IMF 2013 note, section V.C: the
                     10-year historical standard deviation of growth and of the primary balance, the
                     largest depreciation of the last 10 years), with a window shorter than the history:
                     the sample sd (divisor N - 1) and the largest depreciation written by hand in the case
                     file; an explicit size overrides; without history the fixed defaults; the labels;
                     the contingent-liability flow at 10% of the banking sector's assets (section V.D).

fiscal_early_warning  the debt-profile indicators of the heat map against the note's early-warning
                     benchmarks (section V.B): values given (some on a benchmark: not above it), the
                     foreign-currency share and the short-term share's largest yearly change taken from the
                     baseline and the debt profile; the levels (2 above the upper benchmark, 1 above the
                     lower, else 0) and the benchmarks written by hand in the case file.

Every expected value is computed here (or in the case file) from its definition, not by the engine.
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


def fiscal_stress_history(name: str, r: Reader, folder: Path) -> list[Row]:
    from actuarial.schema import validate
    from fiscal_space.stress_tests import StressTestsSection

    hist = r.raw("history")
    cols = {k: r.number_list(f"history.{k}", hist[k]) for k in ("growth", "primary_balance", "exchange_rate")}
    window = r.number("history_years", lo=2, integer=True)
    sd_g, sd_pb, dep = (r.number(k) for k in ("expected_growth_sd", "expected_primary_balance_sd",
                                              "expected_depreciation"))
    given = r.number("given_growth_sd")
    atol = r.number("atol", lo=0.0)  # absolute: the shifts are 0 outside the shock years
    years = np.arange(BASE, BASE + 6)
    two = np.where(np.arange(years.size) < 2, 1.0, 0.0)
    first = np.where(np.arange(years.size) == 0, 1.0, 0.0)

    def ab(quantity, want, got):  # absolute: the shifts are 0 outside the shock years
        return row(name, quantity, want, got, atol, relative=False)

    def rules(keys, history):
        sec = validate(StressTestsSection, {"history_years": window, **keys}, origins={}, path=("stress_tests",))
        rl = sec.rules(years, history)
        i = {k: rl.names.index(k) for k in rl.names}
        return rl, i

    rl, i = rules({}, cols)
    label = f"from history ({window} years)"
    rows = [ab("growth shock = -1 x sd of the last years of growth", -sd_g * two, rl.growth[i["growth"]]),
            ab("deflator shock = 0.25 x growth shock", -0.25 * sd_g * two, rl.deflator[i["growth"]]),
            ab("primary balance shock = -0.5 x sd of the last years", -0.5 * sd_pb * two,
                rl.primary_balance[i["primary_balance"]]),
            ab("depreciation = largest of the last years, base year", dep * first,
                rl.depreciation[i["exchange_rate"]]),
            ab("combined: the same sizes", np.concatenate([-sd_g * two, -0.5 * sd_pb * two, dep * first]),
                np.concatenate([rl.growth[i["combined"]], rl.primary_balance[i["combined"]],
                                rl.depreciation[i["combined"]]])),
            row(name, f"labels say '{label}' (abs)", [1, 1, 1],
                [float(label in rl.labels[k]) for k in ("growth", "primary_balance", "exchange_rate")], 0.0,
                relative=False)]
    rl, i = rules({"growth_sd": given}, cols)
    rows += [ab("an explicit growth_sd overrides the history", -given * two, rl.growth[i["growth"]]),
             ab("the history still sizes the primary balance shock", -0.5 * sd_pb * two,
                 rl.primary_balance[i["primary_balance"]]),
             row(name, "label 'given' (abs)", 1.0, float("sd given" in rl.labels["growth"]), 0.0, relative=False)]
    banks = r.number("banking_assets_gdp", lo=0.0)
    rl, i = rules({"banking_assets_gdp": banks}, None)
    rows.append(ab(f"contingent liability = 10% of banking-sector assets of {banks:g} of GDP, base year",
                    0.10 * banks * first, rl.stock_flow[i["contingent_liability"]]))
    rl, i = rules({}, None)
    rows += [ab("no history: fixed defaults 0.02, 0.5 x 0.01, 15%",
                 np.concatenate([-0.02 * two, -0.005 * two, 0.15 * first]),
                 np.concatenate([rl.growth[i["combined"]], rl.primary_balance[i["combined"]],
                                 rl.depreciation[i["combined"]]])),
             row(name, "label 'fixed default, no history' (abs)", 1.0,
                 float("fixed default, no history" in rl.labels["exchange_rate"]), 0.0, relative=False)]
    return rows


def fiscal_early_warning(name: str, r: Reader, folder: Path) -> list[Row]:
    from actuarial.schema import validate
    from fiscal_space import run_fiscal_space
    from fiscal_space.financing_needs import Profile
    from fiscal_space.stress_tests import StressTestsSection

    rows = []
    sigma = r.number_list("short_term_share_path", r.raw("short_term_share_path"), lo=0.0, hi=1.0)
    m = {"d0": 0.6, "r": 0.05, "g": 0.03, "pb": -0.01}
    for label in ("emerging", "advanced"):
        c = r.section(label)
        given = {k: c.number(k) for k in ("bond_spread_bp", "external_financing_requirement_gdp",
                                          "nonresident_share") if c.has(k)}
        horizon = len(sigma) - 1
        profile = Profile(np.array(sigma), 6.0, None, None, None, None)
        fa = _assumptions(m, horizon, profile, alpha=c.number("foreign_currency_share_baseline"), e=0.0)
        years = np.arange(BASE, BASE + horizon + 1)
        section = validate(StressTestsSection, {"economy_group": label, "heat_map_years": 5,
                                                "early_warning": given}, origins={}, path=("stress_tests",))
        ds = run_fiscal_space(replace(fa, stress_tests=section.rules(years)), _costs(years))
        names = list(ds["debt_profile_indicator"].values)
        scale = np.array([1e-4 if k == "bond_spread_bp" else 1.0 for k in names])  # the case gives bp: 1 bp = 1e-4
        want = r.number_list(f"{label}.expected_levels", c.raw("expected_levels"), lo=-1, hi=2)
        got = np.nan_to_num(ds["debt_profile_risk"].values, nan=-1.0)  # -1: no value or no benchmark
        rows.append(row(name, f"{label}: levels {want} of {names} (abs; -1 none)", want, got, 0.0, relative=False))
        for key in ("lower", "upper"):
            w = np.array(r.number_list(f"{label}.{key}", c.raw(key), lo=-1.0, hi=10000.0))
            w = np.where(w == -1.0, w, w * scale)
            rows.append(row(name, f"{label}: {key} early-warning benchmarks (abs; -1 none)", w,
                            np.nan_to_num(ds[f"debt_profile_{key}"].values, nan=-1.0), 1e-15, relative=False))
        w = np.array(r.number_list(f"{label}.expected_values", c.raw("expected_values"), lo=-1.0, hi=10000.0))
        w = np.where(w == -1.0, w, w * scale)
        rows.append(row(name, f"{label}: indicator values (abs; -1 none)", w,
                        np.nan_to_num(ds["debt_profile_value"].values, nan=-1.0), 1e-15, relative=False))
    return rows


KINDS = {"fiscal_stress_tests": fiscal_stress_tests, "fiscal_stress_history": fiscal_stress_history,
         "fiscal_early_warning": fiscal_early_warning}
