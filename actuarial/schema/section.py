"""Sections: declaring them, validating a mapping into one, and turning
pydantic's errors into one :class:`AssumptionError` naming the file, the key
path and what was expected (with "did you mean" for unknown keys).
"""

from __future__ import annotations

import difflib
import functools
import typing
from dataclasses import MISSING, fields, is_dataclass
from pathlib import Path

from pydantic import ConfigDict, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

from actuarial.errors import AssumptionError
from actuarial.schema.fields import ERROR, Param, kind

# not strict=True: that would refuse a mapping for a dataclass; every field type checks its
# value strictly itself (no "3" for 3, no 1 for true)
CONFIG = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
SECTIONS: dict[str, type] = {}  # top-level key -> section dataclass, in file order


def section(key: str | None = None):
    """Class decorator for a frozen dataclass declaring a section (or a
    nested mapping when ``key`` is None): extra keys are refused."""
    def wrap(cls):
        cls.__pydantic_config__ = CONFIG
        if key is not None:
            SECTIONS[key] = cls
            cls.__section_key__ = key
        return cls
    return wrap


def rule_error(key, message: str) -> PydanticCustomError:
    """A cross-field rule broken at ``key`` (a field of the section being validated)."""
    return PydanticCustomError(ERROR, message.replace("{", "{{").replace("}", "}}"),
                               {"sub": "" if key is None else f".{key}"})


@functools.cache
def adapter(cls) -> TypeAdapter:
    return TypeAdapter(cls)


def validate(cls, data, *, origins: dict, path: tuple, context: dict | None = None):
    """``data`` (the mapping at ``path``) as a ``cls``; errors name the file
    that set the key (``origins``: key path tuple -> file)."""
    try:
        return adapter(cls).validate_python(data, context=context)
    except ValidationError as exc:
        errors = [convert(e, cls, data, origins, path) for e in exc.errors()]
        first = errors[0]
        first.errors = errors  # every error, for a command that lists them all
        raise first from None


# -- what a section declares --------------------------------------------------------

@functools.cache
def hints(cls) -> dict:
    return typing.get_type_hints(cls, include_extras=True)


def param_of(cls, name) -> Param | None:
    """The :class:`Param` declared for field ``name`` of ``cls``."""
    for meta in getattr(hints(cls)[name], "__metadata__", ()):
        if isinstance(meta, Param):
            return meta
    return None


def nested(cls, name):
    """The section dataclass of field ``name`` (None for a value)."""
    hint = hints(cls)[name]
    candidates = [hint.__origin__] if hasattr(hint, "__metadata__") else [hint]
    for c in list(candidates):
        candidates.extend(typing.get_args(c))
    return next((c for c in candidates if isinstance(c, type) and is_dataclass(c)
                 and hasattr(c, "__pydantic_config__")), None)


def is_named(cls, name) -> bool:
    """Field ``name`` is a ``{name: item}`` mapping (:func:`~actuarial.schema.fields.named`)."""
    param = param_of(cls, name)
    return param is not None and param.kind == "mapping"


def default_of(field):
    if field.default is not MISSING:
        return field.default
    if field.default_factory is not MISSING:
        return field.default_factory()
    return MISSING


def field_names(cls) -> list[str]:
    return [f.name for f in fields(cls)]


# -- errors ---------------------------------------------------------------------

def key_parts(text: str) -> tuple:
    """``'.tfr.2025'`` -> ('tfr', 2025); ``'.female[3]'`` -> ('female',)."""
    parts = []
    for part in text.split("[")[0].split("."):
        if part:
            parts.append(int(part) if part.lstrip("-").isdigit() else part)
    return tuple(parts)


def file_for(origins: dict, parts: tuple) -> Path | None:
    """The file that set the key at ``parts`` (or the nearest mapping above it)."""
    while parts not in origins and parts:
        parts = parts[:-1]
    return origins.get(parts)


def convert(error: dict, cls, data, origins: dict, path: tuple) -> AssumptionError:
    """One pydantic error as today's message."""
    loc = tuple(error["loc"])
    owner, value = cls, data  # the section holding the failing key, and its mapping
    entry = None  # the section of each entry of a {name: section} field, for the next part
    for part in loc[:-1]:
        if entry is not None:
            owner, entry = entry, None
        elif owner is not None and part in hints(owner):
            owner, entry = (None, nested(owner, part)) if is_named(owner, part) else (nested(owner, part), None)
        else:
            owner = None
        value = value.get(part) if isinstance(value, dict) else None
    kind_ = error["type"]
    sub = ""
    if kind_ == ERROR:
        sub = error.get("ctx", {}).get("sub", "")
        message = error["msg"].replace("{{", "{").replace("}}", "}")  # pydantic keeps invalid()'s escapes
    elif kind_ == "missing":
        spare = [str(k) for k in (value or {}) if owner is None or k not in hints(owner)]
        hint = difflib.get_close_matches(str(loc[-1]), spare, n=1)
        message = "required key is missing" + (f" (found {hint[0]!r}: a typo?)" if hint else "")
    elif kind_ in ("unexpected_keyword_argument", "extra_forbidden", "invalid_key"):
        known = field_names(owner) if owner is not None else []
        hint = difflib.get_close_matches(str(loc[-1]), known, n=1)
        message = "unknown key" + (f" (did you mean {hint[0]!r}?)" if hint else "")
    elif kind_ in ("dataclass_type", "dataclass_exact_type", "dict_type"):
        message = f"expected a mapping, got {kind(error['input'])}"
    else:
        message = f"expected {error['msg'][0].lower()}{error['msg'][1:]}"
    parts = (*path, *loc, *key_parts(sub))
    suffix = sub[sub.index("["):] if "[" in sub else ""
    key = ".".join(str(p) for p in parts) + suffix
    return AssumptionError(file_for(origins, parts), key, message)
