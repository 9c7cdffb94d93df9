"""The annotated assumptions template, generated from the declared sections.

Every key of every section in ``order`` is written with its description,
expected value, unit and default as a YAML comment above it, and a value:

1. the field's declared ``example`` (:attr:`~actuarial.schema.fields.Param.example`);
2. else the value of ``examples`` (a parsed assumption file the engine
   passes, e.g. its Demoland set) at the key's path;
3. else the key's default.

A key with neither (no default, or a default of "none" or one derived from
other keys) is written commented out (``# key: ...``): it is an alternative
form or an optional addition, and the comment says what it expects. A
``{name: item}`` mapping shows its first entry key by key, the others on one
line each. The examples must not name data files (the template stands
alone), so the engine passes a set written out inline.
"""

from __future__ import annotations

import textwrap
from dataclasses import MISSING, fields

import yaml

from actuarial.schema.describe import _doc, default_text, yaml_value
from actuarial.schema.section import SECTIONS, default_of, is_named, nested, param_of

WIDTH = 110  # characters of a line of values
ABSENT = MISSING


def _flow(value, indent: int) -> str:
    """``value`` in YAML flow style, continuation lines indented below ``indent``."""
    text = yaml.safe_dump(value, default_flow_style=True, width=WIDTH - indent, sort_keys=False)
    text = text.removesuffix("\n...\n").rstrip("\n")
    return ("\n" + " " * (indent + 4)).join(line.strip() for line in text.splitlines())


def _value_lines(key, value, indent: int) -> list[str]:
    """``key: value``: on one line when it fits, else a block mapping of flow values."""
    pad = " " * indent
    one = f"{pad}{key}: {_flow(value, indent)}"
    nests = isinstance(value, dict) and any(isinstance(v, (dict, list)) for v in value.values())
    if "\n" not in one and len(one) <= WIDTH or not nests:
        return [one]
    out = [f"{pad}{key}:"]
    for k, v in value.items():
        out += _value_lines(k, v, indent + 2)
    return out


def _comment(param, default, indent: int) -> list[str]:
    """The description, expected value, unit and default of a key, as comment lines."""
    if param is None:
        return []
    bits = [param.expected] + ([param.unit] if param.unit else []) + [f"default: {default_text(param, default)}"]
    text = f"{param.description} [{'; '.join(b for b in bits if b)}]"
    if param.source:
        text += f" Usual source: {param.source}"
    return textwrap.wrap(text, WIDTH - indent - 2, initial_indent=" " * indent + "# ",
                         subsequent_indent=" " * indent + "# ", break_on_hyphens=False)


def _get(tree, name):
    return tree.get(name, ABSENT) if isinstance(tree, dict) else ABSENT


def _fields(cls, example, indent: int, commented: bool = False, entry: bool = False) -> list[str]:
    """The lines of the keys of section ``cls``; ``example``: its mapping in the examples;
    ``entry``: an entry of a ``{name: item}`` mapping, whose keys not in the example are
    commented out (with their default: a key may belong to one kind of entry only)."""
    out = []
    for f in fields(cls):
        param, default, inner = param_of(cls, f.name), default_of(f), nested(cls, f.name)
        given = _get(example, f.name)
        if param is not None and param.example is not None:
            given = param.example
        pad = " " * indent
        if inner is not None and not is_named(cls, f.name):  # a nested mapping: its keys below
            doc = _doc(inner)
            out.append(f"{pad}# {doc[0] if doc else f.name}")
            if given is ABSENT and default not in (ABSENT, None):
                given = yaml_value(default)
            off = commented or given is ABSENT or (entry and _get(example, f.name) is ABSENT)
            out.append(f"{pad}{'# ' if off else ''}{f.name}:"
                       + ("   # (optional or an alternative; default: "
                          f"{default_text(param, default)})" if off and not commented else ""))
            out += _fields(inner, None if given is ABSENT else given, indent + 2, off)
            continue
        out += _comment(param, default, indent)
        if param is not None and param.entries and isinstance(given, dict):  # each entry's class by its name
            out += _entries(f.name, dict(param.entries), given, indent, commented)
            continue
        if inner is not None and not isinstance(given, dict):  # {name: section} not in the example: one entry
            out += [f"{pad}# {f.name}:", f"{pad}  # {EXAMPLE_ENTRY}:   # a name of your choice"]
            out += _fields(inner, None, indent + 4, True)
            continue
        if inner is not None and isinstance(given, dict) and given:  # {name: section}: the first entry in full
            out.append(f"{pad}{'# ' if commented else ''}{f.name}:")
            (first, item), *rest = given.items()
            out.append(f"{pad}  {'# ' if commented else ''}{first}:")
            out += _fields(inner, item, indent + 4, commented, entry=True)
            for name, item in rest:
                out += [("# " if commented else "") + line for line in _value_lines(name, item, indent + 2)]
            continue
        off = commented or (entry and given is ABSENT)
        if given is ABSENT and default is not ABSENT and default is not None and not (param and param.derived):
            given = yaml_value(default)
        if off or given is ABSENT:
            shown = "..." if given is ABSENT else _flow(given, indent)
            out.append(f"{pad}# {f.name}: {shown}")
        else:
            out += _value_lines(f.name, given, indent)
    return out


OTHER_ENTRY = "my_option"  # the template's name for an entry of any other name ("<name>")
EXAMPLE_ENTRY = "my_entry"  # and for the one entry shown of a {name: item} mapping the example lacks


def _entries(key, entries: dict, given: dict, indent: int, commented: bool) -> list[str]:
    """``{name: item}`` whose item's keys depend on its name (``named_by``): every
    entry of the example in full, then the entry for any other name ("<name>"),
    commented out."""
    pad, off = " " * indent, "# " if commented else ""
    out = [f"{pad}{off}{key}:"]
    for name, item in given.items():
        out.append(f"{pad}  {off}{name}:")
        out += _fields(entries.get(name, entries.get("<name>")), item, indent + 4, commented, entry=True)
    if "<name>" in entries:
        out.append(f"{pad}  # {OTHER_ENTRY}:   # any other name")
        out += _fields(entries["<name>"], None, indent + 4, True)
    return out


def template(order, examples: dict, header: str) -> str:
    """The template: ``header`` (comment lines), then every section of ``order``."""
    out = [header.rstrip("\n"), ""]
    for key in order:
        cls = SECTIONS[key]
        doc = _doc(cls)
        out += [f"# -- {key}: {doc[0] if doc else ''}", f"{key}:"]
        out += _fields(cls, examples.get(key), 2)
        out.append("")
    return "\n".join(out)
