"""Section ``demography.grouped``: population, net migrants and death rates in
5-year age groups, graduated to the engine's single ages 0..100+
(:mod:`actuarial.demography.graduation`).

A group list is either the values of the groups in order (counts: 0-4, 5-9,
..., the last open; death rates: the abridged groups 0, 1-4, 5-9, ..., the
last open) or a mapping of labels to values (``{"0-4": v, "5-9": v, ...,
"100+": v}``), whose labels are checked: every group 5 years wide (death
rates: 0 and 1-4 first), none missing, the last open (``A+``).

Rules: base_population replaces demography.base_population, life_tables
demography.mortality, migration_counts demography.migration (when both are
given, e.g. one through ``extends:``, the grouped values are used);
counts are >= 0 (net migrants of any sign); sprague and beers need the open
group 100+ (PCLM spreads an earlier open group to age 110); m_x are always
graduated by the PCLM (a negative graduated value is an error).
"""


import re
from actuarial.schema.records import dataclass  # frozen dataclasses, cheaper to declare

import numpy as np
from pydantic import model_validator

from actuarial.demography import graduation as grad
from actuarial.schema import BySex, choice, number, rule_error, section
from actuarial.schema.fields import Param, _by_sex_schema, check_by_sex, check_number_list, invalid
from actuarial.schema.tables import anchored, field
from actuarial.schema.values import Anchored, frozen

LABEL = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)|(\+))\s*$")
GROUPS_TEXT = ("a list of the groups' values (0-4, 5-9, ..., the last open) or "
               "{\"0-4\": value, \"5-9\": value, ..., \"100+\": value}")
RATES_TEXT = ("a list of the abridged groups' m_x (0, 1-4, 5-9, ..., the last open) or "
              "{\"0\": m, \"1-4\": m, \"5-9\": m, ..., \"100+\": m}")


@dataclass(frozen=True)
class Groups:
    """Values of age groups: lower ages ``starts`` (the last group open)."""

    starts: tuple[int, ...]
    values: np.ndarray


WIDTH = 5


def _expected_starts(n: int, abridged: bool) -> list[int]:
    return list(grad.group_starts(n, abridged))


def _label(a: int, b: int | None) -> str:
    return f"{a}+" if b is None else (f"{a}" if a == b else f"{a}-{b}")


def check_groups(value, sub="", *, abridged=False, lo=None) -> Groups:
    """A group list (module docstring) -> :class:`Groups`; labels checked:
    widths 5 (abridged: 0 and 1-4 first), no group missing, the last open."""
    if isinstance(value, dict):
        spans = []
        for key in value:
            m = LABEL.match(str(key))
            if not m:
                raise invalid(f"expected age-group labels such as \"0-4\" or \"100+\"; got {key!r}", sub)
            a = int(m.group(1))
            b = None if m.group(3) else int(m.group(2)) if m.group(2) else a
            if str(key).strip().isdigit():
                b = a
            spans.append((a, b, key))
        spans.sort(key=lambda s: s[0])
        values = [value[k] for _, _, k in spans]
        starts = [a for a, _, _ in spans]
        want = _expected_starts(len(spans), abridged) + [None]
        for i, (a, b, key) in enumerate(spans):
            last = i == len(spans) - 1
            label = f"{want[i]}+" if last else _label(want[i], want[i + 1] - 1)
            if a != want[i]:
                raise invalid(f"expected the group {label!r} next; got {key!r} (a missing group, or groups "
                              f"not {WIDTH} years wide?)", sub)
            if (b is None) != last or (not last and b != want[i + 1] - 1):
                raise invalid(f"expected the group {label!r}" + (" (the last group is open)" if last else
                              f" ({WIDTH}-year groups{', after 0 and 1-4' if abridged else ''})")
                              + f"; got {key!r}", sub)
    else:
        values = value
    values = check_number_list(values, lo=lo, what="a group value", sub=sub,
                               listed="a list or mapping of age-group values")
    n = len(values)
    minimum = 4 if abridged else 3
    if n < minimum or (grad.group_starts(n, abridged)[-1] > 100):
        raise invalid(f"expected {minimum} to {22 if abridged else 21} age groups ending with an open group "
                      f"at most 100+; got {n}", sub)
    return Groups(tuple(int(s) for s in grad.group_starts(n, abridged)), frozen(np.array(values, float)))


def _groups_by_sex(description: str, *, abridged: bool, lo, unit: str, what: str):
    item = {"anyOf": [{"type": "array", "minItems": 3, "items": {"type": "number"}},
                      {"type": "object", "minProperties": 3,
                       "patternProperties": {r"^\s*\d+\s*(-\s*\d+|\+)?\s*$": {"type": "number"}},
                       "additionalProperties": False}]}
    return item, Param(description, unit, f"{what}: {RATES_TEXT if abridged else GROUPS_TEXT}; one for "
                       "both sexes or {female: ..., male: ...}", None, "groups by sex")


_POP_ITEM, _POP_PARAM = _groups_by_sex("Population on 1 January of the base year in 5-year age groups "
                                       "(instead of demography.base_population).", abridged=False, lo=0.0,
                                       unit="persons", what="counts >= 0")
_MX_ITEM = _POP_ITEM


def _check_counts(value, sub=""):
    return check_by_sex(value, lambda v, s: check_groups(v, s, lo=0.0), sub)


@section()
@dataclass(frozen=True)
class GroupedSection:
    """Population, net migrants and abridged m_x in 5-year age groups, graduated to single ages 0..100+
    (age_groups: 5; graduation: sprague, beers or pclm for counts, pclm for m_x)."""

    age_groups: number("Width of the age groups of the grouped data (5: 0-4, 5-9, ...; death rates "
                       "abridged 0, 1-4, 5-9, ...).", lo=5, hi=5, integer=True, unit="years of age")
    graduation: choice("How counts are split into single ages: sprague (Sprague fifth-difference "
                       "osculatory multipliers), beers (Beers 1945 ordinary multipliers): both keep each "
                       "group total exactly and need the open group 100+; pclm (penalised composite link "
                       "model, Rizzi, Gampe & Eilers 2015, lambda by BIC): smooth and positive, keeps the "
                       "grand total, any open group. Death rates: always pclm. Also the method of the "
                       "grouped rows of demography.un_tables (their fertility rates: always pclm, each "
                       "group's births kept).", grad.METHODS,
                       source="Shryock & Siegel (1976); Beers (1945); Rizzi, Gampe & Eilers (2015)") = "pclm"
    base_population: field(BySex, _check_counts, _by_sex_schema(_POP_ITEM), _POP_PARAM) = None
    life_tables: anchored("Abridged m_x (0, 1-4, 5-9, ..., open) at anchor years, {year: {female: groups, "
                          "male: groups}} (instead of demography.mortality); graduated by the PCLM of "
                          "deaths nMx nLx over exposures nLx (radix 10^7), log m_x interpolated between "
                          "anchors.",
                          lambda v, s: check_by_sex(v, lambda x, s2: check_groups(x, s2, abridged=True, lo=0.0), s),
                          _by_sex_schema(_MX_ITEM), item="{female: groups, male: groups}",
                          source="national abridged life tables; UN WPP 5-year m_x") = None
    migration_counts: anchored("Net migrants in 5-year groups at anchor years, {year: {female: groups, "
                               "male: groups}} (instead of demography.migration.counts).",
                               lambda v, s: check_by_sex(v, lambda x, s2: check_groups(x, s2), s),
                               _by_sex_schema(_POP_ITEM), item="{female: groups, male: groups}",
                               unit="persons a year") = None

    @model_validator(mode="after")
    def _graduate(self):
        """Graduate here, once, so that a bad result is an error naming its key; the single-age
        values are kept (:meth:`population`, :meth:`mortality_tables`, :meth:`migration`)."""
        done = {}
        if self.base_population is not None:
            done["population"] = BySex(*(_run(grad.graduate_counts, getattr(self.base_population, s).values,
                                              self.graduation, f"base_population.{s}") for s in SEXES))
        if self.life_tables is not None:
            done["mortality"] = _anchored(self.life_tables, "life_tables", lambda g, s: (
                g.values, s == "female"), grad.graduate_rates)
        if self.migration_counts is not None:
            done["migration"] = _anchored(self.migration_counts, "migration_counts", lambda g, s: (
                g.values, self.graduation), grad.graduate_signed)
        object.__setattr__(self, "_single", done)
        return self

    def population(self) -> BySex:
        """The base population by single age 0..100+."""
        return self._single["population"]

    def mortality_tables(self) -> Anchored:
        """BySex of single-age m_x arrays at the anchor years."""
        return self._single["mortality"]

    def migration(self) -> Anchored:
        """BySex of single-age net migrant counts at the anchor years."""
        return self._single["migration"]


SEXES = ("female", "male")


def _run(func, *args_and_key):
    *args, key = args_and_key
    try:
        return frozen(np.asarray(func(*args), dtype=float))
    except ValueError as exc:
        raise rule_error(key, str(exc)) from None


def _anchored(anchors: Anchored, key: str, args, func) -> Anchored:
    tables = tuple(BySex(*(_run(func, *args(getattr(t, s), s), f"{key}.{year}.{s}") for s in SEXES))
                   for year, t in zip(anchors.years, anchors.values))
    return Anchored(anchors.years, tables)


__all__ = ["GroupedSection", "Groups", "check_groups"]
