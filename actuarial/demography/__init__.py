"""Demography: life tables, mortality, fertility and migration, projection."""

from actuarial.demography.lifetable import annuity_factors, life_table, survival
from actuarial.demography.projection import project_population

__all__ = ["annuity_factors", "life_table", "project_population", "survival"]
