"""Section ``distribution``: poverty and inequality impacts of the ``spf``
benefits on household survey data (a static microsimulation).

The survey (one or two files: persons and households; CSV, Parquet, Stata
or SPSS) is read and checked here, at load time, through the project's one
data-file checking path (``actuarial.distribution.reader``); the stage
(``actuarial.distribution.stage``) applies the ``spf`` benefit rules to it.
"""


import contextlib
import os
from actuarial.schema.records import dataclass  # frozen dataclasses, cheaper to declare
from pathlib import Path

from pydantic import ValidationInfo, model_validator

from actuarial.assumptions.reader import Reader
from actuarial.shipped import examples_folder
from actuarial.schema import (TimeSeries, choice, named, number, rule_error, section, series, text,
                              validate, whole_numbers)

SCALES = ("per_capita", "oecd_modified", "square_root")
SHARE = dict(lo=0.0, hi=1.0, what="a share between 0 and 1", unit="share")
DAYS_PER_MONTH = 365 / 12


@section()
@dataclass(frozen=True)
class Columns:
    """The survey's column names for the engine's variables (default: the same names)."""

    household_id: text("Household id (both files).") = "household_id"
    weight: text("Household survey weight (households file): households represented.") = "weight"
    welfare: text("Household consumption or income (households file), per household.") = "welfare"
    urban: text("Urban/rural (households file); codes in codes.urban and codes.rural.") = "urban"
    region: text("Region (households file; optional, kept for tables).") = "region"
    age: text("Age in completed years (persons file; 100 stands for 100+).") = "age"
    sex: text("Sex (persons file); codes in codes.female and codes.male.") = "sex"
    head: text("1 for the household head (persons file; optional: female-headed households).") = "head"
    disability: text("1 for a severe disability (persons file; optional: else imputed from the "
                     "disability benefit's prevalence).") = "disability"
    employment: text("Employment status (persons file; optional: unemployed persons, codes.unemployed).") = \
        "employment"
    contributing: text("1 when contributing to social insurance (persons file; optional).") = "contributing"
    pension: text("Contributory pension received, an amount (persons file; optional: needed by a "
                  "pension-tested benefit).") = "pension"


@section()
@dataclass(frozen=True)
class Codes:
    """How the survey codes its categories (cells compared as text: 2 and "2" are the same)."""

    female: text("Code of women in the sex column.") = "female"
    male: text("Code of men in the sex column.") = "male"
    urban: text("Code of urban households.") = "urban"
    rural: text("Code of rural households.") = "rural"
    unemployed: text("Code of unemployed persons in the employment column.") = "unemployed"


@section()
@dataclass(frozen=True)
class SurveySpec:
    """The household survey files and their layout."""

    households: text("Households file (CSV, .csv.gz, Parquet, Stata .dta or SPSS .sav), relative to this "
                     "file, or {samples}/... for a file of the shipped sample sets (actuarial examples).")
    persons: text("Persons file (one row a person), relative to this file or {samples}/...; the households "
                  "file itself for a one-file survey (each person's row repeats its household's id, weight, "
                  "welfare and urban/rural).")
    year: number("Survey year (welfare at that year's prices; the base year of the results).",
                 integer=True, lo=1900, hi=2200, what="a year", unit="year",
                 derived="case.base_year") = None
    welfare_period: choice("Period of the welfare amounts.", ("month", "year")) = "month"
    columns: Columns = Columns()
    codes: Codes = Codes()


@section()
@dataclass(frozen=True)
class PovertyLine:
    """One poverty line: a national amount a person a month, or an international
    line per person a day at PPP with its conversion factor and price index."""

    amount: number("National line, currency units a person a month at the survey year's prices.", lo=0.0,
                   lo_open=True, what="a monthly amount", unit="currency units a month",
                   source="national statistics office") = None
    ppp_per_day: number("International line, PPP dollars a person a day (e.g. 3.00 at 2021 PPPs).",
                        lo=0.0, lo_open=True, what="PPP dollars a day", unit="PPP$ a day",
                        source="World Bank, Poverty and Inequality Platform (June 2025: $3.00 at 2021 PPPs)") = None
    ppp_factor: number("PPP conversion factor for private consumption: currency units per PPP dollar.",
                       lo=0.0, lo_open=True, what="currency units per PPP$", unit="currency units / PPP$",
                       source="World Bank ICP (PA.NUS.PRVT.PP)") = None
    price_index: number("Consumer prices of the survey year / those of the PPP year.", lo=0.0, lo_open=True,
                        what="a price ratio", unit="1", source="national CPI") = 1.0

    @model_validator(mode="before")
    @classmethod
    def _one_kind(cls, data):
        if isinstance(data, dict):
            has_amount, has_ppp = "amount" in data, "ppp_per_day" in data
            if has_amount == has_ppp:
                raise rule_error(None, "expected either amount or ppp_per_day (with ppp_factor)")
            if has_ppp and "ppp_factor" not in data:
                raise rule_error("ppp_factor", "required key is missing (an international line needs it)")
            if has_amount and ("ppp_factor" in data or "price_index" in data):
                raise rule_error("amount", "a national amount takes no ppp_factor nor price_index")
        return data

    def monthly(self) -> float:
        """Currency units a person a month at the survey year's prices:
        amount, or ppp_per_day x ppp_factor x price_index x 365 / 12."""
        if self.amount is not None:
            return float(self.amount)
        return float(self.ppp_per_day * self.ppp_factor * self.price_index * DAYS_PER_MONTH)


@dataclass(frozen=True)
class Distribution:
    """The engine's ``distribution`` assumptions (a checked survey inside)."""

    survey: object  # actuarial.distribution.reader.Survey
    scale: str
    lines: dict  # line name -> monthly amount a person, survey-year prices
    years: tuple[int, ...]
    take_up: str  # "expected" or "draw"
    seed: int
    inclusion_error: float
    exclusion_error: float
    real_growth: TimeSeries | None  # real welfare growth per head a year (None: real GDP per head)
    child_age: int = 17  # last age of a child (households with children)
    older_age: int = 65  # first age of an older person (households with older persons)


@section("distribution")
@dataclass(frozen=True)
class DistributionSection:
    """Poverty and inequality impacts of the spf benefits on household survey data.

    Rules: needs the spf section; at least one poverty line; ``years`` from the
    survey year within the projection (the survey year is always shown)."""

    survey: SurveySpec
    poverty_lines: named("Poverty lines by name.", PovertyLine, what="line name")
    equivalence_scale: choice("Welfare per person: per_capita (household size), oecd_modified (1 + 0.5 a "
                              "further person aged 14+ + 0.3 a child under 14; OECD, 'What are equivalence "
                              "scales?') or square_root (size^0.5).", SCALES) = "per_capita"
    years: whole_numbers("Years shown besides the survey year (the survey reweighted to the projected "
                         "population by raking).", lo=-10**6, empty=True, what="a list of years",
                         unit="year") = ()
    real_growth: series("Real growth of welfare per head, a year, after the survey year.", lo=-0.5, hi=1.0,
                        what="a yearly rate", unit="per year",
                        derived="real GDP per head growth of the economy stage") = None
    take_up: choice("Take-up on the survey: expected (each eligible person receives take-up x the "
                    "benefit) or draw (a seeded draw per person and benefit, reproducible and "
                    "independent of chunking).", ("expected", "draw")) = "expected"
    seed: number("Seed of the take-up and targeting draws.", integer=True, lo=0, what="a whole number") = 0
    inclusion_error: number("Poverty-targeted benefits: share of the selected who are outside the target "
                            "group (leakage) of the proxy-means ranking.", **SHARE) = 0.0
    exclusion_error: number("Poverty-targeted benefits: share of the target group the proxy-means ranking "
                            "leaves out.", **SHARE) = 0.0
    child_age: number("Last age of a child (households with children).", integer=True, lo=0, hi=100,
                      what="an age") = 17
    older_age: number("First age of an older person (households with older persons).", integer=True, lo=0,
                      hi=100, what="an age") = 65

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo):
        case = (info.context or {})["case"]
        if not self.poverty_lines:
            raise rule_error("poverty_lines", "expected at least one poverty line")
        year = self.survey.year if self.survey.year is not None else case.base_year
        last = case.base_year + case.horizon
        for y in self.years:
            if not year <= y <= last:
                raise rule_error("years", f"expected years from the survey year {year} to {last}; got {y}")
        if year < case.base_year or year > last:
            raise rule_error("survey.year", f"expected a year of the projection {case.base_year}-{last}")
        if self.inclusion_error >= 1.0:
            raise rule_error("inclusion_error", "expected a share below 1")
        return self


SAMPLES = "{samples}/"


def _survey_path(files: Reader, key: str) -> Path:
    """A survey file: ``{samples}/...`` in the shipped sample sets' folder
    (``actuarial.shipped.examples_folder``), else relative to the file that set it."""
    value = files.string(key)
    if not value.startswith(SAMPLES):
        return files.file_path(key)
    path = examples_folder() / value[len(SAMPLES):]
    if not path.is_file():
        raise files.error(key, f"path {value!r} is not a file of the sample sets ({path})")
    return path


def parse_distribution(r, case) -> Distribution:
    """Section ``distribution`` of a reader's mapping (declared in
    :class:`DistributionSection`); the survey files are read and checked here."""
    # lazy for `actuarial check` speed (the survey reader, only with this section)
    from actuarial.distribution.reader import read_survey

    d = validate(DistributionSection, r.data, origins=r.origins, path=r.path, context={"case": case})
    files = Reader(r.data["survey"], r.origins, (*r.path, "survey"))
    year = d.survey.year if d.survey.year is not None else case.base_year
    survey = _read_once(read_survey, _survey_path(files, "households"), _survey_path(files, "persons"),
                        d.survey, year)
    years = tuple(sorted({year, *d.years}))
    lines = {str(k): v.monthly() for k, v in d.poverty_lines.items()}
    return Distribution(survey, d.equivalence_scale, lines, years, d.take_up, d.seed, d.inclusion_error,
                        d.exclusion_error, d.real_growth, d.child_age, d.older_age)


_surveys: dict | None = None  # surveys read while ``surveys_cached`` is active


@contextlib.contextmanager
def surveys_cached():
    """While the block runs, a survey is read and checked once: a batch's
    cases share the base file's survey (issue 17: reading it was 80% of
    loading a Demoland case). Keyed by each file's identity (device, inode),
    size and modification time, the layout and the year: an edited file is read again."""
    global _surveys
    outer, _surveys = _surveys, ({} if _surveys is None else _surveys)
    try:
        yield
    finally:
        _surveys = outer


def _read_once(read_survey, households: Path, persons: Path, spec, year: int):
    if _surveys is None:
        return read_survey(households, persons, spec, year)
    try:  # one stat a file: the file itself (device, inode), not its resolved path (a stat a folder)
        files = tuple((st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
                      for st in (os.stat(f) for f in (households, persons)))
    except OSError:  # the reader reports it
        return read_survey(households, persons, spec, year)
    key = (files, repr(spec), year)
    if key not in _surveys:
        _surveys[key] = read_survey(households, persons, spec, year)
    return _surveys[key]
