"""Parametric age schedules: mortality laws, fertility and migration forms.

Each form is a pure function of single ages 0..100; ``FORMS`` lists them
with the quantity they give and the valid range of each parameter, which
the assumption loader uses to validate ``{form: NAME, param: value...}``.
"""

from __future__ import annotations

import numpy as np

AGES = np.arange(101, dtype=float)


def gompertz_makeham(a: float, b: float, c: float = 0.0, ages=AGES) -> np.ndarray:
    """Central death rates m_x from the Gompertz-Makeham force of mortality.

    mu(x) = c + a * exp(b * x)   (Makeham 1860; c = 0 gives Gompertz 1825).
    m_x is taken as mu at mid-age, m_x = mu(x + 1/2), which is exact to
    O(b^2) for the log-linear hazard.
    """
    return c + a * np.exp(b * (np.asarray(ages, dtype=float) + 0.5))


def heligman_pollard(A, B, C, D, E, F, G, H, ages=AGES) -> np.ndarray:
    """Probabilities of dying q_x from the Heligman-Pollard (1980) law.

    q_x / p_x = A^((x+B)^C) + D exp(-E (ln x - ln F)^2) + G H^x,
    so q_x = r / (1 + r) with r the right-hand side (Heligman & Pollard,
    J. Inst. Actuaries 107, 1980, eq. 1). The accident hump term is 0 at x=0.
    """
    x = np.asarray(ages, dtype=float)
    with np.errstate(divide="ignore"):
        hump = np.where(x > 0, D * np.exp(-E * (np.log(np.maximum(x, 1e-300)) - np.log(F)) ** 2), 0.0)
    r = A ** ((x + B) ** C) + hump + G * H**x
    return r / (1.0 + r)


def hadwiger(H: float, T: float, ages=AGES) -> np.ndarray:
    """Age pattern of fertility (sums to 1) from the Hadwiger (1940) function.

    f(x) proportional to (T/x)^(3/2) exp(-H^2 (T/x + x/T - 2)), evaluated at
    mid-age x + 1/2 over ages 10..54 and 0 elsewhere (Chandola, Coleman &
    Hiorns 1999, Population Studies 53). T is close to the mean age at
    childbearing, H sets the spread.
    """
    x = np.asarray(ages, dtype=float) + 0.5
    f = (T / x) ** 1.5 * np.exp(-(H**2) * (T / x + x / T - 2.0))
    f = np.where((x > 10) & (x < 55), f, 0.0)
    return f / f.sum()


def rogers_castro(a1, alpha1, a2, alpha2, mu2, lambda2, c=0.0, ages=AGES) -> np.ndarray:
    """Age pattern of migration (sums to 1), Rogers & Castro (1981) model.

    M(x) = a1 exp(-alpha1 x) + a2 exp(-alpha2 (x - mu2) - exp(-lambda2 (x - mu2))) + c,
    the childhood, labour-force and constant components, normalised.
    """
    x = np.asarray(ages, dtype=float)
    m = a1 * np.exp(-alpha1 * x) + a2 * np.exp(-alpha2 * (x - mu2) - np.exp(-lambda2 * (x - mu2))) + c
    return m / m.sum()


_POS = (0.0, None)
# name: (function, quantity, {parameter: (lower bound, upper bound)})
FORMS = {
    "gompertz_makeham": (gompertz_makeham, "mx", {"a": (0.0, 1.0), "b": (0.0, 1.0), "c": (0.0, 1.0)}),
    "heligman_pollard": (heligman_pollard, "qx", {
        "A": (0.0, 1.0), "B": (0.0, 1.0), "C": (0.0, 1.0), "D": (0.0, 1.0),
        "E": _POS, "F": (1e-6, 100.0), "G": (0.0, 1.0), "H": (1.0, 2.0)}),
    "hadwiger": (hadwiger, "pattern", {"H": (1e-6, None), "T": (10.0, 55.0)}),
    "rogers_castro": (rogers_castro, "pattern", {
        "a1": _POS, "alpha1": _POS, "a2": _POS, "alpha2": _POS,
        "mu2": (0.0, 100.0), "lambda2": _POS, "c": _POS}),
}
