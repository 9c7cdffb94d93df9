"""Validation kinds for the social protection floor.

spf_hand_case   a universal benefit costs eligible x level x months exactly;
                coverage is 1 at full take-up and the take-up share otherwise;
                a pension-tested social pension plus contributory pensioners
                never exceeds the population of those ages
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from actuarial.assumptions import load_assumptions
from actuarial.assumptions.reader import Reader
from actuarial.assumptions.series import TimeSeries
from actuarial.assumptions.spf import Benefit
from actuarial.pipeline import run
from actuarial.validation import Row, row


def spf_hand_case(name: str, r: Reader, folder: Path) -> list[Row]:
    a = load_assumptions(folder / r.string("assumptions"))
    olds = [b for b in a.spf.benefits if b.kind == "old_age"] if a.spf is not None else []
    if a.pension is None or not olds:
        raise r.error("assumptions", "expected assumptions with a pension scheme and an old-age benefit in spf")
    amount = r.number("amount", lo=0.0)
    take_up = r.number("take_up", lo=0.0, hi=1.0)
    tol = r.number("rtol", lo=0.0)
    universal = Benefit("universal", "child", (0, 14), ("female", "male"), TimeSeries.constant(1.0), 1.0,
                        "amount", amount, 12.0, "prices", 0.0, None, False)
    partial = dataclasses.replace(universal, name="partial", take_up=TimeSeries.constant(take_up))
    social = dataclasses.replace(olds[0], name="social", pension_tested=True, take_up=TimeSeries.constant(1.0),
                                 targeting=1.0)
    spf = dataclasses.replace(a.spf, benefits=(universal,), targets={})
    tree = run(dataclasses.replace(a, spf=spf))
    s = tree["spf"].to_dataset().isel(scenario=0)
    pop = tree["demography"]["population"].isel(scenario=0)
    children = pop.sel(age=slice(0, 14)).sum("age").transpose("year", "sex").values
    cpi = tree["economy"]["price_index"].transpose(..., "year").values.reshape(-1)[:children.shape[0], None]
    rows = [
        row(name, "universal benefit cost vs children x amount x CPI x 12", children * amount * cpi * 12,
            s["cost"].sel(benefit="universal").transpose("year", "sex").values, tol),
        row(name, "coverage of children at full take-up", np.ones(children.shape),
            s["coverage"].sel(indicator="children").transpose("year", "sex").values, tol),
    ]
    half = run(dataclasses.replace(a, spf=dataclasses.replace(spf, benefits=(partial,))))["spf"]
    rows.append(row(name, f"coverage of children at take-up {take_up}", np.full(children.shape, take_up),
                    half["coverage"].isel(scenario=0).sel(indicator="children").transpose("year", "sex").values, tol))
    tested = run(dataclasses.replace(a, spf=dataclasses.replace(spf, benefits=(social,))))
    lo = social.ages[0]
    old = tested["demography"]["population"].isel(scenario=0).sel(age=slice(lo, 100)).sum("age")
    contributory = tested["pension"]["pensioners"].isel(scenario=0).sum("benefit_type").sel(
        age=slice(lo, 100)).sum("age")
    paid = tested["spf"]["beneficiaries"].isel(scenario=0).sel(benefit="social")
    excess = float(((paid + contributory) / old).max())
    rows.append(row(name, f"(social + contributory pensioners) / population {lo}+ above 1 (abs)", 0.0,
                    max(excess - 1.0, 0.0), tol, relative=False))
    return rows


KINDS = {"spf_hand_case": spf_hand_case}
