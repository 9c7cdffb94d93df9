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

Coverage: the SDG 1.3.1 series (``coverage``, see ``sdg_131``); targets
(baseline, interim and target years) give ``coverage_gap`` on the same
series. Standard checks: ``standard_checks``.
"""

from __future__ import annotations

import functools

import numpy as np
import xarray as xr

from actuarial.arrays import coordinates, dataset, scenario_years
from actuarial.assumptions.spf import INDICATOR_OF_KIND, SPF

SEXES = ["female", "male"]
INDICATORS = INDICATOR_OF_KIND
DEFAULT_RETIREMENT_AGE = 65  # the older persons' age without a pension scheme or an old-age benefit

# the rule by which persons are counted once (SDG 1.3.1), shown in the output's labels
OVERLAP_RULE = (
    "each person counted once: within each sex and age, the pension scheme's active insured, its pensioners "
    "(one pension each) and the recipients of a pension-tested social pension are distinct persons; every "
    "other cash benefit is received independently of these and of each other (covered = 1 - prod(1 - share)); "
    "maternity benefits and employment-injury pensions (no age in the projection) combine the same way within "
    "each sex; a public-works wage is not a cash benefit; where the scheme's insured and pensioners of a cell "
    "outnumber its population (e.g. survivors' pensioners at 95+), the cell counts its population once "
    "(attrs cells_above_population, persons_above_population)")


def project_spf(spf: SPF, demography: xr.Dataset, economy: xr.Dataset,
                labour: xr.Dataset | None = None, pension: xr.Dataset | None = None,
                injury: xr.Dataset | None = None, coverage: bool = True) -> xr.Dataset:
    """The SPF stage; ``coverage=False`` (scenario chunks: their summaries read
    the costs only) skips the SDG 1.3.1 series (``coverage``, ``coverage_target``,
    ``coverage_gap``); every other variable is the same (issue 17)."""
    pop = demography.variables["population"].transpose("scenario", "year", "sex", "age").values  # (n, T, 2, A)
    n, T = pop.shape[:2]
    ages = demography.variables["age"].values
    births = demography.variables["births"].transpose("scenario", "year", "sex").values.sum(-1)
    gdp = scenario_years(economy.variables["gdp"], n)
    spend = scenario_years(economy.variables["government_expenditure"], n)
    cpi = scenario_years(economy.variables["price_index"], n)
    aw = scenario_years(economy.variables["average_wage"], n)
    total_pop = pop.sum((2, 3))
    pensioners = None  # (n, T, benefit type, 2, A)
    if pension is not None:
        pensioners = np.broadcast_to(pension.variables["pensioners"].transpose(
            "scenario", "year", "benefit_type", "sex", "age").values, (n, T, pension.sizes["benefit_type"], 2,
                                                                       ages.size))
    contributory = pensioners.sum(2) if pensioners is not None else None

    B = len(spf.benefits)
    eligible = np.zeros((n, T, B, 2))
    group = np.zeros((n, T, B, 2))  # the persons the benefit addresses
    level = np.zeros((n, T, B))
    by_age = []  # beneficiaries by age (n, T, 2, A); None for maternity (mothers' ages not projected)
    years = demography.variables["year"].values
    for b, ben in enumerate(spf.benefits):
        people, addressed, total = _eligible_by_age(ben, pop, ages, births, contributory, labour, coverage)
        mask = np.array([s in ben.sexes for s in SEXES], dtype=float)
        share = (ben.targeting * ben.take_up.at(years))[None, :, None]
        eligible[:, :, b] = total * mask * share
        by_age.append(None if people is None or not coverage else people * (mask * share)[..., None])
        group[:, :, b] = addressed * mask
        index = cpi if ben.indexation == "prices" else aw / aw[:, :1]
        if ben.level_unit == "amount":
            level[:, :, b] = ben.level * index
        elif ben.level_unit == "poverty_line_share":
            level[:, :, b] = ben.level * spf.poverty_line * cpi
        elif ben.level_unit == "average_wage_share":
            level[:, :, b] = ben.level * aw / 12.0
        else:
            level[:, :, b] = ben.level * gdp / total_pop / 12.0
    beneficiaries = eligible
    months = np.array([ben.months for ben in spf.benefits])
    admin = np.array([ben.administrative_cost for ben in spf.benefits])
    cost = beneficiaries * (level * months * (1 + admin))[..., None]
    package = cost.sum((2, 3))

    names = [ben.name for ben in spf.benefits]
    d = ("scenario", "year", "benefit", "sex")
    attrs = lambda u, ln: {"units": u, "long_name": ln}  # noqa: E731
    checks, check_coords = standard_checks(spf, level, aw, pension)
    coords = {"scenario": np.arange(n), "year": years, "benefit": names, "sex": SEXES}
    with np.errstate(divide="ignore", invalid="ignore"):
        variables = {
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
        }
    if coverage:
        variables.update(_coverage_variables(spf, demography, labour, pension, injury, by_age, beneficiaries,
                                             pop, years))
        coords.update(indicator=variables.pop("indicator"), indicator_definition=variables.pop("definition"))
    variables.update(checks)
    index = {k: v if isinstance(v, tuple) else (k, v) for k, v in {**coords, **check_coords}.items()}
    return dataset(variables, coordinates(index), {"report_years": list(spf.report_years)})


def _coverage_variables(spf, demography, labour, pension, injury, by_age, beneficiaries, pop, years) -> dict:
    """The SDG 1.3.1 series (``sdg_131``), their targets and gaps, as Dataset
    variables; ``indicator`` and ``definition`` are the coordinates' values."""
    T = years.size
    attrs = lambda u, ln: {"units": u, "long_name": ln}  # noqa: E731
    inputs = coverage_inputs(spf, demography, labour, pension, injury)
    coverage, indicators, definitions = sdg_131(spf, inputs, by_age, beneficiaries)
    above = _above_population(inputs, pop)
    target = np.full((T, len(indicators)), np.nan)
    for j, name in enumerate(indicators):
        if name in spf.targets:
            series = spf.targets[name]
            inside = (years >= series.years[0]) & (years <= series.years[-1])
            target[inside, j] = series.at(years[inside])
    return {
        "coverage": (("scenario", "year", "indicator", "sex"), coverage, {
            "units": "1", "long_name": "SDG indicator 1.3.1 (UN metadata, ILO custodian): numerator / "
                                       "denominator of each series (coord indicator_definition); "
                                       + OVERLAP_RULE,
            "overlap_rule": OVERLAP_RULE, "cells_above_population": int((above > 0).sum()),
            "persons_above_population": float(above.sum())}),
        "coverage_target": (("year", "indicator"), target, attrs(
            "1", "coverage target (SDG 1.3.1 series), linear between the baseline, interim and target "
                 "years")),
        "coverage_gap": (("scenario", "year", "indicator", "sex"), target[None, :, :, None] - coverage,
                         attrs("1", "coverage target - projected SDG 1.3.1 coverage (> 0: short of "
                                    "target)")),
        "indicator": indicators, "definition": ("indicator", definitions),
    }


def _eligible_by_age(ben, pop, ages, births, contributory, labour, by_age: bool = True):
    """The persons of the benefit's kind in its ages, before sexes, targeting and
    take-up: (eligible by age (n, T, 2, A) or None, persons addressed (n, T, 2),
    eligible (n, T, 2)). Maternity has no ages (the mothers of the year's births).
    A pension-tested benefit: the population of its ages less the contributory
    pensioners of those ages, never below 0 (by age for the coverage series;
    ``by_age=False``, scenario chunks without them: None, the totals the same)."""
    n, T = pop.shape[:2]
    band = ((ages >= ben.ages[0]) & (ages <= ben.ages[1])).astype(float)
    if ben.kind == "maternity":
        people = np.zeros((n, T, 2))
        people[..., 0] = births
        return None, people, people
    if ben.kind == "child" or (ben.kind == "old_age" and not ben.pension_tested):
        people = pop * band
        total = people.sum(-1)
        return people, total, total
    if ben.kind == "old_age":
        if contributory is None:
            raise ValueError(f"spf benefit {ben.name!r} is pension-tested: the pension stage must run")
        addressed = (pop * band).sum(-1)
        total = np.maximum(addressed - (contributory * band).sum(-1), 0.0)
        return np.maximum(pop - contributory, 0.0) * band if by_age else None, addressed, total
    if ben.kind == "disability":
        people = pop * np.array(ben.prevalence) * band  # prevalence (sex, age)
        total = people.sum(-1)
        return people, total, total
    if labour is None:
        raise ValueError(f"spf benefit {ben.name!r} needs the labour stage (unemployed persons)")
    people = unemployed_by_age(pop, labour) * band
    total = people.sum(-1)
    return people, total, total


def unemployed_by_age(pop, labour) -> np.ndarray:
    """Unemployed persons (n, T, 2, A): population x participation rate - employed."""
    rate = labour.variables["participation_rate"].transpose("year", "sex", "age").values
    employed = labour.variables["employed"].transpose("scenario", "year", "sex", "age").values
    return pop * rate - employed


@functools.lru_cache(maxsize=1)
def ilo_minimum_standards() -> dict:
    """The minimum replacement levels of ILO Conventions (actuarial/data, with references);
    read once per process (do not modify the returned mapping)."""
    from importlib.resources import files

    import yaml

    return yaml.safe_load((files("actuarial.data") / "ilo_minimum_standards.yaml").read_text())


# (convention, benefit in the data file, the part and article the benefit falls under) that each
# kind of SPF benefit is compared with: a flat-rate (or means-tested) benefit under the Part of
# C102 that covers its contingency, at the rate of Art. 66 (the wage of an ordinary adult male
# labourer; Art. 67 for means-tested benefits refers to the same level). A non-contributory
# maternity benefit falls under C183 Art. 6(6)-(7) (social assistance, no rate set), not under the
# two-thirds of previous earnings of Art. 6(3)-(4): it is compared with C102 only. A public
# employment programme pays a wage for work, not an unemployment benefit (C102 Part IV, Art. 20:
# suspension of earnings, Art. 22): it is not compared.
SPF_STANDARDS = {"maternity": [("C102", "maternity", "Part VIII, Art. 50; flat rate, Art. 66")],
                 "old_age": [("C102", "old_age", "Part V, Art. 28; flat rate, Art. 66 (means-tested: Art. 67)")],
                 "disability": [("C102", "disability", "Part IX, Art. 56; flat rate, Art. 66")],
                 "unemployment": [("C102", "unemployment", "Part IV, Art. 22; flat rate, Art. 66")]}
# contributory pensions: earnings-related benefits (C102 Art. 65; C128 Art. 26)
PENSION_STANDARDS = {"old_age": [("C102", "Part V, Art. 28; earnings-related, Art. 65"),
                                 ("C128", "Part III, Art. 17; earnings-related, Art. 26")],
                     "invalidity": [("C102", "Part IX, Art. 56; earnings-related, Art. 65"),
                                    ("C128", "Part II, Art. 10; earnings-related, Art. 26")],
                     "survivors": [("C102", "Part X, Art. 62; earnings-related, Art. 65"),
                                   ("C128", "Part IV, Art. 23; earnings-related, Art. 26")]}


def standard_checks(spf: SPF, level: np.ndarray, aw: np.ndarray, pension: xr.Dataset | None) -> tuple:
    """Base-year benefit levels against ILO minimums, as variables on a ``check`` dim
    (``{name: (dims, values, attrs)}``) and that dim's coordinates.

    Each benefit is compared only with the Convention part that covers it
    (``SPF_STANDARDS``, ``PENSION_STANDARDS``; coords ``convention``,
    ``article`` and ``reference``, the standard beneficiary). Flat-rate SPF
    benefits: level x 12 / the economy's average wage, the proxy used here for
    the wage of an ordinary adult male labourer (C102, Art. 66); contributory
    pensions: the pension stage's standard beneficiary replacement rates.
    Public-works programmes are not compared (attrs ``not_compared``).
    """
    data = ilo_minimum_standards()
    rows = []  # (convention, benefit, scheme, level, minimum, article, reference)
    skipped = []
    for b, ben in enumerate(spf.benefits):
        if ben.public_works:
            skipped.append(f"{ben.name}: a public-works wage is not a C102 Part IV unemployment benefit")
            continue
        for convention, item, article in SPF_STANDARDS.get(ben.kind, []):
            entry = data[convention][item]
            rows.append((convention, item, ben.name, float(level[0, 0, b] * 12 / aw[0, 0]), entry["minimum"],
                         article, entry["reference"]))
    if pension is not None and "standard_replacement_rate" in pension:  # none for a DC design
        rates = pension.variables["standard_replacement_rate"].transpose("year", "benefit_type").values[0]
        types = list(pension.variables["benefit_type"].values)
        for kind, conventions in PENSION_STANDARDS.items():
            for convention, article in conventions:
                entry = data[convention][kind]
                rows.append((convention, kind, "pension", float(rates[types.index(kind)]), entry["minimum"],
                             article, entry["reference"]))
    columns = (list(c) for c in zip(*rows)) if rows else ([] for _ in range(7))
    convention, benefit, scheme, value, minimum, article, reference = columns
    coords = {"convention": ("check", convention), "standard_benefit": ("check", benefit),
              "scheme": ("check", scheme), "article": ("check", article), "reference": ("check", reference)}
    note = {"not_compared": "; ".join(skipped)} if skipped else {}
    value, minimum = np.array(value, float), np.array(minimum, float)
    return {
        "standard_level": ("check", value, {
            "units": "1", "long_name": "base-year benefit / reference wage of the standard beneficiary "
                                       "(flat rate: average wage; earnings-related: previous earnings)"}),
        "standard_minimum": ("check", minimum, {
            "units": "1", "long_name": "minimum rate of the Convention part covering the benefit (coords "
                                       "convention, article, reference)"}),
        "standard_check": ("check", value >= minimum, {
            "units": "1", "long_name": "meets the minimum: standard_level >= standard_minimum of the "
                                       "convention, part and article (coords)", **note}),
    }, coords


def coverage_inputs(spf: SPF, demography: xr.Dataset, labour: xr.Dataset | None, pension: xr.Dataset | None,
                    injury: xr.Dataset | None) -> dict:
    """The stage inputs of the SDG 1.3.1 series as arrays: population (n, T, 2, A),
    never below 0; births (n, T); pensionable age (T, 2) (the pension scheme's,
    else the youngest age of the old-age benefits, else 65); persons actively
    contributing (n, T, 2, A): the pension scheme's active insured below its
    pensionable age, else the employment-injury insured, else none; the pension
    scheme's pensioners by type (name -> (n, T, 2, A)); employment-injury
    pensioners by type (name -> (n, T, 2)); unemployed by age, employed and
    injury-insured persons by sex when those stages ran."""
    pop = np.maximum(demography.variables["population"].transpose("scenario", "year", "sex", "age").values, 0.0)
    n, T, _, A = pop.shape
    ages = demography.variables["age"].values
    out = {"population": pop, "ages": ages,
           "births": demography.variables["births"].transpose("scenario", "year", "sex").values.sum(-1),
           "contributors": np.zeros_like(pop), "pensioners": {}, "injury_pensioners": {},
           "unemployed": None, "employed": None, "injury_insured": None}
    olds = [ben.ages[0] for ben in spf.benefits if ben.kind == "old_age"]
    age = pension.variables["pensionable_age"].transpose("year", "sex").values if pension is not None else \
        np.full((T, 2), min(olds) if olds else DEFAULT_RETIREMENT_AGE)
    out["pensionable_age"] = np.asarray(age, float)
    if labour is not None:
        contributors = np.broadcast_to(labour.variables["contributors"].transpose(
            "scenario", "year", "sex", "age").values, pop.shape)
        out["unemployed"] = np.maximum(unemployed_by_age(pop, labour), 0.0)
        out["employed"] = np.broadcast_to(labour.variables["employed"].transpose(
            "scenario", "year", "sex", "age").values.sum(-1), (n, T, 2))
        if pension is not None:
            out["contributors"] = contributors * (ages[None, None, :] < out["pensionable_age"][..., None])
        elif injury is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                insured = injury.variables["insured_by_sex"].transpose("scenario", "year", "sex").values
                ratio = np.where(contributors.sum(-1) > 0, insured / contributors.sum(-1), 0.0)
            out["contributors"] = contributors * ratio[..., None]
        if injury is not None:
            out["injury_insured"] = np.broadcast_to(
                injury.variables["insured_by_sex"].transpose("scenario", "year", "sex").values, (n, T, 2))
    if pension is not None:
        p = pension.variables["pensioners"].transpose("scenario", "year", "benefit_type", "sex", "age").values
        out["pensioners"] = {str(k): np.broadcast_to(p[:, :, i], pop.shape)
                             for i, k in enumerate(pension.variables["benefit_type"].values)}
    if injury is not None:
        j = injury.variables["beneficiaries"].transpose("scenario", "year", "benefit_type", "sex").values
        out["injury_pensioners"] = {str(k): np.broadcast_to(j[:, :, i], (n, T, 2))
                                    for i, k in enumerate(injury.variables["benefit_type"].values)}
    return out


def _above_population(x: dict, pop: np.ndarray) -> np.ndarray:
    """Persons by which the scheme's active insured and pensioners of each
    (scenario, year, sex, age) cell exceed its population (0 elsewhere)."""
    counted = np.zeros_like(pop)
    if x.get("contributors") is not None:
        counted = counted + x["contributors"]
    for part in (x.get("pensioners") or {}).values():
        counted = counted + part
    return np.maximum(counted - np.maximum(pop, 0.0), 0.0)


def _share(part, persons):
    """part / persons of each cell, within [0, 1] (a cell with nobody: 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.clip(np.where(persons > 0, part / persons, 0.0), 0.0, 1.0)


def _covered(persons, independent=(), exclusive=()):
    """Persons of each cell covered at least once: the ``exclusive`` parts are
    distinct persons (summed); each ``independent`` part is received independently
    of the others: persons x (1 - (1 - s_exclusive) x prod_i (1 - s_i)), s = share
    of the cell's persons."""
    miss = 1.0 - _share(sum(exclusive), persons) if exclusive else np.ones_like(persons)
    for part in independent:
        miss = miss * (1.0 - _share(part, persons))
    return persons * (1.0 - miss)


def _ratio(numerator, denominator):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


def sdg_131(spf: SPF, x: dict, by_age: list, beneficiaries: np.ndarray):
    """The SDG 1.3.1 series by sex: (coverage (n, T, series, 2), series names, definitions).

    Source: UN SDG indicator metadata for 1.3.1 (custodian ILO; unstats.un.org/sdgs/metadata,
    series SI_COV_*; "effective coverage ... the number of people who are either actively
    contributing to a social insurance scheme or receiving benefits (contributory or
    non-contributory)") and the ILO World Social Protection Database's notes on each series
    (social-protection.org/gimi/WSPDB.action):
      population_covered: persons actively contributing to a social insurance scheme or
          receiving at least one contributory or non-contributory cash benefit / total population;
      children: children receiving child/family cash benefits / all children (ages
          ``spf.children_ages``, default 0-15 as the ILO's estimates);
      mothers_with_newborns: women receiving maternity cash benefits / women giving birth;
      severe_disability: persons receiving disability cash benefits / persons with severe
          disabilities (here: SPF disability benefits, the pension scheme's invalidity pensions and
          employment-injury permanent total incapacity pensions / population x the disability
          benefit's prevalence, all ages);
      unemployed: recipients of unemployment cash benefits / unemployed persons (a public
          employment programme pays a wage for work, not an unemployment benefit);
      employment_injury: workers insured for employment injury / employed persons;
      old_age: persons above the statutory pensionable age (of the scheme, by sex and year; at
          or above it) receiving an old-age pension, contributory or not / all persons of those ages;
      vulnerable: social assistance (non-contributory cash benefit) recipients / vulnerable
          persons = all children + persons of working age not covered by contributory benefits
          (active insured, pensioners, employment-injury pensioners) + persons above the
          pensionable age not receiving a contributory pension.
    The poor-persons series needs the poor population (household data): not computed here.
    Persons are counted once by ``OVERLAP_RULE``.
    """
    pop, ages, R = x["population"], x["ages"], x["pensionable_age"]
    n, T = pop.shape[:2]
    kinds = [ben.kind for ben in spf.benefits]
    cash = [b for b, ben in enumerate(spf.benefits) if not ben.public_works]
    tested = [b for b in cash if spf.benefits[b].pension_tested]
    maternity = [b for b in cash if kinds[b] == "maternity"]
    free = [b for b in cash if b not in tested and b not in maternity]  # independent, by age
    zero = np.zeros_like(pop)
    social = sum((by_age[b] for b in tested), zero)  # pension-tested: distinct from the contributory pensioners
    pensions = sum(x["pensioners"].values(), zero)
    injury = sum(x["injury_pensioners"].values(), np.zeros((n, T, 2)))
    persons = pop.sum(-1)

    def by_sex(covered, total, extras):
        """Covered persons by sex, with sex-level parts combined independently."""
        for extra in extras:
            covered = total * (1.0 - (1.0 - _share(covered, total)) * (1.0 - _share(extra, total)))
        return covered

    lo, hi = spf.children_ages
    child_ages = ((ages >= lo) & (ages <= hi)).astype(float)
    old = (ages[None, None, :] >= R[..., None]).astype(float)  # (T, 2, A)
    working = (1.0 - child_ages) * (1.0 - old)
    series, definitions = [], []

    def add(name, value, definition):
        series.append(value)
        definitions.append(definition)
        names.append(name)

    names: list[str] = []
    if "child" in kinds:
        kids = pop * child_ages
        covered = _covered(kids, [by_age[b] * child_ages for b in free if kinds[b] == "child"]).sum(-1)
        add("children", _ratio(covered, kids.sum(-1)),
            f"children aged {lo}-{hi} receiving a child/family cash benefit / all children aged {lo}-{hi}")
    if maternity:
        births = np.zeros((n, T, 2))
        births[..., 0] = x["births"]
        covered = by_sex(np.zeros((n, T, 2)), births, [beneficiaries[:, :, b] for b in maternity])
        add("mothers_with_newborns", _ratio(covered, births),
            "women receiving a maternity cash benefit / women giving birth in the year")
    if "disability" in kinds:
        first = spf.benefits[kinds.index("disability")]
        disabled = pop * np.array(first.prevalence)
        parts = [by_age[b] for b in free if kinds[b] == "disability"]
        if "invalidity" in x["pensioners"]:
            parts.append(x["pensioners"]["invalidity"])
        extras = [x["injury_pensioners"]["permanent_total"]] if "permanent_total" in x["injury_pensioners"] else []
        covered = by_sex(_covered(disabled, parts).sum(-1), disabled.sum(-1), extras)
        add("severe_disability", _ratio(covered, disabled.sum(-1)),
            "persons with severe disabilities receiving a disability cash benefit (SPF benefit, invalidity "
            "or injury total-incapacity pension) / persons with severe disabilities")
    if "old_age" in kinds or x["pensioners"]:
        elderly = pop * old
        exclusive = [x["pensioners"].get("old_age", zero) * old, social * old]
        covered = _covered(elderly, [by_age[b] * old for b in free if kinds[b] == "old_age"], exclusive).sum(-1)
        add("old_age", _ratio(covered, elderly.sum(-1)),
            "persons at or above the pensionable age (scheme's, by sex and year) receiving an old-age pension, "
            "contributory or not / all persons of those ages")
    if "unemployment" in kinds and x["unemployed"] is not None:
        jobless = x["unemployed"]
        covered = _covered(jobless, [by_age[b] for b in free if kinds[b] == "unemployment"]).sum(-1)
        add("unemployed", _ratio(covered, jobless.sum(-1)),
            "recipients of unemployment cash benefits / unemployed persons (public works not counted)")
    if x["injury_insured"] is not None:
        add("employment_injury", _ratio(x["injury_insured"], x["employed"]),
            "workers insured for employment injury / employed persons")
    assisted = by_sex(_covered(pop, [by_age[b] for b in free], [social]).sum(-1), persons,
                      [beneficiaries[:, :, b] for b in maternity])
    insured = _share(x["contributors"] + pensions, pop)
    adults = (pop * working * (1.0 - insured)).sum(-1)
    adults = adults * (1.0 - _share(sum((v for k, v in x["injury_pensioners"].items() if k != "orphan"),
                                        np.zeros((n, T, 2))), (pop * working).sum(-1)))
    vulnerable = (pop * child_ages).sum(-1) + adults + (pop * old * (1.0 - _share(pensions, pop))).sum(-1)
    add("vulnerable", _ratio(assisted, vulnerable),
        "recipients of non-contributory cash benefits / vulnerable persons (all children, working-age persons "
        "without contributory cover, persons above the pensionable age without a contributory pension)")
    covered = by_sex(_covered(pop, [by_age[b] for b in free], [x["contributors"], pensions, social]).sum(-1),
                     persons, [beneficiaries[:, :, b] for b in maternity] + [injury])
    add("population_covered", _ratio(covered, persons),
        "persons actively contributing to social insurance or receiving at least one cash benefit, each once "
        "/ total population")
    return np.stack(series, axis=2), names, definitions
