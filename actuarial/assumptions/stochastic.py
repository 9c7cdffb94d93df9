"""Section ``stochastic``: scenario generators for stochastic projections.

Each generator perturbs the deterministic path, so zero volatilities give
the deterministic numbers exactly:
- mortality (Lee & Carter 1992): ln m(x, t) = a_x + b_x k_t with k a random
  walk with drift; scenarios move k by a driftless random walk of
  volatility sigma_k around the assumed path: m_s = m x exp(b_x dk_s(t)).
  ``b`` and ``volatility`` are given, or fitted to a history of m_x
  (``fit: {un_tables: FOLDER, first_year, last_year}``);
- fertility: the TFR deviates from its path by an AR(1) (``phi`` < 1) or a
  random walk (``phi`` = 1) with yearly shocks of sd ``volatility``, kept
  within ``bounds``; age-specific rates scale with it;
- economy: deviations z_t = Phi z_{t-1} + e_t, e ~ N(0, Sigma) of inflation,
  real wage growth, the interest rate (the discount rate moves with it) and
  real GDP growth (a VAR(1); Phi diagonal from ``persistence`` or a full
  matrix); Sigma from ``covariance``, or ``volatilities`` and ``correlation``.
Deviations are 0 in the base year.
"""


from actuarial.schema.records import dataclass  # frozen dataclasses, cheaper to declare

import numpy as np

from pydantic import model_validator

from actuarial.demography.un_tables import read_un_tables
from actuarial.assumptions.schedules import PATTERN_FORMS
from actuarial.schema import (BySex, choice, number, numbers, rule_error, schedule_by_sex, section, text,
                              validate)
from actuarial.schema.fields import Param, check_number_list, invalid
from actuarial.schema.reader import Reader
from actuarial.schema.tables import field
from actuarial.stochastic.lee_carter import fit_lee_carter

ECONOMIC_VARIABLES = ("inflation", "real_wage_growth", "interest_rate", "real_gdp_growth")
DEFAULT_PERCENTILES = (5, 10, 25, 50, 75, 90, 95)


@dataclass(frozen=True)
class LeeCarter:
    b: BySex  # arrays by age (sensitivity of ln m_x to k), each summing to 1
    volatility: float  # sd of the yearly change of k


@dataclass(frozen=True)
class TFRProcess:
    phi: float
    volatility: float  # births per woman
    bounds: tuple[float, float]


@dataclass(frozen=True)
class EconomicProcess:
    variables: tuple[str, ...]
    persistence: np.ndarray  # (m, m)
    covariance: np.ndarray  # (m, m)


@dataclass(frozen=True)
class Stochastic:
    scenarios: int
    seed: int
    chunk: int  # scenarios projected at once (memory)
    percentiles: tuple[float, ...]
    mortality: LeeCarter | None
    fertility: TFRProcess | None
    economy: EconomicProcess | None


# -- the section as written in the file ---------------------------------------------------

def choices_list(description: str, choices):
    """A non-empty list of distinct names among ``choices`` -> tuple."""
    what = f"a list of distinct names among {', '.join(choices)}"

    def check(value):
        if (not isinstance(value, list) or not value or len(set(map(str, value))) != len(value)
                or any(n not in choices for n in value)):
            raise invalid(f"expected {what}")
        return tuple(value)

    schema = {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"enum": list(choices)}}
    return field(tuple, check, schema, Param(description, None, what, None, "list"))


def check_rows(value, sub=""):
    """A list of numbers, or a list of lists of numbers (a matrix) -> tuple (of tuples)."""
    if isinstance(value, list) and value and all(isinstance(row, list) for row in value):
        return tuple(tuple(check_number_list(row, sub=f"{sub}[{i}]")) for i, row in enumerate(value))
    return tuple(check_number_list(value, sub=sub))


def rows(description: str, *, unit=None, source=None, what="a list of numbers or a square matrix "
                                                             "(a list of lists of numbers)"):
    num = {"type": "number"}
    schema = {"anyOf": [{"type": "array", "minItems": 1, "items": num},
                        {"type": "array", "minItems": 1, "items": {"type": "array", "minItems": 1, "items": num}}]}
    return field(tuple, check_rows, schema, Param(description, unit, what, source, "list"))


def _square(value, m: int, key: str) -> np.ndarray:
    if len(value) != m or not all(isinstance(row, tuple) and len(row) == m for row in value):
        raise rule_error(key, f"expected a {m} x {m} matrix (a list of {m} lists of {m} numbers)")
    return np.array(value, dtype=float)


@section()
@dataclass(frozen=True)
class LeeCarterFit:
    """Lee-Carter b_x and sigma_k fitted to a history of m_x (Lee and Carter 1992: SVD of the centred
    log m_x; sigma_k the sd of the drift-free yearly changes of k)."""

    un_tables: text("Folder of UN WPP long tables holding the history, relative to the file that names it.",
                    unit="path", source="UN World Population Prospects, single-age long tables")
    first_year: number("First year of the fitted history.", lo=1800, hi=2200, integer=True, unit="year")
    last_year: number("Last year of the fitted history (at least 10 years after first_year).", lo=1800,
                      hi=2200, integer=True, unit="year")

    @model_validator(mode="after")
    def _ten_years(self):
        if self.last_year - self.first_year < 10:
            raise rule_error(None, "expected at least 10 years of history (first_year .. last_year)")
        return self


@section()
@dataclass(frozen=True)
class MortalityShocks:
    """Mortality (Lee and Carter 1992): ln m(x, t) = a_x + b_x k_t; scenarios move k by a driftless
    random walk of volatility sigma_k: m_s = m x exp(b_x dk_s(t)).

    Rule: b with volatility, or fit."""

    b: schedule_by_sex("Lee-Carter b_x: sensitivity of ln m_x to k, by age, summing to 1 over ages.",
                       lo=-1.0, hi=1.0, unit="share", source="Lee and Carter (1992) normalisation: "
                       "sum of b_x = 1", forms=PATTERN_FORMS) = None
    volatility: number("sigma_k: standard deviation of the yearly change of k.", lo=0.0, hi=100.0,
                       what="a standard deviation of k (>= 0)", unit="k per year") = None
    fit: LeeCarterFit = None

    @model_validator(mode="before")
    @classmethod
    def _given_or_fitted(cls, data):
        if isinstance(data, dict) and "fit" not in data:
            for key in ("b", "volatility"):
                if key not in data:
                    raise rule_error(key, "required key is missing (or give fit)")
        return data

    @model_validator(mode="after")
    def _normalised(self):
        if self.b is not None:
            for sex, values in zip(("female", "male"), self.b):
                if abs(float(np.sum(values)) - 1.0) > 1e-6:
                    raise rule_error("b", f"expected the {sex} b_x to sum to 1 over ages "
                                          f"(Lee-Carter normalisation), got {float(np.sum(values)):.6g}")
        return self


@section()
@dataclass(frozen=True)
class FertilityShocks:
    """Fertility: the TFR deviates from its path by an AR(1) (phi < 1) or a random walk, with yearly
    shocks of sd volatility, kept within bounds; age-specific rates scale with it."""

    volatility: number("Standard deviation of the yearly shock to the TFR.", lo=0.0, hi=2.0,
                       what="a standard deviation in births per woman (>= 0)", unit="births per woman")
    model: choice("ar1 (mean-reverting deviations) or random_walk (phi = 1).", ("ar1", "random_walk")) = "ar1"
    phi: number("AR(1) coefficient of the deviations (ar1 only).", lo=-1.0, hi=1.0, unit="per year") = 0.9
    bounds: numbers("[lowest TFR, highest TFR] the scenarios stay within.", lo=0.0,
                    unit="births per woman") = (0.5, 8.0)

    @model_validator(mode="after")
    def _bounds(self):
        if len(self.bounds) != 2 or not self.bounds[0] < self.bounds[1]:
            raise rule_error("bounds", "expected [lowest TFR, highest TFR] with 0 <= lowest < highest")
        return self

    def process(self) -> TFRProcess:
        return TFRProcess(1.0 if self.model == "random_walk" else self.phi, self.volatility,
                          (float(self.bounds[0]), float(self.bounds[1])))


@section()
@dataclass(frozen=True)
class EconomyShocks:
    """Economy: deviations z_t = Phi z_{t-1} + e_t, e ~ N(0, Sigma), a VAR(1) of the variables named
    (the discount rate moves with the interest rate).

    Rules: persistence m AR(1) coefficients (Phi diagonal) or an m x m matrix, stationary (every
    eigenvalue inside the unit circle); covariance, or volatilities with correlation (identity by
    default); Sigma symmetric positive semi-definite."""

    variables: choices_list("The economic variables shocked, in the order of the matrices.",
                            ECONOMIC_VARIABLES) = ECONOMIC_VARIABLES
    persistence: rows("Phi: AR(1) coefficients (one per variable) or the full VAR(1) matrix.",
                      unit="per year") = None
    covariance: rows("Sigma: covariance matrix of the yearly shocks.", what="a square matrix "
                     "(a list of lists of numbers)", unit="rate squared") = None
    volatilities: numbers("Standard deviation of each variable's yearly shock (with correlation).", lo=0.0,
                          what="a volatility (standard deviation, >= 0)", unit="per year") = None
    correlation: rows("Correlation matrix of the shocks (default: independent).", what="a square matrix "
                      "(a list of lists of numbers)") = None

    @model_validator(mode="before")
    @classmethod
    def _sigma(cls, data):
        if isinstance(data, dict):
            if "covariance" in data and "volatilities" in data:
                raise rule_error("covariance", "give covariance, or volatilities with correlation, not both")
            if "covariance" not in data and "volatilities" not in data:
                raise rule_error("volatilities", "required key is missing (or give covariance)")
        return data

    @model_validator(mode="after")
    def _matrices(self):
        self.process()
        return self

    def process(self) -> EconomicProcess:
        m = len(self.variables)
        raw = self.persistence if self.persistence is not None else (0.0,) * m
        if raw and isinstance(raw[0], tuple):
            phi = _square(raw, m, "persistence")
        else:
            if len(raw) != m or any(not -1.0 <= v <= 1.0 for v in raw):
                raise rule_error("persistence", f"expected {m} AR(1) coefficients in [-1.0, 1.0] or a "
                                                f"{m} x {m} matrix")
            phi = np.diag(raw)
        if np.max(np.abs(np.linalg.eigvals(phi))) >= 1.0:
            raise rule_error("persistence", "expected a stationary VAR(1): every eigenvalue inside the "
                                            "unit circle")
        return EconomicProcess(tuple(self.variables), phi, self._covariance(m))

    def _covariance(self, m: int) -> np.ndarray:
        if self.covariance is not None:
            cov, key = _square(self.covariance, m, "covariance"), "covariance"
        else:
            vol = np.array(self.volatilities)
            if vol.size != m:
                raise rule_error("volatilities", f"expected {m} values, one per variable")
            corr = _square(self.correlation, m, "correlation") if self.correlation is not None else np.eye(m)
            if not np.allclose(np.diag(corr), 1.0) or np.any(np.abs(corr) > 1 + 1e-12):
                raise rule_error("correlation", "expected a correlation matrix (1 on the diagonal, "
                                                "entries in [-1, 1])")
            cov, key = corr * np.outer(vol, vol), "correlation"
        if not np.allclose(cov, cov.T, rtol=0, atol=1e-14 * max(1.0, np.abs(cov).max())):
            raise rule_error(key, "expected a symmetric matrix")
        eig = np.linalg.eigvalsh(cov)
        if eig.min() < -1e-12 * max(1.0, eig.max()):
            raise rule_error(key, f"the covariance matrix is not positive semi-definite (eigenvalue {eig.min():.3g})")
        return cov


@section("stochastic")
@dataclass(frozen=True)
class ScenarioGenerators:
    """Scenario generators for stochastic projections: each perturbs the deterministic path, so zero
    volatilities give the deterministic numbers exactly; deviations are 0 in the base year."""

    scenarios: number("Number of scenarios (the command line's --scenarios overrides it).", lo=1,
                      hi=10_000_000, integer=True, unit="scenarios") = 1000
    seed: number("Seed of the random generator (numpy PCG64): the same seed gives the same scenarios.",
                 lo=0, hi=2**63 - 1, integer=True) = 0
    chunk: number("Scenarios projected at once (memory).", lo=1, hi=100_000, integer=True,
                  unit="scenarios") = 250
    percentiles: numbers("Percentiles of the results' fan charts.", lo=0.0, hi=100.0,
                         unit="percent") = tuple(float(p) for p in DEFAULT_PERCENTILES)
    mortality: MortalityShocks = None
    fertility: FertilityShocks = None
    economy: EconomyShocks = None


def parse_stochastic(r: Reader) -> Stochastic:
    """Section ``stochastic`` of an imperative reader (declared in :class:`ScenarioGenerators`);
    a Lee-Carter fit reads its UN tables here."""
    declared = validate(ScenarioGenerators, r.data, origins=r.origins, path=r.path)
    mortality = None
    if declared.mortality is not None:
        mort = declared.mortality
        if mort.fit is not None:
            fit = Reader(r.data["mortality"]["fit"], r.origins, (*r.path, "mortality", "fit"))
            mortality = _fit_from_history(fit, mort.fit)
        else:
            mortality = LeeCarter(mort.b, mort.volatility)
    return Stochastic(
        scenarios=declared.scenarios, seed=declared.seed, chunk=declared.chunk,
        percentiles=tuple(declared.percentiles), mortality=mortality,
        fertility=declared.fertility.process() if declared.fertility is not None else None,
        economy=declared.economy.process() if declared.economy is not None else None)


def _fit_from_history(r: Reader, fit: LeeCarterFit) -> LeeCarter:
    """b_x and sigma_k fitted to the UN tables' m_x of first_year..last_year (both sexes' sigma averaged)."""
    un = read_un_tables(r.file_path("un_tables"))
    first, last = fit.first_year, fit.last_year
    years = un["years"]
    key = r.path[-1]
    parent = Reader({}, r.origins, r.path[:-1])
    if first < years[0] or last > years[-1]:
        raise parent.error(key, f"the tables cover {years[0]}..{years[-1]}, not {first}..{last}")
    rows_ = (years >= first) & (years <= last)
    models = [fit_lee_carter(np.log(un["mx"][rows_, g])) for g in range(2)]
    return LeeCarter(BySex(models[0].b, models[1].b), float(np.mean([m.volatility for m in models])))
