"""Benchmarks of the valuation: demography + economy + labour + pension.

Targets (issue: pension valuation):
- a deterministic 100-year valuation of Demoland in under 20 ms warm
  (``DemolandValuation.time_run``);
- 1,000 scenarios under 3 s on 2 cores with peak memory under 2 GB
  (``PensionScenarios.time_valuation`` / ``peakmem_valuation`` at 1000, 100);
- the scheme kernel's cost grows linearly in scenarios and years
  (``PensionScenarios.time_scheme`` over the parameter grid).
Numba compiles (or loads its cache) in ``setup``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import xarray as xr

from actuarial.assumptions import load_assumptions
from actuarial.demography.inputs import demographic_inputs
from actuarial.demography.projection import project_population
from actuarial.pipeline import run
from actuarial.projection.economy import project_economy
from actuarial.projection.labour import project_labour
from actuarial.projection.pension import project_pension

from . import _skip_slow, rng

DEMOLAND = Path(__file__).resolve().parents[1] / "assumptions" / "demoland.yaml"


class DemolandValuation:
    """The shipped Demoland case through the whole pipeline, deterministic."""

    def setup(self):
        self.assumptions = load_assumptions(DEMOLAND)
        run(self.assumptions)

    def time_run(self):
        run(self.assumptions)


def stochastic_demography(assumptions, n_scenarios: int):
    """Demoland's projection with fertility and mortality levels drawn per scenario."""
    inputs = demographic_inputs(assumptions.demography, assumptions.case.years)
    g = rng(7)
    fert = xr.DataArray(g.lognormal(0.0, 0.1, n_scenarios), dims="scenario")
    mort = xr.DataArray(g.lognormal(0.0, 0.1, n_scenarios), dims="scenario")
    inputs["asfr"] = inputs["asfr"] * fert
    inputs["mx"] = inputs["mx"] * mort
    return project_population(**inputs, migration_timing=assumptions.demography.migration.timing)


class PensionScenarios:
    params = [[1, 100, 1000], [50, 100]]
    param_names = ["scenarios", "years"]

    def setup(self, scenarios, years):
        if scenarios == 1000:
            _skip_slow()
        a = load_assumptions(DEMOLAND)
        self.a = dataclasses.replace(a, case=dataclasses.replace(a.case, horizon=years))
        self.n = scenarios
        self.demography = stochastic_demography(self.a, scenarios)
        self.labour = project_labour(self.a.labour, self.demography["population"])
        self.economy = project_economy(self.a.economy, self.a.case.years)
        project_pension(self.a.pension, self.a.labour, self.demography, self.labour, self.economy)

    def _valuation(self):
        demography = stochastic_demography(self.a, self.n)
        labour = project_labour(self.a.labour, demography["population"])
        economy = project_economy(self.a.economy, self.a.case.years)
        return project_pension(self.a.pension, self.a.labour, demography, labour, economy)

    def time_valuation(self, scenarios, years):
        self._valuation()

    def peakmem_valuation(self, scenarios, years):
        self._valuation()

    def time_scheme(self, scenarios, years):
        project_pension(self.a.pension, self.a.labour, self.demography, self.labour, self.economy)
