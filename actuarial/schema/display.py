"""Short text and HTML representations of assumptions (``repr``, notebooks).

The default dataclass ``repr`` of a loaded file runs to tens of thousands of
characters (every age schedule in full). These functions print a few lines
instead, introspecting fields generically, so they work on dataclasses,
pydantic models and named tuples alike (nothing here imports a section):

- :func:`series_repr`: ``TimeSeries(60.0)`` for a constant,
  ``TimeSeries({2025: 0.1, 2050: 0.12})`` for anchors;
- :func:`brief`: any value in one short line (an age schedule as
  ``<101 ages: 0 .. 0.57>``, an object as ``Name(field=..., ...)``);
- :func:`assumptions_repr`, :func:`assumptions_html`: a loaded file as a few
  lines (case, country, base year, horizon, sections, digest) or a small
  table of its sections and their key values;
- :func:`attach_reprs`: gives the section classes of a package the brief
  ``repr`` and an HTML one (``_repr_html_``).
"""

from __future__ import annotations

import dataclasses
import html
import sys

MAX_ANCHORS = 8  # a series with more anchors shows the first and last ones
MAX_ITEMS = 6  # items of a tuple or mapping shown before "..."
MAX_LINE = 120  # characters of one field's value (a nested object is shortened to Name(...))
HTML_VALUE = 90  # characters of one value in an HTML table
HTML_KEY_VALUE = 60  # values up to this long are a section's key values in the file's HTML table


def fields(obj) -> list[tuple[str, object]] | None:
    """``[(name, value)]`` of a dataclass, pydantic model or named tuple (None otherwise);
    fields declared with ``repr=False`` left out."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return [(f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.repr]
    model_fields = getattr(type(obj), "model_fields", None)  # pydantic v2
    if isinstance(model_fields, dict) and not isinstance(obj, type):
        return [(name, getattr(obj, name, None)) for name, info in model_fields.items()
                if getattr(info, "repr", True)]
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return list(zip(obj._fields, obj))
    return None


def _number(value) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "dtype"):
        return repr(value)
    value = value.item() if hasattr(value, "item") else value
    return repr(value) if isinstance(value, (int, float)) else str(value)


def _is_series(value) -> bool:
    """A ``{year: value}`` series (anchor years, values and ``at``)."""
    return hasattr(value, "years") and hasattr(value, "values") and callable(getattr(value, "at", None))


def series_repr(series) -> str:
    """``TimeSeries(60.0)`` (a constant) or ``TimeSeries({2025: 0.1, 2050: 0.12})``."""
    years, values = tuple(series.years), tuple(series.values)
    name = type(series).__name__
    if years == (0,):  # TimeSeries.constant: one value for every year
        return f"{name}({_number(values[0])})"
    pairs = [f"{y}: {_number(v)}" for y, v in zip(years, values)]
    if len(pairs) > MAX_ANCHORS:
        pairs = [*pairs[:MAX_ANCHORS - 2], "...", *pairs[-2:]]
        return f"{name}({{{', '.join(pairs)}}}, {len(years)} anchors)"
    return f"{name}({{{', '.join(pairs)}}})"


def _array(value) -> str:
    """An array as its shape and range: ``<101 ages: 0 .. 0.57>``."""
    import numpy as np

    a = np.asarray(value)
    if a.size == 0:
        return f"<empty array {a.shape}>"
    if not np.issubdtype(a.dtype, np.number):
        return f"<array {'x'.join(map(str, a.shape))} of {a.dtype}>"
    shape = f"{a.size} ages" if a.shape == (101,) else f"array {'x'.join(map(str, a.shape))}"
    lo, hi = float(np.nanmin(a)), float(np.nanmax(a))
    return f"<{shape}: {lo:.4g}>" if lo == hi else f"<{shape}: {lo:.4g} .. {hi:.4g}>"


def brief(value, depth: int = 0) -> str:
    """``value`` in one short line; objects nested deeper than one level as ``Name(...)``."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return repr(value) if not isinstance(value, str) or len(value) <= MAX_LINE else repr(value[:MAX_LINE]) + "..."
    if _is_series(value):
        return series_repr(value)
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return _array(value)
    if hasattr(value, "__fspath__"):
        return str(value)
    items = fields(value)
    if items is not None:
        name = type(value).__name__
        if depth >= 2:
            return f"{name}(...)"
        text = f"{name}({', '.join(f'{k}={brief(v, depth + 1)}' for k, v in items)})"
        return text if depth == 0 or len(text) <= MAX_LINE else f"{name}(...)"
    if isinstance(value, dict):
        shown = [f"{k!r}: {brief(v, depth + 1)}" for k, v in list(value.items())[:MAX_ITEMS]]
        return "{" + ", ".join(shown) + (", ..." if len(value) > MAX_ITEMS else "") + "}"
    if isinstance(value, (tuple, list)):
        shown = [brief(v, depth + 1) for v in value[:MAX_ITEMS]]
        more = f", ... ({len(value)} items)" if len(value) > MAX_ITEMS else ""
        open_, close = ("(", ",)" if len(value) == 1 else ")") if isinstance(value, tuple) else ("[", "]")
        return open_ + ", ".join(shown) + more + close
    text = repr(value)
    return text if len(text) <= MAX_LINE else text[:MAX_LINE] + "..."


def brief_repr(obj) -> str:
    """The ``repr`` of a section (or any object with fields): ``Name(field=brief, ...)``."""
    return brief(obj)


def brief_html(obj) -> str:
    """An object's fields as a two-column HTML table (notebooks)."""
    rows = "".join(f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
                   f"<td style='text-align:left'>{html.escape(_cut(brief(v, 1), HTML_VALUE))}</td></tr>"
                   for k, v in fields(obj) or [])
    return f"<b>{html.escape(type(obj).__name__)}</b><table>{rows}</table>"


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 3] + "..."


# -- a loaded file ---------------------------------------------------------------

_NOT_SECTIONS = ("source", "digest", "case", "parsed")


def sections(a) -> list[tuple[str, object]]:
    """``[(name, section)]`` of the sections a loaded file has, in field order."""
    return [(k, v) for k, v in fields(a) or [] if k not in _NOT_SECTIONS and v is not None]


def _case_line(a) -> str:
    case = getattr(a, "case", None)
    if case is None:
        return type(a).__name__
    country = getattr(case, "country", "")
    base, horizon = getattr(case, "base_year", None), getattr(case, "horizon", None)
    years = f", base year {base}, horizon {horizon} years ({base}-{base + horizon})" if (
        isinstance(base, int) and isinstance(horizon, int)) else ""
    currency = f", currency {case.currency}" if getattr(case, "currency", None) else ""
    return f"{type(a).__name__}: {case.name}" + (f" ({country})" if country else "") + years + currency


def assumptions_repr(a) -> str:
    """A loaded file in a few lines: case, country, base year, horizon, sections, source, digest."""
    names = ", ".join(k for k, _ in sections(a)) or "none"
    return "\n".join([_case_line(a), f"  sections: {names}", f"  source: {getattr(a, 'source', '')}",
                      f"  digest: {getattr(a, 'digest', '')}"])


def assumptions_html(a) -> str:
    """A loaded file as a small HTML table: each section and its key values."""
    rows = []
    for name, section in sections(a):
        items = fields(section)
        if items is None:
            values = brief(section, 1)
        else:  # the short values first (numbers, series, choices): the key values of the section
            given = [(k, brief(v, 1)) for k, v in items if v is not None]
            short = [f"{k}={text}" for k, text in given if len(text) <= HTML_KEY_VALUE][:MAX_ITEMS]
            more = len(given) - len(short)
            values = "; ".join(short) + (f"; ... ({more} more)" if more else "")
        rows.append(f"<tr><th style='text-align:left'>{html.escape(name)}</th>"
                    f"<td style='text-align:left'>{html.escape(values)}</td></tr>")
    return (f"<div><b>{html.escape(_case_line(a))}</b><br><small>{html.escape(str(getattr(a, 'source', '')))}"
            f" (digest {html.escape(str(getattr(a, 'digest', '')))})</small>"
            f"<table><tr><th style='text-align:left'>section</th><th style='text-align:left'>key values</th></tr>"
            f"{''.join(rows)}</table></div>")


def attach_reprs(package: str) -> None:
    """Give every dataclass, pydantic model and named tuple class defined in the
    loaded modules of ``package`` the brief ``repr`` and ``_repr_html_``; a class
    whose ``repr`` already comes from this module (``TimeSeries``,
    ``Assumptions``) keeps it."""
    for module_name, module in list(sys.modules.items()):
        if module is None or not (module_name == package or module_name.startswith(package + ".")):
            continue
        for cls in list(vars(module).values()):
            if not isinstance(cls, type) or cls.__module__ != module_name:
                continue
            structured = (dataclasses.is_dataclass(cls) or isinstance(getattr(cls, "model_fields", None), dict)
                          or (issubclass(cls, tuple) and hasattr(cls, "_fields")))
            if structured and getattr(cls.__repr__, "__module__", None) != __name__:
                cls.__repr__ = brief_repr
                if "_repr_html_" not in vars(cls):
                    cls._repr_html_ = brief_html
