"""Command line: ``actuarial run FILE``, ``actuarial batch FILES``, ``actuarial compare FILES``,
``actuarial assumptions template``, ``actuarial validate [CASES]``.

Bad input prints one message (file, key, what was expected) and exits 2;
no traceback, no partial output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from actuarial.errors import AssumptionError

def _run(args) -> int:
    from actuarial.assumptions import load_assumptions
    from actuarial.output import output_set, write_results
    from actuarial.report.excel import write_summary
    from actuarial.pipeline import run
    from actuarial.report.console import demography_summary, injury_summary, pension_summary, spf_summary
    from actuarial.report.html import write_report

    assumptions = load_assumptions(args.file)
    if args.keep_scenarios and not args.scenarios:
        raise AssumptionError(args.file, "--keep-scenarios", "needs --scenarios N (the scenarios to keep)")
    if args.seed is not None or args.scenarios:
        assumptions = _with_seed(assumptions, args)
    folder = Path(args.output) / assumptions.case.name
    _check_writable(folder / "results.nc")
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
        for warning in tree.attrs.get("plausibility_warnings", []):  # actuarial.checks: each once
            print(f"warning: {warning}", file=sys.stderr)
        with out.writing():
            write_summary(tree, assumptions, out.path("summary.xlsx"))
            write_results(tree, out.path("results.nc"))
            if not args.no_report:
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
    from actuarial.assumptions import load_assumptions
    from actuarial.pipeline import run
    from actuarial.output import output_set
    from actuarial.report.html import case_labels, check_case_years, write_report

    if len(args.files) < 2:
        raise AssumptionError(args.files[0] if args.files else None, "compare",
                              "expected at least two assumption files to compare")
    loaded = [load_assumptions(f) for f in args.files]
    labels = case_labels(loaded)
    check_case_years(loaded, labels)
    report = Path(args.output) / ("compare_" + "_vs_".join(labels)) / "report.html"
    _check_writable(report)
    with output_set(report.parent, args.force) as out:  # as ``run``: locked, refused without --force, one set
        trees = {label: run(a) for label, a in zip(labels, loaded)}
        with out.writing():
            write_report(trees, out.path(report.name), force=True)  # and differences.csv beside it
    if not args.quiet:
        print(f"comparison of {', '.join(labels)} written to {report} and differences.csv")
    return 0


def _template(args) -> int:
    from actuarial.report.template import write_template

    path = write_template(args.output, force=args.force)
    print(f"annotated assumptions template written to {path}; "
          f"run it as is with: actuarial run {path}")
    return 0


def _validate(args) -> int:
    from actuarial.validation import format_rows, run_cases

    rows = run_cases(args.cases)
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


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="actuarial", description=__doc__.splitlines()[0])
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
    r.set_defaults(func=_run)
    c = sub.add_parser("compare", help="run cases and write a report with them side by side")
    c.add_argument("files", nargs="+", metavar="FILE", help="assumption YAML files (two or more; the first is "
                                                             "the base the differences refer to)")
    c.add_argument("-o", "--output", default="out",
                   help="output folder (default: out); writes DIR/compare_<a>_vs_<b>/report.html")
    c.add_argument("--force", action="store_true", help="overwrite an existing comparison")
    c.add_argument("-q", "--quiet", action="store_true", help="print nothing")
    c.set_defaults(func=_compare)
    a = sub.add_parser("assumptions", help="assumption files: 'template' writes an annotated one")
    asub = a.add_subparsers(dest="action", required=True)
    t = asub.add_parser("template", help="write an annotated assumptions template for a new country")
    t.add_argument("-o", "--output", default="new_country.yaml", metavar="FILE",
                   help="file to write (default: new_country.yaml)")
    t.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    t.set_defaults(func=_template)
    from fiscal_space.cli import add_parser as add_fiscal

    add_fiscal(sub)
    v = sub.add_parser("validate", help="run the validation cases and print a table")
    v.add_argument("cases", nargs="*", default=["validation_cases"],
                   help="case files or folders (default: validation_cases)")
    v.set_defaults(func=_validate)
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


def main(argv=None) -> int:
    import warnings

    args = parser().parse_args(argv)
    warnings.showwarning = _show_warning
    try:
        return args.func(args)
    except AssumptionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: invalid input: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
