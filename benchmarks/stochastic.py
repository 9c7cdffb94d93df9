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
from actuarial.stochastic.scenarios import chunk_nodes, run_chunk, run_scenarios, scenario_draws

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


def _threads(bench, threads: int) -> None:
    """numba on ``threads`` threads (at most the machine's) for the benchmark; undone by ``_restore``."""
    import numba

    bench._numba_threads = numba.get_num_threads()
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))


def _restore(bench) -> None:
    if hasattr(bench, "_numba_threads"):
        import numba

        numba.set_num_threads(bench._numba_threads)


class StochasticRunThreads:
    """``pipeline.run(..., scenarios=1000)`` (``actuarial run --scenarios 1000``,
    in-process) on 1 and 2 numba threads (the ``prange`` over a chunk's scenarios).
    Target (issue 17): under 4 s and a peak under 1 GB, and never slower on 2
    threads than on 1.

    Measured on the shared 2-core machine with 8 other jobs (load 7-10, so the
    wall times are 4-13x the process's CPU time and only the CPU seconds compare;
    interleaved runs, ``actuarial.run`` in-process, warm kernels), before -> after
    the chunk changes of issue 17 (chunks skip the accrued-to-date liability and
    the by-age SPF beneficiaries; the pooled injury kernel's claims on scalars,
    one award array): 1 thread 13.7 s -> 7.3 s CPU (injury 5.4 -> 2.7, pension
    4.7 -> 2.0, SPF 1.4 -> 0.5, demography 1.0 -> 0.8); 2 threads 16.2 s -> 9.6 s
    CPU; peak RSS 0.75 GB -> 0.69 GB (chunks of 125). Results identical.
    Then (the pooled injury claims on sector-summed coefficients, the chunks numbered
    and joined on their summaries only; interleaved with the commit before, medians
    of 3, load 5-7): 1 thread 9.1 s -> 7.2 s CPU, 2 threads 16.2 s -> 14.9 s wall;
    the CLI in-process 11.8-14.2 s -> 9.8-12.6 s wall at load 3.5-5, peak RSS 0.71 GB
    -> 0.72 GB. Every fan and /stochastic variable identical but the injury
    scheme's (cost and contribution rates, expenditure / GDP: <= 1.4e-15 relative).

    Where the time goes (2 December 2026, commit 1193fbc, ``pipeline.run`` in-process,
    warm kernels, chunks of 125, per-stage CPU timers; load 9-10): 1 thread 6.1 s CPU
    (16.4 s wall), 2 threads 6.2 s CPU (14.2 s wall), peak RSS 0.68-0.69 GB; on a
    quiet machine (load 0.3-0.7, two runs each) 1 thread 5.1-5.9 s CPU (= wall),
    2 threads 4.6 s wall (6.6-6.8 s CPU), the same peak. Of the
    6.1 s: pension 2.2 s (its kernel ~1.9 s: ``ChunkKernels``), employment injury
    1.9 s (kernel ~1.05 s, ``extend_qx`` of the life tables ~0.3 s, insurable wages
    ~0.1 s), demography 0.8 s (the four kernels ~0.45 s), SPF 0.5 s (the eligible
    persons' by-age products ~0.35 s), draws 0.2 s, stage checks 0.2 s, labour 0.1 s,
    summaries, fans and the tree ~0.2 s. The pension kernel's reductions over credits
    are vectorised by ``fastmath`` (zmm, 32 lanes a step; rows of the credit triangle
    shorter than that run scalar), so their order, hence the last bits, follows the
    loop structure: rewriting those loops changes every pension result, the
    deterministic path's included (a buffer swap instead of the copy back measured
    slower and changed bits). Chunks of 64 or 100 instead of 125 measured within the
    noise (4.7-4.8 s vs 5.0 s CPU for the scenarios alone, interleaved, load 10).
    """

    params = [[1000], [1, 2]]
    param_names = ["scenarios", "threads"]
    timeout = 900

    def setup(self, scenarios, threads):
        self.a = _pension.demoland_for(scenarios, 100)
        _threads(self, threads)
        run_scenarios(self.a, 2, chunk=2)  # compile or load the kernels

    def teardown(self, scenarios, threads):
        _restore(self)

    def time_run(self, scenarios, threads):
        pipeline.run(self.a, scenarios=scenarios)

    def peakmem_run(self, scenarios, threads):
        pipeline.run(self.a, scenarios=scenarios)


class StochasticChunk:
    """One chunk (``stochastic.chunk``: 125 scenarios x 100 years) of Demoland's
    stages as a stochastic run projects them (``chunk_nodes``: the injury
    pensioners pooled, no coverage series, no accrued-to-date liability), on 1
    and 2 numba threads. Target (issue 17): 1,000 scenarios in 4 s leave about
    0.45 s a chunk (8 chunks, the deterministic path and the fans beside them).
    """

    params = [[1, 2]]
    param_names = ["threads"]
    timeout = 300

    def setup(self, threads):
        from actuarial.stochastic.scenarios import central_fiscal, for_scenarios

        a = _pension.demoland_for(1000, 100)
        self.central = central_fiscal(a)
        self.a = for_scenarios(a)
        self.chunk = self.a.stochastic.chunk
        _threads(self, threads)
        run_scenarios(self.a, 2, chunk=2)

    def teardown(self, threads):
        _restore(self)

    def time_chunk(self, threads):
        chunk_nodes(self.a, 0, self.chunk, self.central)

    def peakmem_chunk(self, threads):
        chunk_nodes(self.a, 0, self.chunk, self.central)

    def time_chunk_summaries(self, threads):
        """What a run computes of a chunk: its stages and summaries (``run_chunk``), the
        scenarios numbered on the summaries only."""
        run_chunk(self.a, 0, self.chunk, self.central)


def _chunk_kernel_args(assumptions, count: int) -> dict:
    """The arguments of the pension and employment-injury kernels of one chunk of
    ``count`` scenarios (``chunk_nodes``), recorded as the stages call them:
    name -> (kernel, inputs, outputs as given, zeroed; the kernels add into them)."""
    import numpy as np
    from unittest import mock

    from actuarial.projection import _injury_kernels, _pension_kernels

    calls = {}
    kernels = {"pension": (_pension_kernels, "run_scheme", "project_scheme", 21),
               "injury": (_injury_kernels, "run_injury", "project_injury", 19)}
    patches = []
    for name, (module, runner, kernel, first_output) in kernels.items():
        def record(*args, _name=name, _run=getattr(module, runner), _k=getattr(module, kernel), _o=first_output):
            calls[_name] = (_k, args[:_o], [np.zeros_like(a) for a in args[_o:]])
            return _run(*args)
        patches.append(mock.patch.object(module, runner, record))
    for p in patches:
        p.start()
    try:
        chunk_nodes(assumptions, 0, count, None)
    finally:
        for p in patches:
            p.stop()
    return calls


class ChunkKernels:
    """The two kernels that take most of a stochastic chunk (issue 17 profile of
    ``actuarial run demoland.yaml --scenarios 1000``): the pension scheme
    (``_pension_kernels.project_scheme``) and the employment-injury scheme
    (``_injury_kernels.project_injury``, pensioners pooled) on one chunk of
    Demoland (125 scenarios x 100 years), on 1 and 2 numba threads, outputs
    allocated in the timed call as the stages do. Beside them, the plain-numpy
    floor of each: its outputs zeroed and its by-age inputs read once
    (``time_*_floor``), so the distance from memory traffic is read from one run.

    Measured 2 December 2026 on the shared 2-core machine (commit 1193fbc): at load
    7-10, CPU time of the kernel alone on 1 thread, medians of 5, pension 176-243 ms
    a chunk (8 chunks: 1.4-1.9 s of the 6.1-7.0 s CPU of the whole 1,000-scenario
    run), injury 113-150 ms (0.9-1.2 s); at load 1-2.5 (``asv run --quick``, wall)
    pension 367 ms on 1 thread, 360 ms on 2 (floor 8 ms), injury 183 / 181 ms (floor
    4 ms); pre-faulting the pension outputs (83 MB) saves only ~17 ms of 255 ms.
    """

    params = [[1, 2]]
    param_names = ["threads"]
    timeout = 300

    def setup(self, threads):
        from actuarial.stochastic.scenarios import for_scenarios

        a = for_scenarios(_pension.demoland_for(1000, 100))
        _threads(self, threads)
        run_scenarios(a, 2, chunk=2)  # compile or load the kernels
        self.calls = _chunk_kernel_args(a, a.stochastic.chunk)

    def teardown(self, threads):
        _restore(self)

    def _kernel(self, name):
        import numpy as np

        kernel, inputs, outputs = self.calls[name]
        kernel(*inputs, *(np.zeros_like(o) for o in outputs))

    def _floor(self, name):
        import numpy as np

        _, inputs, outputs = self.calls[name]
        for o in outputs:
            np.zeros_like(o).fill(0.0)  # touched once, as the kernel writes it
        for a in inputs:
            if isinstance(a, np.ndarray) and a.ndim == 4:
                a.sum()  # read once

    def time_pension_kernel(self, threads):
        self._kernel("pension")

    def time_pension_floor(self, threads):
        self._floor("pension")

    def time_injury_kernel(self, threads):
        self._kernel("injury")

    def time_injury_floor(self, threads):
        self._floor("injury")
