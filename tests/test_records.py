"""actuarial.schema.records.dataclass: the frozen dataclasses of the sections, with
shared ``__eq__``/``__hash__`` in place of generated ones, behave as the standard
``dataclasses.dataclass(frozen=True)`` classes do (equality, hashing, replace,
pickling, frozenness), and the brief repr."""

from __future__ import annotations

import copy
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


def test_init_and_frozen_methods_as_the_standard_decorator():
    """The closures' ``__init__`` (positional, keyword-only, defaults, factories, the same
    TypeErrors), signature, ``__setattr__``/``__delattr__`` against the standard frozen class."""
    def body(name, kw_only):
        ns = {}
        exec("class C:\n"
             "    '''doc'''\n"
             "    a: int\n"
             "    b: str = 'x'\n"
             "    c: list = dataclasses.field(default_factory=list)\n"
             "    d: int = dataclasses.field(default=5, init=False)\n"
             "    e: tuple = dataclasses.field(default_factory=tuple, init=False)\n",
             {"dataclasses": dataclasses}, ns)
        ns["C"].__qualname__ = ns["C"].__name__ = name
        return ns["C"]
    import inspect

    for kw_only in (False, True):
        opts = {"frozen": True, **({"kw_only": True} if kw_only else {})}
        std = dataclasses.dataclass(**opts)(body("C", kw_only))
        rec = records.dataclass(**opts)(body("C", kw_only))
        assert rec.__init__.__code__.co_filename == records.__file__  # the closures, not generated code
        assert str(inspect.signature(rec)) == str(inspect.signature(std))
        assert rec.__dataclass_params__.frozen and rec.__dataclass_params__.init
        calls = [((), dict(a=1)), ((), dict(a=1, b="y", c=[2])), ((1,), {}), ((1, "y", [3]), {}),
                 ((), {}), ((1, "y", [3], 4), {}), ((1,), dict(a=2)), ((), dict(a=1, z=2)), ((), dict(d=1))]
        for args, kwargs in calls:
            outcome = []
            for cls in (std, rec):
                try:
                    obj = cls(*args, **kwargs)
                    outcome.append(("ok", [getattr(obj, f) for f in "abcde"], sorted(vars(obj))))
                except TypeError as exc:
                    outcome.append(("TypeError", str(exc).split("(")[0]))
            assert outcome[0][0] == outcome[1][0] and outcome[0][1:] == outcome[1][1:], (args, kwargs, outcome)
        obj = rec(a=1)
        assert obj.c == [] and obj.c is not rec(a=1).c  # a fresh list for each instance
        for action in (lambda: setattr(obj, "a", 2), lambda: setattr(obj, "new", 2), lambda: delattr(obj, "a")):
            with pytest.raises(dataclasses.FrozenInstanceError):
                action()
        assert dataclasses.replace(obj, b="z").b == "z" and copy.deepcopy(obj) == obj  # pickled: Case, above


def test_a_class_without_docstring_gets_the_closures_and_the_standard_docstring():
    def body():
        class NoDoc:
            a: int = 0
            b: list = dataclasses.field(default_factory=list)
        return NoDoc

    std, rec = dataclasses.dataclass(frozen=True)(body()), records.dataclass(frozen=True)(body())
    assert rec.__init__.__code__.co_filename == records.__file__  # the closures, not generated code
    assert rec.__doc__ == std.__doc__ == "NoDoc(a: 'int' = 0, b: 'list' = <factory>)"
    assert rec(1) == rec(1) and rec(1).b == [] and rec(1).b is not rec(1).b


def test_classes_the_closures_do_not_fit_use_the_standard_init():
    @records.dataclass(frozen=True)
    class Post:
        """doc"""
        a: int = 0

        def __post_init__(self):
            object.__setattr__(self, "a", self.a + 1)

    @records.dataclass(frozen=True)
    class Child(Post):
        """doc"""
        b: int = 0

    assert Post(1).a == 2 and Child(1, 3).a == 2 and Child(1, 3).b == 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        Child().b = 1
