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

from __future__ import annotations

from dataclasses import dataclass

from actuarial.assumptions.economy import SHARE
from actuarial.assumptions.reader import Reader
from actuarial.assumptions.schedules import BySex, by_sex, frozen, age_schedule
from actuarial.assumptions.series import TimeSeries

KINDS = ("child", "maternity", "disability", "old_age", "unemployment")
LEVEL_UNITS = ("amount", "poverty_line_share", "gdp_per_capita_share", "average_wage_share")
WORKING_DAYS_PER_MONTH = 260 / 12  # 5 days a week


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


def _benefit(r: Reader, name) -> Benefit:
    with r:
        kind = r.string("kind", choices=KINDS)
        ages = _age_range(r, "ages", (0, 100))
        sex = r.string("sex", choices=("female",) if kind == "maternity" else ("both", "female", "male"),
                       default="female" if kind == "maternity" else "both")
        level = r.section("level")
        with level:
            units = [u for u in LEVEL_UNITS if level.has(u)]
            if len(units) != 1:
                raise level.error(None, f"expected exactly one of {', '.join(LEVEL_UNITS)}; got "
                                        f"{[str(k) for k in level.keys()] or 'none'}")
            unit = units[0]
            value = level.number(unit, lo=0.0, what="a monthly level")
        prevalence = None
        if kind == "disability":
            prevalence = by_sex(r, "prevalence", lambda s, k, v: frozen(age_schedule(s, k, v, lo=0.0, hi=1.0)))
        return Benefit(
            name=str(name), kind=kind, ages=(ages[0], ages[1]),
            sexes=("female", "male") if sex == "both" else (sex,),
            take_up=r.series("take_up", **SHARE, default=1.0),
            targeting=r.number("targeting", **SHARE, default=1.0),
            level_unit=unit, level=value,
            months=_months(r, kind),
            indexation=r.string("indexation", choices=("prices", "wages"), default="prices"),
            administrative_cost=r.number("administrative_cost", lo=0.0, hi=1.0, default=0.0),
            prevalence=prevalence,
            pension_tested=r.flag("pension_tested", False) if kind == "old_age" else False,
            public_works=kind == "unemployment" and r.has("days"),
        )


def _months(r: Reader, kind: str) -> float:
    """Months paid a year; a public employment programme may give days of work instead."""
    if r.has("days"):
        if kind != "unemployment" or r.has("months"):
            raise r.error("days", "days of work are for an unemployment benefit (public employment "
                                  "programme), instead of months")
        return r.number("days", lo=0.0, hi=260.0, what="days of work a year (260 working days)") / \
            WORKING_DAYS_PER_MONTH
    return r.number("months", lo=0.0, hi=12.0, default=12.0, what="months a year")



def _age_range(r: Reader, key: str, default) -> tuple[int, int]:
    ages = r.raw(key, list(default))
    if (not isinstance(ages, list) or len(ages) != 2 or not all(isinstance(a, int) and not isinstance(a, bool)
                                                                for a in ages)
            or not 0 <= ages[0] <= ages[1] <= 100):
        raise r.error(key, f"expected [first age, last age] within 0..100, got {ages!r}")
    return ages[0], ages[1]


def parse_spf(r: Reader, base_year: int) -> SPF:
    with r:
        children_ages = _age_range(r, "children_ages", CHILDREN_AGES)
        poverty_line = r.number("poverty_line", lo=0.0, what="a monthly amount per person")
        section = r.section("benefits")
        with section:
            names = section.keys()
            if not names:
                raise section.error(None, "expected at least one benefit")
            benefits = tuple(_benefit(section.section(n), n) for n in names)
        targets = {}
        tsec = r.section("coverage_targets", required=False)
        if tsec is not None:
            with tsec:
                for name in tsec.keys():
                    present = [INDICATOR_OF_KIND[k] for k in KINDS if any(b.kind == k for b in benefits)]
                    present += ["vulnerable", "population_covered"]
                    if name not in present:
                        raise tsec.error(name, f"no benefit of the package feeds this indicator; expected one "
                                               f"of {', '.join(present)}")
                    series = tsec.series(name, **SHARE)
                    if len(series.years) < 2:
                        raise tsec.error(name, "expected {year: coverage} for a baseline, (an interim) "
                                               "and a target year")
                    if series.years[0] < base_year:
                        raise tsec.error(name, f"the year {series.years[0]} is before the base year {base_year}")
                    targets[name] = series
        report = r.raw("report_years", [])
        if not isinstance(report, list) or not all(isinstance(y, int) and not isinstance(y, bool) and y >= base_year
                                                   for y in report):
            raise r.error("report_years", f"expected a list of years from the base year {base_year}")
    return SPF(poverty_line, benefits, targets, tuple(sorted(set(report))), children_ages)
