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

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from actuarial.assumptions.economy import schedule_by_sex
from actuarial.assumptions.reader import Reader
from actuarial.assumptions.schedules import BySex

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


def _matrix(r: Reader, key, m: int) -> np.ndarray:
    value = r.raw(key)
    if (not isinstance(value, list) or len(value) != m
            or not all(isinstance(row, list) and len(row) == m for row in value)):
        raise r.error(key, f"expected a {m} x {m} matrix (a list of {m} lists of {m} numbers)")
    return np.array([r.number_list(f"{key}[{i}]", row) for i, row in enumerate(value)])


def _covariance(r: Reader, m: int) -> np.ndarray:
    if r.has("covariance"):
        if r.has("volatilities"):
            raise r.error("covariance", "give covariance, or volatilities with correlation, not both")
        cov = _matrix(r, "covariance", m)
        key = "covariance"
    else:
        vol = np.array(r.number_list("volatilities", r.raw("volatilities"), length=None,
                                     lo=0.0, what="a volatility (standard deviation, >= 0)"))
        if vol.size != m:
            raise r.error("volatilities", f"expected {m} values, one per variable")
        corr = _matrix(r, "correlation", m) if r.has("correlation") else np.eye(m)
        if not np.allclose(np.diag(corr), 1.0) or np.any(np.abs(corr) > 1 + 1e-12):
            raise r.error("correlation", "expected a correlation matrix (1 on the diagonal, entries in [-1, 1])")
        cov = corr * np.outer(vol, vol)
        key = "correlation"
    if not np.allclose(cov, cov.T, rtol=0, atol=1e-14 * max(1.0, np.abs(cov).max())):
        raise r.error(key, "expected a symmetric matrix")
    eig = np.linalg.eigvalsh(cov)
    if eig.min() < -1e-12 * max(1.0, eig.max()):
        raise r.error(key, f"the covariance matrix is not positive semi-definite (eigenvalue {eig.min():.3g})")
    return cov


def parse_stochastic(r: Reader) -> Stochastic:
    with r:
        mortality = fertility = economy = None
        mort = r.section("mortality", required=False)
        if mort is not None:
            with mort:
                if mort.has("fit"):
                    mortality = _fit_from_history(mort)
                else:
                    b = schedule_by_sex(mort, "b", lo=-1.0, hi=1.0)
                    for sex, values in zip(("female", "male"), b):
                        if abs(float(np.sum(values)) - 1.0) > 1e-6:
                            raise mort.error("b", f"expected the {sex} b_x to sum to 1 over ages "
                                                  f"(Lee-Carter normalisation), got {float(np.sum(values)):.6g}")
                    mortality = LeeCarter(b, mort.number("volatility", lo=0.0, hi=100.0,
                                                         what="a standard deviation of k (>= 0)"))
        fert = r.section("fertility", required=False)
        if fert is not None:
            with fert:
                model = fert.string("model", choices=("ar1", "random_walk"), default="ar1")
                phi = 1.0 if model == "random_walk" else fert.number("phi", lo=-1.0, hi=1.0, default=0.9)
                bounds = fert.raw("bounds", [0.5, 8.0])
                if (not isinstance(bounds, list) or len(bounds) != 2
                        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in bounds)
                        or not 0 <= bounds[0] < bounds[1]):
                    raise fert.error("bounds", "expected [lowest TFR, highest TFR] with 0 <= lowest < highest")
                fertility = TFRProcess(phi, fert.number("volatility", lo=0.0, hi=2.0,
                                                        what="a standard deviation in births per woman (>= 0)"),
                                       (float(bounds[0]), float(bounds[1])))
        eco = r.section("economy", required=False)
        if eco is not None:
            with eco:
                names = eco.raw("variables", list(ECONOMIC_VARIABLES))
                if (not isinstance(names, list) or not names or len(set(names)) != len(names)
                        or any(n not in ECONOMIC_VARIABLES for n in names)):
                    raise eco.error("variables", f"expected a list of distinct names among "
                                                 f"{', '.join(ECONOMIC_VARIABLES)}")
                m = len(names)
                raw = eco.raw("persistence", [0.0] * m)
                if isinstance(raw, list) and raw and all(isinstance(v, list) for v in raw):
                    phi = _matrix(eco, "persistence", m)
                else:
                    values = eco.number_list("persistence", raw, lo=-1.0, hi=1.0)
                    if len(values) != m:
                        raise eco.error("persistence", f"expected {m} AR(1) coefficients or a {m} x {m} matrix")
                    phi = np.diag(values)
                if np.max(np.abs(np.linalg.eigvals(phi))) >= 1.0:
                    raise eco.error("persistence", "expected a stationary VAR(1): every eigenvalue inside the "
                                                   "unit circle")
                economy = EconomicProcess(tuple(names), phi, _covariance(eco, m))
        scenarios = r.number("scenarios", lo=1, hi=10_000_000, integer=True, default=1000)
        return Stochastic(
            scenarios=int(scenarios),
            seed=int(r.number("seed", lo=0, hi=2**63 - 1, integer=True, default=0)),
            chunk=int(r.number("chunk", lo=1, hi=100_000, integer=True, default=250)),
            percentiles=tuple(r.number_list("percentiles", r.raw("percentiles", list(DEFAULT_PERCENTILES)),
                                            lo=0.0, hi=100.0)),
            mortality=mortality, fertility=fertility, economy=economy)


def _fit_from_history(r: Reader) -> LeeCarter:
    from actuarial.demography.un_tables import read_un_tables
    from actuarial.stochastic.lee_carter import fit_lee_carter

    fit = r.section("fit")
    with fit:
        folder = fit.file_path("un_tables")
        first = fit.number("first_year", lo=1800, hi=2200, integer=True)
        last = fit.number("last_year", lo=1800, hi=2200, integer=True)
    if last - first < 10:
        raise r.error("fit", "expected at least 10 years of history (first_year .. last_year)")
    un = read_un_tables(folder)
    years = un["years"]
    if first < years[0] or last > years[-1]:
        raise r.error("fit", f"the tables cover {years[0]}..{years[-1]}, not {first}..{last}")
    rows = (years >= first) & (years <= last)
    models = [fit_lee_carter(np.log(un["mx"][rows, g])) for g in range(2)]
    return LeeCarter(BySex(models[0].b, models[1].b), float(np.mean([m.volatility for m in models])))
