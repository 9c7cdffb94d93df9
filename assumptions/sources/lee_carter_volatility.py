"""Where Demoland's Lee-Carter volatility of k (``stochastic.mortality``) comes from.

Lee & Carter (1992, JASA 87): ln m(x, t) = a_x + b_x k_t, k_t a random walk
with drift, k_t = k_{t-1} + d + sigma e_t. The scale of k is set by the
normalisation of b_x: the engine's b_x sum to 1 over the 101 single ages
0..100+ (``actuarial.stochastic.lee_carter``), so sigma must be estimated on
that scale. Over 19 age groups (0, 1-4, 5-9, ..., 85+: Lee & Carter's
sigma 0.65 for the US 1900-1989), each b is about 5 times larger and k and
sigma 5 times smaller: printed below for comparison.

Estimate: a_x = mean over years of ln m_x, b_x and k_t from the first
singular vectors of ln m_x - a_x, b normalised to sum 1 (k then sums to 0);
d = mean of the first differences of k, sigma = their sample standard
deviation (ddof = 1). Data: UN World Population Prospects 2019 life tables
(``lt_nMx``, single ages, 1970-2019, the period ``build_countries.py`` uses
for the country files), CC BY 3.0 IGO, in ../shared/data/un_ccmpp_*.

Demoland (a lower-middle-income country) takes Mexico's figure, the mean of
the two sexes (1.347 women, 0.989 men): 1.17. Canada's is 0.56. WPP's annual
rates are interpolated between five-year estimates, so these sigmas are
lower bounds of the year-to-year noise of registered deaths. Run
``python assumptions/sources/lee_carter_volatility.py [DATA]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
YEARS = (1970, 2019)
GROUPS = [0, 1, 5, *range(10, 90, 5), 101]  # 19 groups: 0, 1-4, 5-9, ..., 85+


def log_mx(folder: Path, sex: str) -> np.ndarray:
    """(years, 101) ln m_x of one sex, 1970-2019, from the UN long table."""
    table = pd.read_csv(folder / "inputs" / "life_table_age_sex.csv")
    table = table[(table["indicator"] == "lt_nMx") & (table["sex"] == sex)
                  & table["time_start"].between(*YEARS)]
    wide = table.pivot_table(index="time_start", columns="age_start", values="value")
    return np.log(wide.values)


def k_volatility(log_m: np.ndarray) -> tuple[float, float]:
    """(drift, sigma) of k for b_x summing to 1 over the columns of ``log_m``."""
    centred = log_m - log_m.mean(axis=0)
    u, s, vt = np.linalg.svd(centred, full_matrices=False)
    k = s[0] * u[:, 0] * vt[0].sum()  # b = vt[0] / vt[0].sum(): b k = s u vt
    steps = np.diff(k)
    return float(steps.mean()), float(steps.std(ddof=1))


def grouped(log_m: np.ndarray) -> np.ndarray:
    """ln of the mean m_x within each of the 19 age groups."""
    m = np.exp(log_m)
    return np.log(np.stack([m[:, a:b].mean(axis=1) for a, b in zip(GROUPS[:-1], GROUPS[1:])], axis=1))


def estimates(data: Path = DATA) -> dict:
    """country -> sex -> (drift, sigma single ages, sigma 19 groups)."""
    out = {}
    for country in ("canada", "mexico"):
        out[country] = {}
        for sex in ("female", "male"):
            lm = log_mx(data / f"un_ccmpp_{country}", sex)
            drift, sigma = k_volatility(lm)
            out[country][sex] = (drift, sigma, k_volatility(grouped(lm))[1])
    return out


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    data = Path(argv[0]) if argv else DATA
    for country, by_sex in estimates(data).items():
        for sex, (drift, sigma, sigma19) in by_sex.items():
            print(f"{country:7s} {sex:7s} drift {drift:7.3f}  sigma {sigma:.3f} (single ages), "
                  f"{sigma19:.3f} (19 groups)")
        mean = np.mean([v[1] for v in by_sex.values()])
        print(f"{country:7s} mean of the sexes, single ages: {mean:.3f}")


if __name__ == "__main__":
    main()
