"""Accrued DB rights converted into another design's currency (``pension.transition``,
``accrued_rights: converted``, rule ``present_value``).

An insured of sex g aged x on 1 January of the transition year t0 with the accrued DB
pension P (``_pension_kernels._convert_rights``: accrual x credits x reference earnings at
t0's wages, no vesting or minimum) reaches the pensionable age after n years, the first n
with x + n >= R(t0 + n); the conversion credits him with

  V = P v^n  np_x  ä(t0 + n, x + n),   v = 1 / (1 + rate)

np_x = prod_{k<n} (1 - q(t0 + k, x + k)) along the cohort's diagonal of the projected death
probabilities (years past the projection at the last year's), ä the cohort annuity-due at the
rate (``pension_dc.annuity_factors``, no indexation: the rate is net of the pension's
indexation). Notional accounts keep the capital of those who die in their cohort (inheritance
gains), so the value is the actuarial one (with np_x): the initial notional capital of Sweden
(1999), Italy (1995, the pro-rata of the Dini reform), Poland (1999, kapitał początkowy) and
Latvia (1996). An individual account's balance goes to the heirs at death, so the recognition
bond is worth P v^n ä (np_x = 1), as Chile's bono de reconocimiento (DL 3.500 of 1980, art. 3
transitorio) is paid at retirement or death. With the rate equal to the NDC's norm and notional
rate, the pension from the converted capital is P for every survivor (the conservation check,
validation case ``ndc_conversion``).
"""

from __future__ import annotations

import numpy as np

from actuarial.projection.pension_dc import annuity_factors


def present_values(accrued: np.ndarray, q: np.ndarray, R: np.ndarray, t0: int, rate: float,
                   survival: bool) -> np.ndarray:
    """V (scenario, 2, X) of the accrued pensions ``accrued`` (scenario, 2, X) at year index ``t0``;
    q (scenario, T, 2, X) death probabilities, R (T, 2) whole pensionable ages (module docstring)."""
    n_s = max(accrued.shape[0], q.shape[0])
    T, X = q.shape[1], q.shape[3]
    af = annuity_factors(q, rate, 0.0)
    out = np.zeros((n_s, 2, X))
    for g in range(2):
        for x in range(X):
            if not np.any(accrued[:, g, x]):
                continue
            n, p = 0, np.ones(q.shape[0])
            while x + n < R[min(t0 + n, T - 1), g]:
                if survival:
                    p = p * (1.0 - q[:, min(t0 + n, T - 1), g, min(x + n, X - 1)])
                n += 1
            out[:, g, x] = accrued[:, g, x] * (1.0 + rate) ** -n * p * af[:, min(t0 + n, T - 1), g, min(x + n, X - 1)]
    return out
