"""Numba kernel of the employment-injury scheme: claims, awards, pensions in payment.

Per scenario, sector k, pension type p (0 permanent partial, 1 permanent
total, 2 spouse, 3 orphan), sex g and age x; stocks at 1 January of year t:
  N[k, p, g, x]  pensioners,  B[k, p, g, x]  their total annual pensions.
Timing (the same convention gives the pensions, their capitalised values
and the reserve, so that they agree exactly):
- injuries happen during year t at the insured's age x; pensions are
  awarded at mid-year and paid for half of it (0.5 x the annual amount);
- pensioners alive at 1 January are paid for the part of the year they
  live: annual amount x (1 - q/2), deaths uniform over the year;
- an award at mid-year is alive at 1 January t+1 with probability
  (1 - q) / (1 - q/2) (uniform deaths), aged x+1; pensions in payment are
  indexed on 1 January t+1 by the year's index j_t; orphans leave at the
  age limit; q = min(factor_p x population q, 1).
Ages: the insured, claims and awards run over the population's ages
0..X-1 (X = 101: 0..100, spouses' ages kept within them); the pensions in
payment, their mortality ``q`` and their values over ages 0..A-1 with
A >= X (``employment_injury`` passes A = 131: the life tables' extension
past 100, ``lifetable.extend_qx``); the last age A-1 is an open group that
keeps its survivors at q_{A-1}.
Capitalised value at 1 January t of a pension of 1 a year at age x, with
cash flows at mid-year and interest i_t:
  V(t, x) = (1 - q/2) (1 + i_t)^-1/2 + (1 - q)(1 + j_t) / (1 + i_t) V(t+1, x+1)
and of an award at mid-year t (its value at mid-year):
  W(t, x) = 0.5 + (1 - q)/(1 - q/2) (1 + j_t)(1 + i_t)^-1/2 V(t+1, x+1),
V beyond the horizon from the last year's rates held constant; at the
last age A-1, V(t, A-1) uses V(t+1, A-1) (constant q past A-1).
"""

from __future__ import annotations

import numpy as np

from actuarial.demography._kernels import njit, prange

N_TYPES = 4
PARTIAL, TOTAL, SPOUSE, ORPHAN = range(N_TYPES)
TEMPORARY, PERM_PARTIAL, PERM_TOTAL, FATAL = range(4)
# indices of ``par``
(TEMP_RATE, PAID_DAYS, DAYS_PER_YEAR, PERM_RATE, PARTIAL_N, PARTIAL_DEGREE, PARTIAL_LUMP, SPOUSE_RATE,
 ORPHAN_RATE, ORPHANS, ORPHAN_LIMIT, SPOUSE_DIFF, SURV_MAX, FUNERAL, COVERAGE, LATENCY) = range(16)
N_PAR = 16
NO_LIMIT = 1 << 30  # age limit of lifelong pensions (the open group at the last age stays)


@njit(cache=True, error_model="numpy")
def capitalised_values(q, factor, limit, i, j, terminal, V):
    """V[t, g, x] for t = 0..T (row T = ``terminal``), one pension type.

    q (T, 2, A) death probabilities by age 0..A-1, ``factor`` the type's
    mortality factor, ``limit`` the age at which payments stop (NO_LIMIT: never),
    i and j (T,) interest and indexation."""
    T, X = q.shape[0], q.shape[2]
    for g in range(2):  # not V[T] = terminal: a slice assignment compiles numba's shape message
        for x in range(X):
            V[T, g, x] = terminal[g, x]
    for t in range(T - 1, -1, -1):
        half = 1.0 / np.sqrt(1.0 + i[t])
        grow = (1.0 + j[t]) / (1.0 + i[t])
        for g in range(2):
            for x in range(X):
                if x >= limit:
                    V[t, g, x] = 0.0
                    continue
                qq = min(factor * q[t, g, x], 1.0)
                nxt = 0.0 if x + 1 >= limit else V[t + 1, g, min(x + 1, X - 1)]
                V[t, g, x] = (1.0 - 0.5 * qq) * half + (1.0 - qq) * grow * nxt


@njit(cache=True)
def _zero(a):
    """a[...] = 0 as a plain loop (inside a parallel kernel a slice assignment becomes a parfor)."""
    flat = a.reshape(-1)
    for i in range(flat.size):
        flat[i] = 0.0


@njit(cache=True, error_model="numpy")
def _pooled_claims(s, t, insured, wage, aw, shares, relw, incidence, age_rel, disease, disease_out, married,
                   medical, par, si, sw, sa, An, Ab, payroll, insured_out, claims, disease_claims, temporary,
                   lumps, funeral, medical_cost):
    """Year t's claims of scenario s with the pensioners pooled (``Kp == 1``: totals
    only): every sector's flows are linear in its share, wage relativity, incidence
    and disease rates, so the sectors are summed into coefficients first and the
    ages are visited once instead of once a sector (1/K of the work). With
    I = insured x coverage and E = I(t - L, x - L) the exposed to latent disease,
    for claim type c (TEMPORARY .. FATAL), sector k (share s_k, relativity r_k):
      claims_k,c = sum_x I s_k i_kc rel + E s_k d_k o_c           (as by sector)
    and, summed over k, the pooled awards by age read
      C_c(x) = I rel sum_k s_k i_kc + E o_c sum_k s_k d_k          (counts)
      W_c(x) = w (I rel sum_k s_k r_k i_kc + E o_c sum_k s_k r_k d_k)  (times w_k = w r_k),
    the same sums as the sector loop of ``_scenario`` in another order (equal to
    rounding). Sector totals: payroll_k = s_k r_k sum I w, insured_k = s_k sum I,
    disease_k = s_k d_k sum E; the temporary benefits and lump sums from
    sum I rel w and sum E w."""
    K, X = shares.shape[0], insured.shape[3]
    lag = np.int64(par[LATENCY])
    diff = np.int64(par[SPOUSE_DIFF])
    tl = max(t - lag, 0)
    cov, p_rate, p_n, p_degree = par[COVERAGE], par[PERM_RATE], par[PARTIAL_N], par[PARTIAL_DEGREE]
    sp_rate, n_orph, o_rate, surv_max = par[SPOUSE_RATE], par[ORPHANS], par[ORPHAN_RATE], par[SURV_MAX]
    limit = np.int64(par[ORPHAN_LIMIT])
    # sector coefficients of the year
    a0 = a1 = a2 = a3 = b0 = b1 = b2 = b3 = dk = dw = 0.0
    for k in range(K):
        sh, shw = shares[k], shares[k] * relw[k]
        a0 += sh * incidence[t, k, 0]
        a1 += sh * incidence[t, k, 1]
        a2 += sh * incidence[t, k, 2]
        a3 += sh * incidence[t, k, 3]
        b0 += shw * incidence[t, k, 0]
        b1 += shw * incidence[t, k, 1]
        b2 += shw * incidence[t, k, 2]
        b3 += shw * incidence[t, k, 3]
        dk += sh * disease[k]
        dw += shw * disease[k]
    do0, do1, do2, do3 = disease_out[0], disease_out[1], disease_out[2], disease_out[3]
    s_pay = s_ins = s_exp = s_rel = s_relw = s_expw = 0.0
    orphans_n = orphans_b = 0.0
    for g in range(2):
        for x in range(X):
            ins = insured[si, t, g, x] * cov
            w = wage[sw, t, g, x]
            s_pay += ins * w
            s_ins += ins
            exposed = 0.0
            if x >= lag:
                exposed = insured[si, tl, g, x - lag] * cov
                s_exp += exposed
            if ins <= 0.0 and exposed <= 0.0:
                continue
            ir = ins * age_rel[g, x]
            s_rel += ir
            s_relw += ir * w
            s_expw += exposed * w
            c1 = ir * a1 + exposed * dk * do1
            c2 = ir * a2 + exposed * dk * do2
            c3 = ir * a3 + exposed * dk * do3
            w1 = w * (ir * b1 + exposed * dw * do1)
            w2 = w * (ir * b2 + exposed * dw * do2)
            w3 = w * (ir * b3 + exposed * dw * do3)
            An[0, PARTIAL, g, x] += c1 * p_n
            Ab[0, PARTIAL, g, x] += p_degree * p_rate * w1
            An[0, TOTAL, g, x] += c2
            Ab[0, TOTAL, g, x] += p_rate * w2
            wed = married[g, x]
            family = wed * sp_rate + n_orph * o_rate
            cap = min(1.0, surv_max / family) if family > 0.0 else 1.0
            age = x + diff if g == 0 else x - diff  # husbands older by diff years
            age = min(max(age, 0), X - 1)
            An[0, SPOUSE, 1 - g, age] += c3 * wed
            Ab[0, SPOUSE, 1 - g, age] += w3 * wed * sp_rate * cap
            orphans_n += c3 * n_orph
            orphans_b += w3 * n_orph * o_rate * cap
    m0, m1, m2, m3 = medical[0], medical[1], medical[2], medical[3]
    for k in range(K):
        sh, shw, dis = shares[k], shares[k] * relw[k], disease[k]
        payroll[s, t, k] = shw * s_pay
        insured_out[s, t, k] = sh * s_ins
        disease_claims[s, t, k] = sh * dis * s_exp if dis > 0.0 else 0.0
        c0 = sh * (incidence[t, k, 0] * s_rel + dis * do0 * s_exp)
        c1 = sh * (incidence[t, k, 1] * s_rel + dis * do1 * s_exp)
        c2 = sh * (incidence[t, k, 2] * s_rel + dis * do2 * s_exp)
        c3 = sh * (incidence[t, k, 3] * s_rel + dis * do3 * s_exp)
        claims[s, t, k, TEMPORARY] = c0
        claims[s, t, k, PERM_PARTIAL] = c1
        claims[s, t, k, PERM_TOTAL] = c2
        claims[s, t, k, FATAL] = c3
        medical_cost[s, t, k] = (c0 * m0 + c1 * m1 + c2 * m2 + c3 * m3) * aw[sa, t]
        tmp = shw * (incidence[t, k, 0] * s_relw + dis * do0 * s_expw)
        temporary[s, t, k] = tmp * par[PAID_DAYS] * par[TEMP_RATE] / par[DAYS_PER_YEAR]
        lump = shw * (incidence[t, k, 1] * s_relw + dis * do1 * s_expw) * p_rate
        lumps[s, t, k] = lump * par[PARTIAL_LUMP]
        funeral[s, t, k] = c3 * par[FUNERAL] * aw[sa, t]
    # orphans uniform over the ages below the limit and over sexes
    for h in range(2):
        for y in range(limit):
            An[0, ORPHAN, h, y] += orphans_n / (2.0 * limit)
            Ab[0, ORPHAN, h, y] += orphans_b / (2.0 * limit)


@njit(cache=True, error_model="numpy")
def _scenario(s, insured, wage, q, aw, interest, index, shares, relw, incidence, age_rel, disease,
              disease_out, married, medical, factors, par, terminal, N0, B0,
              payroll, insured_out, claims, disease_claims, temporary, lumps, funeral, medical_cost,
              paid, capitalised, liability, awards_n, awards_b, benef_n, benef_b, deaths, leavers,
              award_detail):
    """One scenario s of :func:`project_injury` (the body of its prange, compiled
    as a serial function: the parallel kernel stays small and so compiles fast)."""
    T = payroll.shape[1]
    K, X, A = shares.shape[0], insured.shape[3], q.shape[3]  # ages of the insured, of the pensioners
    limit = np.int64(par[ORPHAN_LIMIT])
    diff = np.int64(par[SPOUSE_DIFF])
    lag = np.int64(par[LATENCY])
    detail = award_detail.shape[1] == T
    Kp = paid.shape[2]  # sectors of the pension stocks: K, or 1 (pooled: totals only, 1/K of the work)
    si = s if insured.shape[0] > 1 else 0
    sw = s if wage.shape[0] > 1 else 0
    sq = s if q.shape[0] > 1 else 0
    sa = s if aw.shape[0] > 1 else 0
    sr = s if interest.shape[0] > 1 else 0
    sj = s if index.shape[0] > 1 else 0
    st = s if terminal.shape[0] > 1 else 0
    V = np.empty((N_TYPES, T + 1, 2, A))
    for p in range(N_TYPES):
        capitalised_values(q[sq], factors[p], limit if p == ORPHAN else NO_LIMIT, interest[sr], index[sj],
                           terminal[st, p], V[p])
    N = N0.copy()
    B = B0.copy()
    if Kp == 1:
        for k in range(1, K):  # N[0] += N[k] element by element (no slice assignment to compile)
            for p in range(N.shape[1]):
                for g in range(2):
                    for x in range(A):
                        N[0, p, g, x] += N[k, p, g, x]
                        B[0, p, g, x] += B[k, p, g, x]
    # awards at ages < X only, by sector (pooled: one array, filled by ``_pooled_claims``)
    An = np.zeros((Kp, N_TYPES, 2, A))
    Ab = np.zeros((Kp, N_TYPES, 2, A))
    # scalars read once (the arrays may alias, so the compiler would reload them in the loop)
    cov, p_rate, p_n, p_degree = par[COVERAGE], par[PERM_RATE], par[PARTIAL_N], par[PARTIAL_DEGREE]
    sp_rate, n_orph, o_rate, surv_max = par[SPOUSE_RATE], par[ORPHANS], par[ORPHAN_RATE], par[SURV_MAX]
    do0, do1, do2, do3 = disease_out[0], disease_out[1], disease_out[2], disease_out[3]
    m0, m1, m2, m3 = medical[0], medical[1], medical[2], medical[3]
    qq, surv, payf, live, wfac = np.empty(A), np.empty(A), np.empty(A), np.empty(A), np.empty(A)
    for t in range(T):
        _zero(An)
        _zero(Ab)
        tl = max(t - lag, 0)
        if Kp == 1:  # pooled: the sectors summed into coefficients, the ages visited once
            _pooled_claims(s, t, insured, wage, aw, shares, relw, incidence, age_rel, disease, disease_out,
                           married, medical, par, si, sw, sa, An, Ab, payroll, insured_out, claims,
                           disease_claims, temporary, lumps, funeral, medical_cost)
        for k in range(K if Kp > 1 else 0):  # by sector
            share, rw, dis = shares[k], relw[k], disease[k]
            i0, i1, i2, i3 = incidence[t, k, 0], incidence[t, k, 1], incidence[t, k, 2], incidence[t, k, 3]
            orphans_n = orphans_b = 0.0
            s_pay = s_ins = s_dis = s_med = s_tmp = s_lump = s_fun = 0.0
            sc0 = sc1 = sc2 = sc3 = 0.0
            for g in range(2):
                for x in range(X):
                    ins = insured[si, t, g, x] * cov * share
                    w = wage[sw, t, g, x] * rw
                    s_pay += ins * w
                    s_ins += ins
                    exposed = 0.0
                    if dis > 0.0 and x >= lag:
                        exposed = insured[si, tl, g, x - lag] * cov * share * dis
                        s_dis += exposed
                    if ins <= 0.0 and exposed <= 0.0:
                        continue
                    rel = age_rel[g, x]
                    c0 = ins * i0 * rel + exposed * do0  # TEMPORARY
                    c1 = ins * i1 * rel + exposed * do1  # PERM_PARTIAL
                    c2 = ins * i2 * rel + exposed * do2  # PERM_TOTAL
                    c3 = ins * i3 * rel + exposed * do3  # FATAL
                    sc0 += c0
                    sc1 += c1
                    sc2 += c2
                    sc3 += c3
                    s_med += c0 * m0
                    s_med += c1 * m1
                    s_med += c2 * m2
                    s_med += c3 * m3
                    s_tmp += c0 * w
                    pension = p_rate * w
                    s_lump += c1 * pension
                    An[k, PARTIAL, g, x] += c1 * p_n
                    Ab[k, PARTIAL, g, x] += c1 * p_degree * pension
                    An[k, TOTAL, g, x] += c2
                    Ab[k, TOTAL, g, x] += c2 * pension
                    f = c3
                    s_fun += f
                    wed = married[g, x]
                    family = wed * sp_rate + n_orph * o_rate
                    cap = min(1.0, surv_max / family) if family > 0.0 else 1.0
                    age = x + diff if g == 0 else x - diff  # husbands older by diff years
                    age = min(max(age, 0), X - 1)
                    An[k, SPOUSE, 1 - g, age] += f * wed
                    Ab[k, SPOUSE, 1 - g, age] += f * wed * sp_rate * cap * w
                    orphans_n += f * n_orph
                    orphans_b += f * n_orph * o_rate * cap * w
            payroll[s, t, k] = s_pay
            insured_out[s, t, k] = s_ins
            disease_claims[s, t, k] = s_dis
            claims[s, t, k, TEMPORARY] = sc0
            claims[s, t, k, PERM_PARTIAL] = sc1
            claims[s, t, k, PERM_TOTAL] = sc2
            claims[s, t, k, FATAL] = sc3
            medical_cost[s, t, k] = s_med * aw[sa, t]
            temporary[s, t, k] = s_tmp * par[PAID_DAYS] * par[TEMP_RATE] / par[DAYS_PER_YEAR]
            lumps[s, t, k] = s_lump * par[PARTIAL_LUMP]
            funeral[s, t, k] = s_fun * par[FUNERAL] * aw[sa, t]
            # orphans uniform over the ages below the limit and over sexes
            for h in range(2):
                for y in range(limit):
                    An[k, ORPHAN, h, y] += orphans_n / (2.0 * limit)
                    Ab[k, ORPHAN, h, y] += orphans_b / (2.0 * limit)
        # pensions: payments, capitalised values, stock at 1 January t+1
        half = 1.0 / np.sqrt(1.0 + interest[sr, t])
        grow = 1.0 + index[sj, t]
        for p in range(N_TYPES):
            lim = limit if p == ORPHAN else NO_LIMIT
            top = min(lim, A)  # ages >= top hold nobody
            for g in range(2):
                # the year's factors by age, the same for every sector
                for x in range(top):
                    qq[x] = min(factors[p] * q[sq, t, g, x], 1.0)
                    surv[x] = 1.0 - qq[x]
                    payf[x] = 1.0 - 0.5 * qq[x]
                    live[x] = surv[x] / payf[x] if qq[x] < 1.0 else 0.0
                    nxt = 0.0 if x + 1 >= lim else V[p, t + 1, g, min(x + 1, A - 1)]
                    wfac[x] = 0.5 + live[x] * grow * half * nxt
                for k in range(Kp):
                    n_sum = b_sum = an_sum = ab_sum = liab = pay = capv = dead = gone = 0.0
                    Nk, Bk, Ank, Abk = N[k, p, g], B[k, p, g], An[k, p, g], Ab[k, p, g]
                    carry_n = carry_b = 0.0  # survivors moving to age x+1, written after age x+1 is read
                    for x in range(top - 1, -1, -1):
                        n, b, an, ab = Nk[x], Bk[x], Ank[x], Abk[x]
                        n_sum += n
                        b_sum += b
                        an_sum += an
                        ab_sum += ab
                        liab += b * V[p, t, g, x]
                        pay += b * payf[x] + 0.5 * ab
                        capv += ab * wfac[x]
                        dead += n * qq[x] + an * (1.0 - live[x])
                        stay_n = n * surv[x] + an * live[x]
                        stay_b = (b * surv[x] + ab * live[x]) * grow
                        if x + 1 >= lim:
                            gone += stay_n
                            stay_n = stay_b = 0.0
                        if detail and x < X:
                            award_detail[s, t, 0, p, g, x] += an
                            award_detail[s, t, 1, p, g, x] += ab
                        if x == A - 1:  # the open group keeps its survivors
                            carry_n, carry_b = stay_n, stay_b
                            continue
                        Nk[x + 1] = carry_n + stay_n
                        Bk[x + 1] = carry_b + stay_b
                        carry_n = carry_b = 0.0
                    Nk[0] = 0.0
                    Bk[0] = 0.0
                    benef_n[s, t, p, g] += n_sum
                    benef_b[s, t, p, g] += b_sum
                    awards_n[s, t, p, g] += an_sum
                    awards_b[s, t, p, g] += ab_sum
                    liability[s, t, k] += liab
                    paid[s, t, k, p] += pay
                    capitalised[s, t, k] += capv
                    deaths[s, t, p] += dead
                    leavers[s, t, p] += gone
    for k in range(Kp):
        for p in range(N_TYPES):
            for g in range(2):
                for x in range(A):
                    liability[s, T, k] += B[k, p, g, x] * V[p, T, g, x]


@njit(cache=True, parallel=True, error_model="numpy")
def project_injury(insured, wage, q, aw, interest, index, shares, relw, incidence, age_rel, disease,
                   disease_out, married, medical, factors, par, terminal, N0, B0,
                   payroll, insured_out, claims, disease_claims, temporary, lumps, funeral, medical_cost,
                   paid, capitalised, liability, awards_n, awards_b, benef_n, benef_b, deaths, leavers,
                   award_detail):
    for s_ in prange(payroll.shape[0]):
        _scenario(np.int64(s_), insured, wage, q, aw, interest, index, shares, relw, incidence, age_rel,
                  disease, disease_out, married, medical, factors, par, terminal, N0, B0,
                  payroll, insured_out, claims, disease_claims, temporary, lumps, funeral, medical_cost,
                  paid, capitalised, liability, awards_n, awards_b, benef_n, benef_b, deaths, leavers,
                  award_detail)


def run_injury(*args):
    """``project_injury(*args)``; with one scenario its serial body ``_scenario`` is
    called directly (the same compiled arithmetic, the same bits): no thread pool
    woken for a single scenario, and the parallel kernel is compiled only when a
    run has several scenarios (issue 17)."""
    payroll = args[19]
    if payroll.shape[0] == 1:
        _scenario(np.int64(0), *args)
    else:
        project_injury(*args)
