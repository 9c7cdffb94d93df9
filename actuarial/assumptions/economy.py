"""Sections ``economy`` and ``labour`` of an assumption file."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from actuarial.assumptions.reader import Reader
from actuarial.assumptions.schedules import Anchored, BySex, age_schedule, anchored, by_sex, frozen
from actuarial.assumptions.series import TimeSeries

RATE = dict(lo=-0.5, hi=1.0, what="a yearly rate (0.03 for 3%)")
SHARE = dict(lo=0.0, hi=1.0, what="a share between 0 and 1")


@dataclass(frozen=True)
class Economy:
    """Macroeconomic paths; all rates are yearly fractions, money nominal."""

    gdp: float  # nominal GDP of the base year (currency)
    real_gdp_growth: TimeSeries | None  # given directly, or
    productivity_growth: TimeSeries | None  # GDP growth = (1 + productivity)(1 + employment) - 1
    inflation: TimeSeries
    real_wage_growth: TimeSeries
    average_wage: float  # economy-wide average annual wage of the employed, base year
    interest_rate: TimeSeries  # nominal return on reserves
    discount_rate: TimeSeries  # nominal rate for present values
    government_expenditure_gdp: TimeSeries


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
    with r:
        gdp = r.number("gdp", lo=0.0, lo_open=True, what="a nominal GDP in currency units")
        has_growth, has_prod = r.has("real_gdp_growth"), r.has("productivity_growth")
        if has_growth == has_prod:
            raise r.error("real_gdp_growth", "give exactly one of real_gdp_growth or productivity_growth")
        growth = r.series("real_gdp_growth", **RATE) if has_growth else None
        prod = r.series("productivity_growth", **RATE) if has_prod else None
        if not r.has("real_wage_growth") and prod is None:
            raise r.error("real_wage_growth", "required key is missing (it defaults to "
                                              "productivity_growth only when that is given)")
        wage_growth = r.series("real_wage_growth", **RATE, default=prod)
        interest = r.series("interest_rate", **RATE)
        return Economy(
            gdp=gdp, real_gdp_growth=growth, productivity_growth=prod,
            inflation=r.series("inflation", **RATE),
            real_wage_growth=wage_growth,
            average_wage=r.number("average_wage", lo=0.0, lo_open=True, what="an annual wage in currency units"),
            interest_rate=interest,
            discount_rate=r.series("discount_rate", **RATE, default=interest),
            government_expenditure_gdp=r.series("government_expenditure_gdp", lo=0.0, hi=2.0,
                                                what="a share of GDP"),
        )


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
