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
:func:`financing_plan` (HiGHS, highspy), :func:`debt_path`,
:func:`stabilising_primary_balance`, :func:`fiscal_gap`,
:func:`simulate_debt` and :func:`fan`; the DSA flows :func:`decompose` (debt-creating
flows) and :func:`structure_path` (debt, interest, amortisation, GFN and the
effective rate from the debt's structure, vectorised over leading axes).

The names are imported on first use (a module ``__getattr__``): ``import
fiscal_space`` stays light, and parsing a ``fiscal_space`` section does
not import the solver.
"""

from actuarial.lazy import lazy_package

# public name -> module of the package that defines it
_LAZY = {
    "FiscalAssumptions": "assumptions", "load_fiscal": "assumptions", "parse_fiscal_space": "assumptions",
    "Macro": "baseline", "macro_baseline": "baseline",
    "annuity": "debt", "debt_factor": "debt", "debt_path": "debt", "fiscal_gap": "debt", "propagation": "debt",
    "stabilising_primary_balance": "debt",
    "financing_gap": "gap", "prepare_costs": "gap",
    "HANDBOOK": "options", "Context": "options", "Option": "options", "capacity": "options",
    "Plan": "plan", "financing_plan": "plan",
    "run_fiscal_space": "run",
    "PERCENTILES": "stochastic", "fan": "stochastic", "simulate_debt": "stochastic",
    "decompose": "decomposition", "DebtPaths": "financing_needs", "Profile": "financing_needs",
    "structure_path": "financing_needs",
}

__all__ = [
    "HANDBOOK", "PERCENTILES", "Context", "FiscalAssumptions", "Macro", "Option", "Plan", "annuity", "capacity",
    "debt_factor", "debt_path", "fan", "financing_gap", "financing_plan", "fiscal_gap", "load_fiscal",
    "macro_baseline", "parse_fiscal_space", "prepare_costs", "propagation", "run_fiscal_space", "simulate_debt",
    "stabilising_primary_balance",
]
__all__ += ["DebtPaths", "Profile", "decompose", "structure_path"]  # issue 20: the DSA flows


__getattr__, __dir__ = lazy_package(__name__, {name: f"fiscal_space.{module}" for name, module in _LAZY.items()})
