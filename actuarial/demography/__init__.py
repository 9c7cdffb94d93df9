"""Demography: life tables, mortality, fertility and migration, projection.

The functions below are imported on first use (a module ``__getattr__``):
reading an assumption file imports ``actuarial.demography.laws`` or
``.rules`` without the projection engine (xarray, numba).
"""

from importlib import import_module

_LAZY = {"annuity_factors": "lifetable", "life_table": "lifetable", "survival": "lifetable",
         "project_population": "projection"}

__all__ = ["annuity_factors", "life_table", "project_population", "survival"]


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'actuarial.demography' has no attribute {name!r}")
    value = getattr(import_module(f"actuarial.demography.{_LAZY[name]}"), name)
    globals()[name] = value
    return value
