"""Numba kernels of the demography stage: plain loops over float64 arrays.

Conventions (UN World Population Prospects, see ``lifetable.py``):
a_x = 1/2 at ages 1..99, a_0 by the Coale-Demeny rule solved as a fixed
point. The open group 100+ is closed by ``rule``: OPEN_UN, the UN's
L_100 = l_100 / m_100; OPEN_GOMPERTZ, a Gompertz law fitted to ages 80-99
continued to age 130 (``gompertz_tail``).

Arrays with a leading scenario axis may have length 1 there: the kernels
then use that one row for every scenario (broadcasting without copies).
"""

from __future__ import annotations

import os

import numpy as np
from numba import njit, prange

# ACTUARIAL_NOJIT=1 runs the kernels as plain Python (debugging, coverage).
if os.environ.get("ACTUARIAL_NOJIT") == "1":  # pragma: no cover
    def njit(*args, **kwargs):  # noqa: F811
        return (lambda f: f) if not args or not callable(args[0]) else args[0]

    prange = range  # noqa: F811

A0_MAX_ITER = 100
OPEN_UN, OPEN_GOMPERTZ = 0, 1
FIT_AGES = 20  # ages 80..99 of a 0..100+ table
LAST_AGE = 130  # the Gompertz extension runs to 130, then a constant force


@njit(cache=True)
def coale_demeny_a0(q0, female):
    """a_0 from q_0, Coale-Demeny West as used by the UN (WPP)."""
    if female:
        return 0.35 if q0 >= 0.1 else 0.05 + 3.0 * q0
    return 0.33 if q0 >= 0.1 else 0.0425 + 2.875 * q0


@njit(cache=True)
def a0_from_m0(m0, female):
    """Solve a_0 = CD(q_0), q_0 = m_0 / (1 + (1 - a_0) m_0) by fixed-point iteration."""
    a0 = 0.1
    for _ in range(A0_MAX_ITER):
        q0 = m0 / (1.0 + (1.0 - a0) * m0)
        new = coale_demeny_a0(q0, female)
        if abs(new - a0) < 1e-15:
            return new
        a0 = new
    return a0


@njit(cache=True)
def gompertz_tail(q, hi):
    """Gompertz law mu_x = exp(c + b x) fitted to q at ages hi - 19..hi.

    mu_x = -ln(1 - q_x) is the constant force over [x, x + 1); b is the
    least-squares slope of ln mu_x on x (floored at 0), and c puts the law
    through mu_hi (the hazard is continuous at the join). Returns
    (ok, c, b); ok is False when some q_x of the fit is not in (0, 1).
    """
    sx = 0.0
    sy = 0.0
    sxx = 0.0
    sxy = 0.0
    for k in range(FIT_AGES):
        x = hi - FIT_AGES + 1 + k
        if not (q[x] > 0.0 and q[x] < 1.0):
            return False, 0.0, 0.0
        y = np.log(-np.log1p(-q[x]))
        sx += x
        sy += y
        sxx += x * x
        sxy += x * y
    b = (FIT_AGES * sxy - sx * sy) / (FIT_AGES * sxx - sx * sx)
    if b < 0.0:
        b = 0.0
    return True, np.log(-np.log1p(-q[hi])) - b * hi, b


@njit(cache=True)
def gompertz_open_years(c, b, first, l_first):
    """Person-years lived above age ``first`` (survivors l_first) under the
    fitted law: q_x = 1 - exp(-exp(c + b x)), L_x = (l_x + l_{x+1}) / 2 to
    age LAST_AGE - 1, then l_LAST / mu_LAST (constant force beyond)."""
    T = 0.0
    lx = l_first
    for x in range(first, LAST_AGE):
        nxt = lx * np.exp(-np.exp(c + b * x))
        T += 0.5 * (lx + nxt)
        lx = nxt
    return T + lx / np.exp(c + b * LAST_AGE)


@njit(cache=True)
def _table(m, female, l, L, rule=OPEN_UN):
    """Fill l_x (radix 1) and L_x of one life table from m_x (length n);
    L_{n-1} is the open group's T_100 under ``rule`` (module docstring)."""
    n = m.shape[0]
    l[0] = 1.0
    for x in range(n - 1):
        a = a0_from_m0(m[0], female) if x == 0 else 0.5
        q = m[x] / (1.0 + (1.0 - a) * m[x])
        if q > 1.0:
            q = 1.0
        l[x + 1] = l[x] * (1.0 - q)
        L[x] = l[x + 1] + a * (l[x] - l[x + 1])
    L[n - 1] = l[n - 1] / m[n - 1]
    if rule == OPEN_GOMPERTZ and n > FIT_AGES + 1 and l[n - 1] > 0.0:
        qs = np.empty(n - 1)
        for x in range(n - 1):
            qs[x] = 1.0 - l[x + 1] / l[x] if l[x] > 0.0 else 1.0
        ok, c, b = gompertz_tail(qs, n - 2)
        if ok:
            L[n - 1] = gompertz_open_years(c, b, n - 1, l[n - 1])


# Fewer rows (tables, groups) than this run on the calling thread (the ``run_*``
# functions): a deterministic run's 202 tables are microseconds of work each, less
# than waking the thread pool, and its parallel kernels are then never compiled.
SERIAL_ROWS = 1024


@njit(cache=True)
def _columns_rows(lo, hi, mx, female, lx, Lx, Tx, rule):
    """Rows lo..hi-1 of :func:`life_table_columns`."""
    n = mx.shape[1]
    for i in range(lo, hi):
        _table(mx[i], female[i], lx[i], Lx[i], rule)
        Tx[i, n - 1] = Lx[i, n - 1]
        for x in range(n - 2, -1, -1):
            Tx[i, x] = Tx[i, x + 1] + Lx[i, x]


@njit(cache=True, parallel=True)
def life_table_columns(mx, female, lx, Lx, Tx, rule=OPEN_UN):
    """Full life tables for rows of ``mx`` (tables, ages); ``female`` per row."""
    for i in prange(mx.shape[0]):
        _columns_rows(i, i + 1, mx, female, lx, Lx, Tx, rule)


def run_life_table_columns(mx, female, lx, Lx, Tx, rule=OPEN_UN):
    """:func:`life_table_columns`, serial below ``SERIAL_ROWS`` tables (same bits)."""
    if mx.shape[0] < SERIAL_ROWS:
        _columns_rows(0, mx.shape[0], mx, female, lx, Lx, Tx, rule)
    else:
        life_table_columns(mx, female, lx, Lx, Tx, rule)


@njit(cache=True, parallel=True)
def survival_ratios(mx, female, S, ex, at_ages, rule=OPEN_UN):
    """Projection survival ratios and e_x at chosen ages, without full tables.

    S_0 = L_0 / l_0, S_x = L_x / L_{x-1} (x = 1..99),
    S_100 = T_100 / (L_99 + T_100), T_100 under ``rule``. Returns the number
    of tables with a negative or non-finite m_x, a non-positive m_100, or no
    survivors to age 99 (left uncomputed).
    """
    bad = 0
    for i in prange(mx.shape[0]):
        bad += _survival_rows(i, i + 1, mx, female, S, ex, at_ages, rule)
    return bad


@njit(cache=True, error_model="numpy")
def _survival_rows(lo, hi, mx, female, S, ex, at_ages, rule):
    """Rows lo..hi-1 of :func:`survival_ratios`; returns their number of bad tables.

    One pass per table with the arithmetic of :func:`_table` expression by
    expression (a_0 once, then a = 1/2; q_x of the Gompertz fit at its 20 ages
    only): S_x and the sums T at ``at_ages`` (each from its age upwards, the
    order of a separate loop) are formed as L_x comes, so the chains l_x and
    T overlap; the same bits as from the full columns (tests). ``error_model``
    numpy: no zero test before each division; a table whose survivors die out
    before age n - 2 (some q_x = 1, m_x >= 2 at ages 1..98) would divide 0 by 0
    in S_x and is counted bad instead (it raised ZeroDivisionError before).
    """
    n = mx.shape[1]
    K = at_ages.shape[0]
    bad = 0
    l = np.empty(n)
    L = np.empty(n)
    qs = np.empty(n - 1)
    T = np.empty(K)
    for i in range(lo, hi):
        m = mx[i]
        ok = m[n - 1] > 0.0
        for x in range(n):
            ok &= (m[x] >= 0.0) & (m[x] < np.inf)
        if not ok:
            bad += 1
            continue
        l[0] = 1.0
        a = a0_from_m0(m[0], female[i])
        q = m[0] / (1.0 + (1.0 - a) * m[0])
        if q > 1.0:
            q = 1.0
        l[1] = l[0] * (1.0 - q)
        L[0] = l[1] + a * (l[0] - l[1])
        for k in range(K):
            T[k] = L[0] if at_ages[k] == 0 else 0.0
        for x in range(1, n - 1):
            q = m[x] / (1.0 + (1.0 - 0.5) * m[x])
            if q > 1.0:
                q = 1.0
            l[x + 1] = l[x] * (1.0 - q)
            L[x] = l[x + 1] + 0.5 * (l[x] - l[x + 1])
            for k in range(K):
                if x >= at_ages[k]:
                    T[k] += L[x]
        if not l[n - 2] > 0.0:  # q_x = 1 below age n - 2: S_x = 0 / 0 further up
            bad += 1
            continue
        S[i, 0] = L[0]
        for x in range(1, n - 1):
            S[i, x] = L[x] / L[x - 1]
        L[n - 1] = l[n - 1] / m[n - 1]
        if rule == OPEN_GOMPERTZ and n > FIT_AGES + 1 and l[n - 1] > 0.0:
            for x in range(n - 1 - FIT_AGES, n - 1):  # the ages gompertz_tail reads
                qs[x] = 1.0 - l[x + 1] / l[x] if l[x] > 0.0 else 1.0
            fit, c, b = gompertz_tail(qs, n - 2)
            if fit:
                L[n - 1] = gompertz_open_years(c, b, n - 1, l[n - 1])
        S[i, n - 1] = L[n - 1] / (L[n - 2] + L[n - 1])
        for k in range(K):
            ex[i, k] = (T[k] + L[n - 1]) / l[at_ages[k]]
    return bad


def run_survival_ratios(mx, female, S, ex, at_ages, rule=OPEN_UN):
    """:func:`survival_ratios`, serial below ``SERIAL_ROWS`` tables (same bits)."""
    if mx.shape[0] < SERIAL_ROWS:
        return _survival_rows(0, mx.shape[0], mx, female, S, ex, at_ages, rule)
    return survival_ratios(mx, female, S, ex, at_ages, rule)


@njit(cache=True, parallel=True)
def death_probability_inplace(S):
    """Turn survival ratios (rows of S) into q_x = 1 - S_{x+1} in place;
    q_100 = 1 - S_100 (the open group survives with S_100)."""
    for i in prange(S.shape[0]):
        _death_probability_rows(i, i + 1, S)


@njit(cache=True)
def _death_probability_rows(lo, hi, S):
    """Rows lo..hi-1 of :func:`death_probability_inplace`."""
    n = S.shape[1]
    for i in range(lo, hi):
        for x in range(n - 1):
            S[i, x] = 1.0 - S[i, x + 1]
        S[i, n - 1] = 1.0 - S[i, n - 1]


def run_death_probability_inplace(S):
    """:func:`death_probability_inplace`, serial below ``SERIAL_ROWS`` rows."""
    if S.shape[0] < SERIAL_ROWS:
        _death_probability_rows(0, S.shape[0], S)
    else:
        death_probability_inplace(S)


@njit(cache=True)
def _brass_e0(k, wb, m100_ratio, female, l, rule=OPEN_UN):
    """l_x = 1 / (1 + k w_x^beta) into ``l``; returns e_0 and de_0 / d ln k.

    e_0 = l_1 + a_0 q_0 + sum_{x=1}^{99} (l_x + l_{x+1}) / 2 + l_100 / m_100,
    with m_100 = m_99 x (m^s_100 / m^s_99) (``rule`` OPEN_UN; OPEN_GOMPERTZ
    replaces l_100 / m_100 by T_100 on the law fitted to ages 80-99, with the
    same slope). The slope treats m_100 as fixed,
    which is all Newton needs (the solver is safeguarded).
    """
    n = wb.shape[0]
    l[0] = 1.0
    for x in range(1, n):
        l[x] = 1.0 / (1.0 + k * wb[x])
    q0 = 1.0 - l[1]
    a0 = coale_demeny_a0(q0, female)
    da0 = 0.0 if q0 >= 0.1 else (3.0 if female else 2.875)
    d1 = -l[1] * (1.0 - l[1])
    e0 = l[1] + a0 * q0
    slope = d1 * (1.0 - a0 - q0 * da0)
    for x in range(1, n - 1):
        e0 += 0.5 * (l[x] + l[x + 1])
        slope -= 0.5 * (l[x] * (1.0 - l[x]) + l[x + 1] * (1.0 - l[x + 1]))
    q99 = 1.0 - l[n - 1] / l[n - 2]
    m100 = q99 / (1.0 - 0.5 * q99) * m100_ratio
    slope -= l[n - 1] * (1.0 - l[n - 1]) / m100
    if rule == OPEN_GOMPERTZ and l[n - 1] > 0.0:  # T_100 on the fitted law (same slope)
        qs = np.empty(n - 1)
        for x in range(n - 1):
            qs[x] = 1.0 - l[x + 1] / l[x]
        ok, c, b = gompertz_tail(qs, n - 2)
        if ok:
            return e0 + gompertz_open_years(c, b, n - 1, l[n - 1]), slope
    return e0 + l[n - 1] / m100, slope


@njit(cache=True)
def _brass_mx(l, m100_ratio, female, m):
    """m_x of the Brass table with survivors ``l`` (same rules as ``_brass_e0``)."""
    n = l.shape[0]
    q0 = 1.0 - l[1]
    a0 = coale_demeny_a0(q0, female)
    m[0] = q0 / (1.0 - (1.0 - a0) * q0)
    for x in range(1, n - 1):
        q = 1.0 - l[x + 1] / l[x]
        m[x] = q / (1.0 - 0.5 * q)
    m[n - 1] = m[n - 2] * m100_ratio


@njit(cache=True, parallel=True, error_model="numpy")
def brass_logit(wb, m100_ratio, female, e0_target, mx_out, rule=OPEN_UN):
    """Solve the Brass logit level alpha of each table to hit its e_0 target.

    Y_x = alpha + beta Y^s_x with Y_x = 1/2 ln((1 - l_x) / l_x), so
    l_x = 1 / (1 + k w_x^beta), k = exp(2 alpha), w_x = (1 - l^s_x) / l^s_x.
    e_0 falls as ln k rises: Newton steps in ln k, safeguarded by bisection
    inside a bracket, started from the previous year's solution; 1e-10
    years tolerance. ``wb``, ``m100_ratio``: per sex (female, male);
    ``female`` (G,), ``e0_target`` (G, Y) paths of Y years, ``mx_out`` (G, Y, A);
    e_0 with the open group closed by ``rule``.
    """
    for gi in prange(e0_target.shape[0]):
        _brass_groups(gi, gi + 1, wb, m100_ratio, female, e0_target, mx_out, rule)


@njit(cache=True, error_model="numpy")
def _brass_groups(g_lo, g_hi, wb, m100_ratio, female, e0_target, mx_out, rule):
    """Groups g_lo..g_hi-1 of :func:`brass_logit`."""
    Y = e0_target.shape[1]
    n = wb.shape[1]
    for gi in range(g_lo, g_hi):
        s = 0 if female[gi] else 1
        l = np.empty(n)
        lnk = 0.0
        for y in range(Y):
            lo, hi = -40.0, 40.0  # bracket of ln k: e0(lo) > target > e0(hi)
            for _ in range(200):
                e0, slope = _brass_e0(np.exp(lnk), wb[s], m100_ratio[s], female[gi], l, rule)
                if not np.isfinite(e0):
                    e0 = 1e300
                diff = e0 - e0_target[gi, y]
                if abs(diff) < 1e-10:
                    break
                if diff > 0:
                    lo = lnk
                else:
                    hi = lnk
                step = lnk - diff / slope if slope < 0 else np.nan
                lnk = step if lo < step < hi else 0.5 * (lo + hi)
            _brass_mx(l, m100_ratio[s], female[gi], mx_out[gi, y])


def run_brass_logit(wb, m100_ratio, female, e0_target, mx_out, rule=OPEN_UN):
    """:func:`brass_logit`, serial below ``SERIAL_ROWS`` // 8 groups (each solves
    a path of years: ~8 tables' work a year)."""
    if e0_target.shape[0] < SERIAL_ROWS // 8:
        _brass_groups(0, e0_target.shape[0], wb, m100_ratio, female, e0_target, mx_out, rule)
    else:
        brass_logit(wb, m100_ratio, female, e0_target, mx_out, rule)


@njit(cache=True)
def _add(stock, migrants, cap):
    """Migrants realised on a stock: all of them, or with ``cap`` no more
    emigrants than the persons present, max(m, -max(stock, 0))."""
    if cap and migrants < 0.0:
        present = stock if stock > 0.0 else 0.0
        if migrants < -present:
            return -present
    return migrants


@njit(cache=True)
def _project_one(s, pop0, S, asfr, srb, mig, timing, step, cap, pop, births, deaths, realised, record):
    """Scenario ``s`` of ``project`` / ``project_capped`` (see there)."""
    N, T, _, A = pop.shape
    start_frac = 0.5 if timing == 1 else 0.0
    p0 = s if pop0.shape[0] > 1 else 0
    ps = s if S.shape[0] > 1 else 0
    pf = s if asfr.shape[0] > 1 else 0
    pb = s if srb.shape[0] > 1 else 0
    pm = s if mig.shape[0] > 1 else 0
    start = np.empty((2, A))
    new = np.empty((2, A))
    moved = np.zeros((2, A))  # migrants realised in the step
    late = np.empty((2, A))  # migrants arriving at the end of the step
    for g in range(2):
        for x in range(A):
            pop[s, 0, g, x] = pop0[p0, g, x]
    for t in range(T):
        for g in range(2):
            for x in range(A):
                early = _add(pop[s, t, g, x], start_frac * mig[pm, t, g, x], cap)
                moved[g, x] = early
                start[g, x] = pop[s, t, g, x] + early
            for x in range(1, A - 1):
                new[g, x] = start[g, x - 1] * S[ps, t, g, x]
                deaths[s, t, g, x] = start[g, x - 1] - new[g, x]
            last = start[g, A - 2] + start[g, A - 1]
            new[g, A - 1] = last * S[ps, t, g, A - 1]
            deaths[s, t, g, A - 1] = last - new[g, A - 1]
        new[0, 0] = 0.0  # women born in the step bear no children in it
        for g in range(2):
            for x in range(1, A):
                late[g, x] = _add(new[g, x], (1.0 - start_frac) * mig[pm, t, g, x], cap)
        late[0, 0] = (1.0 - start_frac) * mig[pm, t, 0, 0]  # exposure only: F_0 = 0 in any schedule
        b = 0.0
        for x in range(A):
            end = new[0, x]
            if timing == 1:
                end += late[0, x]
            b += asfr[pf, t, x] * (start[0, x] + end)
        b *= 0.5 * step
        bf = b / (1.0 + srb[pb, t])
        births[s, t, 0] = bf
        births[s, t, 1] = b - bf
        for g in range(2):
            new[g, 0] = births[s, t, g] * S[ps, t, g, 0]
            deaths[s, t, g, 0] = births[s, t, g] - new[g, 0]
            late[g, 0] = _add(new[g, 0], (1.0 - start_frac) * mig[pm, t, g, 0], cap)
        for g in range(2):
            for x in range(A):
                if t + 1 < T:
                    pop[s, t + 1, g, x] = new[g, x] + late[g, x]
                if record:
                    realised[s, t, g, x] = moved[g, x] + late[g, x]


@njit(cache=True, parallel=True)
def project(pop0, S, asfr, srb, mig, timing, step, pop, births, deaths):
    """Cohort-component projection, parallel over scenarios.

    Shapes: pop0 (s, 2, A); S (s, T, 2, A); asfr (s, T, A) female only;
    srb (s, T); mig (s, T, 2, A) net migrants during year t; outputs pop
    (N, T, 2, A), births (N, T, 2), deaths (N, T, 2, A). Sex 0 is female.
    Step t takes the population of 1 January of year t to that of t+1:
      P'_x = P_{x-1} S_x,  P'_A = (P_{A-1} + P_A) S_A  (open group)
      B = step * sum_x F_x (P^f_x + P'^f_x) / 2,  split by SRB,  P'_0 = B_s S_0
    timing 0 ("end", UN WPP): migrants added after the step, not exposed.
    timing 1 ("half", Preston et al. 2001): half join at the start (they
    survive and bear children in the step), half at the end, counted in the
    end-of-step exposure. Deaths are cohort deaths indexed by the age
    reached at the end of the step (index 0: infants born in the step).
    Flows of the last year are computed; its end population is discarded.
    Migrants are added as given (the UN's arithmetic): net emigration larger
    than a cell leaves a negative stock; ``project_capped`` prevents it.
    """
    empty = np.empty((0, 0, 2, pop.shape[3]))
    for si in prange(pop.shape[0]):
        s = np.int64(si)  # prange indices may be unsigned; keep index types uniform
        _project_one(s, pop0, S, asfr, srb, mig, timing, step, False, pop, births, deaths, empty, False)


@njit(cache=True, parallel=True)
def project_capped(pop0, S, asfr, srb, mig, timing, step, pop, births, deaths, realised):
    """``project`` with emigration capped at the persons present.

    Each part of the net migrants of a cell (the whole count at the end of
    the step, or the halves at its start and end) is realised as
    max(M, -P), P the stock it is added to (the population of 1 January for
    the start half, the survivors P'_x for the end part), so no stock goes
    below zero; ``realised`` (N, T, 2, A) gets the migrants realised, and
    M - realised is the emigration that could not happen. Deaths are then
    never negative (S_x <= 1 on non-negative stocks).
    """
    for si in prange(pop.shape[0]):
        s = np.int64(si)
        _project_one(s, pop0, S, asfr, srb, mig, timing, step, True, pop, births, deaths, realised, True)


def run_projection(pop0, S, asfr, srb, mig, timing, step, pop, births, deaths, realised=None):
    """``project`` (``realised`` None) or ``project_capped``; with one scenario the
    serial body ``_project_one`` is called directly (the same compiled arithmetic,
    the same bits): no thread pool woken for a single scenario, and the parallel
    kernel is compiled only when a run has several scenarios (issue 17)."""
    capped = realised is not None
    if pop.shape[0] == 1:
        record = realised if capped else np.empty((0, 0, 2, pop.shape[3]))
        _project_one(np.int64(0), pop0, S, asfr, srb, mig, timing, step, capped, pop, births, deaths, record,
                     capped)
    elif capped:
        project_capped(pop0, S, asfr, srb, mig, timing, step, pop, births, deaths, realised)
    else:
        project(pop0, S, asfr, srb, mig, timing, step, pop, births, deaths)



# ``project_population`` takes the fused path from this many scenarios: below it the
# separate kernels are serial or cheap, and a short stochastic run does not compile
# the fused kernel (~2 s of a first run) for a few milliseconds of work.
FUSED_SCENARIOS = SERIAL_ROWS // 8


@njit(cache=True, parallel=True)
def project_fused(mx, female, S, ex, at_ages, rule, pop0, asfr, srb, mig, timing, step, pop, births, deaths,
                  realised, record, unrealised, ages, sums, stats):
    """The multi-scenario path of ``project_population`` in one parallel loop
    over scenarios: per scenario s, :func:`survival_ratios` of its T x 2 tables
    (rows of ``mx`` (N T 2, A) and ``S``, the same rows reshaped (N, T, 2, A)
    for the projection), :func:`project` (``record`` False) or
    :func:`project_capped` (``record`` True, into ``realised``), the
    :func:`population_pass` of its cells (``realised`` is ``pop`` and
    ``unrealised`` empty when not recorded) and :func:`death_probability_inplace`
    of its rows of S. The same functions on the same cells in the same order:
    the same bits as the four kernels one after the other (tests), but each
    scenario's arrays (~0.8 MB) are still in cache for the passes after the
    first, instead of streaming the 163 MB arrays from memory four times.
    Returns the number of bad tables (``survival_ratios``); a scenario with
    one is not projected (the caller raises).
    """
    T = pop.shape[1]
    rows = T * 2
    S4 = S.reshape((pop.shape[0], T, 2, S.shape[1]))
    bad = 0
    for si in prange(pop.shape[0]):
        s = np.int64(si)
        b = _survival_rows(s * rows, (s + 1) * rows, mx, female, S, ex, at_ages, rule)
        if b == 0:
            _project_one(s, pop0, S4, asfr, srb, mig, timing, step, record, pop, births, deaths, realised,
                         record)
            _population_rows(s, s + 1, pop, births, deaths, realised, mig, unrealised, ages, sums, stats)
            _death_probability_rows(s * rows, (s + 1) * rows, S)
        bad += b
    return bad

def run_project_fused(mx, female, S, ex, at_ages, rule, arrays, timing, step, pop, births, deaths, realised,
                      record, unrealised, ages):
    """:func:`project_fused` of ``arrays`` = (pop0, S reshaped, asfr, srb, mig), as
    :func:`run_projection` takes them; returns (sums, stats, bad tables)."""
    pop0, _, asfr, srb, mig = arrays
    n, years = pop.shape[:2]
    sums = np.empty((6, n, years))
    stats = np.empty((5, n))
    bad = project_fused(mx, female, S, ex, at_ages, rule, pop0, asfr, srb, mig, timing, step, pop, births,
                        deaths, realised, record, unrealised, np.asarray(ages, dtype=np.int64), sums, stats)
    return sums, stats, bad



@njit(cache=True)
def _population_rows(lo, hi, pop, births, deaths, realised, migrants, unrealised, ages, sums, stats):
    """Scenarios lo..hi-1 of :func:`population_pass`."""
    T, G, A = pop.shape[1:]
    young_end, work_lo, work_end, old_lo = ages[0], ages[1], ages[2], ages[3]
    record = unrealised.shape[0] > 0
    for s in range(lo, hi):
        pm = s if migrants.shape[0] > 1 else 0
        negative = 0.0
        lowest = np.inf
        unreal = 0.0
        capped = 0.0
        first = -1.0
        for t in range(T):
            young = 0.0
            working = 0.0
            old = 0.0
            rest = 0.0
            dead = 0.0
            by_year = 0.0
            for g in range(G):
                for x in range(A):
                    p = pop[s, t, g, x]
                    if x < young_end:
                        young += p
                    else:
                        rest += p
                    if work_lo <= x < work_end:
                        working += p
                    if x >= old_lo:
                        old += p
                    dead += deaths[s, t, g, x]
                    if p < 0.0:
                        negative += 1.0
                    if p < lowest:
                        lowest = p
                    if record:
                        u = realised[s, t, g, x] - migrants[pm, t, g, x]
                        unrealised[s, t, g, x] = u
                        by_year += u
                        if u > 0.0:
                            capped += 1.0
                            if first < 0.0:
                                first = t
            sums[0, s, t] = young
            sums[1, s, t] = working
            sums[2, s, t] = old
            sums[3, s, t] = young + rest
            sums[4, s, t] = births[s, t, 0] + births[s, t, 1]
            sums[5, s, t] = dead
            unreal += by_year
        stats[0, s] = negative
        stats[1, s] = lowest
        stats[2, s] = unreal
        stats[3, s] = capped
        stats[4, s] = first


@njit(cache=True, parallel=True)
def population_pass(pop, births, deaths, realised, migrants, unrealised, ages, sums, stats):
    """One pass over the projection's outputs, parallel over scenarios.

    pop, deaths, realised (N, T, 2, A), births (N, T, 2), migrants (N or 1,
    T, 2, A). ``ages`` = (young_end, work_lo, work_end, old_lo). Writes
    sums (6, N, T): persons aged < young_end, in work_lo..work_end-1,
    >= old_lo, all ages (the young plus the rest), births (female + male),
    deaths, each summed over sex, then age, ascending; with ``unrealised``
    of N rows (an empty array skips it) unrealised = realised - migrants;
    stats (5, N) per scenario: cells of pop below 0, lowest pop, the sum of
    unrealised (of per-year sums), its cells above 0, the first year index
    with one (-1: none). Each scenario's numbers come from its own cells in a
    fixed order: the same bits for any batch or number of threads.
    """
    for si in prange(pop.shape[0]):
        s = np.int64(si)
        _population_rows(s, s + 1, pop, births, deaths, realised, migrants, unrealised, ages, sums, stats)


def run_population_pass(pop, births, deaths, realised, migrants, unrealised, ages):
    """:func:`population_pass` (serial below ``SERIAL_ROWS`` // 8 scenarios: same bits);
    returns (sums, stats)."""
    n, years = pop.shape[:2]
    sums = np.empty((6, n, years))
    stats = np.empty((5, n))
    ages = np.asarray(ages, dtype=np.int64)
    if n < SERIAL_ROWS // 8:
        _population_rows(0, n, pop, births, deaths, realised, migrants, unrealised, ages, sums, stats)
    else:
        population_pass(pop, births, deaths, realised, migrants, unrealised, ages, sums, stats)
    return sums, stats
