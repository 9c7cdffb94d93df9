"""Benchmarks of stochastic valuations: Demoland's whole valuation (demography,
pension, employment injury, SPF, the debt with the reform) over N seeded
scenarios, in chunks.

Targets (issue 17, which tightens those of the issues "stochastic
projections" and "distributions of the headline results", 10 s and 1.5 GB):
the whole ``actuarial run --scenarios 1000`` in-process (``StochasticRun.time_run``
and ``peakmem_run``: the deterministic path, the scenarios, their fans and the
/stochastic node) in under 4 s and under 1 GB on 2 cores
(``StochasticValuation.time_scenarios(1000, 100)``, the scenarios alone, under
the same 4 s), and ``--keep-scenarios`` (the Zarr store written chunk by
chunk) adding no more than a chunk's worth. Measured on the 2-core
development machine (shared, so times are indicative), chunks of 125:
``StochasticRun.peakmem_run`` 1.03 GB, 1.06 GB with ``--keep-scenarios``
(the store's libraries and one chunk's summaries); with the earlier
chunks of 250, 1.74 GB and 1.77 GB (a chunk's stages dominate: ~5.4 MiB
a scenario). ``StochasticValuation.peakmem_scenarios`` 1,000: 1.03 GB at
chunks of 125, 1.73 GB at chunks of 250; 100 scenarios 872 MB.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from actuarial import pipeline
from actuarial.stochastic.scenarios import run_scenarios, scenario_draws

from . import pension as _pension


class StochasticValuation:
    params = [[100, 1000], [100]]
    param_names = ["scenarios", "years"]
    timeout = 600

    def setup(self, scenarios, years):
        self.a = _pension.demoland_for(scenarios, years)
        run_scenarios(self.a, 2, chunk=2)  # compile or load the kernels

    def time_scenarios(self, scenarios, years):
        run_scenarios(self.a, scenarios)

    def peakmem_scenarios(self, scenarios, years):
        run_scenarios(self.a, scenarios)

    def time_draws(self, scenarios, years):
        scenario_draws(self.a, 0, scenarios)


class StochasticRun:
    """``pipeline.run(..., scenarios=N)`` as ``actuarial run --scenarios N``
    does it, with and without keeping the scenarios (``--keep-scenarios``).
    Target (issue 17): 1,000 scenarios in under 4 s, peak under 1 GB.

    Peak RSS of the whole process (2 cores, 1,000 x 100 years, chunks of
    125): 1.03 GB, and 1.06 GB keeping the scenarios.
    """

    params = [[1000], [False, True]]
    param_names = ["scenarios", "keep"]
    timeout = 900

    def setup(self, scenarios, keep):
        self.a = _pension.demoland_for(scenarios, 100)
        run_scenarios(self.a, 2, chunk=2)  # compile or load the kernels
        self.folder = Path(tempfile.mkdtemp(prefix="bench-keep-"))

    def teardown(self, scenarios, keep):
        if hasattr(self, "folder"):  # not when setup skipped the benchmark (ASV_SKIP_SLOW)
            shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, scenarios, keep):
        store = self.folder / "scenarios.zarr" if keep else None
        if store is not None:
            shutil.rmtree(store, ignore_errors=True)
        pipeline.run(self.a, scenarios=scenarios, keep_scenarios=store)

    def peakmem_run(self, scenarios, keep):
        self._run(scenarios, keep)

    def time_run(self, scenarios, keep):
        self._run(scenarios, keep)
