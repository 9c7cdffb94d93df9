"""Valuation batches on dask.distributed: many cases, a few a task.

``run_batch(files, output)`` runs every case of the case files and sensitivity
grids (``actuarial.grid``) on a dask cluster, a ``LocalCluster`` of worker
processes by default or an existing one (``scheduler="tcp://host:8786"``), and
writes under ``output``:

- ``cases/<case>.npz``: each case's results tree (with its assumptions hash
  and the engine version), written atomically as soon as its task finishes:
  the batch's checkpoint, from which a rerun resumes. A file that cannot run
  code (``actuarial.checkpoint``: arrays and JSON, read without pickle) with
  a hash of its own content checked before use; about 20 ms to write and
  5 ms to check for a 100-year Demoland case (a NetCDF file per case would
  cost more than running it);
- ``batch.nc``: every node (``/demography``, ``/pension``, ...) with the
  cases concatenated along a ``case`` dimension (outer join on years; a
  node holds the cases that produced it), with ``assumptions_hash`` and
  ``file`` coordinates along ``case``;
- ``failures.csv``: ``case, file, error`` of every case that failed (header
  only when none did), also printed as it happens;
- ``cases.csv``: every case with its status (ran, skipped, failed).

Who does what: the client loads and validates each case (a file that fails
validation becomes a failure row, the batch goes on) and ships the typed
``Assumptions`` to a worker, a few cases a task (``cases_task``,
``_cases_per_task``); the worker runs ``pipeline.run`` and returns each
case's checkpoint bytes and the part of its tree the summary reads
(``case_task``); the client writes the bytes atomically and keeps their
arrays (``checkpoint.Contents``), from which it stacks ``batch.nc``. A survey shared by the
cases (Demoland's ``distribution`` section) is read once (``surveys_cached``)
and sent once to each worker, not inside every case (``without_survey``). So the workers need no shared filesystem with the client
(neither for inputs nor for outputs) and only one process writes into
``output``.

Failures are isolated: a case's exception is reported with its case and the
batch goes on. A case is tried once more after an exception (as dask's
``retries=1`` would: transient errors; a deterministic one just fails
twice). A worker that dies does not count as a task error: the scheduler
reruns its tasks elsewhere, and reports ``KilledWorker`` for a task's cases
only after its worker died ``distributed.scheduler.allowed-failures`` times
(3 by default).

A rerun skips the cases already done: ``cases/<case>.npz`` exists, passes
its content check and holds the ``assumptions_hash`` and ``engine_version``
of the case as it is now (``Assumptions.digest``), so an edited case runs
again. A checkpoint that fails its check (edited, truncated, not one), or a
``cases/<case>.pkl`` of an earlier version (never opened: a pickle can run
code), is reported on ``stream`` and in ``BatchResult.rejected`` and its case
runs again.
``batch.nc`` is rebuilt (from the per-case files of the skipped cases) unless
its ``batch_digest`` attribute says it already holds exactly these cases.
The client holds every case's checkpoint until ``batch.nc`` is written (about
2.5 MB a 100-year Demoland case, twice that while combining).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import logging
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import dask
import numpy as np
import xarray as xr

from actuarial.arrays import single_threaded
from actuarial.assumptions.distribution import surveys_cached
from actuarial.checkpoint import (CheckpointError, Contents, checkpoint_bytes, checkpoint_contents, read_checkpoint,
                                  read_contents)
from actuarial.compare import headline_tree
from actuarial.errors import AssumptionError
from actuarial.grid import CaseSpec, case_specs, is_fiscal_only
from actuarial.output import atomic_path, folder_lock, write_results
from actuarial.pipeline import run
from actuarial.stochastic.scenarios import RETRIES
from actuarial.version import __version__



@dataclass
class BatchResult:
    """What a batch did; ``cases`` are those in ``batch.nc``, in input order."""

    output: Path
    cases: list[str] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (case, file, error)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (checkpoint, why): its case ran again
    combined: Path | None = None
    seconds: float = 0.0
    not_cases: list[str] = field(default_factory=list)  # standalone fiscal-space files, not run


def run_case(assumptions) -> xr.DataTree:
    """The task: run one case and return its results tree.

    The numba kernels run on one thread (this task's): a batch's parallelism
    is across cases, and a deterministic case has one scenario to spread.
    """
    with single_threaded():
        return run(assumptions)


def case_task(runner, assumptions, survey=None) -> tuple[bytes, xr.DataTree]:
    """A case as a dask task: the checkpoint's bytes (``actuarial.checkpoint``) of
    ``runner(assumptions)`` (``run_case``)'s tree, built here on the worker, and
    what the batch summary reads of the tree (``compare.headline_tree``).
    ``survey``: the case's survey, when the client sent it apart
    (``without_survey``: the same object for the cases that share it).

    The tree itself is not sent: the client writes the bytes as they are and
    stacks ``batch.nc`` from their arrays (``combine`` of ``Contents``), so a
    case is serialised once, in parallel on the workers (about 10 ms a
    Demoland case), and not pickled again beside it (issue 17: about 12 ms
    more on the worker, 5-10 ms on the client to unpickle, twice the bytes
    on the wire).
    """
    if survey is not None:
        assumptions = with_survey(assumptions, survey)
    tree = runner(assumptions)
    return _checkpoint_bytes(tree), headline_tree(tree)


def cases_task(runner, cases: list) -> list:
    """Several cases as one dask task: for each ``(assumptions, survey)``,
    ``case_task``'s result, or the one-line message of its error (``_message``)
    after one more try (as dask's ``retries=1`` does for a task): a case's
    error fails that case only. One task for a few cases spares the worker,
    the scheduler and the client their per-task work (``_cases_per_task``)."""
    out = []
    for assumptions, survey in cases:
        for attempt in range(RETRIES + 1):
            try:
                out.append(case_task(runner, assumptions, survey))
                break
            except Exception as exc:  # noqa: BLE001 (reported with its case, the batch goes on)
                if attempt == RETRIES:
                    out.append(_message(exc))
    return out


# at most this many cases a task: fewer tasks (about 20 ms of dask's work each, on the worker and on the
# client, against 100 ms a Demoland case; issue 17), yet enough of them to keep every worker busy to the end
CASES_PER_TASK = 4


def _cases_per_task(cases: int, client) -> int:
    """Cases a task: up to ``CASES_PER_TASK``, and at least 4 tasks a worker thread (the last
    tasks of a batch end about together: a worker idles at most a task's time)."""
    threads = max(1, sum(client.nthreads().values()))
    return max(1, min(CASES_PER_TASK, cases // (4 * threads)))


def without_survey(assumptions):
    """``(assumptions without their survey, the survey)``; ``(assumptions, None)`` without a
    ``distribution`` section. A batch sends a survey that its cases share once to each worker
    (``client.scatter``) instead of inside every case (Demoland's: 0.69 of a case's 0.80 MB
    pickled, issue 17); ``with_survey`` puts it back, on the worker."""
    if assumptions.distribution is None:
        return assumptions, None
    return with_survey(assumptions, None), assumptions.distribution.survey


def with_survey(assumptions, survey):
    """The assumptions with ``survey`` as their distribution section's survey (``without_survey``'s inverse)."""
    return replace(assumptions, distribution=replace(assumptions.distribution, survey=survey))


# dask settings of a local cluster's worker processes: glibc's malloc as in this process. Dask's
# nanny sets MALLOC_TRIM_THRESHOLD_=65536 in its workers, which also fixes glibc's mmap threshold at
# 128 KiB: every array of a chunk (a scenario chunk's are ~20 MB) is then mapped and unmapped again,
# page-faulting each time (a 125-scenario Demoland chunk: 64,000 minor faults instead of 11,000, its
# CPU time 1.2-1.4x the same chunk's in this process; issue 17). Unset, the workers' allocator reuses
# freed memory as this process's does (their memory between chunks stays at about a chunk's peak).
LOCAL_CLUSTER_CONFIG = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
FORK = "distributed.worker.multiprocessing-method"


def local_cluster_config() -> dict:
    """Dask settings while a local cluster's workers start: ``LOCAL_CLUSTER_CONFIG`` and, where
    safe (``can_fork``), workers forked from this process instead of spawned.

    A spawned worker starts a new interpreter and imports distributed and the
    engine (about 1.9 s CPU each, issue 17: on 2 cores, 2 workers' imports
    cost about as much wall time as the scenarios they then compute); a forked
    one shares this process's imported modules (0.25 s for the cluster of 2,
    against 1.3 s; the first chunk's CPU 2.2 -> 0.9 s a worker, which then
    only loads its kernels from numba's cache). The setting holds while the
    cluster starts: a worker restarted later (after one died) is spawned.
    """
    if can_fork():
        return {**LOCAL_CLUSTER_CONFIG, FORK: "fork"}
    return LOCAL_CLUSTER_CONFIG


def can_fork() -> bool:
    """Whether worker processes can be forked from this one: on Linux, the engine imported
    (what they inherit), and numba's thread pool not yet started here (GNU OpenMP,
    numba's ``omp`` layer, cannot be used in a child forked after its parent used it)."""
    import multiprocessing

    if not sys.platform.startswith("linux") or "fork" not in multiprocessing.get_all_start_methods():
        return False
    try:
        from numba.np.ufunc import parallel
    except ImportError:  # another numba: do not guess
        return False
    return getattr(parallel, "_is_initialized", True) is False


@contextlib.contextmanager
def connect(workers: int = 2, scheduler: str | None = None, timeout: float = 10.0):
    """A ``distributed.Client``: to ``scheduler`` if given, else to a new
    ``LocalCluster`` of ``workers`` processes (closed on exit).

    A scheduler that does not answer within ``timeout`` seconds, or whatever
    else answers at that address (``probe_scheduler``), raises
    ``AssumptionError`` (one line for the CLI, no traceback). The local
    cluster's worker processes ignore SIGINT: Ctrl-C reaches this process only,
    which stops the batch and closes the cluster (no worker tracebacks). They
    are forked from this process where that is safe (``local_cluster_config``).
    """
    from distributed import Client, LocalCluster

    if scheduler:
        probe_scheduler(scheduler, timeout)
        try:
            client = Client(scheduler, timeout=timeout, set_as_default=False)
        except Exception as exc:  # noqa: BLE001 (whatever the address answered)
            raise _no_scheduler(scheduler, timeout, exc) from None
        with client:
            yield client
        return
    if workers < 1:
        raise AssumptionError(None, "--workers", f"expected at least 1 worker, got {workers}")
    # One thread per worker process (dask's nanny also pins BLAS/OpenMP pools to
    # one thread): a batch's parallelism is across cases. The workers' own logs
    # are silenced: a case's error is reported once, by the batch, with its name.
    # No dashboard; the scheduler's HTTP routes on a free port, not 8787.
    _import_engine()  # what forked workers inherit
    sys.stdout.flush()  # a forked child would print again what is still buffered
    sys.stderr.flush()
    with _sigint_ignored(), dask.config.set(local_cluster_config()):  # inherited by the workers started now
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, scheduler_kwargs={"dashboard_address": ":0"},
                               silence_logs=logging.CRITICAL)
    interrupted = contextlib.ExitStack()
    with interrupted, cluster, Client(cluster, set_as_default=False) as client:
        warm(client)
        try:
            yield client
        except KeyboardInterrupt:  # closing the cluster is not interrupted by a second Ctrl-C
            interrupted.enter_context(_sigint_ignored())
            raise


def _import_engine() -> None:
    """The engine's modules imported in this process (a worker's first task then runs at once)."""
    import actuarial.pipeline  # noqa: F401 (every stage, the scenarios, fiscal space)


def warm(client) -> None:
    """Each worker of a new cluster imports the engine now, while the client
    loads the cases or computes the deterministic path (issue 17: cold
    workers); not awaited: a case sent meanwhile simply runs after it."""
    from distributed import fire_and_forget

    for address in client.scheduler_info()["workers"]:
        fire_and_forget(client.submit(_import_engine, workers=[address], allow_other_workers=False,
                                      pure=False, key=f"warm-{address}"))


def probe_scheduler(address: str, timeout: float) -> None:
    """Ask ``address`` who it is (dask's ``identity`` message) within ``timeout``
    seconds in all; ``AssumptionError`` unless a dask scheduler answers.

    ``distributed.Client`` bounds the TCP connection by its ``timeout`` but not
    the handshake after it: a listener that accepts and stays silent holds it
    for ever, and one that sends other bytes can make it allocate what their
    first 8 bytes say. Here every step is under one deadline, in a thread of
    its own (so that it works whether or not the caller runs an event loop).
    """
    import asyncio
    import threading

    outcome: list = []

    async def ask():
        from distributed.comm import connect as comm_connect

        comm = await comm_connect(address, timeout=timeout)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    def target():
        try:
            outcome.append(asyncio.run(asyncio.wait_for(ask(), timeout)))
        except BaseException as exc:  # noqa: BLE001 (reported below, in the caller's thread)
            outcome.append(exc)

    thread = threading.Thread(target=target, name="probe-scheduler", daemon=True)
    thread.start()
    thread.join(timeout + 1.0)
    answer = outcome[0] if outcome else TimeoutError(f"no answer in {timeout:g} s")
    if isinstance(answer, (MemoryError, OverflowError)):  # frame lengths read from a stranger's bytes
        answer = "it answered, but not in dask's protocol"
    if isinstance(answer, BaseException):
        if isinstance(answer, asyncio.TimeoutError):
            answer = TimeoutError(f"no answer in {timeout:g} s")
        raise _no_scheduler(address, timeout, answer)
    if not (isinstance(answer, dict) and answer.get("type") == "Scheduler"):
        raise _no_scheduler(address, timeout, f"it answered, but not as a dask scheduler: {answer!r:.80}")


def _no_scheduler(address: str, timeout: float, why) -> AssumptionError:
    text = _message(why) if isinstance(why, BaseException) else str(why)
    return AssumptionError(address, "--scheduler", f"no dask scheduler answered within {timeout:g} s ({text})")


@contextlib.contextmanager
def _sigint_ignored():
    """SIGINT ignored while the block runs (in the main thread; elsewhere a no-op):
    processes started meanwhile inherit it (Python leaves an ignored SIGINT ignored)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _sigint_latched():
    """Ctrl-C while the block runs raises ``KeyboardInterrupt`` and is also
    remembered: a ``KeyboardInterrupt`` raised inside a callback (a garbage
    collector's or dask's, which swallow it) is raised again by the function
    this yields, called between cases (in the main thread; elsewhere a no-op)."""
    import signal
    import threading

    latched = []

    def check():
        if latched:
            raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield check
        return

    def handler(signum, frame):
        latched.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield check
    finally:
        signal.signal(signal.SIGINT, previous)


def run_batch(files=(), output="out", *, grids=(), workers: int = 2, scheduler: str | None = None,
              client=None, timeout: float = 10.0, quiet: bool = False, on_result=None,
              stream=None, cases_per_task: int | None = None) -> BatchResult:
    """Run the cases of ``files`` (case or grid files) and ``grids`` (grid files).

    ``client``: an existing ``distributed.Client`` (else one from ``connect``).
    ``on_result(case, status)`` is called as each case ends ("ran", "skipped"
    or "failed"). Failures are printed to ``stream`` (default stderr) as they
    happen; ``quiet`` hides the progress bar. Grid-file errors and an
    unreachable scheduler raise ``AssumptionError`` before any case runs.
    ``cases_per_task``: how many cases a task runs (``cases_task``; default
    ``_cases_per_task``); the results are the same however they are split.
    """
    start = time.perf_counter()
    trees_cache: dict = {}
    not_cases = [str(f) for f in files if is_fiscal_only(f)]
    for f in not_cases:  # e.g. ``actuarial batch assumptions/*.yaml`` with the fiscal-space example
        print(f"skipped: {f}: a standalone fiscal-space file, not a valuation case (run it with "
              f"`actuarial fiscal {f}`)", file=stream or sys.stderr)
    specs = case_specs([f for f in files if str(f) not in not_cases], grids, trees_cache)
    if not specs:
        raise AssumptionError(None, "FILES", "expected at least one case or grid file")
    output = Path(output)
    # one batch at a time in a folder (locked once the cluster answers); a killed one's .part files go
    if client is None:
        with connect(workers, scheduler, timeout) as own, folder_lock(output), _sigint_latched() as interrupted, \
                surveys_cached():
            result = _run(specs, output, own, trees_cache, quiet, on_result, stream, interrupted, cases_per_task)
    else:
        with folder_lock(output), _sigint_latched() as interrupted, surveys_cached():
            result = _run(specs, output, client, trees_cache, quiet, on_result, stream, interrupted,
                          cases_per_task)
    result.seconds = time.perf_counter() - start
    result.not_cases = not_cases
    return result


def _run(specs: list[CaseSpec], output: Path, client, trees_cache, quiet, on_result, stream,
         interrupted=lambda: None, cases_per_task: int | None = None) -> BatchResult:
    from distributed import as_completed
    from tqdm import tqdm

    stream = stream or sys.stderr
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AssumptionError(output, "-o", f"cannot create the output folder ({exc.strerror or exc})") from None
    result = BatchResult(output)
    contents: dict[str, Contents] = {}  # each case's checkpoint, for batch.nc
    heads: dict[str, xr.DataTree] = {}  # what the summary reads of each case (compare.headline_tree)
    rows: list[dict] = []  # cases.csv, in input order
    by_case: dict[str, dict] = {}  # case -> its row, for the cases that loaded
    pending = {}  # future -> [(spec, assumptions) of each case of its task]
    waiting: list = []  # loaded cases not yet sent: (spec, assumptions, sent, survey)
    per_task = cases_per_task or _cases_per_task(len(specs), client)
    surveys: dict = {}  # id(survey) -> (survey, its scattered future): each sent once
    bar = tqdm(total=len(specs), unit="case", file=stream, disable=quiet or not _isatty(stream),
               dynamic_ncols=True)

    def fail(case, spec: CaseSpec, error: str, row: dict | None = None):
        result.failures.append((case, str(spec.file), error))
        if row is None:
            row = {"case": case, "file": str(spec.file), "assumptions_hash": ""}
            rows.append(row)
        row["status"] = "failed"
        where = "" if error.startswith(str(spec.file)) else f" ({spec.file})"
        bar.write(f"failed: {case}{where}: {error}", file=stream)
        ended(case, "failed")

    def ended(case, status):
        bar.update(1)
        if on_result is not None:
            on_result(case, status)

    def submit():
        """The loaded cases waiting, as one task."""
        if not waiting:
            return
        first = waiting[0][1]
        key = f"case-{first.case.name}-{first.digest}" + (f"+{len(waiting) - 1}" if len(waiting) > 1 else "")
        future = client.submit(cases_task, run_case, [(sent, survey) for _, _, sent, survey in waiting], key=key,
                               pure=False, retries=RETRIES)
        pending[future] = [(spec, assumptions) for spec, assumptions, _, _ in waiting]
        done.add(future)
        waiting.clear()

    def received(spec, case, outcome):
        """A case's outcome from its task: ``case_task``'s result, or the error's message."""
        if isinstance(outcome, str):
            fail(case, spec, outcome, by_case[case])
            return
        data, head = outcome
        try:
            _write_checkpoint_bytes(_case_path(output, case), data)
        except OSError as exc:
            fail(case, spec, f"cannot write results ({exc.strerror or exc})", by_case[case])
            return
        contents[case] = checkpoint_contents(data)  # its own worker's bytes: the check passes
        heads[case] = head
        result.ran.append(case)
        by_case[case]["status"] = "ran"
        ended(case, "ran")

    try:
        done = as_completed(loop=client.loop)
        for spec in specs:
            try:
                assumptions = spec.load(trees_cache)
            except Exception as exc:  # noqa: BLE001 (one bad case never stops the batch)
                fail(spec.label, spec, _message(exc))
                continue
            case = assumptions.case.name
            if case in by_case:
                fail(case, spec, f"duplicate case name (also from {by_case[case]['file']})")
                continue
            row = by_case[case] = {"case": case, "file": str(spec.file), "assumptions_hash": assumptions.digest,
                                   "point": spec.point}
            rows.append(row)
            done_before, problem = _done(_case_path(output, case), assumptions.digest)
            if problem is not None:
                result.rejected.append(problem)
                bar.write(f"warning: checkpoint {problem[0]} {problem[1]}: {case} runs again", file=stream)
            if done_before:
                result.skipped.append(case)  # its tree is read only if batch.nc needs rebuilding
                row["status"] = "skipped"
                ended(case, "skipped")
                continue
            sent, survey = without_survey(assumptions)
            if survey is not None:  # one copy a worker of a survey the cases share (surveys_cached)
                if id(survey) not in surveys:
                    surveys[id(survey)] = (survey, client.scatter(survey, broadcast=True, hash=False))
                survey = surveys[id(survey)][1]
            waiting.append((spec, assumptions, sent, survey))
            if len(waiting) == per_task:
                submit()
        submit()

        for future in done:
            interrupted()  # a Ctrl-C that a callback swallowed stops the batch here
            sent_cases = pending.pop(future)
            try:
                outcomes = future.result()
            except Exception as exc:  # noqa: BLE001 (the task's error, or KilledWorker: all its cases)
                outcomes = [_message(exc)] * len(sent_cases)
            finally:
                future.release()
            for (spec, assumptions), outcome in zip(sent_cases, outcomes):
                received(spec, assumptions.case.name, outcome)
        interrupted()
    finally:
        bar.close()

    ok = set(contents) | set(result.skipped)
    result.cases = [c for c in by_case if c in ok]  # input order, whatever the completion order
    combined = output / "batch.nc"
    try:
        _write_csv(output / "failures.csv", ("case", "file", "error"), result.failures)
        _write_csv(output / "cases.csv", ("case", "file", "status", "assumptions_hash"),
                   [(r["case"], r["file"], r["status"], r["assumptions_hash"]) for r in rows])
        if result.cases:
            digest = _batch_digest([(c, by_case[c]["assumptions_hash"], by_case[c]["file"])
                                    for c in result.cases])
            if result.ran or _root_attrs(combined, "batch_digest") != (digest,):
                for c in result.skipped:
                    contents[c], heads[c] = _read_case(_case_path(output, c))
                left_out: list = []
                tree = combine({c: contents[c] for c in result.cases},
                               files={c: by_case[c]["file"] for c in result.cases}, errors=left_out,
                               grid={c: by_case[c]["point"] for c in result.cases})
                for path, error in left_out:
                    print(f"warning: {path} left out of {combined} (its cases' own files have it): "
                          f"{error}", file=stream)
                tree.attrs["batch_digest"] = digest
                with dask.config.set(scheduler="synchronous"):  # not a distributed.Lock: see run_case
                    write_results(tree, combined)
                write_summary_csv(output / SUMMARY, {c: heads[c] for c in result.cases},
                                  {c: by_case[c] for c in result.cases})
            elif not (output / SUMMARY).is_file():
                write_summary_csv(output / SUMMARY, {c: _read_case(_case_path(output, c))[1] for c in result.cases},
                                  {c: by_case[c] for c in result.cases})
            result.combined = combined  # (or unchanged: the same cases, all done before)
        else:
            combined.unlink(missing_ok=True)  # no stale combined file from an earlier batch
    except OSError as exc:
        raise AssumptionError(output, "-o", f"cannot write results ({exc.strerror or exc})") from None
    return result


def _case_path(output: Path, case: str) -> Path:
    return output / "cases" / f"{case}.npz"


def _legacy_path(target: Path) -> Path:
    """Where an earlier version kept the checkpoint: a pickle, never opened."""
    return target.with_suffix(".pkl")


def _checkpoint_bytes(tree: xr.DataTree) -> bytes:
    return checkpoint_bytes(tree, {"assumptions_hash": tree.attrs.get("assumptions_hash"),
                                   "engine_version": tree.attrs.get("engine_version")})


def _write_checkpoint_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    _legacy_path(target).unlink(missing_ok=True)  # replaced: not reported again


def _done(target: Path, digest: str) -> tuple[bool, tuple[str, str] | None]:
    """Whether ``target`` holds results of assumptions ``digest`` from this
    engine version, and ``(path, why)`` when a checkpoint there was refused."""
    legacy = _legacy_path(target)
    if not target.exists() and not target.is_symlink():
        if legacy.exists() or legacy.is_symlink():
            return False, (str(legacy), "is a pickle of an earlier version, not loaded (a pickle can run "
                                        "code)")
        return False, None
    try:
        _, meta = read_checkpoint(target, tree=False)
    except CheckpointError as exc:
        return False, (str(target), f"refused: {exc}")
    return (meta.get("assumptions_hash"), meta.get("engine_version")) == (digest, __version__), None


def _root_attrs(path: Path, *names) -> tuple:
    """Attributes of a NetCDF file's root group (None for each one absent, or
    all when the file is missing or unreadable)."""
    import netCDF4

    if not path.is_file():
        return (None,) * len(names)
    try:
        with netCDF4.Dataset(path) as nc:
            present = nc.ncattrs()
            return tuple(nc.getncattr(n) if n in present else None for n in names)
    except OSError:  # unreadable (not NetCDF): the case runs again
        return (None,) * len(names)


def _read_case(path: Path) -> tuple[Contents, xr.DataTree]:
    """A done case's checkpoint and what the summary reads of it (checked again:
    the file may have changed since; building its tree checks every node)."""
    try:
        contents = read_contents(path)
        return contents, headline_tree(contents.tree())
    except CheckpointError as exc:
        raise AssumptionError(path, "", f"checkpoint changed during the batch ({exc}); "
                                        "run the batch again") from None


def _batch_digest(entries: list) -> str:
    """Identifies the contents of ``batch.nc``: its cases, their assumptions and files."""
    return hashlib.sha256(json.dumps([__version__, entries]).encode()).hexdigest()[:16]


def combine(trees: dict[str, xr.DataTree | Contents], files: dict[str, str] | None = None,
            errors: list | None = None, grid: dict[str, tuple] | None = None) -> xr.DataTree:
    """Each node of the cases' trees concatenated along a new ``case``
    dimension (the last one: DESIGN's order of dimensions). A case is its
    results tree or its checkpoint's ``Contents`` (a batch's: when all are,
    the arrays are stacked from the checkpoints' buffers, ``_stack_contents``,
    without building each case's Datasets).

    Years are outer-joined (a case with a shorter horizon gets NaN after its
    end), as are dimensions without coordinates, by position (e.g. rows of a
    table whose length differs between countries); a node holds the cases
    that have it; ``assumptions_hash`` and ``file`` (when given) are
    coordinates along ``case``; attributes common to all cases are kept.
    A node that cannot be combined raises, or with ``errors`` (a list) is
    left out and ``(path, message)`` appended to it. ``grid``: each case's
    grid point (``CaseSpec.point``); each grid key is then a coordinate
    along ``case`` (``grid_coords``), and ``unstack`` turns them into
    dimensions.
    """
    stored = all(isinstance(t, Contents) for t in trees.values())
    if not stored:
        trees = {c: t.tree() if isinstance(t, Contents) else t for c, t in trees.items()}
    paths: list[str] = []
    for tree in trees.values():
        having = ([p for p, node in tree.nodes.items() if node["variables"]] if stored else
                  [node.path for node in tree.subtree if node.has_data])
        paths.extend(p for p in having if p not in paths)
    nodes = {}
    for path in paths:
        names = [c for c in trees if (path in trees[c].nodes if stored else _has_node(trees[c], path))]
        try:
            ds = _stack_contents([trees[c] for c in names], path) if stored else None
            if ds is None:
                sets = [trees[c].dataset(path) if stored else trees[c][path].to_dataset(inherit=False)
                        for c in names]
                ds = _stack(sets)
            if ds is None:  # cases differ in years, variables or coordinates
                ds = _concat(sets)
        except (ValueError, TypeError) as exc:
            if errors is None:
                raise
            errors.append((path, _message(exc)))
            continue
        coords = {"case": ("case", names, {"long_name": "case of the batch"}),
                  "assumptions_hash": ("case", [_root_attrs_of(trees[c]).get("assumptions_hash", "")
                                                for c in names],
                                       {"long_name": "hash of the case's assumptions"})}
        if files is not None:
            coords["file"] = ("case", [files[c] for c in names],
                              {"long_name": "case or grid file of the case"})
        if grid:
            coords.update(grid_coords({c: grid.get(c, ()) for c in names}))
        nodes[path] = ds.assign_coords(coords).transpose(..., "case")
    out = xr.DataTree.from_dict(nodes)
    attrs = [_root_attrs_of(t) for t in trees.values()]
    out.attrs.update(_common_attrs(attrs))
    out.attrs["cases"] = len(trees)
    return out


def _root_attrs_of(tree: xr.DataTree | Contents) -> dict:
    if isinstance(tree, Contents):
        return tree.attrs(tree.nodes["/"]["attrs"]) if "/" in tree.nodes else {}
    return tree.attrs


GRID_PREFIX = "grid_"
SUMMARY = "batch_summary.csv"


def grid_coords(points: dict[str, tuple]) -> dict:
    """Coordinates along ``case`` from the cases' grid points (key path, key
    label, value label, value): ``grid_<key label>`` the value where every
    case of the grid has a number there (``economy.interest_rate: [0.04,
    0.06]``), else the value's label (``tfr: low``), and ``grid_<key
    label>_label`` the label ("" or NaN for a case not from the grid)."""
    keys: dict = {}
    for point in points.values():
        for key, label, _, _ in point:
            keys.setdefault(label, key)
    out = {}
    for label, key in keys.items():
        found = {c: next(((vl, v) for k, lab, vl, v in p if lab == label), None) for c, p in points.items()}
        numeric = all(f is None or (isinstance(f[1], (int, float)) and not isinstance(f[1], bool))
                      for f in found.values())
        attrs = {"long_name": f"grid value of {key}", "grid_key": key}
        texts = [f[0] if f else "" for f in found.values()]
        if numeric:
            out[GRID_PREFIX + label] = ("case", [float(f[1]) if f else np.nan for f in found.values()], attrs)
        else:
            out[GRID_PREFIX + label] = ("case", texts, {**attrs, "long_name": f"grid label of {key}"})
        out[f"{GRID_PREFIX}{label}_label"] = ("case", texts, {"long_name": f"grid label of {key}",
                                                              "grid_key": key})
    return out


def grid_keys(obj) -> list[str]:
    """The grid coordinates (``grid_<key label>``) along ``case`` of a batch node or tree."""
    ds = obj.to_dataset() if isinstance(obj, xr.DataTree) else obj
    return [c for c in ds.coords if c.startswith(GRID_PREFIX) and not c.endswith("_label")
            and ds[c].dims == ("case",)]


def unstack(tree_or_dataset):
    """A batch's grid as dimensions: ``case`` replaced by one dimension per
    grid key (``grid_interest_rate``, ``grid_tfr``, ...), so that
    ``unstack(batch["pension"]).sel(grid_interest_rate=0.04)`` picks the
    cases. A tree: every node that has the grid coordinates. Raises
    ValueError when the cases are not the points of one grid (a case from
    another file, or two cases at the same point)."""
    if isinstance(tree_or_dataset, xr.DataTree):
        nodes = {n.path: (unstack(n.to_dataset(inherit=False)) if grid_keys(n.to_dataset(inherit=False))
                          else n.to_dataset(inherit=False)) for n in tree_or_dataset.subtree}
        out = xr.DataTree.from_dict(nodes)
        out.attrs.update(tree_or_dataset.attrs)
        return out
    ds = tree_or_dataset
    keys = grid_keys(ds)
    if not keys:
        raise ValueError("no grid coordinates along 'case' (grid_<key>): not the results of a grid batch")
    points = list(zip(*(ds[k].values.tolist() for k in keys)))
    if any(p != p for point in points for p in point) or any("" == p for point in points for p in point):
        raise ValueError("some cases are not points of the grid (no grid value); select the grid's cases first")
    if len(set(points)) < len(points):
        raise ValueError("two cases share a grid point; unstack the cases of one grid at a time")
    drop = [c for c in ds.coords if "case" in ds[c].dims and c not in keys]
    # case names, hashes, labels: along the grid's dimensions too
    kept = xr.Dataset({f"kept_{c}": ("case", ds[c].values, ds[c].attrs) for c in drop if ds[c].dims == ("case",)},
                      coords={k: ("case", ds[k].values) for k in keys})
    kept = kept.set_index(case=keys).unstack("case")
    out = ds.drop_vars(drop).assign_coords({k: ("case", ds[k].values, ds[k].attrs) for k in keys})
    out = out.set_index(case=keys).unstack("case")
    return out.assign_coords({c[len("kept_"):]: kept[c] for c in kept.data_vars})


def summary_rows(trees: dict, rows: dict) -> "pd.DataFrame":
    """One row per case: its file, grid values and headline results
    (``actuarial.compare.headlines``: GAP by horizon, depletion year,
    steady-state rate, actuarial balance, injury cost rates, SPF cost,
    financing gap, debt with the reform, in the final common year)."""
    import pandas as pd

    from actuarial.compare import headlines

    heads = headlines(trees, differences=False).T  # cases x indicators
    info = {}
    for c in trees:
        info[c] = {"file": rows[c]["file"], "assumptions_hash": rows[c]["assumptions_hash"]}
        for key, label, vlabel, value in rows[c].get("point", ()):
            info[c][GRID_PREFIX + label] = (value if isinstance(value, (int, float)) and not isinstance(value, bool)
                                            else vlabel)
    frame = pd.DataFrame.from_dict(info, orient="index").join(heads)
    frame.index.name = "case"
    return frame


def write_summary_csv(target: Path, trees: dict, rows: dict) -> None:
    """``batch_summary.csv``: ``summary_rows`` (atomically); the same as a
    formatted workbook beside it, ``batch_summary.xlsx``."""
    from actuarial.report.excel import write_batch_summary

    frame = summary_rows(trees, rows)
    with atomic_path(target) as tmp:
        frame.to_csv(tmp)
    write_batch_summary(frame, target.with_suffix(".xlsx"))


def _concat(sets: list[xr.Dataset]) -> xr.Dataset:
    """``xr.concat`` along ``case``, outer join; dimensions without an index
    whose sizes differ get a positional one for the join, dropped after."""
    sizes: dict = {}
    for ds in sets:
        for dim, n in ds.sizes.items():
            if dim not in ds.indexes:
                sizes.setdefault(dim, set()).add(n)
    positional = [d for d, n in sizes.items() if len(n) > 1]
    if positional:
        sets = [ds.assign_coords({d: np.arange(ds.sizes[d]) for d in positional if d in ds.sizes})
                for ds in sets]
    try:
        out = xr.concat(sets, dim="case", data_vars="all", coords="different", compat="equals",
                        join="outer", combine_attrs="drop_conflicts")
    except ValueError as exc:  # a dimension coordinate only some cases have (e.g. /pension across designs)
        if "not present in all datasets" not in str(exc):
            raise
        out = xr.concat(sets, dim="case", data_vars="all", coords="minimal", compat="equals",
                        join="outer", combine_attrs="drop_conflicts")
    return out.drop_vars(positional)


def _stack(sets: list[xr.Dataset]) -> xr.Dataset | None:
    """``xr.concat`` along a last ``case`` dimension, fast, for datasets alike
    in all but their data (same variables and shapes, equal coordinates);
    None when they are not."""
    first = sets[0].variables
    names = list(first)
    coords = list(sets[0].coords)
    variables = [ds.variables for ds in sets]  # plain Variables: no DataArray per access
    for v in variables[1:]:
        if list(v) != names:
            return None
        if any(not v[k].equals(first[k]) for k in coords):
            return None
        if any(v[k].dims != first[k].dims or v[k].shape != first[k].shape for k in names):
            return None
    data = {k: xr.Variable((*first[k].dims, "case"), np.stack([v[k].values for v in variables], axis=-1),
                           _common_attrs([v[k].attrs for v in variables]))
            for k in names if k not in coords}
    return xr.Dataset(data, coords={k: xr.Variable(first[k].dims, first[k].values, first[k].attrs)
                                    for k in coords},
                      attrs=_common_attrs([ds.attrs for ds in sets]))


def _stack_contents(cases: list[Contents], path: str) -> xr.Dataset | None:
    """``_stack`` of the node ``path`` of checkpoints, from their buffers: one
    copy of each array into its stack, no Dataset a case. None (the Datasets'
    way then) unless every case's variables are described as the first's
    (names, order, coordinate or not, dims, dtypes, shapes, hence the same
    places in their buffers) and the coordinates are equal (their bytes, else
    ``Variable.equals`` as in ``_stack``). Attributes: those common to all
    cases (``_common_attrs``); a variable whose stored attributes are equal in
    every case and hold no array (most) is compared once, with itself (what
    ``_same`` drops: NaN, ragged lists), not once a case."""
    first = cases[0]
    variables = first.nodes[path]["variables"]
    described = [c.nodes[path]["variables"] for c in cases]
    for other in described[1:]:
        if len(other) != len(variables) or any(
                a["name"] != b["name"] or a["coord"] != b["coord"] or a["object"] != b["object"]
                or a["dims"] != b["dims"] or a["data"] != b["data"] for a, b in zip(variables, other)):
            return None
    coords = {}
    for k, v in enumerate(variables):
        if v["coord"]:
            coords[v["name"]] = xr.Variable(tuple(v["dims"]), first.values(v), first.attrs(v["attrs"]))
            raw = first.raw(v)
            for c in cases[1:]:
                if not (np.array_equal(c.raw(v), raw) or
                        xr.Variable(tuple(v["dims"]), c.values(v)).equals(coords[v["name"]])):
                    return None
    data = {}
    twice = cases[:2]  # one case: its attributes as they are (_common_attrs of a single dict)
    for k, v in enumerate(variables):
        if v["coord"]:
            continue
        if not any(_holds_arrays(a) for a in v["attrs"].values()) and \
                all(vs[k]["attrs"] == v["attrs"] for vs in described[1:]):
            attrs = _common_attrs([first.attrs(v["attrs"]) for _ in twice])
        else:
            attrs = _common_attrs([c.attrs(vs[k]["attrs"]) for c, vs in zip(cases, described)])
        data[v["name"]] = xr.Variable((*v["dims"], "case"), np.stack([c.values(v) for c in cases], axis=-1),
                                      attrs)
    return xr.Dataset(data, coords=coords,
                      attrs=_common_attrs([c.attrs(c.nodes[path]["attrs"]) for c in cases]))


def _holds_arrays(value) -> bool:
    """Whether a stored attribute is or holds an array (a reference into the buffer)."""
    return isinstance(value, dict) or (isinstance(value, list) and any(_holds_arrays(v) for v in value))


def _common_attrs(attrs: list[dict]) -> dict:
    """The attributes all have alike (``combine_attrs="drop_conflicts"``)."""
    return {k: v for k, v in attrs[0].items()
            if all(k in a and _same(a[k], v) for a in attrs[1:])}


def _same(a, b) -> bool:
    if type(a) is type(b) and type(a) in (str, int, float):  # most attributes: numpy's answer, 10x sooner
        return a == b
    try:
        return bool(np.all(np.asarray(a) == np.asarray(b)))
    except (TypeError, ValueError):
        return False


def _has_node(tree: xr.DataTree, path: str) -> bool:
    try:
        tree[path]
    except KeyError:
        return False
    return True


def _message(exc: BaseException) -> str:
    if isinstance(exc, AssumptionError):
        return str(exc)
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


def _write_csv(target: Path, header, rows) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    with atomic_path(target) as tmp:
        tmp.write_text(buffer.getvalue(), encoding="utf-8")


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
