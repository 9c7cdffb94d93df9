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

import difflib
import math
import re
from dataclasses import dataclass
from typing import Annotated, Any, Callable

import numpy as np
from pydantic import Field
from pydantic_core import PydanticCustomError, core_schema

from actuarial.errors import kind  # noqa: F401 (used here, and re-exported to the section modules)
from actuarial.schema.values import SEXES, BySex, TimeSeries

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
    example: Any = None  # a value (as written in YAML) for the generated template, where no default fits


    entries: tuple = ()  # ((name, section), ...): the section of each entry, by name ("<name>": any other)


def invalid(message: str, sub: str = "") -> PydanticCustomError:
    """The error for a bad value; ``sub`` is the key path below the field."""
    return PydanticCustomError(ERROR, message.replace("{", "{{").replace("}", "}}"), {"sub": sub})




def with_source(schema: dict) -> dict:
    """A JSON Schema that also accepts ``{value: ..., source: "..."}``."""
    sourced = {"type": "object", "properties": {"value": schema, "source": {"type": "string"}},
               "required": ["value"], "additionalProperties": False}
    return {"anyOf": [schema, sourced]}


class Check:
    """The field's validator: ``check(value)`` is the field's value (or raises :func:`invalid`);
    and its JSON Schema, ``schema`` (also accepting ``{value:, source:}``).

    As pydantic's ``PlainValidator`` with ``WithJsonSchema``, in one annotation and
    without what ``PlainValidator`` builds for serialising (the core schema of the
    field's Python type, and its signature inspection): sections are only
    validated, and that was most of the time of building a section's validator
    (``actuarial check``). ``check`` takes the value only (no ``ValidationInfo``).

    ``description`` is the field's (in its core schema's metadata, under
    :data:`FIELD_DESCRIPTION`): the JSON Schema generator writes it on the section's
    property (``actuarial.schema.describe``), as ``Field(description=...)`` would,
    without a ``FieldInfo`` built and merged for every field."""

    __slots__ = ("check", "schema", "description")

    def __init__(self, check: Callable, schema: dict | None = None, description: str | None = None):
        self.check, self.schema, self.description = check, schema, description

    def __get_pydantic_core_schema__(self, source_type, handler):
        schema = core_schema.no_info_plain_validator_function(self.check)
        if self.description is not None:
            schema["metadata"] = {FIELD_DESCRIPTION: self.description}
        return schema

    def __get_pydantic_json_schema__(self, schema, handler):
        return with_source(self.schema) if self.schema is not None else handler(schema)


FIELD_DESCRIPTION = "actuarial_field_description"  # core schema metadata key: the field's description


def _field(py_type, check: Callable, schema: dict, param: Param):
    return Annotated[py_type, Check(check, schema, param.description), param]


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
           what="a number", unit=None, source=None, derived=None, words=(), example=None):
    """A number (``integer=True``: a whole number, returned as int); ``words``:
    texts accepted instead of a number (``"capitalised"``), returned as given."""
    expected = what if lo is None and hi is None else f"{what} in {bounds_text(lo, hi, lo_open)}"
    param = Param(description, unit, expected, source, derived=derived, example=example)
    schema = _number_schema(lo, hi, integer, lo_open)
    if words:
        schema = {"anyOf": [schema, {"type": "string", "enum": list(words)}]}

    def check(value):
        if words and isinstance(value, str) and value in words:
            return value
        return check_number(value, lo=lo, hi=hi, integer=integer, lo_open=lo_open, what=what)

    py_type = int if integer else float
    return _field(py_type | str if words else py_type, check, schema, param)


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


def text(description: str, *, pattern=None, pattern_text="", unit=None, source=None, derived=None,
         example=None):
    """A non-empty string (matching ``pattern``, described by ``pattern_text``)."""
    schema: dict[str, Any] = {"type": "string", "minLength": 1}
    if pattern is not None:
        schema["pattern"] = f"^(?:{pattern})$"
    param = Param(description, unit, pattern_text or "a non-empty string", source, derived=derived,
                  example=example)
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


# -- lists ------------------------------------------------------------------

def check_number_list(value, *, lo=None, hi=None, length=None, what="a number", sub="",
                      listed="a list of numbers") -> list:
    """A non-empty list of numbers (of ``length`` values when given)."""
    if not isinstance(value, list) or not value:
        raise invalid(f"expected {listed}, got {kind(value)}", sub)
    if length is not None and len(value) != length:
        raise invalid(f"expected {length} values (ages 0..100, the last for 100+), "
                      f"got {len(value)}: an age is missing or extra", sub)
    return [check_number(v, lo=lo, hi=hi, what=what, sub=f"{sub}[{i}]") for i, v in enumerate(value)]


def numbers(description: str, *, lo=None, hi=None, what="a number", unit=None, source=None,
            distinct=False, listed="a list of numbers"):
    """A non-empty list of numbers -> tuple of floats (``distinct``: no value twice;
    ``listed``: how the list is named in a message)."""
    expected = what if lo is None and hi is None else f"{what} in {bounds_text(lo, hi)}"

    def check(value):
        out = tuple(check_number_list(value, lo=lo, hi=hi, what=what, listed=listed))
        if distinct and len(set(out)) != len(out):
            raise invalid("expected distinct values")
        return out

    schema = {"type": "array", "minItems": 1, "items": _number_schema(lo, hi, False, False)}
    return _field(tuple, check, schema, Param(description, unit, f"a list of {expected}", source, "list"))


def whole_numbers(description: str, *, what="a list of positive whole numbers", lo=1, empty=False,
                  unit=None, source=None):
    """A list of whole numbers >= ``lo`` (non-empty unless ``empty``) -> tuple of ints."""
    def check(value):
        if (not isinstance(value, list) or (not value and not empty)
                or not all(isinstance(h, int) and not isinstance(h, bool) and h >= lo for h in value)):
            raise invalid(f"expected {what}")
        return tuple(value)

    schema = {"type": "array", "minItems": 0 if empty else 1, "items": {"type": "integer", "minimum": lo}}
    return _field(tuple, check, schema, Param(description, unit, what, source, "list"))


def age_range(description: str, *, source=None):
    """``[first age, last age]`` within 0..100 (inclusive) -> tuple of two ints."""
    def check(value):
        if (not isinstance(value, list) or len(value) != 2
                or not all(isinstance(a, int) and not isinstance(a, bool) for a in value)
                or not 0 <= value[0] <= value[1] <= 100):
            raise invalid(f"expected [first age, last age] within 0..100, got {value!r}")
        return value[0], value[1]

    schema = {"type": "array", "minItems": 2, "maxItems": 2,
              "items": {"type": "integer", "minimum": 0, "maximum": 100}}
    return _field(tuple, check, schema,
                  Param(description, "years of age", "[first age, last age] within 0..100", source))


# -- age schedules (single ages 0..100+) and values by sex ----------------------------

N_AGES = 101
SCHEDULE_FORMS = ("a list of 101 values (ages 0..100+), {first_age: A, [width: W,] values: [...]} "
                  "(zero elsewhere; each value covers W ages), or {form: NAME, ...parameters}")


def _unknown_keys(value: dict, known, sub: str):
    for key in value:
        if key not in known:
            hint = difflib.get_close_matches(str(key), [str(k) for k in known], n=1)
            raise invalid("unknown key" + (f" (did you mean {hint[0]!r}?)" if hint else ""), f"{sub}.{key}")


def _required(value: dict, key, sub: str, known=()):
    if key not in value:
        spare = [str(k) for k in value if k not in known]
        hint = difflib.get_close_matches(str(key), spare, n=1)
        raise invalid("required key is missing" + (f" (found {hint[0]!r}: a typo?)" if hint else ""),
                      f"{sub}.{key}")
    return value[key]


def check_schedule(value, *, lo=None, hi=None, what="a number", scalar=False, forms=None,
                   sub="") -> np.ndarray:
    """An age schedule over single ages 0..100+ (read-only float array of 101):
    a list of 101 values; ``{first_age: A, [width: W,] values: [...]}`` (zero
    elsewhere, each value covering W ages, the last group may end at 100+);
    ``{form: NAME, ...}`` evaluated by ``forms(value, sub)`` (a parametric law,
    supplied by the engine: the toolkit knows none); with ``scalar``, one
    number for every age."""
    if isinstance(value, np.ndarray):
        return value
    if scalar and isinstance(value, (int, float)) and not isinstance(value, bool):
        out = np.full(N_AGES, check_number(value, lo=lo, hi=hi, what=what, sub=sub))
    elif isinstance(value, list):
        out = np.array(check_number_list(value, lo=lo, hi=hi, length=N_AGES, what=what, sub=sub))
    elif isinstance(value, dict) and "form" in value and forms is not None:
        out = np.asarray(forms(value, sub), dtype=float)
    elif isinstance(value, dict) and "first_age" in value:
        _unknown_keys(value, ("first_age", "width", "values"), sub)
        first = check_number(value["first_age"], lo=0, hi=100, integer=True, sub=f"{sub}.first_age")
        width = check_number(value.get("width", 1), lo=1, hi=100, integer=True, sub=f"{sub}.width")
        given = check_number_list(_required(value, "values", sub, ("first_age", "width")), lo=lo, hi=hi, what=what,
                                  sub=f"{sub}.values")
        if first + (len(given) - 1) * width > N_AGES - 1:
            raise invalid(f"{len(given) * width} ages from age {first} run past age 100", sub)
        values = np.repeat(given, width)[:N_AGES - first]
        out = np.zeros(N_AGES)
        out[first:first + len(values)] = values
    else:
        raise invalid("expected " + SCHEDULE_FORMS, sub)
    out = np.array(out, dtype=float)
    out.flags.writeable = False
    return out


def schedule_schema(lo=None, hi=None, scalar=False) -> dict:
    one = _number_schema(lo, hi, False, False)
    forms = [{"type": "array", "minItems": N_AGES, "maxItems": N_AGES, "items": one},
             {"type": "object", "required": ["first_age", "values"], "additionalProperties": False,
              "properties": {"first_age": {"type": "integer", "minimum": 0, "maximum": 100},
                             "width": {"type": "integer", "minimum": 1, "maximum": 100},
                             "values": {"type": "array", "minItems": 1, "items": one}}},
             {"type": "object", "required": ["form"], "properties": {"form": {"type": "string"}}}]
    return {"anyOf": ([one] if scalar else []) + forms}


def _by_sex_schema(schema: dict) -> dict:
    pair = {"type": "object", "required": list(SEXES), "additionalProperties": False,
            "properties": {s: schema for s in SEXES}}
    return {"anyOf": [schema, pair]}


def check_by_sex(value, check: Callable, sub="") -> BySex:
    """``{female: X, male: X}``, or one X for both sexes (``check(x, sub)``)."""
    if isinstance(value, dict) and set(value) & set(SEXES):
        _unknown_keys(value, SEXES, sub)
        return BySex(*(check(_required(value, s, sub, SEXES), f"{sub}.{s}") for s in SEXES))
    one = check(value, sub)
    return BySex(one, one)


def schedule_by_sex(description: str, *, lo=None, hi=None, what="a number", scalar=True,
                    unit=None, source=None, forms=None):
    """An age schedule (:func:`check_schedule`) for both sexes or ``{female: ..., male: ...}``
    -> :class:`BySex` of arrays over ages 0..100+."""
    expected = what if lo is None and hi is None else f"{what} in {bounds_text(lo, hi)}"
    param = Param(description, unit, f"{expected} by age: {SCHEDULE_FORMS}"
                  + (", or one number for every age" if scalar else "") + "; one for both sexes or "
                  "{female: ..., male: ...}", source, "schedule by sex")
    return _field(BySex, lambda v: check_by_sex(v, lambda x, s: check_schedule(
        x, lo=lo, hi=hi, what=what, scalar=scalar, forms=forms, sub=s)),
        _by_sex_schema(schedule_schema(lo, hi, scalar)), param)


def series_by_sex(description: str, *, lo=None, hi=None, what="a number", integer=False,
                  unit=None, source=None):
    """A series (:func:`check_series`) for both sexes or ``{female: ..., male: ...}``
    -> :class:`BySex` of :class:`TimeSeries` (``integer``: whole values only)."""
    expected = what if lo is None and hi is None else f"{what} in {bounds_text(lo, hi)}"

    def one(value, sub):
        out = check_series(value, lo=lo, hi=hi, what=what, sub=sub)
        if integer and any(v != int(v) for v in out.values):
            raise invalid(f"expected whole years of age for {sub.rsplit('.', 1)[-1] or 'both sexes'}, "
                          f"got {out.values}", sub)
        return out

    param = Param(description, unit, f"{expected}, constant or {{year: value}}; one for both sexes "
                  "or {female: ..., male: ...}", source, "series by sex")
    return _field(BySex, lambda v: check_by_sex(v, one), _by_sex_schema(series_schema(lo, hi)), param)


def named(description: str, item, *, what="name", source=None, optional=False):
    """``{name: item}``: named entries (benefits, sectors, options) whose item
    is a value type or a ``@section()`` dataclass; names are text (or numbers).
    ``optional``: ``null`` is accepted (as absent)."""
    mapping = dict[str | int, item]
    return Annotated[mapping | None if optional else mapping, Field(description=description),
                     Param(description, None, f"{{{what}: ...}}", source, "mapping")]


def matrix(description: str, n: int, *, what="a number", names=(), unit=None, source=None):
    """An ``n`` x ``n`` list of lists of numbers (rows and columns in the order of
    ``names``) -> float array."""
    order = f" (order {', '.join(names)})" if names else ""

    def check(value):
        if not isinstance(value, list) or len(value) != n or not all(
                isinstance(v, list) and len(v) == n for v in value):
            raise invalid(f"expected a {n} x {n} list of lists{order}")
        return np.array([check_number_list(v, what=what, sub=f"[{i}]") for i, v in enumerate(value)])

    row = {"type": "array", "minItems": n, "maxItems": n, "items": {"type": "number"}}
    schema = {"type": "array", "minItems": n, "maxItems": n, "items": row}
    return _field(np.ndarray, check, schema, Param(description, unit, f"a {n} x {n} list of lists{order}",
                                                   source, "matrix"))
