"""The assumption schema toolkit: sections declared once, validated by
pydantic, described to users, exported as JSON Schema.

It imports nothing else from the engine (only ``actuarial.errors``), so both
``actuarial`` and ``fiscal_space`` build on it; neither is imported here.

How a section is written
------------------------

A section is a frozen dataclass decorated with :func:`section`; each field
is declared with a field type from :mod:`actuarial.schema.fields` that holds
its description, unit, valid range or choices and source convention; a
Python default is the key's default::

    from dataclasses import dataclass
    from pydantic import model_validator
    from actuarial.schema import TimeSeries, number, rule_error, section, series

    RATE = dict(lo=-0.5, hi=1.0, what="a yearly rate (0.03 for 3%)", unit="per year")

    @section("economy")            # the top-level key; section() alone for a nested mapping
    @dataclass(frozen=True)
    class Economy:
        \"\"\"Macroeconomic paths.\"\"\"
        gdp: number("Nominal GDP of the base year.", lo=0.0, lo_open=True,
                    what="a nominal GDP in currency units", unit="currency units")
        interest_rate: series("Nominal return on reserves.", **RATE)
        discount_rate: series("Nominal rate for present values.", **RATE,
                              derived="interest_rate")   # a default read from another key

        @model_validator(mode="before")          # cross-field rules, beside the fields
        @classmethod
        def _defaults(cls, data):
            if isinstance(data, dict) and "discount_rate" not in data and "interest_rate" in data:
                data = {**data, "discount_rate": data["interest_rate"]}
            return data

- field types (:mod:`.fields`): ``number`` (``integer=True`` for whole
  numbers), ``series`` (``{year: value}`` or a constant -> :class:`TimeSeries`),
  ``text``, ``choice``, ``flag``; every one also accepts
  ``{value: ..., source: "..."}`` (:mod:`.sources`);
- the attribute names and value types are the engine's, so the projection
  code reads the dataclass as before (``dataclasses.replace`` works: the
  dataclass is a plain one, pydantic only validates the YAML into it);
- a rule that concerns several keys is a pydantic ``model_validator`` on the
  class; it raises ``rule_error(key, "give exactly one of ...")``, the key
  being the field the message should point at; values of other sections
  come from the validation context (``info.context``, e.g. ``{"case": case}``);
- a nested mapping is a field whose type is another ``@section()`` dataclass;
  ``{name: item}`` entries are :func:`~actuarial.schema.fields.named`, or
  :func:`~actuarial.schema.entries.named_by` when the item's section depends
  on the entry's name (the fiscal-space options);
- :func:`validate` turns a mapping into the dataclass; a pydantic error
  becomes one :class:`~actuarial.errors.AssumptionError` naming the file that
  set the key (``origins`` from the loader, ``extends:`` included), the full
  key path, what was expected and "did you mean" for unknown keys;
- everything shown to users (``docs/parameters.md``, the JSON Schema,
  ``actuarial assumptions describe`` and ``template``) is generated from the
  sections registered in :data:`SECTIONS` (:mod:`.describe`, :mod:`.template`; a field's
  ``example=`` is the value the template writes where the default does not fit).
"""

from actuarial.schema.fields import (Param, age_range, check_number, check_schedule, check_series, choice,
                                     flag, invalid, matrix, named, number, numbers, schedule_by_sex, series,
                                     series_by_sex, text, whole_numbers)
from actuarial.schema.section import SECTIONS, rule_error, section, validate
from actuarial.schema.sources import split_sources
from actuarial.schema.values import N_AGES, SEXES, Anchored, BySex, TimeSeries, frozen

__all__ = ["SECTIONS", "N_AGES", "SEXES", "Anchored", "BySex", "Param", "TimeSeries", "check_number",
           "check_series", "choice", "age_range", "check_schedule", "matrix", "named", "numbers",
           "schedule_by_sex", "series_by_sex", "whole_numbers", "flag", "frozen", "invalid", "number", "read_section",
           "rule_error", "section", "series", "split_sources", "text", "validate"]


def read_section(reader, key, cls, context: dict | None = None):
    """Section ``key`` of an imperative reader (``actuarial.assumptions.reader.Reader``
    or any object with ``raw``, ``error``, ``origins`` and ``path``) as ``cls``."""
    value = reader.raw(key)
    if not isinstance(value, dict):
        got = "nothing" if value is None else "a list" if isinstance(value, list) else repr(value)
        raise reader.error(key, f"expected a mapping, got {got}")
    return validate(cls, value, origins=reader.origins, path=(*reader.path, key), context=context)
