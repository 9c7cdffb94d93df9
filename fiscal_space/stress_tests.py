"""The IMF market-access DSA's standard stress tests and its heat map.

Source: IMF (2013), *Staff Guidance Note for Public Debt Sustainability
Analysis in Market-Access Countries* (Policy Paper, 9 May 2013), section V.C
"Sensitivity of debt burden indicators to macro-fiscal shocks", section V.D
"Contingent liabilities" and annex on the heat map; the benchmarks of the
heat map as in that note (debt 70% of GDP for emerging markets, 85% for
advanced economies; gross financing needs 15% / 20% of GDP), kept by its
successor, IMF (2022) *Staff Guidance Note on the Sovereign Risk and Debt
Sustainability Framework for Market Access Countries*. LIC-DSF: IMF and
World Bank (2018), *Guidance Note on the Bank-Fund Debt Sustainability
Framework for Low Income Countries*, table of the PV of public debt
benchmarks 35% / 55% / 70% of GDP (weak / medium / strong debt-carrying
capacity).

**What was verified against which text.** The note's own text (sections
V.C-V.D, its annex on the standardised stress tests) could not be found in
the reference corpora this engine's helpers can search (pages, docs, code,
issues; searched for its phrases "25 basis points for every 1 percent of GDP",
"maximum real interest rate over the last 10 years", "10 percent of banking
sector assets", "0.25 percentage points decline in GDP deflator"): nothing
below is cited by paragraph. The definitions are those of the MAC DSA
template's "Macro-Fiscal Stress Tests" notes as IMF country reports' public
DSA annexes restate them (2013-2021), written from this engine's reading of
that standard wording; where the wording leaves a choice, the choice is an
input and the ``stress_test`` label says which was made. Every size is an
input with the default given here.

**The shocks** (years k = 0, 1, ... of the projection, k = 0 the base year;
each added to the inputs of the baseline and the same debt recursion run,
:func:`fiscal_space.financing_needs.structure_path` with a debt profile, else
:func:`fiscal_space.debt.debt_path`):

- ``growth``: real GDP growth lowered by ``growth_sd_multiple`` x
  ``growth_sd`` (1 x the standard deviation of the 10-year history) in the
  first ``shock_years`` (2) years, with the GDP deflator lowered by
  ``inflation_elasticity`` (0.25) per point of growth;
  1 + n_s = (1 + g - dg)(1 + pi - 0.25 dg). The template: "revenue-to-GDP
  ratio remains the same as in the baseline; the level of non-interest
  expenditure is the same as in the baseline", so the primary balance / GDP
  worsens with lower GDP: with e = revenue / GDP - pb the path's non-interest
  spending / GDP and L(t) = prod_{k <= t} (1 + n_s(k)) / (1 + n(k)) the
  shocked nominal GDP over the baseline's, dpb(t) = -e(t) (1 / L(t) - 1)
  (``growth_spending: nominal``, the default); ``real`` keeps the spending's
  level in real terms, L the real GDP ratio prod (1 + g + dg) / (1 + g).
  GDP stays below the baseline's level after the shock years, so the
  spending effect lasts.
- ``primary_balance``: the primary balance lowered by
  ``primary_balance_sd_multiple`` x ``primary_balance_sd`` (half the
  10-year standard deviation) in each of the first ``shock_years`` years,
  with the interest feedback: +``primary_balance_interest_bp`` (25) bp on
  the rate of new borrowing per point of GDP the primary balance is below
  the baseline's in the year (dr(t) = 0.25 max(0, -dpb(t))). Not modelled:
  the template's alternative size (a reversal of the baseline's planned
  adjustment); give ``primary_balance_sd`` to size it so.
- ``interest_rate``: +``interest_rate_bp`` basis points on the marginal
  (short and long) rates of new borrowing for the rest of the projection;
  the existing debt keeps its rate, so the effective rate rises as the debt
  rolls over. Its default (:func:`interest_shock_bp`): with an interest rate
  in the history, max(``interest_rate_floor_bp`` (200), the highest real
  interest rate of the last ``history_years`` (10) years less the
  baseline's average projected real effective rate (1 + r) / (1 + pi) - 1
  over the first heat-map years (the MAC DSA's 5-year projection)); the
  history's real rate is its ``real_interest_rate`` column, else
  (1 + interest_rate) / (1 + inflation) - 1, else the nominal
  ``interest_rate`` against the projected nominal rate (labelled "nominal");
  without an interest rate in the history, 200 bp. Without the debt
  profile's rates the shift applies to the effective rate of the whole
  stock (stated in the variables' attrs).
- ``exchange_rate``: a one-time depreciation ``depreciation`` (the largest
  of the last 10 years, else 15%) in the base year, added to the baseline's
  e(0) (it revalues the foreign-currency share alpha of the debt), with its
  pass-through to the GDP deflator, ``exchange_rate_pass_through`` x the
  depreciation: 0.25 for emerging markets (the template's default); for
  advanced economies this engine's default is 0 (no pass-through; not
  verified against the note: give the elasticity to change it).
- ``combined``: the four shocks together, the template's "largest effect of
  the individual shocks on each variable" (no double counting): real growth
  the growth shock's; the deflator min(0.25 dg, pass-through x depreciation)
  (the lower, the more adverse for debt); the primary balance the lower of
  the primary-balance shock and the growth shock's spending effect; the
  depreciation the exchange-rate shock's; the interest rate the larger of
  the interest shock and the feedback of the combined primary balance. It
  is not the sum of the shocks, nor the LIC-DSF's half-size combination.
- ``contingent_liability``: a one-time increase in non-interest spending of
  ``contingent_liability_gdp`` in the base year (carried as a debt-creating
  flow: the same debt and GFN as a primary-balance shock) together with the
  growth shock (and its spending effect) and the interest feedback on the
  worsening (the flow plus the spending effect); the note (section V.D)
  sizes it at 10% of the banking sector's assets:
  ``contingent_liability_bank_share`` (0.10) x ``banking_assets_gdp`` when
  that is given, else 10% of GDP (the engine's fixed default; the label says
  which).
- user ``scenarios``: shifts of real growth, of the primary balance, of the
  marginal (or effective) interest rate, of the depreciation and a
  stock-flow adjustment, each a path (``{year: value}``), taken as given
  (no spending effect, no feedback).

**Sizes from history** (the 10-year historical standard deviation of growth
and of the primary balance, the largest depreciation and the highest real
interest rate of the last 10 years): when the fiscal section gives a history
(``stress_tests.history: {file}``, else ``stochastic.history``; a CSV with a
year column and some of growth, primary_balance, exchange_rate,
interest_rate, inflation, real_interest_rate) and a size is not given,
``growth_sd`` and ``primary_balance_sd`` are the sample standard deviations
(divisor N - 1) of the last ``history_years`` (10) years of that column, and
``depreciation`` is the largest yearly depreciation of those years (at least
0): :func:`history_sizes`; the interest shock as above. An explicit size
overrides; without history (or the column) the fixed defaults (growth sd
0.02, primary balance sd 0.01, depreciation 15%, 200 bp) apply. The
``stress_test`` labels say which: "from history (N years)", "given" or
"fixed default, no history"; the stress variables' attrs carry the interest
shock (``interest_rate_shock_bp`` and its origin), the feedback, the growth
shock's spending convention and the pass-through.

**The heat map**: for each stress test s, indicator x (debt / GDP at the
end of each year, gross financing needs / GDP of the year) and reform, over
the first ``heat_map_years`` projection years (the market-access DSA's
five-year projection): breached(s) = max_k x_s(k) > benchmark; the cell is
2 (red) if the benchmark is breached in the baseline, else 1 (yellow) if it
is breached in stress test s, else 0 (green) (the guidance note's rule:
"red if the benchmark is exceeded under the baseline, yellow if it is
exceeded under a specific shock but not under the baseline, green if not
exceeded"). Under ``framework: lic_dsf`` the debt benchmark is the LIC-DSF's
for the present value of debt but the indicator is the **nominal** debt
(the engine does not discount the debt service; the label says so), and GFN
has no benchmark (NaN).

**Debt-profile indicators** (the note's section V.B and the heat map's
right-hand block): the bond spread, the external financing requirement /
GDP, the annual change in the short-term debt (share of the total), the debt
held by non-residents and the debt in foreign currency (shares of the total),
each against its lower / upper early-warning benchmark (``EARLY_WARNING``,
the table of the group ``economy_group`` chooses, as for the debt and GFN benchmarks;
emerging markets 200 / 600 bp, 5 / 15% of GDP, 0.5 / 1%, 15 / 45%, 20 / 60%;
advanced economies 400 / 600 bp, 17 / 25%, 1 / 1.5%, 30 / 45%, no benchmark
of the foreign-currency share; every benchmark an input,
``early_warning.lower`` / ``upper``): ``debt_profile_risk`` = 2 (red) above
the upper benchmark, 1 (yellow) above the lower, else 0 (green); NaN where
the value is not given and cannot be derived (the foreign-currency share is
the baseline's of the base year, the short-term change the largest yearly
change of ``debt_profile.short_term_share`` over the heat-map years).
"""


import numpy as np
from pydantic import model_validator

from actuarial.schema import choice, named, number, rule_error, section, series, text
from actuarial.schema.records import dataclass

STANDARD = ("baseline", "growth", "primary_balance", "interest_rate", "exchange_rate", "combined",
            "contingent_liability")


def stress_labels(s, sizes=None, interest=None) -> dict:
    """What each standard test does, with its sizes and their origin (shown in the ``stress_test``
    coordinate); ``sizes`` from :func:`resolve_sizes`, ``interest`` (bp, origin) from
    :func:`interest_shock_bp` (before the projection is known: the given size or the floor)."""
    sizes = resolve_sizes(s) if sizes is None else sizes
    (gsd, gfrom), (psd, pfrom), (dep, dfrom) = (sizes[k] for k in ("growth_sd", "primary_balance_sd",
                                                                    "depreciation"))
    bp, bfrom = interest if interest is not None else (
        (s.interest_rate_bp, "given") if s.interest_rate_bp is not None else (s.interest_rate_floor_bp, "floor"))
    dg, dpb = s.growth_sd_multiple * gsd, s.primary_balance_sd_multiple * psd
    pt, ptfrom = pass_through(s)
    cl, clfrom = contingent_gdp(s)
    fb = f", +{s.primary_balance_interest_bp:g} bp on new borrowing per point of GDP of primary-balance worsening"
    spend = (f"non-interest spending kept at the baseline's {s.growth_spending} level (revenue / GDP unchanged), "
             "so the primary balance / GDP worsens with lower GDP")
    return {
        "baseline": "baseline (no shock)",
        "growth": f"real GDP growth {dg:.2%} lower ({s.growth_sd_multiple:g} sd of {gsd:.2%}, sd {gfrom}) for "
                  f"{s.shock_years} years, deflator {s.inflation_elasticity:g} per point, {spend}",
        "primary_balance": f"primary balance {dpb:.2%} of GDP lower ({s.primary_balance_sd_multiple:g} sd of "
                           f"{psd:.2%}, sd {pfrom}) for {s.shock_years} years{fb}",
        "interest_rate": interest_label(bp, bfrom),
        "exchange_rate": f"one-time depreciation of {dep:.0%} in the base year ({dfrom}), GDP deflator +{pt:g} "
                         f"per point of depreciation ({ptfrom})",
        "combined": "growth, primary balance, interest rate and exchange rate shocks together, each variable at the "
                    "most adverse of the individual shocks' effects (no double counting: primary balance the "
                    "larger worsening, interest rate the larger rise, deflator the lower)" + fb,
        "contingent_liability": f"one-time increase in non-interest spending of {cl:.1%} of GDP "
                                f"({clfrom}) in the base year (a debt-creating flow), with the growth "
                                f"shock{fb}",
    }


def interest_label(bp: float, origin: str) -> str:
    return f"interest rate on new borrowing +{bp:.0f} bp for the rest of the projection ({origin})"


PASS_THROUGH = {"emerging": 0.25, "advanced": 0.0}


def pass_through(s) -> tuple[float, str]:
    """The exchange-rate shock's pass-through to the GDP deflator (points of inflation per point of
    depreciation) and its origin: given, else 0.25 for emerging markets (the MAC DSA template's
    default) and 0 for advanced economies (this engine's default, see the module docstring)."""
    if s.exchange_rate_pass_through is not None:
        return float(s.exchange_rate_pass_through), "given"
    return PASS_THROUGH[s.economy_group], f"default for {s.economy_group} economies"


def contingent_gdp(s) -> tuple[float, str]:
    """The contingent-liability flow / GDP and its origin: given, else the note's 10% of the
    banking sector's assets (IMF 2013 note, section V.D) when they are given, else 10% of GDP."""
    if s.contingent_liability_gdp is not None:
        return float(s.contingent_liability_gdp), "given"
    if s.banking_assets_gdp is not None:
        return (s.contingent_liability_bank_share * s.banking_assets_gdp,
                f"{s.contingent_liability_bank_share:.0%} of banking-sector assets of "
                f"{s.banking_assets_gdp:.0%} of GDP")
    return 0.10, "fixed default 10% of GDP, no banking-sector assets given"


DEFAULT_SIZES = {"growth_sd": 0.02, "primary_balance_sd": 0.01, "depreciation": 0.15}
HISTORY_COLUMNS = {"growth_sd": "growth", "primary_balance_sd": "primary_balance", "depreciation": "exchange_rate"}
HISTORY_YEARS = 10


def history_sizes(history: dict, n_years: int = HISTORY_YEARS) -> dict:
    """Shock sizes from the last ``n_years`` of the history ``{column: values by year}``:
    growth_sd, primary_balance_sd = sqrt(sum (x - mean)^2 / (N - 1)) (the historical standard
    deviation, IMF 2013 note, section V.C), depreciation = max(0, max x) (the largest
    depreciation); a column absent or with fewer than 2 years gives no size. Returns
    {size: (value, N)}."""
    out = {}
    for key, col in HISTORY_COLUMNS.items():
        if col not in history:
            continue
        x = np.asarray(history[col], float)[-n_years:]
        if x.size < 2:
            continue
        out[key] = (float(np.std(x, ddof=1)) if key != "depreciation" else max(0.0, float(x.max())), x.size)
    return out


def resolve_sizes(s, history: dict | None = None) -> dict:
    """{size: (value, origin)}: the size given, else from the history (:func:`history_sizes`),
    else the fixed default."""
    hist = history_sizes(history, s.history_years) if history else {}
    out = {}
    for key, default in DEFAULT_SIZES.items():
        given = getattr(s, key)
        if given is not None:
            out[key] = (float(given), "given")
        elif key in hist:
            out[key] = (hist[key][0], f"from history ({hist[key][1]} years)")
        else:
            out[key] = (default, "fixed default, no history")
    return out


def history_interest(history: dict | None, n_years: int = HISTORY_YEARS):
    """(the highest interest rate of the last ``n_years`` of the history, N, "real" or "nominal"),
    or None: the ``real_interest_rate`` column, else (1 + interest_rate) / (1 + inflation) - 1
    year by year, else the ``interest_rate`` column itself (nominal: no inflation in the history)."""
    if not history:
        return None
    if "real_interest_rate" in history:
        x, kind = np.asarray(history["real_interest_rate"], float), "real"
    elif "interest_rate" in history and "inflation" in history:
        x = (1 + np.asarray(history["interest_rate"], float)) / (1 + np.asarray(history["inflation"], float)) - 1
        kind = "real"
    elif "interest_rate" in history:
        x, kind = np.asarray(history["interest_rate"], float), "nominal"
    else:
        return None
    x = x[-n_years:]
    return (float(x.max()), x.size, kind) if x.size else None


def interest_shock_bp(rules: "StressRules", rate, deflator) -> tuple[float, str]:
    """The interest-rate shock in basis points and its origin (IMF 2013 note, standardised stress
    tests): given; else, with an interest rate in the history, max(floor, 1e4 (max_hist - mean_k
    x(k))) where x(k) = (1 + r(k)) / (1 + pi(k)) - 1 is the baseline's projected real effective rate
    (the nominal r(k) when the history has no inflation) over the first heat-map years k; else the
    floor (200 bp)."""
    if rules.interest_given is not None:
        return rules.interest_given, "given"
    if rules.interest_history is None:
        return rules.interest_floor, "the floor, no interest rate in the history"
    top, size, kind = rules.interest_history
    y = rules.heat_map_years
    r = np.asarray(rate, float)[:y]
    x = (1 + r) / (1 + np.asarray(deflator, float)[:y]) - 1 if kind == "real" else r
    gap = 1e4 * (top - float(x.mean()))
    return max(rules.interest_floor, gap), (
        f"max of {rules.interest_floor:g} bp and the highest {kind} rate of {size} years of history, "
        f"{top:.2%}, less the baseline's average projected {kind} effective rate over {y} years, "
        f"{float(x.mean()):.2%}: {gap:.0f} bp")


INDICATORS = ("debt_gdp", "gross_financing_needs_gdp")
INDICATOR_LABELS = {"debt_gdp": "gross public debt / GDP at the end of the year (peak over the heat-map years)",
                    "gross_financing_needs_gdp": "gross financing needs / GDP (peak over the heat-map years)"}
MAC_DSA_BENCHMARKS = {"emerging": {"debt_gdp": 0.70, "gross_financing_needs_gdp": 0.15},
                      "advanced": {"debt_gdp": 0.85, "gross_financing_needs_gdp": 0.20}}
LIC_DSF_PV_DEBT = {"weak": 0.35, "medium": 0.55, "strong": 0.70}
MAC = "IMF (2013), Staff Guidance Note for Public Debt Sustainability Analysis in Market-Access Countries"
LIC = ("IMF and World Bank (2018), Guidance Note on the Bank-Fund Debt Sustainability Framework for Low "
       "Income Countries (PV of public debt benchmarks)")
HEAT_MAP_YEARS = 5  # the MAC DSA's five-year projection
SHIFT = dict(lo=-1.0, hi=1.0, what="a shift (0.01 for 1 point)")


@section()
@dataclass(frozen=True)
class StressScenario:
    """A user-defined stress test: shifts added to the baseline's paths (0 where not given)."""

    growth: series("Shift of real GDP growth (-0.02: two points lower).", **SHIFT, unit="per year") = None
    primary_balance: series("Shift of the primary balance / GDP.", **SHIFT, unit="share of GDP") = None
    interest_rate: series("Shift of the marginal interest rates (of the effective rate without the debt "
                          "profile's rates).", **SHIFT, unit="per year") = None
    depreciation: series("Additional depreciation of the currency in the year.", **SHIFT, unit="per year") = None
    stock_flow_gdp: series("Additional debt-creating flow (stock-flow adjustment) / GDP.", **SHIFT,
                           unit="share of GDP") = None


@section()
@dataclass(frozen=True)
class StressHistory:
    """A history that sizes the stress tests (instead of stochastic.history)."""

    file: text("CSV with a year column and some of the columns growth, primary_balance, exchange_rate, "
               "interest_rate, inflation, real_interest_rate (the interest shock from the highest real rate), "
               "relative to the file that names it.", unit="path")


EARLY_WARNING_LABELS = {
    "bond_spread_bp": ("EMBIG / sovereign bond spread", "basis points"),
    "external_financing_requirement_gdp": ("external financing requirement / GDP", "share of GDP"),
    "short_term_debt_change": ("annual change in the short-term public debt, share of the total debt",
                               "share of total debt"),
    "nonresident_share": ("public debt held by non-residents, share of the total", "share of total debt"),
    "foreign_currency_share": ("public debt in foreign currency, share of the total", "share of total debt"),
}
# the spread is given in basis points and is a fraction in the results (units "1", as every other indicator)
RESULT_SCALE = {"bond_spread_bp": 1e-4}
# (lower, upper) early-warning benchmarks of the debt profile, IMF (2013) note, section V.B (vulnerability
# of the debt financing profile) and the heat map; emerging values as the brief checks them, advanced
# this engine's reading of the same table (no benchmark of the foreign-currency share for advanced economies)
EARLY_WARNING = {
    "emerging": {"bond_spread_bp": (200.0, 600.0), "external_financing_requirement_gdp": (0.05, 0.15),
                 "short_term_debt_change": (0.005, 0.01), "nonresident_share": (0.15, 0.45),
                 "foreign_currency_share": (0.20, 0.60)},
    "advanced": {"bond_spread_bp": (400.0, 600.0), "external_financing_requirement_gdp": (0.17, 0.25),
                 "short_term_debt_change": (0.01, 0.015), "nonresident_share": (0.30, 0.45),
                 "foreign_currency_share": (None, None)},
}
EW = dict(lo=0.0, hi=10.0)


@section()
@dataclass(frozen=True)
class EarlyWarning:
    """Debt-profile indicators of the heat map against the note's early-warning benchmarks (lower, upper)."""

    bond_spread_bp: number("Sovereign bond spread (EMBIG or against the benchmark bond).", lo=0.0, hi=10000.0,
                           what="basis points", unit="basis points", source=MAC + ", section V.B") = None
    external_financing_requirement_gdp: number("External financing requirement (current account deficit + "
                                               "amortisation of external debt) / GDP.", **EW, what="a share of "
                                               "GDP", unit="share of GDP", source=MAC + ", section V.B") = None
    short_term_debt_change: number("Annual change in the short-term public debt, share of the total debt.",
                                   lo=-1.0, hi=1.0, what="a share (0.01 for 1 point)", unit="share of total debt",
                                   source=MAC + ", section V.B",
                                   derived="the largest yearly change of debt_profile.short_term_share over "
                                           "the heat-map years") = None
    nonresident_share: number("Public debt held by non-residents, share of the total.", lo=0.0, hi=1.0,
                              what="a share", unit="share of total debt", source=MAC + ", section V.B") = None
    foreign_currency_share: number("Public debt in foreign currency, share of the total.", lo=0.0, hi=1.0,
                                   what="a share", unit="share of total debt", source=MAC + ", section V.B",
                                   derived="baseline.foreign_currency_share in the base year") = None
    lower: named("Lower early-warning benchmarks instead of the note's, {indicator: value}.",
                 number("A benchmark.", lo=-1.0, hi=10000.0, what="a benchmark in the indicator's unit"),
                 what="indicator", optional=True) = None
    upper: named("Upper early-warning benchmarks instead of the note's, {indicator: value}.",
                 number("A benchmark.", lo=-1.0, hi=10000.0, what="a benchmark in the indicator's unit"),
                 what="indicator", optional=True) = None

    @model_validator(mode="after")
    def _known(self):
        for key in ("lower", "upper"):
            for name in getattr(self, key) or {}:
                if str(name) not in EARLY_WARNING_LABELS:
                    raise rule_error(f"{key}.{name}", f"expected one of {', '.join(EARLY_WARNING_LABELS)}")
        return self


@section()
@dataclass(frozen=True)
class StressTestsSection:
    """The IMF market-access DSA's standard stress tests and heat map (fiscal_space.stress_tests)."""

    growth_sd: number("Standard deviation of real GDP growth over the last history_years of history.",
                      lo=0.0, hi=1.0, what="a standard deviation", unit="per year", source=MAC + ", stress tests",
                      derived="from the history (sample sd of its growth column), else 0.02") = None
    primary_balance_sd: number("Standard deviation of the primary balance / GDP over the last history_years "
                               "of history.", lo=0.0, hi=1.0, what="a standard deviation", unit="share of GDP",
                               source=MAC + ", stress tests",
                               derived="from the history (sample sd of its primary_balance column), else 0.01") = None
    history: StressHistory | None = None
    history_years: number("Last years of the history that size the shocks.", lo=2, integer=True, unit="years",
                          source=MAC + " (10 years)") = HISTORY_YEARS
    growth_sd_multiple: number("Size of the growth shock in standard deviations.", lo=0.0, hi=10.0,
                               what="a multiple", unit="standard deviations", source=MAC + " (1)") = 1.0
    primary_balance_sd_multiple: number("Size of the primary balance shock in standard deviations.", lo=0.0,
                                        hi=10.0, what="a multiple", unit="standard deviations",
                                        source=MAC + " (half of the 10-year standard deviation)") = 0.5
    shock_years: number("Years the growth and primary balance shocks last, from the base year.", lo=1,
                        integer=True, unit="years", source=MAC + " (2 years)") = 2
    inflation_elasticity: number("Fall of the GDP deflator's growth per point of the growth shock.", lo=0.0,
                                 hi=2.0, what="an elasticity", unit="1", source=MAC + " (0.25)") = 0.25
    interest_rate_bp: number("Interest rate shock on new borrowing, for the rest of the projection.", lo=0.0,
                             hi=5000.0, what="basis points", unit="basis points",
                             source=MAC + " (the larger of 200 bp and the highest real rate of the last 10 years "
                                          "less the average projected real rate)",
                             derived="max(interest_rate_floor_bp, highest real interest rate of the history's last "
                                     "history_years - the baseline's average projected real effective rate) with "
                                     "an interest rate in the history, else interest_rate_floor_bp") = None
    interest_rate_floor_bp: number("Smallest interest rate shock when it is sized on the history.", lo=0.0,
                                   hi=5000.0, what="basis points", unit="basis points",
                                   source=MAC + " (200 bp)") = 200.0
    primary_balance_interest_bp: number("Rise of the interest rate on new borrowing per point of GDP the primary "
                                        "balance worsens against the baseline (primary balance, combined and "
                                        "contingent-liability shocks).", lo=0.0, hi=1000.0,
                                        what="basis points per point of GDP", unit="basis points",
                                        source=MAC + " (25 bp per 1 percent of GDP)") = 25.0
    growth_spending: choice("Growth shock: non-interest spending kept at the baseline's nominal level or at its "
                            "level in real terms (revenue / GDP unchanged either way).", ("nominal", "real"),
                            source=MAC + ", growth shock") = "nominal"
    exchange_rate_pass_through: number("Rise of the GDP deflator's growth per point of depreciation in the "
                                       "exchange-rate shock.", lo=0.0, hi=1.0, what="an elasticity", unit="1",
                                       source=MAC + " (0.25 for emerging markets)",
                                       derived="0.25 for emerging, 0 for advanced economies") = None
    depreciation: number("One-time depreciation of the currency in the base year (the guidance: the largest "
                         "movement of the last 10 years).", lo=0.0, hi=5.0,
                         what="a depreciation (0.15 for 15%)", unit="1", source=MAC,
                         derived="the largest yearly depreciation of the history, else 0.15") = None
    contingent_liability_gdp: number("One-time debt-creating flow in the base year (with the growth shock).",
                                     lo=0.0, hi=5.0, what="a share of GDP", unit="share of GDP",
                                     source=MAC + ", contingent liabilities",
                                     derived="contingent_liability_bank_share x banking_assets_gdp when "
                                             "banking_assets_gdp is given, else 0.10") = None
    banking_assets_gdp: number("Assets of the banking sector / GDP (the note sizes the contingent-liability "
                               "shock on them).", lo=0.0, hi=100.0, what="a share of GDP", unit="share of GDP",
                               source=MAC + ", contingent liabilities") = None
    contingent_liability_bank_share: number("Share of the banking sector's assets that the contingent-liability "
                                            "shock adds to the debt.", lo=0.0, hi=1.0, what="a share",
                                            unit="1", source=MAC + " (10% of banking-sector assets)") = 0.10
    framework: choice("Benchmarks of the heat map: mac_dsa (debt and GFN, IMF 2013) or lic_dsf (PV of "
                      "public debt by debt-carrying capacity, IMF-World Bank 2018).", ("mac_dsa", "lic_dsf"),
                      source=MAC + "; " + LIC) = "mac_dsa"
    economy_group: choice("MAC DSA benchmarks: emerging (debt 70%, GFN 15% of GDP) or advanced (85%, 20%).",
                          ("emerging", "advanced"), source=MAC + ", heat map") = "emerging"
    debt_carrying_capacity: choice("LIC-DSF: weak (PV of debt 35% of GDP), medium (55%) or strong (70%).",
                                   ("weak", "medium", "strong"), source=LIC) = "medium"
    debt_benchmark_gdp: number("Debt benchmark instead of the framework's.", lo=0.0, hi=10.0,
                               what="a debt / GDP ratio", unit="share of GDP",
                               derived="the framework's benchmark") = None
    gfn_benchmark_gdp: number("GFN benchmark instead of the framework's.", lo=0.0, hi=10.0,
                              what="a share of GDP", unit="share of GDP",
                              derived="the framework's benchmark (none under lic_dsf)") = None
    heat_map_years: number("Projection years over which the heat map takes the peak, from the base year (the "
                           "default is cut to the horizon).", lo=1, integer=True, unit="years",
                           source=MAC + " (the five-year projection)") = HEAT_MAP_YEARS
    scenarios: named("User-defined stress tests.", StressScenario, what="scenario", optional=True) = None
    early_warning: EarlyWarning | None = None

    @model_validator(mode="after")
    def _names(self):
        for name in self.scenarios or {}:
            if str(name) in STANDARD:
                raise rule_error(f"scenarios.{name}", f"expected a name other than the standard tests "
                                                      f"({', '.join(STANDARD)})")
        return self

    def rules(self, years, history: dict | None = None) -> "StressRules":
        return stress_rules(self, years, history)


@dataclass(frozen=True)
class StressRules:
    """The engine's stress tests on the case's years: shifts (test, year) and the heat-map settings."""

    names: tuple
    labels: dict  # name -> what the test does
    growth: np.ndarray  # dg(s, t), shift of real growth
    deflator: np.ndarray  # dpi(s, t)
    primary_balance: np.ndarray
    interest_rate: np.ndarray
    depreciation: np.ndarray
    stock_flow: np.ndarray
    benchmarks: dict  # indicator -> benchmark or None
    heat_map_years: int
    framework: str
    economy_group: str
    debt_carrying_capacity: str
    early_warning: dict = None  # indicator -> (value or None, lower, upper), given by the user
    interest_unit: np.ndarray = None  # (s, t) 1 where the standard interest-rate shock applies
    interest_given: float | None = None  # bp
    interest_floor: float = 200.0  # bp
    interest_history: tuple | None = None  # (highest rate, N, "real" / "nominal") of the history
    feedback: np.ndarray = None  # (s,) rise of the rate per unit of primary-balance worsening (0.25: 25 bp a point)
    spending: np.ndarray = None  # (s,) the growth shock's spending kept at its baseline level
    largest: np.ndarray = None  # (s,) combined: each variable the most adverse of the individual shocks
    growth_spending: str = "nominal"
    pass_through: float = 0.0


def stress_rules(s: StressTestsSection, years, history: dict | None = None) -> StressRules:
    """The shifts of each standard test (module docstring) and of the user's scenarios; ``history``
    ({column: values by year}) sizes the shocks not given (:func:`resolve_sizes`)."""
    sizes = resolve_sizes(s, history)
    growth_sd, pb_sd, depreciation = (sizes[k][0] for k in ("growth_sd", "primary_balance_sd", "depreciation"))
    years = np.asarray(years)
    T = years.size
    first = (np.arange(T) < s.shock_years).astype(float)
    base = np.zeros(T)
    base0 = base.copy()
    base0[0] = 1.0
    dg = -s.growth_sd_multiple * growth_sd * first
    dpb = -s.primary_balance_sd_multiple * pb_sd * first
    dr = np.ones(T)  # the unit of the standard interest shock, sized in stress_paths (interest_shock_bp)
    de = depreciation * base0
    cl = contingent_gdp(s)[0] * base0
    z = base
    tests = {"baseline": (z, z, z, z, z), "growth": (dg, z, z, z, z), "primary_balance": (z, dpb, z, z, z),
             "interest_rate": (z, z, dr, z, z), "exchange_rate": (z, z, z, de, z),
             "combined": (dg, dpb, dr, de, z), "contingent_liability": (dg, z, z, z, cl)}
    pt = pass_through(s)[0]
    # deflator: 0.25 per point of growth (growth, combined, contingent liability), the pass-through of the
    # depreciation (exchange rate); combined: the lower of the two (the most adverse for debt)
    defl = {"growth": s.inflation_elasticity * dg, "exchange_rate": pt * de,
            "combined": np.minimum(s.inflation_elasticity * dg, pt * de),
            "contingent_liability": s.inflation_elasticity * dg}
    at = lambda x: np.zeros(T) if x is None else x.at(years)  # noqa: E731
    for name, sc in (s.scenarios or {}).items():
        tests[str(name)] = (at(sc.growth), at(sc.primary_balance), at(sc.interest_rate), at(sc.depreciation),
                            at(sc.stock_flow_gdp))
    stack = [np.stack([v[i] for v in tests.values()]) for i in range(5)]
    names = tuple(tests)
    user = np.zeros(len(tests), bool)
    user[len(STANDARD):] = True
    deflator = np.stack([defl.get(k, z) for k in names])
    unit = np.where(user[:, None], 0.0, stack[2])
    stack[2] = np.where(user[:, None], stack[2], 0.0)
    flag = lambda keys: np.array([k in keys for k in names])  # noqa: E731
    fb = s.primary_balance_interest_bp * 1e-4 / 0.01 * flag(("primary_balance", "combined", "contingent_liability"))
    if s.framework == "mac_dsa":
        bench = dict(MAC_DSA_BENCHMARKS[s.economy_group])
    else:
        bench = {"debt_gdp": LIC_DSF_PV_DEBT[s.debt_carrying_capacity], "gross_financing_needs_gdp": None}
    if s.debt_benchmark_gdp is not None:
        bench["debt_gdp"] = s.debt_benchmark_gdp
    if s.gfn_benchmark_gdp is not None:
        bench["gross_financing_needs_gdp"] = s.gfn_benchmark_gdp
    labels = {**stress_labels(s, sizes), **{str(k): "user scenario" for k in (s.scenarios or {})}}
    return StressRules(names, labels, stack[0], deflator, stack[1], stack[2], stack[3], stack[4], bench,
                       min(int(s.heat_map_years), T), s.framework, s.economy_group, s.debt_carrying_capacity,
                       early_warning_inputs(s), unit,
                       None if s.interest_rate_bp is None else float(s.interest_rate_bp),
                       float(s.interest_rate_floor_bp), history_interest(history, s.history_years), fb,
                       flag(("growth", "combined", "contingent_liability")), flag(("combined",)),
                       s.growth_spending, pt)


def early_warning_inputs(s) -> dict:
    """{indicator: (value given or None, lower, upper)}: the note's benchmarks of the economy group
    (EARLY_WARNING), overridden by ``early_warning.lower`` / ``upper``."""
    ew = s.early_warning
    lower = {str(k): v for k, v in ((ew.lower if ew else None) or {}).items()}
    upper = {str(k): v for k, v in ((ew.upper if ew else None) or {}).items()}
    out = {}
    for name, (lo, hi) in EARLY_WARNING[s.economy_group].items():
        out[name] = (None if ew is None else getattr(ew, name), lower.get(name, lo), upper.get(name, hi))
    return out


def early_warning_level(value, lower, upper) -> float:
    """The heat map's level of a debt-profile indicator: 2 (red) above the upper early-warning
    benchmark, 1 (yellow) above the lower, else 0 (green); NaN without a value or benchmark."""
    if value is None or lower is None or upper is None or not np.isfinite(value):
        return float("nan")
    return 2.0 if value > upper else 1.0 if value > lower else 0.0


def debt_profile_risk(rules: StressRules, macro, profile=None) -> tuple[dict, dict]:
    """{indicator: (value, origin)} and {indicator: level}: the values given, else the foreign-currency
    share of the base year and the largest yearly change of the profile's short-term share over the
    heat-map years."""
    values = {}
    for name, (given, lo, hi) in (rules.early_warning or {}).items():
        values[name] = (given, "given") if given is not None else (None, "not given")
    if "foreign_currency_share" in values and values["foreign_currency_share"][0] is None:
        alpha = np.broadcast_to(np.asarray(macro.foreign_currency_share, float), (rules.growth.shape[1],))
        values["foreign_currency_share"] = (float(alpha[0]), "baseline.foreign_currency_share, base year")
    if "short_term_debt_change" in values and values["short_term_debt_change"][0] is None and profile is not None:
        sigma = np.asarray(profile.short_term_share, float)[:rules.heat_map_years + 1]
        if sigma.size > 1:
            values["short_term_debt_change"] = (float(np.diff(sigma).max()), "debt_profile.short_term_share, "
                                                "largest yearly change over the heat-map years")
    levels = {k: early_warning_level(values[k][0], lo, hi) for k, (_, lo, hi) in rules.early_warning.items()}
    return values, levels


def shocked_growth(n, g, pi, dg, dpi):
    """n_s = n + (1 + g + dg)(1 + pi + dpi) - (1 + g)(1 + pi): the nominal growth with the shifted
    real growth and deflator (exactly n where both shifts are 0)."""
    return n + ((1 + g + dg) * (1 + pi + dpi) - (1 + g) * (1 + pi))


def spending_effect(rules: StressRules, macro, pb, n_s) -> np.ndarray:
    """The growth shock's worsening of the primary balance / GDP (stress_test, reform, T): revenue / GDP
    unchanged, non-interest spending E kept at the baseline's level, nominal (E_s = E) or real
    (E_s = E P_s / P), so e_s = e / L(t) with L(t) = prod_{k <= t} (1 + n_s(k)) / (1 + n(k)) (nominal:
    Y_s / Y) or prod_{k <= t} (1 + g(k) + dg(k)) / (1 + g(k)) (real GDP); e = revenue / GDP - pb of the
    path. Returns -(e_s - e) = -e (1 / L - 1) where ``rules.spending``, else 0."""
    if rules.growth_spending == "nominal":
        ratio = (1 + n_s) / (1 + macro.nominal_growth)
    else:
        g = macro.real_and_deflator[0]
        ratio = (1 + g + rules.growth) / (1 + g)
    level = np.cumprod(ratio, axis=-1)  # (S, T)
    spend = macro.revenue_gdp - pb  # (R, T)
    return np.where(rules.spending[:, None, None], -spend[None] * (1 / level[:, None, :] - 1), 0.0)


def shocked_balance_and_rate(rules: StressRules, macro, pb, n_s, interest_bp: float):
    """(primary-balance shift, interest-rate shift), each (stress_test, reform, T):
    dpb = the test's shift + the growth shock's spending effect (:func:`spending_effect`), for the
    combined test the lower (more adverse) of the two; the rate shift = the user's shift + the sized
    standard shock (interest_bp x 1e-4 where it applies) + the feedback c x max(0, cl - dpb) (c = 25 bp
    per point of GDP: 0.25; cl the contingent-liability spending), for the combined test the larger of
    the standard shock and the feedback."""
    eff = spending_effect(rules, macro, pb, n_s)
    own = rules.primary_balance[:, None, :]
    largest = rules.largest[:, None, None]
    dpb = np.where(largest, np.minimum(own, eff), own + eff)
    fb = rules.feedback[:, None, None] * np.maximum(0.0, rules.stock_flow[:, None, :] - dpb)
    std = (interest_bp * 1e-4 * rules.interest_unit)[:, None, :]
    dr = rules.interest_rate[:, None, :] + np.where(largest, np.maximum(std, fb), std + fb)
    return dpb, dr


def stress_paths(rules: StressRules, macro, pb, sfa, profile=None) -> dict:
    """Debt (stress_test, reform, T + 1), interest / GDP, GFN / GDP and the effective rate (stress_test,
    reform, T) of each stress test, the reform paths ``pb``, ``sfa`` (reform, T) shifted; "interest"
    the interest shock's (bp, origin) of :func:`interest_shock_bp`.

    With a debt profile the paths come from :func:`~fiscal_space.financing_needs.structure_path` (the
    interest shock on the marginal rates when the profile is rated); without one from
    :func:`~fiscal_space.debt.debt_path` with r + dr (GFN then unknown: None)."""
    from fiscal_space import debt as dd
    from fiscal_space.financing_needs import structure_path

    g, pi = macro.real_and_deflator
    n2 = shocked_growth(macro.nominal_growth, g, pi, rules.growth, rules.deflator)  # (S, T)
    n = n2[:, None, :]
    alpha = macro.foreign_currency_share
    e = macro.depreciation + rules.depreciation[:, None, :]
    rated = profile is not None and profile.rated
    base_rate = macro.interest_rate
    if rules.interest_given is None and rules.interest_history is not None and rated:
        base_rate = structure_path(macro.debt0, macro.nominal_growth, alpha, macro.depreciation, pb[0], sfa[0],
                                   profile).effective_rate
    interest = interest_shock_bp(rules, base_rate, pi)
    dpb, dr = shocked_balance_and_rate(rules, macro, pb, n2, interest[0])
    pb_s = pb[None] + dpb
    sfa_s = sfa[None] + rules.stock_flow[:, None, :]
    if profile is not None:
        if rated:
            paths = structure_path(macro.debt0, n, alpha, e, pb_s, sfa_s, profile, marginal_shift=dr)
        else:
            paths = structure_path(macro.debt0, n, alpha, e, pb_s, sfa_s, profile, rate=macro.interest_rate + dr)
        return {"debt": paths.debt, "interest": paths.interest_gdp, "gfn": paths.gross_financing_needs_gdp,
                "rate": paths.effective_rate, "rated": rated, "interest_bp": interest}
    r = macro.interest_rate + dr
    f = (1 + r) * (1 + alpha * e) / (1 + n)
    f, pb_s, sfa_s = np.broadcast_arrays(f, pb_s, sfa_s)
    debt = dd.debt_path(macro.debt0, f, pb_s, sfa_s, extra_step=True)
    interest_gdp = r * debt[..., :-1] / (1 + n)
    return {"debt": debt, "interest": interest_gdp, "gfn": None, "rate": np.broadcast_to(r, interest_gdp.shape),
            "rated": False, "interest_bp": interest}


def heat_levels(peak: np.ndarray, benchmark) -> np.ndarray:
    """Heat-map levels (..., stress_test) from the peaks (..., stress_test), stress test 0 the
    baseline: 2 if the baseline breaches the benchmark, else 1 where the test does, else 0; NaN
    without a benchmark."""
    peak = np.asarray(peak, float)
    if benchmark is None:
        return np.full(peak.shape, np.nan)
    breach = peak > benchmark
    return np.where(breach[..., :1], 2.0, np.where(breach, 1.0, 0.0))


def heat_map(rules: StressRules, debt_next: np.ndarray, gfn) -> tuple[np.ndarray, np.ndarray]:
    """(peaks, levels), each (stress_test, indicator, reform): the peak over the first heat-map years
    of end-year debt d(k + 1) and of GFN(k), k < heat_map_years, and the levels of :func:`heat_levels`."""
    y = rules.heat_map_years
    peaks = [debt_next[..., 1:y + 1].max(-1),
             np.full(debt_next.shape[:-1], np.nan) if gfn is None else gfn[..., :y].max(-1)]  # (S, R)
    levels = [heat_levels(p.T, rules.benchmarks[k]).T for p, k in zip(peaks, INDICATORS)]
    return np.stack(peaks, axis=1), np.stack(levels, axis=1)


def stress_variables(rules: StressRules, macro, pb, sfa, profile=None) -> tuple[dict, dict]:
    """The stress-test coordinates and variables of the fiscal_space Dataset, as
    (coords, {name: (dims, values, attrs)})."""
    p = stress_paths(rules, macro, pb, sfa, profile)
    rated = p["rated"]
    bp, bfrom = p["interest_bp"]
    labels = {**rules.labels, "interest_rate": interest_label(bp, bfrom)}
    how = ("shocked inputs through the debt profile's recursion (the interest shock on the marginal rates of "
           "new borrowing)" if rated else "shocked inputs through the debt recursion (the interest shock on the "
           "effective rate of the whole stock: the debt profile gives no rates)")
    dims = ("year", "reform", "stress_test")
    common = dict(source=MAC, method=how, interest_rate_shock_bp=bp, interest_rate_shock_origin=bfrom,
                  primary_balance_interest_bp_per_point=100.0 * float(rules.feedback.max(initial=0.0)),
                  growth_shock_spending=f"non-interest spending kept at the baseline's {rules.growth_spending} "
                                        "level, revenue / GDP unchanged",
                  exchange_rate_pass_through=rules.pass_through)
    v = {"stress_debt_gdp": (dims, p["debt"][..., :-1].transpose(2, 1, 0), dict(
            common, units="1", long_name="gross public debt on 1 January / GDP of the year before, by stress test "
                                         "(IMF MAC DSA standard stress tests)")),
         "stress_interest_gdp": (dims, p["interest"].transpose(2, 1, 0), dict(
             common, units="1", long_name="interest paid on public debt / GDP, by stress test"))}
    if p["gfn"] is not None:
        v["stress_gross_financing_needs_gdp"] = (dims, p["gfn"].transpose(2, 1, 0), dict(
            common, units="1", long_name="gross financing needs / GDP (interest + amortisation - primary balance "
                                         "+ stock-flow adjustment), by stress test"))
    if rated:
        v["stress_effective_interest_rate"] = (dims, p["rate"].transpose(2, 1, 0), dict(
            common, units="1/year", long_name="effective nominal interest rate = interest / debt on 1 January, "
                                              "by stress test (from the debt's structure)"))
    peaks, levels = heat_map(rules, p["debt"], p["gfn"])
    bench = {k: (np.nan if b is None else b) for k, b in rules.benchmarks.items()}
    pv_note = (" (LIC-DSF benchmark for the PV of public debt applied to the NOMINAL debt: the engine does not "
               "compute the PV)" if rules.framework == "lic_dsf" else "")
    hdims = ("stress_test", "heat_indicator", "reform")
    hattrs = dict(source=MAC if rules.framework == "mac_dsa" else LIC, framework=rules.framework,
                  economy_group=rules.economy_group, debt_carrying_capacity=rules.debt_carrying_capacity,
                  heat_map_years=rules.heat_map_years, debt_benchmark_gdp=bench["debt_gdp"],
                  gfn_benchmark_gdp=bench["gross_financing_needs_gdp"])
    v["heat_map"] = (hdims, levels, dict(
        hattrs, units="level", flag_values=np.array([0, 1, 2]), flag_meanings="green yellow red",
        long_name="DSA heat map: 2 red if the benchmark is breached in the baseline, 1 yellow if breached in the "
                  "stress test only, 0 green if not breached, over the first "
                  f"{rules.heat_map_years} projection years; NaN: no benchmark{pv_note}"))
    v["heat_map_peak"] = (hdims, peaks, dict(
        hattrs, units="1", long_name=f"peak of the heat-map indicator over the first {rules.heat_map_years} "
                                     f"projection years, by stress test{pv_note}"))
    if rules.early_warning:
        ew_coords, ew_vars = _early_warning_variables(rules, macro, profile)
        v.update(ew_vars)
    else:
        ew_coords = {}
    coords = {**ew_coords, "stress_test": ("stress_test", np.array(rules.names, dtype=object), dict(
                  units="", long_name="; ".join(f"{k}: {labels[k]}"
                                                for k in rules.names))),
              "heat_indicator": ("heat_indicator", np.array(INDICATORS, dtype=object), dict(
                  units="", long_name="; ".join(f"{k}: {lab}" for k, lab in INDICATOR_LABELS.items())))}
    return coords, v


def _early_warning_variables(rules: StressRules, macro, profile) -> tuple[dict, dict]:
    """``debt_profile_value``, ``debt_profile_lower``, ``debt_profile_upper`` and ``debt_profile_risk``
    (debt_profile_indicator)."""
    values, levels = debt_profile_risk(rules, macro, profile)
    names = list(rules.early_warning)
    nan = lambda x: np.nan if x is None else float(x)  # noqa: E731
    d = ("debt_profile_indicator",)
    common = dict(source=MAC + ", section V.B (vulnerability of the debt profile) and the heat map",
                  economy_group=rules.economy_group)
    scale = np.array([RESULT_SCALE.get(k, 1.0) for k in names])  # every indicator a fraction in the results
    v = {"debt_profile_value": (d, scale * np.array([nan(values[k][0]) for k in names]), dict(
             common, units="1", long_name="debt-profile indicator (heat map; the bond spread as a fraction: "
                                          "0.01 = 100 bp)", origin="; ".join(f"{k}: {values[k][1]}" for k in names))),
         "debt_profile_lower": (d, scale * np.array([nan(rules.early_warning[k][1]) for k in names]), dict(
             common, units="1", long_name="lower early-warning benchmark (the bond spread as a fraction)")),
         "debt_profile_upper": (d, scale * np.array([nan(rules.early_warning[k][2]) for k in names]), dict(
             common, units="1", long_name="upper early-warning benchmark (the bond spread as a fraction)")),
         "debt_profile_risk": (d, np.array([levels[k] for k in names]), dict(
             common, units="level", flag_values=np.array([0, 1, 2]), flag_meanings="green yellow red",
             long_name="debt-profile risk: 2 red above the upper early-warning benchmark, 1 yellow above the "
                       "lower, 0 green; NaN: not given or no benchmark"))}
    coords = {"debt_profile_indicator": (d[0], np.array(names, dtype=object), dict(
        units="", long_name="; ".join(f"{k}: {EARLY_WARNING_LABELS[k][0]} "
                                      f"({'fraction: 0.01 = 100 bp' if k in RESULT_SCALE else EARLY_WARNING_LABELS[k][1]}), "
                                      f"{values[k][1]}" for k in names)))}
    return coords, v


__all__ = ["StressTestsSection", "StressScenario", "StressRules", "stress_rules", "stress_paths", "heat_map",
           "heat_levels", "stress_variables", "STANDARD", "history_sizes", "resolve_sizes",
           "early_warning_level", "debt_profile_risk", "EARLY_WARNING"]


LEVEL_NAMES = {0.0: "green", 1.0: "yellow", 2.0: "red"}


def stress_lines(ds) -> list[str]:
    """Console lines: peak debt and GFN by stress test (with the reform at full cost, and without it)
    over the heat-map years, and the heat map's rows."""
    if "heat_map" not in ds:
        return []
    peak, heat = ds["heat_map_peak"], ds["heat_map"]
    y = heat.attrs["heat_map_years"]
    years = ds["year"].values
    has_gfn = bool(np.isfinite(peak.sel(heat_indicator="gross_financing_needs_gdp").values).any())
    head = ["stress test", "debt0", "debt1", *(("gfn0", "gfn1") if has_gfn else ()), "heat debt",
            *(("heat gfn",) if has_gfn else ())]
    rows = []
    for s in ds["stress_test"].values:
        p = peak.sel(stress_test=s)
        h = heat.sel(stress_test=s, reform="with")
        vals = [p.sel(heat_indicator="debt_gdp", reform=r) for r in ("without", "with")]
        if has_gfn:
            vals += [p.sel(heat_indicator="gross_financing_needs_gdp", reform=r) for r in ("without", "with")]
        cells = [LEVEL_NAMES.get(float(h.sel(heat_indicator=k)), "-") for k in INDICATORS[:1 + has_gfn]]
        rows.append([str(s), *(f"{100 * float(v):.1f}" for v in vals), *cells])
    widths = [max(len(hd), *(len(r[j]) for r in rows)) for j, hd in enumerate(head)]
    bench = f"debt {100 * heat.attrs['debt_benchmark_gdp']:.0f}%"
    if np.isfinite(heat.attrs["gfn_benchmark_gdp"]):
        bench += f", GFN {100 * heat.attrs['gfn_benchmark_gdp']:.0f}%"
    note = (" (LIC-DSF benchmark for the PV of debt, applied to the nominal debt)"
            if heat.attrs["framework"] == "lic_dsf" else "")
    lines = [f"stress tests (IMF MAC DSA), peaks {int(years[0])}-{int(years[min(y, years.size) - 1])}, % of GDP "
             f"(0: without the reform, 1: with it at full cost; debt at the end of the year); heat map with the "
             f"reform against {bench}{note}: red if the baseline breaches, yellow if the stress test does:",
             "  ".join(hd.rjust(w) for hd, w in zip(head, widths))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in rows]
    a = ds["stress_debt_gdp"].attrs
    if "interest_rate_shock_bp" in a:  # the conventions that size the shocks (module docstring)
        lines.append(f"  interest shock +{a['interest_rate_shock_bp']:.0f} bp ({a['interest_rate_shock_origin']}); "
                     f"+{a['primary_balance_interest_bp_per_point']:g} bp per point of primary-balance worsening "
                     f"(primary balance, combined, contingent liability); growth shock: "
                     f"{a['growth_shock_spending']}; depreciation pass-through {a['exchange_rate_pass_through']:g}; "
                     "combined: the most adverse of the individual shocks per variable")
    if "debt_profile_risk" in ds:
        lines.append(debt_profile_text(ds))
    return lines


def debt_profile_text(ds) -> str:
    """One sentence: each debt-profile indicator given or derived, its value, benchmarks and level."""
    parts = []
    for k in ds["debt_profile_indicator"].values:
        x = ds.sel(debt_profile_indicator=k)
        # the first of any other dimension (e.g. the first case of a side-by-side comparison)
        value, lo, hi, level = (float(np.ravel(x[n].values)[0]) for n in (
            "debt_profile_value", "debt_profile_lower", "debt_profile_upper", "debt_profile_risk"))
        if not np.isfinite(value):
            continue
        fmt = (lambda v: f"{v * 1e4:.0f} bp") if k in RESULT_SCALE else (lambda v: f"{100 * v:.1f}%")
        bench = f"{fmt(lo)} / {fmt(hi)}" if np.isfinite(lo) else "no benchmark"
        parts.append(f"{EARLY_WARNING_LABELS[str(k)][0]} {fmt(value)} ({bench}: {LEVEL_NAMES.get(level, '-')})")
    if not parts:
        return "Debt profile: no early-warning indicator given"
    return ("Debt profile against the lower / upper early-warning benchmarks (IMF 2013, section V.B): "
            + "; ".join(parts))
