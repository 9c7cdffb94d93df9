"""How Demoland's migration age pattern in ``demoland.yaml`` was made.

Rogers & Castro (1981) model migration *rates* by age: the standard
schedule M(x) = a1 exp(-alpha1 x) + a2 exp(-alpha2 (x - mu2) -
exp(-lambda2 (x - mu2))) + c is a number of migrants per person of age x.
Taken as a pattern of *counts*, its constant c and labour-force tail give
as many emigrants at 95 as at 60 though almost nobody is left at 95 (the
earlier Demoland file took 255 population cells below zero that way). The
pattern of counts is therefore the rate schedule times the population it
applies to: share(s, x) = M(x) P_2025(s, x) / sum over sexes and ages, with
the 1 January 2025 population of ``demoland.yaml``. At the 2025 total of
-30,000 this is the emigration rate profile k M(x), k = 30,000 / sum M P;
projected (2025-2125) the emigration rate of a cell is at most 0.25% a year
(ages 20-25 in the first years) and 0.023% at ages 65+, no emigration is
capped and no cell goes below zero (``tests/test_projection.py``). Run ``python assumptions/sources/demoland_migration.py`` to print
the two YAML lists.
"""

from pathlib import Path

import numpy as np

from actuarial.assumptions import load_assumptions
from actuarial.demography.laws import rogers_castro

# Rogers-Castro (1981) standard schedule parameters (both sexes)
PARAMETERS = dict(a1=0.02, alpha1=0.1, a2=0.06, alpha2=0.11, mu2=20.0, lambda2=0.4, c=0.003)
DIGITS = 4  # significant digits of the printed shares


def shares() -> np.ndarray:
    """(sex, age) shares of the net migrants: M(x) P_2025(s, x), summing to 1."""
    demo = load_assumptions(Path(__file__).parents[1] / "demoland.yaml").demography
    pop = np.array([demo.base_population.female, demo.base_population.male])
    counts = rogers_castro(**PARAMETERS)[None] * pop
    return counts / counts.sum()


def main():
    for sex, row in zip(("female", "male"), shares()):
        print(f"      {sex}:")
        for first in range(0, 101, 10):
            chunk = ", ".join(f"{v:.{DIGITS}g}" for v in row[first:first + 10])
            opening, closing = ("[" if first == 0 else " "), ("]" if first == 100 else ",")
            label = f"ages {first}-{first + 9}" if first < 100 else "age 100+"
            print(f"        {opening}{chunk}{closing}   # {label}")


if __name__ == "__main__":
    main()
