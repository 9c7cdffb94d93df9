"""Accrued-to-date liability of a pension scheme at the valuation date.

Generational (cohort) mortality: a person aged x at the valuation year t0
dies in year t0 + k with the projected q of age x + k in that year,
q(t0 + k, x + k), read along the cohort diagonal of the demography node's
``death_probability``; ages past 100 by the life tables' extension
(``lifetable.extend_qx``: Gompertz law fitted to ages 80-99 of each year,
to age 130, then q_130), years past the projection at the last year's q.
Invalidity pensioners die with q x the scheme's mortality factor (capped
at 1), as in ``_pension_kernels``. Economic rates are the base year's:
annuities at j = (1 + d) / (1 + indexation) - 1, accrued pensions revalued
with wages to the pensionable age and discounted at d.

Annuity-due of 1 a year along the cohort (m = 12 payments a year, two-term
Woolhouse c = (m - 1) / 2m; Dickson, Hardy & Waters, AMLCR, sec. 5.11):
  W(t, x) = 1 + v p(t, x) W(t + 1, x + 1),  v = 1 / (1 + j),  ä(t, x) = W(t, x) - c.

Contingent survivors' pensions (reversionary annuity on the spouse), with
the pension kernel's survivor model: a member of sex g dying at age x
leaves a spouse with probability h_g(x) (``survivors.married``), of the
other sex, aged y(x) = x - D (husband dying) or x + D (wife dying),
D = ``spouse_age_difference``; the spouse receives ``pension_share`` s of
the member's pension from the death (half a year in the year of death,
as the kernel pays it) and for life. Per unit of the member's pension:
  RV(t, x) = q(t, x) h_g(x) [ v^(1/2) / 2 + v ä_spouse(t + 1, y(x) + 1) ]
             + v p(t, x) RV(t + 1, x + 1)
(the "collective" or married-at-death method of social-security
valuations, ILO actuarial practice; Iyer 1999, Actuarial Mathematics of
Social Security Pensions, ILO/ISSA, ch. 4). Without the half-year term,
with annual payments and h_g(x + k) = h (k+1)p_y (a spouse alive at the
valuation with probability h, independent lives), it is h a_{x|y} =
h (a_y - a_xy), the reversionary annuity of Bowers et al. (1997),
Actuarial Mathematics, sec. 9.4.

Liability (all at the valuation date, 1 January of the base year):
  pensions in payment   sum_{k,g,x} B_k(g, x) ä_k(t0, x)  (survivors' own
                        mortality for survivors' pensions)
  their survivors       s sum_{k in old age, invalidity} B_k(g, x) RV_k(t0, x)
  accrued old-age       sum P(g, x, c) r^n  np_x ä(t0 + n, R)
  their survivors       s sum P r^n  np_x RV(t0 + n, R)            (after R)
                      + s sum P sum_{k<n} r^k  kp_x q(t0+k, x+k) h_g(x+k)
                          [ v^(1/2) / 2 + v ä_spouse(t0+k+1, y(x+k)+1) ]  (before R)
with P = accrual x c x min(wage x average scale, ceiling) the pension
accrued by an insured aged x with c credits, n = R - x, R the base year's
pensionable age, r = (1 + wage growth) / (1 + d). Vesting and the minimum
and maximum pensions are not applied to accrued rights.
"""

from __future__ import annotations

import numpy as np

from actuarial.demography.lifetable import OPEN_GROUP_LABELS, extend_qx
from actuarial.projection import _liability_kernels as kern

PAYMENTS_PER_YEAR = 12
CHUNK = 16  # scenarios of mortality processed at a time (W is scenario x year x sex x 131)
LABEL = ("generational mortality along each cohort; "
         f"{OPEN_GROUP_LABELS['gompertz']}; contingent survivors' pensions valued")


def cohort_annuities(Q: np.ndarray, v: float) -> np.ndarray:
    """W(s, t, g, x) = 1 + v p(t, x) W(t + 1, x + 1) for Q (s, T, 2, A);
    the last year's table holds past the projection (period annuity) and
    the last age's q beyond it: W(t, A-1) = 1 / (1 - v p(t, A-1))."""
    W = np.empty_like(Q, dtype=np.float64)
    kern.cohort_annuities_into(Q, float(v), W)  # the recursion in a numba kernel
    return W


def spouse_ages(g: int, n_ages: int, difference: int) -> np.ndarray:
    """Spouse's age y(x) of a member of sex g (0 female, 1 male) at each age x."""
    x = np.arange(n_ages)
    return np.clip(x - difference if g == 1 else x + difference, 0, n_ages - 1)


def survivor_at_death(Wsp: np.ndarray, g: int, v: float, c: float, difference: int) -> np.ndarray:
    """(s, T, A): value at the death, per unit of pension, of the survivor's
    pension when the member of sex g dies at age x in year t:
    v^(1/2) / 2 + v ä_spouse(t + 1, y(x) + 1)."""
    A = Wsp.shape[-1]
    nxt = np.minimum(spouse_ages(g, A, difference) + 1, A - 1)
    later = np.concatenate([Wsp[:, 1:], Wsp[:, -1:]], axis=1)  # year t + 1 (last year holds)
    return 0.5 * np.sqrt(v) + v * (later[..., nxt] - c)


def reversionary(Qm: np.ndarray, h: np.ndarray, at_death: np.ndarray, v: float) -> np.ndarray:
    """RV(s, t, x) = q h [at_death] + v p RV(t + 1, x + 1) for one sex
    (Qm, at_death (s, T, A), h (A,)); the last year holds past the projection
    and the last age is stationary, RV = a / (1 - v p)."""
    a = Qm * h * at_death
    RV = np.empty_like(Qm, dtype=np.float64)
    kern.reversionary_into(Qm, a, float(v), RV)  # the recursion in a numba kernel
    return RV


def _factors(q, inv_factor, married, R, x_lo, v, rev, c, difference):
    """Per unit of pension, for one chunk of mortality scenarios q (s, T, 2, 101):
    pay (s, 3, 2, 101), rev_pay (s, 2, 2, 101), and for the insured
    old (s, 2, X), post (s, 2, X), pre (s, 2, X) by age at the valuation."""
    Q = extend_qx(q)  # (s, T, 2, 131)
    Qi = np.minimum(Q * inv_factor, 1.0)
    s, T, _, A = Q.shape
    X = q.shape[-1]
    W, Wi = cohort_annuities(Q, v), cohort_annuities(Qi, v)
    h = np.concatenate([married, np.repeat(married[:, -1:], A - X, axis=1)], axis=1)  # (2, A)
    pay = np.stack([W[:, 0, :, :X], Wi[:, 0, :, :X], W[:, 0, :, :X]], axis=1) - c
    rev_pay = np.zeros((s, 2, 2, X))
    old, post, pre = (np.zeros((s, 2, X)) for _ in range(3))
    for g in range(2):
        at_death = survivor_at_death(W[:, :, 1 - g], g, v, c, difference)
        RV = reversionary(Q[:, :, g], h[g], at_death, v)
        RVi = reversionary(Qi[:, :, g], h[g], at_death, v)
        rev_pay[:, 0, g] = RV[:, 0, :X]
        rev_pay[:, 1, g] = RVi[:, 0, :X]
        r = int(R[g])
        if r > x_lo:
            _insured_factors(Q, W, RV, at_death, h[g], g, r, x_lo, rev, c, old, post, pre)
    return pay, rev_pay, old, post, pre


def _insured_factors(Q, W, RV, at_death, h, g, r, x_lo, rev, c, old, post, pre):
    """``old``, ``post`` and ``pre`` of sex g for the ages x = x_lo .. r - 1 at once:
    along each cohort k = 0 .. n - 1 (n = r - x), q_k = Q[min(k, T - 1), x + k],
    kp_k = prod_{j<k} (1 - q_j); old = rev^n kp_n (W[min(n, T - 1), r] - c),
    post = rev^n kp_n RV[min(n, T - 1), r], pre = sum_{k<n} rev^k kp_k q_k h[x + k]
    at_death[min(k, T - 1), x + k]. Each cohort's terms are the same products as
    one age at a time (a cohort padded to the longest, its padding after its n
    terms: the running products and the sums over its own n terms only), so the
    same bits."""
    s, T, _, A = Q.shape
    ages = np.arange(x_lo, r)
    n = r - ages  # (m,)
    k = np.arange(n[0])  # the longest cohort, x_lo's
    tk = np.minimum(k, T - 1)
    along = np.minimum(ages[:, None] + k, A - 1)  # (m, N); past a cohort's own n terms: padding
    qk = Q[:, tk, g, along]  # (s, m, N)
    run = np.cumprod(1.0 - qk, axis=2)  # kp_{k+1}
    rows = np.arange(ages.size)
    kp_n = run[:, rows, n - 1]
    tn = np.minimum(n, T - 1)
    rev_n = np.array([rev**int(i) for i in n])  # as one age at a time: Python's power of an int
    old[:, g, ages] = rev_n * kp_n * (W[:, tn, g, r] - c)
    post[:, g, ages] = rev_n * kp_n * RV[:, tn, r]
    kp = np.concatenate([np.ones((s, ages.size, 1)), run[..., :-1]], axis=2)
    terms = rev**k * (kp * qk * h[along] * at_death[:, tk, along])
    for i, length in enumerate(n):
        # its own n terms, in the layout one age at a time had (the fancy index puts the scenarios
        # innermost): summed in the same order, so the same bits
        pre[:, g, ages[i]] = np.asfortranarray(terms[:, i, :length]).sum(-1)


def accrued_liability(q, level0, scale_avg, ceiling0, R, A0, I0, N0, B0, accrual, inv_factor,
                      discount, wage_growth, indexation, x_lo, married, survivor_share,
                      spouse_age_difference) -> dict[str, np.ndarray]:
    """Accrued-to-date liability at the valuation date (module docstring).

    q (s, T, 2, X) projected probabilities of dying by year (the demography
    node's death_probability, the valuation year first); level0 (s, 2) wage
    at scale 1; scale_avg (X, C); ceiling0 (s,); R (2,) base-year pensionable
    ages; A0, I0 (s, 2, X, C); N0, B0 (s, 3, 2, X) pensioners and their
    annual pensions; married (2, X); rates are the base year's. Returns
    (s,) arrays: ``in_payment``, ``pensioners_survivors`` (contingent
    survivors' pensions of old-age and invalidity pensioners), ``insured``
    (accrued old-age rights) and ``insured_survivors``.
    """
    v = (1 + indexation) / (1 + discount)
    rev = (1 + wage_growth) / (1 + discount)
    c = (PAYMENTS_PER_YEAR - 1) / (2 * PAYMENTS_PER_YEAR)
    married = np.asarray(married, dtype=float)
    parts = [_factors(q[a:a + CHUNK], inv_factor, married, R, x_lo, v, rev, c, int(spouse_age_difference))
             for a in range(0, q.shape[0], CHUNK)]
    pay, rev_pay, old, post, pre = (np.concatenate(f, axis=0) for f in zip(*parts))
    in_payment = (B0 * pay).sum((1, 2, 3))
    pens_surv = survivor_share * (B0[:, :2] * rev_pay).sum((1, 2, 3))
    X, C = scale_avg.shape
    credits = np.arange(C)
    n = max(a.shape[0] for a in (q, level0, np.atleast_1d(ceiling0), A0))
    insured = np.zeros(n)
    ins_surv = np.zeros(n)
    for g in range(2):
        r = int(R[g])
        ref = np.minimum(level0[:, g, None, None] * scale_avg[None, x_lo:r, :],
                         np.reshape(ceiling0, (-1, 1, 1)))
        accrued = (A0[:, g, x_lo:r] + I0[:, g, x_lo:r]) * accrual * credits * ref  # (s, ages, C): pensions
        by_age = accrued.sum(-1)
        insured = insured + (by_age * old[:, g, x_lo:r]).sum(1)
        ins_surv = ins_surv + survivor_share * (by_age * (post[:, g, x_lo:r] + pre[:, g, x_lo:r])).sum(1)
    full = lambda a: np.broadcast_to(a, (max(n, np.shape(a)[0]),)).copy()  # noqa: E731
    return {"in_payment": full(in_payment), "pensioners_survivors": full(pens_surv),
            "insured": full(insured), "insured_survivors": full(ins_surv)}
