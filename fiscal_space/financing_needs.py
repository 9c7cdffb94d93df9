"""Gross financing needs and the effective interest rate from the debt's structure.

Gross financing needs (IMF 2013, *Staff Guidance Note for Public Debt
Sustainability Analysis in Market-Access Countries*, section on GFN; its MAC
DSA template, "gross financing need = primary deficit + interest payments +
amortisation of debt"), all as fractions of GDP of year t:

    GFN(t) = interest(t) + amortisation(t) - pb(t) + sfa(t)

(sfa: other flows that need financing, as the template's "other flows").

**The debt's structure** (``fiscal_space.debt_profile``). The debt on
1 January is held in three buckets, each with the same foreign-currency
share alpha: short-term debt S (maturity up to a year: all of it is repaid
and rolled over each year), the existing long-term debt E (of the base year)
and the new long-term debt N (issued in the projection). In year t, with the
stocks expressed in GDP of year t (divided by 1 + n(t)):

    amortisation = S + E / m (or the schedule, at most E) + N / m
    interest     = S rs(t) + E re(t) + W,   W = sum over vintages of N_v r_v
    new borrowing B(t) = GFN(t): a share sigma(t) short-term, 1 - sigma long
    term at the rate rl(t) of its year of issue, kept to maturity;

m is the average maturity of long-term debt (each year 1/m of every
long-term vintage is repaid, so W decays with N), rs and rl the marginal
short and long rates, re the rate on the existing debt. Short-term debt
reprices each year at rs(t). With a risk premium the marginal rates of year
t rise by bp / 10,000 x max(0, d(t) - threshold), d(t) the debt on 1 January
of t / GDP of t - 1 (the previous year's end-year ratio), at most a cap if
one is given, so that a path with more debt pays more on its new borrowing. The foreign-currency part of the
stock and its interest is revalued at the end of the year,
V = alpha e (d + interest), spread over the buckets in proportion to their
stocks; the stocks on 1 January of t + 1 (in GDP of t) then sum to

    d(t+1) = d(t) (1 + r(t)) (1 + alpha e) / (1 + n) - pb(t) + sfa(t),
    r(t) = interest(t) / debt on 1 January (the effective rate),

the equation of :mod:`fiscal_space.debt`. With every rate equal to r(t) and
no premium, the effective rate is r(t) and the debt path the closed form's.
Without rates (``floating``) each bucket pays the given effective rate r(t)
and only the amortisation comes from the structure. Negative new borrowing
(a financing surplus) retires debt in the same short / long shares.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Profile:
    """The engine's debt profile on the case's years (see the module docstring)."""

    short_term_share: np.ndarray  # sigma(t), share of the debt (and of new borrowing) that is short-term
    maturity: float  # m, average maturity of long-term debt (years)
    amortisation_gdp: np.ndarray | None  # schedule of the existing long-term debt's repayments / GDP
    existing_rate: np.ndarray | None  # re(t)
    short_rate: np.ndarray | None  # rs(t)
    long_rate: np.ndarray | None  # rl(t)
    premium_threshold_gdp: float | None = None
    premium_bp_per_point: float = 0.0
    premium_max_bp: float | None = None  # cap of the premium (basis points)

    @property
    def rated(self) -> bool:
        """True when the profile gives the rates (the effective rate is computed)."""
        return self.existing_rate is not None


@dataclass(frozen=True)
class DebtPaths:
    """Paths of :func:`structure_path`, leading axes first, years last."""

    debt: np.ndarray  # (..., T + 1) d(0..T)
    interest_gdp: np.ndarray  # (..., T) interest paid / GDP
    amortisation_gdp: np.ndarray  # (..., T)
    gross_financing_needs_gdp: np.ndarray  # (..., T)
    effective_rate: np.ndarray  # (..., T) interest / debt on 1 January
    risk_premium: np.ndarray  # (..., T) added to the marginal rates


def structure_path(d0, nominal_growth, alpha, depreciation, pb, sfa, profile: Profile, rate=None,
                   rate_shift=0.0, marginal_shift=0.0) -> DebtPaths:
    """Debt, interest, amortisation and GFN year by year from the debt's structure.

    Arrays broadcast to (..., T): the leading axes (reforms, stress tests,
    r - g shifts) are computed together, the years in a loop. ``rate`` (the
    effective rate r(t)) is used when the profile gives no rates; else the
    rates come from the profile, each plus ``rate_shift``; ``marginal_shift``
    is added to the marginal (short and long) rates only, the existing debt
    keeping its rate (the MAC DSA interest rate stress test).
    """
    shape = np.broadcast_shapes(np.shape(d0) + (1,), np.shape(nominal_growth), np.shape(alpha),
                                np.shape(depreciation), np.shape(pb), np.shape(sfa), np.shape(rate_shift),
                                np.shape(marginal_shift))
    T = shape[-1]
    full = lambda x: np.broadcast_to(np.asarray(x, float), shape)  # noqa: E731
    n, ae, pb, sfa, shift = full(nominal_growth), full(alpha) * full(depreciation), full(pb), full(sfa), \
        full(rate_shift)
    mshift = full(marginal_shift)
    sigma = full(profile.short_term_share)
    rated = profile.rated
    if not rated and rate is None:
        raise ValueError("a profile without rates needs the effective rate")
    lead = shape[:-1]
    d_start = np.broadcast_to(np.asarray(d0, float), lead)
    short = sigma[..., 0] * d_start
    existing = (1 - sigma[..., 0]) * d_start
    new = np.zeros(lead)
    w = np.zeros(lead)  # sum of new long-term vintages x their rates
    out = {k: np.empty(shape) for k in ("interest", "amort", "gfn", "rate", "premium")}
    debt = np.empty((*lead, T + 1))
    debt[..., 0] = d_start
    inv_m = 1.0 / profile.maturity
    for t in range(T):
        g1 = 1 + n[..., t]
        d_open = short + existing + new
        s, ex, nl, w = short / g1, existing / g1, new / g1, w / g1
        d = d_open / g1
        if rated:
            prem = np.zeros(lead)
            if profile.premium_threshold_gdp is not None:
                prem = profile.premium_bp_per_point * 1e-2 * np.maximum(0.0, d_open - profile.premium_threshold_gdp)
                if profile.premium_max_bp is not None:
                    prem = np.minimum(prem, profile.premium_max_bp * 1e-4)
            rs = profile.short_rate[t] + shift[..., t] + mshift[..., t] + prem
            rl = profile.long_rate[t] + shift[..., t] + mshift[..., t] + prem
            interest = s * rs + ex * (profile.existing_rate[t] + shift[..., t]) + w
        else:
            prem = np.zeros(lead)
            interest = np.broadcast_to(np.asarray(rate, float), shape)[..., t] * d
            rl = 0.0
        am_e = ex * inv_m if profile.amortisation_gdp is None else np.minimum(
            np.maximum(profile.amortisation_gdp[t], 0.0), np.maximum(ex, 0.0))
        am_n = nl * inv_m
        amort = s + am_e + am_n
        gfn = interest + amort - pb[..., t] + sfa[..., t]
        long_new = (1 - sigma[..., t]) * gfn
        ex, nl = ex - am_e, nl - am_n + long_new
        w = w * (1 - inv_m) + long_new * rl
        s = sigma[..., t] * gfn
        after = s + ex + nl
        reval = ae[..., t] * (d + interest)
        safe = np.where(after != 0, after, 1.0)
        scale = np.where(after != 0, 1 + reval / safe, 1.0)
        s = np.where(after != 0, s * scale, s + reval)  # no stock left: the revaluation is short-term
        short, existing, new, w = s, ex * scale, nl * scale, w * scale
        debt[..., t + 1] = short + existing + new
        out["interest"][..., t], out["amort"][..., t], out["gfn"][..., t] = interest, amort, gfn
        out["rate"][..., t] = np.where(d != 0, interest / np.where(d != 0, d, 1.0), np.nan)
        out["premium"][..., t] = prem
    return DebtPaths(debt, out["interest"], out["amort"], out["gfn"], out["rate"], out["premium"])
