"""Benchmarks of the social protection floor costing (Demoland's 5-benefit package).

Target (issue: SPF costing): a package for 100 years in under 20 ms warm,
1,000 scenarios in under 2 s.
"""

from __future__ import annotations

from actuarial.projection.economy import project_economy
from actuarial.projection.labour import project_labour
from actuarial.projection.pension import project_pension
from actuarial.projection.spf import project_spf

from . import one_thread_for_one_scenario, restore_threads
from . import pension as _pension


class SPFCosting:
    """Costing on a stochastic demography (and its labour, economy and pension)."""

    params = [[1, 100, 1000], [50, 100]]
    param_names = ["scenarios", "years"]

    def setup(self, scenarios, years):
        a = self.a = _pension.demoland_for(scenarios, years)
        one_thread_for_one_scenario(self, scenarios)
        self.demography = _pension.stochastic_demography(a, scenarios)
        self.labour = project_labour(a.labour, self.demography["population"])
        self.economy = project_economy(a.economy, a.case.years)
        self.pension = project_pension(a.pension, a.labour, self.demography, self.labour, self.economy)
        self.time_costing(scenarios, years)

    def teardown(self, scenarios, years):
        restore_threads(self)

    def time_costing(self, scenarios, years):
        project_spf(self.a.spf, self.demography, self.economy, self.labour, self.pension)

    def peakmem_costing(self, scenarios, years):
        project_spf(self.a.spf, self.demography, self.economy, self.labour, self.pension)
