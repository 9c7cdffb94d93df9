"""Numba kernel of the debt's structure year by year (:func:`fiscal_space.financing_needs.structure_path`).

The recursion of :mod:`fiscal_space.financing_needs` (its module docstring
gives the formulas) for one path at a time, each path a row of the (L, T)
inputs: the same operations in the same order as the numpy version it
replaced (issue 17: that one paid numpy's call overhead for every bucket of
every year, about a quarter of the fiscal stage), so the same numbers.
``_maximum`` / ``_minimum`` are numpy's ``maximum`` / ``minimum`` of two
floats (a NaN propagates).
"""

from __future__ import annotations

import os

import numpy as np
from numba import njit

# ACTUARIAL_NOJIT=1 runs the kernels as plain Python (debugging, coverage), as the engine's kernels
if os.environ.get("ACTUARIAL_NOJIT") == "1":  # pragma: no cover
    def njit(*args, **kwargs):  # noqa: F811
        return (lambda f: f) if not args or not callable(args[0]) else args[0]


@njit(cache=True)
def _maximum(a, b):
    return a if (a >= b or a != a) else b


@njit(cache=True)
def _minimum(a, b):
    return a if (a <= b or a != a) else b


@njit(cache=True, error_model="numpy")  # x / 0: inf or NaN, as numpy
def structure_rows(d0, n, ae, pb, sfa, sigma, shift, mshift, rate, inv_m, rated, short_rate, long_rate,
                   existing_rate, schedule, has_schedule, threshold, has_threshold, bp, cap, has_cap,
                   debt, interest_out, amort_out, gfn_out, rate_out, premium_out):
    """Fill ``debt`` (L, T + 1) and the (L, T) outputs; inputs (L, T) by path
    (``rate``: the effective rate of a profile without rates), the profile's
    rates and ``schedule`` (T,), ``d0`` (L,)."""
    L, T = n.shape
    for i in range(L):
        short = sigma[i, 0] * d0[i]
        existing = (1 - sigma[i, 0]) * d0[i]
        new = 0.0
        w = 0.0  # sum of new long-term vintages x their rates
        debt[i, 0] = d0[i]
        for t in range(T):
            g1 = 1 + n[i, t]
            d_open = short + existing + new
            s, ex, nl, w = short / g1, existing / g1, new / g1, w / g1
            d = d_open / g1
            prem = 0.0
            if rated:
                if has_threshold:
                    prem = bp * 1e-2 * _maximum(0.0, d_open - threshold)
                    if has_cap:
                        prem = _minimum(prem, cap * 1e-4)
                rs = short_rate[t] + shift[i, t] + mshift[i, t] + prem
                rl = long_rate[t] + shift[i, t] + mshift[i, t] + prem
                interest = s * rs + ex * (existing_rate[t] + shift[i, t]) + w
            else:
                interest = rate[i, t] * d
                rl = 0.0
            am_e = ex * inv_m if not has_schedule else _minimum(_maximum(schedule[t], 0.0), _maximum(ex, 0.0))
            am_n = nl * inv_m
            amort = s + am_e + am_n
            gfn = interest + amort - pb[i, t] + sfa[i, t]
            long_new = (1 - sigma[i, t]) * gfn
            ex, nl = ex - am_e, nl - am_n + long_new
            w = w * (1 - inv_m) + long_new * rl
            s = sigma[i, t] * gfn
            after = s + ex + nl
            reval = ae[i, t] * (d + interest)
            if after != 0:
                scale = 1 + reval / after
                s = s * scale
            else:  # no stock left: the revaluation is short-term
                scale = 1.0
                s = s + reval
            short, existing, new, w = s, ex * scale, nl * scale, w * scale
            debt[i, t + 1] = short + existing + new
            interest_out[i, t], amort_out[i, t], gfn_out[i, t] = interest, amort, gfn
            rate_out[i, t] = interest / d if d != 0 else np.nan
            premium_out[i, t] = prem
