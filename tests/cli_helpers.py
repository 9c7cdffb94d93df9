"""The CLI run in-process, for the tests: exit code, stdout, stderr."""

from __future__ import annotations

import contextlib
import io

from actuarial.cli import main


def run_cli(argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def one_error_line(code, out, err) -> str:
    """The single ``error:`` line of a failed run (exit code 2, no traceback)."""
    assert code == 2, err
    lines = err.strip("\n").splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in err, err
    return lines[0]
