"""The generated views of the assumption schema, for the engine's sections:
the parameter reference (``docs/parameters.md``), the JSON Schema
(``actuarial/schema/assumptions.schema.json``) and ``describe``.

Importing :mod:`actuarial.assumptions.model` registers every declared
section; the generators (:mod:`actuarial.schema.describe`) iterate over them.
"""

from __future__ import annotations

from dataclasses import MISSING
from pathlib import Path

from actuarial.assumptions.model import SECTION_ORDER
from actuarial.schema import describe as _describe
from actuarial.schema import split_sources
from actuarial.schema.loader import load_tree
import fiscal_space.assumptions  # noqa: F401,E402 (registers the fiscal_space section for the generators)

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema" / "assumptions.schema.json"
REFERENCE_FILE = Path(__file__).resolve().parents[2] / "docs" / "parameters.md"  # in a source tree


def reference_text() -> str:
    return _describe.reference(SECTION_ORDER)


def schema_text() -> str:
    return _describe.json_schema_text(SECTION_ORDER)


def json_schema() -> dict:
    return _describe.json_schema(SECTION_ORDER)


def describe(key: str, file=None) -> str:
    """``actuarial assumptions describe KEY [--file FILE]``: the key's declaration and,
    with ``file``, its value there after ``extends:`` (and its source, if written)."""
    value, source = MISSING, None
    if file is not None:
        data, _, sources = split_sources(*load_tree(file))
        node = data
        for part in key.split("."):
            part = int(part) if part.lstrip("-").isdigit() else part
            node = node.get(part, MISSING) if isinstance(node, dict) else MISSING
        value, source = ("(not set: the default applies)" if node is MISSING else node), sources.get(key)
    return _describe.describe(key, SECTION_ORDER, value, source)
