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

- ``__init__``, ``__setattr__`` and ``__delattr__`` are closures over the
  class's fields, not methods compiled from source text (that was, with the
  three above, about 55 ms of ``actuarial check``'s imports, of 0.58 s): the
  ``__init__`` of CPython's ``dataclasses._init_fn`` for a frozen class
  (arguments in field order, ``kw_only`` fields by keyword only, defaults and
  ``default_factory`` filled, each field set by ``object.__setattr__``; the
  same ``TypeError`` for a missing, repeated or unknown argument; its
  ``__signature__`` as the generated one's), and the ``__setattr__`` and
  ``__delattr__`` of ``dataclasses._frozen_get_del_attr`` (``FrozenInstanceError``
  for the class's own instances and for any field name). The class's
  ``__dataclass_params__`` are those ``dataclasses.dataclass(frozen=True)`` gives.
  A class with no dataclass base, no ``__post_init__``, no
  ``InitVar`` or ``ClassVar`` field and no own ``__init__``/``__setattr__``/
  ``__delattr__`` gets them (without a docstring, the standard decorator's:
  ``Name(field: type = default, ...)``); any other frozen class is processed by the
  standard decorator (with the shared ``__eq__``, ``__hash__`` and ``__repr__``).

Options given explicitly (``eq=``, ``repr=``, ``unsafe_hash=``) and non-frozen
classes get the standard decorator unchanged. The classes are plain
dataclasses: ``dataclasses.fields``, ``replace``, ``asdict``, pickling and
pydantic all work as before.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect

from actuarial.schema.display import brief_html, brief_repr


def dataclass(cls=None, /, **options):
    """``@dataclass(frozen=True, ...)`` with the shared ``__eq__``, ``__hash__`` and ``__repr__``."""
    def wrap(c):
        if not options.get("frozen") or {"eq", "repr", "unsafe_hash"} & set(options):
            return dataclasses.dataclass(c, **options)
        own = dict(vars(c))  # what the class body defines, before the decorator adds anything
        if _closures_fit(c, own, options):
            c = dataclasses.dataclass(c, init=False, eq=False, repr=False, **{**options, "frozen": False})
            if len(c.__dataclass_fields__) == len(dataclasses.fields(c)):  # no InitVar or ClassVar
                _init_and_frozen(c, options)
                if not own.get("__doc__"):  # the standard decorator's docstring: the name and signature
                    c.__doc__ = c.__name__ + str(inspect.signature(c)).replace(" -> None", "")
                _share_methods(c, own)
                return c
            for name in set(vars(c)) - set(own):  # undo, and declare it the standard way
                delattr(c, name)
            c.__doc__ = own.get("__doc__")
        c = dataclasses.dataclass(c, eq=False, repr=False, **options)
        _share_methods(c, own)
        return c
    return wrap if cls is None else wrap(cls)


def _closures_fit(cls, own: dict, options: dict) -> bool:
    """``cls`` can take the closures for ``__init__``, ``__setattr__`` and ``__delattr__``."""
    return (options.get("init", True) and not options.get("slots")
            and not {"__init__", "__setattr__", "__delattr__", "__post_init__"} & set(own)
            and not hasattr(cls, "__post_init__")
            and not any(hasattr(b, "__dataclass_fields__") for b in cls.__mro__[1:]))


@functools.cache
def _frozen_params(options: tuple):
    """The ``__dataclass_params__`` that ``dataclasses.dataclass(**options)`` gives a class."""
    return dataclasses.dataclass(type("Params", (), {"__doc__": "-"}), **dict(options)).__dataclass_params__


def _init_and_frozen(cls, options: dict) -> None:
    """``__init__``, ``__setattr__``, ``__delattr__`` of a frozen dataclass, as closures."""
    fields = dataclasses.fields(cls)
    names = frozenset(f.name for f in fields)
    cls.__init__ = _init(cls, fields)
    cls.__dataclass_params__ = _frozen_params(tuple(sorted(options.items())))

    def __setattr__(self, name, value):
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self, name):
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    for method in (__setattr__, __delattr__):
        method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"
        setattr(cls, method.__name__, method)


def _init(cls, fields):
    """``__init__(self, a, b=..., *, c=...)`` setting every field (``dataclasses._init_fn``, frozen)."""
    missing = dataclasses.MISSING
    positional = tuple(f.name for f in fields if f.init and not f.kw_only)
    keywords = frozenset(f.name for f in fields if f.init)
    # (name, given in __init__, default, default factory) in field order; a field with
    # init=False and a plain default is not set (the class attribute is read, as the standard)
    order = tuple((f.name, f.init, f.default, f.default_factory) for f in fields
                  if f.init or f.default_factory is not missing)
    required = tuple(f.name for f in fields if f.init and f.default is missing and f.default_factory is missing)
    setter = object.__setattr__
    where = f"{cls.__qualname__}.__init__()"

    def __init__(self, *args, **kwargs):
        if len(args) > len(positional):
            raise TypeError(f"{where} takes {len(positional) + 1} positional arguments but "
                            f"{len(args) + 1} were given")
        given = dict(zip(positional, args))
        for key in kwargs:
            if key not in keywords:
                raise TypeError(f"{where} got an unexpected keyword argument {key!r}")
            if key in given:
                raise TypeError(f"{where} got multiple values for argument {key!r}")
        given.update(kwargs)
        absent = [n for n in required if n not in given]
        if absent:
            raise TypeError(f"{where} missing {len(absent)} required argument{'s' * (len(absent) > 1)}: "
                            + ", ".join(map(repr, absent)))
        for name, init, default, factory in order:
            if init and name in given:
                setter(self, name, given[name])
            elif default is not missing:
                setter(self, name, default)
            else:
                setter(self, name, factory())

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    __init__.__signature__ = _signature(fields)
    return __init__


class _Factory:
    """The default shown in a signature for a ``default_factory`` field (as ``dataclasses``)."""

    def __repr__(self):
        return "<factory>"


_FACTORY = _Factory()


def _signature(fields) -> inspect.Signature:
    """The generated ``__init__``'s signature: ``(self, a: 'int', b: 'str' = 'x', *, c=<factory>) -> None``."""
    P = inspect.Parameter
    params = [P("self", P.POSITIONAL_OR_KEYWORD)]
    for f in sorted((f for f in fields if f.init), key=lambda f: f.kw_only):  # keyword-only ones last
        default = f.default if f.default is not dataclasses.MISSING else (
            _FACTORY if f.default_factory is not dataclasses.MISSING else P.empty)
        params.append(P(f.name, P.KEYWORD_ONLY if f.kw_only else P.POSITIONAL_OR_KEYWORD,
                        default=default, annotation=f.type))
    return inspect.Signature(params, return_annotation=None)


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
