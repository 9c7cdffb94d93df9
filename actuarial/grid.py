"""Sensitivity grids: a small YAML file whose product of values expands into cases.

::

    base: demoland.yaml                  # the assumption file varied (relative to this file)
    name: demoland                       # prefix of the case names (default: the base case's name)
    set:                                 # optional: overrides common to every case
      case.horizon: 75
    grid:                                # key path -> values; the product gives the cases
      demography.fertility.tfr:          # {label: value}: values labelled in case names
        low: {2025: 2.7, 2060: 1.6}
        high: {2025: 2.7, 2060: 2.6}
      economy.interest_rate: [0.04, 0.06]   # [values]: scalars name themselves
      pension.pensionable_age: [60, 65]

Each case is the base file with the grid point's values merged over it, as
an ``extends:`` child file would be (``load_assumptions(base, overrides)``);
an error in a value names the grid file and the key path. The cases are
named from the prefix and the values, e.g.
``demoland_tfr-low_interest_rate-0.04_pensionable_age-60``: the label of a
key is the last part of its path (more parts when two keys share it), a
scalar value names itself, a mapping or list value is named by its position
(1, 2, ...) unless the values are given as ``{label: value}``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from actuarial.assumptions.loader import apply_overrides, load_tree, read_yaml
from actuarial.assumptions.model import Assumptions, assumptions_from_tree
from actuarial.errors import AssumptionError

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_GRID_LINE = re.compile(r"^grid\s*:", re.MULTILINE)
_KEYS = {"base", "name", "set", "grid"}


@dataclass(frozen=True)
class CaseSpec:
    """One case of a batch: an assumption file, possibly with overrides.

    ``name`` is None for a plain case file (its ``case.name`` names it once
    loaded); ``file`` is the file the user edits (the case file or the grid
    file), ``base`` the assumption file loaded.
    """

    file: Path
    base: Path
    name: str | None = None
    overrides: dict = field(default_factory=dict)
    point: tuple = ()  # a grid case's values: ((key path, key label, value label, value), ...)

    @property
    def label(self) -> str:
        """The case's name, or the file's stem before it is loaded."""
        return self.name or self.file.stem

    def load(self, trees: dict | None = None) -> Assumptions:
        """Load and validate; ``trees`` caches parsed base files across cases."""
        if not self.overrides:
            return assumptions_from_tree(*_tree(self.base, trees), self.base)
        data, origins = apply_overrides(*_tree(self.base, trees), self.overrides, self.file)
        return assumptions_from_tree(data, origins, self.base)


def _tree(path: Path, trees: dict | None):
    if trees is None:
        return load_tree(path)
    if path not in trees:
        trees[path] = load_tree(path)
    return trees[path]


def is_grid(path) -> bool:
    """True for a grid file (a top-level ``grid:`` key), without parsing it."""
    try:
        return bool(_GRID_LINE.search(Path(path).read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError):
        return False


def expand_grid(path, trees: dict | None = None) -> list[CaseSpec]:
    """The cases of a grid file, in product order (the last key varies fastest)."""
    path = Path(path).resolve()
    data = read_yaml(path)
    unknown = sorted(set(data) - _KEYS, key=str)
    if unknown:
        raise AssumptionError(path, str(unknown[0]), f"unknown key (expected {', '.join(sorted(_KEYS))})")
    base_name = data.get("base")
    if not isinstance(base_name, str) or not base_name.strip():
        raise AssumptionError(path, "base", "expected the path of the assumption file to vary")
    base = (path.parent / base_name).resolve()
    if not base.is_file():
        raise AssumptionError(path, "base", f"file {base_name!r} not found")
    fixed = data.get("set") or {}
    if not isinstance(fixed, dict):
        raise AssumptionError(path, "set", "expected a mapping {key.path: value}")
    grid = data.get("grid")
    if not isinstance(grid, dict) or not grid:
        raise AssumptionError(path, "grid", "expected a mapping {key.path: [values]} with at least one key")
    axes = [_axis(path, str(key), values) for key, values in grid.items()]
    prefix = data.get("name")
    if prefix is None:
        base_data, _ = _tree(base, trees)
        prefix = (base_data.get("case") or {}).get("name")
    if not isinstance(prefix, str) or not _NAME.fullmatch(prefix):
        raise AssumptionError(path, "name", "expected a case-name prefix of letters, digits, '_', '-' "
                                            f"or '.'; got {prefix!r}")
    keys = [str(k) for k in grid]
    labels = _key_labels(keys)
    specs = []
    for point in itertools.product(*axes):
        name = "_".join([prefix, *(f"{lab}-{vlab}" for lab, (vlab, _) in zip(labels, point))])
        overrides = {**fixed, **{k: v for k, (_, v) in zip(keys, point)}, "case.name": name}
        specs.append(CaseSpec(file=path, base=base, name=name, overrides=overrides,
                              point=tuple((k, lab, vlab, v) for k, lab, (vlab, v) in zip(keys, labels, point))))
    return specs


def _axis(path: Path, key: str, values) -> list[tuple[str, object]]:
    """``[(label, value)]`` of one grid key."""
    if isinstance(values, dict) and values and all(isinstance(k, str) for k in values):
        for label in values:
            if not _NAME.fullmatch(label):
                raise AssumptionError(path, f"grid.{key}.{label}", "expected a label of letters, digits, "
                                                                   "'_', '-' or '.'")
        return list(values.items())
    if not isinstance(values, list) or not values:
        raise AssumptionError(path, f"grid.{key}", "expected a list of values or a mapping "
                                                   "{label: value}")
    out = []
    for i, value in enumerate(values, start=1):
        if isinstance(value, bool):
            label = str(value).lower()
        elif isinstance(value, (int, float)):
            label = f"{value:g}" if isinstance(value, float) else str(value)
        elif isinstance(value, str) and value:
            label = re.sub(r"[^A-Za-z0-9_.-]", "-", value)
        else:
            label = str(i)
        out.append((label, value))
    if len({lab for lab, _ in out}) < len(out):
        raise AssumptionError(path, f"grid.{key}", "values repeat (or name the same case); give "
                                                   "distinct values or a mapping {label: value}")
    return out


def _key_labels(keys: list[str]) -> list[str]:
    """The shortest distinct suffix of each dotted key path ('_' for '.')."""
    parts = [k.split(".") for k in keys]
    n = 1
    while True:
        labels = ["_".join(p[-n:]) for p in parts]
        if len(set(labels)) == len(labels) or n >= max(len(p) for p in parts):
            return labels
        n += 1


def is_fiscal_only(path) -> bool:
    """True for a standalone fiscal-space file (``actuarial fiscal FILE``): a
    ``fiscal_space`` section and no ``demography`` (not a valuation case)."""
    try:
        data = read_yaml(Path(path))
    except AssumptionError:
        return False
    return isinstance(data, dict) and "fiscal_space" in data and "demography" not in data \
        and "extends" not in data


def case_specs(files=(), grids=(), trees: dict | None = None) -> list[CaseSpec]:
    """Specs for case files and grid files (a file with a top-level ``grid:``
    key among ``files`` is expanded as a grid)."""
    specs = []
    for f in files:
        path = Path(f).resolve()
        if is_grid(path):
            specs.extend(expand_grid(path, trees))
        else:
            specs.append(CaseSpec(file=path, base=path))
    for g in grids:
        specs.extend(expand_grid(g, trees))
    return specs
