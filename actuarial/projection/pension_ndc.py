"""Notional defined contribution (NDC): ``pension.design: notional``.

The insured population, careers and wages are the pension stage's (as for the
DC design, ``pension_dc``); mortality q from the demography stage. By scenario,
year t, sex g and age x (kernel ``_ndc_kernels.project_notional``):

  contributions  c = rate_t x K_x x density x min(wage, ceiling), mid-year
  notional rate  n_t: growth of the insurable wage bill into year t (wage_bill),
                 of nominal GDP (gdp) or a stated index; the first year's growth
                 is that of the next year
  capital        W' = W (1 + n_t) f_t + c ((1 + n_t) f_t)^(1/2) at 31 December,
                 carried whole to age x + 1: the capital of insured who die goes to
                 the survivors of their cohort (Sweden's inheritance gains)
  divisor        D_x = sum_k kp_x / (1 + norm)^k, the annuity-due on the cohort's
                 projected mortality (unisex: the mean of the sexes' death
                 probabilities) at the norm (``pension_dc.annuity_factors``).
                 Sweden's divisors use unisex period life expectancy (the last
                 five years' observed mortality) and the 1.6% norm (Orange Report,
                 "Annuity divisor"); this engine uses the cohort's projected
                 mortality, so that the divisor is fair on its own projection
  pension        capital / D_x at the pensionable age (1 January t+1); paid each
                 1 January to the living; indexed at 31 December by
                 (1 + n_t) f_t / (1 + norm) (Sweden: the income index less the norm)
  buffer fund    F_{t+1} = F_t + C_t + II_t - E_t, floored at zero
                 (``pension_metrics.floored_reserve``; E includes administration)
  balance ratio  BR_t = (F_{t+1} + C_t x TD_t) / L_t at 31 December t, TD_t the
                 turnover duration (pension-weighted mean age of pensioners less the
                 contribution-weighted mean age of contributors), L_t the notional
                 capital plus pensions x divisors (``_ndc_kernels.balance_ratio``;
                 Sweden: the smoothed contributions and a two-year lag)
  pay-out side   Sweden measures TD on the system's own contributors and pensioners
                 (Orange Report; Settergren & Mikula 2005), which presumes a mature
                 pensioner stock. A scheme without one (new, or reformed with the
                 pensions in payment left to a DB legacy) would measure only its
                 recent, young retirees: TD, the contribution asset and the ratio
                 would be artefacts. Rule: while the scheme's own stock does not hold
                 the table's last age (omega = 100, the open group), A_R is measured on
                 the stock completed at the ages above its oldest by the expected
                 payments of its youngest age's pensions (the latest retirees), weighted
                 as the divisor weighs them: survival on the divisors' mortality at the
                 norm (``_ndc_kernels.stock_completion``, ``payment_ages``). In the first
                 year that is A*_R, the mean age at which a unit of new pension is paid;
                 the completion shrinks as the stock ages and vanishes when the first
                 pensioners reach omega (no step at maturity); in a stationary
                 population the completed stock's A_R is exactly the full stock's, at
                 any wage growth (validation cases ndc_steady_state, _growth; with
                 improving mortality an approximation: the completion follows the
                 latest retirees' cohort, the real older ages lived on earlier tables). Pensions in payment carried from
                 the valuation date (initial.pensioners.old_age) are taken as a mature
                 stock: measured from the start. In a year without pensions paid there
                 is no turnover duration: the balance ratio is NaN
  the brake      when BR_t < 1 the balance index replaces the income index: its
                 growth is (1 + n) x BR (f_{t+1} = BR_t) until it is back at the
                 income index (f = the ratio that closes the gap); without the
                 brake f = 1; no brake in a year without pensions paid (a new
                 scheme: the turnover duration, hence the contribution asset, is
                 not defined)

The PAYG cost rate, reserve, GAP and depletion are the DB scheme's formulas
(``pension_finance.finance_variables``, ``pension_metrics.valuation_variables``) on these
flows (the GAP takes pensions as given, though an NDC's pensions follow its
contributions). Invalidity and survivors' pensions are not part of this design;
pensions in payment at the valuation date (initial.pensioners.old_age) are carried
and indexed as notional pensions.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from actuarial.arrays import with_scenario
from actuarial.assumptions.economy import Labour
from actuarial.assumptions.pension import Pension, by_sex_array
from actuarial.projection import _ndc_kernels as kern
from actuarial.projection.labour import wage_levels
from actuarial.projection.pension_dc import annuity_factors, converted_input, initial_accounts
from actuarial.projection.pension_finance import Frame, finance_variables, frame_dataset
from actuarial.projection.pension_metrics import valuation_variables

SEXES = ["female", "male"]
RULE = ("pay-out side measured on the scheme's own pensioners; a stock that does not yet hold the last age (a new "
        "scheme) completed above its oldest age by the expected payments of its latest retirees' pensions on the "
        "divisors' mortality and norm")
OUTPUTS2 = ("headcount", "contributions", "capital_total", "pens_n", "pens_b", "retiring_n", "retiring_cap",
            "awards_b")
OUTPUTS1 = ("earnings", "wage_bill", "paid", "fund", "ratio", "turnover", "asset", "liability", "credited",
            "measured")


def divisor_mortality(q: np.ndarray, unisex: bool) -> np.ndarray:
    """The divisors' death probabilities: q, or the mean of the sexes' (unisex)."""
    return np.broadcast_to(q.mean(axis=2, keepdims=True), q.shape) if unisex else q


def divisors(q: np.ndarray, norm: float, unisex: bool) -> np.ndarray:
    """Annuity divisors (scenario, year, sex, age): cohort annuity-due factors at the norm."""
    return annuity_factors(divisor_mortality(q, unisex), norm, 0.0)


def payment_ages(q: np.ndarray, norm: float, unisex: bool) -> np.ndarray:
    """A*_x (scenario, year, sex, age): mean age of payment of a unit of new pension on the divisors'
    mortality and norm (``_ndc_kernels.payment_ages``)."""
    qd = np.ascontiguousarray(divisor_mortality(q, unisex), dtype=float)
    out = np.empty_like(qd)
    kern.payment_ages(qd, float(norm), out)
    return out


def growth(level: np.ndarray) -> np.ndarray:
    """Yearly growth (scenario, T) into each year of a positive (scenario, T) level; year 0: of year 1."""
    g = level[:, 1:] / level[:, :-1] - 1.0
    return np.concatenate([g[:, :1], g], axis=1) if g.shape[1] else np.zeros_like(level)


def insurable_wage_bill(K, dens, level, scale, ceil, R, x_lo) -> np.ndarray:
    """sum_{g, x_lo <= x < R_t} K x density x min(level x scale, ceiling), (scenario, T), as the kernel's."""
    wage = np.minimum(level[..., None] * scale, ceil[:, :, None, None])
    below = np.arange(K.shape[-1])[None, :] < R[:, :, None]  # (T, 2, X)
    below &= np.arange(K.shape[-1]) >= x_lo
    return (K * dens * wage * below).sum((2, 3))


def run_notional(K, q, dens, level, scale, ceil, R, rate, nrate, i, div, par, P0, W0, N0, B0, F0, x_lo, x_hi,
                 store: bool = True, Win=None, t_in: int = -1, pay_age=None, stock_mature: bool | None = None) -> dict:
    """``_ndc_kernels.project_notional`` on (scenario, ...) arrays; its outputs by name. Defaults:
    ``stock_mature`` = pensions in payment at the start (N0 > 0): measured; otherwise the stock
    completed until it holds the last age, with ``pay_age`` (default from q at the norm, not unisex;
    not computed for a mature stock, which does not read it)."""
    n = max(a.shape[0] for a in (K, q, level, ceil, rate, nrate, i, div))
    T, X = K.shape[1], K.shape[3]
    stocks = (n, T if store else 1, 2, X)
    out = {k: np.zeros((n, T)) for k in OUTPUTS1}
    out.update({k: np.zeros((n, T, 2)) for k in OUTPUTS2})
    out.update(capital=np.zeros(stocks), pens_age=np.zeros(stocks))
    f = lambda a: np.ascontiguousarray(a, dtype=float)  # noqa: E731
    stock_mature = bool(np.sum(N0) > 0) if stock_mature is None else stock_mature
    if pay_age is None:  # read only to complete an immature stock
        pay_age = np.zeros((1, 1, 2, X)) if stock_mature else payment_ages(q, par[0], False)
    kern.project_notional(f(K), f(q), f(dens), f(level), f(scale), f(ceil), np.ascontiguousarray(R, dtype=np.int64),
                          f(rate), f(nrate), f(i), f(div), f(par), f(P0), f(W0), f(N0), f(B0), float(F0),
                          int(x_lo), int(x_hi), np.zeros((1, 2, X)) if Win is None else f(Win), int(t_in),
                          f(pay_age), bool(stock_mature), *(out[k] for k in (
                              "earnings", "wage_bill", "headcount", "contributions", "paid", "fund",
                              "capital_total", "capital", "pens_n", "pens_age", "pens_b", "retiring_n",
                              "retiring_cap", "awards_b", "ratio", "turnover", "asset", "liability", "credited",
                              "measured")))
    return out


def notional_rate(pension: Pension, years, wage_bill: np.ndarray, economy: xr.Dataset) -> np.ndarray:
    """The notional rate (scenario, T) by ``notional.notional_rate``."""
    nd = pension.notional
    if nd.notional_rate == "index":
        return nd.index.at(years)[None]
    if nd.notional_rate == "gdp":
        return growth(with_scenario(economy.variables["gdp"], ("year",)))
    return growth(wage_bill)


def project_ndc(pension: Pension, labour_assumptions: Labour, demography: xr.Dataset, labour: xr.Dataset,
                economy: xr.Dataset) -> xr.Dataset:
    nd = pension.notional
    years = demography["year"].values
    R = np.stack([s.at(years) for s in pension.pensionable_age], -1).astype(np.int64)
    x_lo, x_hi = labour_assumptions.first_age, int(R.max()) - 1
    K = with_scenario(labour.variables["contributors"], ("year", "sex", "age"))
    q = with_scenario(demography.variables["death_probability"], ("year", "sex", "age"))
    aw_a = with_scenario(economy.variables["average_wage"], ("year",))
    level = wage_levels(labour_assumptions, economy["average_wage"], labour["employed"])
    scale = np.array(labour_assumptions.salary_scale, dtype=float)
    ceil = pension.ceiling.at(years)[None] * aw_a if pension.ceiling is not None else aw_a * np.inf
    rate = pension.contribution_rate.at(years)[None]
    dens = by_sex_array(labour_assumptions.density)
    nrate = notional_rate(pension, years, insurable_wage_bill(K, dens, level, scale, ceil, R, x_lo), economy)
    i = with_scenario(economy.variables["interest_rate"], ("year",))
    div = divisors(q, nd.norm, nd.unisex)
    wage0 = np.minimum(level[0, 0][:, None] * scale[None], ceil[0, 0])
    c0 = rate[0, 0] * K[0, 0] * dens * wage0
    P0, W0 = initial_accounts(pension, K[0, 0], c0, x_lo, nd.initial_capital)
    old = pension.initial_pensioners["old_age"]
    N0 = by_sex_array(old.counts)
    B0 = N0 * by_sex_array(old.average_pension)
    par = np.array([nd.norm, 1.0 if nd.balancing else 0.0, pension.administrative_cost])
    Win, t_in = converted_input(pension, years)
    mature = bool(N0.sum() > 0)  # pensions in payment at the valuation date: measured as Sweden's
    out = run_notional(K, q, dens, level, scale, ceil, R, rate, nrate, i, div, par, P0, W0, N0, B0,
                       pension.initial_reserve, x_lo, x_hi, Win=Win, t_in=t_in, stock_mature=mature,
                       pay_age=None if mature else payment_ages(q, nd.norm, nd.unisex))
    out["liability0"] = np.full(out["earnings"].shape[0], W0.sum()) + (B0 * div[:, 0]).sum((1, 2))
    return ndc_dataset(pension, out, years, demography["age"].values, R, economy, div)


def ndc_dataset(pension: Pension, out: dict, years, ages, R, economy: xr.Dataset, div) -> xr.Dataset:
    """The node: the DB scheme's variables (old age only) and the notional accounts' own."""
    nd = pension.notional
    n, T = out["earnings"].shape
    sy, sys_, syts = ("scenario", "year"), ("scenario", "year", "sex"), ("scenario", "year", "benefit_type", "sex")
    coords = {"scenario": np.arange(n), "year": years, "sex": SEXES, "age": ages, "benefit_type": ["old_age"]}
    a = lambda u, ln: {"units": u, "long_name": ln}  # noqa: E731
    paid = out["paid"] / (1.0 + pension.administrative_cost)
    index = f"(1 + notional rate) / (1 + {nd.norm:g})" + (", the brake below a balance ratio of 1"
                                                          if nd.balancing else "")
    frame = Frame({
        "contributors": (sys_, out["headcount"], a("persons", "active insured persons at 1 January, below the "
                                                              "pensionable age")),
        "pensioners": (("scenario", "year", "benefit_type", "sex", "age"), out["pens_age"][:, :, None],
                       a("persons", "old-age pensioners at 1 January (no invalidity or survivors' pensions in "
                                    "this design)")),
        "pensioners_total": (syts, out["pens_n"][:, :, None], a("persons", "old-age pensioners at 1 January")),
        "pension_amounts": (syts, out["pens_b"][:, :, None], a("currency/year", "annual pensions in payment at "
                                                                               f"1 January, indexed by {index}")),
        "new_pensioners": (syts, out["retiring_n"][:, :, None], a("persons/year", "insured retiring on 1 January "
                                                                                 "of the next year")),
        "new_pension_amounts": (syts, out["awards_b"][:, :, None], a(
            "currency/year", f"pensions awarded: notional capital / annuity divisor (cohort mortality"
                             f"{', unisex' if nd.unisex else ''}, norm {nd.norm:g})")),
        "pensionable_age": (("year", "sex"), R, a("year", "pensionable age")),
        "average_insurable_wage": (sy, out["wage_bill"] / out["headcount"].sum(-1),
                                   a("currency/year", "average insurable wage of contributors")),
        "insurable_earnings": (sy, out["earnings"], a("currency/year", "insurable earnings (contribution base)")),
        "contribution_rate": ("year", pension.contribution_rate.at(years), a("1", "contribution rate")),
        "benefit_expenditure": (("scenario", "year", "benefit_type"), paid[:, :, None],
                                a("currency/year", "pensions paid (1 January) by type")),
        "lump_sums": (sy, np.zeros((n, T)), a("currency/year", "lump sums (none in this design)")),
        "refund_base": (sy, np.zeros((n, T)), a("currency/year", "lump sums per unit of contribution rate (none)")),
    }, coords)
    frame.update(finance_variables(frame, pension, economy))
    frame.update(valuation_variables(frame, pension, economy))
    gap = dict.__getitem__(frame, "general_average_premium")  # a convention shown where the GAP is read
    gap.attrs["long_name"] += (" (NDC: the DB formula on the projected pensions, taken as given, although a "
                               "notional scheme's pensions follow the contributions paid)")
    rate_name = {"wage_bill": "growth of the insurable wage bill", "gdp": "nominal GDP growth",
                 "index": "the stated index"}[nd.notional_rate]
    frame.update({
        "notional_capital": (("scenario", "year", "sex", "age"), out["capital"],
                             a("currency", "notional capital of the insured at 1 January")),
        "notional_capital_total": (sys_, out["capital_total"], a("currency", "notional capital of the insured at "
                                                                             "1 January, all ages")),
        "retiring_capital": (sys_, out["retiring_cap"], a("currency/year", "notional capital at retirement "
                                                                          "(1 January of the next year)")),
        "notional_rate": (sy, out["credited"], a("1/year", f"rate credited to the notional accounts: {rate_name}"
                                                 + (" x the balancing factor" if nd.balancing else ""))),
        "balance_ratio": (sy, out["ratio"], a("1", "balance ratio at 31 December: (buffer fund + contribution "
                                                   "asset) / pension liability (Sweden's definition; " + RULE
                                              + "; NaN in a year without pensions paid)")),
        "contribution_asset": (sy, out["asset"], a("currency", "contribution asset at 31 December: contributions "
                                                               "x turnover duration")),
        "pension_liability": (sy, out["liability"], a("currency", "pension liability at 31 December: notional "
                                                                  "capital + pensions x annuity divisors")),
        "turnover_duration": (sy, out["turnover"], a("year", "turnover duration: pension-weighted mean age of "
                                                             "pensioners - contribution-weighted mean age of "
                                                             "contributors (" + RULE + ")")),
        "turnover_duration_measured": (sy, out["measured"], a("1", "1: turnover duration measured on the "
                                                                   "scheme's pensioners (mature stock), 0: the "
                                                                   "stock completed above its oldest age by "
                                                                   "expected payments, NaN: no pensions paid")),
        "accrued_liability": ("scenario", out["liability0"], a(
            "currency", "accrued-to-date liability at the valuation date: notional capital + pensions in payment "
                        "x annuity divisors (the NDC pension liability)")),
        "accrued_liability_gdp": ("scenario", out["liability0"] / float(np.ravel(economy["gdp"].transpose(
            ..., "year").values)[0]), a("1", "accrued-to-date liability (notional capital + pensions x "
                                             "divisors) / GDP of the base year")),
        "annuity_divisor": (("year", "sex"), div[0][np.arange(T)[:, None], np.arange(2)[None], R], a(
            "1", f"annuity divisor at the pensionable age (cohort mortality{', unisex' if nd.unisex else ''}, "
                 f"norm {nd.norm:g})")),
    })
    ds = frame_dataset(frame, coords)
    ds.attrs["design"] = "notional"
    ds.attrs["turnover_rule"] = measured_from(out["measured"][0], years)
    return ds


def measured_from(measured: np.ndarray, years) -> str:
    """The console's words for the pay-out rule of the (first) scenario's years."""
    expected = years[measured == 0]
    if not expected.size:
        return "turnover duration measured on the scheme's pensioners"
    later = years[(measured == 1) & (years > expected.max())]
    return (f"pay-out duration on the pensioners completed by expected payments {int(expected.min())}-"
            f"{int(expected.max())} (a stock not yet holding the last age), measured "
            + (f"from {int(later.min())}" if later.size else "at no time within the horizon"))
