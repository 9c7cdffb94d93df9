"""Sections ``economy`` and ``labour`` of an assumption file."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import model_validator

from actuarial.assumptions.reader import Reader
from actuarial.assumptions.schedules import Anchored, BySex, age_schedule, anchored, by_sex, frozen
from actuarial.assumptions.series import TimeSeries
from actuarial.schema import number, rule_error, section, series, validate

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


@dataclass(frozen=True)
class Labour:
    participation: Anchored  # BySex of labour force participation rates by age
    unemployment: BySex  # of TimeSeries, share of the labour force
    coverage: BySex  # of TimeSeries, share of the employed who are insured contributors
    density: BySex  # of arrays by age: share of the year an active insured contributes
    salary_scale: object  # array by age, relative wage (normalised on employment each year)
    gender_wage_ratio: TimeSeries  # average female wage / male wage at the same age

    @property
    def first_age(self) -> int:
        """First age with participation above 0 in any anchor year (first insured age)."""
        rates = np.array([np.array(v) for v in self.participation.values])  # (anchor, sex, age)
        return int(np.argmax((rates > 0).any(axis=(0, 1))))


def parse_economy(r: Reader) -> Economy:
    """Section ``economy`` of an imperative reader (the declaration is :class:`Economy`)."""
    return validate(Economy, r.data, origins=r.origins, path=r.path)


def _rates_by_age(r: Reader, key, value, **bounds):
    return frozen(age_schedule(r, key, value, **bounds))


def series_by_sex(r: Reader, key, bounds) -> BySex:
    """One series for both sexes, or ``{female: series, male: series}``."""
    value = r.raw(key)
    if isinstance(value, dict) and set(value) & {"female", "male"}:
        return by_sex(r, key, lambda s, k, v: s.series(k, **bounds))
    series = r.series(key, **bounds)
    return BySex(series, series)


def schedule_by_sex(r: Reader, key, **bounds) -> BySex:
    value = r.raw(key)
    if isinstance(value, dict) and set(value) & {"female", "male"}:
        return by_sex(r, key, lambda s, k, v: _rates_by_age(s, k, v, **bounds))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        schedule = frozen([r.number(key, **bounds)] * 101)
    else:
        schedule = _rates_by_age(r, key, value, **bounds)
    return BySex(schedule, schedule)


def _positive_where_working(r: Reader, participation: Anchored):
    scale = _rates_by_age(r, "salary_scale", r.raw("salary_scale"), lo=0.0)
    working = (np.array([np.array(v) for v in participation.values]) > 0).any(axis=(0, 1))
    if np.any(scale[working] <= 0):
        ages = np.nonzero(working & (scale <= 0))[0]
        raise r.error("salary_scale", f"expected a positive relative wage at every working age; "
                                      f"0 at ages {ages.min()}..{ages.max()}")
    return scale


def parse_labour(r: Reader) -> Labour:
    with r:
        value = r.raw("participation")
        rate_by_sex = lambda s, k, v: by_sex(s, k, lambda s2, k2, v2: _rates_by_age(s2, k2, v2, **SHARE))  # noqa: E731
        if isinstance(value, dict) and value and all(isinstance(k, int) and not isinstance(k, bool) for k in value):
            participation = anchored(r, "participation", rate_by_sex)
        else:
            participation = Anchored((0,), (rate_by_sex(r, "participation", value),))
        return Labour(
            participation=participation,
            unemployment=series_by_sex(r, "unemployment", SHARE),
            coverage=series_by_sex(r, "coverage", SHARE),
            density=schedule_by_sex(r, "density", lo=0.0, hi=1.0),
            salary_scale=_positive_where_working(r, participation),
            gender_wage_ratio=r.series("gender_wage_ratio", lo=0.1, hi=2.0,
                                       what="a female / male wage ratio", default=1.0),
        )
