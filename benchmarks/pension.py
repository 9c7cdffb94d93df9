"""Benchmarks of the valuation: demography + economy + labour + pension.

Targets (issue: pension valuation; issue 17):
- ``actuarial.run`` of Demoland, warm, in-process, every default stage (demography,
  economy, labour, pension, employment injury, SPF, fiscal space with its plan
  and fan) in under 25 ms, and never slower with 2 numba threads than with 1
  (issue 17; ``DemolandValuation.time_run`` at threads 1 and 2);
- 1,000 scenarios under 3 s on 2 cores with peak memory under 2 GB
  (``PensionScenarios.time_valuation`` / ``peakmem_valuation`` at 1000, 100);
- the scheme kernel's cost grows linearly in scenarios and years
  (``PensionScenarios.time_scheme`` over the parameter grid).
Numba compiles (or loads its cache) in ``setup``. One-scenario
parameterisations run numba on one thread (see ``one_thread_for_one_scenario``).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import xarray as xr

from actuarial.assumptions import load_assumptions
from actuarial.demography.inputs import demographic_inputs
from actuarial.demography.projection import project_population
from actuarial.pipeline import run
from actuarial.projection.economy import project_economy
from actuarial.projection.labour import project_labour
from actuarial.projection.pension import project_pension

from . import _skip_slow, one_thread_for_one_scenario, restore_threads, rng

DEMOLAND = Path(__file__).resolve().parents[1] / "assumptions" / "demoland.yaml"


class DemolandValuation:
    """The shipped Demoland case, deterministic: the whole pipeline, and the
    pension valuation alone (demography + economy + labour + pension), with numba
    on 1 and on 2 threads (issue 17: under 25 ms, and 2 threads never slower)."""

    params = [[1, 2]]
    param_names = ["threads"]

    def setup(self, threads):
        import numba

        if threads > numba.config.NUMBA_NUM_THREADS:
            raise NotImplementedError(f"skipped: numba has {numba.config.NUMBA_NUM_THREADS} thread(s)")
        self._numba_threads = numba.get_num_threads()
        numba.set_num_threads(threads)
        self.assumptions = load_assumptions(DEMOLAND)
        self.pension_only = dataclasses.replace(self.assumptions, spf=None, employment_injury=None,
                                                fiscal_space=None)
        run(self.assumptions)

    def teardown(self, threads):
        restore_threads(self)

    def time_run(self, threads):
        run(self.assumptions)

    def peakmem_run(self, threads):
        run(self.assumptions)

    def time_pension_valuation(self, threads):
        run(self.pension_only)


def stochastic_demography(assumptions, n_scenarios: int):
    """Demoland's projection with fertility and mortality levels drawn per scenario."""
    inputs = demographic_inputs(assumptions.demography, assumptions.case.years)
    g = rng(7)
    fert = xr.DataArray(g.lognormal(0.0, 0.1, n_scenarios), dims="scenario")
    mort = xr.DataArray(g.lognormal(0.0, 0.1, n_scenarios), dims="scenario")
    inputs["asfr"] = inputs["asfr"] * fert
    inputs["mx"] = inputs["mx"] * mort
    return project_population(**inputs, migration_timing=assumptions.demography.migration.timing)


def demoland_for(scenarios: int, years: int):
    """Demoland's assumptions over ``years`` years (slow sizes skippable)."""
    if scenarios == 1000:
        _skip_slow()
    a = load_assumptions(DEMOLAND)
    return dataclasses.replace(a, case=dataclasses.replace(a.case, horizon=years))


class PensionValuation:
    """Stochastic demography + labour + economy + pension, for N scenarios.

    Setup keeps only the assumptions (and compiles on one scenario), so that
    ``peakmem_valuation`` is the memory of one valuation.
    """

    params = [[1, 100, 1000], [50, 100]]
    param_names = ["scenarios", "years"]

    def setup(self, scenarios, years):
        self.a = demoland_for(scenarios, years)
        one_thread_for_one_scenario(self, scenarios)
        valuation(self.a, 1)

    def teardown(self, scenarios, years):
        restore_threads(self)

    def time_valuation(self, scenarios, years):
        valuation(self.a, scenarios)

    def peakmem_valuation(self, scenarios, years):
        valuation(self.a, scenarios)


def valuation(a, n_scenarios: int):
    demography = stochastic_demography(a, n_scenarios)
    labour = project_labour(a.labour, demography["population"])
    economy = project_economy(a.economy, a.case.years)
    return project_pension(a.pension, a.labour, demography, labour, economy)


class PensionScheme:
    """The pension stage alone (both kernel runs and the metrics) on given
    demography, labour and economy: its cost is linear in scenarios and years."""

    params = [[1, 100, 1000], [50, 100]]
    param_names = ["scenarios", "years"]

    def setup(self, scenarios, years):
        self.a = demoland_for(scenarios, years)
        one_thread_for_one_scenario(self, scenarios)
        self.demography = stochastic_demography(self.a, scenarios)
        self.labour = project_labour(self.a.labour, self.demography["population"])
        self.economy = project_economy(self.a.economy, self.a.case.years)
        self.time_scheme(scenarios, years)

    def teardown(self, scenarios, years):
        restore_threads(self)

    def time_scheme(self, scenarios, years):
        project_pension(self.a.pension, self.a.labour, self.demography, self.labour, self.economy)


DESIGN_FILES = {"defined_benefit": "demoland.yaml", "defined_contribution": "designs/demoland_dc.yaml",
                "points": "designs/demoland_points.yaml", "notional": "designs/demoland_ndc.yaml"}


class PensionDesigns:
    """The pension stage alone for each design (issue: other scheme designs), beside the
    defined-benefit scheme: each design within 1.5x of its time per scenario."""

    params = [list(DESIGN_FILES), [1, 100]]
    param_names = ["design", "scenarios"]

    def setup(self, design, scenarios):
        self.a = load_assumptions(DEMOLAND.parent / DESIGN_FILES[design])
        self.demography = stochastic_demography(self.a, scenarios)
        self.labour = project_labour(self.a.labour, self.demography["population"])
        self.economy = project_economy(self.a.economy, self.a.case.years)
        self.time_scheme(design, scenarios)

    def time_scheme(self, design, scenarios):
        project_pension(self.a.pension, self.a.labour, self.demography, self.labour, self.economy)
