"""More reusable field types: items at anchor years (:class:`Anchored`), one
age schedule, parametric forms (``{form: NAME, ...parameters}``) and a field
whose check the engine writes itself (:func:`field`).

The toolkit knows no parametric law: the engine passes its table of forms,
``{name: (function, quantity, {parameter: (lo, hi)})}``; a parameter with a
Python default in the function is optional.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Callable

import numpy as np
from pydantic import Field, PlainValidator, WithJsonSchema

from actuarial.schema.fields import (SCHEDULE_FORMS, Param, _required, _unknown_keys, bounds_text,
                                     check_number, check_schedule, check_text, invalid, schedule_schema,
                                     with_source)
from actuarial.schema.values import Anchored, frozen


def field(py_type, check: Callable, schema: dict, param: Param):
    """A field of ``py_type`` checked by ``check(value)`` (raising :func:`invalid`),
    shown by ``param`` and described to editors by the JSON Schema ``schema``."""
    return Annotated[py_type, PlainValidator(check), WithJsonSchema(with_source(schema)),
                     Field(description=param.description), param]


# -- parametric forms -----------------------------------------------------------------

def check_form(value: dict, forms: dict, sub: str = "") -> tuple[str, np.ndarray]:
    """``{form: NAME, parameter: value...}`` -> (quantity, values over ages 0..100+)."""
    name = check_text(value.get("form"), choices=tuple(forms), sub=f"{sub}.form")
    func, quantity, params = forms[name]
    _unknown_keys(value, ("form", *params), sub)
    defaults = {p: d.default for p, d in inspect.signature(func).parameters.items()
                if d.default is not inspect.Parameter.empty}
    kwargs = {}
    for p, (lo, hi) in params.items():
        if p in value:
            given = value[p]
        elif p in defaults:
            given = defaults[p]
        else:
            given = _required(value, p, sub, ("form", *params))  # raises
        kwargs[p] = check_number(given, lo=lo, hi=hi, sub=f"{sub}.{p}")
    with np.errstate(all="ignore"):
        values = func(**kwargs)
    if not np.all(np.isfinite(values)):
        raise invalid(f"the {name} parameters give non-finite values", sub)
    return quantity, values


def form_evaluator(forms: dict, quantities=("pattern",)):
    """``forms(value, sub)`` for :func:`~actuarial.schema.fields.check_schedule`: the
    forms of ``forms`` that give one of ``quantities``."""
    allowed = {n: f for n, f in forms.items() if f[1] in quantities}
    return lambda value, sub: check_form(value, allowed, sub)[1]


# -- one age schedule ------------------------------------------------------------------

def schedule(description: str, *, lo=None, hi=None, what="a number", scalar=False, unit=None,
             source=None, forms=None):
    """One age schedule over ages 0..100+ (:func:`check_schedule`) -> read-only array."""
    expected = what if lo is None and hi is None else f"{what} in {bounds_text(lo, hi)}"
    param = Param(description, unit, f"{expected} by age: {SCHEDULE_FORMS}"
                  + (", or one number for every age" if scalar else ""), source, "schedule")
    return field(np.ndarray, lambda v: check_schedule(v, lo=lo, hi=hi, what=what, scalar=scalar,
                                                      forms=forms),
                 schedule_schema(lo, hi, scalar), param)


# -- items at anchor years -----------------------------------------------------------

def is_anchored(value) -> bool:
    """``{year: item}``: a non-empty mapping whose keys are all whole numbers."""
    return (isinstance(value, dict) and bool(value)
            and all(isinstance(k, int) and not isinstance(k, bool) for k in value))


def check_anchored(value, check: Callable, *, single=False, sub="") -> Anchored:
    """``{year: item}`` anchors, years increasing (``check(item, sub)``); with
    ``single``, one item given without a year is constant in time."""
    if single and not is_anchored(value):
        return Anchored((0,), (check(value, sub),))
    if not isinstance(value, dict) or not value:
        raise invalid("expected {year: ...} anchors, got " + ("nothing" if value is None else
                                                               "an empty mapping" if value == {} else
                                                               type(value).__name__), sub)
    years, items = [], []
    for year, item in value.items():
        if isinstance(year, bool) or not isinstance(year, int):
            raise invalid("expected an integer year as key", f"{sub}.{year}")
        if years and year <= years[-1]:
            raise invalid(f"years must increase; {year} comes after {years[-1]}", f"{sub}.{year}")
        years.append(year)
        items.append(check(item, f"{sub}.{year}"))
    return Anchored(tuple(years), tuple(items))


def anchored(description: str, check: Callable, item_schema: dict, *, item: str, single=False,
             unit=None, source=None):
    """Items (``item``: what one is) at anchor years, interpolated between them,
    ``{year: item}`` -> :class:`Anchored`; with ``single``, also one item (constant)."""
    years = {"type": "object", "minProperties": 1, "additionalProperties": False,
             "patternProperties": {r"^-?[0-9]+$": item_schema}}
    schema = {"anyOf": [item_schema, years]} if single else years
    expected = f"{{year: {item}}} anchors" + (f", or one {item} for every year" if single else "")
    return field(Anchored, lambda v: check_anchored(v, check, single=single),
                 schema, Param(description, unit, expected, source, "anchored"))


__all__ = ["anchored", "check_anchored", "check_form", "field", "form_evaluator", "frozen",
           "is_anchored", "schedule"]
