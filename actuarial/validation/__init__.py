"""Validation cases: engine results against independent references.

A case is a folder (or a file) ``case.yaml`` with ``name``, ``kind``,
``description``, ``source`` and the kind's own keys. Each kind computes rows
(quantity, expected, got, error, tolerance, pass) where "expected" comes from
a published table, a closed form or an independent implementation, never
from this engine's own earlier output. ``actuarial validate`` prints them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from actuarial.assumptions.loader import load_tree
from actuarial.assumptions.reader import Reader
from actuarial.errors import AssumptionError


@dataclass(frozen=True)
class Row:
    case: str
    quantity: str
    expected: float
    got: float
    error: float  # relative unless the tolerance says "abs"
    tolerance: float
    passed: bool


def row(case: str, quantity: str, expected, got, tolerance: float, relative: bool = True) -> Row:
    """One check; for arrays, the worst point is reported."""
    import numpy as np

    expected = np.asarray(expected, dtype=float)
    got = np.asarray(got, dtype=float)
    if expected.shape != got.shape:
        raise ValueError(f"{case}: {quantity}: shapes differ {expected.shape} vs {got.shape}")
    diff = np.abs(got - expected)
    err = diff / np.abs(expected) if relative else diff
    err = np.where(np.isnan(err), np.inf, err)  # NaN never passes
    worst = np.unravel_index(np.argmax(err), err.shape) if err.ndim else ()
    e = float(err[worst])
    return Row(case, quantity, float(expected[worst]), float(got[worst]), e, tolerance, e <= tolerance)


def _kinds():
    from actuarial.validation import (demography, distribution, fiscal, graduation, injury, pension,
                                      pension_definitions, pension_designs, spf, standards, stochastic, wpp)
    from actuarial.validation import fiscal_bruegel, fiscal_stress, fiscal_structure, sustainability

    return {**demography.KINDS, **distribution.KINDS, **graduation.KINDS, **pension.KINDS,
            **pension_definitions.KINDS, **pension_designs.KINDS, **injury.KINDS, **spf.KINDS, **standards.KINDS,
            **stochastic.KINDS, **fiscal.KINDS, **wpp.KINDS, **fiscal_structure.KINDS, **fiscal_stress.KINDS,
            **sustainability.KINDS, **fiscal_bruegel.KINDS}


def find_cases(paths) -> list[Path]:
    cases = []
    for p in map(Path, paths):
        if p.is_dir():
            cases += sorted([*p.rglob("case.yaml"), *p.rglob("*.case.yaml")])
        elif p.is_file():
            cases.append(p)
        else:
            raise AssumptionError(p, "", "no such validation case or folder")
    if not cases:
        raise AssumptionError(paths[0] if paths else ".", "", "no validation cases found")
    return cases


def run_case(path: Path) -> list[Row]:
    data, origins = load_tree(path)
    reader = Reader(data, origins)
    kinds = _kinds()
    with reader:
        name = reader.string("name")
        kind = reader.string("kind", choices=sorted(kinds))
        reader.string("description")
        reader.string("source")
        return kinds[kind](name, reader, Path(path).resolve().parent)


def run_cases(paths) -> list[Row]:
    rows = []
    for path in find_cases(paths):
        rows += run_case(path)
    return rows


def format_rows(rows: list[Row]) -> str:
    table = pd.DataFrame([{
        "case": r.case, "quantity": r.quantity, "expected": f"{r.expected:.10g}",
        "got": f"{r.got:.10g}", "error": f"{r.error:.2e}", "tolerance": f"{r.tolerance:.0e}",
        "pass": "yes" if r.passed else "NO"} for r in rows])
    return table.to_string(index=False)
