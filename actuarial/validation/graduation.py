"""Validation kinds for the graduation of grouped data (actuarial.demography.graduation).

graduation_closed_forms  Sprague and Beers reproduce the single-age values of a
                         cumulative polynomial of degree 4 exactly (expected values
                         by integrating the polynomial, written here); group totals
                         of real data kept to 1e-12; PCLM of Poisson samples of a
                         smooth curve (counts, and deaths over exposures) recovers
                         the curve within sampling error; pclm_exact reproduces an
                         exponential (zero penalty) and keeps every group total
graduation_un            the UN's single-age data grouped into 5-year groups (and
                         abridged life tables) and graduated back, compared with the
                         UN's single-age values by age band; no cliffs (age-to-age
                         ratio jumps bounded); the WPP 2024 abridged death rates
                         graduated and regrouped with life-table weights
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from actuarial.datafiles import read_csv
from actuarial.demography import graduation as g
from actuarial.schema.reader import Reader
from actuarial.validation import Row, row

BANDS = ((0, 5), (5, 20), (20, 65), (65, 90), (90, 101))
MX_BANDS = ((0, 1), (1, 5), (5, 20), (20, 65), (65, 90), (90, 101))
SEXES = ("female", "male")


def _band(a: int, b: int) -> str:
    return f"age {a}" if b == a + 1 else f"ages {a}-{b - 1}" if b <= 100 else f"ages {a}-100+"


def _key(method: str, a: int, b: int) -> str:
    return f"{method}_{a}_{min(b - 1, 100)}"


# -- closed forms ------------------------------------------------------------------------------

def _polynomial_single_ages(coefficients) -> np.ndarray:
    """Persons at single ages 0..104 under the cumulative F(x) = sum_k c_k (x/100)^k:
    F(x + 1) - F(x), written from the definition."""
    x = np.arange(106) / 100.0
    cum = sum(c * x**k for k, c in enumerate(coefficients))
    return np.diff(cum)


def _poisson_pclm_counts(rng, scale: float):
    """A smooth age curve (a lognormal-shaped pyramid) with mean ``scale`` x shape
    at single ages 0..110, a Poisson sample of it grouped by 5 with the open group
    100+; returns (curve at engine ages, PCLM estimate, group CV)."""
    ages = np.arange(111) + 0.5
    curve = scale * np.exp(-0.5 * ((ages - 35.0) / 28.0) ** 2)
    sample = rng.poisson(curve).astype(float)
    starts = np.arange(0, 105, 5)
    groups = np.array([sample[a:a + 5].sum() for a in starts[:-1]] + [sample[100:].sum()])
    est = g.pclm(groups)
    truth = np.append(curve[:100], curve[100:].sum())
    return truth, est


def _poisson_pclm_rates(rng, exposure_per_age: float):
    """Gompertz m_x = 0.0001 exp(0.09 x) on exposures E_x = ``exposure_per_age``
    (single ages 0..110, constant), Poisson deaths grouped by 5 (open 100+):
    returns (true m_x at ages 0..99, PCLM estimate of m_x 0..99)."""
    ages = np.arange(111)
    mx = 1e-4 * np.exp(0.09 * (ages + 0.5))
    exposure = np.full(111, exposure_per_age)
    deaths = rng.poisson(exposure * mx).astype(float)
    starts = np.arange(0, 105, 5)
    d = np.array([deaths[a:a + 5].sum() for a in starts[:-1]] + [deaths[100:].sum()])
    est = g.pclm_rates(d, exposure)
    return mx[:100], est[:100]


def closed_forms(name: str, r: Reader, folder: Path) -> list[Row]:
    tol = r.number("rtol_exact", lo=0.0)
    tol_pclm = r.number("pclm_sigmas", lo=0.0)
    seed = r.number("seed", lo=0, integer=True)
    rows = []
    coefficients = (0.0, 5.0e5, 1.0e5, 2.0e5, -1.0e5)  # degree 4, increasing on 0..1.05
    single = _polynomial_single_ages(coefficients)
    groups = single.reshape(21, 5).sum(axis=1)  # the open group: the polynomial's 100-104
    for method in ("sprague", "beers"):
        got = g.osculatory(groups, method)
        rows.append(row(name, f"{method}: cumulative polynomial of degree 4, ages 0-99", single[:100],
                        got[:100], tol))
        rows.append(row(name, f"{method}: open group carried over", groups[-1], got[100], tol))
    # group totals of an irregular pyramid (Canada 2020, female, from the UN's single ages)
    pop = read_csv(r.file_path("population"))
    v = pop[(pop["year"] == 2020) & (pop["sex"] == "female")].sort_values("age")["value"].to_numpy(float)
    groups = np.append(v[:100].reshape(20, 5).sum(axis=1), v[100])
    for method in ("sprague", "beers"):
        got = g.osculatory(groups, method)
        rows.append(row(name, f"{method}: 5-year group totals kept (Canada 2020 female)", groups,
                        np.append(got[:100].reshape(20, 5).sum(axis=1), got[100]), tol))
    rng = np.random.default_rng(seed)
    # PCLM: the error of each single age, in units of the Poisson standard error of
    # its 5-year group's mean per age (sqrt(group count) / 5): within pclm_sigmas of them
    for scale, rtol_single in ((1.0e3, r.number("rtol_pclm_1e3", lo=0.0)), (1.0e5, r.number("rtol_pclm_1e5", lo=0.0))):
        truth, est = _poisson_pclm_counts(rng, scale)
        grp = np.array([truth[a:a + 5].sum() for a in range(0, 100, 5)])
        z = np.abs(est[:100].reshape(20, 5).sum(axis=1) - grp) / np.sqrt(grp)
        rows.append(row(name, f"pclm counts (peak {scale:.0e} per age): 5-year sums of the estimate, max "
                              "|est - true| / Poisson s.e. of the group", 0.0, float(z.max()), tol_pclm,
                        relative=False))
        rows.append(row(name, f"pclm counts (peak {scale:.0e} per age): single ages 0-99, relative error",
                        truth[:100], est[:100], rtol_single))
        rows.append(row(name, f"pclm counts (peak {scale:.0e}): grand total kept", truth.sum(), est.sum(),
                        3.0 / np.sqrt(truth.sum())))
    rows += _pclm_exact_rows(name, r.number("rtol_pclm_exact", lo=0.0), tol)
    for exposure in (1.0e4, 1.0e6):
        mx, est = _poisson_pclm_rates(rng, exposure)
        d_group = np.repeat([np.sum(exposure * mx[a:a + 5]) for a in range(0, 100, 5)], 5)
        z = np.abs(est - mx) / (mx / np.sqrt(d_group))  # relative error over the group's Poisson CV
        ages = slice(5, 95)  # the two edge groups lean on one side only
        rows.append(row(name, f"pclm rates (E_x = {exposure:.0e}): max |m est - m| / (m / sqrt(group "
                              "deaths)), ages 5-94", 0.0, float(z[ages].max()), tol_pclm, relative=False))
    return rows


def _pclm_exact_rows(name: str, tol_curve: float, tol_groups: float) -> list[Row]:
    """pclm_exact (births by age of mother, closed groups 15-19 .. 45-49, nothing outside):
    an exponential f_x = 0.002 exp(0.13 (x - 15)) has zero second differences of ln f, the
    PCLM's penalty, so the exact-data fit is the curve itself (values written from the
    definition); a bell curve's 5-year group totals are kept (each group scaled to its own)."""
    ages = np.arange(15, 50)
    starts = np.arange(15, 50, 5)
    rows = []
    for label, curve in (("exponential", 0.002 * np.exp(0.13 * (ages - 15))),
                         ("bell", 0.3 * np.exp(-0.5 * ((ages + 0.5 - 29.0) / 5.5) ** 2))):
        groups = np.array([curve[i:i + 5].sum() for i in range(0, 35, 5)])
        est = g.pclm_exact(groups, starts, starts + 5)
        if label == "exponential":
            rows.append(row(name, "pclm_exact: an exponential (zero penalty) reproduced, ages 15-49", curve,
                            est, tol_curve))
        rows.append(row(name, f"pclm_exact: 5-year group totals kept ({label}, 15-19 .. 45-49)", groups,
                        est.reshape(7, 5).sum(axis=1), tol_groups))
    return rows


# -- UN data -------------------------------------------------------------------------------------

def _jumps(values: np.ndarray) -> np.ndarray:
    """Changes of the age-to-age log ratio, |ln(v_{x+1}/v_x) - ln(v_x/v_{x-1})| at ages
    x = 1..98 (index x - 1): a cliff between two ages shows as a jump of the ratio."""
    lr = np.diff(np.log(values[:100]))
    return np.abs(np.diff(lr))


def _population_rows(name, r: Reader) -> list[Row]:
    pop = read_csv(r.file_path("population"))
    tol = r.section("rtol_population")
    jump_below_90 = r.number("jump_below_90", lo=0.0)
    jump_margin = r.number("jump_margin", lo=0.0)
    rows = []
    for method in g.METHODS:
        band_tol = [tol.number(_key(method, a, b), lo=0.0) for a, b in BANDS]
        errors = {b: [] for b in BANDS}
        young, old, data_old, kept = 0.0, 0.0, 0.0, 0.0
        for (_, sex), t in pop.groupby(["year", "sex"]):
            v = t.sort_values("age")["value"].to_numpy(float)
            groups = np.append(v[:100].reshape(20, 5).sum(axis=1), v[100])
            got = g.graduate_counts(groups, method)
            for a, b in BANDS:
                errors[(a, b)].append(np.abs(got[a:b] - v[a:b]) / v[a:b])
            jumps = _jumps(got)
            young, old = max(young, float(jumps[:89].max())), max(old, float(jumps[89:].max()))
            data_old = max(data_old, float(_jumps(v)[89:].max()))
            kept = max(kept, abs(got.sum() / v.sum() - 1.0))
        for (a, b), t_ in zip(BANDS, band_tol):
            e = np.concatenate(errors[(a, b)])
            rows.append(row(name, f"population {method}, {_band(a, b)}: max relative error (mean "
                                  f"{e.mean():.4f}), Canada 1950-2020 both sexes", 0.0, float(e.max()), t_, False))
        rows.append(row(name, f"population {method}: no cliffs at ages 1-89, max jump of ln(P_x+1/P_x)",
                        0.0, young, jump_below_90, False))
        rows.append(row(name, f"population {method}: ages 90-98, max jump of ln(P_x+1/P_x) <= {jump_margin:g} x "
                              f"the UN single-age data's ({data_old:.3f})", 0.0, old, jump_margin * data_old, False))
        rows.append(row(name, f"population {method}: total kept", 0.0, kept, 1e-6, False))
    return rows


def _abridge(mx, dx, Lx) -> np.ndarray:
    """nMx of the groups 0, 1-4, 5-9, ..., 95-99, 100+ from a complete table: sum d / sum L."""
    starts = list(g.group_starts(22, abridged=True)) + [101]
    return np.array([dx[a:b].sum() / Lx[a:b].sum() for a, b in zip(starts[:-1], starts[1:])])


def _e0(mx, female):
    """e_0 from single-age m_x with a_x = 1/2 (a_0 Coale-Demeny), L_100 = l_100 / m_100,
    written from the definition (Preston et al. 2001, ch. 3)."""
    l, total = 1.0, 0.0
    for x in range(100):
        a = g._a0(mx[0], female) if x == 0 else 0.5
        q = mx[x] / (1.0 + (1.0 - a) * mx[x])
        total += l * (1 - q) + a * l * q
        l *= 1 - q
    return total + l / mx[100]


def _mortality_rows(name, r: Reader) -> list[Row]:
    lt = read_csv(r.file_path("life_tables"))
    tol = r.section("rtol_mx")
    tol_e0 = r.number("atol_e0", lo=0.0)
    band_tol = [tol.number(_key("pclm", a, b), lo=0.0) for a, b in MX_BANDS]
    errors = {b: [] for b in MX_BANDS}
    e0_err = 0.0
    for (_, sex), t in lt.groupby(["year", "sex"]):
        t = t.sort_values("age")
        mx, dx, Lx = (t[c].to_numpy(float) for c in ("mx", "dx", "Lx"))
        got = g.graduate_rates(_abridge(mx, dx, Lx), sex == "female")
        for a, b in MX_BANDS:
            errors[(a, b)].append(np.abs(got[a:b] - mx[a:b]) / mx[a:b])
        e0_err = max(e0_err, abs(_e0(got, sex == "female") - _e0(mx, sex == "female")))
    rows = []
    for (a, b), t_ in zip(MX_BANDS, band_tol):
        e = np.concatenate(errors[(a, b)])
        rows.append(row(name, f"m_x pclm, {_band(a, b)}: max relative error (mean {e.mean():.4f}), "
                              "Canada 1950-2010 both sexes", 0.0, float(e.max()), t_, False))
    rows.append(row(name, "m_x pclm: e_0 (years), max abs error", 0.0, e0_err, tol_e0, False))
    return rows


def _wpp2024_rows(name, r: Reader) -> list[Row]:
    """WPP 2024 nMx (Canada, Mexico; 1950-2100): graduated by PCLM, regrouped with the
    single-age life table's weights (sum d / sum L) against the published nMx, and
    no cliffs in ln m_x at ages 10-99 (largest jump of ln(m_x+1/m_x))."""
    mx5 = read_csv(r.file_path("wpp2024"))
    periods = [str(p) for p in r.raw("wpp2024_periods")]
    mx5 = mx5[mx5["period"].isin(periods)]
    tol = r.number("rtol_wpp2024_regrouped", lo=0.0)
    jump_tol = r.number("jump_wpp2024", lo=0.0)
    worst, jump, negative = 0.0, 0.0, 0
    for (_, sex, _), t in mx5.groupby(["country", "sex", "period"]):
        nmx = t.sort_values("age")["value"].to_numpy(float)
        got = g.graduate_rates(nmx, sex == "female")
        negative += int((got < 0).sum())
        lx = np.cumprod(np.append(1.0, 1 - got[:100] / (1 + 0.5 * got[:100])))
        dx = np.append(-np.diff(lx), lx[100])
        Lx = np.append(lx[:100] - 0.5 * dx[:100], lx[100] / got[100])
        regrouped = _abridge(got, dx, Lx)
        worst = max(worst, float(np.max(np.abs(regrouped[2:] / nmx[2:] - 1.0))))  # 5-9 .. 100+
        jump = max(jump, float(np.max(np.abs(np.diff(np.diff(np.log(got[10:100])))))))
    return [row(name, "WPP 2024 nMx (5-9..100+) regrouped from PCLM single ages, max relative error, "
                      f"Canada and Mexico, periods {', '.join(periods)}", 0.0, worst, tol, False),
            row(name, "WPP 2024 PCLM m_x: no cliffs, max jump of ln(m_x+1/m_x), ages 10-99", 0.0, jump,
                jump_tol, False),
            row(name, "WPP 2024 PCLM m_x: negative values", 0.0, float(negative), 0.0, False)]


def un_data(name: str, r: Reader, folder: Path) -> list[Row]:
    return _population_rows(name, r) + _mortality_rows(name, r) + _wpp2024_rows(name, r)


KINDS = {"graduation_closed_forms": closed_forms, "graduation_un": un_data}
