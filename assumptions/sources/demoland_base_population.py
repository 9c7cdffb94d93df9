"""How Demoland's 1 January 2025 population in ``demoland.yaml`` was made.

Demoland is fictitious. Its age structure is that of a country that had
high fertility until the 1970s and then went through a fertility decline,
as most lower-middle-income countries did (UN WPP 2024). We take the
stable population of 1975 (TFR 5.5, e0 53 / 50 years for women / men,
reached by projecting any population for 200 years under those rates), then
project it with this engine to 2025 while the TFR falls linearly to 2.7 and
e0 rises to 72 / 67.5, without migration, and scale the result to 30
million people. Demoland's 2025 mortality and fertility standards (the
Heligman-Pollard and Hadwiger laws in ``demoland.yaml``) are used
throughout. Run ``python assumptions/sources/demoland_base_population.py``
to print the two YAML lists.
"""

from pathlib import Path

import numpy as np
import xarray as xr

from actuarial.assumptions import load_assumptions
from actuarial.demography.laws import hadwiger
from actuarial.demography.mortality import FEMALE, brass_mx, table_mx
from actuarial.demography.projection import project_population

AGES = np.arange(101)
SEX = ["female", "male"]
TOTAL = 30_000_000


def project(pop, years, tfr, e0f, e0m, standard):
    e0 = np.stack([e0f, e0m], axis=-1)
    mx = xr.DataArray(brass_mx(standard, e0), dims=("year", "sex", "age"),
                      coords={"year": years, "sex": SEX, "age": AGES})
    asfr = xr.DataArray(tfr[:, None] * hadwiger(3.2, 28.0)[None], dims=("year", "age"),
                        coords={"year": years, "age": AGES})
    srb = xr.DataArray(np.full(years.size, 1.05), dims="year", coords={"year": years})
    mig = xr.zeros_like(mx)
    base = xr.DataArray(pop, dims=("sex", "age"), coords={"sex": SEX, "age": AGES})
    return project_population(base, mx, asfr, srb, mig).population.isel(scenario=0)


def main():
    demo = load_assumptions(Path(__file__).parents[1] / "demoland.yaml").demography
    standard = np.array([table_mx(t, f) for t, f in zip(demo.mortality.standard, FEMALE)])
    n = 200
    years = np.arange(1775, 1775 + n + 1)
    flat = lambda v: np.full(years.size, v)  # noqa: E731
    stable = project(np.ones((2, 101)), years, flat(5.5), flat(53.0), flat(50.0), standard)[-1]
    years = np.arange(1975, 2026)
    ramp = lambda a, b: np.linspace(a, b, years.size)  # noqa: E731
    pop = project(stable.values, years, ramp(5.5, 2.7), ramp(53.0, 72.0), ramp(50.0, 67.5), standard)[-1]
    pop = pop.values * TOTAL / pop.values.sum()
    for sex, row in zip(SEX, np.rint(pop).astype(int)):
        print(f"    {sex}: [{', '.join(str(v) for v in row)}]")


if __name__ == "__main__":
    main()
