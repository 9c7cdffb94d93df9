"""Social protection floor costing (ILO R202) and SDG 1.3.1-style coverage.

By scenario, year t, benefit b and sex s:
  eligible      E_bts = persons of the benefit's kind in its ages and sexes:
                children and older persons: population at 1 January;
                maternity: births of year t (mothers, women);
                disability: population x prevalence of severe disability;
                unemployment: population x participation - employed (needs /labour);
                old age, pension-tested: less contributory pensioners of those
                ages (needs /pension), never below 0
  beneficiaries N_bts = E_bts x targeting_b x take-up_b(t)
  monthly level L_bt  = amount x index(t) (prices: CPI, wages: AW_t / AW_0), or
                        share x poverty line x CPI(t), or share x GDP_t / P_t / 12,
                        or share x AW_t / 12 (a public works wage)
  months paid         months, or days of work / (260 / 12) for public works
  cost          C_bts = N_bts x L_bt x months_b x (1 + administrative cost_b)
Costs also in % of GDP and of general government expenditure; the package
is the sum over benefits.

Coverage indicators (by sex): beneficiaries / persons in the group, for the
groups that benefits of the package address (several benefits of a kind:
their beneficiaries over the union of their age bands); old age counts
contributory pensioners too (added to a pension-tested social pension, the
larger of the two otherwise); employment injury: insured / employed persons
when the employment-injury stage ran. Targets (baseline, interim and target years) give ``coverage_gap``.
"population_covered" is the sum of all beneficiaries and
contributory pensioners over the population, capped at 1: an upper bound
that assumes nobody receives two benefits.
"""

from __future__ import annotations

import functools

import numpy as np
import xarray as xr

from actuarial.arrays import scenario_years
from actuarial.assumptions.spf import INDICATOR_OF_KIND, SPF

SEXES = ["female", "male"]
INDICATORS = INDICATOR_OF_KIND


def project_spf(spf: SPF, demography: xr.Dataset, economy: xr.Dataset,
                labour: xr.Dataset | None = None, pension: xr.Dataset | None = None,
                injury: xr.Dataset | None = None) -> xr.Dataset:
    pop = demography["population"].transpose("scenario", "year", "sex", "age").values  # (n, T, 2, A)
    n, T = pop.shape[:2]
    ages = demography["age"].values
    births = demography["births"].transpose("scenario", "year", "sex").values.sum(-1)
    gdp = scenario_years(economy["gdp"], n)
    spend = scenario_years(economy["government_expenditure"], n)
    cpi = scenario_years(economy["price_index"], n)
    aw = scenario_years(economy["average_wage"], n)
    total_pop = pop.sum((2, 3))
    contributory = None
    if pension is not None:
        contributory = pension["pensioners"].transpose(
            "scenario", "year", "benefit_type", "sex", "age").values.sum(2)

    B = len(spf.benefits)
    eligible = np.zeros((n, T, B, 2))
    group = np.zeros((n, T, B, 2))  # the persons the coverage indicator refers to
    level = np.zeros((n, T, B))
    for b, ben in enumerate(spf.benefits):
        lo, hi = ben.ages
        band = (ages >= lo) & (ages <= hi)
        if ben.kind in ("child", "old_age"):
            people = pop[..., band].sum(-1)
            group[:, :, b] = people
            if ben.kind == "old_age" and ben.pension_tested:
                if contributory is None:
                    raise ValueError(f"spf benefit {ben.name!r} is pension-tested: the pension stage must run")
                people = np.maximum(people - contributory[..., band].sum(-1), 0.0)
        elif ben.kind == "maternity":
            people = np.zeros((n, T, 2))
            people[..., 0] = births
            group[:, :, b] = people
        elif ben.kind == "disability":
            prevalence = np.array(ben.prevalence)  # (sex, age)
            people = (pop * prevalence)[..., band].sum(-1)
            group[:, :, b] = people
        else:  # unemployment
            if labour is None:
                raise ValueError(f"spf benefit {ben.name!r} needs the labour stage (unemployed persons)")
            rate = labour["participation_rate"].transpose("year", "sex", "age").values
            employed = labour["employed"].transpose("scenario", "year", "sex", "age").values
            people = (pop * rate - employed)[..., band].sum(-1)
            group[:, :, b] = people
        mask = np.array([s in ben.sexes for s in SEXES], dtype=float)
        eligible[:, :, b] = people * mask
        group[:, :, b] *= mask
        take_up = ben.take_up.at(demography["year"].values)
        index = cpi if ben.indexation == "prices" else aw / aw[:, :1]
        if ben.level_unit == "amount":
            level[:, :, b] = ben.level * index
        elif ben.level_unit == "poverty_line_share":
            level[:, :, b] = ben.level * spf.poverty_line * cpi
        elif ben.level_unit == "average_wage_share":
            level[:, :, b] = ben.level * aw / 12.0
        else:
            level[:, :, b] = ben.level * gdp / total_pop / 12.0
        eligible[:, :, b] *= (ben.targeting * take_up)[None, :, None]
    beneficiaries = eligible
    months = np.array([ben.months for ben in spf.benefits])
    admin = np.array([ben.administrative_cost for ben in spf.benefits])
    cost = beneficiaries * (level * months * (1 + admin))[..., None]
    package = cost.sum((2, 3))

    names = [ben.name for ben in spf.benefits]
    kinds = [ben.kind for ben in spf.benefits]
    coverage, indicators = _coverage(kinds, beneficiaries, group, contributory, pop, ages, spf)
    if injury is not None and labour is not None:  # SDG 1.3.1: employed persons covered for employment injury
        employed = labour["employed"].transpose("scenario", "year", "sex", "age").values.sum(-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.minimum(injury["insured_by_sex"].transpose("scenario", "year", "sex").values / employed, 1.0)
        coverage = np.concatenate([coverage[:, :, :-1], share[:, :, None], coverage[:, :, -1:]], axis=2)
        indicators = [*indicators[:-1], "employment_injury", indicators[-1]]
    years = demography["year"].values
    target = np.full((T, len(indicators)), np.nan)
    for j, name in enumerate(indicators):
        if name in spf.targets:
            series = spf.targets[name]
            inside = (years >= series.years[0]) & (years <= series.years[-1])
            target[inside, j] = series.at(years[inside])
    d = ("scenario", "year", "benefit", "sex")
    attrs = lambda u, ln: {"units": u, "long_name": ln}  # noqa: E731
    checks = standard_checks(spf, level, aw, pension)
    with np.errstate(divide="ignore", invalid="ignore"):
        return xr.Dataset(
            {
                "beneficiaries": (d, beneficiaries, attrs("persons", "beneficiaries during the year")),
                "eligible": (d, group, attrs("persons", "persons in the group the benefit addresses")),
                "monthly_level": (d[:3], level, attrs("currency/month", "benefit level per month")),
                "cost": (d, cost, attrs("currency/year", "cost including administration")),
                "cost_gdp": (d, cost / gdp[..., None, None], attrs("1", "cost / GDP")),
                "cost_government_expenditure": (d, cost / spend[..., None, None],
                                                attrs("1", "cost / general government expenditure")),
                "package_cost": (d[:2], package, attrs("currency/year", "cost of the whole package")),
                "package_cost_gdp": (d[:2], package / gdp, attrs("1", "package cost / GDP")),
                "package_cost_government_expenditure": (d[:2], package / spend, attrs(
                    "1", "package cost / general government expenditure")),
                "coverage": (("scenario", "year", "indicator", "sex"), coverage, attrs(
                    "1", "share of the group receiving a benefit (SDG 1.3.1 style)")),
                "coverage_target": (("year", "indicator"), target, attrs(
                    "1", "coverage target, linear between the baseline, interim and target years")),
                "coverage_gap": (("scenario", "year", "indicator", "sex"), target[None, :, :, None] - coverage,
                                 attrs("1", "coverage target - projected coverage (> 0: short of target)")),
            },
            coords={"scenario": np.arange(n), "year": demography["year"].values, "benefit": names,
                    "sex": SEXES, "indicator": indicators},
            attrs={"report_years": list(spf.report_years)},
        ).assign(checks)


@functools.lru_cache(maxsize=1)
def ilo_minimum_standards() -> dict:
    """The minimum replacement levels of ILO Conventions (actuarial/data, with references);
    read once per process (do not modify the returned mapping)."""
    from importlib.resources import files

    import yaml

    return yaml.safe_load((files("actuarial.data") / "ilo_minimum_standards.yaml").read_text())


# (convention, benefit in the data file) that each SPF kind is checked against
SPF_STANDARDS = {"maternity": [("C102", "maternity"), ("C183", "maternity")],
                 "old_age": [("C102", "old_age")], "disability": [("C102", "disability")],
                 "unemployment": [("C102", "unemployment")]}
PENSION_STANDARDS = {"old_age": ["C102", "C128"], "invalidity": ["C102", "C128"], "survivors": ["C102", "C128"]}


def standard_checks(spf: SPF, level: np.ndarray, aw: np.ndarray, pension: xr.Dataset | None) -> dict:
    """Base-year benefit levels against ILO minimums, as variables on a ``check`` dim.

    Flat-rate SPF benefits are compared with the economy's average wage, the
    proxy used here for the wage of an ordinary adult male labourer (C102,
    Art. 66); contributory pensions with the pension stage's standard
    beneficiary replacement rates.
    """
    data = ilo_minimum_standards()
    rows = []  # (convention, benefit, scheme, level, minimum, reference)
    for b, ben in enumerate(spf.benefits):
        for convention, item in SPF_STANDARDS.get(ben.kind, []):
            entry = data[convention][item]
            rows.append((convention, item, ben.name, float(level[0, 0, b] * 12 / aw[0, 0]), entry["minimum"],
                         entry["reference"]))
    if pension is not None:
        rates = pension["standard_replacement_rate"].isel(year=0)
        for kind, conventions in PENSION_STANDARDS.items():
            for convention in conventions:
                entry = data[convention][kind]
                rows.append((convention, kind, "pension", float(rates.sel(benefit_type=kind)), entry["minimum"],
                             entry["reference"]))
    convention, benefit, scheme, value, minimum, reference = (list(c) for c in zip(*rows)) if rows else [[]] * 6
    coords = {"convention": ("check", convention), "standard_benefit": ("check", benefit),
              "scheme": ("check", scheme), "reference": ("check", reference)}
    return {
        "standard_level": xr.DataArray(np.array(value, float), dims="check", coords=coords, attrs={
            "units": "1", "long_name": "base-year benefit / reference wage of the standard beneficiary"}),
        "standard_minimum": xr.DataArray(np.array(minimum, float), dims="check", coords=coords, attrs={
            "units": "1", "long_name": "minimum of the ILO Convention"}),
        "standard_check": xr.DataArray(np.array(value, float) >= np.array(minimum, float), dims="check",
                                       coords=coords, attrs={"units": "1", "long_name": "meets the minimum"}),
    }


def _coverage(kinds, beneficiaries, group, contributory, pop, ages, spf):
    """Indicators by sex for the kinds present, and the population covered."""
    present = [k for k in INDICATORS if k in kinds]
    n, T = pop.shape[:2]
    out = np.zeros((n, T, len(present) + 1, 2))
    for j, kind in enumerate(present):
        sel = [b for b, k in enumerate(kinds) if k == kind]
        receiving = beneficiaries[:, :, sel].sum(2)
        persons = group[:, :, sel].max(2)  # births, disabled, unemployed: the same group for each benefit
        if kind in ("child", "old_age"):  # the union of the benefits' age bands
            band = np.zeros(ages.size, dtype=bool)
            for b in sel:
                band |= (ages >= spf.benefits[b].ages[0]) & (ages <= spf.benefits[b].ages[1])
            persons = pop[..., band].sum(-1) * (group[:, :, sel].max(2) > 0)
        if kind == "old_age" and contributory is not None:
            first = min(spf.benefits[b].ages[0] for b in sel)
            contrib = contributory[..., ages >= first].sum(-1)
            tested = all(spf.benefits[b].pension_tested for b in sel)
            # a pension-tested social pension goes to others than contributory pensioners: add them;
            # otherwise the two overlap and the larger is a lower bound of those covered
            receiving = receiving + contrib if tested else np.maximum(receiving, contrib)
            persons = pop[..., ages >= first].sum(-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[:, :, j] = np.minimum(np.where(persons > 0, receiving / persons, np.nan), 1.0)
    covered = beneficiaries.sum(2) + (contributory.sum(-1) if contributory is not None else 0.0)
    out[:, :, -1] = np.minimum(covered / pop.sum(-1), 1.0)
    return out, [INDICATORS[k] for k in present] + ["population_covered"]
