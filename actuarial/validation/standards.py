"""Validation kind: the ILO minimum standards checks against the Conventions' own rates.

spf_standard_checks  each benefit compared only with the part of C102 / C128
                     that covers it, at the replacement rate that part's
                     Schedule sets (rates written in the case file from the
                     Conventions' texts, not from the engine's data file);
                     a flat benefit's level = 12 x its monthly amount / the
                     average wage of the base year, worked out from the
                     assumptions; "meets" = level >= minimum; a public-works
                     wage is not compared (it is not a C102 Part IV
                     unemployment benefit)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from actuarial.assumptions import load_assumptions
from actuarial.assumptions.reader import Reader
from actuarial.pipeline import run
from actuarial.validation import Row, row

BENEFIT_OF_KIND = {"maternity": "maternity", "disability": "disability", "old_age": "old_age"}


def spf_standard_checks(name: str, r: Reader, folder: Path) -> list[Row]:
    a = load_assumptions(folder / r.string("assumptions"))
    minimums = r.raw("minimums")  # convention -> benefit -> rate, from the Conventions' Schedules
    flat_convention = r.string("flat_convention")
    spf = run(a)["spf"].to_dataset()
    conv, scheme, benefit = (spf[k].values.astype(str) for k in ("convention", "scheme", "standard_benefit"))
    level, minimum, meets = spf["standard_level"].values, spf["standard_minimum"].values, spf["standard_check"].values
    wage = a.economy.average_wage  # annual average wage of the base year
    rows = [row(name, "minimum rate of each check = its Convention part's Schedule", np.array(
                [minimums[c][b] for c, b in zip(conv, benefit)], float), minimum, 0.0, relative=False),
            row(name, "meets = level >= minimum (count of disagreements)", 0.0,
                float(np.sum(meets != (level >= minimum))), 0.0, relative=False)]
    public_works = [b.name for b in a.spf.benefits if b.public_works]
    rows.append(row(name, f"public-works schemes compared ({', '.join(public_works) or 'none'}; count)", 0.0,
                    float(np.isin(scheme, public_works).sum()), 0.0, relative=False))
    for b in a.spf.benefits:
        if b.kind not in BENEFIT_OF_KIND or b.level_unit != "poverty_line_share":
            continue
        expected = b.level * a.spf.poverty_line * 12 / wage
        pick = (conv == flat_convention) & (scheme == b.name)
        if pick.sum() != 1:
            raise ValueError(f"{name}: expected one {flat_convention} check of {b.name}, found {int(pick.sum())}")
        rows.append(row(name, f"{b.name}: 12 x {b.level:g} x poverty line / average wage vs {flat_convention} "
                              f"{BENEFIT_OF_KIND[b.kind]}", expected, float(level[pick][0]), 1e-12))
    return rows


KINDS = {"spf_standard_checks": spf_standard_checks}
