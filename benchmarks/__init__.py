"""asv benchmarks of the engine: seeded data generators and shared helpers.

Every generator draws from ``numpy.random.default_rng(SEED)`` so that each
benchmark process times exactly the same numbers. Inputs are realistic in
shape and magnitude: a population of about 30 million with a young age
structure, mortality moved by the Brass logit model around e_0 ~ 70 years,
total fertility ~ 2.5 births per woman and a modest net emigration, every
one of them varying by scenario as in a stochastic run.

``ASV_SKIP_SLOW=1`` skips the slowest parameter combinations (see
``_skip_slow``), for a quick local check.
"""

from __future__ import annotations

import os

# Pin BLAS/OpenMP pools to one thread before numpy is imported, so results do
# not depend on how asv was started (``asv.conf.json`` also sets these for the
# environments it builds, but an ``existing`` environment ignores its matrix).
# NUMBA_NUM_THREADS is deliberately left alone: the numba kernels run
# ``prange`` over scenarios on every core and that is what we measure. Numba's
# OpenMP layer sets its own thread count, so OMP_NUM_THREADS=1 does not reach it.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

SEED = 20250101
AGES = np.arange(101)
SEXES = ["female", "male"]
BASE_YEAR = 2025
TOTAL_POPULATION = 30e6

# Heligman-Pollard standard tables, as in assumptions/demoland.yaml.
HP_FEMALE = dict(A=0.00142, B=0.0350, C=0.1344, D=0.00041, E=10.79, F=24.78, G=0.0000211, H=1.1103)
HP_MALE = dict(A=0.00160, B=0.00112, C=0.1112, D=0.00163, E=16.71, F=20.03, G=0.0000502, H=1.1074)


def _skip_slow():
    """Skip the calling benchmark when ``ASV_SKIP_SLOW=1`` (call it in ``setup``).

    asv reports a benchmark whose setup raises NotImplementedError as skipped.
    """
    if os.environ.get("ASV_SKIP_SLOW", "0") == "1":
        raise NotImplementedError("skipped: ASV_SKIP_SLOW=1")


def rng(offset: int = 0) -> np.random.Generator:
    """The seeded generator of the suite (``offset`` gives independent streams)."""
    return np.random.default_rng([SEED, offset])


def calendar_years(n_years: int) -> np.ndarray:
    return BASE_YEAR + np.arange(n_years)


# -- ingredients --------------------------------------------------------------------

def standard_mx() -> np.ndarray:
    """Standard m_x (sex, age) for the Brass model: Heligman-Pollard, e_0 ~ 70."""
    from actuarial.demography.laws import heligman_pollard
    from actuarial.demography.lifetable import qx_to_mx

    return np.array([qx_to_mx(heligman_pollard(**HP_FEMALE), True),
                     qx_to_mx(heligman_pollard(**HP_MALE), False)])


def e0_targets(n_scenarios: int, n_years: int) -> np.ndarray:
    """e_0 targets (scenario, year, sex) around 72 (women) / 67.5 (men) in the base year.

    A common improvement of ~2 years a decade slowing down, plus per-scenario
    noise: a level shift and a random walk, the male gap varying a little.
    """
    g = rng(1)
    t = np.arange(n_years)
    trend = 72.0 + 14.0 * (1.0 - np.exp(-t / 60.0))
    level = g.normal(0.0, 1.0, (n_scenarios, 1))
    walk = np.cumsum(g.normal(0.0, 0.25, (n_scenarios, n_years)), axis=1)
    female = np.clip(trend + level + walk, 45.0, 95.0)
    gap = 4.5 + g.normal(0.0, 0.3, (n_scenarios, 1))
    return np.stack([female, female - gap], axis=-1)


def mx_array(n_scenarios: int, n_years: int) -> np.ndarray:
    """m_x (scenario, year, sex, age) from the Brass logit model (one allocation)."""
    from actuarial.demography.mortality import brass_mx

    return brass_mx(standard_mx(), e0_targets(n_scenarios, n_years))


def asfr_array(n_scenarios: int, n_years: int) -> np.ndarray:
    """Age-specific fertility (scenario, year, age): Hadwiger pattern, TFR ~ 2.5.

    Each scenario has its own TFR level (sd 0.3) and an AR(1) deviation.
    """
    from actuarial.demography.laws import hadwiger

    g = rng(2)
    pattern = hadwiger(H=3.2, T=28.0)
    level = 2.5 + g.normal(0.0, 0.3, (n_scenarios, 1))
    eps = g.normal(0.0, 0.05, (n_scenarios, n_years))
    dev = np.empty_like(eps)
    dev[:, 0] = 0.0
    for t in range(1, n_years):
        dev[:, t] = 0.95 * dev[:, t - 1] + eps[:, t]
    tfr = np.clip(level + dev, 1.0, 5.0)
    return tfr[:, :, None] * pattern


def srb_array(n_scenarios: int, n_years: int) -> np.ndarray:
    """Sex ratio at birth (scenario, year), males per female, ~1.05."""
    return 1.05 + rng(3).normal(0.0, 0.005, (n_scenarios, n_years))


def migration_array(n_scenarios: int, n_years: int) -> np.ndarray:
    """Net migrants (scenario, year, sex, age): ~30,000 emigrants a year fading out.

    Totals vary by scenario and year (sd 10,000); Rogers-Castro age pattern,
    half of the migrants women.
    """
    from actuarial.demography.laws import rogers_castro

    g = rng(4)
    pattern = 0.5 * rogers_castro(a1=0.02, alpha1=0.1, a2=0.06, alpha2=0.11, mu2=20.0, lambda2=0.4, c=0.003)
    fade = np.clip(1.0 - np.arange(n_years) / 50.0, 0.0, 1.0)
    total = -30_000.0 * fade + g.normal(0.0, 10_000.0, (n_scenarios, n_years))
    out = np.empty((n_scenarios, n_years, 2, AGES.size))
    np.multiply(total[:, :, None, None], pattern, out=out)  # no temporary of the full size
    return out


def base_population_array() -> np.ndarray:
    """Population (sex, age) on 1 January of the base year: ~30 million.

    A stable population of the standard life table growing at 2% a year,
    with 105 boys born per 100 girls.
    """
    from actuarial.demography.lifetable import life_table

    lt = life_table(xr.DataArray(standard_mx(), dims=("sex", "age"), coords={"sex": SEXES}), radix=1.0)
    stable = lt["Lx"].values * np.exp(-0.02 * AGES) * np.array([[1.0], [1.05]])
    return TOTAL_POPULATION * stable / stable.sum()


# -- projection inputs --------------------------------------------------------------

def projection_inputs(n_scenarios: int, n_years: int) -> dict[str, xr.DataArray]:
    """Keyword arguments of ``project_population`` as labelled arrays.

    ``base_population`` (sex, age) is shared; ``mx`` (scenario, year, sex,
    age), ``asfr`` (scenario, year, age), ``srb`` (scenario, year) and
    ``net_migration`` (scenario, year, sex, age) vary by scenario.
    """
    y = calendar_years(n_years)
    c_sa = {"sex": SEXES, "age": AGES}
    c_s = {"scenario": np.arange(n_scenarios), "year": y}
    return {
        "base_population": xr.DataArray(base_population_array(), dims=("sex", "age"), coords=c_sa),
        "mx": xr.DataArray(mx_array(n_scenarios, n_years), dims=("scenario", "year", "sex", "age"),
                           coords={**c_s, **c_sa}),
        "asfr": xr.DataArray(asfr_array(n_scenarios, n_years), dims=("scenario", "year", "age"),
                             coords={**c_s, "age": AGES}),
        "srb": xr.DataArray(srb_array(n_scenarios, n_years), dims=("scenario", "year"), coords=c_s),
        "net_migration": xr.DataArray(migration_array(n_scenarios, n_years),
                                      dims=("scenario", "year", "sex", "age"), coords={**c_s, **c_sa}),
    }


def kernel_inputs(n_scenarios: int, n_years: int) -> tuple[np.ndarray, ...]:
    """Positional array arguments of ``_kernels.project`` / ``project_reference``.

    ``(pop0 (1, 2, A), S (s, T, 2, A), asfr (s, T, A), srb (s, T), mig (s, T, 2, A))``,
    C-contiguous float64; the survival ratios come from ``lifetable.survival``
    and m_x is dropped once they are computed.
    """
    from actuarial.demography.lifetable import survival

    y = calendar_years(n_years)
    mx = xr.DataArray(mx_array(n_scenarios, n_years), dims=("scenario", "year", "sex", "age"),
                      coords={"year": y, "sex": SEXES, "age": AGES})
    S = survival(mx)[0].values
    del mx

    def c(a):
        return np.ascontiguousarray(a, dtype=np.float64)

    return (c(base_population_array()[None]), c(S), c(asfr_array(n_scenarios, n_years)),
            c(srb_array(n_scenarios, n_years)), c(migration_array(n_scenarios, n_years)))


def empty_outputs(n_scenarios: int, n_years: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Output arrays of ``_kernels.project``: pop, births, deaths."""
    return (np.empty((n_scenarios, n_years, 2, AGES.size)),
            np.empty((n_scenarios, n_years, 2)),
            np.empty((n_scenarios, n_years, 2, AGES.size)))


def one_thread_for_one_scenario(bench, scenarios: int) -> None:
    """Run numba on one thread when a benchmark has one scenario (call in ``setup``;
    :func:`restore_threads` in ``teardown``).

    The ``parallel=True`` kernels split their ``prange`` over scenarios: with one
    scenario a second thread has nothing to do, and timing it measures the wake-up
    of the thread pool on a busy machine, not the kernel (issue 17).
    """
    import numba

    bench._numba_threads = numba.get_num_threads()
    if scenarios == 1:
        numba.set_num_threads(1)


def restore_threads(bench) -> None:
    """Undo :func:`one_thread_for_one_scenario`."""
    if hasattr(bench, "_numba_threads"):
        import numba

        numba.set_num_threads(bench._numba_threads)
