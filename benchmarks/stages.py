"""Benchmarks of each stage of Demoland's deterministic run, one at a time (issue 17).

Target (issue 17): ``actuarial.run`` of Demoland, warm, in-process, under 25 ms
for demography, economy, labour, pension, employment injury, SPF and fiscal
space together (``pension.DemolandValuation.time_run``; the fiscal stage alone:
``fiscal_space.FiscalStage``; the distribution stage has its own budget,
``distribution``). Each stage here reads the other stages' results of the same
run (computed in setup) and builds its node once (``actuarial.arrays.dataset``);
the stage checks (``check_stage``) of all nodes are timed apart. One scenario:
numba on one thread (``one_thread_for_one_scenario``).

Measured (issue 17, branch det against the commit before it; 2-core machine
shared with other jobs, load 4.8-7.7; medians of 4 processes x 15 runs, the
processes alternating; ms, 1 numba thread): demography 10.2 -> 6.7, labour
1.6 -> 0.7, economy 0.3 -> 0.2, pension 39.1 -> 27.0, injury 26.0 -> 17.2,
spf 12.6 -> 9.3, checks 1.7 -> 1.3, fiscal stage 98.6 -> 46.9; ``actuarial.run``
266.7 -> 176.7, without the distribution stage 210.6 -> 124.4 (ratios 0.5-0.75;
the same results bit for bit). The busy machine inflates every figure about 3x
against the quiet figures of issue 17.
"""

from __future__ import annotations

import dataclasses

from . import one_thread_for_one_scenario, restore_threads
from .pension import DEMOLAND


class DemolandStages:
    """Demoland's stages, each from the others' results (setup): together, with
    the fiscal stage, under 25 ms (issue 17)."""

    params = ["demography", "labour", "economy", "pension", "injury", "spf", "checks"]
    param_names = ["stage"]

    def setup(self, stage):
        from actuarial.assumptions import load_assumptions
        from actuarial.checks import check_stage
        from actuarial.projection.economy import project_economy
        from actuarial.projection.employment_injury import project_injury
        from actuarial.projection.labour import project_labour
        from actuarial.projection.pension import project_pension
        from actuarial.projection.spf import project_spf
        from actuarial.stages import run_demography, stages

        one_thread_for_one_scenario(self, 1)
        a = load_assumptions(DEMOLAND)
        nodes = stages(dataclasses.replace(a, fiscal_space=None, distribution=None))
        demo, lab, eco = nodes["/demography"], nodes["/labour"], nodes["/economy"]
        employed = lab["employed"].sum(("sex", "age"), skipna=False)
        self.calls = {
            "demography": lambda: run_demography(a),
            "labour": lambda: project_labour(a.labour, demo["population"]),
            "economy": lambda: project_economy(a.economy, a.case.years, employed),
            "pension": lambda: project_pension(a.pension, a.labour, demo, lab, eco),
            "injury": lambda: project_injury(a.employment_injury, a.labour, demo, lab, eco),
            "spf": lambda: project_spf(a.spf, demo, eco, lab, nodes["/pension"], nodes["/employment_injury"]),
            "checks": lambda: [check_stage(p, ds, a.source, 0) for p, ds in nodes.items()],
        }
        for call in self.calls.values():
            call()

    def teardown(self, stage):
        restore_threads(self)

    def time_stage(self, stage):
        self.calls[stage]()
