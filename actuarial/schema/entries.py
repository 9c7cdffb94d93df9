"""Named entries whose keys depend on the entry's name (:func:`named_by`).

``{name: item}`` where the item's section is chosen by its name: the
fiscal-space handbook's financing options, each with its own keys
(``tax: {effort: ...}``, ``aid: {grants_gdp: ...}``), and a user-defined
one under any other name. Each entry is validated as its section; an error
inside names the full key path (``options.tax.effort.current_gdp``) with
the "did you mean" hint of :func:`~actuarial.schema.section.validate`. The
parameter reference and ``actuarial assumptions describe`` list the keys of
every entry section (``Param.entries``); the JSON Schema has one property
per name (``additionalProperties``: the section for any other name).
"""

from __future__ import annotations

import difflib
from typing import Annotated, Callable

from pydantic import Field, PlainValidator, ValidationError, ValidationInfo

from actuarial.schema.fields import Param, invalid, kind
from actuarial.schema.section import adapter, convert

ANY = "<name>"  # the entry name standing for every name not listed


def pick_by_name(entries: dict, what: str) -> Callable:
    """``pick(name, value)``: the section listed for ``name`` (or for :data:`ANY`);
    an unlisted name without :data:`ANY` is an error with "did you mean"."""
    def pick(name, value):
        if name in entries:
            return entries[name]
        if ANY in entries:
            return entries[ANY]
        hint = difflib.get_close_matches(str(name), [n for n in entries], n=1)
        raise invalid(f"unknown {what}; expected one of {', '.join(entries)}"
                      + (f" (did you mean {hint[0]!r}?)" if hint else ""), f".{name}")
    return pick


def check_entries(value, info: ValidationInfo | None, pick: Callable) -> dict:
    """``{name: mapping}`` -> ``{name: section}`` (``pick(name, mapping)`` chooses the section)."""
    if not isinstance(value, dict):
        raise invalid(f"expected a mapping, got {kind(value)}")
    out = {}
    for name, entry in value.items():
        if not isinstance(entry, dict):
            raise invalid(f"expected a mapping, got {kind(entry)}", f".{name}")
        cls = pick(name, entry)
        try:
            out[name] = adapter(cls).validate_python(entry, context=None if info is None else info.context)
        except ValidationError as exc:
            error = convert(exc.errors()[0], cls, entry, {}, (name,))
            raise invalid(error.expected, f".{error.key}") from None
    return out


class _EntriesSchema:
    """The JSON Schema of the mapping, built when asked (not at import)."""

    def __init__(self, entries: dict, description: str):
        self.entries, self.description = entries, description

    def __get_pydantic_json_schema__(self, core_schema, handler):
        def one(cls):  # a reference to the section's definition (in $defs)
            return handler(adapter(cls).core_schema)

        listed = {str(n): one(c) for n, c in self.entries.items() if n != ANY}
        other = one(self.entries[ANY]) if ANY in self.entries else None
        properties = {n: ({"anyOf": [s, other]} if other is not None else s) for n, s in listed.items()}
        return {"type": "object", "description": self.description, "properties": properties,
                "additionalProperties": other if other is not None else False}


def inline(schema: dict) -> dict:
    """``schema`` with its ``$defs`` references replaced by the definitions."""
    defs = schema.pop("$defs", {})

    def walk(node):
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return walk(defs[ref.rsplit("/", 1)[-1]])
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node
    return walk(schema)


def named_by(description: str, entries: dict, *, pick: Callable | None = None, what="name",
             source=None, optional=False):
    """``{name: item}`` whose item is the ``@section()`` dataclass ``entries[name]``
    (``entries["<name>"]``: for any other name). ``pick(name, mapping)``, when given,
    chooses the section itself (raising :func:`~actuarial.schema.fields.invalid`
    with ``sub=".name"`` for a name it refuses). ``optional``: ``null`` is absent."""
    choose = pick or pick_by_name(entries, what)

    def check(value, info: ValidationInfo):
        if optional and value is None:
            return None
        return check_entries(value, info, choose)

    param = Param(description, None, f"{{{what}: ...}}", source, "mapping", entries=tuple(entries.items()))
    return Annotated[dict | None if optional else dict, PlainValidator(check),
                     _EntriesSchema(entries, description), Field(description=description), param]


__all__ = ["ANY", "check_entries", "inline", "named_by", "pick_by_name"]
