"""Typed, validated, immutable assumptions: ``case`` and ``demography``.

Every key is documented where it is read: meaning, unit and valid range.
Later stages add their own sections beside these.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from actuarial.assumptions.economy import Economy, Labour, parse_labour
from actuarial.assumptions.loader import apply_overrides, load_tree
from actuarial.assumptions.pension import Pension, parse_pension
from actuarial.assumptions.spf import SPF, parse_spf
from actuarial.assumptions.injury import Injury, parse_injury
from actuarial.assumptions.stochastic import Stochastic, parse_stochastic
from actuarial.schema.display import assumptions_html, assumptions_repr, attach_reprs
from actuarial.assumptions.reader import Reader
from actuarial.assumptions.schedules import (  # noqa: F401 (re-exported)
    SEXES, Anchored, BySex, age_schedule, anchored, by_sex, form_values, frozen)
from actuarial.assumptions.series import TimeSeries
from actuarial.schema import read_section, split_sources, validate
from actuarial.schema.case import Case  # noqa: F401 (re-exported)
from fiscal_space.assumptions import parse_fiscal_space  # fiscal_space imports only the toolkit: no circle

@dataclass(frozen=True)
class MortalityTable:
    """One sex's mortality by single age 0..100+: ``quantity`` is mx or qx."""

    quantity: str
    values: np.ndarray


@dataclass(frozen=True)
class LifeTableMortality:
    """(a) Given life tables at anchor years; log m_x interpolated linearly."""

    tables: Anchored  # values: BySex of MortalityTable


@dataclass(frozen=True)
class BrassMortality:
    """(b) A standard table moved to a target e_0 path (Brass logit, slope beta)."""

    standard: BySex  # of MortalityTable
    e0: BySex  # of TimeSeries
    beta: float


@dataclass(frozen=True)
class ImprovementMortality:
    """(c) Base m_x reduced by age-specific annual improvement rates."""

    base: BySex  # of MortalityTable
    base_year: int
    rates: BySex  # of arrays over ages


@dataclass(frozen=True)
class Fertility:
    """Age-specific fertility: ``tfr`` x ``pattern`` or explicit ``rates``."""

    tfr: TimeSeries | None
    pattern: Anchored | None  # shares by age summing to 1
    rates: Anchored | None  # age-specific rates (births per woman-year)
    srb: TimeSeries  # males born per female born


@dataclass(frozen=True)
class Migration:
    """Net migrants by sex and age (counts), when in the year they arrive,
    and the rule for emigration larger than a cell (``demography.migration_rule``)."""

    total: TimeSeries | None
    pattern: BySex | None  # shares over both sexes and all ages, sum 1
    counts: Anchored | None  # values: BySex of arrays (net migrants)
    timing: str  # "end": all at the end of the step; "half": half at start, half at end
    rule: str = "capped"  # "capped": no more emigrants than persons present; "as_given": UN arithmetic


@dataclass(frozen=True)
class Demography:
    base_population: BySex  # arrays over ages 0..100+, 1 January of base year
    mortality: LifeTableMortality | BrassMortality | ImprovementMortality
    fertility: Fertility
    migration: Migration
    working_ages: tuple[int, int]
    old_age: int
    # life tables past 100 (lifetable.OPEN_GROUPS): "un" when m_x come from un_tables
    open_age_group: str = "gompertz"
    beyond_data: str | None = None  # with un_tables: rule past the tables' last year ("hold_flat")


# the top-level keys of an assumption file, in the order they are documented
SECTION_ORDER = ("case", "demography", "economy", "labour", "pension", "employment_injury", "spf",
                 "stochastic", "fiscal_space")


@dataclass(frozen=True)
class Assumptions:
    source: Path
    digest: str
    case: Case
    demography: Demography
    economy: Economy | None = None
    labour: Labour | None = None
    pension: Pension | None = None
    spf: SPF | None = None
    employment_injury: Injury | None = None
    stochastic: Stochastic | None = None
    fiscal_space: object | None = None  # fiscal_space.FiscalAssumptions
    # the merged tree as parsed at load time (extends: and overrides applied), a
    # copy: the workbook's assumptions sheet shows it, never the file re-read
    parsed: dict | None = dataclasses.field(default=None, repr=False, compare=False)
    # where values came from: key path ("economy.inflation.2025") -> the source
    # written beside it ({value: ..., source: "..."}), in file order
    sources: dict = dataclasses.field(default_factory=dict, repr=False, compare=False)
    __repr__, _repr_html_ = assumptions_repr, assumptions_html  # a few lines, not every schedule


attach_reprs("actuarial.assumptions")  # the sections' reprs: brief (schema/display.py)
attach_reprs("actuarial.schema")


def load_assumptions(path, overrides: dict | None = None, overrides_source=None) -> Assumptions:
    """Load, merge (``extends:``) and validate an assumption file.

    ``overrides`` maps dotted key paths to values (``{"economy.interest_rate":
    0.05}``), merged over the file as an ``extends:`` child would be; errors in
    them name ``overrides_source`` (e.g. a sensitivity grid file; default ``path``).
    """
    path = Path(path)
    data, origins = load_tree(path)
    if overrides:
        data, origins = apply_overrides(data, origins, overrides, overrides_source or path)
    return assumptions_from_tree(data, origins, path)


def assumptions_from_tree(data: dict, origins: dict, path) -> Assumptions:
    """Validate a loaded tree (``load_tree``'s ``(data, origins)``) read from ``path``."""
    path = Path(path)
    data, origins, sources = split_sources(data, origins)
    root = Reader(data, origins)
    with root:
        case = read_section(root, "case", Case)
        demography = _demography(root.section("demography"), case)
        economy = read_section(root, "economy", Economy) if root.has("economy") else None
        labour = parse_labour(root.section("labour")) if root.has("labour") else None
        if labour is not None and economy is None:
            raise root.error("economy", "required key is missing (the labour section needs it)")
        if economy is not None and economy.productivity_growth is not None and labour is None:
            raise root.error("labour", "required key is missing (economy.productivity_growth needs "
                                       "employment from it)")
        pension = None
        if root.has("pension"):
            _require(root, "pension", economy=economy, labour=labour)
            pension = parse_pension(root.section("pension"), case, labour)
        spf = None
        if root.has("spf"):
            if economy is None:
                raise root.error("economy", "required key is missing (the spf section needs it)")
            spf = parse_spf(root.section("spf"), case)
            kinds = {b.kind for b in spf.benefits}
            if "unemployment" in kinds and labour is None:
                raise root.error("labour", "required key is missing (an unemployment benefit needs it)")
            if any(b.pension_tested for b in spf.benefits) and pension is None:
                raise root.error("pension", "required key is missing (a pension-tested benefit needs it)")
        injury = None
        if root.has("employment_injury"):
            _require(root, "employment_injury", economy=economy, labour=labour)
            injury = parse_injury(root.section("employment_injury"), case)
        stochastic = parse_stochastic(root.section("stochastic")) if root.has("stochastic") else None
        if stochastic is not None and stochastic.economy is not None and economy is None:
            raise root.error("economy", "required key is missing (stochastic.economy needs it)")
        fiscal = None
        if root.has("fiscal_space"):
            fiscal = parse_fiscal_space(root.section("fiscal_space"), case)
    sections = (case, demography, economy, labour, pension, spf, injury, stochastic, fiscal)
    return Assumptions(path.resolve(), _digest(data, sections, sources), *sections,
                       parsed=copy.deepcopy(data), sources=sources)


def _require(root: Reader, section: str, **needed) -> None:
    """Sections that ``section`` needs (name=parsed value, None when absent)."""
    for name, value in needed.items():
        if value is None:
            raise root.error(name, f"required key is missing (the {section} section needs it)")


def _digest(data: dict, sections, sources: dict | None = None) -> str:
    """Hash of the merged YAML (its sources included) and of every array
    parsed from it or from the files it names (UN tables, insured records),
    so data changes show."""
    h = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode())
    if sources:
        h.update(json.dumps(sources, sort_keys=True).encode())
    stack = list(sections)
    while stack:
        item = stack.pop()
        if isinstance(item, np.ndarray):
            h.update(np.ascontiguousarray(item).tobytes())
        elif dataclasses.is_dataclass(item):
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))
        elif isinstance(item, (tuple, list)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return h.hexdigest()[:16]


# -- case -------------------------------------------------------------------

def parse_case(r: Reader) -> Case:
    """Section ``case`` of a reader's mapping (declared in :mod:`actuarial.schema.case`)."""
    return validate(Case, r.data, origins=r.origins, path=r.path)


# -- age schedules --------------------------------------------------------------

def mortality_table(r: Reader, key, value) -> MortalityTable:
    """``{mx: [...]}``, ``{qx: [...]}`` or ``{form: gompertz_makeham|heligman_pollard, ...}``."""
    if isinstance(value, dict) and "form" in value:
        quantity, values = form_values(r, key, value, ("mx", "qx"))
    elif isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ("mx", "qx"):
        quantity = next(iter(value))
        sub = Reader(value, r.origins, (*r.path, key))
        values = age_schedule(sub, quantity, sub.raw(quantity), lo=0.0,
                              hi=1.0 if quantity == "qx" else None)
    else:
        raise r.error(key, "expected {mx: [101 rates]}, {qx: [101 probabilities]} "
                           "or {form: gompertz_makeham|heligman_pollard, ...}")
    if quantity == "qx" and np.any(values[:-1] >= 1.0):
        raise r.error(key, "q_x must be below 1 before the open age group 100+")
    return MortalityTable(quantity, frozen(values))


# -- demography -------------------------------------------------------------------

BEYOND_DATA = ("hold_flat",)


def _demography(r: Reader, case: Case) -> Demography:
    """Section ``demography``. Keys besides the components:

    - ``un_tables``: a folder of UN long tables supplying the base population
      and whichever of mortality, fertility and migration are not given;
    - ``beyond_data`` (with ``un_tables``): what to do past the tables' last
      year L. Rates of year L carry the population to 1 January L + 1; a
      horizon beyond that needs ``hold_flat`` (the year-L rates, sex ratio
      and migrant counts held constant), otherwise it is an error;
    - ``migration_rule``: ``capped`` (default) realises net emigration from a
      cell only up to the persons present, reporting the rest as
      ``unrealised_emigration``; ``as_given`` adds the counts as given (the
      UN's raw arithmetic, default for migration taken from ``un_tables``).
    """
    un = None
    if r.has("un_tables"):
        from actuarial.demography.un_tables import read_un_tables

        folder = r.file_path("un_tables")
        un = read_un_tables(folder)
        if un["base_year"] != case.base_year:
            raise r.error("un_tables", f"the tables' base year {un['base_year']} "
                                       f"differs from case.base_year {case.base_year}")
    with r:
        if r.has("base_population") or un is None:
            base = by_sex(r, "base_population",
                          lambda s, k, v: frozen(age_schedule(s, k, v, lo=0.0)))
        else:
            base = BySex(*(frozen(p) for p in un["population"]))
        from_un = [] if un is None else [k for k in ("mortality", "fertility", "migration") if not r.has(k)]
        mortality = (_mortality(r.section("mortality"), case)
                     if "mortality" not in from_un else _un_mortality(un))
        fertility = (_fertility(r.section("fertility"))
                     if "fertility" not in from_un else _un_fertility(un))
        migration = (_migration(r.section("migration"))
                     if "migration" not in from_un else _un_migration(un))
        from actuarial.demography.rules import MIGRATION_RULES

        rule = r.string("migration_rule", choices=MIGRATION_RULES,
                        default="as_given" if "migration" in from_un else "capped")
        migration = dataclasses.replace(migration, rule=rule)
        beyond = _beyond_data(r, case, un, from_un)
        working = r.raw("working_ages", [15, 64])
        if (not isinstance(working, list) or len(working) != 2
                or not all(isinstance(a, int) for a in working) or not 0 <= working[0] < working[1] <= 100):
            raise r.error("working_ages", "expected [first age, last age] within 0..100")
        old_age = r.number("old_age", lo=1, hi=100, integer=True, default=65)
        un_mortality = un is not None and not r.has("mortality")
        open_group = r.string("open_age_group", choices=("gompertz", "un"),
                              default="un" if un_mortality else "gompertz")
    return Demography(base, mortality, fertility, migration, tuple(working), old_age, open_group, beyond)


def _beyond_data(r: Reader, case: Case, un, from_un: list) -> str | None:
    """``demography.beyond_data``: required when the horizon passes the UN tables."""
    if un is None:
        if r.has("beyond_data"):
            raise r.error("beyond_data", "applies only with un_tables (the given assumptions "
                                         "already cover every year)")
        return None
    beyond = r.string("beyond_data", choices=BEYOND_DATA, default=None)
    last = int(un["years"][-1])
    if from_un and case.years[-1] > last + 1 and beyond is None:
        raise r.error("beyond_data", f"required key is missing: case.horizon runs the projection to "
                                     f"{case.years[-1]}, past the UN tables' last year {last} (its rates "
                                     f"carry the population to 1 January {last + 1}) for "
                                     f"{', '.join(from_un)}; set beyond_data: hold_flat to hold the {last} "
                                     f"rates flat, or end case.horizon at {last + 1 - case.base_year}")
    return beyond


def _mortality(r: Reader, case: Case):
    methods = ("life_tables", "brass_logit", "improvement")
    given = [m for m in methods if r.has(m)]
    if len(given) != 1:
        raise r.error(None, f"expected exactly one of {', '.join(methods)}; got {given or 'none'}")
    with r:
        method = given[0]
        if method == "life_tables":
            return LifeTableMortality(anchored(r, method, lambda s, k, v: _table_by_sex(s, k)))
        sub = r.section(method)
        with sub:
            if method == "brass_logit":
                return BrassMortality(
                    standard=by_sex(sub, "standard", mortality_table),
                    e0=by_sex(sub, "e0", lambda s, k, v: s.series(k, lo=1.0, hi=110.0, what="a life expectancy in years")),
                    beta=sub.number("beta", lo=0.0, lo_open=True, hi=5.0, default=1.0),
                )
            return ImprovementMortality(
                base=by_sex(sub, "base", mortality_table),
                base_year=sub.number("base_year", lo=1800, hi=2300, integer=True, default=case.base_year),
                rates=by_sex(sub, "rates", lambda s, k, v: frozen(age_schedule(s, k, v, lo=-0.2, hi=0.2))),
            )


def _table_by_sex(r: Reader, key) -> BySex:
    return by_sex(r, key, mortality_table)


def _fertility(r: Reader) -> Fertility:
    with r:
        srb = r.series("srb", lo=0.8, hi=1.3, default=1.05, what="a sex ratio at birth (males per female)")
        if r.has("rates"):
            if r.has("tfr") or r.has("pattern"):
                raise r.error("rates", "give either rates or tfr with pattern, not both")
            rates = anchored(r, "rates", lambda s, k, v: frozen(age_schedule(s, k, v, lo=0.0, hi=1.0)))
            return Fertility(None, None, rates, srb)
        tfr = r.series("tfr", lo=0.0, hi=15.0, what="a total fertility rate (births per woman)")
        value = r.raw("pattern")
        if isinstance(value, dict) and value and all(isinstance(k, int) and not isinstance(k, bool) for k in value):
            pattern = anchored(r, "pattern", _pattern)
        else:
            pattern = Anchored((0,), (_pattern(r, "pattern", value),))
        return Fertility(tfr, pattern, None, srb)


def _pattern(r: Reader, key, value) -> np.ndarray:
    shares = age_schedule(r, key, value, lo=0.0)
    total = shares.sum()
    if total <= 0:
        raise r.error(key, "expected an age pattern with a positive sum")
    return frozen(shares / total)


def _migration(r: Reader) -> Migration:
    with r:
        timing = r.string("timing", choices=("end", "half"), default="end")
        if r.has("counts"):
            if r.has("total") or r.has("pattern"):
                raise r.error("counts", "give either counts or total with pattern, not both")
            counts = anchored(r, "counts", lambda s, k, v: by_sex(
                s, k, lambda s2, k2, v2: frozen(age_schedule(s2, k2, v2))))
            return Migration(None, None, counts, timing)
        total = r.series("total", what="a number of net migrants per year")
        pattern = by_sex(r, "pattern", lambda s, k, v: age_schedule(s, k, v, lo=0.0))
        scale = pattern.female.sum() + pattern.male.sum()
        if scale <= 0:
            raise r.error("pattern", "expected an age pattern with a positive sum")
        return Migration(total, BySex(frozen(pattern.female / scale), frozen(pattern.male / scale)),
                         None, timing)


# -- UN long tables -----------------------------------------------------------------

def _un_mortality(un) -> LifeTableMortality:
    tables = tuple(BySex(*(MortalityTable("mx", frozen(m)) for m in mx)) for mx in un["mx"])
    return LifeTableMortality(Anchored(tuple(un["years"]), tables))


def _un_fertility(un) -> Fertility:
    rates = Anchored(tuple(un["years"]), tuple(frozen(f) for f in un["asfr"]))
    return Fertility(None, None, rates, TimeSeries(tuple(un["years"]), tuple(un["srb"])))


def _un_migration(un) -> Migration:
    counts = Anchored(tuple(un["years"]), tuple(BySex(frozen(m[0]), frozen(m[1])) for m in un["migration"]))
    return Migration(None, None, counts, un["timing"])
