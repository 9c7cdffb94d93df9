"""Validation kinds for the distribution module (the spf benefits on survey data).

distribution_hand          FGT 0, 1, 2 of a small survey against values computed
                           by hand from the definition (Foster, Greer and
                           Thorbecke 1984), written in the case; the Gini
                           against the mean absolute difference over all
                           pairs / (2 mean), by plain loops
distribution_closed_forms  Gini, Theil and Palma of large seeded samples against
                           closed forms: uniform (Gini 1/3, Palma 1.1875),
                           lognormal (Gini 2 Phi(sigma/sqrt 2) - 1, Theil sigma^2/2)
distribution_survey        on an assumption set with a distribution section:
                           the survey cost of each benefit = the weighted sum of
                           the benefits paid, recomputed by plain loops over the
                           persons from the benefit rules; raking reproduces its
                           margins (1e-9); a benefit of zero changes nothing; a
                           benefit equal to each poor household's gap, perfectly
                           targeted, gives headcount 0 at a cost equal to the
                           total poverty gap
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np

from actuarial.assumptions import load_assumptions
from actuarial.assumptions.distribution import SurveySpec
from actuarial.assumptions.reader import Reader
from actuarial.distribution.calibration import cell_counts, margin_cells, rake
from actuarial.distribution.poverty import fgt, inequality
from actuarial.distribution.reader import read_survey
from actuarial.distribution.stage import impacts
from actuarial.distribution.welfare import equivalence_scale
from actuarial.pipeline import run
from actuarial.validation import Row, row


def distribution_hand(name: str, r: Reader, folder: Path) -> list[Row]:
    """``households`` and ``persons`` files (per capita welfare), ``lines`` {name: z}
    and ``expected`` {line: [FGT0, FGT1, FGT2]} written by hand."""
    spec = SurveySpec(households="", persons="")
    survey = read_survey(folder / r.string("households"), folder / r.string("persons"), spec, 2025)
    lines = r.raw("lines")
    expected = r.raw("expected")
    tol = r.number("rtol", lo=0.0)
    y = survey.welfare / equivalence_scale(survey, "per_capita")
    persons = (survey.weight * survey.size)[None, :]
    got = fgt(y, persons, np.array([float(v) for v in lines.values()]))[:, 0, :]  # (3, L)
    rows = []
    for j, line in enumerate(lines):
        for a in range(3):
            rows.append(row(name, f"FGT({a}) at the line {line} = {lines[line]}", float(expected[line][a]),
                            got[a, j], tol))
    n = y.size
    w = persons[0]
    pairs = sum(w[i] * w[k] * abs(y[i] - y[k]) for i in range(n) for k in range(n))
    mean = sum(w[i] * y[i] for i in range(n)) / sum(w)
    rows.append(row(name, "Gini = sum_ij w_i w_j |y_i - y_j| / (2 W^2 mean)", pairs / (2 * sum(w) ** 2 * mean),
                    inequality(y, persons)["gini"][0], tol))
    return rows


def distribution_closed_forms(name: str, r: Reader, folder: Path) -> list[Row]:
    """``n`` seeded draws (equal weights) of a uniform and a lognormal(0, ``sigma``);
    tolerances ``atol`` (absolute, a few sampling standard errors)."""
    n = int(r.number("n", lo=1000))
    sigma = r.number("sigma", lo=0.0)
    tol = r.number("atol", lo=0.0)
    rng = np.random.default_rng(int(r.number("seed", lo=0)))
    ones = np.ones((1, n))
    uni = inequality(rng.random(n), ones)
    logn = inequality(rng.lognormal(0.0, sigma, n), ones)
    phi = 0.5 * (1.0 + math.erf(sigma / math.sqrt(2.0) / math.sqrt(2.0)))
    return [
        row(name, "uniform: Gini = 1/3", 1.0 / 3.0, uni["gini"][0], tol, relative=False),
        row(name, "uniform: Palma = (1 - 0.9^2) / 0.4^2 (L(p) = p^2)", 0.19 / 0.16, uni["palma"][0], tol * 10,
            relative=False),
        row(name, f"lognormal sigma {sigma}: Gini = 2 Phi(sigma / sqrt 2) - 1", 2.0 * phi - 1.0, logn["gini"][0],
            tol, relative=False),
        row(name, f"lognormal sigma {sigma}: Theil T = sigma^2 / 2", sigma ** 2 / 2.0, logn["theil"][0], tol * 2,
            relative=False),
    ]


def _take_up(ben, year) -> float:
    return float(ben.take_up.at(np.array([year]))[0])


def _paid_by_loops(a, tree, year: int) -> dict:
    """Benefits paid on the survey in ``year`` (expected take-up), by benefit, by plain loops
    over the persons: weight x units x eligibility x selection x take-up x level x months."""
    survey, dist = a.distribution.survey, a.distribution
    s = survey.year
    w = survey.weight if year == s else _raked(a, tree, year)
    cpi = tree["economy"]["price_index"].isel(scenario=0, missing_dims="ignore")
    level = tree["spf"]["monthly_level"].isel(scenario=0)
    members: dict[int, list[int]] = {}
    for i, h in enumerate(survey.household):
        members.setdefault(int(h), []).append(i)
    size = {h: len(v) for h, v in members.items()}
    out = {}
    for ben in a.spf.benefits:
        units = [0.0] * survey.age.size
        prob = [1.0] * survey.age.size
        for i in range(survey.age.size):
            sex = "female" if survey.female[i] else "male"
            inside = ben.ages[0] <= survey.age[i] <= ben.ages[1] and sex in ben.sexes
            if ben.kind == "maternity":
                continue
            if ben.kind == "old_age" and ben.pension_tested:
                inside = inside and not survey.pension[i] > 0
            if ben.kind == "disability":
                inside = inside and bool(survey.disabled[i])
            if ben.kind == "unemployment":
                inside = inside and bool(survey.unemployed[i])
            units[i] = 1.0 if inside else 0.0
        if ben.kind == "maternity":  # each infant: one birth, paid to the household
            for h, people in members.items():
                units[people[0]] = float(sum(1 for i in people if survey.age[i] == 0))
        selected = [1.0] * survey.age.size
        if ben.targeting < 1.0:
            e, inc, tau = dist.exclusion_error, dist.inclusion_error, ben.targeting
            q = min(inc * (1 - e) * tau / ((1 - inc) * (1 - tau)), 1.0)
            eligible = [i for i in range(survey.age.size) if units[i] > 0]
            eligible.sort(key=lambda i: survey.welfare[survey.household[i]] / size[int(survey.household[i])])
            total = sum(survey.weight[survey.household[i]] * units[i] for i in eligible)
            below = 0.0
            for i in eligible:
                m = survey.weight[survey.household[i]] * units[i]
                selected[i] = (1 - e) if (below + m / 2) / total < tau else q
                below += m
        annual = float(level.sel(year=year, benefit=ben.name)) / float(cpi.sel(year=year)) * \
            float(cpi.sel(year=s)) * ben.months
        k = _take_up(ben, year)
        paid = sum(w[survey.household[i]] * units[i] * prob[i] * selected[i] * k * annual
                   for i in range(survey.age.size))
        out[ben.name] = paid * float(cpi.sel(year=year)) / float(cpi.sel(year=s))
    return out


def _raked(a, tree, year):
    survey = a.distribution.survey
    cells, cell_of = margin_cells(survey)
    pop = tree["demography"]["population"].isel(scenario=0).sel(year=year)
    totals = np.array([float(pop.sel(sex=sx, age=slice(lo, hi)).sum()) for sx, lo, hi in cells])
    return rake(survey.weight, cell_counts(survey, cell_of, len(cells)), totals)


def distribution_survey(name: str, r: Reader, folder: Path) -> list[Row]:
    a = load_assumptions(folder / r.string("assumptions"))
    tol = r.number("rtol", lo=0.0)
    if a.distribution is None or a.distribution.take_up != "expected":
        raise r.error("assumptions", "expected assumptions with a distribution section (take_up: expected)")
    if any(b.kind == "disability" for b in a.spf.benefits) and a.distribution.survey.disabled is None:
        raise r.error("assumptions", "expected a survey with a disability column")
    tree = run(a)
    d = tree["distribution"].to_dataset()
    rows = []
    for year in d["year"].values.tolist():
        paid = _paid_by_loops(a, tree, year)
        for ben, value in paid.items():
            rows.append(row(name, f"{year} {ben}: survey benefits = sum of weight x benefit (plain loops)", value,
                            float(d["survey_benefits"].sel(year=year, benefit=ben)), tol))
    survey = a.distribution.survey
    later = [y for y in d["year"].values.tolist() if y != survey.year]
    for year in later:  # margins reproduced: persons of each cell x raked weights, by plain loops
        cells, cell_of = margin_cells(survey)
        w = _raked(a, tree, year)
        sums = [0.0] * len(cells)
        for i in range(survey.age.size):
            sums[cell_of[i]] += w[survey.household[i]]
        pop = tree["demography"]["population"].isel(scenario=0).sel(year=year)
        margins = [float(pop.sel(sex=sx, age=slice(lo, hi)).sum()) for sx, lo, hi in cells]
        rows.append(row(name, f"{year}: raked survey persons by sex and age group = projected population",
                        np.array(margins), np.array(sums), 1e-9))
        rows.append(row(name, f"{year}: survey population = projected population", float(pop.sum()),
                        float(d["survey_population"].sel(year=year)), 1e-9))
    rows += _zero_benefit(name, a, d, tol)
    rows += _gap_filling(name, a, d, tol)
    return rows


def _zero_benefit(name, a, d, tol) -> list[Row]:
    """Every benefit at level 0: each index with the benefits equals the one without."""
    zero = tuple(dataclasses.replace(b, level_unit="amount", level=0.0) for b in a.spf.benefits)
    z = run(dataclasses.replace(a, spf=dataclasses.replace(a.spf, benefits=zero)))["distribution"].to_dataset()
    rows = []
    for k in ("poverty_headcount", "poverty_gap", "poverty_severity", "gini", "theil", "palma"):
        rows.append(row(name, f"zero benefits: {k} with - without (abs)", 0.0,
                        float(np.abs(z[k].sel(benefits="with") - z[k].sel(benefits="without")).max()), tol,
                        relative=False))
    rows.append(row(name, "zero benefits: survey cost (abs)", 0.0, float(np.abs(z["survey_cost"]).max()), tol,
                    relative=False))
    return rows


def _gap_filling(name, a, d, tol) -> list[Row]:
    """Each poor household receives its poverty gap (persons x (z - welfare per person), a month), all
    others nothing: headcount 0 with the benefit; the benefits paid equal the total poverty gap,
    sum over persons of (z - y) (a year), by plain loops."""
    survey = a.distribution.survey
    scale = equivalence_scale(survey, "per_capita")
    y = survey.welfare / scale
    rows = []
    for line, z in a.distribution.lines.items():
        transfer = np.array([12.0 * survey.size[h] * (z - y[h]) if y[h] < z else 0.0 for h in range(y.size)])
        counts = survey.size[None, :].astype(float)
        out = impacts(y, scale, survey.weight, counts, transfer[None, :], (transfer > 0).astype(float),
                      np.array([z]))
        total_gap = 0.0
        for i in range(survey.age.size):
            h = survey.household[i]
            if y[h] < z:
                total_gap += survey.weight[h] * 12.0 * (z - y[h])
        rows.append(row(name, f"gap-filling benefit at the {line} line: headcount with it (abs)", 0.0,
                        float(out["fgt"][1, 0, 0, 0]), tol, relative=False))
        rows.append(row(name, f"gap-filling benefit at the {line} line: cost = total poverty gap", total_gap,
                        float(out["paid"][0]), tol))
        rows.append(row(name, f"gap-filling benefit at the {line} line: total gap = N x z x FGT(1) x 12",
                        total_gap, float(out["fgt"][0, 1, 0, 0]) * z * 12 * float(counts[0] @ survey.weight), tol))
    return rows


KINDS = {"distribution_hand": distribution_hand, "distribution_closed_forms": distribution_closed_forms,
         "distribution_survey": distribution_survey}
