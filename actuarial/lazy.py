"""Package attributes imported on first use (a module ``__getattr__``, PEP 562).

``actuarial`` and ``fiscal_space`` use it so that importing them (and the
command line's help and ``check``) does not import the projection engine.
"""

from __future__ import annotations

import sys
from importlib import import_module


def lazy_package(package: str, names: dict, computed: dict | None = None):
    """``(__getattr__, __dir__)`` for ``package``: ``names`` maps a public name
    to the module that defines it, ``computed`` a name to a function giving
    its value; any other name is a submodule (``package.<name>``) imported
    when first asked for, as an eager package would have offered it."""
    computed = computed or {}

    def __getattr__(name: str):
        if name in computed:
            value = computed[name]()
        elif name in names:
            value = getattr(import_module(names[name]), name)
        else:
            value = _submodule(package, name)
        setattr(sys.modules[package], name, value)  # once: later look-ups skip this function
        return value

    def __dir__():
        module = sys.modules[package]
        return sorted({*vars(module), *getattr(module, "__all__", ())})

    return __getattr__, __dir__


def _submodule(package: str, name: str):
    try:
        if name.startswith("_"):
            raise ModuleNotFoundError(name=f"{package}.{name}")
        return import_module(f"{package}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{package}.{name}":
            raise
        raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
