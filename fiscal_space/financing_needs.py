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
    r - g shifts) flattened to one row per path, the years in a loop of the
    numba kernel ``fiscal_space._debt_kernels.structure_rows``. ``rate`` (the
    effective rate r(t)) is used when the profile gives no rates; else the
    rates come from the profile, each plus ``rate_shift``; ``marginal_shift``
    is added to the marginal (short and long) rates only, the existing debt
    keeping its rate (the MAC DSA interest rate stress test).
    """
    from fiscal_space._debt_kernels import structure_rows  # numba: not for reading the assumptions (Profile)

    shape = np.broadcast_shapes(np.shape(d0) + (1,), np.shape(nominal_growth), np.shape(alpha),
                                np.shape(depreciation), np.shape(pb), np.shape(sfa), np.shape(rate_shift),
                                np.shape(marginal_shift))
    T = shape[-1]
    lead = shape[:-1]
    L = int(np.prod(lead, dtype=np.int64))  # the paths, one row each
    # fresh writable C-ordered copies: a broadcast view is read-only (or F-ordered), and numba would compile one more
    # specialisation for each mix of layouts (4 in a Demoland run, 1.6 s of the first run)
    rows = lambda x: np.array(np.broadcast_to(np.asarray(x, float), shape), order="C").reshape(L, T)  # noqa: E731
    rated = profile.rated
    if not rated and rate is None:
        raise ValueError("a profile without rates needs the effective rate")
    n, pb, sfa, shift, mshift = rows(nominal_growth), rows(pb), rows(sfa), rows(rate_shift), rows(marginal_shift)
    ae = rows(np.broadcast_to(np.asarray(alpha, float), shape) * np.broadcast_to(np.asarray(depreciation, float),
                                                                                   shape))
    none = np.zeros(T)  # a profile's missing rates or schedule (not read)
    given = lambda x: none if x is None else np.array(x, dtype=float)  # noqa: E731
    threshold, cap = profile.premium_threshold_gdp, profile.premium_max_bp
    debt = np.empty((L, T + 1))
    out = [np.empty((L, T)) for _ in range(5)]  # interest, amortisation, GFN, effective rate, premium
    structure_rows(np.array(np.broadcast_to(np.asarray(d0, float), lead)).reshape(L), n, ae, pb, sfa,
                   rows(profile.short_term_share), shift, mshift, rows(0.0 if rate is None else rate),
                   1.0 / profile.maturity, rated, given(profile.short_rate), given(profile.long_rate),
                   given(profile.existing_rate), given(profile.amortisation_gdp), profile.amortisation_gdp is not None,
                   0.0 if threshold is None else float(threshold), threshold is not None,
                   float(profile.premium_bp_per_point), 0.0 if cap is None else float(cap), cap is not None,
                   debt, *out)
    debt = debt.reshape(*lead, T + 1)
    out = [x.reshape(shape) for x in out]
    return DebtPaths(debt, *out)
