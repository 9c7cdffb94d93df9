"""Benchmark of the distribution stage (issue 19): a 50,000-household synthetic
survey (about 200,000 persons), five spf benefits, three result years (two of
them raked to projected margins): target under 1 s warm."""

from __future__ import annotations

import numpy as np
import xarray as xr

from actuarial.assumptions.distribution import Distribution
from actuarial.assumptions.series import TimeSeries
from actuarial.assumptions.spf import SPF, Benefit
from actuarial.distribution.reader import Survey
from actuarial.distribution.stage import run_distribution

YEARS = (2025, 2030, 2035)
SEXES = ["female", "male"]


def synthetic_survey(households: int = 50_000, seed: int = 0) -> Survey:
    rng = np.random.default_rng(seed)
    size = 1 + rng.poisson(3.0, households)
    household = np.repeat(np.arange(households), size)
    n = household.size
    age = np.minimum(rng.integers(0, 90, n), 100)
    return Survey(year=2025, key=np.arange(households, dtype=np.uint64), weight=rng.uniform(50, 150, households),
                  welfare=rng.lognormal(np.log(40000), 0.6, households) * size,
                  urban=rng.random(households) < 0.4, size=size, household=household,
                  person_key=np.arange(n, dtype=np.uint64), age=age, female=rng.random(n) < 0.5,
                  head=np.r_[True, np.diff(household) > 0], disabled=rng.random(n) < 0.02,
                  unemployed=rng.random(n) < 0.05, contributing=rng.random(n) < 0.2,
                  pension=np.where((age >= 60) & (rng.random(n) < 0.3), 30000.0, 0.0), files=("", ""))


def benefits() -> tuple[Benefit, ...]:
    up = TimeSeries.constant(0.7)
    b = lambda name, kind, ages, tau=1.0, tested=False: Benefit(  # noqa: E731
        name, kind, ages, ("female", "male") if kind != "maternity" else ("female",), up, tau, "amount", 10000.0,
        12.0 if kind != "maternity" else 4.0, "prices", 0.05, None, tested)
    return (b("child", "child", (0, 5)), b("maternity", "maternity", (0, 100)), b("disability", "disability", (0, 100)),
            b("social_pension", "old_age", (65, 100), tested=True), b("public_works", "unemployment", (18, 64), 0.5))


def nodes(survey: Survey, names) -> tuple[xr.Dataset, xr.Dataset, xr.Dataset]:
    years = np.arange(2025, 2036)
    counts = np.zeros((2, 101))
    np.add.at(counts, (np.where(survey.female, 0, 1), survey.age), survey.weight[survey.household])
    growth = 1.01 ** (years - 2025)
    pop = counts[None, None] * growth[None, :, None, None] * np.linspace(1.0, 1.1, 101)
    coords = {"scenario": [0], "year": years}
    demography = xr.Dataset({"population": (("scenario", "year", "sex", "age"), pop)},
                            coords={**coords, "sex": SEXES, "age": np.arange(101)})
    economy = xr.Dataset({"gdp": (("scenario", "year"), 3e13 * 1.08 ** (years[None] - 2025)),
                          "price_index": (("scenario", "year"), 1.04 ** (years[None] - 2025))}, coords=coords)
    level = np.full((1, years.size, len(names)), 10000.0) * 1.04 ** (years[None, :, None] - 2025)
    spf = xr.Dataset({"monthly_level": (("scenario", "year", "benefit"), level),
                      "cost": (("scenario", "year", "benefit", "sex"), np.ones((1, years.size, len(names), 2)))},
                     coords={**coords, "benefit": names, "sex": SEXES})
    return demography, economy, spf


class Distribution50k:
    timeout = 300

    def setup(self):
        self.survey = synthetic_survey()
        bens = benefits()
        self.spf = SPF(30000.0, bens, {})
        self.dist = Distribution(self.survey, "oecd_modified", {"national": 30000.0, "extreme": 20000.0}, YEARS,
                                 "draw", 1, 0.1, 0.2, None)
        self.inputs = nodes(self.survey, [b.name for b in bens])
        run_distribution(self.dist, self.spf, *self.inputs[:2], self.inputs[2])  # warm

    def time_run_distribution(self):
        run_distribution(self.dist, self.spf, *self.inputs[:2], self.inputs[2])
