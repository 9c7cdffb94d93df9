"""Reading assumption files: strict YAML, ``extends:`` and deep merge.

A scenario file may name a parent with ``extends: other.yaml`` (relative to
itself) and override any key; mappings merge key by key, every other value
(numbers, lists, strings) replaces the parent's. Each leaf remembers the
file it came from, so validation errors and relative paths point at the
file the user actually has to edit.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from actuarial.errors import AssumptionError


class _StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses duplicate keys in a mapping."""


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)
# YAML 1.1 reads 3.0e13 (no sign in the exponent) as text; accept the
# YAML 1.2 float forms that actuaries write.
_StrictLoader.yaml_implicit_resolvers = {
    k: list(v) for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def read_yaml(path: Path) -> dict:
    """Parse one YAML file into a mapping, with errors that name the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AssumptionError(path, "", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AssumptionError(path, "", f"cannot read file ({exc})") from None
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (safe subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise AssumptionError(path, "", f"not valid YAML: {problem}{where}") from None
    if not isinstance(data, dict):
        raise AssumptionError(
            path, "", f"expected a YAML mapping of sections, got {type(data).__name__}"
        )
    return data


def load_tree(path, _chain: tuple[Path, ...] = ()) -> tuple[dict, dict]:
    """Load ``path`` with its ``extends:`` ancestors merged in.

    Returns ``(data, origins)`` where ``origins`` maps each key path (tuple)
    to the file that set it.
    """
    path = Path(path).resolve()
    if path in _chain:
        cycle = " -> ".join(p.name for p in (*_chain, path))
        raise AssumptionError(_chain[-1], "extends", f"cycle of extends: {cycle}")
    data = read_yaml(path)
    parent_name = data.pop("extends", None)
    own_origins = _origins_of(data, path)
    if parent_name is None:
        return data, own_origins
    if not isinstance(parent_name, str):
        raise AssumptionError(path, "extends", "expected the path of another YAML file")
    parent_path = (path.parent / parent_name).resolve()
    if not parent_path.is_file():
        raise AssumptionError(path, "extends", f"file {parent_name!r} not found")
    parent, origins = load_tree(parent_path, (*_chain, path))
    merged = deep_merge(parent, data)
    for key in list(origins):
        if _overridden(key, data):
            del origins[key]
    origins.update(own_origins)
    return merged, origins


# Keys that are alternatives to each other: a child that sets one drops the
# parent's others (e.g. switching mortality from life_tables to brass_logit).
ALTERNATIVES = (
    {"life_tables", "brass_logit", "improvement"},
    {"rates", "tfr"}, {"rates", "pattern"},
    {"counts", "total"}, {"counts", "pattern"},
    {"insured_file", "credit_share"}, {"insured_file", "inactive_ratio"},
)


SCHEDULE_KEYS = {"form", "first_age", "mx", "qx"}


def _replaces_whole(value) -> bool:
    """Values a child replaces rather than merges: scalars, lists, anchors
    ``{year: value}`` and age schedules (``{form: ...}``, ``{first_age: ...}``,
    ``{mx: ...}``, ``{qx: ...}``)."""
    if not isinstance(value, dict):
        return True
    anchors = bool(value) and all(isinstance(k, int) and not isinstance(k, bool) for k in value)
    return anchors or bool(SCHEDULE_KEYS & set(value))


def deep_merge(base: dict, override: dict) -> dict:
    """Merge ``override`` into a copy of ``base``.

    Mappings merge key by key; what ``_replaces_whole`` names replaces the
    parent's value; setting one of a group of ``ALTERNATIVES``
    removes the parent's other members of that group.
    """
    out = dict(base)
    for key in override:
        for group in ALTERNATIVES:
            if key in group:
                for other in group - {key}:
                    if other not in override:
                        out.pop(other, None)
    for key, value in override.items():
        if isinstance(out.get(key), dict) and not _replaces_whole(value):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def apply_overrides(data: dict, origins: dict, overrides: dict, source) -> tuple[dict, dict]:
    """Merge ``{"dotted.key.path": value}`` into a loaded tree, as if an
    ``extends:`` child file ``source`` set those keys (same merge rules).

    Parts of a key path that are all digits are read as integers (anchor
    years), as YAML reads them. Errors in the overridden values name
    ``source`` and the key path.
    """
    source = Path(source)
    child: dict = {}
    leaves = []
    for dotted, value in overrides.items():
        parts = tuple(int(p) if p.isdigit() else p for p in str(dotted).split("."))
        if not all(isinstance(p, int) or p.strip() for p in parts):
            raise AssumptionError(source, str(dotted), "expected a dotted key path such as "
                                                       "'demography.fertility.tfr'")
        node = child
        for i, part in enumerate(parts[:-1]):
            node = node.setdefault(part, {})
            if not isinstance(node, dict) or (parts[:i + 1] in leaves):
                raise AssumptionError(source, str(dotted), "conflicts with another key of the same path")
        if parts[-1] in node:
            raise AssumptionError(source, str(dotted), "conflicts with another key of the same path")
        node[parts[-1]] = value
        leaves.append(parts)
    merged = deep_merge(data, child)
    origins = {k: v for k, v in origins.items() if not _overridden(k, child)}
    for parts in leaves:
        node = child
        for part in parts:
            node = node[part]
        origins.update(_origins_of(node, source, parts))
    return merged, origins


def _origins_of(data, path: Path, prefix: tuple = ()) -> dict:
    origins = {prefix: path}
    if isinstance(data, dict):
        for key, value in data.items():
            origins.update(_origins_of(value, path, (*prefix, key)))
    return origins


def _overridden(key: tuple, data: dict) -> bool:
    """True when ``data`` replaces the value at ``key`` or one of its parents."""
    node = data
    for part in key:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
        if _replaces_whole(node):
            return True
    return False
