"""Command line: ``actuarial run FILE``, ``actuarial validate [CASES]``.

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
    from actuarial.output import write_results
    from actuarial.report.excel import write_summary
    from actuarial.pipeline import run
    from actuarial.report.console import demography_summary, pension_summary, spf_summary

    assumptions = load_assumptions(args.file)
    tree = run(assumptions)
    target = Path(args.output) / assumptions.case.name / "results.nc"
    summary = target.with_name("summary.xlsx")
    try:
        write_summary(tree, assumptions, summary)  # first: a failure here leaves nothing behind
        try:
            write_results(tree, target)
        except BaseException:
            summary.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise AssumptionError(target, "-o", f"cannot write results ({exc.strerror or exc})") from None
    if not args.quiet:
        print(demography_summary(tree, assumptions))
        if "pension" in tree.children:
            print()
            print(pension_summary(tree))
        if "spf" in tree.children:
            print()
            print(spf_summary(tree))
        print(f"\nresults written to {target} and {summary.name}")
    return 0


def _validate(args) -> int:
    from actuarial.validation import format_rows, run_cases

    rows = run_cases(args.cases)
    print(format_rows(rows))
    failed = [r for r in rows if not r.passed]
    print(f"\n{len(rows) - len(failed)} of {len(rows)} checks passed")
    return 1 if failed else 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="actuarial", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="project an assumption file and write results")
    r.add_argument("file", help="assumption YAML file")
    r.add_argument("-o", "--output", default="out", help="output folder (default: out)")
    r.add_argument("-q", "--quiet", action="store_true", help="no console summary")
    r.set_defaults(func=_run)
    v = sub.add_parser("validate", help="run the validation cases and print a table")
    v.add_argument("cases", nargs="*", default=["validation_cases"],
                   help="case files or folders (default: validation_cases)")
    v.set_defaults(func=_validate)
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
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
