"""Graduation of grouped demographic data to single ages.

Counts (population, deaths, net migrants) in 5-year age groups 0-4, 5-9, ...
with a last, open group (e.g. 100+), and death rates of abridged life
tables (ages 0, 1-4, 5-9, ..., open), become single-age values 0..100+,
the engine's age axis (:data:`N_AGES` = 101, the last age the open group
100+).

Methods (pure numpy; each states its source):

- :func:`sprague`: Sprague's fifth-difference osculatory interpolation,
  as the table of multipliers for subdividing 5-year groups into single
  years (Shryock & Siegel, *The Methods and Materials of Demography*, 1976,
  Table C-? "Sprague multipliers"; reprinted in Siegel & Swanson 2004,
  Appendix C, and documented in the UN's DemoTools, ``graduate_sprague``):
  five panels of 5x5 coefficients, the first two and last two panels at the
  ends of the age range, the middle panel for every other group, each
  single age a weighted sum of the group and its two neighbours on each side.
- :func:`beers`: Beers' (1945) ordinary six-term minimised-fifth-difference
  formula as subdivision multipliers (same sources, "Beers ordinary
  multipliers"; Beers, *Record of the American Institute of Actuaries* 34,
  1945). Beers modified (which smooths across groups and so does not keep
  group totals) is not offered.
- :func:`pclm`: the penalised composite link model (Rizzi, Gampe & Eilers
  2015, *American Journal of Epidemiology* 182(2):138-147): the grouped
  counts y_j are Poisson with means mu = C gamma, gamma_x = exp(eta_x) the
  latent single-age values, C the composition matrix (c_jx = 1 when age x
  is in group j); eta maximises the penalised log-likelihood
  l(eta) - lambda/2 |D2 eta|^2 (D2 the second-difference matrix), fitted
  by the penalised IRLS of the paper (their eq. 5-6). The smoothing
  parameter lambda minimises BIC = deviance + ln(n) ED (or AIC = deviance
  + 2 ED when asked), ED = trace((Q'WQ + lambda P)^-1 Q'WQ) the effective
  dimension, over log10 lambda in -2..7 by 0.5 then by 0.125. The open
  group spreads over ages up to ``last_age`` (default 110), the latent
  values at 100..last_age are summed into 100+.
- :func:`pclm_exact`: the PCLM of closed groups with nothing outside them
  (births by age of mother), then each group scaled to its own total (kept
  to rounding).
- :func:`pclm_rates`: death rates m_x from grouped deaths and exposures:
  deaths are Poisson with means sum_{x in j} E_x m_x, m_x = exp(eta_x)
  (Rizzi et al. 2015, section "rates"); when the exposures too are grouped
  they are first graduated by :func:`pclm`.
- :func:`complete_life_table`: an abridged life table (nMx at ages 0, 1,
  5, ..., open) to a complete one: exposures nLx of the abridged table
  (radix :data:`RADIX` = 10^7, a constant force within each group, a_0 by the engine's
  Coale-Demeny rule)
  with deaths nMx nLx, graduated by :func:`pclm_rates`; the complete life
  table is then the engine's (:func:`actuarial.demography.lifetable.life_table`).

Group totals: Sprague and Beers ordinary keep every group total exactly
(each panel's columns sum to 1 on the group's own column and 0 on the
others), the open group is carried over unchanged (its total enters the
last panels as one more 5-year group: :func:`osculatory`). PCLM keeps the grand
total (the penalty leaves the level free, so the Poisson score equations
make sum mu = sum y) but not each group's total exactly (it is a smooth
fit, within sampling error of each group).

Negative values: Sprague and Beers can give a negative single-age count
next to a small group (e.g. the oldest ages); :func:`check_nonnegative`
makes that an error (use ``pclm``, which is positive by construction).
"""

from __future__ import annotations

import numpy as np

N_AGES = 101
"""Engine ages 0..100, the last the open group 100+."""
WIDTH = 5
RADIX = 1.0e7
"""Radix of the pseudo-exposures nLx of an abridged life table given by its rates only (no sampling
error in them): with it the PCLM's BIC fits the groups closely (on Canada's WPP 2019 tables, m_x within
1.5% at every age, validation_cases/graduation); radix 10^5 would smooth ages 1-19 by up to 47%."""
METHODS = ("sprague", "beers", "pclm")
LOG10_LAMBDA = (-2.0, 7.0)
"""Range of log10 lambda scanned by the PCLM."""
METHOD_TEXT = {
    "sprague": "Sprague fifth-difference osculatory multipliers (Shryock & Siegel 1976)",
    "beers": "Beers (1945) ordinary six-term multipliers (Shryock & Siegel 1976)",
    "pclm": "penalised composite link model, lambda by BIC (Rizzi, Gampe & Eilers 2015)",
}

# Sprague multipliers (Shryock & Siegel 1976; Siegel & Swanson 2004, Appendix C).
# Rows: the 5 single ages of the group being split; columns: groups N1..N5.
# First panel: the first group, from N1..N5; second panel: the second group, from N1..N5;
# middle panel: group i from N(i-2)..N(i+2). The last two panels are the first two reversed.
SPRAGUE_FIRST = np.array([
    [0.3616, -0.2768, 0.1488, -0.0336, 0.0000],
    [0.2640, -0.0960, 0.0400, -0.0080, 0.0000],
    [0.1840, 0.0400, -0.0320, 0.0080, 0.0000],
    [0.1200, 0.1360, -0.0720, 0.0160, 0.0000],
    [0.0704, 0.1968, -0.0848, 0.0176, 0.0000],
])
SPRAGUE_SECOND = np.array([
    [0.0336, 0.2272, -0.0752, 0.0144, 0.0000],
    [0.0080, 0.2320, -0.0480, 0.0080, 0.0000],
    [-0.0080, 0.2160, -0.0080, 0.0000, 0.0000],
    [-0.0160, 0.1840, 0.0400, -0.0080, 0.0000],
    [-0.0176, 0.1408, 0.0912, -0.0144, 0.0000],
])
SPRAGUE_MIDDLE = np.array([
    [-0.0128, 0.0848, 0.1504, -0.0240, 0.0016],
    [-0.0016, 0.0144, 0.2224, -0.0416, 0.0064],
    [0.0064, -0.0336, 0.2544, -0.0336, 0.0064],
    [0.0064, -0.0416, 0.2224, 0.0144, -0.0016],
    [0.0016, -0.0240, 0.1504, 0.0848, -0.0128],
])

# Beers ordinary multipliers (Beers 1945; Shryock & Siegel 1976; Siegel & Swanson 2004, Appendix C).
BEERS_FIRST = np.array([
    [0.3333, -0.1636, -0.0210, 0.0796, -0.0283],
    [0.2595, -0.0780, 0.0130, 0.0100, -0.0045],
    [0.1924, 0.0064, 0.0184, -0.0256, 0.0084],
    [0.1329, 0.0844, 0.0054, -0.0356, 0.0129],
    [0.0819, 0.1508, -0.0158, -0.0284, 0.0115],
])
BEERS_SECOND = np.array([
    [0.0404, 0.2000, -0.0344, -0.0128, 0.0068],
    [0.0093, 0.2268, -0.0402, 0.0028, 0.0013],
    [-0.0108, 0.2272, -0.0248, 0.0112, -0.0028],
    [-0.0198, 0.1992, 0.0172, 0.0072, -0.0038],
    [-0.0191, 0.1468, 0.0822, -0.0084, -0.0015],
])
BEERS_MIDDLE = np.array([
    [-0.0117, 0.0804, 0.1570, -0.0284, 0.0027],
    [-0.0020, 0.0160, 0.2200, -0.0400, 0.0060],
    [0.0050, -0.0280, 0.2460, -0.0280, 0.0050],
    [0.0060, -0.0400, 0.2200, 0.0160, -0.0020],
    [0.0027, -0.0284, 0.1570, 0.0804, -0.0117],
])
PANELS = {"sprague": (SPRAGUE_FIRST, SPRAGUE_SECOND, SPRAGUE_MIDDLE),
          "beers": (BEERS_FIRST, BEERS_SECOND, BEERS_MIDDLE)}


# -- osculatory multipliers ----------------------------------------------------------------

def multiplier_matrix(n_groups: int, method: str = "sprague") -> np.ndarray:
    """The (5 n, n) matrix M of single-age values M @ groups for ``n_groups``
    closed 5-year groups (n >= 5): rows 5i..5i+4 are the first panel for
    group 0, the second for group 1, the middle panel (groups i-2..i+2) for
    groups 2..n-3, and the second and first panels reversed (rows and
    columns) for groups n-2 and n-1 (Shryock & Siegel 1976)."""
    if n_groups < 5:
        raise ValueError(f"{method} needs at least 5 closed 5-year groups, got {n_groups}")
    first, second, middle = PANELS[method]
    m = np.zeros((WIDTH * n_groups, n_groups))
    m[0:5, 0:5] = first
    m[5:10, 0:5] = second
    for i in range(2, n_groups - 2):
        m[5 * i:5 * i + 5, i - 2:i + 3] = middle
    m[5 * (n_groups - 2):5 * (n_groups - 1), n_groups - 5:] = second[::-1, ::-1]
    m[5 * (n_groups - 1):, n_groups - 5:] = first[::-1, ::-1]
    return m


def osculatory(groups, method: str = "sprague") -> np.ndarray:
    """Single-age values 0..(5 n - 1) and the open group, from ``groups``:
    n closed 5-year groups 0-4, ..., then the open group (the last value).

    Convention at the top (as the UN's DemoTools ``graduate_sprague`` with an
    open age group): the open group's total enters the multipliers as if it
    were one more 5-year group, so that the last closed groups are split with
    the decline the open group shows; its own five rows are dropped and the
    open group is carried over unchanged. Every closed group total is kept
    exactly (each panel's columns sum to 1 on the group split, 0 elsewhere)."""
    groups = np.asarray(groups, dtype=float)
    single = multiplier_matrix(groups.size, method) @ groups
    return np.append(single[:-WIDTH], groups[-1])


def sprague(groups) -> np.ndarray:
    """Sprague fifth-difference osculatory subdivision (:func:`osculatory`)."""
    return osculatory(groups, "sprague")


def beers(groups) -> np.ndarray:
    """Beers (1945) ordinary subdivision (:func:`osculatory`)."""
    return osculatory(groups, "beers")


# -- penalised composite link model --------------------------------------------------------

def composition(starts, last_age: int, weights=None) -> np.ndarray:
    """The composition matrix C (groups x single ages starts[0]..last_age):
    c_jx = 1 (or ``weights[x - starts[0]]``) when age x is in group j =
    [starts[j], starts[j+1]), the last group open to ``last_age``."""
    starts = np.asarray(starts, dtype=int)
    ages = np.arange(starts[0], last_age + 1)
    ends = np.append(starts[1:], last_age + 1)
    c = ((ages >= starts[:, None]) & (ages < ends[:, None])).astype(float)
    return c if weights is None else c * np.asarray(weights, dtype=float)


def _pclm_fit(y, c, lam, eta=None, tol=1e-7, iterations=100):
    """Penalised IRLS of Rizzi, Gampe & Eilers (2015): returns (eta,
    deviance, effective dimension) for one lambda, or None when the
    iterations do not converge (then lambda is not a candidate). With
    gamma = exp(eta), mu = C gamma, Q = C diag(gamma), W = diag(1/mu):
    (Q'WQ + lambda D'D) eta_new = Q'W (y - mu + Q eta); steps are capped at
    1 in eta (damping, for the far starts of a scan)."""
    m = c.shape[1]
    d = np.diff(np.eye(m), n=2, axis=0)
    p = lam * d.T @ d
    if eta is None:
        eta = np.full(m, np.log(max(y.sum(), 1e-300) / max(c.sum(), 1e-300)))
    with np.errstate(all="ignore"):
        for _ in range(iterations):
            gamma = np.exp(eta)
            mu = c @ gamma
            q = c * gamma
            w = 1.0 / mu
            try:
                new = np.linalg.solve(q.T @ (q * w[:, None]) + p, q.T @ (w * (y - mu + q @ eta)))
            except np.linalg.LinAlgError:
                return None
            if not np.all(np.isfinite(new)):
                return None
            step = new - eta
            eta = eta + np.clip(step, -1.0, 1.0)
            if np.max(np.abs(step)) < tol:
                break
        else:
            return None
        gamma = np.exp(eta)
        mu = c @ gamma
        q = c * gamma
        qwq = q.T @ (q / mu[:, None])
        ed = np.trace(np.linalg.solve(qwq + p, qwq))
        dev = 2.0 * np.sum(np.where(y > 0, y * np.log(y / mu), 0.0) - (y - mu))
    return eta, dev, ed


def _criterion(dev, ed, n, criterion):
    return dev + (np.log(n) if criterion == "bic" else 2.0) * ed


def pclm_latent(y, c, criterion: str = "bic") -> tuple[np.ndarray, float]:
    """The latent single-age values gamma = exp(eta) and the chosen lambda:
    lambda minimises ``criterion`` (``bic`` or ``aic``) over log10 lambda in
    :data:`LOG10_LAMBDA` by 0.5, then by 0.125 around the best (a lambda
    whose iterations do not converge is no candidate)."""
    y = np.asarray(y, dtype=float)
    if criterion not in ("bic", "aic"):
        raise ValueError(f"criterion must be bic or aic, got {criterion!r}")

    def scan(grid, eta):
        best = None
        for lg in grid:
            fit = _pclm_fit(y, c, 10.0 ** lg, eta)
            if fit is None:
                continue
            eta = fit[0]
            score = _criterion(fit[1], fit[2], y.size, criterion)
            if best is None or score < best[0]:
                best = (score, lg, eta.copy())
        return best

    best = scan(np.arange(LOG10_LAMBDA[1], LOG10_LAMBDA[0] - 1e-9, -0.5), None)  # smooth to rough
    if best is None:
        raise ValueError("the PCLM iterations do not converge for any smoothing parameter")
    _, lg, eta = scan(np.arange(best[1] + 0.375, best[1] - 0.376, -0.125), best[2])
    return np.exp(eta), 10.0 ** lg


def to_engine_ages(single, weights=None, first_age: int = 0) -> np.ndarray:
    """Single ages first_age..last (last >= 100) to the engine's 0..99 and
    100+ (NaN below ``first_age``): the values at 100.. are summed (or, with
    ``weights``, averaged with those weights, for rates)."""
    single = np.concatenate([np.full(first_age, np.nan), np.asarray(single, dtype=float)])
    out = np.empty(N_AGES)
    out[:100] = single[:100]
    if weights is None:
        out[100] = single[100:].sum()
    else:
        w = np.concatenate([np.full(first_age, np.nan), np.asarray(weights, dtype=float)])[100:]
        out[100] = np.sum(single[100:] * w) / w.sum()
    return out


def group_starts(n_groups: int, abridged: bool = False) -> np.ndarray:
    """Lower ages of 5-year groups 0, 5, ... (``abridged``: 0, 1, 5, 10, ...)."""
    if abridged:
        return np.array([0, 1, *range(5, 5 * (n_groups - 1), 5)])
    return np.arange(0, 5 * n_groups, 5)


def pclm(groups, starts=None, last_age: int = 110, criterion: str = "bic") -> np.ndarray:
    """Single-age counts 0..99 and 100+ from grouped counts ``groups``
    (lower ages ``starts``, default 0, 5, ...; the last group open, spread
    to ``last_age``) by the PCLM (module docstring)."""
    groups = np.asarray(groups, dtype=float)
    starts = group_starts(groups.size) if starts is None else np.asarray(starts)
    if groups.sum() <= 0:
        return np.zeros(N_AGES)
    gamma, _ = pclm_latent(groups, composition(starts, last_age), criterion)
    return to_engine_ages(gamma)


def pclm_rates(deaths, exposure, starts=None, last_age: int = 110, criterion: str = "bic") -> np.ndarray:
    """Single-age death rates m_x, 0..99 and 100+, from grouped ``deaths`` and
    ``exposure`` (person-years) by the PCLM with exposures as offsets:
    E(D_j) = sum_{x in j} E_x m_x (Rizzi et al. 2015). ``exposure`` is grouped
    like the deaths (then graduated first by :func:`pclm` over
    starts[0]..``last_age``) or given by single age starts[0]..``last_age``. The
    rate of 100+ is the exposure-weighted mean of m_x over 100..``last_age``;
    ages below starts[0] are NaN."""
    deaths = np.asarray(deaths, dtype=float)
    exposure = np.asarray(exposure, dtype=float)
    starts = group_starts(deaths.size) if starts is None else np.asarray(starts)
    c1 = composition(starts, last_age)
    if exposure.size == deaths.size:
        e_single, _ = pclm_latent(exposure, c1, criterion)
    elif exposure.size == c1.shape[1]:
        e_single = exposure
    else:
        raise ValueError(f"exposure: expected {deaths.size} groups or {c1.shape[1]} single ages")
    m, _ = pclm_latent(deaths, composition(starts, last_age, e_single), criterion)
    return to_engine_ages(m, e_single, int(starts[0]))


def pclm_exact(groups, starts, ends) -> np.ndarray:
    """Single-age values of ages starts[0]..ends[-1]-1 from the counts
    ``groups`` of the contiguous closed groups [starts_j, ends_j), none
    outside them (e.g. births by age of mother, fertility rates times the
    group width): the PCLM (:func:`pclm_latent`) over those ages only, the
    counts taken out of :data:`RADIX` in all (exact data, no sampling error:
    the BIC then follows the groups closely), then every single age of group
    j scaled by groups_j over the group's fitted sum, so that each group total
    is kept to rounding (the factors within about 1e-3 of 1). No zero groups
    are padded outside: a zero group pulls the log-scale curve towards minus
    infinity, which the second-difference penalty answers by waves inside
    (on a bell curve grouped 15-19 .. 45-49: errors of 40% with padding, 4%
    at ages 20-44 without); for the same reason zero groups at either end
    are left out of the fit (zero). A zero group inside stays zero."""
    groups = np.asarray(groups, dtype=float)
    starts, ends = np.asarray(starts, dtype=int), np.asarray(ends, dtype=int)
    out = np.zeros(ends[-1] - starts[0])
    positive = np.flatnonzero(groups > 0)
    if positive.size == 0:
        return out
    j, k = positive[0], positive[-1] + 1  # zero groups at either end: left out, zero
    fit_groups, fit_starts, fit_ends = groups[j:k], starts[j:k], ends[j:k]
    gamma, _ = pclm_latent(fit_groups * (RADIX / fit_groups.sum()), composition(fit_starts, fit_ends[-1] - 1))
    index = np.repeat(np.arange(fit_groups.size), fit_ends - fit_starts)
    fitted = np.bincount(index, weights=gamma, minlength=fit_groups.size)
    out[fit_starts[0] - starts[0]:fit_ends[-1] - starts[0]] = gamma * (fit_groups / fitted)[index]
    return out


# -- abridged life tables -------------------------------------------------------------------

def abridged_exposure(nmx, starts, female: bool = True) -> np.ndarray:
    """Person-years nLx of an abridged life table from nMx (radix :data:`RADIX`):
    age 0 (when a single age) by the engine's rule, q_0 = m / (1 + (1 - a_0) m)
    with a_0 Coale-Demeny (female 0.05 + 3 q_0, male 0.0425 + 2.875 q_0;
    0.35/0.33 when q_0 >= 0.1) and L_0 = l_1 + a_0 d_0; other groups at a
    constant force m within the group, l_{x+n} = l_x exp(-n m) and
    nLx = (l_x - l_{x+n}) / m (so nqx < 1 for any m; Preston, Heuveline &
    Guillot 2001, ch. 3); the open group L = l / m."""
    nmx = np.asarray(nmx, dtype=float)
    widths = np.diff(np.asarray(starts, dtype=float))
    lx, out = RADIX, np.empty(nmx.size)
    for j, n in enumerate(widths):
        m = nmx[j]
        if starts[j] == 0 and n == 1:
            a = _a0(m, female)
            d = lx * m / (1.0 + (1.0 - a) * m)
            out[j] = lx - d + a * d
        else:
            d = lx * -np.expm1(-n * m)
            out[j] = d / m if m > 0 else n * lx
        lx -= d
    out[-1] = lx / nmx[-1] if nmx[-1] > 0 else 0.0
    return out


def _a0(m0: float, female: bool) -> float:
    """a_0 from q_0 (Coale-Demeny West, as the engine), solved as a fixed point."""
    a = 0.1
    for _ in range(50):
        q0 = m0 / (1.0 + (1.0 - a) * m0)
        if q0 >= 0.1:
            a = 0.35 if female else 0.33
        else:
            a = 0.05 + 3.0 * q0 if female else 0.0425 + 2.875 * q0
    return a


def complete_mx(nmx, starts=None, female: bool = True, criterion: str = "bic") -> np.ndarray:
    """Single-age m_x 0..99 and 100+ of an abridged life table (nMx at lower
    ages ``starts``, default 0, 1, 5, 10, ...; the last open): deaths
    nMx nLx over the exposures nLx of the abridged table (:func:`abridged_exposure`,
    radix :data:`RADIX`) graduated by :func:`pclm_rates` from age 1 on; m_0 is the
    table's own (age 0 is a single age, and the fall of mortality from age 0
    to 1 is no smooth curve), and so is m_100+ when the open group is 100+."""
    nmx = np.asarray(nmx, dtype=float)
    starts = group_starts(nmx.size, abridged=True) if starts is None else np.asarray(starts)
    exposure = abridged_exposure(nmx, starts, female)
    if starts[0] == 0 and starts[1] == 1:
        out = pclm_rates(nmx[1:] * exposure[1:], exposure[1:], starts[1:], criterion=criterion)
        out[0] = nmx[0]
    else:
        out = pclm_rates(nmx * exposure, exposure, starts, criterion=criterion)
    if starts[-1] == N_AGES - 1:
        out[-1] = nmx[-1]  # the open group 100+ keeps its own rate
    return out


def complete_life_table(nmx, starts=None, criterion: str = "bic", open_group: str = "un"):
    """The engine's complete life table (an xarray Dataset of mx, qx, lx, dx,
    Lx, Tx, ex by sex and age 0..100+) from abridged nMx by sex (a mapping
    ``{"female": nMx, "male": nMx}``), by :func:`complete_mx` and
    :func:`actuarial.demography.lifetable.life_table`."""
    import xarray as xr

    from actuarial.demography.lifetable import life_table

    sexes = ("female", "male")
    mx = np.stack([complete_mx(nmx[s], starts, s == "female", criterion) for s in sexes])
    da = xr.DataArray(mx, dims=("sex", "age"), coords={"sex": list(sexes), "age": np.arange(N_AGES)})
    return life_table(da, open_group=open_group)


# -- one entry point for the assumption reader ----------------------------------------------

def check_nonnegative(single, method: str) -> None:
    """A negative graduated value is an error (ValueError naming the age)."""
    bad = np.flatnonzero(np.asarray(single) < 0)
    if bad.size:
        raise ValueError(f"{method} graduation gives a negative value ({single[bad[0]]:.6g}) at age "
                         f"{int(bad[0])}{'+' if bad[0] == N_AGES - 1 else ''}; use graduation: pclm "
                         "(positive by construction) or check the groups")


def graduate_counts(groups, method: str) -> np.ndarray:
    """Counts in 5-year groups 0-4, ..., the last open, to ages 0..99 and 100+.

    ``sprague``/``beers`` need the open group at 100+ (21 groups); ``pclm``
    takes any open group from 5+ (it spreads it to age 110)."""
    groups = np.asarray(groups, dtype=float)
    if method == "pclm":
        return pclm(groups)
    if groups.size != 21:
        raise ValueError(f"{method} needs 21 groups 0-4, ..., 95-99, 100+ (got {groups.size}, open "
                         f"group {5 * (groups.size - 1)}+); for an earlier open group use graduation: pclm")
    single = osculatory(groups, method)
    check_nonnegative(single, method)
    return single


def graduate_signed(groups, method: str) -> np.ndarray:
    """Counts of any sign (net migrants) in 5-year groups to single ages by
    ``sprague`` or ``beers`` (PCLM needs counts >= 0)."""
    groups = np.asarray(groups, dtype=float)
    if method == "pclm":
        raise ValueError("pclm needs counts >= 0; net migrant counts are graduated with sprague or beers")
    if groups.size != 21:
        raise ValueError(f"{method} needs 21 groups 0-4, ..., 95-99, 100+ (got {groups.size})")
    return osculatory(groups, method)


def graduate_rates(nmx, female: bool) -> np.ndarray:
    """Abridged nMx (0, 1-4, 5-9, ..., the last open) to single-age m_x
    0..100+: always by the PCLM (:func:`complete_mx`); the osculatory
    multipliers split counts, not rates (deaths of 0-4 are dominated by
    age 0, which they cannot follow)."""
    nmx = np.asarray(nmx, dtype=float)
    if nmx.size < 4:
        raise ValueError(f"expected abridged groups 0, 1-4, 5-9, ..., open (got {nmx.size} values)")
    return complete_mx(nmx, female=female)


__all__ = ["METHODS", "METHOD_TEXT", "beers", "complete_life_table", "complete_mx", "graduate_counts",
           "graduate_rates", "graduate_signed", "multiplier_matrix", "osculatory", "pclm", "pclm_exact", "pclm_rates",
           "sprague"]
