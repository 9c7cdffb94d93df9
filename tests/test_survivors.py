"""Survivors' pensioners are living, unmarried persons of their sex and age: in the
DB pension stage, at every sex, age and year, they are at most the population of that
sex and age times its share not married (``_pension_kernels._survivor_commit``), so
never more than the population. Demoland and Canada, over their full horizons."""

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


def arrays(name: str):
    """(population, survivors' pensioners, their bound P (1 - married)), each (scenario, year, sex, age)."""
    a, demography, pension = pension_stage(name)
    pop = demography["population"].transpose(..., "year", "sex", "age")
    surv = pension["pensioners"].sel(benefit_type="survivors").transpose(..., "year", "sex", "age")
    pop, surv = np.broadcast_arrays(pop.values, surv.values)
    return pop, surv, pop * (1.0 - by_sex_array(a.pension.married))


# not Mexico: its scheme is individual accounts (since 1997), whose DB legacy holds only the
# old-age pensions in payment at the valuation date (no survivors' pensions awarded)
@pytest.mark.parametrize("name", ["demoland", "canada"])
def test_survivors_pensioners_within_the_population(name):
    """Every projected year (1 January of base + 1 .. the horizon): survivors' pensioners
    <= the unmarried part of the population <= the population, by sex and age. The
    base year's stock is input data (``pension.initial.pensioners``), not projected."""
    pop, surv, unmarried = arrays(name)
    after = (slice(None), slice(1, None))
    over = surv[after] > unmarried[after] * (1 + 1e-12) + 1e-9
    assert not over.any(), f"{name}: {int(over.sum())} (year, sex, age) cells above the bound, " \
                           f"largest ratio to the population {float((surv / np.where(pop > 0, pop, np.inf)).max()):.3f}"
    assert (surv[after] <= pop[after] * (1 + 1e-12) + 1e-9).all()


def test_demoland_base_year_survivors_within_the_population():
    """Demoland's input widows and widowers (base year) are within the population too."""
    pop, surv, _ = arrays("demoland")
    assert (surv[:, 0] <= pop[:, 0]).all()
