"""actuarial.schema.section.resolve_types: a section's string annotations
(``from __future__ import annotations``) are evaluated once when the class is
declared; a name defined later in the module stays a string that pydantic
resolves, and validation and errors behave the same either way."""

from __future__ import annotations

import dataclasses

import pytest

from actuarial.errors import AssumptionError
from actuarial.schema import number, section, validate
from actuarial.schema.fields import Param
from actuarial.schema.records import dataclass


@section()
@dataclass(frozen=True)
class Outer:
    rate: number("A rate.", lo=0.0, hi=1.0, what="a rate")
    inner: Inner | None = None  # defined below: left to pydantic


@section()
@dataclass(frozen=True)
class Inner:
    count: number("A count.", lo=0, integer=True, what="a count")


def test_annotations_evaluated_once_or_left_for_later_names():
    types = {f.name: f.type for f in dataclasses.fields(Outer)}
    assert not isinstance(types["rate"], str)  # evaluated: an Annotated type carrying its Param
    assert any(isinstance(m, Param) and m.description == "A rate." for m in types["rate"].__metadata__)
    assert types["inner"] == "Inner | None"  # NameError at declaration time: stays a string
    assert not isinstance(dataclasses.fields(Inner)[0].type, str)


def test_validation_and_errors_through_both_kinds():
    got = validate(Outer, {"rate": 0.5, "inner": {"count": 3}}, origins={(): "f.yaml"}, path=("s",))
    assert got == Outer(0.5, Inner(3))
    with pytest.raises(AssumptionError, match=r"s\.rate.*expected a rate in \[0\.0, 1\.0\], got 2"):
        validate(Outer, {"rate": 2}, origins={(): "f.yaml"}, path=("s",))
    with pytest.raises(AssumptionError, match=r"s\.inner\.count.*expected a count"):
        validate(Outer, {"rate": 0.1, "inner": {"count": "x"}}, origins={(): "f.yaml"}, path=("s",))
    with pytest.raises(AssumptionError, match=r"s\.inner\.cont.*unknown key \(did you mean 'count'\?\)"):
        validate(Outer, {"rate": 0.1, "inner": {"count": 1, "cont": 2}}, origins={(): "f.yaml"}, path=("s",))
