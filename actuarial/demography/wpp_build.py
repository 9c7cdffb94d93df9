"""The engine's demography inputs from the WPP 2024 files (``demography.wpp``).

:func:`wpp_inputs` turns what :func:`actuarial.demography.wpp.read_wpp`
read into the arrays of the projection, for the years of a case:

- base population: the files' population on 1 January of the base year;
- mortality: the files' m_x of each year (complete life tables by sex), the
  open group closed as the UN does (``open_age_group: un``);
- fertility: the files' ASFR by single age of mother and sex ratio at birth;
- net migration by sex and age, from the published totals by one of two
  methods (``demography.wpp.migration``):

  ``residual`` (the default) -- the residual method (Preston, Heuveline &
  Guillot 2001, section 6.5, "intercensal" residual: net migrants = population
  at the end minus the survivors of the population at the start and of the
  births), with the engine's projection conventions (:mod:`actuarial.demography.
  _kernels` ``project``, migration timing ``end``: the migrants of year t join
  after its deaths and births, unexposed): for each sex, age and year t

      M_t(x)   = P_{t+1}(x) - P_t(x-1) S_t(x)            x = 1..99
      M_t(100) = P_{t+1}(100) - (P_t(99) + P_t(100)) S_t(100)
      M_t(0)   = P_{t+1}(0) - B_t,s S_t(0),
      B_t = sum_x F_t(x) (P^f_t(x) + P'^f_t(x)) / 2, split by the SRB,

  S the engine's survival ratios from the files' m_x, P' the survivors.
  Projecting the base population with these counts (and ``migration_rule:
  as_given``, which they never push below zero) gives back the files'
  1 January populations by single age and sex to rounding: every year
  from the base year to the files' last. The residual of year t needs the
  population of t + 1, so the last year with migrants is the files' last
  year minus one.

  ``model`` -- the published net migration totals (``NetMigrations``) of
  each year spread over sex and age by a Rogers-Castro (1981) model schedule
  (:func:`actuarial.demography.laws.rogers_castro`, 7 parameters) fitted by
  least squares, for each sex, to the age pattern of the residual migrants
  of the case's years in the files (summed over those years), each sex
  weighted by its share of them (:func:`fitted_pattern`; the fit starts
  from, and falls back to, the fundamental parameters of Rogers & Castro's
  simplified basic standard schedule :data:`RC_STANDARD`, half to each
  sex). A smooth schedule, constant in time: the total population comes
  within a fraction of a percent of the files' (not exactly: the pattern
  moves deaths and births). With the standard schedule unfitted the gap
  over 30 years, measured on the UN's own WPP 2019 migrants by age of Canada
  and Mexico, is 0.5-1.6%; fitted, 0.26% and 0.08% (1950-1980). The fit
  is only as good as the residual's age pattern, which also holds the gap
  between the files' survival conventions and the engine's (ages 0-1, the
  oldest ages): on files projected with survival 1 - q_x the 30-year gap
  reached 1-3%.

Past the files' last year of a component there is no value: the projection
needs ``demography.beyond_data`` (``hold_flat``: the last year held), never
an implied rule (:func:`last_years` gives the last year of each component).
"""

from __future__ import annotations

import numpy as np

from actuarial.demography.laws import rogers_castro
from actuarial.demography.wpp_rules import MIGRATION_METHODS  # noqa: F401 (re-exported)

RC_STANDARD = {"a1": 0.02, "alpha1": 0.1, "a2": 0.06, "alpha2": 0.1, "mu2": 20.0, "lambda2": 0.4, "c": 0.003}
"""Rogers & Castro (1981, Model Migration Schedules, IIASA RR-81-30), the
fundamental parameters of the simplified basic standard schedule (also the
``rc9.fund`` values of the R package migest)."""


def survival(mx: np.ndarray) -> np.ndarray:
    """The engine's projection survival ratios S (years, 2, 101) from m_x
    (years, 2, 101), sex order female, male, open group closed as the UN does."""
    from actuarial.demography import _kernels
    from actuarial.demography.lifetable import open_group_rule

    flat = np.ascontiguousarray(mx, dtype=float).reshape(-1, mx.shape[-1])
    female = np.ascontiguousarray(np.broadcast_to([True, False], mx.shape[:-1]).reshape(-1))
    S = np.empty_like(flat)
    e = np.empty((flat.shape[0], 1))
    if _kernels.survival_ratios(flat, female, S, e, np.array([0]), open_group_rule("un")):
        raise ValueError("m_x must be finite and non-negative, with a positive open age group")
    return S.reshape(mx.shape)


def survivors(pop: np.ndarray, S: np.ndarray, asfr: np.ndarray, srb: float) -> np.ndarray:
    """Survivors on 1 January t+1 of the population ``pop`` (2, 101) of 1 January
    t and of the births of year t, before migration (module docstring)."""
    new = np.zeros_like(pop)
    new[:, 1:-1] = pop[:, :-2] * S[:, 1:-1]
    new[:, -1] = (pop[:, -2] + pop[:, -1]) * S[:, -1]
    births = 0.5 * float(np.sum(asfr * (pop[0] + new[0])))
    female = births / (1.0 + srb)
    new[0, 0] = female * S[0, 0]
    new[1, 0] = (births - female) * S[1, 0]
    return new


def residual_migration(population: np.ndarray, mx: np.ndarray, asfr: np.ndarray, srb: np.ndarray) -> np.ndarray:
    """Net migrants (Y - 1, 2, 101) of each year but the last, by the residual
    method: ``population[t + 1] - survivors(population[t])`` (module docstring).

    ``population`` (Y, 2, 101) on 1 January, ``mx`` (Y, 2, 101), ``asfr``
    (Y, 101) births per woman-year, ``srb`` (Y,) males per female birth."""
    S = survival(mx)
    out = np.empty((population.shape[0] - 1, *population.shape[1:]))
    for t in range(out.shape[0]):
        out[t] = population[t + 1] - survivors(population[t], S[t], asfr[t], srb[t])
    return out


def model_pattern() -> np.ndarray:
    """Shares (2, 101) over sex and age, sum 1: the Rogers-Castro standard
    schedule (:data:`RC_STANDARD`), half to each sex."""
    shares = rogers_castro(**RC_STANDARD)
    return np.stack([shares, shares]) / 2.0


def fit_rogers_castro(shares: np.ndarray) -> dict:
    """Rogers-Castro parameters (:data:`RC_STANDARD`'s names) fitted by least
    squares to age ``shares`` (101,) summing to 1, from the standard
    schedule; the standard's parameters when the fit fails."""
    from scipy.optimize import least_squares

    names = list(RC_STANDARD)
    start = np.array([RC_STANDARD[k] for k in names])
    lo = np.zeros(len(names))
    hi = np.array([np.inf, 5.0, np.inf, 5.0, 100.0, 5.0, np.inf])
    try:
        fit = least_squares(lambda p: rogers_castro(*p) - shares, start, bounds=(lo, hi), x_scale="jac")
    except (ValueError, FloatingPointError):
        return dict(RC_STANDARD)
    if not (fit.success and np.all(np.isfinite(fit.x))):
        return dict(RC_STANDARD)
    return {k: float(v) for k, v in zip(names, fit.x)}


def fitted_pattern(residual: np.ndarray) -> tuple[np.ndarray, list]:
    """Shares (2, 101), sum 1, and the parameters of each sex: a Rogers-Castro
    schedule fitted to each sex's age pattern of the ``residual`` migrants
    (n, 2, 101) summed over the years, weighted by the sex's share of them.
    The standard schedule, half to each sex, when there are none (n = 0 or a
    zero sum)."""
    total = float(residual.sum())
    by_sex = residual.sum(axis=0)
    if residual.shape[0] == 0 or total == 0.0 or np.any(by_sex.sum(axis=1) == 0.0):
        return model_pattern(), [dict(RC_STANDARD), dict(RC_STANDARD)]
    out, params = np.empty((2, by_sex.shape[1])), []
    for g in range(2):
        p = fit_rogers_castro(by_sex[g] / by_sex[g].sum())
        out[g] = by_sex[g].sum() / total * rogers_castro(**p)
        params.append(p)
    return out, params


def model_migration(totals: np.ndarray, pattern: np.ndarray | None = None) -> np.ndarray:
    """Net migrants (Y, 2, 101): each year's total times ``pattern`` (2, 101)
    (default :func:`model_pattern`)."""
    pattern = model_pattern() if pattern is None else pattern
    return np.asarray(totals, float)[:, None, None] * pattern[None]


def wpp_inputs(data: dict, first: int, last: int, migration: str = "residual") -> dict:
    """The inputs for the case years ``first..last`` from ``read_wpp`` output
    ``data`` (every year of the files): ``base_population`` (2, 101);
    ``years_rates`` and ``mx``, ``asfr``, ``srb`` for the years of the files
    within ``first..last``; ``years_migration`` and ``migration`` (counts
    (n, 2, 101)); ``last_years`` (component -> its last year in the files)."""
    years = np.asarray(data["years"], int)
    i0 = int(np.searchsorted(years, first))
    ends = last_years(data, migration)
    n_rates = min(last, ends["mortality"]) - first + 1
    rates = slice(i0, i0 + n_rates)
    if migration == "residual":
        n_mig = min(last, ends["migration"]) - first + 1
        span = slice(i0, i0 + n_mig + 1)
        counts = residual_migration(data["population"][span], data["mx"][span], data["asfr"][span],
                                    data["srb"][span])
        params = None
    else:
        n_mig = n_rates
        fit = slice(i0, i0 + min(n_rates, len(years) - 1 - i0) + 1)  # residuals of the case's years
        residual = residual_migration(data["population"][fit], data["mx"][fit], data["asfr"][fit],
                                      data["srb"][fit])
        pattern, params = fitted_pattern(residual)
        counts = model_migration(data["net_migration"][rates], pattern)
    return {"base_population": data["population"][i0], "years_rates": years[rates], "mx": data["mx"][rates],
            "asfr": data["asfr"][rates], "srb": data["srb"][rates], "years_migration": years[i0:i0 + n_mig],
            "migration": counts, "last_years": ends, "migration_parameters": params}


def last_years(data: dict, migration: str) -> dict:
    """The last year of each component in the files (the residual migrants
    need the next year's population: one year less)."""
    last = int(data["years"][-1])
    return {"mortality": last, "fertility": last, "migration": last - (migration == "residual")}
