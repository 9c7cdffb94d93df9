"""Reusable field types of assumption sections.

Each factory returns an ``Annotated`` type for a dataclass field: a pydantic
validator that checks the YAML value and builds the engine's value (float,
int, str, :class:`TimeSeries`...), the field's JSON Schema, and a
:class:`Param` holding what the parameter reference and ``actuarial
assumptions describe`` show (description, unit, expected value, source
convention). Validators raise :func:`invalid` errors whose text is today's
message ("expected a yearly rate (0.03 for 3%) in [-0.5, 1.0], got 7");
``sub`` extends the key path below the field (``.2030``, ``[20]``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Annotated, Any, Callable

from pydantic import Field, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from actuarial.schema.values import TimeSeries

ERROR = "assumption"  # pydantic error type of every message raised here


@dataclass(frozen=True)
class Param:
    """What a user is told about one key."""

    description: str
    unit: str | None = None
    expected: str = ""  # "a yearly rate (0.03 for 3%) in [-0.5, 1.0]"
    source: str | None = None  # the source convention (where such a value usually comes from)
    kind: str = "value"  # value, series, mapping...
    derived: str | None = None  # a default taken from other keys ("the name"): optional in the file


def invalid(message: str, sub: str = "") -> PydanticCustomError:
    """The error for a bad value; ``sub`` is the key path below the field."""
    return PydanticCustomError(ERROR, message.replace("{", "{{").replace("}", "}}"), {"sub": sub})


def kind(value) -> str:
    """How a bad value is named in a message."""
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {value!r}"
    return repr(value)


def with_source(schema: dict) -> dict:
    """A JSON Schema that also accepts ``{value: ..., source: "..."}``."""
    sourced = {"type": "object", "properties": {"value": schema, "source": {"type": "string"}},
               "required": ["value"], "additionalProperties": False}
    return {"anyOf": [schema, sourced]}


def _field(py_type, check: Callable, schema: dict, param: Param):
    return Annotated[py_type, PlainValidator(check), WithJsonSchema(with_source(schema)),
                     Field(description=param.description), param]


# -- numbers ----------------------------------------------------------------

def bounds_text(lo=None, hi=None, lo_open=False) -> str:
    lo_txt = "-inf" if lo is None else lo
    hi_txt = "inf" if hi is None else hi
    return f"{'(' if lo_open else '['}{lo_txt}, {hi_txt}]"


def check_number(value, *, lo=None, hi=None, integer=False, lo_open=False,
                 what="a number", sub="") -> float:
    """A finite number within ``[lo, hi]`` (``(lo, hi]`` when ``lo_open``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid(f"expected {what}, got {kind(value)}", sub)
    if not math.isfinite(value):
        raise invalid(f"expected a finite {what}, got {value}", sub)
    if integer and int(value) != value:
        raise invalid(f"expected an integer, got {value}", sub)
    too_low = lo is not None and (value <= lo if lo_open else value < lo)
    if too_low or (hi is not None and value > hi):
        raise invalid(f"expected {what} in {bounds_text(lo, hi, lo_open)}, got {value}", sub)
    return int(value) if integer else float(value)


def _number_schema(lo, hi, integer, lo_open) -> dict:
    schema: dict[str, Any] = {"type": "integer" if integer else "number"}
    if lo is not None:
        schema["exclusiveMinimum" if lo_open else "minimum"] = lo
    if hi is not None:
        schema["maximum"] = hi
    return schema


def number(description: str, *, lo=None, hi=None, lo_open=False, integer=False,
           what="a number", unit=None, source=None, derived=None):
    """A number (``integer=True``: a whole number, returned as int)."""
    expected = what if lo is None and hi is None else f"{what} in {bounds_text(lo, hi, lo_open)}"
    param = Param(description, unit, expected, source, derived=derived)
    return _field(int if integer else float,
                  lambda v: check_number(v, lo=lo, hi=hi, integer=integer, lo_open=lo_open, what=what),
                  _number_schema(lo, hi, integer, lo_open), param)


# -- time series ------------------------------------------------------------

YEAR_KEY = r"^-?[0-9]+$"


def check_series(value, *, lo=None, hi=None, what="a number", sub="") -> TimeSeries:
    """A scalar (constant) or ``{year: value}`` anchors, years increasing."""
    if isinstance(value, TimeSeries):
        return value
    if isinstance(value, dict):
        if not value:
            raise invalid("expected at least one {year: value} anchor", sub)
        years, values = [], []
        for year, v in value.items():
            if isinstance(year, bool) or not isinstance(year, int):
                raise invalid(f"expected integer years as keys, got {year!r}", sub)
            if years and year <= years[-1]:
                raise invalid(f"years must increase; {year} comes after {years[-1]}", sub)
            years.append(year)
            values.append(check_number(v, lo=lo, hi=hi, what=what, sub=f"{sub}.{year}"))
        return TimeSeries(tuple(years), tuple(values))
    return TimeSeries.constant(check_number(value, lo=lo, hi=hi, what=what, sub=sub))


def series_schema(lo=None, hi=None) -> dict:
    """A number, or ``{year: number}`` (each anchor may carry its source)."""
    one = _number_schema(lo, hi, False, False)
    return {"anyOf": [one, {"type": "object", "minProperties": 1,
                            "patternProperties": {YEAR_KEY: with_source(one)},
                            "additionalProperties": False}]}


def series(description: str, *, lo=None, hi=None, what="a number", unit=None, source=None,
           derived=None, optional=False):
    """A ``{year: value}`` series: linear between anchors, flat outside; a scalar is constant.

    ``optional``: the section's rules fill None when the key is absent (an
    alternative to another key)."""
    expected = (what if lo is None and hi is None else f"{what} in {bounds_text(lo, hi)}")
    param = Param(description, unit, f"{expected}, constant or {{year: value}}", source, "series",
                  derived or ("none" if optional else None))

    def check(value):
        return None if optional and value is None else check_series(value, lo=lo, hi=hi, what=what)

    return _field(TimeSeries | None if optional else TimeSeries, check, series_schema(lo, hi), param)


# -- text -------------------------------------------------------------------

def check_text(value, *, pattern=None, pattern_text="", choices=None, sub="") -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid(f"expected a non-empty string, got {kind(value)}", sub)
    if choices is not None and value not in choices:
        raise invalid(f"expected one of {', '.join(choices)}; got {value!r}", sub)
    if pattern is not None and not re.fullmatch(pattern, value):
        raise invalid(f"expected {pattern_text}; got {value!r}", sub)
    return value


def text(description: str, *, pattern=None, pattern_text="", unit=None, source=None, derived=None):
    """A non-empty string (matching ``pattern``, described by ``pattern_text``)."""
    schema: dict[str, Any] = {"type": "string", "minLength": 1}
    if pattern is not None:
        schema["pattern"] = f"^(?:{pattern})$"
    param = Param(description, unit, pattern_text or "a non-empty string", source, derived=derived)
    return _field(str, lambda v: check_text(v, pattern=pattern, pattern_text=pattern_text),
                  schema, param)


def choice(description: str, choices, *, source=None, derived=None):
    """One of ``choices`` (text)."""
    param = Param(description, None, f"one of {', '.join(choices)}", source, derived=derived)
    return _field(str, lambda v: check_text(v, choices=choices),
                  {"type": "string", "enum": list(choices)}, param)


def flag(description: str, *, source=None, derived=None):
    """true or false."""
    def check(value):
        if not isinstance(value, bool):
            raise invalid(f"expected true or false, got {value!r}")
        return value

    return _field(bool, check, {"type": "boolean"}, Param(description, None, "true or false", source, derived=derived))
