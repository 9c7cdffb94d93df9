"""Typed, validated, immutable assumptions: loading a file and validating
each section into the engine's value types (:class:`Assumptions`).

Each section is declared where it lives (``actuarial.schema.case``,
``.demography``, ``.economy``, ``.pension``...): meaning, unit and valid
range of every key; this module checks which sections need which.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from actuarial.assumptions.demography import (  # noqa: F401 (re-exported)
    BrassMortality, Demography, DemographySection, Fertility, ImprovementMortality, LifeTableMortality,
    Migration, MortalityTable)
from actuarial.assumptions.demography import demography as build_demography
from actuarial.assumptions.distribution import Distribution, parse_distribution
from actuarial.assumptions.economy import Economy, Labour, parse_labour
from actuarial.assumptions.loader import apply_overrides, load_tree
from actuarial.assumptions.pension import Pension, parse_pension
from actuarial.assumptions.spf import SPF, parse_spf
from actuarial.assumptions.injury import Injury, parse_injury
from actuarial.assumptions.stochastic import Stochastic, parse_stochastic
from actuarial.schema.display import assumptions_html, assumptions_repr, attach_reprs
from actuarial.assumptions.reader import Reader
from actuarial.assumptions.schedules import SEXES, Anchored, BySex, frozen  # noqa: F401 (re-exported)
from actuarial.assumptions.series import TimeSeries
from actuarial.schema import read_section, split_sources
from actuarial.schema.case import Case  # noqa: F401 (re-exported)
from fiscal_space.assumptions import parse_fiscal_space  # fiscal_space imports only the toolkit: no circle

# the top-level keys of an assumption file, in the order they are documented
SECTION_ORDER = ("case", "demography", "economy", "labour", "pension", "employment_injury", "spf",
                 "distribution", "stochastic", "fiscal_space")


@dataclass(frozen=True)
class Assumptions:
    source: Path
    digest: str
    case: Case
    demography: Demography
    economy: Economy | None = None
    labour: Labour | None = None
    pension: Pension | None = None
    spf: SPF | None = None
    employment_injury: Injury | None = None
    stochastic: Stochastic | None = None
    fiscal_space: object | None = None  # fiscal_space.FiscalAssumptions
    distribution: Distribution | None = None  # the spf benefits on household survey data
    # the merged tree as parsed at load time (extends: and overrides applied), a
    # copy: the workbook's assumptions sheet shows it, never the file re-read
    parsed: dict | None = dataclasses.field(default=None, repr=False, compare=False)
    # where values came from: key path ("economy.inflation.2025") -> the source
    # written beside it ({value: ..., source: "..."}), in file order
    sources: dict = dataclasses.field(default_factory=dict, repr=False, compare=False)
    __repr__, _repr_html_ = assumptions_repr, assumptions_html  # a few lines, not every schedule


attach_reprs("actuarial.assumptions")  # the sections' reprs: brief (schema/display.py)
attach_reprs("actuarial.schema")


def load_assumptions(path, overrides: dict | None = None, overrides_source=None) -> Assumptions:
    """Load, merge (``extends:``) and validate an assumption file.

    ``overrides`` maps dotted key paths to values (``{"economy.interest_rate":
    0.05}``), merged over the file as an ``extends:`` child would be; errors in
    them name ``overrides_source`` (e.g. a sensitivity grid file; default ``path``).
    """
    path = Path(path)
    data, origins = load_tree(path)
    if overrides:
        data, origins = apply_overrides(data, origins, overrides, overrides_source or path)
    return assumptions_from_tree(data, origins, path)


def assumptions_from_tree(data: dict, origins: dict, path) -> Assumptions:
    """Validate a loaded tree (``load_tree``'s ``(data, origins)``) read from ``path``."""
    path = Path(path)
    data, origins, sources = split_sources(data, origins)
    root = Reader(data, origins)
    with root:
        case = read_section(root, "case", Case)
        declared = read_section(root, "demography", DemographySection, context={"case": case})
        demography = build_demography(declared, Reader(data["demography"], origins, ("demography",)), case)
        economy = read_section(root, "economy", Economy) if root.has("economy") else None
        labour = parse_labour(root.section("labour")) if root.has("labour") else None
        if labour is not None and economy is None:
            raise root.error("economy", "required key is missing (the labour section needs it)")
        if economy is not None and economy.productivity_growth is not None and labour is None:
            raise root.error("labour", "required key is missing (economy.productivity_growth needs "
                                       "employment from it)")
        pension = None
        if root.has("pension"):
            _require(root, "pension", economy=economy, labour=labour)
            pension = parse_pension(root.section("pension"), case, labour)
        spf = None
        if root.has("spf"):
            if economy is None:
                raise root.error("economy", "required key is missing (the spf section needs it)")
            spf = parse_spf(root.section("spf"), case)
            kinds = {b.kind for b in spf.benefits}
            if "unemployment" in kinds and labour is None:
                raise root.error("labour", "required key is missing (an unemployment benefit needs it)")
            if any(b.pension_tested for b in spf.benefits) and pension is None:
                raise root.error("pension", "required key is missing (a pension-tested benefit needs it)")
        injury = None
        if root.has("employment_injury"):
            _require(root, "employment_injury", economy=economy, labour=labour)
            injury = parse_injury(root.section("employment_injury"), case)
        stochastic = parse_stochastic(root.section("stochastic")) if root.has("stochastic") else None
        if stochastic is not None and stochastic.economy is not None and economy is None:
            raise root.error("economy", "required key is missing (stochastic.economy needs it)")
        distribution = None
        if root.has("distribution"):
            if spf is None:
                raise root.error("spf", "required key is missing (the distribution section needs it)")
            distribution = parse_distribution(root.section("distribution"), case)
            _survey_columns(root, distribution, spf)
        fiscal = None
        if root.has("fiscal_space"):
            fiscal = parse_fiscal_space(root.section("fiscal_space"), case)
    sections = (case, demography, economy, labour, pension, spf, injury, stochastic, fiscal)
    return Assumptions(path.resolve(), _digest(data, (*sections, distribution), sources), *sections,
                       distribution=distribution, parsed=copy.deepcopy(data), sources=sources)


def _survey_columns(root: Reader, distribution: Distribution, spf: SPF) -> None:
    """The survey columns the spf benefits need: employment status for an
    unemployment benefit, pensions for a pension-tested one."""
    survey = distribution.survey
    for ben in spf.benefits:
        if ben.kind == "unemployment" and survey.unemployed is None:
            raise root.error("distribution.survey.columns.employment",
                             f"the persons file {survey.files[1]} has no employment column (the unemployment "
                             f"benefit {ben.name} needs it)")
        if ben.pension_tested and survey.pension is None:
            raise root.error("distribution.survey.columns.pension",
                             f"the persons file {survey.files[1]} has no pension column (the pension-tested "
                             f"benefit {ben.name} needs it)")


def _require(root: Reader, section: str, **needed) -> None:
    """Sections that ``section`` needs (name=parsed value, None when absent)."""
    for name, value in needed.items():
        if value is None:
            raise root.error(name, f"required key is missing (the {section} section needs it)")


def _digest(data: dict, sections, sources: dict | None = None) -> str:
    """Hash of the merged YAML (its sources included) and of every array
    parsed from it or from the files it names (UN tables, insured records),
    so data changes show."""
    h = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode())
    if sources:
        h.update(json.dumps(sources, sort_keys=True).encode())
    stack = list(sections)
    while stack:
        item = stack.pop()
        if isinstance(item, np.ndarray):
            h.update(np.ascontiguousarray(item).tobytes())
        elif dataclasses.is_dataclass(item):
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))
        elif isinstance(item, (tuple, list)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return h.hexdigest()[:16]
