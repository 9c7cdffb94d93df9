"""Write the synthetic Demoland household survey (seeded): persons.csv and
households.csv in assumptions/data/demoland/survey/.

SYNTHETIC: no real household is in it. Households are built from a head
(age from Demoland's adult population on 1 January 2025, a man in three
households out of four), a spouse, children (a number peaking with the
head in the mid-thirties), sometimes an older parent or a young relative;
the survey weights are then raked (actuarial.distribution.calibration) to
Demoland's base population by sex and 5-year age group (assumptions/
demoland.yaml), so the survey reproduces it. Consumption per person a
month is lognormal (sigma 0.6: a Gini near 0.33, as in lower-middle-income
countries' consumption surveys, World Bank Poverty and Inequality Platform)
with a mean near 45,000 DML (about half of GDP per head a month, the order
of survey consumption to GDP in such countries), 35% higher in urban areas
and lower in larger households. Disability, employment status, contributing
and contributory pensions are drawn with Demoland's prevalence,
participation, unemployment and coverage rates (richer households more
often formal).

Run: python assumptions/sources/demoland_survey.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from actuarial.distribution.calibration import AGE_GROUPS, rake

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "data" / "demoland" / "survey"
SEED = 20250101
HOUSEHOLDS = 4000
DISABILITY = {"female": [0.005, 0.007, 0.009, 0.012, 0.016, 0.022, 0.035, 0.06, 0.11, 0.18, 0.25],
              "male": [0.006, 0.008, 0.010, 0.013, 0.017, 0.023, 0.035, 0.06, 0.10, 0.16, 0.22]}
PARTICIPATION = {"female": [0.20, 0.45, 0.52, 0.55, 0.57, 0.57, 0.55, 0.50, 0.42, 0.30],
                 "male": [0.35, 0.75, 0.92, 0.95, 0.95, 0.94, 0.92, 0.88, 0.80, 0.65]}  # 15-19 .. 60-64
UNEMPLOYMENT = {"female": 0.07, "male": 0.06}
FORMAL = {"female": 0.22, "male": 0.32}


def base_population() -> dict:
    data = yaml.safe_load((HERE.parent / "demoland.yaml").read_text())
    return {s: np.array(v, float) for s, v in data["demography"]["base_population"].items()}


def members(rng, pop) -> list[tuple[int, int, str, int]]:
    """(household, age, sex, head) rows."""
    adults = np.arange(20, 101)
    p_adult = (pop["female"] + pop["male"])[20:]
    rows = []
    for h in range(HOUSEHOLDS):
        head_age = int(rng.choice(adults, p=p_adult / p_adult.sum()))
        head_sex = "male" if rng.random() < 0.75 else "female"
        rows.append((h, head_age, head_sex, 1))
        if rng.random() < (0.8 if head_age < 70 else 0.5) and head_sex == "male":
            rows.append((h, int(np.clip(head_age - rng.integers(0, 8), 16, 100)), "female", 0))
        elif head_sex == "female" and rng.random() < 0.3:
            rows.append((h, int(np.clip(head_age + rng.integers(0, 8), 18, 100)), "male", 0))
        kids = rng.poisson(3.4 * np.exp(-((head_age - 36) / 13.0) ** 2))
        for _ in range(kids):
            age = int(rng.integers(0, max(1, min(18, head_age - 17))))
            rows.append((h, age, "female" if rng.random() < 0.49 else "male", 0))
        if 28 <= head_age <= 55 and rng.random() < 0.18:
            rows.append((h, int(min(head_age + rng.integers(22, 32), 100)),
                         "female" if rng.random() < 0.6 else "male", 0))
        if rng.random() < 0.2:
            rows.append((h, int(rng.integers(15, 30)), "female" if rng.random() < 0.5 else "male", 0))
    return rows


def main() -> None:
    rng = np.random.default_rng(SEED)
    pop = base_population()
    persons = pd.DataFrame(members(rng, pop), columns=["household_id", "age", "sex", "head"])
    H = HOUSEHOLDS
    size = np.bincount(persons["household_id"], minlength=H)
    urban = rng.random(H) < 0.4
    log_pc = np.log(45000) - 0.18 + 0.30 * urban - 0.06 * (size - 5) + 0.6 * rng.standard_normal(H)
    per_person = np.exp(log_pc)
    rank = per_person.argsort().argsort() / (H - 1)  # 0 poorest .. 1 richest
    age, sex = persons["age"].to_numpy(), persons["sex"].to_numpy()
    hh = persons["household_id"].to_numpy()
    female = sex == "female"
    groups = np.minimum(age // 10, 10)
    prevalence = np.where(female, np.take(DISABILITY["female"], groups), np.take(DISABILITY["male"], groups))
    persons["disability"] = (rng.random(age.size) < prevalence).astype(int)
    working = (age >= 15) & (age <= 64)
    band = np.clip((age - 15) // 5, 0, 9)
    part = np.where(female, np.take(PARTICIPATION["female"], band), np.take(PARTICIPATION["male"], band))
    active = working & (rng.random(age.size) < part)
    unemployed = active & (rng.random(age.size) < np.where(female, UNEMPLOYMENT["female"], UNEMPLOYMENT["male"]))
    formal_p = np.where(female, FORMAL["female"], FORMAL["male"]) * (0.3 + 1.4 * rank[hh])
    contributing = active & ~unemployed & (rng.random(age.size) < formal_p)
    persons["employment"] = np.where(unemployed, "unemployed", np.where(active, "employed", "inactive"))
    persons["contributing"] = contributing.astype(int)
    pensioned = (age >= 60) & (rng.random(age.size) < 0.5 * rank[hh])
    persons["pension"] = np.where(pensioned, np.round(40000 * (0.6 + rank[hh]), -1), 0.0)
    # survey weights: raked to the base population by sex and 5-year age group
    lower = np.array(AGE_GROUPS)
    cell = (~female).astype(int) * lower.size + np.searchsorted(lower, age, side="right") - 1
    x = np.zeros((H, 2 * lower.size))
    np.add.at(x, (hh, cell), 1.0)
    edges = [*lower, 101]
    totals = np.array([pop[s][edges[i]:edges[i + 1]].sum() for s in ("female", "male") for i in range(lower.size)])
    weight = rake(np.full(H, totals.sum() / size.sum()), x, totals)
    households = pd.DataFrame({
        "household_id": np.arange(H), "weight": np.round(weight, 3),
        "welfare": np.round(per_person * size, 0), "urban": np.where(urban, "urban", "rural"),
        "region": rng.choice(["north", "south", "east", "capital"], size=H, p=[0.3, 0.3, 0.25, 0.15])})
    OUT.mkdir(parents=True, exist_ok=True)
    households.to_csv(OUT / "households.csv", index=False)
    persons.to_csv(OUT / "persons.csv", index=False)
    print(f"{H} households, {len(persons)} persons, {(weight * size).sum():.0f} persons weighted")


if __name__ == "__main__":
    main()
