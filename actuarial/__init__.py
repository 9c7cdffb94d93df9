"""Actuarial valuation and fiscal-space engine for social protection."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("actuarial")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

from actuarial.assumptions import Assumptions, load_assumptions  # noqa: E402
from actuarial.errors import AssumptionError  # noqa: E402
from actuarial.pipeline import run  # noqa: E402

__all__ = ["AssumptionError", "Assumptions", "__version__", "load_assumptions", "run"]
