"""Sections ``economy`` and ``labour`` of an assumption file."""


from actuarial.schema.records import dataclass  # frozen dataclasses, cheaper to declare

import numpy as np
from pydantic import model_validator

from actuarial.assumptions.reader import Reader
from actuarial.assumptions.schedules import PATTERN_FORMS
from actuarial.assumptions.series import TimeSeries
from actuarial.schema import number, rule_error, schedule_by_sex as schedule_by_sex_field, section, series, \
    series_by_sex as series_by_sex_field, validate
from actuarial.schema.fields import _by_sex_schema, check_by_sex, check_schedule, schedule_schema
from actuarial.schema.tables import anchored, schedule

RATE = dict(lo=-0.5, hi=1.0, what="a yearly rate (0.03 for 3%)")
SHARE = dict(lo=0.0, hi=1.0, what="a share between 0 and 1")


RATE_FIELD = dict(RATE, unit="per year")


@section("economy")
@dataclass(frozen=True)
class Economy:
    """Macroeconomic paths; all rates are yearly fractions, money nominal.

    Rules: exactly one of ``real_gdp_growth`` and ``productivity_growth``
    (GDP growth = (1 + productivity)(1 + employment) - 1, employment from the
    labour stage); ``real_wage_growth`` defaults to ``productivity_growth``
    (only when that is given), ``discount_rate`` to ``interest_rate``.
    """

    gdp: number("Nominal GDP of the base year.", lo=0.0, lo_open=True,
                what="a nominal GDP in currency units", unit="currency units",
                source="national accounts (IMF WEO, national statistics office)")
    real_gdp_growth: series("Real GDP growth (give this or productivity_growth).", **RATE_FIELD,
                            source="IMF WEO medium-term projections", optional=True)
    productivity_growth: series("Real growth of output per worker; GDP growth then follows "
                                "employment from the labour section.", **RATE_FIELD, optional=True)
    inflation: series("Consumer price inflation.", **RATE_FIELD, source="IMF WEO; central bank target")
    real_wage_growth: series("Real growth of the average wage.", **RATE_FIELD,
                             derived="productivity_growth")
    average_wage: number("Economy-wide average annual wage of the employed, base year.", lo=0.0,
                         lo_open=True, what="an annual wage in currency units", unit="currency units",
                         source="labour force survey or social security records")
    interest_rate: series("Nominal return on reserves.", **RATE_FIELD)
    discount_rate: series("Nominal rate for present values.", **RATE_FIELD, derived="interest_rate")
    government_expenditure_gdp: series("General government expenditure.", lo=0.0, hi=2.0,
                                       what="a share of GDP", unit="share of GDP",
                                       source="IMF GFS / WEO")

    @model_validator(mode="before")
    @classmethod
    def _growth_and_defaults(cls, data):
        if not isinstance(data, dict):
            return data
        has_growth, has_prod = "real_gdp_growth" in data, "productivity_growth" in data
        if has_growth == has_prod:
            raise rule_error("real_gdp_growth", "give exactly one of real_gdp_growth or productivity_growth")
        for key in ("real_gdp_growth", "productivity_growth"):
            if key in data and data[key] is None:
                raise rule_error(key, "expected a yearly rate (0.03 for 3%), got nothing")
        data = dict(data)
        data.setdefault("real_gdp_growth", None)
        data.setdefault("productivity_growth", None)
        if "real_wage_growth" not in data:
            if not has_prod:
                raise rule_error("real_wage_growth", "required key is missing (it defaults to "
                                                     "productivity_growth only when that is given)")
            data["real_wage_growth"] = data["productivity_growth"]
        if "interest_rate" in data:
            data.setdefault("discount_rate", data["interest_rate"])
        return data


def _participation(value, sub):
    return check_by_sex(value, lambda x, s: check_schedule(x, **SHARE, forms=PATTERN_FORMS, sub=s), sub)


@section("labour")
@dataclass(frozen=True)
class Labour:
    """The labour force and the insured: participation, unemployment, coverage, contribution density
    and the age-wage profile.

    Rule: salary_scale positive at every age with participation above 0 (a working age)."""

    participation: anchored("Labour force participation rate by sex and age (constant, or {year: ...} "
                            "anchors interpolated between).", _participation,
                            _by_sex_schema(schedule_schema(0.0, 1.0)), item="{female: schedule, male: schedule}",
                            single=True, unit="share of the population",
                            source="ILO modelled estimates (ILOSTAT); labour force survey")
    unemployment: series_by_sex_field("Unemployment rate.", **SHARE, unit="share of the labour force",
                                source="ILOSTAT; labour force survey")
    coverage: series_by_sex_field("Share of the employed who are insured contributors.", **SHARE,
                            unit="share of the employed", source="the scheme's records / employment")
    density: schedule_by_sex_field("Contribution density: share of the year an active insured contributes, by age.",
                             lo=0.0, hi=1.0, unit="share of the year", forms=PATTERN_FORMS,
                             source="the scheme's records (contributions / insured)")
    salary_scale: schedule("Relative wage by age (normalised on employment each year).", lo=0.0,
                           unit="relative wage", forms=PATTERN_FORMS,
                           source="labour force survey or the scheme's records (earnings by age)")
    gender_wage_ratio: series("Average female wage / male wage at the same age.", lo=0.1, hi=2.0,
                              what="a female / male wage ratio", unit="ratio",
                              source="ILO Global Wage Report; labour force survey") = TimeSeries.constant(1.0)

    @model_validator(mode="after")
    def _positive_where_working(self):
        scale = self.salary_scale
        working = (np.array([np.array(v) for v in self.participation.values]) > 0).any(axis=(0, 1))
        if np.any(scale[working] <= 0):
            ages = np.nonzero(working & (scale <= 0))[0]
            raise rule_error("salary_scale", f"expected a positive relative wage at every working age; "
                                             f"0 at ages {ages.min()}..{ages.max()}")
        return self

    @property
    def first_age(self) -> int:
        """First age with participation above 0 in any anchor year (first insured age)."""
        rates = np.array([np.array(v) for v in self.participation.values])  # (anchor, sex, age)
        return int(np.argmax((rates > 0).any(axis=(0, 1))))


def parse_labour(r: Reader) -> Labour:
    """Section ``labour`` of an imperative reader (the declaration is :class:`Labour`)."""
    return validate(Labour, r.data, origins=r.origins, path=r.path)
