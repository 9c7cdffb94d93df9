"""Employment-injury scheme (ILO C121): claims, benefits, financing methods, risk-class rates.

Insured workers I(t, g, x) are the pension stage's covered employees
(``/labour`` contributors) times a coverage factor, split into sectors k by
shares; sector wages are the insurable wage w(t, g, x) times the sector's
wage relativity, normalised so that the share-weighted relativity is 1.
Claims of type c (temporary, permanent partial, permanent total, fatal):
  I_k(t, g, x) x rate_kc x trend_k(t) x rel(g, x)
    + latent occupational disease: I_k(t - L, g, x - L) x disease_k x outcome_c
      (before the base year, the base year's insured stand for those exposed),
with the age-sex relativity rel normalised to a mean of 1 over the base
year's insured. Benefits per claim (reference earnings w_k at the injury):
  temporary       paid days x replacement x w / days a year, paid days
                  E[max(days lost - waiting days, 0)];
  permanent       total: replacement x w a year for life; partial: degree x
                  that, as a pension at degrees >= a threshold, otherwise a
                  lump sum of ``lump_sum_years`` x the pension;
  fatal           funeral grant; spouse's pension (spouse_rate x w, for
                  life; husbands older by the spouse age difference, ages
                  kept within 0..100) with the probability of being married; orphans'
                  pensions (orphan_rate x w each, to the age limit; orphans
                  uniform over ages below it and over sexes); the survivors'
                  total capped at maximum_rate x w (on the expected family);
  medical care    a cost per claim by type, share of the average wage.
Pensions in payment are indexed (prices and wages by weight) and their
holders die at the population's rates times a loading; the timing, the
capitalised values V (at the reserve's interest rate, along the projected
mortality, interest and indexation, i.e. generation tables) and the
formulas are in ``_injury_kernels``. Past age 100 the pensioners' mortality
is the life tables' extension (``extended_mortality``: each year's q_x
continued by ``lifetable.extend_qx``, a Gompertz law fitted to ages 80-99,
to age 130, q_130 beyond; the loading applied after the extension, as the
pension stage's accrued liability does): pensioners are followed by single
age to 130, so that their survival, the pensions paid and the capitalised
values use the same table. Initial beneficiaries given at the open age 100
(100+) are spread over ages 100..130 as the stationary population of that
table (``spread_open_group``).

Financing methods, each a cost rate on insurable payroll IE (ILO,
Actuarial mathematics of social security pensions, ch. 12; Thullen 1973):
  payg                     E_t / IE_t, E = benefits paid + administration;
  constituent_capitals     (E_t - pensions paid_t + capitalised value of the
                           year's new pension awards_t) / IE_t;
  gap                      (sum_{t<h} m_t E_t - F_0) / sum_{t<h} m_t IE_t
                           (general average premium over h years,
                           discount factors m_t at mid-year).
The reserve follows the chosen method's contributions with the pension
stage's reserve equation. Under constituent capitals, a reserve that
starts at the capitalised value of pensions in payment stays equal to it.
Risk-class (sector) rates are the same ratios on each sector's own flows;
for the GAP the initial reserve is shared in proportion to the sectors'
present value of expenditure, so the payroll-weighted sector rates give
the uniform rate.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from actuarial.arrays import coordinates, dataset, scenario_years, with_scenario
from actuarial.assumptions.economy import Labour
from actuarial.assumptions.injury import C121_MINIMUM, CLAIM_TYPES, PENSION_TYPES, Injury
from actuarial.assumptions.pension import by_sex_array
from actuarial.demography.lifetable import OPEN_GROUP_LABELS, extend_qx
from actuarial.projection import _injury_kernels as kern
from actuarial.projection import _liability_kernels as liability_kernels
from actuarial.projection.labour import insurable_wage_values
from actuarial.projection.pension_metrics import discount_factors, reserve_path

SEXES = ["female", "male"]
BENEFITS = ("temporary", "lump_sum", *PENSION_TYPES, "funeral", "medical_care", "administration")
METHODS = ("payg", "constituent_capitals", "gap")
C121_C102_CHECKS = ("temporary", "permanent_total", "survivors_widow_two_children")
MORTALITY_LABEL = f"pensioners' mortality by generation; {OPEN_GROUP_LABELS['gompertz']}"


def mortality_factors(injury: Injury) -> np.ndarray:
    return np.array([injury.partial_mortality, injury.total_mortality,
                     injury.survivor_mortality, injury.survivor_mortality])


def extended_mortality(q: np.ndarray) -> np.ndarray:
    """q (..., 101) by age 0..100 -> (..., 131) by age 0..130: ``lifetable.extend_qx``
    (Gompertz law fitted to ages 80-99 of each table, the default rule)."""
    return extend_qx(q)


def terminal_values(q_last: np.ndarray, i_last: np.ndarray, j_last: np.ndarray, factors: np.ndarray,
                    orphan_limit: int) -> np.ndarray:
    """V beyond the horizon (scenario, type, sex, age): the last year's rates held constant.

    ``q_last`` (scenario, sex, A) the last year's probabilities of dying by
    age 0..A-1 (``extended_mortality``). The kernel's recursion with
    constant rates, q = min(factor x q_last, 1), v' = (1 + j)/(1 + i):
      V(x) = (1 - q_x/2)(1 + i)^-1/2 + (1 - q_x) v' V(x + 1),
    stopping at the orphans' age limit; lifelong pensions start at the last
    age from its stationary value V(A-1) = (1 - q/2)(1 + i)^-1/2 / (1 - (1 - q) v')
    (q_{A-1} beyond). This is (1+i)^-1/2 (a_x + p_x a_{x+1}) / 2 with a_x the
    whole-life annuity-due at the net rate (1+i)/(1+j) - 1 (payments
    (1 - q/2) at mid-year: the average of the start- and end-of-year survivors)."""
    n, X = q_last.shape[0], q_last.shape[-1]
    out = np.zeros((n, kern.N_TYPES, 2, X))
    i = np.broadcast_to(np.asarray(i_last, float), n)
    j = np.broadcast_to(np.asarray(j_last, float), n)
    vv = (1 + j) / (1 + i)
    half = 1 / np.sqrt(1 + i)
    qq = np.stack([np.minimum(factors[p] * q_last, 1.0) for p in range(kern.N_TYPES)], axis=1)
    lifelong = np.array([p != kern.ORPHAN for p in range(kern.N_TYPES)])
    top = np.array([min(orphan_limit, X) if p == kern.ORPHAN else X for p in range(kern.N_TYPES)], dtype=np.int64)
    liability_kernels.terminal_values_into(qq, half, vv, lifelong, top, out)  # the recursion, numba
    return out


def spread_open_group(values: np.ndarray, q0: np.ndarray) -> np.ndarray:
    """(2, X) by age 0..X-1 (X-1: the open group) -> (2, A) by age 0..A-1, the
    open group's persons (or amounts) spread over ages X-1..A-1 in proportion
    to the stationary population of the table q0 (2, A): l_{X-1} = 1,
    l_{x+1} = l_x (1 - q_x), weight l_x to age A-2 and l_{A-1} / q_{A-1} at the
    last age (which keeps its survivors). All at X-1 when that weight is not finite."""
    X, A = values.shape[-1], q0.shape[-1]
    out = np.zeros((2, A))
    out[:, :X - 1] = values[:, :X - 1]
    l = np.concatenate([np.ones((2, 1)), np.cumprod(1 - q0[:, X - 1:A - 1], axis=1)], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        l[:, -1] = l[:, -1] / q0[:, -1]
        w = l / l.sum(1, keepdims=True)
    bad = ~np.all(np.isfinite(w), axis=1)
    w[bad] = 0.0
    w[bad, 0] = 1.0
    out[:, X - 1:] = values[:, X - 1:X] * w
    return out


def _sector_weights(injury: Injury, incidence0: np.ndarray) -> np.ndarray:
    """(type, sector) shares for allocating the beneficiaries at the valuation date:
    in proportion to each sector's expected awards of the type (share x rate)."""
    shares = np.array([s.share for s in injury.sectors])
    by_claim = {0: 1, 1: 2, 2: 3, 3: 3}  # pension type -> claim type that leads to it
    out = np.empty((kern.N_TYPES, len(shares)))
    for p, c in by_claim.items():
        w = shares * incidence0[:, c]
        out[p] = w / w.sum() if w.sum() > 0 else shares
    return out


def _parameters(injury: Injury) -> np.ndarray:
    par = np.zeros(kern.N_PAR)
    par[kern.TEMP_RATE] = injury.temporary_rate
    par[kern.PAID_DAYS] = injury.days_lost.mean(lambda d: max(d - injury.waiting_days, 0.0))
    par[kern.DAYS_PER_YEAR] = injury.days_per_year
    par[kern.PERM_RATE] = injury.permanent_rate
    above = lambda d: d >= injury.lump_sum_below  # noqa: E731
    par[kern.PARTIAL_N] = injury.degree.mean(lambda d: float(above(d)))
    par[kern.PARTIAL_DEGREE] = injury.degree.mean(lambda d: d * above(d))
    par[kern.PARTIAL_LUMP] = injury.degree.mean(lambda d: d * (not above(d))) * injury.lump_sum_years
    par[kern.SPOUSE_RATE] = injury.spouse_rate
    par[kern.ORPHAN_RATE] = injury.orphan_rate
    par[kern.ORPHANS] = injury.orphans_per_death
    par[kern.ORPHAN_LIMIT] = injury.orphan_age_limit
    par[kern.SPOUSE_DIFF] = injury.spouse_age_difference
    par[kern.SURV_MAX] = injury.survivors_maximum
    par[kern.FUNERAL] = injury.funeral_grant
    par[kern.COVERAGE] = injury.coverage
    par[kern.LATENCY] = injury.disease_latency
    return par


def project_injury(injury: Injury, labour_assumptions: Labour, demography: xr.Dataset, labour: xr.Dataset,
                   economy: xr.Dataset, detail: bool = False, by_sector: bool = True) -> xr.Dataset:
    """The employment-injury Dataset (module docstring); ``detail`` adds new
    pension amounts by age. ``by_sector=False`` pools the pensioners of all
    sectors and sums the sectors' rates before the claims' ages
    (``_injury_kernels._pooled_claims``; a tenth of the work with ten sectors):
    the totals are the same to rounding, the risk-class rates are left out
    (stochastic summaries need totals only)."""
    years = demography["year"].values
    T, X = years.size, demography.sizes["age"]
    K = len(injury.sectors)
    insured = with_scenario(labour.variables["contributors"], ("year", "sex", "age"))
    aw = economy["average_wage"]
    wage = insurable_wage_values(labour_assumptions, aw, labour["employed"])
    q = extended_mortality(with_scenario(demography.variables["death_probability"], ("year", "sex", "age")))
    A = q.shape[-1]  # pensioners' ages 0..130
    w_p = injury.indexation_prices
    idx = with_scenario(w_p * economy["inflation"] + (1 - w_p) * economy["nominal_wage_growth"], ("year",))
    interest = with_scenario(economy.variables["interest_rate"], ("year",))
    shares = np.array([s.share for s in injury.sectors])
    rel = np.array([s.wage_relativity for s in injury.sectors])
    relw = rel / (shares * rel).sum()
    # (year, sector, ...): each sector's trend evaluated at every year in one call
    incidence = np.stack([np.multiply.outer(s.trend.at(years), np.asarray(s.incidence, float))
                          for s in injury.sectors], axis=1)
    age_rel = by_sex_array(injury.age_sex_relativity)
    base = insured[0, 0]
    if base.sum() > 0 and (base * age_rel).sum() > 0:
        age_rel = age_rel * base.sum() / (base * age_rel).sum()
    factors = mortality_factors(injury)
    n_s = max(a.shape[0] for a in (insured, wage, q, idx, interest))
    terminal = terminal_values(q[:, -1], interest[:, -1], idx[:, -1], factors, injury.orphan_age_limit)
    N0 = np.zeros((K, kern.N_TYPES, 2, A))
    B0 = np.zeros_like(N0)
    weights = _sector_weights(injury, incidence[0])
    for p, name in enumerate(PENSION_TYPES):
        if name in injury.initial_beneficiaries:
            b = injury.initial_beneficiaries[name]
            counts = by_sex_array(b.counts)
            q0 = np.minimum(factors[p] * q[0, 0], 1.0)  # the base year's table (first scenario)
            N0[:, p] = weights[p][:, None, None] * spread_open_group(counts, q0)
            B0[:, p] = weights[p][:, None, None] * spread_open_group(counts * by_sex_array(b.average_pension), q0)
    z = lambda *shape: np.zeros((n_s, *shape))  # noqa: E731
    Kp = K if by_sector else 1
    out = dict(payroll=z(T, K), insured=z(T, K), claims=z(T, K, 4), disease=z(T, K), temporary=z(T, K),
               lumps=z(T, K), funeral=z(T, K), medical=z(T, K), paid=z(T, Kp, kern.N_TYPES),
               capitalised=z(T, Kp), liability=z(T + 1, Kp), awards_n=z(T, kern.N_TYPES, 2),
               awards_b=z(T, kern.N_TYPES, 2), benef_n=z(T, kern.N_TYPES, 2), benef_b=z(T, kern.N_TYPES, 2),
               deaths=z(T, kern.N_TYPES), leavers=z(T, kern.N_TYPES),
               detail=z(T if detail else 0, 2, kern.N_TYPES, 2, X))
    kern.run_injury(
        insured, wage, q, with_scenario(aw, ("year",)), interest, idx, shares, relw,
        np.ascontiguousarray(incidence), np.ascontiguousarray(age_rel),
        np.array([s.disease for s in injury.sectors]), np.array(injury.disease_outcome),
        by_sex_array(injury.married), np.array(injury.medical_care), factors, _parameters(injury),
        terminal, N0, B0, *out.values())
    by_sex = (("scenario", "year", "sex"), np.broadcast_to(insured.sum(-1) * injury.coverage, (n_s, T, 2)),
              {"units": "persons", "long_name": "insured workers by sex"})
    return _dataset(injury, out, years, economy, detail, by_sex)


def _dataset(injury: Injury, out: dict, years, economy: xr.Dataset, detail: bool, by_sex: tuple) -> xr.Dataset:
    """The node, built once (``arrays.dataset``); ``by_sex``: ``insured_by_sex``, last."""
    n = out["payroll"].shape[0]
    admin_share = injury.administrative_cost
    paid = out["paid"]
    short = out["temporary"] + out["lumps"] + out["funeral"] + out["medical"]  # (n, T, K)
    IE_k = out["payroll"]
    by_sector = paid.shape[2] == short.shape[2]
    if not by_sector:  # pensioners pooled: flows on one "sector" holding them all
        short, IE_k = short.sum(-1, keepdims=True), IE_k.sum(-1, keepdims=True)
    benefits = short + paid.sum(-1)
    E_k = benefits * (1 + admin_share)
    acc_k = E_k - paid.sum(-1) + out["capitalised"]
    interest = scenario_years(economy.variables["interest_rate"], n)
    _, m = discount_factors(scenario_years(economy.variables["discount_rate"], n))
    h = injury.gap_horizon
    pv_E = np.einsum("nt,ntk->nk", m[:, :h], E_k[:, :h])
    pv_IE = np.einsum("nt,ntk->nk", m[:, :h], IE_k[:, :h])
    F0 = out["liability"][:, 0].sum(-1) if injury.initial_reserve is None else np.full(n, injury.initial_reserve)
    with np.errstate(divide="ignore", invalid="ignore"):
        F0_k = F0[:, None] * pv_E / pv_E.sum(-1, keepdims=True)
        gap_k = (pv_E - F0_k) / pv_IE
        gap = (pv_E.sum(-1) - F0) / pv_IE.sum(-1)
        E, IE, acc = E_k.sum(-1), IE_k.sum(-1), acc_k.sum(-1)
        rates = np.stack([E / IE, acc / IE, np.broadcast_to(gap[:, None], E.shape)], -1)
        sector_rates = {"payg": E_k / IE_k, "constituent_capitals": acc_k / IE_k,
                        "gap": np.broadcast_to(gap_k[:, None], E_k.shape)}[injury.financing_method]
    method = METHODS.index(injury.financing_method)
    contributions = rates[..., method] * IE
    reserve, invest = reserve_path(F0, contributions, E, interest)
    liability_end = out["liability"][:, 1:].sum(-1)
    funded = np.divide(reserve[:, 1:], liability_end, out=np.full(E.shape, np.nan), where=liability_end > 0)
    expenditure = np.concatenate([out[k].sum(-1)[..., None] for k in ("temporary", "lumps")]
                                 + [paid.sum(2)]
                                 + [out[k].sum(-1)[..., None] for k in ("funeral", "medical")]
                                 + [(admin_share * benefits.sum(-1))[..., None]], axis=-1)
    sy, syk = ("scenario", "year"), ("scenario", "year", "sector")
    a = lambda units, long_name: {"units": units, "long_name": long_name}  # noqa: E731
    cur = "currency/year"
    v = {
        "insured": (syk, out["insured"], a("persons", "insured workers at 1 January")),
        "insurable_payroll": (syk, out["payroll"], a(cur, "insurable payroll")),
        "insurable_earnings": (sy, IE, a(cur, "insurable payroll, all sectors")),
        "claims": ((*syk, "claim_type"), out["claims"], a("claims/year", "compensated injuries by outcome")),
        "occupational_disease_claims": (syk, out["disease"], a("claims/year",
                                                                "occupational disease claims (in claims)")),
        "beneficiaries": (("scenario", "year", "benefit_type", "sex"), out["benef_n"],
                          a("persons", "pensioners at 1 January")),
        "pension_amounts": (("scenario", "year", "benefit_type", "sex"), out["benef_b"],
                            a(cur, "annual pensions in payment at 1 January")),
        "new_beneficiaries": (("scenario", "year", "benefit_type", "sex"), out["awards_n"],
                              a("persons/year", "pensions awarded during the year")),
        "new_pension_amounts": (("scenario", "year", "benefit_type", "sex"), out["awards_b"],
                                a(cur, "annual amount of the pensions awarded during the year")),
        "deaths_beneficiaries": (("scenario", "year", "benefit_type"), out["deaths"],
                                 a("persons/year", "deaths of pensioners and of the year's awardees")),
        "leavers": (("scenario", "year", "benefit_type"), out["leavers"],
                    a("persons/year", "orphans reaching the age limit (alive on 1 January next)")),
        "expenditure": (("scenario", "year", "benefit"), expenditure, a(cur, "expenditure by benefit")),
        "total_expenditure": (sy, E, a(cur, "total expenditure: benefits and administration")),
        "capitalised_awards": (sy, out["capitalised"].sum(-1), a(
            cur, f"capitalised value of the pensions awarded during the year (at award; {MORTALITY_LABEL})")),
        "liability": (sy, out["liability"][:, :-1].sum(-1), a(
            "currency", f"capitalised value of pensions in payment at 1 January ({MORTALITY_LABEL})")),
        "liability_end": (sy, out["liability"][:, 1:].sum(-1), a(
            "currency", f"capitalised value of pensions in payment at 31 December ({MORTALITY_LABEL})")),
        "cost_rate": ((*sy, "financing_method"), rates, a("1", "cost rate: share of insurable payroll")),
        "contribution_rate": (sy, rates[..., method], a("1", f"contribution rate ({injury.financing_method})")),
        "contribution_income": (sy, contributions, a(cur, "contribution income")),
        "investment_income": (sy, invest, a(cur, "investment income on the reserve")),
        "reserve": (sy, reserve[:, :-1], a("currency", f"reserve at 1 January ({injury.financing_method})")),
        "reserve_end": (sy, reserve[:, 1:], a("currency", "reserve at 31 December")),
        "funded_ratio": (sy, funded, a(
            "1", f"reserve / capitalised value of pensions in payment, at 31 December ({MORTALITY_LABEL})")),
        "expenditure_gdp": (sy, E / scenario_years(economy.variables["gdp"], n), a("1", "expenditure / GDP")),
        "standard_replacement_rate": ("check", _standard_rates(injury), a(
            "1", "benefit of the C121 standard beneficiary / reference earnings")),
        "standard_minimum": ("check", [C121_MINIMUM, C121_MINIMUM, 0.5], a("1", "C121 Schedule II minimum")),
    }
    if by_sector:
        v["sector_rate"] = (syk, sector_rates, a("1", f"contribution rate by risk class ({injury.financing_method})"))
    if detail:
        by_age = ("scenario", "year", "benefit_type", "sex", "age")
        v["new_beneficiaries_by_age"] = (by_age, out["detail"][:, :, 0], a(
            "persons/year", "pensions awarded during the year, by age at award"))
        v["new_pension_amounts_by_age"] = (by_age, out["detail"][:, :, 1], a(
            cur, "annual amount of pensions awarded, by age at award"))
    coords = {"scenario": np.arange(n), "year": years, "sector": list(injury.sector_names),
              "claim_type": list(CLAIM_TYPES), "benefit_type": list(PENSION_TYPES), "sex": SEXES,
              "benefit": list(BENEFITS), "financing_method": list(METHODS), "check": list(C121_C102_CHECKS)}
    if detail:
        coords["age"] = np.arange(out["detail"].shape[-1])
    v["insured_by_sex"] = by_sex
    ds = dataset(v, coordinates({k: (k, c) for k, c in coords.items()}))
    ds.attrs["financing_method"] = injury.financing_method
    ds.attrs["gap_horizon"] = h
    return ds


def _standard_rates(injury: Injury) -> np.ndarray:
    """C121 Schedule II standard beneficiaries: a man with wife and two children
    (incapacity), a widow with two children (survivors)."""
    family = injury.spouse_rate + 2 * injury.orphan_rate
    return np.array([injury.temporary_rate, injury.permanent_rate, min(family, injury.survivors_maximum)])
