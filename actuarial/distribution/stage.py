"""The ``/distribution`` node: poverty and inequality before and after the
``spf`` benefits, on household survey data (a static microsimulation).

For each result year t (the survey year s and ``distribution.years``):
  weights   w_h(s): the survey's; w_h(t), t > s: raked to the projected
            population of t by sex and age group (``calibration``; the
            demography node, scenario 0)
  welfare   y_h(t) = welfare_h / e_h x G(t), at the survey year's prices,
            G(t) = prod (1 + real_growth) from s to t, or by default real GDP
            per head of t / that of s (economy and demography nodes)
  benefits  B_hb(t) = sum over the household's members of the units received
            (``benefits``) x the costing's monthly level of t (``/spf``
            monthly_level) / CPI_t x CPI_s x months paid (a year)
  with      y_h(t) + sum_b B_hb(t) / 12 / e_h (each benefit added in full to
            household welfare; public-works wages too)
Indices: ``poverty``; deciles: national deciles of persons by welfare per
person without the benefits (the ranking of benefit incidence analysis).
Survey cost beside the costing: sum_h w_h B_hb(t) x CPI_t / CPI_s x (1 +
administrative cost), against the ``/spf`` cost of the same year (scenario 0).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from actuarial.distribution import benefits as rules_of
from actuarial.distribution.calibration import cell_counts, margin_cells, rake
from actuarial.distribution.poverty import LORENZ_POINTS, deciles, fgt, inequality
from actuarial.distribution.welfare import equivalence_scale, group_counts

STATES = ["without", "with"]


def impacts(y: np.ndarray, scale: np.ndarray, weight: np.ndarray, counts: np.ndarray, receipts: np.ndarray,
            covered: np.ndarray, lines: np.ndarray) -> dict:
    """One year's results from household arrays: welfare per person without
    benefits ``y`` (H,), equivalence scale (H,), weights (H,), group counts
    (G, H), benefits received a year ``receipts`` (B, H), the probability
    that the household receives at least one ``covered`` (H,) and the poverty
    ``lines`` (L,). Returns arrays by state (without, with)."""
    W = counts * weight[None, :]  # persons each household stands for, by group
    total = receipts.sum(0)
    states = [y, y + total / 12.0 / scale]
    out = {"fgt": [], "gini": [], "theil": [], "palma": [], "lorenz": [], "mean": [], "decile_mean": []}
    dec = deciles(y, W[0])
    onehot = np.zeros((y.size, 10))
    onehot[np.arange(y.size), dec] = 1.0
    persons = W @ onehot  # (G, 10)
    with np.errstate(divide="ignore", invalid="ignore"):
        for ys in states:
            out["fgt"].append(fgt(ys, W, lines))
            ineq = inequality(ys, W)
            for k in ("gini", "theil", "palma", "lorenz", "mean"):
                out[k].append(ineq[k])
            out["decile_mean"].append((W * ys) @ onehot / persons)
        per_person = total / counts[0]  # a year, each member's equal share of the household's benefits
        spent = (W * per_person) @ onehot
        out["receipt"] = spent / persons
        out["coverage"] = (W * covered) @ onehot / persons
        out["coverage_total"] = (W * covered).sum(1) / W.sum(1)
        out["incidence"] = spent / spent.sum(1, keepdims=True)
    out["paid"] = receipts @ weight  # (B,)
    out["population"] = W[0].sum()
    return {k: np.stack(v) if isinstance(v, list) else v for k, v in out.items()}


def run_distribution(dist, spf, demography: xr.Dataset, economy: xr.Dataset, costing: xr.Dataset) -> xr.Dataset:
    """The ``/distribution`` node (module docstring) from the distribution
    and spf assumptions and the demography, economy and spf nodes."""
    survey = dist.survey
    s = survey.year
    scale = equivalence_scale(survey, dist.scale)
    y0 = survey.welfare / scale
    groups, counts = group_counts(survey, dist.child_age, dist.older_age)
    weight_p = survey.weight[survey.household]
    rules = rules_of.survey_rules(survey, spf.benefits, weight_p, y0[survey.household], dist.inclusion_error,
                                  dist.exclusion_error, dist.take_up, dist.seed)
    cells, cell_of = margin_cells(survey)
    x = cell_counts(survey, cell_of, len(cells))
    lines = np.array(list(dist.lines.values()))
    cpi = economy["price_index"].isel(scenario=0, missing_dims="ignore").sel(year=list(dist.years)).values
    cpi_s = float(economy["price_index"].isel(scenario=0, missing_dims="ignore").sel(year=s))
    growth = _growth(dist, demography, economy, s)
    level = costing["monthly_level"].isel(scenario=0).sel(year=list(dist.years)).transpose("year", "benefit").values
    months = np.array([b.months for b in spf.benefits])
    admin = np.array([b.administrative_cost for b in spf.benefits])
    years = list(dist.years)
    results, weights = [], []
    for t, year in enumerate(years):
        w = survey.weight if year == s else rake(survey.weight, x, _margins(demography, year, cells))
        annual = level[t] / cpi[t] * cpi_s * months  # survey-year prices
        units = np.stack([r.units(float(b.take_up.at(np.array([year]))[0])) for r, b in zip(rules, spf.benefits)])
        receipts = np.stack([np.bincount(survey.household, weights=u, minlength=scale.size) for u in units])
        receipts = receipts * annual[:, None]
        with np.errstate(divide="ignore"):
            miss = np.bincount(survey.household, weights=np.log1p(-np.minimum(units, 1.0)).sum(0),
                               minlength=scale.size)
        results.append(impacts(y0 * growth[t], scale, w, counts, receipts, 1.0 - np.exp(miss), lines))
        weights.append(w)
    return _dataset(dist, spf, survey, results, groups, cells, years, cpi / cpi_s, admin, growth, costing)


def _growth(dist, demography, economy, s) -> np.ndarray:
    """G(t) of each result year (module docstring)."""
    years = np.array(dist.years)
    if dist.real_growth is not None:
        span = np.arange(s + 1, years.max() + 1)
        factors = np.cumprod(np.r_[1.0, 1.0 + dist.real_growth.at(span)]) if span.size else np.ones(1)
        return factors[years - s]
    pop = demography["population"].isel(scenario=0).sum(("sex", "age"))
    e = economy.isel(scenario=0, missing_dims="ignore")
    real = (e["gdp"] / e["price_index"] / pop)
    return (real.sel(year=years) / real.sel(year=s)).values


def _margins(demography, year, cells) -> np.ndarray:
    """Projected population at 1 January of ``year`` in each cell (sex, first age, last age)."""
    pop = demography["population"].isel(scenario=0).sel(year=year).transpose("sex", "age")
    sexes = [str(v) for v in pop["sex"].values]
    ages = pop["age"].values
    cum = np.concatenate([np.zeros((2, 1)), np.cumsum(pop.values, axis=1)], axis=1)
    lo = np.searchsorted(ages, [c[1] for c in cells])
    hi = np.searchsorted(ages, [c[2] for c in cells], side="right")
    rows = np.array([sexes.index(c[0]) for c in cells])
    return cum[rows, hi] - cum[rows, lo]


def _dataset(dist, spf, survey, results, groups, cells, years, price, admin, growth, costing) -> xr.Dataset:
    stack = lambda k: np.stack([r[k] for r in results])  # noqa: E731
    fgt_ = stack("fgt")  # (T, state, 3, G, L)
    names = [b.name for b in spf.benefits]
    a = lambda u, ln, **kw: {"units": u, "long_name": ln, **kw}  # noqa: E731
    paid = stack("paid") * price[:, None]  # nominal, a year
    cost = paid * (1.0 + admin)
    spf_cost = costing["cost"].isel(scenario=0).sum("sex").sel(year=years).transpose("year", "benefit").values
    line_d = ("year", "benefits", "line", "group")
    pp = f"welfare per person ({dist.scale.replace('_', ' ')} scale)"
    coords = {"year": years, "benefits": STATES, "line": list(dist.lines), "group": groups,
              "decile": np.arange(1, 11), "benefit": names, "population_share": LORENZ_POINTS}
    with np.errstate(divide="ignore", invalid="ignore"):
        data = {
            "poverty_headcount": (line_d, fgt_[:, :, 0].transpose(0, 1, 3, 2), a(
                "1", f"poverty headcount ratio FGT(0): share of persons with {pp} below the line")),
            "poverty_gap": (line_d, fgt_[:, :, 1].transpose(0, 1, 3, 2), a(
                "1", "poverty gap index FGT(1): mean shortfall from the line / the line (non-poor: 0)")),
            "poverty_severity": (line_d, fgt_[:, :, 2].transpose(0, 1, 3, 2), a(
                "1", "poverty severity FGT(2): mean squared shortfall / the line")),
            "poverty_line": ("line", np.array(list(dist.lines.values())), a(
                "currency/month", f"poverty line a person a month at {survey.year} prices")),
            "gini": (("year", "benefits", "group"), stack("gini"), a("1", f"Gini coefficient of {pp}")),
            "theil": (("year", "benefits", "group"), stack("theil"), a("1", f"Theil T index of {pp}")),
            "palma": (("year", "benefits", "group"), stack("palma"), a(
                "1", f"Palma ratio: {pp} share of the richest 10% / that of the poorest 40%")),
            "lorenz": (("year", "benefits", "group", "population_share"), stack("lorenz"), a(
                "1", "Lorenz curve: share of welfare of the poorest population_share")),
            "mean_welfare": (("year", "benefits", "group"), stack("mean"), a(
                "currency/month", f"mean {pp}, {survey.year} prices")),
            "decile_mean_welfare": (("year", "benefits", "group", "decile"), stack("decile_mean"), a(
                "currency/month", f"mean {pp} by national decile of welfare without benefits, "
                                  f"{survey.year} prices")),
            "benefit_receipt": (("year", "group", "decile"), stack("receipt"), a(
                "currency/year", f"mean benefits received a person a year (household's / members), "
                                 f"{survey.year} prices, by decile without benefits")),
            "coverage": (("year", "group", "decile"), stack("coverage"), a(
                "1", "share of persons living in a household that receives at least one benefit")),
            "coverage_total": (("year", "group"), stack("coverage_total"), a(
                "1", "share of persons living in a household that receives at least one benefit")),
            "incidence": (("year", "group", "decile"), stack("incidence"), a(
                "1", "benefit incidence: share of the benefits reaching the group that goes to each decile "
                     "(deciles of welfare without benefits)")),
            "survey_benefits": (("year", "benefit"), paid, a(
                "currency/year", "benefits paid on the survey: sum of weight x benefits of each household")),
            "survey_cost": (("year", "benefit"), cost, a(
                "currency/year", "cost on the survey including administration")),
            "costing_cost": (("year", "benefit"), spf_cost, a(
                "currency/year", "cost in the demographic costing (/spf cost, scenario 0)")),
            "cost_difference": (("year", "benefit"), cost - spf_cost, a(
                "currency/year", "survey cost - demographic costing")),
            "survey_population": ("year", stack("population"), a("persons", "persons the survey stands for")),
            "welfare_growth": ("year", np.asarray(growth, float), a(
                "1", "real welfare per head / that of the survey year" + (
                    " (distribution.real_growth)" if dist.real_growth is not None else " (real GDP per head)"))),
        }
    ds = xr.Dataset(data, coords=coords)
    ds["incidence_poorest_20"] = ds["incidence"].sel(decile=[1, 2]).sum("decile").assign_attrs(
        units="1", long_name="share of the benefits reaching the poorest 20% (deciles 1-2 without benefits)")
    ds.attrs.update({
        "equivalence_scale": dist.scale, "take_up": dist.take_up, "seed": dist.seed,
        "survey_year": survey.year, "survey_files": " ; ".join(survey.files),
        "households": int(survey.size.size), "persons": int(survey.age.size),
        "weights": f"survey weights in {survey.year}; later years raked to the projected population by "
                   f"sex and age group (Deville and Sarndal 1992): "
                   + ", ".join(f"{s} {lo}-{hi}" for s, lo, hi in cells),
        "inclusion_error": dist.inclusion_error, "exclusion_error": dist.exclusion_error,
        "prices": f"welfare, lines and benefits received at {survey.year} prices; survey costs in current "
                  f"currency units (x CPI)",
        "benefits_convention": "each benefit added in full to the household's welfare (public-works wages too)"})
    return ds
