"""Actuarial valuation and fiscal-space engine for social protection."""

from actuarial.version import __version__

from actuarial.assumptions import Assumptions, load_assumptions  # noqa: E402
from actuarial.errors import AssumptionError  # noqa: E402
from actuarial.pipeline import run  # noqa: E402

__all__ = ["AssumptionError", "Assumptions", "__version__", "load_assumptions", "run"]
