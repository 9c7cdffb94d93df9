"""Life tables, survival ratios and life annuity factors.

Life table from central death rates m_x by single age 0..100+ (UN World
Population Prospects conventions; Preston, Heuveline & Guillot 2001, ch. 3):

- a_x = 1/2 at ages 1..99; a_0 from q_0 by the Coale-Demeny West rule
  (female 0.05 + 3 q_0, male 0.0425 + 2.875 q_0; 0.35 / 0.33 when
  q_0 >= 0.1), solved as a fixed point with q_0 = m_0 / (1 + (1 - a_0) m_0);
- q_x = m_x / (1 + (1 - a_x) m_x), l_{x+1} = l_x (1 - q_x),
  L_x = l_{x+1} + a_x d_x;
- open group 100+: q_100 = 1 and L_100 = T_100, the person-years lived
  above 100, by one of two rules (``OPEN_GROUPS``):
  "gompertz" (default): a Gompertz law mu_x = exp(c + b x) fitted to ages
  80-99, with mu_x = -ln(1 - q_x) the constant force of each year of age,
  b the least-squares slope of ln mu_x on x (floored at 0) and c putting
  the law through mu_99; continued with q_x = 1 - exp(-mu_x) and
  L_x = (l_x + l_{x+1}) / 2 at ages 100..129, and a constant force mu_130
  beyond 130 (T_130 = l_130 / mu_130). m_100 is then not used. Gompertz
  (1825) extrapolation of old-age mortality, as in actuarial tables that
  continue past 100 on a law (e.g. Dickson, Hardy & Waters, AMLCR, the
  Standard Ultimate Survival Model to age 130). When some q_x at 80-99 is
  not in (0, 1) the fit is not defined and the "un" rule is used;
  "un": the UN WPP rule L_100 = l_100 / m_100 (constant force m_100 past
  100), kept in the UN-reproduction mode (demography from ``un_tables``);
- T_x = sum_{y>=x} L_y, e_x = T_x / l_x.

Life annuities continue the same law past 100 (``extend_qx``).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from actuarial.demography import _kernels

AGES = np.arange(101)
SEXES = ("female", "male")
OPEN_GROUPS = {"gompertz": _kernels.OPEN_GOMPERTZ, "un": _kernels.OPEN_UN}
OPEN_GROUP_LABELS = {
    "gompertz": "ages 100+ on a Gompertz law fitted to ages 80-99, to age 130",
    "un": "UN open group 100+: constant force m_100",
}


def open_group_rule(open_group: str) -> int:
    if open_group not in OPEN_GROUPS:
        raise ValueError(f"open_group must be one of {list(OPEN_GROUPS)}, got {open_group!r}")
    return OPEN_GROUPS[open_group]


def _female_flags(da: xr.DataArray) -> np.ndarray:
    """Per-table female flags for a DataArray whose last dims are (sex, age)."""
    flags = (da["sex"] == "female").broadcast_like(da.isel(age=0)).values
    return np.ascontiguousarray(flags.reshape(-1))


def life_table(mx: xr.DataArray, radix: float = 100_000.0, open_group: str = "gompertz") -> xr.Dataset:
    """Complete life tables from m_x with dims (..., sex, age).

    Returns a Dataset with mx, qx, ax, lx, dx, Lx, Tx, ex on the same dims;
    the open group 100+ by ``open_group`` (module docstring), whose rule the
    ex and Tx long_names state.
    """
    rule = open_group_rule(open_group)
    mx = mx.transpose(..., "sex", "age")
    check_rates(mx.values, "mx")
    flat = np.ascontiguousarray(mx.values.reshape(-1, mx.sizes["age"]), dtype=float)
    female = _female_flags(mx)
    lx, Lx, Tx = (np.empty_like(flat) for _ in range(3))
    _kernels.run_life_table_columns(flat, female, lx, Lx, Tx, rule)
    dx = np.empty_like(lx)
    dx[:, :-1] = lx[:, :-1] - lx[:, 1:]
    dx[:, -1] = lx[:, -1]
    with np.errstate(invalid="ignore", divide="ignore"):
        qx = np.where(lx > 0, dx / lx, 1.0)
        ax = np.where(dx > 0, (Lx - lx + dx) / dx, 0.5)
        ex = np.where(lx > 0, Tx / lx, 0.0)
    ax[:, -1] = ex[:, -1]
    shape = mx.shape
    data = {
        "mx": (flat, "1/year", "central death rate"),
        "qx": (qx, "1", "probability of dying between ages x and x+1"),
        "ax": (ax, "year", "average years lived in the interval by those dying"),
        "lx": (lx * radix, "persons", "survivors to exact age x"),
        "dx": (dx * radix, "persons", "deaths between ages x and x+1"),
        "Lx": (Lx * radix, "person-years", "person-years lived between ages x and x+1"),
        "Tx": (Tx * radix, "person-years", f"person-years lived above age x ({OPEN_GROUP_LABELS[open_group]})"),
        "ex": (ex, "year", f"life expectancy at age x ({OPEN_GROUP_LABELS[open_group]})"),
    }
    return xr.Dataset({
        name: xr.DataArray(v.reshape(shape), coords=mx.coords, dims=mx.dims,
                           attrs={"units": u, "long_name": ln})
        for name, (v, u, ln) in data.items()
    }, attrs={"radix": radix, "open_group": open_group})


def survival(mx: xr.DataArray, at_ages=(0, 65), open_group: str = "gompertz") -> tuple[xr.DataArray, xr.DataArray]:
    """Projection survival ratios S_x and life expectancy at ``at_ages``.

    S_0 = L_0 / l_0; S_x = L_x / L_{x-1}; S_100 = T_100 / (L_99 + T_100),
    T_100 by ``open_group`` (module docstring).
    """
    rule = open_group_rule(open_group)
    mx = mx.transpose(..., "sex", "age")
    flat = np.ascontiguousarray(mx.values.reshape(-1, mx.sizes["age"]), dtype=float)
    at = np.asarray(at_ages, dtype=np.int64)
    S = np.empty_like(flat)
    ex = np.empty((flat.shape[0], at.size))
    if _kernels.run_survival_ratios(flat, _female_flags(mx), S, ex, at, rule):
        raise ValueError("mx must be finite and non-negative, with a positive open age group "
                         "and survivors to age 99 (q_x < 1)")
    S_da = xr.DataArray(S.reshape(mx.shape), coords=mx.coords, dims=mx.dims,
                        attrs={"units": "1", "long_name": "survival ratio to age x"})
    e_da = xr.DataArray(
        ex.reshape(*mx.shape[:-1], at.size),
        coords={**{k: v for k, v in mx.coords.items() if "age" not in v.dims}, "at_age": at},
        dims=(*mx.dims[:-1], "at_age"),
        attrs={"units": "year", "long_name": f"period life expectancy ({OPEN_GROUP_LABELS[open_group]})"})
    return S_da, e_da


def qx_to_mx(qx: np.ndarray, female: bool) -> np.ndarray:
    """Central rates from probabilities of dying by single age 0..100.

    m_x = q_x / (1 - (1 - a_x) q_x) with the same a_x as ``life_table``
    (a_0 from q_0 directly). The open group uses the constant force that
    gives q_100 over one year, m_100 = -ln(1 - q_100); when q_100 = 1 it is
    extrapolated geometrically, m_100 = m_99^2 / m_98.
    """
    q = np.asarray(qx, dtype=float)
    check_rates(q, "qx")
    a = np.full(q.shape, 0.5)
    a[..., 0] = np.vectorize(lambda q0: _kernels.coale_demeny_a0(q0, female))(q[..., 0])
    m = q / (1.0 - (1.0 - a) * q)
    with np.errstate(divide="ignore"):
        open_m = np.where(q[..., -1] < 1.0, -np.log1p(-np.minimum(q[..., -1], 1 - 1e-16)),
                          m[..., -2] ** 2 / m[..., -3])
    m[..., -1] = open_m
    return m


def check_rates(values: np.ndarray, name: str) -> None:
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError(f"{name} must be finite and non-negative")
    if name == "qx" and np.any(values > 1):
        raise ValueError("qx must not exceed 1")
    if name == "mx" and np.any(values[..., -1] <= 0):
        raise ValueError("mx of the open age group 100+ must be positive")


# -- life annuities ---------------------------------------------------------------

def extend_qx(qx, open_group: str = "gompertz") -> np.ndarray:
    """q_x at ages 0..130 from q_x at ages 0..100 (last axis).

    Ages 0..100 keep the given q_x (q_100: the probability of dying between
    100 and 101). "gompertz": ages 101..130 from the Gompertz law fitted to
    ages 80-99 as in the module docstring (q_x = 1 - exp(-exp(c + b x)));
    rows where the fit is not defined (some q_x at 80-99 not in (0, 1))
    keep q_100, as "un" does at every age past 100.
    """
    q = np.asarray(qx, dtype=float)
    open_group_rule(open_group)
    n_ext = _kernels.LAST_AGE - (q.shape[-1] - 1)
    tail = np.repeat(q[..., -1:], n_ext, axis=-1)
    if open_group == "un" or q.shape[-1] <= _kernels.FIT_AGES + 1:
        return np.concatenate([q, tail], axis=-1)
    hi = q.shape[-1] - 2
    ages = np.arange(hi - _kernels.FIT_AGES + 1, hi + 1, dtype=float)
    window = q[..., hi - _kernels.FIT_AGES + 1:hi + 1]
    ok = np.all((window > 0) & (window < 1), axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.log(-np.log1p(-np.where(ok[..., None], window, 0.5)))
    xm = ages - ages.mean()
    b = np.maximum((y * xm).sum(-1) / (xm ** 2).sum(), 0.0)
    c = y[..., -1] - b * hi
    x_ext = np.arange(hi + 2, _kernels.LAST_AGE + 1, dtype=float)
    law = -np.expm1(-np.exp(c[..., None] + b[..., None] * x_ext))
    return np.concatenate([q, np.where(ok[..., None], law, tail)], axis=-1)


def annuity_factors(qx, interest, *, term: int | None = None, deferral: int = 0,
                    due: bool = True, payments_per_year: int = 1, open_group: str = "gompertz") -> np.ndarray:
    """Life annuity factors of 1 a year at every age 0..100 (last axis of ``qx``).

    Past age 100 the mortality is ``extend_qx(qx, open_group)`` to age 130
    (default: the Gompertz law fitted to ages 80-99; "un" keeps q_100 at
    every age above 100), and q_130 beyond 130. Whole life annuity-due by the
    backward recursion
      a_x = 1 + v p_x a_{x+1},  a_130 = 1 / (1 - v p_130),  v = 1 / (1 + i).
    With E(n)_x = v^n  np_x and c = (m - 1) / (2m) (two-term Woolhouse, m payments
    a year; Dickson, Hardy & Waters 2020, AMLCR sec. 5.11):
      deferred d, temporary n:  E(d)_x (a_{x+d} - c) - E(d+n)_x (a_{x+d+n} - c)
    (n = infinity drops the second term). Payments at the end of each
    period (immediate) subtract (E(d)_x - E(d+n)_x) / m. ``interest`` is a
    number or an array broadcasting against ``qx`` without its age axis.
    """
    q = np.asarray(qx, dtype=float)
    check_rates(q, "qx")
    interest = np.asarray(interest, dtype=float)
    if np.any(interest <= -1):
        raise ValueError("interest must exceed -100%")
    v = (1.0 / (1.0 + interest))[..., None]  # broadcasts over ages
    n_ages = q.shape[-1]
    reach = deferral + (term or 0)
    ext = extend_qx(q, open_group)
    p = 1.0 - np.concatenate([ext, np.repeat(ext[..., -1:], reach, axis=-1)], axis=-1)
    whole = np.empty(np.broadcast_shapes(p.shape, v.shape))
    whole[..., -1] = 1.0 / (1.0 - v[..., 0] * p[..., -1])
    for x in range(p.shape[-1] - 2, -1, -1):
        whole[..., x] = 1.0 + v[..., 0] * p[..., x] * whole[..., x + 1]

    def pure_endowment(n):  # E(n)_x = v^n  np_x for x = 0..100
        out = np.ones(q.shape)
        for k in range(n):
            out = out * v * p[..., k:k + n_ages]
        return out

    c = (payments_per_year - 1) / (2 * payments_per_year)
    E_start = pure_endowment(deferral)
    value = E_start * (whole[..., deferral:deferral + n_ages] - c)
    E_end = 0.0
    if term is not None:
        E_end = pure_endowment(reach)
        value = value - E_end * (whole[..., reach:reach + n_ages] - c)
    if not due:
        value = value - (E_start - E_end) / payments_per_year
    return value
