"""Start-up time of the command line (issue 14: ``actuarial --help`` and
``actuarial check demoland.yaml`` in under 0.3 s).

``timeraw_`` benchmarks: asv runs each returned snippet in a fresh
interpreter, so the time includes Python's start and every import the
command makes (what a user waits for), not a warm process. The snippets
import what ``actuarial`` would and print nothing.

Measured on the 2-core development machine, editable install (wall clock of
the ``actuarial`` script, median of 5): ``--help`` 0.07 s (1.66 s before the
lazy imports), ``check`` Demoland without its fiscal_space section 0.25 s; with it
(pandas and xarray imported by ``fiscal_space/assumptions.py``) see the report
of issue 14.
"""

from __future__ import annotations

_QUIET = "import contextlib, io\nfrom actuarial.cli import main\n"


class CommandLineStartup:
    """``import actuarial``, ``actuarial --help`` and ``actuarial check`` from a cold process."""

    timeout = 60.0
    repeat = (3, 10, 20.0)

    def timeraw_import_actuarial(self):
        return "import actuarial"

    def timeraw_help(self):
        return _QUIET + ("with contextlib.redirect_stdout(io.StringIO()):\n"
                         "    try:\n        main(['--help'])\n    except SystemExit:\n        pass\n")

    def timeraw_check_demoland(self):
        return _QUIET + ("from actuarial.samples import sample_path\n"
                         "assert main(['check', '-q', str(sample_path('demoland'))]) == 0\n")
