"""Benchmarks of the social protection floor costing (Demoland's 5-benefit package).

Target (issue: SPF costing): a package for 100 years in under 20 ms warm,
1,000 scenarios in under 2 s.
"""

from __future__ import annotations

from actuarial.projection.spf import project_spf

from .pension import PensionScheme


class SPFCosting(PensionScheme):
    """Costing on the stochastic demography, labour, economy and pension of
    ``PensionScheme`` (built in its setup)."""

    def setup(self, scenarios, years):
        super().setup(scenarios, years)
        self.pension = self.time_scheme(scenarios, years)
        self.time_costing(scenarios, years)

    def time_costing(self, scenarios, years):
        project_spf(self.a.spf, self.demography, self.economy, self.labour, self.pension)
