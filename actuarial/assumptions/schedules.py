"""Shared building blocks of assumption sections: age schedules, values by
sex, and items given at anchor years."""

from __future__ import annotations

import numpy as np

from actuarial.assumptions.reader import REQUIRED as _REQ
from actuarial.assumptions.reader import N_AGES, Reader
from actuarial.schema.values import SEXES, Anchored, BySex, frozen  # noqa: F401 (re-exported)


def age_schedule(r: Reader, key, value, *, lo=None, hi=None, forms=("pattern",),
                 what="a number") -> np.ndarray:
    """A list over ages 0..100, ``{first_age, [width,] values}``, or ``{form, params}``."""
    if isinstance(value, list):
        return np.array(r.number_list(key, value, lo=lo, hi=hi, length=N_AGES, what=what))
    if isinstance(value, dict) and "form" in value:
        return form_values(r, key, value, forms)[1]
    if isinstance(value, dict) and "first_age" in value:
        sub = Reader(value, r.origins, (*r.path, key))
        with sub:
            first = sub.number("first_age", lo=0, hi=100, integer=True)
            width = sub.number("width", lo=1, hi=100, integer=True, default=1)
            given = sub.number_list("values", sub.raw("values"), lo=lo, hi=hi, what=what)
        if first + (len(given) - 1) * width > N_AGES - 1:
            raise r.error(key, f"{len(given) * width} ages from age {first} run past age 100")
        values = np.repeat(given, width)[:N_AGES - first]  # the last group may end at 100+
        out = np.zeros(N_AGES)
        out[first:first + len(values)] = values
        return out
    raise r.error(key, "expected a list of 101 values (ages 0..100+), "
                       "{first_age: A, [width: W,] values: [...]} (zero elsewhere; "
                       "each value covers W ages), or {form: NAME, ...parameters}")


def form_values(r: Reader, key, value: dict, allowed) -> tuple[str, np.ndarray]:
    from actuarial.demography.laws import FORMS  # here: demography imports this module

    sub = Reader(value, r.origins, (*r.path, key))
    with sub:
        names = [n for n, f in FORMS.items() if f[1] in allowed]
        name = sub.string("form", choices=names)
        func, quantity, params = FORMS[name]
        kwargs = {p: sub.number(p, lo=b[0], hi=b[1], default=0.0 if p == "c" else _REQ)
                  for p, b in params.items()}
    with np.errstate(all="ignore"):
        values = func(**kwargs)
    if not np.all(np.isfinite(values)):
        raise r.error(key, f"the {name} parameters give non-finite values")
    return quantity, values


def by_sex(r: Reader, key, parse) -> BySex:
    sub = r.section(key)
    with sub:
        return BySex(*(parse(sub, sex, sub.raw(sex)) for sex in SEXES))


def anchored(r: Reader, key, parse) -> Anchored:
    """``{year: item}`` anchors, years increasing; ``parse(reader, key, value)``."""
    sub = r.section(key)
    years, values = [], []
    with sub:
        for year in sub.keys():
            if isinstance(year, bool) or not isinstance(year, int):
                raise sub.error(year, "expected an integer year as key")
            if years and year <= years[-1]:
                raise sub.error(year, f"years must increase; {year} comes after {years[-1]}")
            years.append(year)
            values.append(parse(sub, year, sub.raw(year)))
    return Anchored(tuple(years), tuple(values))
