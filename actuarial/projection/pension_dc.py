"""Defined contribution (individual accounts, provident fund): ``pension.design: defined_contribution``.

The insured population, careers and wages are the pension stage's: the
contributors K (labour), the contribution density, the wage level and salary
scale, the ceiling, the contribution rate and pensionable ages, mortality q
from the demography stage. By scenario, year t, sex and age x (kernel
``_dc_kernels.project_accounts``):

  insured    P_x = max(P_x, K_x) on 1 January (new entrants bring no balance),
             P_{x+1} = P_x (1 - q_x) on 31 December
  contributions  c = rate_t x K_x x density x min(wage, ceiling), paid mid-year;
             fee on contributions f_c c
  balances   W' = (1 - f_b)[W (1 + r_t) + (1 - f_c) c (1 + r_t)^(1/2)],
             the balance fee f_b on the year's end balance; r_t = the economy's
             interest rate + return_spread (per scenario when the stochastic
             section draws the interest rate: the return's volatility is that of
             the draws); deaths at the year's end: q W' paid to the heirs
             (bequests), (1 - q) W' carried to age x + 1
  retirement on 1 January t+1 at the pensionable age: the balance S buys an
             annuity with share a, a programmed withdrawal with share w, the
             rest is a lump sum; annuity = a S / ((1 + loading) a_x), a_x the
             annuity-due factor on the cohort's projected mortality at the
             technical rate and indexation (``_dc_kernels.annuity_factors``);
             programmed withdrawal each 1 January = its balance / a_x (the
             factor recomputed each year, Mexico's retiro programado);
             its balance earns r_t less the balance fee
  guarantee  the state pays a top-up to a minimum pension G (share of the
             average wage of the award year) over the annuity the whole balance
             buys: eligible share x E[max(G - Y, 0)], Y lognormal with the mean
             S / (n (1 + loading) a_x) and the stated dispersion; for life,
             indexed as annuities (``_dc_kernels.top_up``)

The fund (the accounts) pays lump sums, annuity premiums (to insurers),
withdrawals and bequests: that is its ``expenditure``; annuities are paid by
insurers and the top-ups by the state (``state_top_up``, read by the fiscal
stage). reserve = all account balances at 1 January, so
F_{t+1} = F_t + C_t - fees_t + II_t - E_t. Invalidity and survivors'
pensions are not part of this design; pensions in payment at the valuation
date (initial.pensioners.old_age) are carried as annuities in payment.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from actuarial.arrays import coordinates, dataset, scenario_years, with_scenario
from actuarial.assumptions.economy import Labour
from actuarial.assumptions.pension import Pension, by_sex_array
from actuarial.projection import _dc_kernels as kern
from actuarial.projection.labour import wage_levels

SEXES = ["female", "male"]
OUTPUTS = ("earnings", "wage_bill", "headcount", "contributions", "fees", "invest", "balance", "balance_total", "pw_total",
           "lumps", "premiums", "withdrawals", "bequests", "retiring_n", "retiring_bal", "awards_b", "awards_full", "awards_u",
           "pens_n", "pens_age", "pens_b", "annuities_paid", "topups_paid", "transferred")


def annuity_factors(q: np.ndarray, interest: float, indexation: float) -> np.ndarray:
    """Cohort annuity-due factors (scenario, year, sex, age) from death probabilities of that shape."""
    q = np.ascontiguousarray(q, dtype=float)
    out = np.empty_like(q)
    kern.annuity_factors(q, float(interest), float(indexation), out)
    return out


def kernel_parameters(dc, transfer: int = -1) -> np.ndarray:
    """``_dc_kernels``' par; ``transfer``: the year index of a transfer of the insured's balances (-1: none)."""
    g = dc.guarantee
    return np.array([dc.fee_on_contributions, dc.fee_on_balance, dc.annuity_share, dc.programmed_withdrawal_share,
                     dc.annuity.loading, dc.annuity.indexation, 1.0 if g is None else g.eligible_share,
                     0.0 if g is None else g.balance_dispersion, transfer])


def run_accounts(K, q, dens, level, scale, ceil, R, rate, ret, gmin, af, par, P0, W0, N0, B0, x_lo, x_hi,
                 store: bool = True, Win=None, t_in: int = -1) -> dict:
    """``_dc_kernels.project_accounts`` on (scenario, ...) arrays; its outputs by name."""
    n = max(a.shape[0] for a in (K, q, level, ceil, rate, ret, gmin, af))
    T, X = K.shape[1], K.shape[3]
    stocks = (n, T if store else 1, 2, X)
    shapes = {"earnings": (n, T), "wage_bill": (n, T), "balance": stocks, "pens_age": stocks, "transferred": (n, 2, X)}
    out = {k: np.zeros(shapes.get(k, (n, T, 2))) for k in OUTPUTS}
    args = [np.ascontiguousarray(a, dtype=float) for a in (K, q, dens, level, scale, ceil)]
    args.append(np.ascontiguousarray(R, dtype=np.int64))
    args += [np.ascontiguousarray(a, dtype=float) for a in (rate, ret, gmin, af, par, P0, W0, N0, B0)]
    Win = np.zeros((1, 2, X)) if Win is None else np.ascontiguousarray(Win, dtype=float)
    kern.project_accounts(*args, int(x_lo), int(x_hi), Win, int(t_in), *out.values())
    return out


def initial_accounts(pension: Pension, K0: np.ndarray, contributions0: np.ndarray, x_lo: int,
                     years: float | None = None):
    """Insured persons P0 (2, X) = active x (1 + inactive ratio) and balances W0 = ``years`` (default:
    defined_contribution.initial_balance) x the base year's contributions, spread over ages by
    contributions x (x - first age)."""
    if pension.initial_insured is not None:
        P0 = pension.initial_insured.sum(axis=(0, 3))
    else:
        P0 = K0 * (1 + pension.initial_inactive_ratio)
    weight = contributions0 * np.maximum(np.arange(K0.shape[-1]) - x_lo, 0)
    total = weight.sum()
    years = pension.defined_contribution.initial_balance if years is None else years
    W0 = years * contributions0.sum() * weight / total if total > 0 \
        else np.zeros_like(P0)
    return P0, W0


def project_dc(pension: Pension, labour_assumptions: Labour, demography: xr.Dataset, labour: xr.Dataset,
               economy: xr.Dataset) -> xr.Dataset:
    dc = pension.defined_contribution
    years = demography["year"].values
    T = years.size
    R = np.stack([s.at(years) for s in pension.pensionable_age], -1).astype(np.int64)
    x_lo, x_hi = labour_assumptions.first_age, int(R.max()) - 1
    K = with_scenario(labour.variables["contributors"], ("year", "sex", "age"))
    k_freeze = None if pension.freeze_year is None else int(pension.freeze_year - years[0])
    if k_freeze is not None:  # the legacy of a transition: no insured join, none contribute from the year
        K = K.copy()
        K[:, k_freeze:] = 0.0
    q = with_scenario(demography.variables["death_probability"], ("year", "sex", "age"))
    aw = economy["average_wage"]
    level = wage_levels(labour_assumptions, aw, labour["employed"])
    scale = np.array(labour_assumptions.salary_scale, dtype=float)
    aw_a = with_scenario(aw, ("year",))
    ceil = pension.ceiling.at(years)[None] * aw_a if pension.ceiling is not None else aw_a * np.inf
    rate = pension.contribution_rate.at(years)[None]
    ret = with_scenario(economy.variables["interest_rate"], ("year",)) + dc.return_spread.at(years)[None]
    gmin = aw_a * (0.0 if dc.guarantee is None else dc.guarantee.minimum_pension)
    af = annuity_factors(q, dc.annuity.interest_rate, dc.annuity.indexation)
    dens = by_sex_array(labour_assumptions.density)
    wage0 = np.minimum(level[0, 0][:, None] * scale[None], ceil[0, 0])
    c0 = rate[0, 0] * K[0, 0] * dens * wage0
    P0, W0 = initial_accounts(pension, K[0, 0], c0, x_lo)
    old = pension.initial_pensioners["old_age"]
    N0 = by_sex_array(old.counts)
    B0 = N0 * by_sex_array(old.average_pension)
    Win, t_in = converted_input(pension, years)
    transfer = k_freeze if pension.convert_rights else -1
    out = run_accounts(K, q, dens, level, scale, ceil, R, rate, ret, gmin, af, kernel_parameters(dc, transfer),
                       P0, W0, N0, B0, x_lo, x_hi, Win=Win, t_in=t_in)
    ds = dc_dataset(pension, out, years, demography["age"].values, R, economy, af)
    if transfer >= 0:
        ds["transferred_balance"] = xr.DataArray(out["transferred"], dims=("scenario", "sex", "age"), attrs={
            "units": "currency", "long_name": f"the insured's account balances transferred to the DB scheme's "
                                              f"reserve on 1 January {pension.freeze_year}"})
    return ds


def converted_input(pension: Pension, years):
    """The converted DB rights (``pension.converted_capital``, (scenario, 2, X)) and the year index
    at which they are credited (-1: none)."""
    if pension.converted_capital is None:
        return None, -1
    return pension.converted_capital, int(pension.converted_year - years[0])


def dc_dataset(pension: Pension, out: dict, years, ages, R, economy: xr.Dataset, af) -> xr.Dataset:
    """The node: DESIGN.md's pension names where they apply, and the accounts' own."""
    dc = pension.defined_contribution
    n = out["earnings"].shape[0]
    sy, sys_ = ("scenario", "year"), ("scenario", "year", "sex")
    syts = ("scenario", "year", "benefit_type", "sex")  # as the DB node's (old age only here)
    tot = {k: v.sum(-1) for k, v in out.items() if v.ndim == 3}
    ie = out["earnings"]
    E = tot["lumps"] + tot["premiums"] + tot["withdrawals"] + tot["bequests"]
    F = tot["balance_total"] + tot["pw_total"]
    F_end = np.concatenate([F[:, 1:], (F[:, -1] + tot["contributions"][:, -1] - tot["fees"][:, -1]
                                       + tot["invest"][:, -1] - E[:, -1])[:, None]], axis=1)
    gdp = scenario_years(economy.variables["gdp"], n)
    with np.errstate(divide="ignore", invalid="ignore"):
        full = np.where(out["retiring_n"] > 0, out["awards_full"] / out["retiring_n"], np.nan)
        # awards on 1 January t+1 against the average insurable wage of t+1 (the last year: of t)
        aiw = out["wage_bill"] / tot["headcount"]
        aiw_next = np.concatenate([aiw[:, 1:], aiw[:, -1:]], axis=1)
        prev = np.concatenate([np.full((n, 1), np.nan), E[:, :-1]], axis=1)
        values = {
            "contribution_income": (sy, tot["contributions"], "currency/year", "contributions paid into the accounts"),
            "insurable_earnings": (sy, ie, "currency/year", "insurable earnings (contribution base)"),
            "fees": (sys_, out["fees"], "currency/year",
                     f"fees: {dc.fee_on_contributions:g} of contributions and {dc.fee_on_balance:g} of balances a year"),
            "investment_income": (sy, tot["invest"], "currency/year", "returns on the accounts (before the balance fee)"),
            "expenditure": (sy, E, "currency/year", "paid out of the accounts: lump sums, annuity premiums, "
                                                    "programmed withdrawals, balances of deceased insured"),
            "lump_sums": (sy, tot["lumps"], "currency/year", "lump sums at retirement"),
            "annuity_premiums": (sy, tot["premiums"], "currency/year", "balances converted to annuities (premiums)"),
            "programmed_withdrawals": (sy, tot["withdrawals"], "currency/year",
                                       "programmed withdrawals (balance / annuity factor each 1 January)"),
            "bequests": (sy, tot["bequests"], "currency/year", "balances of insured and retirees who died, to heirs"),
            "reserve": (sy, F, "currency", "all account balances at 1 January"),
            "reserve_gdp": (sy, F / gdp, "1", "all account balances at 1 January / GDP"),
            "reserve_end": (sy, F_end, "currency", "all account balances at 31 December"),
            "account_balance_total": (sys_, out["balance_total"], "currency",
                                      "account balances of the insured at 1 January"),
            "account_balance": (("scenario", "year", "sex", "age"), out["balance"], "currency",
                                "account balances of the insured at 1 January"),
            "contributors": (sys_, out["headcount"], "persons", "active insured persons at 1 January, below the "
                                                                "pensionable age"),
            "pensioners": (("scenario", "year", "benefit_type", "sex", "age"), out["pens_age"][:, :, None],
                           "persons",
                           "retirees at 1 January (old age: annuities, withdrawals; no invalidity or survivors' "
                           "pensions in this design)"),
            "pensioners_total": (syts, out["pens_n"][:, :, None], "persons",
                                 "retirees at 1 January (annuities, withdrawals)"),
            "pension_amounts": (syts, out["pens_b"][:, :, None], "currency/year",
                                "annuities in payment at 1 January (paid by insurers)"),
            "new_pensioners": (syts, out["retiring_n"][:, :, None], "persons/year",
                               "insured retiring on 1 January of the next year"),
            "retiring_balance": (sys_, out["retiring_bal"], "currency/year",
                                 "account balances at retirement (1 January of the next year)"),
            "new_pension_amounts": (syts, out["awards_b"][:, :, None], "currency/year",
                                    "annuities bought at retirement (a year)"),
            "annuitised_replacement_rate": (sys_, full / aiw_next[..., None], "1", (
                "annuity the whole balance buys at retirement / average insurable wage of the retirement year, "
                f"for the cohort retiring on 1 January of the next year (cohort annuity factor at "
                f"{dc.annuity.interest_rate:g}, indexation {dc.annuity.indexation:g}, loading "
                f"{dc.annuity.loading:g})")),
            "annuities_paid": (sy, tot["annuities_paid"], "currency/year", "annuities paid by insurers"),
            "state_top_up": (sy, tot["topups_paid"], "currency/year",
                             "the state's top-up to the guaranteed minimum pension (a cost to the fiscal stage)"),
            "state_top_up_gdp": (sy, tot["topups_paid"] / gdp, "1", "the state's top-up to the minimum pension / GDP"),
            "new_state_top_up": (sys_, out["awards_u"], "currency/year", "top-ups awarded at retirement (a year)"),
            "payg_cost_rate": (sy, E / ie, "1", "paid out of the accounts / insurable earnings (a funded "
                                                "scheme: not a financing rate)"),
            "reserve_ratio": (sy, F / prev, "1", "account balances at 1 January / the year before's payments"),
            "expenditure_gdp": (sy, E / gdp, "1", "paid out of the accounts / GDP"),
            "contribution_rate": ("year", pension.contribution_rate.at(years), "1", "contribution rate"),
            "pensionable_age": (("year", "sex"), R, "year", "pensionable age"),
            "average_insurable_wage": (sy, aiw, "currency/year", "average insurable wage of contributors"),
            "annuity_factor": (("year", "sex"), af[0][np.arange(R.shape[0])[:, None], np.arange(2)[None], R], "1",
                f"annuity-due factor at the pensionable age (cohort mortality, {dc.annuity.interest_rate:g} "
                f"technical rate, indexation {dc.annuity.indexation:g}; no loading)"),
        }
    coords = {"scenario": np.arange(n), "year": years, "sex": SEXES, "age": ages, "benefit_type": ["old_age"]}
    ds = dataset({k: (d, v, {"units": u, "long_name": ln}) for k, (d, v, u, ln) in values.items()},
                 coordinates({k: (k, v) for k, v in coords.items()}))
    ds.attrs["design"] = "defined_contribution"
    return ds
