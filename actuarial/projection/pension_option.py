"""The transition generation's option (``pension.transition.legacy_option``), as Mexico's: the
insured before the reform (Ley del Seguro Social 1997, artículos transitorios 3 and 11: insured
before 1 July 1997) may choose at retirement the pension of the old law (Ley 73, LSS 1973 art.
167 schedule) instead of the one their individual account pays; the Federal Government then pays
the old-law pension and receives the account's RCV balance (transitorio 13). Valued per
retiring cohort (year, sex), as the member would choose:

  old-law pension L = max(min(accrual x c x ref, maximum x ref), minimum x average wage),
      c = credit_share x (R - first working age) credited years (the DB keys' career density;
      the old law counts the weeks of both laws), ref = the DB's reference earnings at the
      award year's wages (``labour.reference_scale``), no pension below vesting_years
  account pension A = (annuity the whole balance buys + the guarantee's top-up) / retirees
  the cohort chooses the old law when L > A and it was of working age in the reform year
      (R - (award year - reform year) >= first working age)
  the state's cash flow (``legacy_option_cost``), from the award: (L x retirees - the top-ups it
      no longer pays - the annuity the RCV balance it receives buys, balance / ((1 + loading) a_R),
      the account's own annuity at the insurers' price) x survival along the cohort's diagonal
      x indexation (the DB's indexation_prices weight), paid as the DC kernel pays its annuities
      (on 1 January, less half the year's deaths); positive whenever the cohort chooses the old
      law (L > A)
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from actuarial.arrays import scenario_years, with_scenario
from actuarial.projection.labour import reference_scale, wage_levels


def option_variables(pension, labour_assumptions, demography: xr.Dataset, labour: xr.Dataset,
                     economy: xr.Dataset, new: xr.Dataset, tr) -> dict:
    """The option's variables for the DC node ``new`` (module docstring)."""
    years = demography["year"].values
    T = years.size
    n = new.sizes["scenario"]
    x_lo = labour_assumptions.first_age
    R = new["pensionable_age"].transpose("year", "sex").values.astype(int)
    scale = np.array(labour_assumptions.salary_scale, dtype=float)
    C = int(R.max()) - x_lo + 1
    ref_scale = reference_scale(scale, C, pension.reference_earnings, pension.final_years)
    level = wage_levels(labour_assumptions, economy["average_wage"], labour["employed"])
    aw = scenario_years(economy["average_wage"], n)
    ceil = pension.ceiling.at(years)[None] * aw if pension.ceiling is not None else aw * np.inf
    q = with_scenario(demography["death_probability"], ("year", "sex", "age"))
    infl = scenario_years(economy["inflation"], n)
    wage_g = scenario_years(economy["nominal_wage_growth"], n)
    idx = pension.indexation_prices * infl + (1 - pension.indexation_prices) * wage_g
    retiring = new["new_pensioners"].sel(benefit_type="old_age").transpose("scenario", "year", "sex").values
    full = new["annuitised_replacement_rate"].transpose("scenario", "year", "sex").values
    aiw = new["average_insurable_wage"].transpose("scenario", "year").values
    aiw_next = np.concatenate([aiw[:, 1:], aiw[:, -1:]], axis=1)
    topup = new["new_state_top_up"].transpose("scenario", "year", "sex").values
    balance = new["retiring_balance"].transpose("scenario", "year", "sex").values
    dc = pension.defined_contribution
    price = (1 + dc.annuity.loading) * new["annuity_factor"].transpose("year", "sex").values
    cost = np.zeros((n, T))
    chosen = np.zeros((n, T, 2))
    old_law = np.zeros((n, T, 2))
    for t in range(T - 1):
        t1 = t + 1  # awards on 1 January of the next year (pension_dc)
        for g in range(2):
            r = int(R[t1, g])
            if r - (years[t1] - tr.year) < x_lo:  # not of working age at the reform: not of the generation
                continue
            c = min(int(round(pension.initial_credit_share * (r - x_lo))), C - 1)
            if c < pension.vesting_years:
                continue
            ref = np.minimum(level[:, min(t1, level.shape[1] - 1), g] * ref_scale[r, c], ceil[:, t1])
            cap = np.inf if pension.maximum_pension is None else pension.maximum_pension * ref
            L = np.maximum(np.minimum(pension.accrual_rate * c * ref, cap), pension.minimum_pension * aw[:, t1])
            m = retiring[:, t, g]
            with np.errstate(divide="ignore", invalid="ignore"):
                account = np.where(m > 0, full[:, t, g] * aiw_next[:, t] + topup[:, t, g] / m, 0.0)
            take = (L > account) & (m > 0)
            old_law[:, t, g] = L
            chosen[:, t, g] = np.where(take, m, 0.0)
            # yearly from 1 January t1: the old-law pensions less the top-ups no longer paid and less the
            # annuity the balance the state receives buys at the insurers' price (the account's own annuity)
            amount = np.where(take, L * m - topup[:, t, g] - balance[:, t, g] / price[t1, g], 0.0)
            alive = np.ones(n)
            for s in range(t1, T):
                a = min(r + s - t1, q.shape[3] - 1)
                qa = q[:, min(s, q.shape[1] - 1), g, a] if q.shape[0] > 1 else np.full(n, q[0, s, g, a])
                cost[:, s] += amount * alive * (1.0 - 0.5 * qa)
                alive = alive * (1.0 - qa) * (1.0 + idx[:, s])
    gdp = scenario_years(economy["gdp"], n)
    label = (f"insured before {tr.year} choosing the old law's pension at retirement (the state pays it and "
             "receives the account's balance; net of the guarantee's top-ups it no longer pays)")
    return {
        "legacy_option_cost": xr.DataArray(cost, dims=("scenario", "year"), attrs={
            "units": "currency/year", "long_name": f"the state's net cost of the transition generation's option: "
                                                   f"{label}"}),
        "legacy_option_cost_gdp": xr.DataArray(cost / gdp, dims=("scenario", "year"), attrs={
            "units": "1", "long_name": "the state's net cost of the transition generation's option / GDP"}),
        "legacy_option_retirees": xr.DataArray(chosen, dims=("scenario", "year", "sex"), attrs={
            "units": "persons/year", "long_name": f"retirees on 1 January of the next year choosing the old "
                                                  f"law: {label}"}),
        "legacy_option_pension": xr.DataArray(old_law, dims=("scenario", "year", "sex"), attrs={
            "units": "currency/year", "long_name": "old-law pension of the transition generation retiring on "
                                                   "1 January of the next year (per person; 0: not of it)"}),
    }
