"""Validation kind for the IMF MAC DSA stress tests and heat map (issue 20 items 4-5).

fiscal_stress_tests  a debt profile with distinct rates (short-term share, average maturity, existing,
                     short and long marginal rates), a foreign-currency share and revenue / spending:
                     each standard stress test's inputs written from its definition (IMF 2013 MAC DSA
                     guidance note as the template restates it: real growth 1 sd lower for 2 years with
                     the deflator 0.25 per point and non-interest spending kept at its baseline level
                     (nominal or real), the primary balance half an sd lower for 2 years with +25 bp on
                     new borrowing per point of worsening, +200 bp (or the history's highest real rate
                     less the projected one) on new borrowing for the rest of the projection, a one-time
                     depreciation with a pass-through to the deflator, the combined shock at the most
                     adverse of the individual effects, a one-time 10%-of-GDP spending with the growth
                     shock and the feedback) and a user scenario; debt, interest, GFN and the effective
                     rate of each from the one plain rollover loop (fiscal_structure.rollover) keeping
                     each long-term vintage with its own rate; the heat map classified by hand (red if the
                     baseline breaches the benchmark over the first years, yellow if only the stress test
                     does, green otherwise), with and without a breach in the baseline.

fiscal_stress_history  the shock sizes from a small history (IMF 2013 note, section V.C: the
                     10-year historical standard deviation of growth and of the primary balance, the
                     largest depreciation of the last 10 years), with a window shorter than the history:
                     the sample sd (divisor N - 1), the largest depreciation and the highest (real)
                     interest rate of the window written by hand in the case file; an explicit size overrides; without history the fixed defaults; the labels;
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
from actuarial.validation.fiscal_structure import BASE, _assumptions, _costs, rollover

TESTS = ("baseline", "growth", "primary_balance", "interest_rate", "exchange_rate", "combined",
         "contingent_liability", "user")


def _inputs(test: str, k: int, c: dict) -> tuple:
    """(dg, dpi, dpb0, dr0, de, cl) of ``test`` in year k from the guidance's definitions, before the
    growth shock's spending effect and the interest feedback: real growth 1 sd lower for 2 years with
    the deflator 0.25 per point; the primary balance half an sd lower for 2 years; +bp on new
    borrowing for the rest of the projection; a one-time depreciation in the base year with the
    deflator +pass-through per point; one-time spending of 10% of GDP in the base year (a debt-creating
    flow) with the growth shock; the user's growth shift."""
    two = k < 2
    dg = -c["growth_sd"] if two else 0.0
    dpb = -0.5 * c["primary_balance_sd"] if two else 0.0
    de = c["depreciation"] if k == 0 else 0.0
    dr = c["bp"] * 1e-4
    cl = 0.10 if k == 0 else 0.0
    return {"baseline": (0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
            "growth": (dg, 0.25 * dg, 0.0, 0.0, 0.0, 0.0),
            "primary_balance": (0.0, 0.0, dpb, 0.0, 0.0, 0.0),
            "interest_rate": (0.0, 0.0, 0.0, dr, 0.0, 0.0),
            "exchange_rate": (0.0, c["pass_through"] * de, 0.0, 0.0, de, 0.0),
            "combined": (dg, min(0.25 * dg, c["pass_through"] * de), dpb, dr, de, 0.0),
            "contingent_liability": (dg, 0.25 * dg, 0.0, 0.0, 0.0, cl),
            "user": (c["user"] if k == 1 else 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)}[test]


SPENDING = ("growth", "combined", "contingent_liability")  # the growth shock: spending kept at its level
FEEDBACK = ("primary_balance", "combined", "contingent_liability")  # +25 bp a point of pb worsening


def _shocked(test: str, T: int, c: dict) -> dict:
    """The shocked paths of ``test``, year by year: nominal growth n_s = (1 + g + dg)(1 + pi + dpi) - 1;
    GDP level L = prod (1 + n_s) / (1 + n) (nominal spending; real: prod (1 + g + dg) / (1 + g)); the
    primary balance pb + dpb0 - e (1 / L - 1) with e = revenue - pb the spending / GDP (the combined
    test: the lower of dpb0 and the spending effect); the rate shift dr0 + 0.25 max(0, cl - dpb) (the
    combined test: the larger of dr0 and the feedback); the depreciation and the flow."""
    g, pi, pb, spend = c["g"], c["pi"], c["pb"], c["revenue"] - c["pb"]
    n = (1 + g) * (1 + pi) - 1
    level = 1.0
    out = {k: [] for k in ("n", "pb", "dr", "e", "sfa")}
    for k in range(T):
        dg, dpi, dpb0, dr0, de, cl = _inputs(test, k, c)
        n_s = (1 + g + dg) * (1 + pi + dpi) - 1
        level *= (1 + n_s) / (1 + n) if c["spending"] == "nominal" else (1 + g + dg) / (1 + g)
        eff = -spend * (1 / level - 1) if test in SPENDING else 0.0
        dpb = min(dpb0, eff) if test == "combined" else dpb0 + eff
        fb = 0.25 * max(0.0, cl - dpb) if test in FEEDBACK else 0.0
        dr = max(dr0, fb) if test == "combined" else dr0 + fb
        for key, x in (("n", n_s), ("pb", c["revenue"] - spend + dpb), ("dr", dr), ("e", c["e"] + de),
                       ("sfa", cl)):
            out[key].append(x)
    return {key: np.array(v) for key, v in out.items()}


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
    revenue = r.number("revenue", lo=0.0, hi=1.0)
    fa = _assumptions(m, horizon, profile, inflation=pi, alpha=alpha, e=e, revenue=revenue)
    c = {"g": m["g"], "pi": pi, "pb": m["pb"], "revenue": revenue, "e": e, "growth_sd": r.number("growth_sd"),
         "primary_balance_sd": r.number("primary_balance_sd"), "depreciation": r.number("depreciation"),
         "bp": 200.0, "pass_through": 0.25, "spending": "nominal", "user": r.number("user_growth_shift")}

    def hand(test, cc):
        x = _shocked(test, T, cc)
        return rollover(m["d0"], x["n"], x["pb"], x["sfa"], sigma, mat, re, rs + x["dr"], rl + x["dr"],
                        alpha=alpha, e=x["e"])

    def engine(keys, history=None):
        section = validate(StressTestsSection, {
            "growth_sd": c["growth_sd"], "primary_balance_sd": c["primary_balance_sd"],
            "depreciation": c["depreciation"], "gfn_benchmark_gdp": r.number("gfn_benchmark"),
            "scenarios": {"user": {"growth": {BASE: 0.0, BASE + 1: c["user"], BASE + 2: 0.0}}}, **keys},
            origins={}, path=("stress_tests",))
        return run_fiscal_space(replace(fa, stress_tests=section.rules(years, history)), _costs(years))

    def paths(ds, test):
        return {k: ds[v].sel(reform="without", stress_test=test).values for k, v in (
            ("debt", "stress_debt_gdp"), ("interest", "stress_interest_gdp"),
            ("gfn", "stress_gross_financing_needs_gdp"), ("rate", "stress_effective_interest_rate"))}

    rows = []
    for bench_debt, label in ((r.number("debt_benchmark"), "benchmark above the baseline"),
                              (r.number("debt_benchmark_breached"), "baseline breaches the benchmark")):
        ds = engine({"debt_benchmark_gdp": bench_debt})
        peaks = {}
        for test in TESTS:
            want, got = hand(test, c), paths(ds, test)
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
    # the growth shock's spending kept in real terms; advanced economies (no pass-through by default)
    for keys, cc, tests, label in (
            ({"growth_spending": "real"}, {**c, "spending": "real"}, SPENDING, "spending kept in real terms"),
            ({"economy_group": "advanced"}, {**c, "pass_through": 0.0}, ("exchange_rate", "combined"),
             "advanced economy: no pass-through"),
            ({"exchange_rate_pass_through": 0.5}, {**c, "pass_through": 0.5}, ("exchange_rate", "combined"),
             "pass-through 0.5 given")):
        ds = engine(keys)
        rows += [row(name, f"{label}, {t}: debt (plain loop)", hand(t, cc)["debt"][:-1], paths(ds, t)["debt"], rtol)
                 for t in tests]
    # the interest shock from the history's highest real rate (IMF 2013: at least 200 bp)
    base = hand("baseline", c)["rate"][:5]  # the baseline's effective rate over the first 5 projection years
    mean_real = sum((1 + x) / (1 + pi) - 1 for x in base) / 5
    for hist_key in ("real_rate_history_high", "real_rate_history_low"):
        hist = r.number_list(hist_key, r.raw(hist_key), lo=-1.0, hi=1.0)
        bp = max(200.0, 1e4 * (max(hist[-10:]) - mean_real))
        ds = engine({}, {"real_interest_rate": np.array(hist)})
        rows.append(row(name, f"{hist_key}: interest shock = max(200, 1e4 (max real rate - mean projected real "
                              f"rate)) = {bp:.1f} bp", bp, ds["stress_debt_gdp"].attrs["interest_rate_shock_bp"],
                        rtol))
        for t in ("interest_rate", "combined"):
            rows.append(row(name, f"{hist_key}, {t}: debt (plain loop)", hand(t, {**c, "bp": bp})["debt"][:-1],
                            paths(ds, t)["debt"], rtol))
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
    # the history's highest interest rate of the window (the interest shock's history term)
    from fiscal_space.stress_tests import history_interest

    ih = r.raw("interest_history")
    icols = {k: np.array(r.number_list(f"interest_history.{k}", ih[k])) for k in ("interest_rate", "inflation")}
    for cols_, key, kind, want in (
            ({"real_interest_rate": icols["interest_rate"]}, "real_interest_rate column", "real",
             r.number("expected_max_rate_column")),
            (icols, "(1 + interest_rate) / (1 + inflation) - 1", "real", r.number("expected_max_real_rate")),
            ({"interest_rate": icols["interest_rate"]}, "interest_rate, no inflation", "nominal",
             r.number("expected_max_rate_column"))):
        got = history_interest(cols_, window)
        rows.append(ab(f"highest rate of the last {window} years, {key}", want, got[0]))
        rows.append(row(name, f"{key}: {window} years, kind {kind} (abs)", [window, 1.0],
                        [got[1], float(got[2] == kind)], 0.0, relative=False))
    rows.append(row(name, "no interest rate in the history: none (abs)", 1.0,
                    float(history_interest(cols, window) is None), 0.0, relative=False))
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
