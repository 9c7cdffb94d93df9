"""Actuarial valuation and fiscal-space engine for social protection.

The names below are imported on first use (a module ``__getattr__``), so that
``import actuarial`` and the command line's help and ``check`` stay fast: the
projection engine (xarray, numba) is only imported by what runs it.
"""

from importlib import import_module

# public name -> module that defines it
_LAZY = {
    "AssumptionError": "actuarial.errors",
    "Assumptions": "actuarial.assumptions",
    "load_assumptions": "actuarial.assumptions",
    "load_sample": "actuarial.samples",
    "run": "actuarial.pipeline",
}

__all__ = ["AssumptionError", "Assumptions", "__version__", "load_assumptions", "load_sample", "run"]


def __getattr__(name: str):
    """``actuarial.run`` and the other public names, imported when first used."""
    if name == "__version__":
        value = _version()
    elif name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
    else:
        value = _submodule(name)
    globals()[name] = value  # once: later look-ups skip this function
    return value


def __dir__():
    return sorted({*globals(), *__all__})


def _submodule(name: str):
    """``actuarial.<module>`` without importing it first (as the eager package allowed)."""
    try:
        if name.startswith("_"):
            raise ModuleNotFoundError(name=f"actuarial.{name}")
        return import_module(f"actuarial.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"actuarial.{name}":
            raise
        raise AttributeError(f"module 'actuarial' has no attribute {name!r}") from None


def _version() -> str:
    """The installed distribution's version (importlib.metadata costs ~25 ms: asked for, not at import)."""
    return import_module("actuarial.version").__version__
