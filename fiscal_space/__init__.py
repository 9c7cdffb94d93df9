"""Fiscal space for social protection: financing gap, options, debt dynamics.

Usable on its own (``import fiscal_space``) with a small YAML file, or as
the last stage of the engine's pipeline (it reads cost and economy
Datasets only, never a projection stage)::

    import fiscal_space
    fa = fiscal_space.load_fiscal("assumptions/fiscal_space_example.yaml")
    ds = fiscal_space.run_fiscal_space(fa)                 # costs from the file
    ds = fiscal_space.run_fiscal_space(fa, costs, economy)  # or from Datasets

Building blocks: :func:`macro_baseline`, :func:`prepare_costs`,
:func:`financing_gap`, :func:`capacity` (the handbook's eight options),
:func:`financing_plan` (scipy HiGHS), :func:`debt_path`,
:func:`stabilising_primary_balance`, :func:`fiscal_gap`,
:func:`simulate_debt` and :func:`fan`.
"""

from fiscal_space.assumptions import FiscalAssumptions, load_fiscal, parse_fiscal_space
from fiscal_space.baseline import Macro, macro_baseline
from fiscal_space.debt import (annuity, debt_factor, debt_path, fiscal_gap, propagation,
                               stabilising_primary_balance)
from fiscal_space.gap import financing_gap, prepare_costs
from fiscal_space.options import HANDBOOK, Context, Option, capacity
from fiscal_space.plan import Plan, financing_plan
from fiscal_space.run import run_fiscal_space
from fiscal_space.stochastic import PERCENTILES, fan, simulate_debt

__all__ = [
    "HANDBOOK", "PERCENTILES", "Context", "FiscalAssumptions", "Macro", "Option", "Plan", "annuity", "capacity",
    "debt_factor", "debt_path", "fan", "financing_gap", "financing_plan", "fiscal_gap", "load_fiscal",
    "macro_baseline", "parse_fiscal_space", "prepare_costs", "propagation", "run_fiscal_space", "simulate_debt",
    "stabilising_primary_balance",
]
