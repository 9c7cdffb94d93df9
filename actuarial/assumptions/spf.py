"""Section ``spf``: a social protection floor package (ILO Recommendation No. 202).

Each benefit has a kind (who is eligible), ages and sexes, a take-up path,
an optional targeting share (e.g. the poorest 30%), a monthly level (a fixed
amount, a share of the monthly poverty line, or a share of monthly GDP per
head), its indexation and administrative cost. A benefit of kind
``unemployment`` given in ``days`` of work is a public employment programme
(a wage for work, not an unemployment cash benefit: it is costed, but it
does not count in the SDG 1.3.1 coverage series nor in the C102 Part IV
check). ``children_ages`` (default 0-15) is the age range of the SDG 1.3.1
children series.
"""


from actuarial.schema.records import dataclass  # frozen dataclasses, cheaper to declare

from pydantic import ValidationInfo, model_validator

from actuarial.assumptions.schedules import PATTERN_FORMS
from actuarial.schema import (BySex, TimeSeries, age_range, choice, flag, named, number, rule_error,
                              schedule_by_sex, section, series, validate, whole_numbers)

KINDS = ("child", "maternity", "disability", "old_age", "unemployment")
LEVEL_UNITS = ("amount", "poverty_line_share", "gdp_per_capita_share", "average_wage_share")
WORKING_DAYS_PER_MONTH = 260 / 12  # 5 days a week
SHARE = dict(lo=0.0, hi=1.0, what="a share between 0 and 1")


@dataclass(frozen=True)
class Benefit:
    name: str
    kind: str
    ages: tuple[int, int]  # first and last eligible age (inclusive)
    sexes: tuple[str, ...]
    take_up: TimeSeries  # share of the eligible who receive it
    targeting: float  # share of the eligible population targeted (1: universal)
    level_unit: str
    level: float  # monthly, in the unit's terms, at base-year prices
    months: float  # months paid a year (maternity: duration of the benefit)
    indexation: str  # "prices" or "wages"
    administrative_cost: float  # share of benefits
    prevalence: BySex | None  # disability: share of persons with severe disability by age
    pension_tested: bool  # old age: only persons without a contributory pension
    public_works: bool = False  # unemployment given in days of work: a public employment programme


# the SDG 1.3.1-style indicator each kind of benefit feeds
INDICATOR_OF_KIND = {"child": "children", "maternity": "mothers_with_newborns", "disability": "severe_disability",
                     "old_age": "old_age", "unemployment": "unemployed"}
INDICATOR_NAMES = (*INDICATOR_OF_KIND.values(), "employment_injury", "vulnerable", "population_covered")
# SDG 1.3.1 children series: children aged 0-15 (under 16), the age range of the ILO's
# estimates (ILO and UNICEF, "More than a billion reasons: the urgent need to build universal
# social protection for children", 2023; ILO World Social Protection Database)
CHILDREN_AGES = (0, 15)


@dataclass(frozen=True)
class SPF:
    poverty_line: float  # currency a month per person, base year
    benefits: tuple[Benefit, ...]
    targets: dict  # indicator -> TimeSeries of coverage (baseline, interim, target years)
    report_years: tuple[int, ...] = ()  # years the console summary shows
    children_ages: tuple[int, int] = CHILDREN_AGES  # first and last age of the SDG 1.3.1 children series


# -- the section as written in the file ---------------------------------------------------

MONTHLY = dict(lo=0.0, what="a monthly level")


@section()
@dataclass(frozen=True)
class Level:
    """The monthly level of a benefit, at base-year prices: exactly one of the units."""

    amount: number("A fixed amount a month.", **MONTHLY, unit="currency units a month") = None
    poverty_line_share: number("A share of the monthly poverty line (spf.poverty_line).", **MONTHLY,
                               unit="share of the poverty line") = None
    gdp_per_capita_share: number("A share of monthly GDP per head.", **MONTHLY,
                                 unit="share of GDP per head / 12") = None
    average_wage_share: number("A share of the monthly average wage (economy.average_wage / 12).",
                               **MONTHLY, unit="share of the average wage") = None

    @model_validator(mode="before")
    @classmethod
    def _exactly_one_unit(cls, data):
        if isinstance(data, dict):
            units = [u for u in LEVEL_UNITS if u in data]
            if len(units) != 1:
                raise rule_error(None, f"expected exactly one of {', '.join(LEVEL_UNITS)}; got "
                                       f"{[str(k) for k in data] or 'none'}")
        return data

    @property
    def unit(self) -> str:
        return next(u for u in LEVEL_UNITS if getattr(self, u) is not None)


@section()
@dataclass(frozen=True)
class BenefitSpec:
    """One benefit of the package, as written in ``spf.benefits.<name>``.

    Rules: ``sex`` of a maternity benefit is female; ``prevalence`` is required
    for (and only for) a disability benefit, ``pension_tested`` only for an
    old-age one; ``days`` (of work, instead of ``months``) only for an
    unemployment benefit: it is then a public employment programme."""

    kind: choice("Who is eligible (the SDG 1.3.1 series it feeds).", KINDS)
    level: Level
    ages: age_range("First and last eligible age (inclusive).") = (0, 100)
    sex: choice("Eligible sex (a maternity benefit: female).", ("both", "female", "male"),
                derived="female for maternity, both otherwise") = "both"
    take_up: series("Share of the eligible who receive it.", **SHARE, unit="share") = TimeSeries.constant(1.0)
    targeting: number("Share of the eligible population targeted (1: universal; 0.3: the poorest 30%).",
                      **SHARE, unit="share") = 1.0
    months: number("Months paid a year (maternity: duration of the benefit).", lo=0.0, hi=12.0,
                   what="months a year", unit="months") = 12.0
    days: number("Days of work a year of a public employment programme (instead of months; "
                 "a month is 260/12 working days).", lo=0.0, hi=260.0,
                 what="days of work a year (260 working days)", unit="days") = None
    indexation: choice("Index of the level after the base year.", ("prices", "wages")) = "prices"
    administrative_cost: number("Administrative cost, a share of benefits.", lo=0.0, hi=1.0,
                                unit="share of benefits") = 0.0
    prevalence: schedule_by_sex("Disability: share of persons with severe disability by age.", **SHARE,
                                scalar=False, unit="share", forms=PATTERN_FORMS) = None
    pension_tested: flag("Old age: only persons without a contributory pension.") = False

    @model_validator(mode="before")
    @classmethod
    def _kind_rules(cls, data):
        if not isinstance(data, dict) or data.get("kind") not in KINDS:
            return data
        kind = data["kind"]
        if kind == "maternity":
            data = {"sex": "female", **data}
            if data["sex"] != "female":
                raise rule_error("sex", f"expected one of female; got {data['sex']!r}")
        if "days" in data and (kind != "unemployment" or "months" in data):
            raise rule_error("days", "days of work are for an unemployment benefit (public employment "
                                     "programme), instead of months")
        if kind == "disability" and "prevalence" not in data:
            raise rule_error("prevalence", "required key is missing (a disability benefit needs it)")
        for key, needs in (("prevalence", "disability"), ("pension_tested", "old_age")):
            if key in data and kind != needs:
                raise rule_error(key, f"unknown key (only a benefit of kind {needs} has it)")
        return data

    def benefit(self, name) -> Benefit:
        """The engine's :class:`Benefit`."""
        months = self.months if self.days is None else self.days / WORKING_DAYS_PER_MONTH
        return Benefit(
            name=str(name), kind=self.kind, ages=tuple(self.ages),
            sexes=("female", "male") if self.sex == "both" else (self.sex,),
            take_up=self.take_up, targeting=self.targeting, level_unit=self.level.unit,
            level=getattr(self.level, self.level.unit), months=months, indexation=self.indexation,
            administrative_cost=self.administrative_cost, prevalence=self.prevalence,
            pension_tested=self.pension_tested, public_works=self.days is not None)


@section("spf")
@dataclass(frozen=True)
class SPFSection:
    """A social protection floor package (ILO Recommendation No. 202).

    Rules: at least one benefit; a coverage target names an indicator that a
    benefit of the package feeds (or ``vulnerable``, ``population_covered``)
    and gives a baseline, (an interim) and a target year, none before
    ``case.base_year``; ``report_years`` are from the base year."""

    poverty_line: number("Monthly poverty line per person, base year.", lo=0.0,
                         what="a monthly amount per person", unit="currency units a month",
                         source="national poverty line (statistics office)")
    benefits: named("The benefits of the package.", BenefitSpec, what="benefit name")
    coverage_targets: named("SDG 1.3.1 coverage targets by indicator: {year: coverage} for a baseline, "
                            "(an interim) and a target year.",
                            series("Coverage target path.", **SHARE, unit="share"),
                            what="indicator") = None
    report_years: whole_numbers("Years the console summary shows.", lo=-10**6, empty=True,
                                what="a list of years from the base year", unit="year") = ()
    children_ages: age_range("First and last age of the SDG 1.3.1 children series.",
                             source="0-15, the ILO's estimates (ILO and UNICEF, More than a billion "
                                    "reasons, 2023; ILO World Social Protection Database)") = CHILDREN_AGES

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo):
        base_year = (info.context or {})["case"].base_year
        if not self.benefits:
            raise rule_error("benefits", "expected at least one benefit")
        present = [INDICATOR_OF_KIND[k] for k in KINDS if any(b.kind == k for b in self.benefits.values())]
        present += ["vulnerable", "population_covered"]
        for name, path in (self.coverage_targets or {}).items():
            if name not in present:
                raise rule_error(f"coverage_targets.{name}", f"no benefit of the package feeds this "
                                                             f"indicator; expected one of {', '.join(present)}")
            if len(path.years) < 2:
                raise rule_error(f"coverage_targets.{name}", "expected {year: coverage} for a baseline, "
                                                             "(an interim) and a target year")
            if path.years[0] < base_year:
                raise rule_error(f"coverage_targets.{name}",
                                 f"the year {path.years[0]} is before the base year {base_year}")
        if any(y < base_year for y in self.report_years):
            raise rule_error("report_years", f"expected a list of years from the base year {base_year}")
        return self

    def spf(self) -> SPF:
        """The engine's :class:`SPF`."""
        return SPF(self.poverty_line, tuple(b.benefit(n) for n, b in self.benefits.items()),
                   dict(self.coverage_targets or {}), tuple(sorted(set(self.report_years))),
                   tuple(self.children_ages))


def parse_spf(r, case) -> SPF:
    """Section ``spf`` of a reader's mapping (declared in :class:`SPFSection`)."""
    return validate(SPFSection, r.data, origins=r.origins, path=r.path, context={"case": case}).spf()
