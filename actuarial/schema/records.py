"""Frozen dataclasses that are cheaper to declare (``actuarial check`` declares about 90).

:func:`dataclass` is :func:`dataclasses.dataclass`, except that for a frozen
class it does not generate ``__eq__``, ``__hash__`` and ``__repr__``. Python
compiles every generated method from source text when the module is
imported, and for the assumption sections that was about a third of their
import time. Shared methods stand in for them:

- ``__eq__`` compares the fields with ``compare=True`` of two objects of the
  same class, as tuples; it is ``NotImplemented`` for any other class;
- ``__hash__`` is the hash of the tuple of the fields with ``hash=True``, or
  with ``hash=None`` and ``compare=True``.

These are the methods ``dataclasses.dataclass(frozen=True)`` writes
(CPython's ``dataclasses._process_class``, ``eq=True, frozen=True``: the
"add" hash action). A class that defines its own ``__eq__`` or ``__hash__``
keeps it, as with the standard decorator.

- ``__repr__`` is :func:`actuarial.schema.display.brief_repr` and
  ``_repr_html_`` is :func:`~actuarial.schema.display.brief_html`. These
  are what :func:`~actuarial.schema.display.attach_reprs` gives every
  section class anyway.

Options given explicitly (``eq=``, ``repr=``, ``unsafe_hash=``) and non-frozen
classes get the standard decorator unchanged. The classes are plain
dataclasses: ``dataclasses.fields``, ``replace``, ``asdict``, pickling and
pydantic all work as before.
"""

from __future__ import annotations

import dataclasses

from actuarial.schema.display import brief_html, brief_repr


def dataclass(cls=None, /, **options):
    """``@dataclass(frozen=True, ...)`` with the shared ``__eq__``, ``__hash__`` and ``__repr__``."""
    def wrap(c):
        if not options.get("frozen") or {"eq", "repr", "unsafe_hash"} & set(options):
            return dataclasses.dataclass(c, **options)
        own = dict(vars(c))  # what the class body defines, before the decorator adds anything
        c = dataclasses.dataclass(c, eq=False, repr=False, **options)
        _share_methods(c, own)
        return c
    return wrap if cls is None else wrap(cls)


def _share_methods(cls, own: dict) -> None:
    compared = tuple(f.name for f in dataclasses.fields(cls) if f.compare)
    hashed = tuple(f.name for f in dataclasses.fields(cls) if (f.compare if f.hash is None else f.hash))
    if "__eq__" not in own:
        def __eq__(self, other):
            if other.__class__ is self.__class__:
                return tuple(getattr(self, n) for n in compared) == tuple(getattr(other, n) for n in compared)
            return NotImplemented
        cls.__eq__ = __eq__
    class_hash = own.get("__hash__", dataclasses.MISSING)  # None: the body defines __eq__ only
    if class_hash is dataclasses.MISSING or (class_hash is None and "__eq__" in own):
        def __hash__(self):
            return hash(tuple(getattr(self, n) for n in hashed))
        cls.__hash__ = __hash__
    if "__repr__" not in own:
        cls.__repr__ = brief_repr
        if "_repr_html_" not in own:
            cls._repr_html_ = brief_html
