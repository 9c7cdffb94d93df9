"""Benchmarks of stochastic valuations: Demoland's whole valuation (demography,
pension, employment injury, SPF) over N seeded scenarios, in chunks.

Target (issue: stochastic projections): 1,000 scenarios x 100 years in under
10 s on 2 cores, with peak memory under 2 GB. Measured on the 2-core
development machine: 6.4-8.6 s (depending on the machine's state) and
1.34 GB peak; 100 scenarios 0.9 s, 524 MB.
"""

from __future__ import annotations

from actuarial import pipeline

from . import pension as _pension


class StochasticValuation:
    params = [[100, 1000], [100]]
    param_names = ["scenarios", "years"]
    timeout = 600

    def setup(self, scenarios, years):
        self.a = _pension.demoland_for(scenarios, years)
        pipeline.run_scenarios(self.a, 2, chunk=2)  # compile or load the kernels

    def time_scenarios(self, scenarios, years):
        pipeline.run_scenarios(self.a, scenarios)

    def peakmem_scenarios(self, scenarios, years):
        pipeline.run_scenarios(self.a, scenarios)

    def time_draws(self, scenarios, years):
        pipeline.scenario_draws(self.a, 0, scenarios)
