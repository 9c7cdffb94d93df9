"""Decomposition of the change in the debt ratio (the IMF template's debt-creating flows).

IMF (2013), *Staff Guidance Note for Public Debt Sustainability Analysis in
Market-Access Countries*, and its MAC DSA template ("Contribution to changes
in public debt", footnotes 5-7); Escolano (2010), IMF TNM/10/02, section II.

With the engine's timing (d(t) = debt on 1 January of t / GDP of t - 1, flows
of year t as fractions of GDP of t; :mod:`fiscal_space.debt`),

    d(t+1) = d(t) (1 + r)(1 + alpha e) / (1 + n) - pb(t) + sfa(t),
    1 + n = (1 + g)(1 + pi),

so that d(t+1) - d(t) = d [r - pi (1 + g) - g + alpha e (1 + r)] / (1 + n)
- pb + sfa. The template's split of the automatic debt dynamics (its
footnote 5: "[(r - pi(1+g) - g + ae(1+r)] / (1+g+pi+g pi) times previous
period debt ratio"; footnote 6: the real interest rate contribution from
r - pi (1+g), real growth from -g; footnote 7: the exchange rate from
ae (1+r)), with the real interest rate split further into the nominal rate
and the deflator:

    interest_rate          d r / (1 + n)
    inflation              -d pi (1 + g) / (1 + n)
    real_growth            -d g / (1 + n)
    exchange_rate          d alpha e (1 + r) / (1 + n)
    primary_deficit        -pb
    stock_flow_adjustment  sfa
    residual               d(t+1) - d(t) - the sum of the above

(interest_rate + inflation is the template's "real interest rate"
contribution). The residual is the change not explained by these flows: zero
to rounding when d(t+1) comes from the equation above with the same r.
"""

from __future__ import annotations

import numpy as np

COMPONENTS = ("interest_rate", "inflation", "real_growth", "exchange_rate", "primary_deficit",
              "stock_flow_adjustment", "residual")
COMPONENT_LABELS = {
    "interest_rate": "effective nominal interest rate, d r / (1 + n)",
    "inflation": "GDP deflator, -d pi (1 + g) / (1 + n)",
    "real_growth": "real GDP growth, -d g / (1 + n)",
    "exchange_rate": "exchange-rate depreciation, d alpha e (1 + r) / (1 + n)",
    "primary_deficit": "primary deficit, -pb",
    "stock_flow_adjustment": "stock-flow adjustment (other identified flows), sfa",
    "residual": "residual: the change not explained by the flows above",
}


def decompose(debt, r, g, pi, alpha, e, pb, sfa) -> np.ndarray:
    """Contributions to d(t+1) - d(t), shape (..., year, component) in
    :data:`COMPONENTS` order.

    ``debt`` (..., T + 1): d(0..T), the debt after the flows of the last year
    included; the other arguments (..., T) or broadcastable: r the effective
    nominal rate, g real growth and pi the deflator into year t (1 + n =
    (1 + g)(1 + pi)), alpha the foreign-currency share, e the depreciation,
    pb the primary balance, sfa the stock-flow adjustment (fractions of GDP).
    The components sum to the change by construction of the residual, which
    is itself zero to rounding for a path of the equation above.
    """
    debt = np.asarray(debt, float)
    d = debt[..., :-1]
    change = debt[..., 1:] - d
    r, g, pi, alpha, e, pb, sfa = (np.asarray(x, float) for x in (r, g, pi, alpha, e, pb, sfa))
    growth = (1 + g) * (1 + pi)
    parts = [d * r / growth, -d * pi * (1 + g) / growth, -d * g / growth, d * alpha * e * (1 + r) / growth,
             np.broadcast_to(-pb, change.shape), np.broadcast_to(sfa, change.shape)]
    parts = np.broadcast_arrays(*parts, change)[:-1]
    explained = parts[0] + parts[1] + parts[2] + parts[3] + parts[4] + parts[5]
    return np.stack([*parts, change - explained], axis=-1)
