"""A strict reader for one mapping of an assumption file.

Each section's parser asks the reader for the keys it knows; ``close()``
then rejects whatever is left, so a typo never passes silently. Every error
names the file that set the key, the key path and what was expected.
"""

from __future__ import annotations

import difflib
import math
from pathlib import Path

from actuarial.schema.values import TimeSeries
from actuarial.errors import AssumptionError
from actuarial.errors import kind as _kind

N_AGES = 101  # single ages 0..99 and the open group 100+
REQUIRED = _MISSING = object()  # sentinel: the key has no default


class Reader:
    def __init__(self, data: dict, origins: dict, path: tuple = ()):
        self.data = data
        self.origins = origins
        self.path = path
        self._used: set = set()
        self._asked: set = set()  # every key a parser looked for, present or not

    # -- errors -----------------------------------------------------------
    def key_path(self, key=None) -> str:
        parts = self.path if key is None else (*self.path, key)
        return ".".join(str(p) for p in parts)

    def file_for(self, key=None) -> Path | None:
        parts = self.path if key is None else (*self.path, *_key_parts(key))
        while parts not in self.origins and parts:
            parts = parts[:-1]
        return self.origins.get(parts)

    def error(self, key, expected: str) -> AssumptionError:
        return AssumptionError(self.file_for(key), self.key_path(key), expected)

    # -- structure --------------------------------------------------------
    def has(self, key) -> bool:
        self._asked.add(key)
        return key in self.data

    def raw(self, key, default=_MISSING):
        self._asked.add(key)
        if key not in self.data:
            if default is _MISSING:
                spare = [str(k) for k in self.data if k not in self._used]
                hint = difflib.get_close_matches(str(key), spare, n=1)
                typo = f" (found {hint[0]!r}: a typo?)" if hint else ""
                raise self.error(key, f"required key is missing{typo}")
            return default
        self._used.add(key)
        return self.data[key]

    def section(self, key, required: bool = True) -> "Reader | None":
        value = self.raw(key, _MISSING if required else None)
        if value is None:
            if required:
                raise self.error(key, "expected a mapping, got nothing")
            return None
        if not isinstance(value, dict):
            raise self.error(key, f"expected a mapping, got {_kind(value)}")
        return Reader(value, self.origins, (*self.path, key))

    def keys(self) -> list:
        return list(self.data)

    def close(self) -> None:
        """Reject keys nobody asked for."""
        unknown = [k for k in self.data if k not in self._used]
        if unknown:
            key = unknown[0]
            known = [str(k) for k in self._asked]
            hint = difflib.get_close_matches(str(key), known, n=1)
            also = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise self.error(key, f"unknown key{also}")

    def __enter__(self) -> "Reader":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()

    # -- scalars ----------------------------------------------------------
    def number(self, key, *, lo=None, hi=None, default=_MISSING, integer=False,
               lo_open=False, what="a number") -> float:
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        return check_number(self, key, value, lo=lo, hi=hi, integer=integer,
                            lo_open=lo_open, what=what)

    def string(self, key, *, choices=None, default=_MISSING) -> str:
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"expected a non-empty string, got {_kind(value)}")
        if choices is not None and value not in choices:
            raise self.error(key, f"expected one of {', '.join(choices)}; got {value!r}")
        return value

    def flag(self, key, default: bool) -> bool:
        value = self.raw(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {value!r}")
        return value

    def file_path(self, key) -> Path:
        """A path written in the file, resolved relative to that file."""
        value = self.string(key)
        origin = self.file_for(key)
        path = Path(value)
        if not path.is_absolute() and origin is not None:
            path = origin.parent / path
        if not path.exists():
            raise self.error(key, f"path {value!r} does not exist")
        if not (path.is_file() or path.is_dir()):  # stat only: a FIFO is never opened
            raise self.error(key, f"path {value!r} is not a regular file (a device, FIFO or socket)")
        return path

    # -- time series and age schedules ------------------------------------
    def series(self, key, *, lo=None, hi=None, default=_MISSING, what="a number") -> TimeSeries:
        """A scalar (constant) or a ``{year: value}`` mapping of anchors."""
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value if isinstance(value, TimeSeries) else TimeSeries.constant(value)
        if isinstance(value, dict):
            if not value:
                raise self.error(key, "expected at least one {year: value} anchor")
            years, values = [], []
            for year, v in value.items():
                if isinstance(year, bool) or not isinstance(year, int):
                    raise self.error(key, f"expected integer years as keys, got {year!r}")
                if years and year <= years[-1]:
                    raise self.error(
                        key, f"years must increase; {year} comes after {years[-1]}")
                years.append(year)
                values.append(check_number(self, f"{key}.{year}", v, lo=lo, hi=hi, what=what))
            return TimeSeries(tuple(years), tuple(values))
        return TimeSeries.constant(check_number(self, key, value, lo=lo, hi=hi, what=what))

    def number_list(self, key, value, *, lo=None, hi=None, length=None, what="a number"):
        if not isinstance(value, list) or not value:
            raise self.error(key, f"expected a list of numbers, got {_kind(value)}")
        if length is not None and len(value) != length:
            raise self.error(
                key, f"expected {length} values (ages 0..100, the last for 100+), "
                     f"got {len(value)}: an age is missing or extra")
        return [check_number(self, f"{key}[{i}]", v, lo=lo, hi=hi, what=what)
                for i, v in enumerate(value)]


def check_number(reader: Reader, key, value, *, lo=None, hi=None, integer=False,
                 lo_open=False, what="a number") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise reader.error(key, f"expected {what}, got {_kind(value)}")
    if not math.isfinite(value):
        raise reader.error(key, f"expected a finite {what}, got {value}")
    if integer and int(value) != value:
        raise reader.error(key, f"expected an integer, got {value}")
    too_low = lo is not None and (value <= lo if lo_open else value < lo)
    if too_low or (hi is not None and value > hi):
        lo_txt = "-inf" if lo is None else lo
        hi_txt = "inf" if hi is None else hi
        bracket = "(" if lo_open else "["
        raise reader.error(key, f"expected {what} in {bracket}{lo_txt}, {hi_txt}], got {value}")
    return int(value) if integer else float(value)




def _key_parts(key) -> tuple:
    """``'tfr.2025'`` -> ('tfr', 2025); ``'female[3]'`` -> ('female',)."""
    if not isinstance(key, str):
        return (key,)
    parts = []
    for part in key.split("[")[0].split("."):
        parts.append(int(part) if part.lstrip("-").isdigit() else part)
    return tuple(parts)
