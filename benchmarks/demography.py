"""Benchmarks of the demography stage: projection kernel, public path, Brass, life tables.

Targets (DESIGN/performance brief; issue 17):
- one deterministic 100-year projection under 5 ms warm, Dataset included
  (``Demoland.time_demoland_*``, ``ProjectPopulation.time_project_population(1, 100)``);
- ``project_population`` for 1,000 scenarios x 100 years under 80 ms
  (issue 17; ``ProjectPopulation.time_project_population(1000, 100)``);
- the kernel at 1,000 scenarios x 100 years within 1.2x the memory-bandwidth
  floor (issue 17: copying the same arrays, ``ProjectionKernel.time_copy_floor``)
  and faster than the numpy reference (``ProjectionKernel.time_kernel`` /
  ``time_reference`` / ``time_copy_floor``, read from one run);
- Brass for 1,000 scenarios x 100 years under 0.2 s (``Brass.time_brass``);
- peak memory of the 1,000-scenario run under 1 GB
  (``peakmem_*``: asv reports the whole process's peak RSS, inputs included).

Numba compile (or cache load) happens in ``setup`` by one warm-up call, so
it is never timed. ``ASV_SKIP_SLOW=1`` skips the 1,000-scenario cases.
One-scenario parameterisations run numba on one thread
(``one_thread_for_one_scenario``): a parallel kernel's second thread has no
scenario to work on and would only time the pool's wake-up.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from actuarial.demography import _kernels
from actuarial.demography.lifetable import survival
from actuarial.demography.mortality import brass_mx
from actuarial.demography.projection import project_population
from actuarial.demography.reference import project_reference

from . import (AGES, SEXES, _skip_slow, calendar_years, e0_targets, empty_outputs, kernel_inputs, mx_array,
               one_thread_for_one_scenario, projection_inputs, restore_threads, standard_mx)

REPO = Path(__file__).resolve().parents[1]
DEMOLAND = REPO / "assumptions" / "demoland.yaml"

SCENARIOS = [1, 100, 1000]
SLOW_SCENARIOS = 1000  # skipped under ASV_SKIP_SLOW=1
YEARS = [50, 100]
TIMING_END = 0  # _kernels.project: 0 = migrants at the end of the step (UN WPP)
STEP = 1.0


class ProjectionKernel:
    """The numba cohort-component kernel against the plain-numpy reference.

    Same inputs for both, so the kernel/reference ratio is read from one run.
    Outputs are allocated inside the timed call, as a real caller would.
    """

    params = [SCENARIOS, YEARS]
    param_names = ["scenarios", "years"]

    def setup(self, scenarios, years):
        if scenarios >= SLOW_SCENARIOS:
            _skip_slow()
        one_thread_for_one_scenario(self, scenarios)
        self.args = kernel_inputs(scenarios, years)
        self.shape = (scenarios, years)
        # warm-up on one scenario: same array types, so the same specialisation
        one = tuple(np.ascontiguousarray(a[:1]) for a in self.args)
        _kernels.project(*one, TIMING_END, STEP, *empty_outputs(1, years))

    def _kernel(self):
        pop, births, deaths = empty_outputs(*self.shape)
        _kernels.project(*self.args, TIMING_END, STEP, pop, births, deaths)
        return pop, births, deaths

    def time_kernel(self, scenarios, years):
        self._kernel()

    def teardown(self, scenarios, years):
        restore_threads(self)

    def time_reference(self, scenarios, years):
        project_reference(*self.args, TIMING_END, STEP)

    def time_copy_floor(self, scenarios, years):
        """Memory-bandwidth floor: read the inputs and write the outputs once
        (plain numpy copies of the same sizes); the kernel's target is 1.2x this."""
        pop, births, deaths = empty_outputs(*self.shape)
        pop0, S, asfr, srb, mig = self.args
        np.copyto(pop, S)
        np.copyto(deaths, mig)
        births[...] = srb[..., None]
        asfr.sum()  # read once

    def peakmem_kernel(self, scenarios, years):
        self._kernel()


class ProjectionKernelPreallocated:
    """Diagnostic: the kernel writing into outputs allocated (and touched) in setup.

    ``ProjectionKernel.time_kernel`` minus this is the cost of obtaining and
    first touching fresh output memory (page faults), which a caller pays.
    Kept apart from ``ProjectionKernel`` so its outputs do not inflate
    ``peakmem_kernel``.
    """

    params = [SCENARIOS, YEARS]
    param_names = ["scenarios", "years"]

    def setup(self, scenarios, years):
        if scenarios >= SLOW_SCENARIOS:
            _skip_slow()
        one_thread_for_one_scenario(self, scenarios)
        self.args = kernel_inputs(scenarios, years)
        self.outputs = empty_outputs(scenarios, years)
        _kernels.project(*self.args, TIMING_END, STEP, *self.outputs)  # warm-up, touches outputs

    def teardown(self, scenarios, years):
        restore_threads(self)

    def time_kernel_preallocated(self, scenarios, years):
        _kernels.project(*self.args, TIMING_END, STEP, *self.outputs)


class ProjectPopulation:
    """The public path from labelled inputs to the result Dataset.

    Includes the survival ratios and life expectancies from m_x, the kernel,
    building the Dataset and its indicators.

    Measured 2 December 2026 (commit 1193fbc, shared 2-core machine, load 7,
    medians of 5, in one process): 1,000 scenarios x 100 years 1.14 s CPU (2.9 s
    wall) on 1 numba thread, 1.58 s CPU (4.2 s wall) on 2; at load 1-1.5, 0.89 s on
    1 thread and 1.57 s wall on 2 (``survival_ratios`` 0.35 s / 0.42 s), against the
    80 ms target. cProfile: all but ~25 ms is ``_kernels.project_fused``; in it the
    survival ratios of the 200,000 life tables take 0.33 s CPU (``survival_ratios``
    alone: the Gompertz fit and open-age years, ~100 scalar libm log/exp calls a
    table, whose bits a vectorised exp/log would not reproduce), the rest the projection and
    the population pass over ~0.8 GB of freshly allocated outputs (the same work in
    chunks of 125 scenarios: 58 ms a chunk, 0.46 s for 1,000).
    """

    params = [SCENARIOS, YEARS]
    param_names = ["scenarios", "years"]

    def setup(self, scenarios, years):
        if scenarios >= SLOW_SCENARIOS:
            _skip_slow()
        one_thread_for_one_scenario(self, scenarios)
        self.inputs = projection_inputs(scenarios, years)
        warm = {k: (v.isel(scenario=[0]) if "scenario" in v.dims else v) for k, v in self.inputs.items()}
        project_population(**warm)

    def teardown(self, scenarios, years):
        restore_threads(self)

    def time_project_population(self, scenarios, years):
        project_population(**self.inputs)

    def peakmem_project_population(self, scenarios, years):
        project_population(**self.inputs)


class ProjectPopulationSharedMigration(ProjectPopulation):
    """As ``ProjectPopulation`` with net migration the same in every scenario,
    as the stochastic generators produce it (mortality, fertility and the
    economy vary by scenario; migration stays deterministic)."""

    def setup(self, scenarios, years):
        super().setup(scenarios, years)
        self.inputs["net_migration"] = self.inputs["net_migration"].isel(scenario=0, drop=True).copy()


class Demoland:
    """The deterministic 100-year Demoland case, through the pipeline (one scenario:
    numba on one thread, see the module docstring)."""

    def setup(self):
        one_thread_for_one_scenario(self, 1)
        from actuarial.assumptions import load_assumptions
        from actuarial.demography.inputs import demographic_inputs
        from actuarial.pipeline import run_demography

        self.run_demography = run_demography
        self.assumptions = load_assumptions(DEMOLAND)
        demo = self.assumptions.demography
        self.inputs = demographic_inputs(demo, self.assumptions.case.years)
        self.options = {"migration_timing": demo.migration.timing,
                        "working_ages": demo.working_ages, "old_age": demo.old_age}
        run_demography(self.assumptions)  # warm-up

    def teardown(self):
        restore_threads(self)

    def time_demoland_demography(self):
        """Assumptions -> inputs (Brass, laws) -> projection -> Dataset."""
        self.run_demography(self.assumptions)

    def time_demoland_project_population(self):
        """Only ``project_population`` from the Demoland inputs (built in setup)."""
        project_population(**self.inputs, **self.options)


class Brass:
    """Brass logit m_x from e_0 targets (scenario, 100 years, sex)."""

    params = [SCENARIOS]
    param_names = ["scenarios"]

    def setup(self, scenarios):
        if scenarios >= SLOW_SCENARIOS:
            _skip_slow()
        self.standard = standard_mx()
        self.e0 = e0_targets(scenarios, 100)
        brass_mx(self.standard, self.e0[:1, :1])  # warm-up

    def time_brass(self, scenarios):
        brass_mx(self.standard, self.e0)

    def peakmem_brass(self, scenarios):
        brass_mx(self.standard, self.e0)


class Survival:
    """Survival ratios and e_0, e_65 for 1,000 scenarios x 100 years x 2 sexes."""

    def setup(self):
        _skip_slow()
        y = calendar_years(100)
        self.mx = xr.DataArray(mx_array(1000, 100), dims=("scenario", "year", "sex", "age"),
                               coords={"year": y, "sex": SEXES, "age": AGES})
        survival(self.mx.isel(scenario=[0]))  # warm-up

    def time_survival(self):
        survival(self.mx)


class PopulationPass:
    """The projection's post-processing at 1,000 scenarios x 100 years: the sums of
    the indicators, unrealised emigration and the migration attrs' counts in one
    numba pass (``_kernels.population_pass``), beside the plain-numpy passes it
    replaced (issue 17: part of ``project_population``'s 80 ms budget)."""

    def setup(self):
        _skip_slow()
        args = kernel_inputs(1000, 100)
        self.pop, self.births, self.deaths = empty_outputs(1000, 100)
        self.realised = np.empty_like(self.pop)
        _kernels.project_capped(*args, TIMING_END, STEP, self.pop, self.births, self.deaths, self.realised)
        self.mig = args[-1]
        self.unrealised = np.empty_like(self.pop)
        _kernels.run_population_pass(self.pop, self.births, self.deaths, self.realised, self.mig,
                                     self.unrealised, (15, 15, 65, 65))  # warm-up

    def time_population_pass(self):
        _kernels.run_population_pass(self.pop, self.births, self.deaths, self.realised, self.mig,
                                     self.unrealised, (15, 15, 65, 65))

    def time_numpy_reference(self):
        pop = self.pop
        for lo, hi in ((0, 15), (15, 65), (65, 101), (0, 101)):
            pop[..., lo:hi].sum((-2, -1))
        self.births.sum(-1)
        self.deaths.sum((-2, -1))
        unrealised = self.realised - self.mig
        np.count_nonzero(pop < 0), pop.min(), unrealised.sum(), np.count_nonzero(unrealised > 0)


class ProjectFused:
    """The multi-scenario path of ``project_population`` at 1,000 scenarios x 100 years
    (capped migration): ``_kernels.project_fused`` (survival ratios, projection,
    population pass and q_x in one parallel loop over scenarios) beside the four
    kernels it fuses, run one after the other on the same inputs (the path before;
    same bits), so the ratio is read from one run. Outputs are allocated inside the
    timed calls, as ``project_population`` does; part of its 80 ms budget (issue 17)."""

    def setup(self):
        _skip_slow()
        inp = projection_inputs(1000, 100)
        self.mx = np.ascontiguousarray(inp["mx"].values.reshape(-1, AGES.size))
        self.female = np.arange(self.mx.shape[0]) % 2 == 0  # (scenario, year, sex) rows, female first
        self.pop0 = np.ascontiguousarray(inp["base_population"].values[None])
        self.asfr, self.srb, self.mig = (np.ascontiguousarray(inp[k].values) for k in ("asfr", "srb", "net_migration"))
        self.at = np.array([0, 65])
        self.time_fused()  # warm-up
        self.time_four_kernels()

    def _outputs(self):
        shape = (1000, 100, 2, AGES.size)
        return (np.empty(shape), np.empty((1000, 100, 2)), np.empty(shape), np.empty(shape), np.empty(shape),
                np.empty_like(self.mx), np.empty((self.mx.shape[0], 2)))

    def time_fused(self):
        pop, births, deaths, realised, unrealised, S, ex = self._outputs()
        arrays = (self.pop0, S.reshape(pop.shape), self.asfr, self.srb, self.mig)
        _kernels.run_project_fused(self.mx, self.female, S, ex, self.at, _kernels.OPEN_GOMPERTZ, arrays, TIMING_END,
                                   STEP, pop, births, deaths, realised, True, unrealised, (15, 15, 65, 65))

    def time_four_kernels(self):
        pop, births, deaths, realised, unrealised, S, ex = self._outputs()
        _kernels.survival_ratios(self.mx, self.female, S, ex, self.at, _kernels.OPEN_GOMPERTZ)
        _kernels.project_capped(self.pop0, S.reshape(pop.shape), self.asfr, self.srb, self.mig, TIMING_END, STEP,
                                pop, births, deaths, realised)
        _kernels.run_population_pass(pop, births, deaths, realised, self.mig, unrealised, (15, 15, 65, 65))
        _kernels.death_probability_inplace(S)
