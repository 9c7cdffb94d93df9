"""Section ``demography``: the base population and the mortality, fertility
and migration assumptions that project it (cohort-component method, single
ages 0..100+, 1 January stocks).

Declared in the schema toolkit (:class:`DemographySection` and its nested
sections); the engine reads the value types below (:class:`Demography`,
:class:`Fertility`, :class:`Migration` and the three mortality methods),
whose attribute names the projection code uses.

Source conventions: the UN World Population Prospects (WPP) long tables
(``un_tables``: single-age population on 1 January, m_x by sex, age-specific
fertility rates by single age of mother, net migrants by sex and age, sex
ratio at birth), the Brass (1971) relational logit model, and past the open
age group 100+ either the Gompertz extrapolation of m_x (``open_age_group:
gompertz``, ``actuarial.demography.lifetable``) or the UN's own closing of
the table (``un``).
"""


import dataclasses
import difflib
from actuarial.schema.records import dataclass  # frozen dataclasses, cheaper to declare

import numpy as np
from pydantic import model_validator

from actuarial.demography.laws import FORMS
from actuarial.demography.rules import MIGRATION_RULES
from actuarial.demography.wpp_rules import MIGRATION_METHODS
from actuarial.schema import (BySex, TimeSeries, age_range, choice, number, rule_error, schedule_by_sex,
                              section, series, series_by_sex, text)
from actuarial.schema.fields import (Param, _by_sex_schema, check_by_sex, check_schedule, check_text, invalid,
                                    schedule_schema)
from actuarial.schema.reader import Reader
from actuarial.schema.tables import anchored, check_form, field
from actuarial.schema.values import Anchored, frozen
from actuarial.assumptions.schedules import PATTERN_FORMS
from actuarial.assumptions.grouped import GroupedSection

MORTALITY_FORMS = {n: f for n, f in FORMS.items() if f[1] in ("mx", "qx")}
BEYOND_DATA = ("hold_flat",)
OPEN_AGE_GROUPS = ("gompertz", "un")
COMPONENTS = ("mortality", "fertility", "migration")


# -- the engine's value types -------------------------------------------------------------

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
class Migration:
    """Net migrants by sex and age (counts), when in the year they arrive,
    and the rule for emigration larger than a cell (``demography.migration_rule``)."""

    total: TimeSeries | None
    pattern: BySex | None  # shares over both sexes and all ages, sum 1
    counts: Anchored | None  # values: BySex of arrays (net migrants)
    timing: str  # "end": all at the end of the step; "half": half at start, half at end
    rule: str = "capped"  # "capped": no more emigrants than persons present; "as_given": UN arithmetic


# -- field types of the section -------------------------------------------------------------

TABLE_TEXT = "{mx: [101 rates]}, {qx: [101 probabilities]} or {form: gompertz_makeham|heligman_pollard, ...}"


def check_table(value, sub="") -> MortalityTable:
    """``{mx: schedule}``, ``{qx: schedule}`` or ``{form: gompertz_makeham|heligman_pollard, ...}``;
    q_x below 1 before the open age group."""
    if isinstance(value, dict) and "form" in value:
        quantity, values = check_form(value, MORTALITY_FORMS, sub)
    elif isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ("mx", "qx"):
        quantity = next(iter(value))
        values = check_schedule(value[quantity], lo=0.0, hi=1.0 if quantity == "qx" else None,
                                sub=f"{sub}.{quantity}")
    else:
        raise invalid("expected " + TABLE_TEXT, sub)
    if quantity == "qx" and np.any(values[:-1] >= 1.0):
        raise invalid("q_x must be below 1 before the open age group 100+", sub)
    return MortalityTable(quantity, frozen(values))


def _table_schema() -> dict:
    one = {q: {"type": "object", "required": [q], "additionalProperties": False,
               "properties": {q: schedule_schema(0.0, 1.0 if q == "qx" else None)}} for q in ("mx", "qx")}
    return {"anyOf": [one["mx"], one["qx"], {"type": "object", "required": ["form"],
                                              "properties": {"form": {"enum": list(MORTALITY_FORMS)}}}]}


def tables_by_sex(description: str, *, source=None):
    """A mortality table for both sexes or ``{female: table, male: table}`` -> BySex of MortalityTable."""
    return field(BySex, lambda v: check_by_sex(v, check_table), _by_sex_schema(_table_schema()),
                 Param(description, "m_x or q_x per year", f"{TABLE_TEXT}; one for both sexes or "
                       "{female: ..., male: ...}", source, "table by sex"))


def check_shares(value, sub="") -> np.ndarray:
    """An age pattern (:func:`check_schedule`, >= 0) scaled to sum to 1."""
    shares = check_schedule(value, lo=0.0, forms=PATTERN_FORMS, sub=sub)
    total = shares.sum()
    if total <= 0:
        raise invalid("expected an age pattern with a positive sum", sub)
    return frozen(shares / total)


def _missing(data: dict, key: str, known):
    """"required key is missing" at ``key``, naming a likely typo among the unknown keys."""
    spare = [str(k) for k in data if k not in known]
    hint = difflib.get_close_matches(key, spare, n=1)
    return rule_error(key, "required key is missing" + (f" (found {hint[0]!r}: a typo?)" if hint else ""))



# -- the section as written in the file --------------------------------------------------------

@section()
@dataclass(frozen=True)
class BrassMortality:
    """(b) A standard table moved to a target e_0 path by the Brass (1971) relational logit model:
    logit(1 - l_x) = alpha_t + beta logit(1 - l_x standard), alpha_t solved for e_0 each year."""

    standard: tables_by_sex("Standard mortality table the e_0 path moves.",
                            source="a model life table (UN, Coale-Demeny) or a national life table")
    e0: series_by_sex("Life expectancy at birth.", lo=1.0, hi=110.0, what="a life expectancy in years",
                      unit="years", source="UN WPP medium variant")
    beta: number("Brass logit slope: the shape of the table relative to the standard (1: the same).",
                 lo=0.0, lo_open=True, hi=5.0, unit="factor", source="Brass (1971)") = 1.0


@section()
@dataclass(frozen=True)
class ImprovementMortality:
    """(c) Base m_x reduced by age-specific annual improvement rates:
    m_x(t) = m_x(base year) (1 - r_x)^(t - base year)."""

    base: tables_by_sex("Mortality of the base year.")
    base_year: number("Year of the base table.", lo=1800, hi=2300, integer=True, unit="year",
                      derived="case.base_year") = None
    rates: schedule_by_sex("Annual improvement rate of m_x by age (0.01: m_x falls 1% a year).",
                           lo=-0.2, hi=0.2, scalar=False, unit="per year", forms=PATTERN_FORMS,
                           source="national mortality projections (e.g. CMI, SSA Trustees)") = None

    @model_validator(mode="before")
    @classmethod
    def _rates_required(cls, data):
        if isinstance(data, dict) and "rates" not in data:
            raise _missing(data, "rates", ("base", "base_year", "rates"))
        return data


@section()
@dataclass(frozen=True)
class MortalitySection:
    """Mortality: exactly one of life_tables, brass_logit and improvement."""

    life_tables: anchored("(a) Life tables at anchor years, {year: {female: table, male: table}}; "
                          "log m_x is interpolated linearly between them.",
                          lambda v, s: check_by_sex(v, check_table, s), _by_sex_schema(_table_schema()),
                          item="{female: table, male: table}", source="national life tables; UN WPP") = None
    brass_logit: BrassMortality = None
    improvement: ImprovementMortality = None

    @model_validator(mode="before")
    @classmethod
    def _one_method(cls, data):
        if isinstance(data, dict):
            given = [m for m in ("life_tables", "brass_logit", "improvement") if m in data]
            if len(given) != 1:
                raise rule_error(None, "expected exactly one of life_tables, brass_logit, improvement; "
                                       f"got {given or 'none'}")
        return data

    def method(self, base_year: int):
        """The engine's mortality (an improvement base year defaults to ``base_year``)."""
        if self.life_tables is not None:
            return LifeTableMortality(self.life_tables)
        if self.brass_logit is not None:
            return self.brass_logit
        if self.improvement.base_year is None:
            return dataclasses.replace(self.improvement, base_year=base_year)
        return self.improvement


@section()
@dataclass(frozen=True)
class Fertility:
    """Age-specific fertility: tfr x pattern, or explicit rates (births per woman-year).

    Rule: either rates, or tfr with pattern."""

    tfr: series("Total fertility rate.", lo=0.0, hi=15.0, what="a total fertility rate (births per woman)",
                unit="births per woman", source="UN WPP medium variant", optional=True) = None
    pattern: anchored("Age pattern of fertility (shares by age of mother, scaled to sum 1), constant or "
                      "at anchor years.", check_shares, schedule_schema(0.0), item="age schedule",
                      single=True, unit="share",
                      source="UN WPP; {form: hadwiger, H, T} (Hadwiger 1940)") = None
    rates: anchored("Age-specific fertility rates at anchor years (instead of tfr and pattern).",
                    lambda v, s: frozen(check_schedule(v, lo=0.0, hi=1.0, forms=PATTERN_FORMS, sub=s)),
                    schedule_schema(0.0, 1.0), item="age schedule", unit="births per woman-year",
                    source="UN WPP") = None
    srb: series("Sex ratio at birth.", lo=0.8, hi=1.3, what="a sex ratio at birth (males per female)",
                unit="males per female born", source="UN WPP (about 1.05)") = TimeSeries.constant(1.05)

    @model_validator(mode="before")
    @classmethod
    def _rates_or_tfr(cls, data):
        if not isinstance(data, dict):
            return data
        known = ("tfr", "pattern", "rates", "srb")
        if "rates" in data:
            if "tfr" in data or "pattern" in data:
                raise rule_error("rates", "give either rates or tfr with pattern, not both")
            return data
        for key in ("tfr", "pattern"):
            if key not in data:
                raise _missing(data, key, known)
        return data


@section()
@dataclass(frozen=True)
class MigrationSection:
    """Net migration: counts by sex and age at anchor years, or a total with an age pattern.

    Rule: either counts, or total with pattern."""

    timing: choice("When in the year migrants arrive: end (all at the end of the year) or half "
                   "(half at the start, half at the end).", ("end", "half")) = "end"
    total: series("Net migrants a year (negative: emigration).", what="a number of net migrants per year",
                  unit="persons a year", source="UN WPP", optional=True) = None
    pattern: schedule_by_sex("Age pattern of net migrants (shares over both sexes and all ages, "
                             "scaled to sum 1).", lo=0.0, scalar=False, unit="share", forms=PATTERN_FORMS,
                             source="{form: rogers_castro, ...} (Rogers and Castro 1981)") = None
    counts: anchored("Net migrants by sex and age at anchor years (instead of total and pattern).",
                     lambda v, s: check_by_sex(v, lambda x, s2: frozen(check_schedule(
                         x, forms=PATTERN_FORMS, sub=s2)), s),
                     _by_sex_schema(schedule_schema()), item="{female: schedule, male: schedule}",
                     unit="persons a year", source="UN WPP") = None

    @model_validator(mode="before")
    @classmethod
    def _counts_or_total(cls, data):
        if not isinstance(data, dict):
            return data
        if "counts" in data:
            if "total" in data or "pattern" in data:
                raise rule_error("counts", "give either counts or total with pattern, not both")
            return data
        for key in ("total", "pattern"):
            if key not in data:
                raise _missing(data, key, ("timing", "total", "pattern", "counts"))
        return data

    @model_validator(mode="after")
    def _positive_pattern(self):
        if self.pattern is not None and self.pattern.female.sum() + self.pattern.male.sum() <= 0:
            raise rule_error("pattern", "expected an age pattern with a positive sum")
        return self

    def migration(self) -> Migration:
        if self.counts is not None:
            return Migration(None, None, self.counts, self.timing)
        scale = self.pattern.female.sum() + self.pattern.male.sum()
        return Migration(self.total, BySex(frozen(self.pattern.female / scale),
                                           frozen(self.pattern.male / scale)), None, self.timing)


def check_country(value) -> str:
    """A country as the WPP files name it: a name, an ISO3 code or a LocID (a whole number)."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    return check_text(value)


@section()
@dataclass(frozen=True)
class WppSection:
    """The UN World Population Prospects 2024 CSV files, the source of every component not given.

    Base population, m_x, fertility rates, sex ratio at birth and net migrants (by ``migration``)
    come from the files (``actuarial.demography.wpp``, ``actuarial.demography.wpp_build``)
    unless the section gives them explicitly."""

    folder: text("Folder of the WPP 2024 standard-projection CSV files as the UN distributes them "
                 "(.csv, .csv.gz or .zip), relative to the file that names it.", unit="path",
                 source="UN World Population Prospects 2024, Standard Projections, CSV format")
    country: field(str, check_country, {"anyOf": [{"type": "string", "minLength": 1},
                                                   {"type": "integer", "minimum": 1}]},
                   Param("Country: a name (as the files spell it, case and accents ignored), an ISO3 code "
                         "or a LocID.", None, "a name, ISO3 code or LocID", "WPP 2024 location list",
                         example="Canada"))
    variant: text("Projection variant, as the files' Variant column (Medium, High, Low, Constant "
                  "fertility, Zero migration, ...; case ignored); before a variant's first year the "
                  "estimates (Medium rows).",
                  source="WPP 2024 projection scenarios") = "Medium"
    migration: choice("Net migrants by sex and age from the published totals: residual (population on "
                      "1 January t+1 minus the survivors of t and of the births, engine conventions: the "
                      "projection reproduces the files' populations) or model (the totals NetMigrations "
                      "spread by a Rogers-Castro 1981 schedule fitted to each sex's residual age pattern).",
                      MIGRATION_METHODS, source="Preston, Heuveline & Guillot (2001) 6.5; Rogers & Castro "
                                                "(1981)") = "residual"


@section("demography")
@dataclass(frozen=True)
class DemographySection:
    """The base population and its mortality, fertility and migration.

    Rules: mortality, fertility and migration are required unless un_tables or wpp supplies them
    (at most one of the two; whichever component is not given comes from them, and so does
    base_population: keys given explicitly override the files); with un_tables, case.base_year
    within the tables' years: a later one takes their base population projected to it with their
    own rates and migrants (UN arithmetic); with wpp any base year of the files (1950-2100): the
    files' population of case.base_year; beyond_data only with un_tables or wpp, and required when
    case.horizon runs past the year after the tables' last year (un_tables) or past the files'
    last year of a component (wpp: 2100, for residual migration 2099); working_ages first < last;
    grouped (5-year age groups graduated to single ages) supplies base_population, mortality
    and migration in their place when it gives them."""

    un_tables: text("Folder of UN WPP long tables (population, m_x, fertility, migration, sex ratio at "
                    "birth by single age, or rows of age groups: age_start with its age_span, 1000 for the "
                    "open group, graduated by demography.grouped.graduation), relative to the file that "
                    "names it.", unit="path",
                    source="UN World Population Prospects, single-age long tables") = None
    wpp: WppSection = None
    base_population: schedule_by_sex("Population on 1 January of the base year by single age.",
                                     lo=0.0, scalar=False, unit="persons", forms=PATTERN_FORMS,
                                     source="census or UN WPP estimates") = None
    mortality: MortalitySection = None
    fertility: Fertility = None
    migration: MigrationSection = None
    migration_rule: choice("capped: net emigration from a cell is realised only up to the persons present "
                           "(the rest reported as unrealised_emigration); as_given: the counts are added "
                           "as given (the UN's arithmetic).", MIGRATION_RULES,
                           derived="as_given when migration comes from un_tables or wpp, capped otherwise") = None
    beyond_data: choice("With un_tables or wpp: past the tables' last year L, hold_flat keeps the year-L "
                        "rates, sex ratio and migrant counts (otherwise a horizon past L + 1 (un_tables), "
                        "past L (wpp) is an error).", BEYOND_DATA, derived="none") = None
    expected_totals: series("Total population on 1 January that this demography should reproduce "
                            "(from-wpp writes the WPP totals; the validation case it writes compares).",
                            lo=0.0, what="a number of persons", unit="persons",
                            source="UN WPP 2024, sum of the single-age population", optional=True) = None
    working_ages: age_range("Working ages, the denominator of dependency ratios.") = (15, 64)
    old_age: number("First age of the old-age dependency ratio's numerator.", lo=1, hi=100, integer=True,
                    unit="years of age") = 65
    grouped: GroupedSection = None
    open_age_group: choice("Life tables past age 100: gompertz (m_x extrapolated by a Gompertz law) or un "
                           "(the UN's closing of the table).", OPEN_AGE_GROUPS,
                           derived="un when mortality comes from un_tables or wpp, gompertz otherwise") = None

    @model_validator(mode="before")
    @classmethod
    def _components(cls, data):
        if not isinstance(data, dict):
            return data
        if "un_tables" in data and "wpp" in data:
            raise rule_error("wpp", "give either un_tables or wpp, not both")
        by_groups = _grouped_keys(data.get("grouped"))  # supplied by demography.grouped (which wins)
        if "un_tables" not in data and "wpp" not in data:
            for key in ("base_population", *COMPONENTS):
                if key not in data and key not in by_groups:
                    raise _missing(data, key, [f.name for f in dataclasses.fields(cls)])
            if "beyond_data" in data:
                raise rule_error("beyond_data", "applies only with un_tables or wpp (the given "
                                                "assumptions already cover every year)")
        return data

    @model_validator(mode="after")
    def _working_ages(self):
        if self.working_ages[0] >= self.working_ages[1]:
            raise rule_error("working_ages", "expected [first age, last age] within 0..100, first < last")
        return self


GROUPED_KEYS = {"base_population": "base_population", "mortality": "life_tables", "migration": "migration_counts"}


def _grouped_keys(grouped) -> list:
    """The keys of the section that demography.grouped supplies."""
    if not isinstance(grouped, dict):
        return []
    return [k for k, g in GROUPED_KEYS.items() if g in grouped]


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


# -- from the section to the engine's Demography (the UN tables read here) ------------------

def demography(declared: DemographySection, r: Reader, case) -> Demography:
    """The engine's :class:`Demography` from the validated section; ``r`` reads
    ``un_tables`` (a path relative to the file that set it). Rules on the UN
    tables: their base year is case.base_year, and beyond_data is required
    when the projection runs past them."""
    un = None
    if declared.un_tables is not None:
        # lazy for `actuarial check` speed (the table reader and its CSV/gzip modules, only for un_tables)
        from actuarial.demography.un_tables import read_un_tables

        method = declared.grouped.graduation if declared.grouped is not None else "pclm"
        un = read_un_tables(r.file_path("un_tables"), method)  # grouped rows graduated by it
        if un["base_year"] != case.base_year:
            if not un["base_year"] < case.base_year <= un["years"][-1]:
                raise r.error("un_tables", f"case.base_year {case.base_year} is outside the tables' years "
                                           f"{un['base_year']}..{un['years'][-1]} (their base population is "
                                           f"of 1 January {un['base_year']})")
            un = dict(un, population=_un_population_at(un, case.base_year))
    if declared.wpp is not None:
        un = _wpp_tables(declared, r, case)
    from_un = [] if un is None else [k for k in COMPONENTS if getattr(declared, k) is None]
    grouped = declared.grouped
    supplied = [] if grouped is None else [k for k, g in GROUPED_KEYS.items() if getattr(grouped, g) is not None]
    from_un = [k for k in from_un if k not in supplied]
    base = declared.base_population
    if grouped is not None and grouped.base_population is not None:
        base = grouped.population()
    if base is None:
        base = BySex(*(frozen(p) for p in un["population"]))
    if grouped is not None and grouped.life_tables is not None:
        mortality = LifeTableMortality(Anchored(grouped.mortality_tables().years, tuple(
            BySex(MortalityTable("mx", t.female), MortalityTable("mx", t.male))
            for t in grouped.mortality_tables().values)))
    else:
        mortality = _un_mortality(un) if "mortality" in from_un else declared.mortality.method(case.base_year)
    fertility = _un_fertility(un) if "fertility" in from_un else declared.fertility
    if grouped is not None and grouped.migration_counts is not None:
        migration = Migration(None, None, grouped.migration(), "end")  # all at the end of the year
    else:
        migration = _un_migration(un) if "migration" in from_un else declared.migration.migration()
    rule = declared.migration_rule or ("as_given" if "migration" in from_un else "capped")  # UN arithmetic
    migration = dataclasses.replace(migration, rule=rule)
    if un is not None and "last_years" in un:
        _check_wpp_beyond(r, declared.beyond_data, case, un, from_un)
    elif un is not None:
        _check_beyond_data(r, declared.beyond_data, case, un, from_un)
    open_group = declared.open_age_group or ("un" if "mortality" in from_un else "gompertz")
    return Demography(base, mortality, fertility, migration, tuple(declared.working_ages),
                      declared.old_age, open_group, declared.beyond_data)


def _un_population_at(un: dict, year: int) -> np.ndarray:
    """The UN tables' population (2, 101) on 1 January ``year``: their base
    population projected with their own m_x, fertility, sex ratio and migrant
    counts (UN arithmetic: ``as_given``, the tables' timing, the UN's open
    group), the projection that reproduces WPP's populations (validation case
    un_canada_1950_2020)."""
    import xarray as xr

    from actuarial.demography.projection import project_population

    n = year - un["base_year"] + 1
    years = np.asarray(un["years"][:n])
    ages = np.arange(101)
    ys, ysa = {"year": years}, {"year": years, "age": ages}
    ds = project_population(
        xr.DataArray(un["population"], dims=("sex", "age"), coords={"age": ages}),
        xr.DataArray(un["mx"][:n], dims=("year", "sex", "age"), coords=ysa),
        xr.DataArray(un["asfr"][:n], dims=("year", "age"), coords=ysa),
        xr.DataArray(un["srb"][:n], dims=("year",), coords=ys),
        xr.DataArray(un["migration"][:n], dims=("year", "sex", "age"), coords=ysa),
        migration_timing=un["timing"], migration_rule="as_given", open_group="un")
    return ds["population"].values[0, -1]


def _check_beyond_data(r: Reader, beyond, case, un, from_un: list) -> None:
    """``beyond_data`` is required when the horizon passes the UN tables."""
    last = int(un["years"][-1])
    if from_un and case.years[-1] > last + 1 and beyond is None:
        raise r.error("beyond_data", f"required key is missing: case.horizon runs the projection to "
                                     f"{case.years[-1]}, past the UN tables' last year {last} (its rates "
                                     f"carry the population to 1 January {last + 1}) for "
                                     f"{', '.join(from_un)}; set beyond_data: hold_flat to hold the {last} "
                                     f"rates flat, or end case.horizon at {last + 1 - case.base_year}")


def _wpp_tables(declared: DemographySection, r: Reader, case) -> dict:
    """The WPP files' inputs for the case years, in the layout of ``read_un_tables``
    (``years`` for the rates, ``migration_years`` for the migrants, ``last_years``)."""
    from actuarial.demography.wpp_build import wpp_inputs
    from actuarial.demography.wpp_cache import read_wpp_cached

    w = r.section("wpp")
    spec = declared.wpp
    data = read_wpp_cached(w.file_path("folder"), spec.country, spec.variant)
    years = data["years"]
    if not years[0] <= case.base_year <= years[-1]:
        raise w.error("folder", f"case.base_year {case.base_year} is outside the files' years "
                                f"{years[0]}..{years[-1]} (no population of 1 January {case.base_year})")
    if spec.migration == "residual" and case.base_year == years[-1] and declared.migration is None:
        raise w.error("migration", f"residual migrants of {case.base_year} need the population of 1 January "
                                   f"{case.base_year + 1}, past the files; use migration: model or an earlier "
                                   "case.base_year")
    got = wpp_inputs(data, case.base_year, int(case.years[-1]), spec.migration)
    return {"population": got["base_population"], "years": got["years_rates"], "mx": got["mx"],
            "asfr": got["asfr"], "srb": got["srb"], "migration": got["migration"],
            "migration_years": got["years_migration"], "timing": "end", "last_years": got["last_years"],
            "sources": data["sources"]}


def _check_wpp_beyond(r: Reader, beyond, case, un, from_un: list) -> None:
    """With wpp, ``beyond_data`` is required when a case year needs a component
    past the files' last year for it."""
    if beyond is not None:
        return
    end = int(case.years[-1])
    short = [f"{k} (last {un['last_years'][k]})" for k in from_un if un["last_years"][k] < end]
    if short:
        last = min(un["last_years"][k] for k in from_un)
        raise r.error("beyond_data", f"required key is missing: case.horizon runs the projection to {end}, "
                                     f"past the WPP files' last year of {', '.join(short)}; set beyond_data: "
                                     f"hold_flat to hold the last year's values, or end case.horizon at "
                                     f"{last - case.base_year}")


def _un_mortality(un) -> LifeTableMortality:
    tables = tuple(BySex(*(MortalityTable("mx", frozen(m)) for m in mx)) for mx in un["mx"])
    return LifeTableMortality(Anchored(tuple(int(y) for y in un["years"]), tables))


def _un_fertility(un) -> Fertility:
    years = tuple(int(y) for y in un["years"])
    rates = Anchored(years, tuple(frozen(f) for f in un["asfr"]))
    return Fertility(None, None, rates, TimeSeries(years, tuple(float(v) for v in un["srb"])))


def _un_migration(un) -> Migration:
    years = un.get("migration_years", un["years"])
    counts = Anchored(tuple(int(y) for y in years), tuple(BySex(frozen(m[0]), frozen(m[1]))
                                                          for m in un["migration"]))
    return Migration(None, None, counts, un["timing"])


__all__ = ["BrassMortality", "Demography", "DemographySection", "Fertility",
           "ImprovementMortality", "LifeTableMortality", "Migration", "MortalityTable", "demography"]
