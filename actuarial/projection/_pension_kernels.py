"""Numba kernel of the pension scheme: insured by credits, pensioners by type.

State at 1 January of each year, per scenario and sex (0 female, 1 male):
  A[x, c]  active insured aged x with c credited years
  I[x, c]  inactive insured (keep their credits)
  N[k, x]  pensioners of type k (0 old-age, 1 invalidity, 2 survivors)
  B[k, x]  their total annual pensions
Each year t (formulas in ``pension.py``): actives are brought to the target
number of contributors K (excess -> inactive; shortfall filled by re-entrants
then new entrants with no credits); during the year insured die (q), actives
become invalid (incidence), survivors earn credits with probability equal to
the contribution density; deaths of vested insured and of old-age and
invalidity pensioners leave survivors' pensions (the survivors of a sex and
age at most the unmarried part of that population: ``_survivor_commit``); pensions in payment are
indexed on 1 January; insured at or above the pensionable age retire on
1 January t+1 (vested: old-age pension; not vested: lump sum or nothing).
Awards during the year (invalidity, survivors) are paid for half of it.
"""

from __future__ import annotations

import numpy as np

from actuarial.demography._kernels import njit, prange

# indices of ``par``
(ACCRUAL, VESTING, INV_VESTING, SURV_SHARE, DIFF, REENTRY, INV_MORT, MAXSHARE, CLOSED, FREEZE, CONVERT, CREDIT_START,
 AWARD_START) = range(13)
# indices of the flow output (persons during year t, by sex)
(ENTRANTS, REENTRANTS, TO_INACTIVE, DEATHS_INSURED, INVALID_AWARDED, INVALID_NOT_VESTED,
 RETIRED_VESTED, RETIRED_NOT_VESTED, DEATHS_PENSIONERS, SURVIVOR_AWARDS) = range(10)
N_FLOWS = 10


@njit(cache=True, error_model="numpy")
def _entitlement(c, ref, minp, par):
    """accrual x credits x reference earnings, within [minimum, maximum]."""
    amount = par[ACCRUAL] * c * ref
    cap = par[MAXSHARE] * ref
    if amount > cap:
        amount = cap
    if amount < minp:
        amount = minp
    return amount


@njit(cache=True, error_model="numpy")
def _survivor(g, x, count, amount, par, n_ages, pend):
    """A survivor's pension for the spouse of a person of sex g who died at age x.

    Collective (married-at-death) method of ILO practice (Iyer 1999, *Actuarial
    mathematics of social security pensions*, ILO/ISSA, ch. 4; Plamondon et al.
    2002, *Actuarial practice in social security*, ILO/ISSA): ``count`` =
    deaths x h_g(x), the probability of leaving an eligible spouse, of the
    other sex s = 1 - g, aged y = x -/+ D (husbands older by D), awarded at age
    y + 1 on 1 January t+1, ages kept within 0..n_ages-1 (the last age is the
    open group). The award is pending (``pend[0|1, s, y+1]``: count, amount)
    until ``_survivor_commit`` applies the bound on the spouse population.
    """
    if count <= 0.0:
        return
    diff = np.int64(par[DIFF])
    age = x - diff if g == 1 else x + diff
    age = min(max(age + 1, 0), n_ages - 1)
    s = 1 - g
    pend[0, s, age] += count
    pend[1, s, age] += amount


@njit(cache=True, error_model="numpy")
def _survivor_room(room, pend, pop_next, married, N2, q_t):
    """Start of year t: no pending awards; room[s, a] = P[s, a](t+1) (1 - h_s(a)) - S[s, a],
    with P (``pop_next``, (2, X)) the population of sex s and age a at 1 January
    t+1, h_s(a) the proportion married (``married``: survivors are not married,
    the model has no remarriage) and S the survivors' pensioners of 1 January
    t still alive then and aged a, N_2[s, a-1](1 - q[s, a-1]) (plus
    N_2[s, A-1](1 - q[s, A-1]) at the open age A-1): what is left for this
    year's awards (negative: S alone is above the bound, see ``_survivor_commit``)."""
    X = room.shape[1]
    for s in range(2):
        for a in range(X):
            pend[0, s, a] = 0.0
            pend[1, s, a] = 0.0
            stock = 0.0
            if a > 0:
                stock += N2[s, a - 1] * (1.0 - min(q_t[s, a - 1], 1.0))
            if a == X - 1:
                stock += N2[s, a] * (1.0 - min(q_t[s, a], 1.0))
            room[s, a] = pop_next[s, a] * (1.0 - married[s, a]) - stock


@njit(cache=True, error_model="numpy")
def _survivor_commit(room, pend, newN, newB, exp_t, awn_t, awb_t, flows_t):
    """End of year t: the year's survivors' pensions awarded at (s, a).

    Consistency constraint: each survivor is a living, unmarried person of sex
    s and age a, so the survivors' pensioners of (s, a) at 1 January t+1 cannot
    exceed the unmarried part of that population:
    N_2[s, a](t+1) <= P[s, a](t+1) (1 - h_s(a)). The pending awards n
    (amounts b) at (s, a) are scaled by f = min(1, room[s, a] / n), the same
    factor for every source (pensioners' and insured's deaths), so the
    average pension awarded is kept; paid for half of the year. If last
    year's survivors alone exceed the bound (room < 0: the population's own
    projection removed more than q, e.g. at the open age, whose mortality is
    that of all ages 100+), the excess -room dies with the population: the
    stock is scaled to the bound and the excess counted in the deaths of
    pensioners."""
    for s in range(2):
        for a in range(room.shape[1]):
            if room[s, a] < 0.0:
                have = newN[2, s, a]
                keep = (have + room[s, a]) / have
                newN[2, s, a] *= keep
                newB[2, s, a] *= keep
                flows_t[s, DEATHS_PENSIONERS] -= room[s, a]
                room[s, a] = 0.0
            n = pend[0, s, a]
            if n <= 0.0:
                continue
            f = min(1.0, room[s, a] / n)
            n *= f
            b = pend[1, s, a] * f
            newN[2, s, a] += n
            newB[2, s, a] += b
            exp_t[2, s] += 0.5 * b
            awn_t[2, s] += n
            awb_t[2, s] += b
            flows_t[s, SURVIVOR_AWARDS] += n


@njit(cache=True, error_model="numpy", fastmath=True)
def _convert_rights(s, A, I, lev, scale_avg, ceil_t, accrual, max_share, x_lo, x_hi, converted):
    """Rights converted to another design at 1 January of the freeze year (``par[CONVERT]``):
    converted[s, 0, g, x] the insured (active and inactive) aged x, converted[s, 1, g, x] their
    accrued pensions sum_c (A + I)[g, x, c] min(accrual c ref, maximum share x ref), ref =
    min(wage level x average scale of the reference period, ceiling) at that year's wages (vesting
    and the minimum pension are not accrued rights, as in ``liability.py``); the insured then leave
    the scheme (A = I = 0)."""
    C = A.shape[2]
    for g in range(2):
        for x in range(x_lo, x_hi + 2):
            n, p = 0.0, 0.0
            for c in range(C):
                m = A[g, x, c] + I[g, x, c]
                n += m
                ref = min(lev[g] * scale_avg[x, c], ceil_t)
                p += m * min(accrual * c * ref, max_share * ref)
                A[g, x, c] = 0.0
                I[g, x, c] = 0.0
            converted[s, 0, g, x] = n
            converted[s, 1, g, x] = p


@njit(cache=True, error_model="numpy", fastmath=True)
def _scheme_scenario(s, K, q, inv, dens, married, level, scale, scale_avg, ceil, R, minp, idx, lump_rate,
                     par, A0, I0, N0, B0, x_lo, x_hi, pop,
                     earnings, wage_bill, headcount, refund_base, inactive, pens_n, pens_total, pens_b,
                     expend, lumps, awards_n, awards_b, flows, converted):
    """One scenario s of :func:`project_scheme` (the body of its prange, compiled
    once with the same flags): called directly for a single scenario by
    :func:`run_scheme`, and by the parallel kernel for each of many (issue 17)."""
    T = earnings.shape[1]
    X, C = A0.shape[2], A0.shape[3]
    sk = s if K.shape[0] > 1 else 0
    sq = s if q.shape[0] > 1 else 0
    sl = s if level.shape[0] > 1 else 0
    se = s if ceil.shape[0] > 1 else 0
    sm = s if minp.shape[0] > 1 else 0
    sx = s if idx.shape[0] > 1 else 0
    sr = s if lump_rate.shape[0] > 1 else 0
    sa = s if A0.shape[0] > 1 else 0
    sn = s if N0.shape[0] > 1 else 0
    reentry, closed = par[REENTRY], par[CLOSED] == 1.0
    t_freeze = np.int64(par[FREEZE]) if par.shape[0] > FREEZE else np.int64(T)
    convert = par.shape[0] > CONVERT and par[CONVERT] == 1.0
    t_credit = np.int64(par[CREDIT_START]) if par.shape[0] > CREDIT_START else np.int64(0)
    t_award = np.int64(par[AWARD_START]) if par.shape[0] > AWARD_START else np.int64(0)
    never = np.inf  # a vesting threshold no credit count meets: no awards before t_award
    accrual, max_share = par[ACCRUAL], par[MAXSHARE]
    stay = np.empty(C)
    room = np.empty((2, X))
    pend = np.empty((2, 2, X))
    sp = s if pop.shape[0] > 1 else 0
    occupied = np.zeros((2, X), dtype=np.bool_)
    store = inactive.shape[1] == T  # stocks by age are stored unless the caller passes (N, 1, ...)
    A = A0[sa].copy()
    I = I0[sa].copy()
    N = N0[sn].copy()
    B = B0[sn].copy()
    newA = np.zeros_like(A)
    newI = np.zeros_like(I)
    newN = np.empty_like(N)
    newB = np.empty_like(B)
    for t in range(T):
        fl = flows[s, t]
        ceil_t = ceil[se, t]
        vest = par[VESTING] if t >= t_award else never
        inv_vest = par[INV_VESTING] if t >= t_award else never
        if convert and t == t_freeze:
            _convert_rights(s, A, I, level[sl, t], scale_avg, ceil_t, accrual, max_share, x_lo, x_hi, converted)
        # -- bring actives to the target number of contributors at 1 January t
        for g in range(2):
            for x in range(x_lo, x_hi + 1):
                cmax = min(C, x - x_lo + 2)
                target = K[sk, t, g, x] if x < R[t, g] else 0.0
                have = 0.0
                idle = 0.0
                for c in range(cmax):
                    have += A[g, x, c]
                    idle += I[g, x, c]
                total_a, total_i = have, idle
                if have > target:
                    keep = target / have
                    for c in range(cmax):
                        I[g, x, c] += A[g, x, c] * (1.0 - keep)
                        A[g, x, c] *= keep
                    fl[g, TO_INACTIVE] += have - target
                    total_a, total_i = target, idle + have - target
                elif have < target:
                    back = min(target - have, reentry * idle)
                    if back > 0.0:
                        share = back / idle
                        for c in range(cmax):
                            A[g, x, c] += I[g, x, c] * share
                            I[g, x, c] *= 1.0 - share
                    fresh = 0.0 if closed else target - have - back
                    A[g, x, 0] += fresh
                    fl[g, REENTRANTS] += back
                    fl[g, ENTRANTS] += fresh
                    total_a, total_i = have + back + fresh, idle - back
                occupied[g, x] = total_a + total_i > 0.0
                if store:
                    inactive[s, t, g, x] = total_i
                wage = min(level[sl, t, g] * scale[x], ceil_t)
                earnings[s, t] += total_a * dens[g, x] * wage
                wage_bill[s, t] += total_a * wage
                headcount[s, t, g] += total_a
        if store:
            for k in range(N.shape[0]):
                for g in range(N.shape[1]):
                    for x in range(N.shape[2]):
                        pens_n[s, t, k, g, x] = N[k, g, x]
        for k in range(3):
            for g in range(2):
                tot = 0.0
                cnt = 0.0
                for x in range(X):
                    tot += B[k, g, x]
                    cnt += N[k, g, x]
                pens_b[s, t, k, g] = tot
                pens_total[s, t, k, g] = cnt
        newA[:, x_lo:x_hi + 2, :] = 0.0  # the only ages insured persons reach
        newI[:, x_lo:x_hi + 2, :] = 0.0
        newN[:] = 0.0
        newB[:] = 0.0
        exp_t = expend[s, t]
        awn_t = awards_n[s, t]
        awb_t = awards_b[s, t]
        minp_t = minp[sm, t]
        _survivor_room(room, pend, pop[sp, min(t + 1, T - 1)], married, N[2], q[sq, t])
        # -- pensioners during year t, indexed on 1 January t+1
        for k in range(3):
            for g in range(2):
                for x in range(X):
                    n = N[k, g, x]
                    if n <= 0.0:
                        continue
                    qk = q[sq, t, g, x] * (par[INV_MORT] if k == 1 else 1.0)
                    qk = min(qk, 1.0)
                    dead = n * qk
                    exp_t[k, g] += B[k, g, x] * (1.0 - 0.5 * qk)
                    fl[g, DEATHS_PENSIONERS] += dead
                    if k < 2:
                        cnt = dead * married[g, x]
                        _survivor(g, x, cnt, cnt * par[SURV_SHARE] * B[k, g, x] / n,
                                  par, X, pend)
                    dest = min(x + 1, X - 1)
                    newN[k, g, dest] += n - dead
                    newB[k, g, dest] += B[k, g, x] * (1.0 - qk) * (1.0 + idx[sx, t])
        # -- insured during year t (survivors and invalidity summed by age first)
        for g in range(2):
            lev = level[sl, t, g]
            for x in range(x_lo, x_hi + 1):
                if not occupied[g, x]:  # e.g. young ages of the closed group
                    continue
                qd = q[sq, t, g, x]
                p_inv = inv[g, x]
                d = dens[g, x] if t < t_freeze and t >= t_credit else 0.0
                dead_n = 0.0
                surv_n = 0.0
                surv_b = 0.0
                inv_n = 0.0
                inv_b = 0.0
                inv_lost = 0.0
                cmax = min(C, x - x_lo + 2)
                for c in range(cmax):  # branch-free so that it vectorises
                    a = A[g, x, c]
                    i = I[g, x, c]
                    ref = min(lev * scale_avg[x + 1, c], ceil_t)
                    ent = max(min(accrual * c * ref, max_share * ref), minp_t)  # _entitlement, inlined
                    dead_a = a * qd
                    invalid = a * (1.0 - qd) * p_inv
                    stay[c] = a - dead_a - invalid
                    dead_i = i * qd
                    va = 1.0 if c >= inv_vest else 0.0
                    vi = 1.0 if c >= vest else 0.0
                    dead_n += dead_a + dead_i
                    vested_dead = dead_a * va + dead_i * vi
                    surv_n += vested_dead
                    surv_b += vested_dead * ent
                    inv_n += invalid * va
                    inv_b += invalid * va * ent
                    inv_lost += invalid * (1.0 - va)
                    newI[g, x + 1, c] += i - dead_i
                # credits: a share d of the survivors moves up one credited year
                newA[g, x + 1, 0] += stay[0] * (1.0 - d)
                for c in range(1, cmax):
                    newA[g, x + 1, c] += stay[c] * (1.0 - d) + stay[c - 1] * d
                if cmax < C:
                    newA[g, x + 1, cmax] += stay[cmax - 1] * d
                else:
                    newA[g, x + 1, C - 1] += stay[C - 1] * d  # the last credit class is open
                fl[g, DEATHS_INSURED] += dead_n
                fl[g, INVALID_AWARDED] += inv_n
                fl[g, INVALID_NOT_VESTED] += inv_lost
                if inv_n > 0.0:
                    newN[1, g, x + 1] += inv_n
                    newB[1, g, x + 1] += inv_b
                    exp_t[1, g] += 0.5 * inv_b
                    awn_t[1, g] += inv_n
                    awb_t[1, g] += inv_b
                m = married[g, x]
                _survivor(g, x, surv_n * m, m * par[SURV_SHARE] * surv_b,
                          par, X, pend)
            # -- retirement on 1 January t+1 at the pensionable age of t+1
            r = R[min(t + 1, T - 1), g]
            for x in range(max(r, x_lo), x_hi + 2):
                for c in range(C):
                    n = newA[g, x, c] + newI[g, x, c]
                    if n <= 0.0:
                        continue
                    ref = min(lev * scale_avg[x, c], ceil_t)
                    if t < t_award:  # the scheme pays nothing yet (a transition into it): they leave
                        pass
                    elif c >= vest:
                        ent = _entitlement(c, ref, minp_t, par)
                        newN[0, g, x] += n
                        newB[0, g, x] += n * ent
                        awn_t[0, g] += n
                        awb_t[0, g] += n * ent
                        fl[g, RETIRED_VESTED] += n
                    else:
                        lumps[s, t, g] += n * lump_rate[sr, t] * c * ref
                        refund_base[s, t] += n * c * ref
                        fl[g, RETIRED_NOT_VESTED] += n
                    newA[g, x, c] = 0.0
                    newI[g, x, c] = 0.0
        _survivor_commit(room, pend, newN, newB, exp_t, awn_t, awb_t, fl)
        # Copied back element by element: no buffer swap (prange bodies must not rebind arrays)
        # and no slice assignment (its shape-mismatch message costs seconds of the first compile).
        for g in range(2):
            for x in range(x_lo, min(x_hi + 2, A.shape[1])):
                for c in range(A.shape[2]):
                    A[g, x, c] = newA[g, x, c]
                    I[g, x, c] = newI[g, x, c]
        for k in range(N.shape[0]):
            for g in range(N.shape[1]):
                for x in range(N.shape[2]):
                    N[k, g, x] = newN[k, g, x]
                    B[k, g, x] = newB[k, g, x]



@njit(cache=True, parallel=True, error_model="numpy", fastmath=True)
def project_scheme(K, q, inv, dens, married, level, scale, scale_avg, ceil, R, minp, idx, lump_rate,
                   par, A0, I0, N0, B0, x_lo, x_hi, pop,
                   earnings, wage_bill, headcount, refund_base, inactive, pens_n, pens_total, pens_b,
                   expend, lumps, awards_n, awards_b, flows, converted):
    """Project the scheme; see the module docstring.

    Shapes (s: scenario, length 1 broadcasts): K, q (s, T, 2, X); inv, dens,
    married (2, X); level (s, T, 2) wage at scale 1; scale (X) salary
    scale; scale_avg (X, C)
    average salary scale of the reference period ending before age x for c
    credits; ceil, minp, idx, lump_rate (s, T); R (T, 2) integer pensionable
    ages; A0, I0 (s, 2, X, C); N0, B0 (s, 3, 2, X). Insured ages are
    x_lo..x_hi; targets K at or above the pensionable age count as 0;
    par[CLOSED] = 1 admits no new entrants (closed group); par[FREEZE] (optional, default T): the
    year index from which no credits accrue (a transition to another design, accrued rights kept);
    par[CONVERT] (optional) = 1: at that year the rights are converted (``_convert_rights``, into
    ``converted`` (s, 2, 2, X): persons and accrued pensions by sex and age) and the insured leave
    the scheme; par[CREDIT_START] (optional, default 0): the year index from which credits accrue,
    par[AWARD_START] (optional, default 0): the first year index whose awards (old-age, invalidity,
    survivors of insured, lump sums) the scheme pays; the insured retiring before it leave with
    nothing (a transition into this design: its rules start then); pop (s, T, 2, X)
    the population at 1 January: survivors' pensioners by sex and age are at
    most its unmarried part, P (1 - married) (``_survivor_commit``; the last
    year's population bounds the last year's awards).
    Outputs (N, T, ...): earnings () insurable earnings sum of
    A x density x min(wage, ceiling); wage_bill () sum of A x min(wage,
    ceiling); headcount (2) actives by sex; refund_base () sum of credits x
    reference earnings of those retiring unvested (lump sums per unit of
    lump-sum rate); pens_total (3, 2) pensioners; inactive (2, X),
    pens_n (3, 2, X) (give these two a year
    axis of length 1 to skip storing stocks by age),
    pens_b (3, 2), expend (3, 2), lumps (2), awards_n, awards_b (3, 2),
    flows (2, N_FLOWS); converted (s, 2, 2, X), no year axis (see par[CONVERT]).
    """
    for si in prange(earnings.shape[0]):
        _scheme_scenario(np.int64(si), K, q, inv, dens, married, level, scale, scale_avg, ceil, R, minp,
                         idx, lump_rate, par, A0, I0, N0, B0, x_lo, x_hi, pop,
                         earnings, wage_bill, headcount, refund_base, inactive, pens_n, pens_total, pens_b,
                         expend, lumps, awards_n, awards_b, flows, converted)


def run_scheme(*args):
    """``project_scheme(*args)``; with one scenario its serial body
    ``_scheme_scenario`` is called directly (the same compiled arithmetic, the
    same bits): no thread pool woken for a single scenario, and the parallel
    kernel is compiled only when a run has several scenarios (issue 17)."""
    earnings = args[21]
    if earnings.shape[0] == 1:
        _scheme_scenario(np.int64(0), *args)
    else:
        project_scheme(*args)


@njit(cache=True)
def reserve_path(F0, C, E, i, F, invest):
    """F_{t+1} = F_t + C_t + II_t - E_t, II_t = i_t F_t + (C_t - E_t)(sqrt(1 + i_t) - 1),
    for rows of (scenario, T) arrays; F is (scenario, T+1), F[:, 0] = F0."""
    n, T = C.shape
    for s in range(n):
        F[s, 0] = F0[s]
        for t in range(T):
            invest[s, t] = i[s, t] * F[s, t] + (C[s, t] - E[s, t]) * (np.sqrt(1.0 + i[s, t]) - 1.0)
            F[s, t + 1] = F[s, t] + C[s, t] + invest[s, t] - E[s, t]


@njit(cache=True)
def floored_reserve_path(F0, C, E, i, F, invest, deficit):
    """The reserve floored at zero: once it cannot pay a year's deficit, the
    state pays, mid-year, what is missing, S_t = max(E_t - C_t - F_t sqrt(1 + i_t), 0),
    so that F_{t+1} = F_t + C_t + S_t + II_t - E_t = 0, with
    II_t = i_t F_t + (C_t - E_t + S_t)(sqrt(1 + i_t) - 1)."""
    n, T = C.shape
    for s in range(n):
        F[s, 0] = F0[s]
        for t in range(T):
            root = np.sqrt(1.0 + i[s, t])
            deficit[s, t] = max(E[s, t] - C[s, t] - F[s, t] * root, 0.0)
            net = C[s, t] - E[s, t] + deficit[s, t]
            invest[s, t] = i[s, t] * F[s, t] + net * (root - 1.0)
            if deficit[s, t] > 0.0:  # exhausted: exactly 0 (the formula gives 0 to rounding)
                F[s, t + 1] = 0.0
            else:
                F[s, t + 1] = max(F[s, t] + net + invest[s, t], 0.0)
