"""How a ``results.nc`` was made, and the labels of its coordinates (the layout is in docs/results.md).

When a run's results are written (:func:`actuarial.output.write_results` with
``provenance=``), every node's attrs carry, besides those of the run itself
(``engine_version``, ``assumptions_hash``, ``case``, ``country``,
``currency``, ``source``, ...):

- ``command``: the command line that wrote the file (``actuarial run ...``);
- ``software_versions``: the versions of Python and of the key dependencies
  (:data:`PACKAGES`), one text such as ``"python 3.11.7; numpy 2.4.6; ..."``;
- ``created``: when the file was written, ISO 8601 in UTC
  (``2026-12-02T03:55:00Z``);
- ``assumptions_yaml``: the resolved assumptions, i.e. the merged tree after
  ``extends:`` and ``--set``, as YAML text.

``source`` (set by the run) is the assumption file's path relative to the
working directory, and absolute only when the file is not below it
(:func:`display_path`).

Provenance is not content. These attrs are added only when a file is
written, never to the tree that :func:`actuarial.pipeline.run` returns. So
they do not enter the assumptions digest (``assumptions_hash``), the batch
checkpoints' content hash, or the compare tool's cache, which is keyed by
digest and engine version. Two runs that differ only in time have equal data
and equal digests. A tree read back from a file keeps the provenance it has.

Coordinates: every coordinate named in :data:`COORDINATES` gets ``units`` and
``long_name`` when the file is written, unless it already has its own.

The ``scenario`` dimension (:func:`single_scenario`): every node that holds
data has a ``scenario`` dimension. In a run's tree, the projection stages
keep a size-1 ``scenario`` (the value 0, the deterministic path) on their
variables (demography, labour, pension, employment_injury, spf), but the
economy and fiscal_space nodes had none. When the file is written, a node
without one gets the size-1 ``scenario`` coordinate (value 0), and its
variables are left as they are. So ``ds.isel(scenario=0)`` reads every node
alike. The value 0 is the deterministic path, also in a stochastic run: the
distributions of the scenarios are along ``percentile`` (``<name>_percentile``
and the ``/stochastic`` node), and the scenarios themselves, numbered 0..N-1,
are only in ``scenarios.zarr`` (``--keep-scenarios``). The root node holds
attrs only, and no dimension.
"""

from __future__ import annotations

import platform
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

# distributions whose versions are recorded (the engine's own version is engine_version)
PACKAGES = ("numpy", "pandas", "xarray", "numba", "scipy", "pydantic", "netCDF4")

LABEL = "1"  # the units of a coordinate of labels or counts (CF: dimensionless)

# coordinate -> (units, long_name); a coordinate's own attrs (set by its stage) are kept
COORDINATES = {
    "year": ("year", "calendar year (stocks at 1 January, flows during the year)"),
    "age": ("years", "age in completed years (100: 100 and over)"),
    "at_age": ("years", "age at which the life expectancy is given"),
    "sex": (LABEL, "sex"),
    "scenario": (LABEL, "stochastic scenario number"),
    "percentile": ("percent", "percentile of the stochastic scenarios"),
    "horizon": ("years", "valuation horizon (years from the base year)"),
    "benefit_type": (LABEL, "type of benefit"),
    "flow": (LABEL, "flow of insured persons"),
    "sector": (LABEL, "economic sector (risk class)"),
    "claim_type": (LABEL, "type of claim"),
    "benefit": (LABEL, "benefit"),
    "financing_method": (LABEL, "financing method"),
    "check": (LABEL, "benefit check against the ILO minimum standard"),
    "indicator": (LABEL, "coverage indicator (SDG 1.3.1 series)"),
    "indicator_definition": (LABEL, "definition of the coverage indicator"),
    "convention": (LABEL, "ILO convention"),
    "standard_benefit": (LABEL, "benefit of the ILO standard"),
    "scheme": (LABEL, "scheme that pays the benefit"),
    "article": (LABEL, "articles of the convention"),
    "reference": (LABEL, "reference beneficiary of the convention's schedule"),
    "item": (LABEL, "item of the package"),
    "option": (LABEL, "financing option"),
    "option_kind": (LABEL, "effect of the option on the accounts"),
    "reform": (LABEL, "with or without the reform"),
    "r_g_shift": (LABEL, "change of r - g (added to the interest rate)"),
    "component": (LABEL, "debt-creating flow (IMF MAC DSA template)"),
    "stress_test": (LABEL, "IMF MAC DSA standard stress test or user scenario (baseline: no shock)"),
    "heat_indicator": (LABEL, "indicator of the DSA heat map (debt, gross financing needs)"),
    "sustainability_indicator": (LABEL, "sustainability gap indicator of the European Commission (S1, S2)"),
    "sustainability_component": (LABEL, "component of the sustainability gap"),
    "programme": (LABEL, "age-related programme projected by the engine"),
}


def display_path(path) -> str:
    """``path`` relative to the working directory, or absolute if it is not below it."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def software_versions() -> str:
    """``"python 3.11.7; numpy 2.4.6; ..."`` (``not installed`` for a missing package)."""
    from importlib.metadata import PackageNotFoundError, version

    parts = [f"python {platform.python_version()}"]
    for name in PACKAGES:
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} not installed")
    return "; ".join(parts)


def created_now() -> str:
    """The current time, ISO 8601 in UTC, to the second: ``2026-12-02T03:55:00Z``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def assumptions_yaml(assumptions) -> str:
    """The resolved assumption tree (after ``extends:`` and overrides) as YAML text."""
    import yaml

    tree = getattr(assumptions, "parsed", None) or {}
    return yaml.safe_dump(_plain(tree), sort_keys=False, allow_unicode=True, width=100)


def _plain(value):
    """``value`` with only YAML's plain types (numpy scalars and paths as numbers and text)."""
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if hasattr(value, "item"):  # a numpy scalar
        return value.item()
    return str(value)


def provenance(assumptions, command=None) -> dict:
    """The provenance attrs of a run of ``assumptions`` (see the module docstring).
    ``command``: the command line as a list of words (default: this process's)."""
    import shlex

    words = list(sys.argv if command is None else command)
    if words and command is None:
        words[0] = Path(words[0]).name  # the program's name, not where it is installed
    return {"command": shlex.join(words), "software_versions": software_versions(),
            "created": created_now(), "assumptions_yaml": assumptions_yaml(assumptions)}


def label_coordinates(ds):
    """``ds`` with ``units`` and ``long_name`` on each coordinate named in :data:`COORDINATES`
    (attrs it already has are kept)."""
    for name in ds.coords:
        if name in COORDINATES:
            units, long_name = COORDINATES[name]
            attrs = {"units": units, "long_name": long_name, **ds[name].attrs}
            if attrs != ds[name].attrs:
                ds[name].attrs = attrs
    return ds


def single_scenario(ds):
    """``ds`` with a ``scenario`` dimension: the size-1 coordinate (value 0) added to a node
    that holds data and has none (the rule in the module docstring)."""
    if ds.data_vars and "scenario" not in ds.dims:
        ds = ds.assign_coords(scenario=("scenario", np.zeros(1, dtype=np.int64)))
    return ds


def prepare_dataset(ds, attrs: dict | None = None):
    """A copy of one node as written: its coordinates labelled, a ``scenario`` dimension
    (:func:`single_scenario`), and ``attrs`` (the provenance) where it does not carry them already."""
    ds = label_coordinates(single_scenario(ds.copy()))
    if attrs:
        ds.attrs = {**ds.attrs, **{k: v for k, v in attrs.items() if k not in ds.attrs}}
    return ds


def prepare(tree, attrs: dict | None = None):
    """A copy of the results tree as written: :func:`prepare_dataset` on the root and every node."""
    import xarray as xr

    nodes = {node.path: prepare_dataset(node.to_dataset(), attrs) for node in tree.subtree}
    return xr.DataTree.from_dict(nodes, name=tree.name)


__all__ = ["COORDINATES", "PACKAGES", "assumptions_yaml", "created_now", "display_path",
           "label_coordinates", "prepare", "prepare_dataset", "provenance", "single_scenario",
           "software_versions"]
