"""Validation kinds for the social protection floor.

spf_hand_case   a universal benefit costs eligible x level x months exactly;
                over the SDG 1.3.1 children's ages, coverage is 1 at full
                take-up and the take-up share otherwise;
                a pension-tested social pension plus contributory pensioners
                never exceeds the population of those ages
spf_sdg_131     the SDG 1.3.1 series recomputed by plain loops from the UN
                metadata's definitions and the stage's inputs
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
    lo, hi = a.spf.children_ages  # the SDG 1.3.1 children's ages (default 0-15)
    universal = Benefit("universal", "child", (lo, hi), ("female", "male"), TimeSeries.constant(1.0), 1.0,
                        "amount", amount, 12.0, "prices", 0.0, None, False)
    partial = dataclasses.replace(universal, name="partial", take_up=TimeSeries.constant(take_up))
    social = dataclasses.replace(olds[0], name="social", pension_tested=True, take_up=TimeSeries.constant(1.0),
                                 targeting=1.0)
    spf = dataclasses.replace(a.spf, benefits=(universal,), targets={})
    tree = run(dataclasses.replace(a, spf=spf))
    s = tree["spf"].to_dataset().isel(scenario=0)
    pop = tree["demography"]["population"].isel(scenario=0)
    children = pop.sel(age=slice(lo, hi)).sum("age").transpose("year", "sex").values
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


def _clip(v: float) -> float:
    return min(max(v, 0.0), 1.0)


def _cell(pop: float, exclusive: float, independent) -> float:
    """Persons of one (sex, age) cell covered once: exclusive persons are distinct, the
    independent parts received independently (the overlap rule of the definition)."""
    if pop <= 0:
        return 0.0
    miss = 1.0 - _clip(exclusive / pop)
    for part in independent:
        miss *= 1.0 - _clip(part / pop)
    return pop * (1.0 - miss)


def _with(covered: float, total: float, extra: float) -> float:
    """A part without ages combined independently within the sex."""
    return total * (1.0 - (1.0 - _clip(covered / total)) * (1.0 - _clip(extra / total))) if total > 0 else 0.0


def spf_sdg_131(name: str, r: Reader, folder: Path) -> list[Row]:
    """The SDG 1.3.1 series recomputed by plain loops over years, sexes and ages from
    the definitions (UN SDG metadata for 1.3.1, ILO) and the stage's inputs read
    directly: the population, births, the labour stage's contributors and employed,
    the pension node's pensioners and pensionable age, the injury node's pensioners
    and insured, and the rules of each SPF benefit (ages, sexes, targeting, take-up,
    prevalence, pension test)."""
    a = load_assumptions(folder / r.string("assumptions"))
    tol = r.number("rtol", lo=0.0)
    if a.spf is None or a.pension is None or a.employment_injury is None:
        raise r.error("assumptions", "expected assumptions with pension, employment_injury and spf sections")
    tree = run(a)
    s = tree["spf"].to_dataset().isel(scenario=0)
    pop_all = tree["demography"]["population"].isel(scenario=0).transpose("year", "sex", "age").values
    births = tree["demography"]["births"].isel(scenario=0).sum("sex").values
    ages = tree["demography"]["age"].values
    years = tree["demography"]["year"].values
    lab = tree["labour"].to_dataset()
    contrib = lab["contributors"].isel(scenario=0).transpose("year", "sex", "age").values
    employed = lab["employed"].isel(scenario=0).transpose("year", "sex", "age").values
    rate = lab["participation_rate"].transpose("year", "sex", "age").values
    pension = tree["pension"].to_dataset().isel(scenario=0)
    pens = {k: pension["pensioners"].sel(benefit_type=k).transpose("year", "sex", "age").values
            for k in ("old_age", "invalidity", "survivors")}
    R = pension["pensionable_age"].transpose("year", "sex").values
    inj = tree["employment_injury"].to_dataset().isel(scenario=0)
    jp = {str(k): inj["beneficiaries"].sel(benefit_type=k).transpose("year", "sex").values
          for k in inj["benefit_type"].values}
    insured = inj["insured_by_sex"].transpose("year", "sex").values
    lo, hi = a.spf.children_ages
    benefits = a.spf.benefits
    ref = {k: np.full((years.size, 2), np.nan) for k in s["indicator"].values}
    for t in range(years.size):
        share = [b.targeting * float(b.take_up.at(np.array([years[t]]))[0]) for b in benefits]
        for g, sex in enumerate(("female", "male")):
            sums = dict.fromkeys(("all", "kids", "kids_cov", "old", "old_cov", "dis", "dis_cov", "une", "une_cov",
                                  "assist", "vul_kids", "vul_work", "work", "vul_old"), 0.0)
            for i, x in enumerate(ages):
                pop = max(pop_all[t, g, x], 0.0)
                pensioners = sum(pens[k][t, g, i] for k in pens)
                rec = {}  # benefit -> recipients of this cell
                for b, ben in enumerate(benefits):
                    inside = ben.ages[0] <= x <= ben.ages[1] and sex in ben.sexes
                    if not inside or ben.kind == "maternity" or ben.public_works:
                        continue
                    if ben.kind == "child" or ben.kind == "old_age" and not ben.pension_tested:
                        eligible = pop
                    elif ben.kind == "old_age":
                        eligible = max(pop - pensioners, 0.0)
                    elif ben.kind == "disability":
                        eligible = pop * ben.prevalence[g][i]
                    else:
                        eligible = pop * rate[t, g, i] - employed[t, g, i]
                    rec[b] = eligible * share[b]
                tested = sum(v for b, v in rec.items() if benefits[b].pension_tested)
                other = [v for b, v in rec.items() if not benefits[b].pension_tested]
                active = contrib[t, g, i] if x < R[t, g] else 0.0
                sums["all"] += _cell(pop, active + pensioners + tested, other)
                sums["assist"] += _cell(pop, tested, other)
                if lo <= x <= hi:
                    sums["kids"] += pop
                    sums["kids_cov"] += _cell(pop, 0.0, [v for b, v in rec.items() if benefits[b].kind == "child"])
                    sums["vul_kids"] += pop
                elif x >= R[t, g]:
                    sums["old"] += pop
                    old_other = [v for b, v in rec.items() if benefits[b].kind == "old_age" and
                                 not benefits[b].pension_tested]
                    sums["old_cov"] += _cell(pop, pens["old_age"][t, g, i] + tested, old_other)
                    sums["vul_old"] += pop * (1.0 - _clip(pensioners / pop)) if pop > 0 else 0.0
                else:
                    sums["work"] += pop
                    sums["vul_work"] += pop * (1.0 - _clip((active + pensioners) / pop)) if pop > 0 else 0.0
                dis = [bb for bb in benefits if bb.kind == "disability"]
                if dis:
                    group = pop * dis[0].prevalence[g][i]
                    sums["dis"] += group
                    sums["dis_cov"] += _cell(group, 0.0, [v for b, v in rec.items() if benefits[b].kind ==
                                                          "disability"] + [pens["invalidity"][t, g, i]])
                sums["une"] += max(pop * rate[t, g, i] - employed[t, g, i], 0.0)
                sums["une_cov"] += _cell(max(pop * rate[t, g, i] - employed[t, g, i], 0.0), 0.0,
                                         [v for b, v in rec.items() if benefits[b].kind == "unemployment"])
            total = pop_all[t, g].clip(0).sum()
            mothers = [births[t] * share[b] for b, ben in enumerate(benefits)
                       if ben.kind == "maternity" and g == 0]
            covered, assisted = sums["all"], sums["assist"]
            for m in mothers:
                covered, assisted = _with(covered, total, m), _with(assisted, total, m)
            covered = _with(covered, total, sum(jp[k][t, g] for k in jp))  # one injury pension a person
            work = sums["vul_work"] * (1.0 - _clip(sum(jp[k][t, g] for k in jp if k != "orphan") / sums["work"]))
            values = {"population_covered": covered / total,
                      "vulnerable": assisted / (sums["vul_kids"] + work + sums["vul_old"]),
                      "children": sums["kids_cov"] / sums["kids"], "old_age": sums["old_cov"] / sums["old"],
                      "unemployed": sums["une_cov"] / sums["une"],
                      "employment_injury": insured[t, g] / employed[t, g].sum()}
            if sums["dis"] > 0:
                values["severe_disability"] = _with(sums["dis_cov"], sums["dis"], jp["permanent_total"][t, g]) \
                    / sums["dis"]
            if mothers:
                done = 0.0
                for m in mothers:
                    done = _with(done, births[t], m)
                values["mothers_with_newborns"] = done / births[t]
            for k, v in values.items():
                if k in ref:
                    ref[k][t, g] = v
    rows = []
    for k in s["indicator"].values:
        engine = s["coverage"].sel(indicator=k).transpose("year", "sex").values
        ok = ~np.isnan(ref[k])
        rows.append(row(name, f"{k}: {s['indicator_definition'].sel(indicator=k).item()}", ref[k][ok],
                        engine[ok], tol, relative=bool(np.abs(ref[k][ok]).max() > 0)))
    total = pop_all.clip(0).sum(-1)
    t50 = int(np.nonzero(years == years[0] + 25)[0][0]) if years.size > 25 else years.size - 1
    lower = (contrib * (ages[None, None, :] < R[..., None])).sum(-1) / total
    rows.append(row(name, f"population covered {years[t50]} at or above contributors alone (abs shortfall)", 0.0,
                    float(np.maximum(lower - s["coverage"].sel(indicator="population_covered").transpose(
                        "year", "sex").values, 0.0).max()), tol, relative=False))
    return rows


KINDS["spf_sdg_131"] = spf_sdg_131
