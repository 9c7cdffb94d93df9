"""Values that carry their source: ``{value: ..., source: "..."}``.

Any value of an assumption file may be written so, and so may each anchor
of a series (``inflation: {2025: {value: 0.05, source: "IMF WEO Oct 2025"},
2030: 0.03}``). :func:`split_sources` replaces each such mapping by its
value before validation and returns the sources by key path
(``"economy.inflation.2025"``), which the results, the workbook and the
report can show beside the value.
"""

from __future__ import annotations

SOURCE_KEYS = frozenset(("value", "source"))


def is_sourced(node) -> bool:
    """``{value: ..., source: ...}`` (``source`` optional)."""
    return isinstance(node, dict) and "value" in node and set(node) <= SOURCE_KEYS


def split_sources(data, origins: dict | None = None, path: tuple = ()):
    """``(data without sources, origins, {key path: source})``.

    ``origins`` (key path tuple -> file) gains the file of each value at the
    path of the mapping it replaced, so errors still name the right file.
    """
    sources: dict[str, str] = {}
    origins = dict(origins or {})
    return _strip(data, origins, path, sources), origins, sources


def _strip(node, origins: dict, path: tuple, sources: dict):
    if is_sourced(node):
        origin = origins.get((*path, "value")) or origins.get((*path, "source"))
        if origin is not None:
            origins.setdefault(path, origin)
        if "source" in node:
            sources[".".join(str(p) for p in path)] = str(node["source"])
        return _strip(node["value"], origins, path, sources)
    if isinstance(node, dict):
        return {k: _strip(v, origins, (*path, k), sources) for k, v in node.items()}
    return node
