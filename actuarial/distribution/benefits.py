"""The ``spf`` benefits applied to the survey members who meet their conditions.

For each benefit b and person i: units u_ib (persons of the benefit's kind:
1, or for maternity the infants aged 0 of the household, given to its first
woman aged 15-49, else to the infant), a probability of eligibility pi_ib
(1, or the benefit's prevalence of severe disability by sex and age when the
survey has no disability column), a selection probability s_ib (targeting)
and take-up k_b(t):

  eligible:  child, old age: age in the benefit's ages and sex in its sexes;
             old age, pension-tested: and no contributory pension (> 0);
             disability: and disabled (or pi = prevalence); unemployment:
             and unemployed (a public works programme: the same persons);
             maternity: infants aged 0 (births of the past year, an imputation)
  targeting: universal (targeting 1): s = 1; poverty-targeted (share tau of the
             eligible, as in the costing): the eligible ranked by the
             household's welfare per person before benefits (the proxy-means
             ranking), the target group the poorest tau of the eligible
             (weighted); s = 1 - e in it and s = q outside, with exclusion
             error e and inclusion error i (share of the selected outside the
             target group): q = i (1 - e) tau / ((1 - i) (1 - tau)), at most 1
  take-up:   expected: receipt = u pi s k x level; draw: u x level x
             [U1 < pi] [U2 < s] [U3 < k], U counter-based uniforms keyed by
             (seed, person, benefit, stream) (``draws.uniforms``)
  level:     the costing's monthly level of the year (``/spf`` monthly_level)
             at the survey year's prices (/ CPI_t x CPI_survey) x months paid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from actuarial.distribution.draws import uniforms

MOTHER_AGES = (15, 49)


@dataclass(frozen=True)
class Rules:
    """A benefit's survey arrays (P,): ``base`` = u pi s (expected) or
    u [U1 < pi] [U2 < s] (draw), and the take-up uniforms U3 (draw) or None."""

    name: str
    base: np.ndarray
    uniform: np.ndarray | None

    def units(self, take_up: float) -> np.ndarray:
        """Units received by each person in a year of take-up k: base x k, or base x [U3 < k]."""
        return self.base * take_up if self.uniform is None else self.base * (self.uniform < take_up)


def _band(survey, ben) -> np.ndarray:
    sexes = survey.female if ben.sexes == ("female",) else ~survey.female if ben.sexes == ("male",) else \
        np.ones(survey.age.size, bool)
    return (survey.age >= ben.ages[0]) & (survey.age <= ben.ages[1]) & sexes


def units_and_eligibility(survey, ben) -> tuple[np.ndarray, np.ndarray]:
    """(units u, eligibility probability pi) of each person for a benefit (module docstring)."""
    band = _band(survey, ben)
    ones = np.ones(survey.age.size)
    if ben.kind == "maternity":
        return _mothers(survey), ones
    if ben.kind == "child":
        return band.astype(float), ones
    if ben.kind == "old_age":
        if ben.pension_tested:
            band = band & ~(survey.pension > 0)
        return band.astype(float), ones
    if ben.kind == "disability":
        if survey.disabled is not None:
            return (band & survey.disabled).astype(float), ones
        prevalence = np.asarray(ben.prevalence, float)  # (sex: female, male; age)
        return band.astype(float), prevalence[np.where(survey.female, 0, 1), survey.age]
    return (band & survey.unemployed).astype(float), ones


def _mothers(survey) -> np.ndarray:
    """Births per person: each household's infants aged 0, given to its first
    woman aged 15-49 (file order), else to the infants themselves."""
    H = survey.size.size
    infants = np.bincount(survey.household, weights=survey.age == 0, minlength=H)
    woman = survey.female & (survey.age >= MOTHER_AGES[0]) & (survey.age <= MOTHER_AGES[1])
    first = np.full(H, -1)
    idx = np.flatnonzero(woman)[::-1]
    first[survey.household[idx]] = idx  # the last write wins: the first woman in file order
    units = np.zeros(survey.age.size)
    has = (infants > 0) & (first >= 0)
    units[first[has]] = infants[has]
    alone = (survey.age == 0) & (first[survey.household] < 0)
    units[alone] = 1.0
    return units


def selection(mass: np.ndarray, rank_welfare: np.ndarray, tau: float, inclusion: float,
              exclusion: float) -> np.ndarray:
    """Selection probability of each person by the proxy-means ranking (module docstring);
    ``mass``: eligible persons each record stands for (weight x u x pi)."""
    if tau >= 1.0:
        return np.ones(mass.size)
    some = np.flatnonzero(mass > 0)  # persons without eligible mass take no place in the ranking
    order = some[np.argsort(rank_welfare[some], kind="stable")]
    m = mass[order]
    total = m.sum()
    mid = (np.cumsum(m) - 0.5 * m) / total if total > 0 else np.zeros(m.size)
    target = np.zeros(mass.size, bool)
    target[order] = mid < tau
    q = min(inclusion * (1.0 - exclusion) * tau / ((1.0 - inclusion) * (1.0 - tau)), 1.0) if tau > 0 else 0.0
    return np.where(target, 1.0 - exclusion, q)


def survey_rules(survey, benefits, weight_p: np.ndarray, welfare_p: np.ndarray, inclusion: float,
                 exclusion: float, mode: str = "expected", seed: int = 0) -> list[Rules]:
    """Each benefit's arrays; ``weight_p``: the survey weight of each person,
    ``welfare_p``: the welfare per person of each person's household (the ranking)."""
    out = []
    for ben in benefits:
        units, eligible = units_and_eligibility(survey, ben)
        selected = selection(weight_p * units * eligible, welfare_p, ben.targeting, inclusion, exclusion)
        if mode == "expected":
            out.append(Rules(ben.name, units * eligible * selected, None))
            continue
        keys = survey.person_key
        got = units > 0  # a probability of 1 needs no draw (U < 1 always)
        if (eligible < 1.0).any():
            got &= uniforms(seed, keys, ben.name, "eligible") < eligible
        if (selected < 1.0).any():
            got &= uniforms(seed, keys, ben.name, "targeting") < selected
        out.append(Rules(ben.name, units * got, uniforms(seed, keys, ben.name, "take_up")))
    return out
