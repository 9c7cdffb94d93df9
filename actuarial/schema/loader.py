"""Reading assumption files: strict YAML, ``extends:`` and deep merge.

A scenario file may name a parent with ``extends: other.yaml`` (relative to
itself) and override any key; mappings merge key by key, every other value
(numbers, lists, strings) replaces the parent's. Each leaf remembers the
file it came from, so validation errors and relative paths point at the
file the user actually has to edit.

Limits (an assumption file is small; anything beyond them is refused with
one error naming the file, before anything else is built from it):

- ``MAX_FILE_BYTES``: a YAML file of at most 1 MiB, and a regular file
  (not a folder, device, FIFO or socket);
- ``MAX_DEPTH``: at most 32 levels from the top of the file to a value;
- ``MAX_NODES``: at most 250,000 values (keys, scalars, mappings and lists)
  once anchors and aliases (``&a``/``*a``) are expanded, so an alias bomb
  fails at once; an alias to a node that contains it is refused;
- ``MAX_EXTENDS``: a chain of at most 16 files through ``extends:``;
- no NUL character, in the text or in an escaped string (``"\\0"``);
- no YAML merge keys (``<<: *anchor``): write the keys out or use ``extends:``;
- keys are text or numbers, and values plain YAML (no ``!!binary``, ``!!set``, ...).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import yaml

from actuarial.errors import AssumptionError


MAX_FILE_BYTES = 1 << 20
MAX_DEPTH = 32
MAX_NODES = 250_000
MAX_EXTENDS = 16
MERGE_TAG = "tag:yaml.org,2002:merge"
# the tags an assumption file may hold (explicit !!binary, !!set, !!omap, ... are refused)
TAGS = {f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float", "str", "timestamp", "seq", "map")}


class _StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses duplicate keys in a mapping and
    nesting deeper than ``MAX_DEPTH`` (while composing: no deep recursion)."""

    _depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested deeper than {MAX_DEPTH} levels", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


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


def read_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """The UTF-8 text of a regular file of at most ``limit`` bytes (a device,
    FIFO or socket is refused before it is opened: no endless read, no block)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise AssumptionError(path, "", "file not found") from None
    except (OSError, ValueError) as exc:
        raise AssumptionError(path, "", f"cannot read file ({exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise AssumptionError(path, "", "expected a file, got a folder")
    if not stat.S_ISREG(info.st_mode):
        raise AssumptionError(path, "", "expected a regular file (not a device, FIFO or socket)")
    too_big = f"file larger than the limit of {limit:,} bytes"
    if info.st_size > limit:
        raise AssumptionError(path, "", f"{too_big} ({info.st_size:,} bytes)")
    try:
        with open(path, "rb") as f:
            raw = f.read(limit + 1)
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AssumptionError(path, "", f"cannot read file ({exc})") from None
    if len(raw) > limit:  # grew since stat
        raise AssumptionError(path, "", too_big)
    return text


def _where(mark) -> str:
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""


def _check_nodes(root, path: Path) -> None:
    """Refuse what YAML allows but an assumption file must not hold: more than
    ``MAX_NODES`` values or ``MAX_DEPTH`` levels once aliases are expanded,
    an alias inside its own anchor, merge keys, NUL characters.

    One pass over the composed nodes (an alias is the same node object
    again), each node once: its expanded size and depth are memoised, so an
    alias bomb is measured, never expanded. Iterative: no recursion limit.
    """
    done: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded nodes, depth)
    open_: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in done:
            continue
        if node.tag not in TAGS and node.tag != MERGE_TAG:
            raise AssumptionError(path, "", f"YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')!r}"
                                            f"{_where(node.start_mark)}: not supported (plain text, numbers, "
                                            "true/false, lists and mappings only)")
        if isinstance(node, yaml.ScalarNode):
            if node.tag == MERGE_TAG:
                raise AssumptionError(path, "", f"YAML merge key (<<){_where(node.start_mark)}: not "
                                                "supported; write the keys out, or put the shared "
                                                "values in a file named by extends:")
            if "\x00" in node.value:
                raise AssumptionError(path, "", f"NUL character in a value{_where(node.start_mark)}")
            done[key] = (1, 1)
            continue
        if isinstance(node, yaml.MappingNode):
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise AssumptionError(path, "", f"a key that is a mapping or a list"
                                                    f"{_where(key_node.start_mark)}: expected text or a number")
            children = [n for pair in node.value for n in pair]
        else:
            children = list(node.value)
        if not children_done:
            if key in open_:
                raise AssumptionError(path, "", f"an alias refers to a node that contains it"
                                                f"{_where(node.start_mark)}")
            open_.add(key)
            stack.append((node, True))
            for child in children:
                if id(child) in open_:
                    raise AssumptionError(path, "", f"an alias refers to a node that contains it"
                                                    f"{_where(child.start_mark)}")
                if id(child) not in done:
                    stack.append((child, False))
            continue
        open_.discard(key)
        size = 1 + sum(done[id(c)][0] for c in children)
        depth = 1 + max((done[id(c)][1] for c in children), default=0)
        if size > MAX_NODES:
            raise AssumptionError(path, "", f"more than {MAX_NODES:,} values once aliases are expanded"
                                            f"{_where(node.start_mark)}")
        if depth > MAX_DEPTH:
            raise AssumptionError(path, "", f"nested deeper than {MAX_DEPTH} levels once aliases are "
                                            f"expanded{_where(node.start_mark)}")
        done[key] = (size, depth)


if getattr(yaml, "__with_libyaml__", False):
    class _FastStrictLoader(yaml.cyaml.CParser, _StrictLoader):
        """:class:`_StrictLoader` reading its events from libyaml (C): the same
        composer (depth limit), constructor and resolver, about 5 times faster."""

        get_single_node = yaml.composer.Composer.get_single_node
        get_node = yaml.composer.Composer.get_node
        check_node = yaml.composer.Composer.check_node

        def __init__(self, stream):
            yaml.cyaml.CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

        def dispose(self):
            pass
else:  # pragma: no cover - PyYAML built without libyaml
    _FastStrictLoader = _StrictLoader


def _parse(text: str, path: Path):
    """Compose, check (``_check_nodes``), then construct: the Python objects
    are only built from a document within the limits."""
    loader = _FastStrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_nodes(node, path)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def read_yaml(path: Path) -> dict:
    """Parse one YAML file into a mapping, with errors that name the file."""
    text = read_text(path)
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul)
        column = nul - (text.rfind("\n", 0, nul) + 1)
        raise AssumptionError(path, "", f"NUL character at line {line + 1}, column {column + 1}")
    try:
        data = _parse(text, path)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        if isinstance(exc, yaml.reader.ReaderError):
            code = exc.character if isinstance(exc.character, int) else ord(exc.character)
            problem, where = f"character #x{code:04x} is not allowed", f" at position {exc.position}"
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
    if len(_chain) >= MAX_EXTENDS:
        raise AssumptionError(_chain[-1], "extends", f"chain of extends longer than the limit of "
                                                     f"{MAX_EXTENDS} files (from {_chain[0]})")
    data = read_yaml(path)
    parent_name = data.pop("extends", None)
    own_origins = _origins_of(data, path)
    if parent_name is None:
        return data, own_origins
    if not isinstance(parent_name, str):
        raise AssumptionError(path, "extends", "expected the path of another YAML file")
    parent_path = (path.parent / parent_name).resolve()
    if not parent_path.exists():
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


SCHEDULE_KEYS = {"form", "first_age", "mx", "qx", "value"}  # "value": {value: ..., source: ...}


def _replaces_whole(value) -> bool:
    """Values a child replaces rather than merges: scalars, lists, anchors
    ``{year: value}``, age schedules (``{form: ...}``, ``{first_age: ...}``,
    ``{mx: ...}``, ``{qx: ...}``) and values with their source (``{value: ...,
    source: ...}``: a child's value never keeps the parent's source)."""
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
