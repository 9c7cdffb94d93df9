"""Benchmarks of the fiscal-space stage.

Targets (issue: fiscal space): the financing plan for 100 years and the
eight handbook options in under 100 ms; 10,000 stochastic debt paths over
30 years in under 0.5 s.
"""

from __future__ import annotations

import numpy as np

from . import BASE_YEAR, rng


def plan_inputs(n_years: int):
    """A gap rising from 0.5% to 4% of GDP, eight options with random capacities
    (balance x5, reserves, borrowing, macro framework), a reserve stock and a
    debt ceiling with 10 points of headroom."""
    from fiscal_space.debt import propagation

    g = rng(11)
    gap = np.linspace(0.005, 0.04, n_years)
    capacity = g.uniform(0.0, 0.006, (n_years, 8))
    kinds = ["balance"] * 5 + ["asset", "debt", "debt"]
    factor = np.full(n_years, 1.065 / 1.08)
    index = np.cumprod(np.full(n_years, 1.08))
    return dict(gap=gap, capacity=capacity, cost=np.arange(1.0, 9.0), kinds=kinds,
                stock=[(5, index, 0.02)], propagation=propagation(factor), headroom=np.full(n_years, 0.1))


class FinancingPlan:
    """Least-cost plan (linprog, HiGHS) with reserve-stock and debt-ceiling rows."""

    params = [[30, 101]]
    param_names = ["years"]

    def setup(self, years):
        self.inputs = plan_inputs(years)

    def time_plan(self, years):
        from fiscal_space.plan import financing_plan

        i = self.inputs
        financing_plan(i["gap"], i["capacity"], i["cost"], i["kinds"], stock=i["stock"],
                       propagation=i["propagation"], headroom=i["headroom"])

    def peakmem_plan(self, years):
        self.time_plan(years)


class StochasticDebt:
    """Seeded debt fan chart: joint normal shocks, one SeedSequence stream per path."""

    params = [[1000, 10000], [30]]
    param_names = ["paths", "years"]

    def setup(self, paths, years):
        self.central = dict(interest_rate=np.full(years, 0.065), nominal_growth=np.full(years, 0.08),
                            primary_balance=np.full(years, -0.01), foreign_currency_share=0.35,
                            depreciation=np.full(years, 0.02))
        sd = np.array([0.02, 0.01, 0.01, 0.08])
        corr = np.eye(4)
        corr[0, 2] = corr[2, 0] = 0.4
        self.covariance = corr * np.outer(sd, sd)

    def time_simulate(self, paths, years):
        from fiscal_space.stochastic import fan, simulate_debt

        d = simulate_debt(0.55, seed=BASE_YEAR, paths=paths, covariance=self.covariance, **self.central)
        fan(d, 0.7)

    def peakmem_simulate(self, paths, years):
        self.time_simulate(paths, years)
