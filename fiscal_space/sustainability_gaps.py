"""The European Commission's sustainability gaps S1 and S2, with the ageing
costs of this engine's own pension, employment-injury and SPF projections.

Sources: European Commission, *Debt Sustainability Monitor 2023* (European
Economy Institutional Paper 271, 2024), chapter 4 and its annex on the
fiscal sustainability gap indicators; *Fiscal Sustainability Report 2021*
(Institutional Paper 171, 2022), annex A3 (S1 and S2). S2 is "the permanent
change of the structural primary balance, from the year after the base year,
that satisfies the infinite-horizon intertemporal budget constraint,
including the financing of the projected change of age-related spending";
S1 is "the gradual adjustment of the structural primary balance, over five
years and then kept, that brings the debt ratio to 60% of GDP in fifteen
years (2038 from the base year 2023), including the ageing costs until then".

**Notation** (the engine's timing, :mod:`fiscal_space.debt`). Years of the
fiscal stage y_0 (the base year b) .. y_N; f(k) = (1 + r(k))(1 + alpha e(k))
/ (1 + n(k)) the debt factor of year y_k (interest-growth differential with
the foreign-currency revaluation); D = debt at the end of the base year /
GDP of the base year (the engine's ``debt_gdp`` of year b + 1 of that
reform); pb = the base year's primary balance / GDP (the no-policy-change
balance is held at it, as the Commission holds the structural primary
balance); A(k) = age-related spending / GDP in year y_k and
dA(k) = A(k) - A(0) its change from the base year. Stock-flow adjustments
after the base year are zero (the Commission's convention). Discount
factors delta(k) = prod_{j=1..k} 1 / f(j).

**S2** solves D = sum_{k>=1} delta(k) (pb + S2 - dA(k)):

    W = sum_{k=1}^{N} delta(k) + delta(N) / (f(N) - 1)
    S2 = IBP + CoA,  IBP = D / W - pb,
    CoA = [sum_{k=1}^{N} delta(k) dA(k) + delta(N) dA(N) / (f(N) - 1)] / W.

Beyond the projection (the Commission's long-term continuation: its
projections end in 2070, after which age-related spending and the
interest-growth differential stay at their last values) f(k) = f(N) and
dA(k) = dA(N), whence the tail sums delta(N) / (f(N) - 1). With r <= g in
the last year (f(N) <= 1) the infinite sum diverges and S2 is not defined
(NaN). With constant r and g and no ageing, W = (1 + g)/(r - g) and
S2 = (r - g)/(1 + g) D - pb.

**S1** brings the end-year debt of the target year y_K (K = years to the
target) to the target d* with the adjustment S1 w(k), w(k) = min(k / M, 1)
(M = 5 equal yearly steps from the year after the base year, then kept):

    d_K = D G(0) - sum_{k=1}^{K} (pb + S1 w(k) - dA(k)) G(k),  G(k) = prod_{k<j<=K} f(j),
    S1 = (d_K^0 - d* + sum_k dA(k) G(k)) / sum_k w(k) G(k),  d_K^0 = D G(0) - pb sum_k G(k),

split into the initial budgetary position IBP = (d_K^0 - D) / sum w G (the
adjustment that keeps debt at its base-year ratio), the debt requirement
DR = (D - d*) / sum w G and the cost of ageing CoA = sum dA G / sum w G;
S1 = IBP + DR + CoA exactly. A target year after the projection's last
year y_N takes the same long-term continuation as S2 (f(k) = f(N),
dA(k) = dA(N) for k > N), and says so in the labels. (The end-year debt of y_K is the engine's
``debt_gdp`` of year y_K + 1, a 1 January stock.)

**Ageing costs from the engine.** ``age_related_spending_gdp(year,
programme)`` is the spending / GDP of each social-protection programme the
engine projects (a valuation: the pension scheme's ``expenditure_gdp``, the
employment-injury scheme's ``expenditure_gdp``, the SPF package's
``package_cost_gdp``; a standalone fiscal file: the cost items). A
programme that is also an item of the reform package (the SPF) counts only
with the reform; without it, only the programmes in place either way. So
with and without the reform differ by their base-year primary balance (the
package's cost and financing in the base year) and by the package's own
cost change.
"""

from __future__ import annotations

import numpy as np

INDICATORS = ("S1", "S2")
COMPONENTS = ("initial_budgetary_position", "debt_requirement", "cost_of_ageing")
COMPONENT_LABELS = {"initial_budgetary_position": "initial budgetary position (IBP)",
                    "debt_requirement": "debt requirement (DR; S1 only)",
                    "cost_of_ageing": "cost of ageing (CoA: change of age-related spending from the base year)"}


def s2_gap(debt: float, pb: float, factor, ageing_change) -> np.ndarray:
    """(IBP, DR = 0, CoA) of S2; ``factor`` and ``ageing_change`` (..., N)
    for the years after the base year (k = 1..N), leading axes (programmes)
    of ``ageing_change`` give CoA by programme. Formula: module docstring."""
    f = np.asarray(factor, float)
    da = np.asarray(ageing_change, float)
    delta = np.cumprod(1.0 / f)
    if f[-1] <= 1.0:
        nan = np.full(da.shape[:-1], np.nan)
        return np.nan, 0.0, nan
    tail = delta[-1] / (f[-1] - 1.0)
    w = delta.sum() + tail
    return debt / w - pb, 0.0, ((da * delta).sum(-1) + da[..., -1] * tail) / w


def s1_gap(debt: float, pb: float, factor, ageing_change, target: float, adjustment_years: int) -> tuple:
    """(IBP, DR, CoA) of S1 over the years k = 1..K given (``factor``,
    ``ageing_change`` (..., K)); formula: module docstring."""
    f = np.asarray(factor, float)
    da = np.asarray(ageing_change, float)
    K = f.size
    growth = np.append(np.cumprod(f[::-1])[::-1][1:], 1.0)  # G(k) = prod_{k<j<=K} f(j), k = 1..K
    g0 = float(np.prod(f))
    w = np.minimum(np.arange(1, K + 1) / adjustment_years, 1.0)
    ww = (w * growth).sum()
    d_k0 = debt * g0 - pb * growth.sum()
    return (d_k0 - debt) / ww, (debt - target) / ww, (da * growth).sum(-1) / ww


def continued(x, years: int) -> np.ndarray:
    """``x`` (..., N) over ``years`` >= 1 values of its last axis: cut, or
    continued at its last value (the Commission's long-term continuation)."""
    x = np.asarray(x, float)
    if years <= x.shape[-1]:
        return x[..., :years]
    return np.concatenate([x, np.repeat(x[..., -1:], years - x.shape[-1], axis=-1)], axis=-1)


def programme_mask(programmes, items, reform: str) -> np.ndarray:
    """Mask of the programmes counted for ``reform``: all of them with the
    reform, only those that are not items of the package without it."""
    programmes = list(programmes)
    if reform == "without":
        return np.array([p not in items for p in programmes])
    return np.ones(len(programmes), bool)


def sustainability_gaps(debt_end_base, pb_base, factor, spending, programmes, items, reforms,
                        target: float, years_to_target: int, adjustment_years: int):
    """S1 and S2 by reform, with components and the cost of ageing by
    programme. ``factor`` (year,) or (reform, year) (a debt profile's
    effective rates differ by path) over the fiscal stage's years (year 0 the
    base year); ``spending`` (year, programme) age-related spending / GDP;
    ``debt_end_base``, ``pb_base`` (reform,). Returns (gap (indicator,
    reform), component (indicator, component, reform), ageing (indicator,
    programme, reform))."""
    spending = np.asarray(spending, float)
    f = np.broadcast_to(np.asarray(factor, float), (len(reforms), spending.shape[0]))[:, 1:]
    change = (spending[1:] - spending[0]).T  # (programme, N)
    P = len(programmes)
    comp = np.zeros((2, len(COMPONENTS), len(reforms)))
    by_programme = np.zeros((2, P, len(reforms)))
    for i, reform in enumerate(reforms):
        mask = programme_mask(programmes, items, reform)
        da = change * mask[:, None]
        ibp1, dr1, coa1 = s1_gap(debt_end_base[i], pb_base[i], continued(f[i], years_to_target),
                                 continued(da, years_to_target), target, adjustment_years)
        ibp2, dr2, coa2 = s2_gap(debt_end_base[i], pb_base[i], f[i], da)
        comp[0, :, i] = ibp1, dr1, coa1.sum()
        comp[1, :, i] = ibp2, dr2, np.sum(coa2)
        by_programme[0, :, i] = coa1
        by_programme[1, :, i] = coa2
    return comp.sum(axis=1), comp, by_programme


def age_related_spending(costs, cost_gdp, years) -> tuple[np.ndarray, list]:
    """Age-related spending / GDP (year, programme) and the programmes: the
    cost input's ``age_related_spending_gdp`` (a valuation's stages, see
    ``actuarial.stages.fiscal_costs``), else the package's cost items."""
    if "age_related_spending_gdp" in costs:
        da = costs["age_related_spending_gdp"]
        if "scenario" in da.dims:
            da = da.isel(scenario=0, drop=True)
        if not np.array_equal(da["year"].values, years):  # the case's years already: no label lookup
            da = da.sel(year=years)
        da = da.transpose("year", "programme")
        return da.values.astype(float), [str(p) for p in da["programme"].values]
    return cost_gdp.values.astype(float), [str(i) for i in cost_gdp["item"].values]


def sustainability_gap_part(years, rules, factor, debt, pb, costs, cost_gdp, reforms) -> tuple[dict, dict]:
    """The (coordinates, variables) as ``(dims, values, attrs)`` that the fiscal-space
    Dataset gets (``fiscal_space.run._dataset``, built once with the others):
    ``sustainability_gap`` (sustainability_indicator, reform),
    ``sustainability_gap_component`` (sustainability_indicator,
    sustainability_component, reform), ``sustainability_gap_ageing``
    (sustainability_indicator, programme, reform) and ``age_related_spending_gdp``
    (year, programme); ``debt`` and ``pb`` (reform, year) the engine's paths."""
    spending, programmes = age_related_spending(costs, cost_gdp, years)
    items = [str(i) for i in cost_gdp["item"].values]
    gap, comp, ageing = sustainability_gaps(debt[:, 1], pb[:, 0], factor, spending, programmes, items, reforms,
                                            rules.target_gdp, rules.years_to_target, rules.adjustment_years)
    b = int(years[0])
    conv = (f"European Commission S1/S2 (Debt Sustainability Monitor 2023): base year {b}, primary balance "
            f"held at {b}'s, adjustment from {b + 1}")
    s1 = (f"S1: {rules.adjustment_years} equal yearly steps, then kept, to debt {rules.target_gdp:.0%} of GDP "
          f"at the end of {b + rules.years_to_target}")
    last = int(years[-1])
    if b + rules.years_to_target > last:
        s1 += f" (after {last}: age-related spending and r - g at their {last} values)"
    s2 = (f"S2: infinite horizon, after {last} age-related spending and r - g at their {last} values; "
          f"not defined (NaN) if r <= g in {last}")
    attrs = dict(units="1", convention=conv, S1=s1, S2=s2, target_gdp=rules.target_gdp,
                 target_year=b + rules.years_to_target, adjustment_years=rules.adjustment_years,
                 beyond_horizon=rules.beyond_horizon, base_year=b)
    coords = {
        "sustainability_indicator": ("sustainability_indicator", np.array(INDICATORS, dtype=object),
                                     {"units": "1", "long_name": "sustainability gap indicator: " + s1 + "; " + s2}),
        "sustainability_component": ("sustainability_component", np.array(COMPONENTS, dtype=object),
                                     {"units": "1", "long_name": "; ".join(
                                         f"{k}: {v}" for k, v in COMPONENT_LABELS.items())}),
        "programme": ("programme", np.array(programmes, dtype=object), {
            "units": "1", "long_name": "age-related programme projected by the engine (without the reform: only "
                                       "those not in the package)"})}
    return coords, {
        "sustainability_gap": (("sustainability_indicator", "reform"), gap, dict(
            attrs, long_name="sustainability gap: permanent change of the primary balance / GDP needed "
                             "(> 0: consolidation), " + conv)),
        "sustainability_gap_component": (("sustainability_indicator", "sustainability_component", "reform"),
                                         comp, dict(attrs, long_name="component of the sustainability gap "
                                                                     "(they sum to the gap), " + conv)),
        "sustainability_gap_ageing": (("sustainability_indicator", "programme", "reform"), ageing, dict(
            attrs, long_name="cost of ageing of the sustainability gap by programme (change of its "
                             "spending / GDP from the base year), " + conv)),
        "age_related_spending_gdp": (("year", "programme"), spending, {
            "units": "1", "long_name": "age-related spending / GDP of the programme (engine's projection)"}),
    }
