"""actuarial.schema.records.dataclass: the frozen dataclasses of the sections, with
shared ``__eq__``/``__hash__`` in place of generated ones, behave as the standard
``dataclasses.dataclass(frozen=True)`` classes do (equality, hashing, replace,
pickling, frozenness), and the brief repr."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from actuarial.schema import records


def pair(**options):
    """The same class declared by the standard decorator and by ``records.dataclass``."""
    def body(name):
        ns = {}
        exec("class C:\n"
             "    a: int = 1\n"
             "    b: str = 'x'\n"
             "    c: float = dataclasses.field(default=0.0, compare=False)\n"
             "    d: tuple = dataclasses.field(default=(), hash=False)\n", {"dataclasses": dataclasses}, ns)
        ns["C"].__qualname__ = ns["C"].__name__ = name
        return ns["C"]
    return (dataclasses.dataclass(frozen=True, **options)(body("Std")),
            records.dataclass(frozen=True, **options)(body("Rec")))


@pytest.mark.parametrize("options", [{}, {"kw_only": True}])
def test_equality_and_hash_as_the_standard_decorator(options):
    std, rec = pair(**options)
    cases = [dict(), dict(a=2), dict(b="y"), dict(c=5.0), dict(d=(1,)), dict(a=2, c=3.0, d=(4,))]
    for x in cases:
        for y in cases:
            assert (std(**x) == std(**y)) == (rec(**x) == rec(**y)), (x, y)
            assert (std(**x) != std(**y)) == (rec(**x) != rec(**y)), (x, y)
            if std(**x) == std(**y):
                assert hash(rec(**x)) == hash(rec(**y))
        assert hash(rec(**x)) == hash(std(**x))  # the same tuple of fields is hashed
    assert rec() != std() and rec().__eq__(std()) is NotImplemented
    assert (rec() == 1) is False


def test_frozen_replace_pickle_and_fields():
    _, rec = pair()
    obj = rec(a=3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        obj.a = 4
    assert dataclasses.replace(obj, b="z") == rec(a=3, b="z")
    assert [f.name for f in dataclasses.fields(rec)] == ["a", "b", "c", "d"]
    assert dataclasses.is_dataclass(rec) and rec.__dataclass_params__.frozen


def test_pickle_of_a_section():
    from actuarial.schema.case import Case

    case = Case(name="x", country="X", base_year=2025, horizon=10, currency="XXX")
    back = pickle.loads(pickle.dumps(case))
    assert back == case and hash(back) == hash(case)
    assert repr(case).startswith("Case(") and "_repr_html_" in vars(Case)


def test_a_class_keeps_its_own_eq_and_hash():
    @records.dataclass(frozen=True)
    class Own:
        a: int = 0

        def __eq__(self, other):
            return True

    @records.dataclass(frozen=True)
    class OwnHash:
        a: int = 0

        def __hash__(self):
            return 7

    assert Own(1) == Own(2) and hash(Own(1)) == hash((1,))  # eq kept, hash added (as the standard one)
    assert hash(OwnHash(3)) == 7 and OwnHash(1) != OwnHash(2)


def test_options_given_explicitly_use_the_standard_decorator():
    @records.dataclass(frozen=True, repr=True)
    class Plain:
        a: int = 0

    @records.dataclass
    class Mutable:
        a: int = 0

    assert repr(Plain(1)).endswith("Plain(a=1)")
    m = Mutable()
    m.a = 2
    assert m == Mutable(2)
