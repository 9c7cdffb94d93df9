"""Command line: ``actuarial run FILE``, ``actuarial check FILES``, ``actuarial batch FILES``,
``actuarial compare FILES``, ``actuarial assumptions template``, ``actuarial examples DIR``,
``actuarial validate [CASES]``, ``actuarial --version``.

Bad input prints one message (file, key, what was expected) and exits 2;
no traceback, no partial output. Each command imports what it needs when it
runs (``actuarial --help`` and ``check`` do not import the projection engine).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

from actuarial.errors import AssumptionError

SET_SOURCE = "--set"  # the "file" that errors in a --set value name


class UsageError(Exception):
    """A combination of options that does not apply (printed as one line, exit 2)."""


def _run(args) -> int:
    from actuarial.assumptions import load_assumptions
    from actuarial.output import output_set, write_results
    from actuarial.report.excel import write_summary
    from actuarial.pipeline import run
    from actuarial.provenance import provenance
    from actuarial.report.console import demography_summary, injury_summary, pension_summary, spf_summary

    _scenario_options(args)
    overrides = _overrides(args.set)
    assumptions = load_assumptions(args.file, overrides, SET_SOURCE)
    if args.seed is not None or args.scenarios:
        assumptions = _with_seed(assumptions, args)
    folder = Path(args.output) / assumptions.case.name
    _check_writable(folder / "results.nc")
    from actuarial.compile_notice import notice_compilation

    notice_compilation()  # one line on stderr if numba is about to compile the kernels
    # before any computation: the folder locked, an earlier run's outputs refused without --force;
    # the files are written into a staging folder and replace the folder's contents as one set
    with output_set(folder, args.force) as out:
        if args.scenarios:
            from tqdm import tqdm

            keep = out.path("scenarios.zarr") if args.keep_scenarios else None  # part of the output set
            with tqdm(total=args.scenarios, unit="scenario", disable=args.quiet or None, file=sys.stderr) as bar:
                if args.workers or args.scheduler:
                    from actuarial.batch import connect

                    with connect(args.workers or 2, args.scheduler, args.timeout) as client:
                        tree = run(assumptions, scenarios=args.scenarios, progress=bar.update, client=client,
                                   keep_scenarios=keep)
                else:
                    tree = run(assumptions, scenarios=args.scenarios, progress=bar.update, keep_scenarios=keep)
        else:
            tree = run(assumptions)
        if overrides:  # the results say which values were not the file's
            tree.attrs["overrides"] = _overrides_attr(overrides)
        for warning in tree.attrs.get("plausibility_warnings", []):  # actuarial.checks: each once
            print(f"warning: {warning}", file=sys.stderr)
        with out.writing():
            write_summary(tree, assumptions, out.path("summary.xlsx"))
            write_results(tree, out.path("results.nc"), provenance(assumptions, _command(args)))
            if not args.no_report:
                from actuarial.report.html import write_report  # matplotlib: imported for the report only

                write_report(tree, out.path("report.html"), force=True)
    target, summary = folder / "results.nc", folder / "summary.xlsx"
    report = None if args.no_report else folder / "report.html"
    if not args.quiet:
        print(demography_summary(tree, assumptions))
        if "pension" in tree.children:
            print()
            print(pension_summary(tree))
        if "employment_injury" in tree.children:
            print()
            print(injury_summary(tree))
        if "spf" in tree.children:
            print()
            print(spf_summary(tree))
        if "distribution" in tree.children:
            from actuarial.report.console import distribution_summary

            print("\n" + distribution_summary(tree))
        if "fiscal_space" in tree.children:
            from fiscal_space.cli import summary as fiscal_summary

            print()
            print("Fiscal space\n" + fiscal_summary(tree["fiscal_space"].to_dataset()))
        if "stochastic" in tree.children:
            from actuarial.report.console import stochastic_summary
            print("\n" + stochastic_summary(tree))
        also = f"{summary.name} and {report.name}" if report is not None else summary.name
        print(f"\nresults written to {target}, {also}")
    return 0


def _command(args) -> list[str]:
    """The command line, as the results' ``command`` attribute records it."""
    return ["actuarial", *args.argv]


def _scenario_options(args) -> None:
    """``--seed``, ``--workers``, ``--scheduler`` and ``--keep-scenarios`` apply to the scenarios: without
    ``--scenarios`` they are an error, not silently ignored."""
    if args.scenarios:
        return
    for option, value in (("--seed", args.seed), ("--workers", args.workers), ("--scheduler", args.scheduler),
                          ("--keep-scenarios", args.keep_scenarios or None)):
        if value is not None:
            raise UsageError(f"{option} applies to the stochastic scenarios only; give --scenarios N with it")


def _overrides(items) -> dict:
    """``--set KEY=VALUE`` options as ``{"dotted.key": value}``, each value read as
    YAML (a number, text, ``[list]`` or ``{mapping}``, as it would be written in a
    file). They are merged over the file as an ``extends:`` child file (the grid's
    ``set:`` merge, ``loader.apply_overrides``); errors name ``--set``."""
    import yaml

    from actuarial.assumptions.loader import _parse

    out: dict = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise AssumptionError(SET_SOURCE, item, "expected KEY=VALUE, e.g. --set pension.contribution_rate=0.14")
        if key in out:
            raise AssumptionError(SET_SOURCE, key, "given twice")
        try:
            out[key] = _parse(text, SET_SOURCE)
        except AssumptionError as exc:  # a YAML error: name the key too
            raise AssumptionError(SET_SOURCE, key, exc.expected) from None
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            raise AssumptionError(SET_SOURCE, key, f"not valid YAML: {problem}") from None
    return out


def _overrides_attr(overrides: dict) -> str:
    """The ``--set`` values as JSON text (a NetCDF attribute): ``{"key.path": value}``."""
    import json

    return json.dumps(overrides, default=str)


def _with_seed(assumptions, args):
    """``--seed`` replaces the seed of the file's ``stochastic`` section."""
    if assumptions.stochastic is None:
        raise AssumptionError(assumptions.source, "stochastic", "required key is missing (--scenarios and --seed "
                                                                "need the section's scenario generators)")
    if args.seed is None:
        return assumptions
    from actuarial.pipeline import with_seed

    return with_seed(assumptions, args.seed)  # the seed enters the digest


def _check_writable(target: Path) -> None:
    """The output folder (or the nearest existing folder above it) must be a writable folder."""
    import os

    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        why = "not a folder" if not folder.is_dir() else "not writable"
        raise AssumptionError(target, "-o", f"cannot write results ({folder} is {why})")


def _compare(args) -> int:
    """Run (or reuse) each case, then write the comparison: ``report.html``,
    ``differences.csv`` and each case's ``<case>/results.nc`` in
    ``DIR/compare_<a>_vs_<b>/``; a case whose ``results.nc`` there has the same
    assumptions digest and engine version is not run again (with ``--force``)."""
    from actuarial.assumptions import load_assumptions
    from actuarial.compare import cached_results, summary
    from actuarial.output import output_set, write_results
    from actuarial.pipeline import run
    from actuarial.provenance import prepare, provenance
    from actuarial.report.html import case_labels, check_case_years, write_report

    if len(args.files) < 2:
        raise AssumptionError(args.files[0] if args.files else None, "compare",
                              "expected at least two assumption files to compare")
    overrides = _overrides(args.set)
    loaded = [load_assumptions(f, overrides, SET_SOURCE) for f in args.files]
    labels = case_labels(loaded)
    check_case_years(loaded, labels)
    report = Path(args.output) / ("compare_" + "_vs_".join(labels)) / "report.html"
    _check_writable(report)
    from actuarial.compile_notice import notice_compilation

    notice_compilation()  # one line on stderr if numba is about to compile the kernels
    reused = []
    with output_set(report.parent, args.force) as out:  # as ``run``: locked, refused without --force, one set
        trees = {}
        for label, a in zip(labels, loaded):
            tree = cached_results(report.parent / label / "results.nc", a)
            if tree is None:
                tree = prepare(run(a))  # shaped as a reused case is (read back from its results.nc)
                if overrides:
                    tree.attrs["overrides"] = _overrides_attr(overrides)
            else:
                reused.append(label)
            trees[label] = tree
        with out.writing():
            write_report(trees, out.path(report.name), force=True)  # and differences.csv beside it
            for (label, tree), a in zip(trees.items(), loaded):  # a reused case keeps its own provenance
                out.path(label).mkdir()
                write_results(tree, out.path(label) / "results.nc", provenance(a, _command(args)))
    if not args.quiet:
        print(summary(trees))
        if reused:
            print(f"\nnot run again (assumptions unchanged): {', '.join(reused)}")
        print(f"\ncomparison of {', '.join(labels)} written to {report}, differences.csv and "
              f"{', '.join(label + '/results.nc' for label in labels)}")
    return 0


def _check(args) -> int:
    """Load and validate each file (nothing is run); every file's error is printed.

    Python's cyclic garbage collector is paused while it runs (and restored after):
    importing the schema and reading a survey allocate enough objects to trigger
    about 120 collections, some 5% of the command's CPU time, and a check leaves
    little cyclic garbage (reference counting frees the files' tables)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _check_files(args)
    finally:
        if enabled:
            gc.enable()


def _check_files(args) -> int:
    overrides = _overrides(args.set)
    failed = 0
    for file in args.files:
        try:
            what = _check_one(Path(file), overrides)
        except AssumptionError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed += 1
            continue
        except ValueError as exc:  # as main() reports it, naming the file
            print(f"error: {file}: invalid input: {exc}", file=sys.stderr)
            failed += 1
            continue
        if not args.quiet:
            print(f"ok: {file}: {what}")
    if len(args.files) > 1 and not args.quiet:
        print(f"{len(args.files) - failed} of {len(args.files)} files valid")
    return 2 if failed else 0


def _check_one(path: Path, overrides: dict) -> str:
    """Validate one assumption file, grid file or standalone fiscal-space file; a short description."""
    from actuarial.schema.display import sections
    from actuarial.assumptions.loader import apply_overrides, load_tree
    from actuarial.assumptions.model import assumptions_from_tree
    from actuarial.grid import expand_grid, is_grid

    if is_grid(path):
        if overrides:
            raise AssumptionError(SET_SOURCE, next(iter(overrides)), "does not apply to a grid file "
                                                                     f"{path} (put the key under its set:)")
        trees: dict = {}
        specs = expand_grid(path, trees)
        for spec in specs:
            spec.load(trees)
        return f"grid of {len(specs)} cases"
    data, origins = load_tree(path)
    if "demography" not in data and "fiscal_space" in data:  # a file for ``actuarial fiscal``
        if overrides:
            raise AssumptionError(SET_SOURCE, next(iter(overrides)), f"does not apply to the fiscal-space "
                                                                     f"file {path}")
        from fiscal_space import load_fiscal

        fa = load_fiscal(path)
        return f"fiscal-space case {fa.case.name}"
    if overrides:  # as load_assumptions(path, overrides, "--set"), from the tree read above
        data, origins = apply_overrides(data, origins, overrides, SET_SOURCE)
    a = assumptions_from_tree(data, origins, path)
    return (f"case {a.case.name}, {a.case.base_year}-{a.case.base_year + a.case.horizon}, "
            f"sections {', '.join(name for name, _ in sections(a))}")


def _examples(args) -> int:
    from actuarial.samples import copy_examples, sample_names

    files = copy_examples(args.folder, force=args.force)
    folder = Path(args.folder)
    print(f"{len(files)} files copied to {folder}: the assumption sets {', '.join(sample_names())}, "
          f"a sensitivity grid and a fiscal-space example, with their data files; "
          f"run one with: actuarial run {folder / 'demoland.yaml'}")
    return 0


def _template(args) -> int:
    from actuarial.report.template import write_template

    path = write_template(args.output, force=args.force)
    print(f"annotated assumptions template written to {path}; "
          f"run it as is with: actuarial run {path}")
    return 0


def _schema_views(args) -> int:
    """``assumptions reference|schema|describe``: views generated from the assumption schema."""
    from actuarial.assumptions import reference

    if args.action == "describe":
        print(reference.describe(args.key, args.file))
        return 0
    text = reference.reference_text() if args.action == "reference" else reference.schema_text()
    if args.output in (None, "-"):
        print(text, end="" if text.endswith("\n") else "\n")
    else:
        Path(args.output).write_text(text + ("" if text.endswith("\n") else "\n"), encoding="utf-8")
    return 0


def _from_wpp(args) -> int:
    """``assumptions from-wpp``: the demography file, its validation case, and the check."""
    from actuarial.demography.wpp_export import check_totals, write_wpp_assumptions

    path = write_wpp_assumptions(args.wpp, args.country, args.output, base_year=args.base_year,
                                 horizon=args.horizon, variant=args.variant, migration=args.migration,
                                 beyond_data=args.beyond_data)
    case = path.with_name(path.name.split(".")[0] + ".case.yaml")
    print(f"demography written to {path}; its check: actuarial validate {case}")
    if not args.no_check:
        got = check_totals(path)
        print(f"total population 1 January {got['years'][0]}-{got['years'][-1]} against WPP: largest relative "
              f"error {got['max_relative_error']:.2e}")
    return 0


def _validate(args) -> int:
    from actuarial.samples import cases_folder
    from actuarial.validation import format_rows, run_cases

    rows = run_cases(args.cases or [cases_folder()])
    print(format_rows(rows))
    failed = [r for r in rows if not r.passed]
    print(f"\n{len(rows) - len(failed)} of {len(rows)} checks passed")
    return 1 if failed else 0


def _batch(args) -> int:
    from actuarial.batch import run_batch

    try:
        result = run_batch(args.files, args.output, grids=args.grid, workers=args.workers,
                           scheduler=args.scheduler, timeout=args.timeout, quiet=args.quiet)
    except KeyboardInterrupt:
        print(f"interrupted: the cases finished so far are kept in {Path(args.output) / 'cases'}; "
              "run the same command again to resume", file=sys.stderr)
        return 130
    if not args.quiet:
        n = len(result.cases) + len(result.failures)
        print(f"{n} cases: {len(result.ran)} ran, {len(result.skipped)} already done, "
              f"{len(result.failures)} failed ({result.seconds:.1f} s)")
        if result.combined is not None:
            print(f"results written to {result.combined} (one per case under {result.output / 'cases'})")
        if result.failures:
            print(f"failures listed in {result.output / 'failures.csv'}")
    return 1 if result.failures else 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("expected a positive number of scenarios")
    return value


class _Version(argparse.Action):
    """``--version``: the installed version, looked up only when asked for."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        import actuarial

        print(f"actuarial {actuarial.__version__}")
        parser.exit()


def _add_set(p) -> None:
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a key of the file, e.g. --set pension.contribution_rate=0.14 (repeatable; "
                        "the value is YAML: 0.14, [60, 65], {2025: 0.1, 2050: 0.12}); merged as an "
                        "extends: child file would be")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="actuarial", description=__doc__.splitlines()[0])
    p.add_argument("--version", action=_Version, help="print the version and exit")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="project an assumption file and write results")
    r.add_argument("file", help="assumption YAML file")
    r.add_argument("-o", "--output", default="out", help="output folder (default: out)")
    r.add_argument("-q", "--quiet", action="store_true", help="no console summary")
    r.add_argument("--force", action="store_true",
                   help="overwrite results.nc, summary.xlsx and report.html of an earlier run")
    r.add_argument("--no-report", action="store_true", help="do not write report.html")
    r.add_argument("--scenarios", type=_positive, metavar="N",
                   help="also run N stochastic scenarios and write their percentiles (section 'stochastic')")
    r.add_argument("--seed", type=int, metavar="S", help="seed of the scenarios (default: the file's)")
    r.add_argument("--keep-scenarios", action="store_true",
                   help="also write the per-scenario summaries to DIR/<case>/scenarios.zarr (needs zarr)")
    r.add_argument("--workers", type=int, metavar="N",
                   help="run the scenarios on a local dask cluster of N processes (a chunk a task)")
    r.add_argument("--scheduler", metavar="ADDR", help="run the scenarios on an existing dask cluster")
    r.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for --scheduler (default 10)")
    _add_set(r)
    r.set_defaults(func=_run)
    k = sub.add_parser("check", help="validate assumption files without running them")
    k.add_argument("files", nargs="+", metavar="FILE", help="assumption, grid or fiscal-space YAML files")
    k.add_argument("-q", "--quiet", action="store_true", help="print the errors only")
    _add_set(k)
    k.set_defaults(func=_check)
    c = sub.add_parser("compare", help="run cases and write a report with them side by side")
    c.add_argument("files", nargs="+", metavar="FILE", help="assumption YAML files (two or more; the first is "
                                                             "the base the differences refer to)")
    c.add_argument("-o", "--output", default="out",
                   help="output folder (default: out); writes DIR/compare_<a>_vs_<b>/report.html")
    c.add_argument("--force", action="store_true", help="overwrite an existing comparison")
    c.add_argument("-q", "--quiet", action="store_true", help="print nothing")
    _add_set(c)
    c.set_defaults(func=_compare)
    a = sub.add_parser("assumptions", help="assumption files: 'template' writes an annotated one")
    asub = a.add_subparsers(dest="action", required=True)
    t = asub.add_parser("template", help="write an annotated assumptions template for a new country")
    t.add_argument("-o", "--output", default="new_country.yaml", metavar="FILE",
                   help="file to write (default: new_country.yaml)")
    t.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    t.set_defaults(func=_template)
    w = asub.add_parser("from-wpp", help="write a demography file (and its check) from the UN's WPP 2024 CSV files")
    w.add_argument("country", help="name, ISO3 code or LocID of the country in the files")
    w.add_argument("--wpp", required=True, metavar="DIR", help="folder of the WPP 2024 CSV files")
    w.add_argument("--base-year", type=int, metavar="Y", help="base year (default 2024, or the files' nearest)")
    w.add_argument("--horizon", type=int, metavar="N", help="projection years (default: to the files' last)")
    w.add_argument("--variant", default="Medium", help="WPP variant (default: Medium)")
    w.add_argument("--migration", default="residual", choices=("residual", "model"),
                   help="net migrants by age: residual (default; reproduces the files) or model (Rogers-Castro)")
    w.add_argument("--beyond-data", choices=("hold_flat",), help="rule past the files' last year")
    w.add_argument("--no-check", action="store_true", help="do not project the file to compare with WPP")
    w.add_argument("-o", "--output", required=True, metavar="FILE", help="YAML file to write")
    w.set_defaults(func=_from_wpp)
    for name, what in (("reference", "the parameter reference (Markdown)"), ("schema", "the JSON Schema")):
        g = asub.add_parser(name, help=f"print or write {what}, generated from the assumption schema")
        g.add_argument("-o", "--output", metavar="FILE", help="file to write (default: print)")
        g.set_defaults(func=_schema_views)
    d = asub.add_parser("describe", help="what a key (or a section) means: unit, range, default, value in FILE")
    d.add_argument("key", help="a dotted key such as economy.inflation, or a section")
    d.add_argument("--file", metavar="FILE", help="an assumption file: show the key's value there")
    d.set_defaults(func=_schema_views)
    from fiscal_space.cli import add_parser as add_fiscal

    add_fiscal(sub)
    v = sub.add_parser("validate", help="run the validation cases and print a table")
    v.add_argument("cases", nargs="*", default=[],
                   help="case files or folders (default: the cases shipped with the package)")
    v.set_defaults(func=_validate)
    e = sub.add_parser("examples", help="copy the shipped example assumption sets into a folder")
    e.add_argument("folder", nargs="?", default="examples", metavar="DIR",
                   help="folder to copy them into (default: examples)")
    e.add_argument("--force", action="store_true", help="replace example files already in DIR")
    e.set_defaults(func=_examples)
    b = sub.add_parser("batch", help="run many cases on a dask cluster into one combined result")
    b.add_argument("files", nargs="*", metavar="FILE",
                   help="case files, or grid files (a top-level 'grid:' key) expanded into cases")
    b.add_argument("--grid", action="append", default=[], metavar="GRID",
                   help="sensitivity grid file (repeatable)")
    b.add_argument("--workers", type=int, default=2,
                   help="worker processes of the local cluster (default: 2)")
    b.add_argument("--scheduler", metavar="ADDR",
                   help="address of an existing dask scheduler (e.g. tcp://host:8786) instead")
    b.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                   help="wait this long for the scheduler to answer (default: 10)")
    b.add_argument("-o", "--output", default="out", help="output folder (default: out)")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    b.set_defaults(func=_batch)
    return p


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """Warnings about the user's input as one line, without the code location."""
    print(f"warning: {message}", file=sys.stderr)


# pydantic looks for plugins (entry points of every installed distribution) when it builds its first
# validator: the engine uses none, so the command line skips the scan (unless the user set the variable)
_NO_PLUGINS = {"PYDANTIC_DISABLE_PLUGINS": "__all__"}


def main(argv=None) -> int:
    """The command line; it runs without pydantic plugins (``PYDANTIC_DISABLE_PLUGINS``, for this call only)."""
    saved = {k: os.environ.get(k) for k in _NO_PLUGINS}
    os.environ.update({k: v for k, v in _NO_PLUGINS.items() if saved[k] is None})
    stub = _no_plugin_loader() if saved["PYDANTIC_DISABLE_PLUGINS"] is None else None
    try:
        return _main(argv)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
        if stub is not None and sys.modules.get(_PLUGIN_LOADER) is stub:
            del sys.modules[_PLUGIN_LOADER]


# With the plugins disabled, pydantic's loader still imports importlib.metadata (and email, zipfile...)
# when it builds its first validator, only to read the variable: about 8% of ``actuarial check``'s CPU
# time. While the command line runs, a stand-in that finds no plugins (what the real one returns when
# they are disabled) is the module pydantic imports; the real one is left for any later caller.
_PLUGIN_LOADER = "pydantic.plugin._loader"


def _no_plugin_loader():
    """A stand-in for pydantic's plugin loader (``get_plugins()`` finds none), unless it is imported."""
    if _PLUGIN_LOADER in sys.modules:
        return None
    import types

    stub = types.ModuleType(_PLUGIN_LOADER, "pydantic plugins disabled by actuarial's command line")
    stub.get_plugins = lambda: ()
    sys.modules[_PLUGIN_LOADER] = stub
    return stub


def _main(argv) -> int:
    import warnings

    args = parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # for the results' provenance
    warnings.showwarning = _show_warning
    try:
        code = args.func(args)
        sys.stdout.flush()  # here, so that a closed pipe is caught below, not at exit
        return code
    except (AssumptionError, UsageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: invalid input: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the output piped into a reader that stopped (``| head``): no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
