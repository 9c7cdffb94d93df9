"""Household welfare per person and the household groups of the results.

Welfare per person of household h = household welfare (a month) / e_h, where
the equivalence scale e_h is (OECD, "What are equivalence scales?", OECD
Project on Income Distribution and Poverty; Atkinson, Rainwater and
Smeeding 1995):
  per_capita      e = n (household size)
  oecd_modified   e = 1 + 0.5 (persons aged 14+ - 1) + 0.3 (children under 14)
                  (Hagenaars, de Vos and Zaidi 1994; a household without a
                  person aged 14+ counts its first child as 1)
  square_root     e = n ** 0.5
Every member of a household has its welfare per person (the standard
convention of poverty measurement on household surveys).
"""

from __future__ import annotations

import numpy as np

OECD_ADULT_AGE = 14  # persons aged 14+ count 0.5 after the first, children under 14 count 0.3


def equivalence_scale(survey, scale: str) -> np.ndarray:
    """e_h of each household (see the module docstring)."""
    n = survey.size.astype(float)
    if scale == "per_capita":
        return n
    if scale == "square_root":
        return np.sqrt(n)
    adults = np.bincount(survey.household, weights=survey.age >= OECD_ADULT_AGE, minlength=n.size)
    children = n - adults
    first = np.where(adults > 0, 1.0 + 0.5 * (adults - 1.0) + 0.3 * children, 1.0 + 0.3 * (children - 1.0))
    return first


def group_counts(survey, child_age: int, older_age: int) -> tuple[list[str], np.ndarray]:
    """The results' groups and, for each, the persons of each household it
    counts (G, H): all persons; urban and rural households; households with
    children (a member aged 0..child_age), with older persons (older_age+),
    female-headed (the head, where the survey flags one, is a woman); women
    and men (the members of that sex)."""
    H = survey.size.size
    size = survey.size.astype(float)
    count = lambda mask: np.bincount(survey.household, weights=mask.astype(float), minlength=H)  # noqa: E731
    names, rows = ["all"], [size]
    if survey.urban is not None:
        names += ["urban", "rural"]
        rows += [size * survey.urban, size * ~survey.urban]
    names += ["with_children", "with_older_persons"]
    rows += [size * (count(survey.age <= child_age) > 0), size * (count(survey.age >= older_age) > 0)]
    if survey.head is not None:
        names.append("female_headed")
        rows.append(size * (count(survey.head & survey.female) > 0))
    names += ["female", "male"]
    rows += [count(survey.female), count(~survey.female)]
    return names, np.stack(rows)
