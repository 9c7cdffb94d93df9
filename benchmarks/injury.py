"""Benchmarks of the employment-injury valuation (Demoland: 10 risk classes).

Target (issue: employment injury): Demoland's valuation with 10 sectors over
100 years in under 50 ms warm.
"""

from __future__ import annotations

from actuarial.projection.economy import project_economy
from actuarial.projection.employment_injury import project_injury
from actuarial.projection.labour import project_labour

from . import one_thread_for_one_scenario, restore_threads
from . import pension as _pension


class InjuryValuation:
    """Claims, benefits, capitalised values, financing methods and sector rates
    on a stochastic demography (and its labour market and economy)."""

    params = [[1, 100, 1000], [50, 100]]
    param_names = ["scenarios", "years"]

    def setup(self, scenarios, years):
        a = self.a = _pension.demoland_for(scenarios, years)
        one_thread_for_one_scenario(self, scenarios)
        self.demography = _pension.stochastic_demography(a, scenarios)
        self.labour = project_labour(a.labour, self.demography["population"])
        self.economy = project_economy(a.economy, a.case.years)
        self.time_valuation(scenarios, years)

    def teardown(self, scenarios, years):
        restore_threads(self)

    def time_valuation(self, scenarios, years):
        project_injury(self.a.employment_injury, self.a.labour, self.demography, self.labour, self.economy)

    def peakmem_valuation(self, scenarios, years):
        project_injury(self.a.employment_injury, self.a.labour, self.demography, self.labour, self.economy)
