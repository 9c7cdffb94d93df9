"""Actuarial valuation and fiscal-space engine for social protection.

The names below are imported on first use (a module ``__getattr__``), so that
``import actuarial`` and the command line's help and ``check`` stay fast: the
projection engine (xarray, numba) is only imported by what runs it.
"""

from importlib import import_module

from actuarial.lazy import lazy_package

# public name -> module that defines it
_LAZY = {
    "AssumptionError": "actuarial.errors",
    "Assumptions": "actuarial.assumptions",
    "load_assumptions": "actuarial.assumptions",
    "load_sample": "actuarial.samples",
    "run": "actuarial.pipeline",
}

__all__ = ["AssumptionError", "Assumptions", "__version__", "load_assumptions", "load_sample", "run"]


def _version() -> str:
    """The installed distribution's version (importlib.metadata costs ~25 ms: asked for, not at import)."""
    return import_module("actuarial.version").__version__


__getattr__, __dir__ = lazy_package(__name__, _LAZY, {"__version__": _version})
