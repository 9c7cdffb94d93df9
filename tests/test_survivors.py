"""Survivors' pensioners are living, unmarried persons of their sex and age: in the
DB pension stage, at every sex, age and year, they are at most the population of that
sex and age times its share not married (``_pension_kernels._survivor_commit``), so
never more than the population. Demoland, Canada and Mexico, over their full horizons."""

import warnings
from pathlib import Path

import numpy as np
import pytest

from actuarial.assumptions import load_assumptions
from actuarial.assumptions.pension import by_sex_array
from actuarial.demography.projection import NegativePopulationWarning
from actuarial.projection.economy import project_economy
from actuarial.projection.labour import project_labour
from actuarial.projection.pension import project_pension
from actuarial.stages import run_demography

ASSUMPTIONS = Path(__file__).resolve().parents[1] / "assumptions"


def pension_stage(name: str):
    a = load_assumptions(ASSUMPTIONS / f"{name}.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NegativePopulationWarning)
        demography = run_demography(a, None)
    labour = project_labour(a.labour, demography["population"])
    economy = project_economy(a.economy, a.case.years, labour["employed"].sum(("sex", "age")), None)
    return a, demography, project_pension(a.pension, a.labour, demography, labour, economy)


@pytest.mark.parametrize("name", ["demoland", "canada", "mexico"])
def test_survivors_pensioners_within_the_population(name):
    a, demography, pension = pension_stage(name)
    pop = demography["population"].transpose(..., "year", "sex", "age")
    surv = pension["pensioners"].sel(benefit_type="survivors").transpose(..., "year", "sex", "age")
    pop, surv = np.broadcast_arrays(pop.values, surv.values)
    over = surv > pop * (1 + 1e-12)
    assert not over.any(), f"{name}: {int(over.sum())} (year, sex, age) cells above the population, " \
                           f"largest ratio {float((surv / np.where(pop > 0, pop, np.inf)).max()):.3f}"
    # the tighter bound, after the base year (whose stock is input data): the unmarried part
    unmarried = pop * (1.0 - by_sex_array(a.pension.married))
    assert (surv[..., 1:, :, :] <= unmarried[..., 1:, :, :] * (1 + 1e-12) + 1e-9).all()
