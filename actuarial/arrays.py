"""Small helpers turning labelled arrays into the plain arrays kernels take,
and building the engine's xarray objects (xarray's look-up of dask arrays
deferred until dask.array is imported: ``defer_dask_lookup``)."""

from __future__ import annotations

import collections
import contextlib
import sys
import threading

import numpy as np
import pandas as pd
import xarray as xr
from xarray.namedarray import pycompat


def with_scenario(da: xr.DataArray, dims) -> np.ndarray:
    """Contiguous float64 array (scenario, *dims); a scenario axis of length 1 if absent."""
    lead = ("scenario",) if "scenario" in da.dims else ()
    values = np.transpose(da.values, [da.dims.index(d) for d in (*lead, *dims)])
    return np.ascontiguousarray(values if lead else values[None], dtype=np.float64)


def scenario_years(da, n: int) -> np.ndarray:
    """Values of a (scenario?, year) variable as an (n, T) array (numpy broadcasting)."""
    values = np.transpose(da.values, [da.dims.index(d) for d in ("scenario", "year") if d in da.dims])
    if "scenario" not in da.dims:
        values = values[None]
    return np.broadcast_to(values, (n, values.shape[-1]))


@contextlib.contextmanager
def single_threaded():
    """The numba kernels on this thread only while the block runs (a dask task's:
    the cluster's parallelism is across tasks)."""
    import numba  # the kernels' runtime; loaded with them

    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(threads)


class _DaskOnceImported:
    """xarray's record of dask (``pycompat.DuckArrayModule("dask")``) that imports nothing
    while ``dask.array`` is not imported.

    xarray asks for the dask array type each time it wraps data in a Variable
    (``as_compatible_data``: ``isinstance(data, array_type("dask"))``), and its
    record imports ``dask.array`` (with scipy.fft and scipy.special: about
    0.4 s of a CLI run, issue 17) even where no dask array can exist. Until
    ``dask.array`` is imported no object can be a dask array, so the type is
    ``()`` (no instance); once it is, or for anything else xarray asks
    (version, module), the real record replaces this one in xarray's cache."""

    @property
    def type(self) -> tuple:
        if "dask.array" not in sys.modules:
            return ()
        return self._real().type

    def __getattr__(self, name: str):
        return getattr(self._real(), name)

    @staticmethod
    def _real():
        real = pycompat.DuckArrayModule("dask")
        pycompat._cached_duck_array_modules["dask"] = real
        return real


def defer_dask_lookup() -> None:
    """Put ``_DaskOnceImported`` in xarray's cache of array modules, unless xarray has
    already looked dask up (or no longer keeps that cache: then nothing changes)."""
    cache = getattr(pycompat, "_cached_duck_array_modules", None)
    if isinstance(cache, dict) and hasattr(pycompat, "DuckArrayModule"):
        cache.setdefault("dask", _DaskOnceImported())


defer_dask_lookup()  # here, before the engine builds its first Variable (every stage imports this module)


def coordinates(coords: dict) -> xr.Coordinates:
    """Coordinates built once and shared by a stage's Datasets.

    ``coords`` maps a name to ``(dim, values, attrs)`` (a dimension
    coordinate, indexed when ``dim`` is the name) or to an ``xr.Variable``.
    The same labels come back run after run (years, sexes, benefits, ...):
    coordinates given as 1-D values with plain attrs (text, numbers) are
    built once per process and handed out as shallow copies (each with its
    own variables and attrs; the indexes, immutable, shared), which skips
    pandas' inference of text labels (about 0.25 ms a label set, issue 17).
    """
    key = _coordinates_key(coords)
    if key is None:
        return _build_coordinates(coords)
    with _CACHE_LOCK:
        built = _CACHE.get(key)
        if built is not None:
            _CACHE.move_to_end(key)
    if built is None:
        # from copies of the values: an array the caller changes later cannot change the cached labels
        built = _build_coordinates({name: _copied(c) for name, c in coords.items()})
        with _CACHE_LOCK:
            _CACHE[key] = built
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    return built.copy(deep=False)


_CACHE: collections.OrderedDict = collections.OrderedDict()  # key -> xr.Coordinates, least recently used first
_CACHE_SIZE = 256
_CACHE_LOCK = threading.Lock()
_PLAIN = (str, int, float, bool, np.integer, np.floating, np.bool_)


def _copied(c):
    """A coordinate's spec with a copy of its values (and attrs)."""
    if isinstance(c, xr.Variable):
        return c.copy(deep=True)
    return (c[0], np.array(c[1]), *(dict(a) for a in c[2:]))


def _coordinates_key(coords: dict):
    """A hashable key of ``coords`` (names, dims, dtypes, values, attrs), or None
    when a coordinate is not 1-D, has attrs other than text and numbers or an
    encoding (those are built each time)."""
    key = []
    for name, c in coords.items():
        given = type(c).__name__  # a Variable and a tuple of the same labels: built apart
        if isinstance(c, xr.Variable) and c.ndim == 1 and not c.encoding:  # e.g. a DataArray's coordinate
            c = (c.dims[0], c.values, c.attrs)
        if not isinstance(c, tuple) or len(c) > 3:
            return None
        values = np.asarray(c[1])
        attrs = c[2] if len(c) == 3 else {}
        if values.ndim != 1 or values.dtype.kind not in "iufbUO" or not isinstance(attrs, dict) \
                or not all(isinstance(v, _PLAIN) for v in attrs.values()):
            return None
        if values.dtype.kind == "O" and not all(isinstance(v, str) for v in values):
            return None
        labels = tuple(values.tolist()) if values.dtype.kind == "O" else values.tobytes()  # numbers: bit for bit
        key.append((name, given, c[0], values.dtype.str, labels, tuple(attrs.items())))
    return tuple(key)


def _build_coordinates(coords: dict) -> xr.Coordinates:
    out = {}
    for name, c in coords.items():
        if isinstance(c, tuple) and c[0] in (name, (name,)):
            values = c[1]
            if isinstance(values, np.ndarray) and values.dtype == object and all(isinstance(v, str) for v in values):
                # text labels: xarray's object conversion and pandas' str inference skipped (same variable, ~6x faster)
                values = pd.Index(values, dtype=object, copy=False)
            c = xr.IndexVariable(c[0], values, *c[2:])
        elif isinstance(c, tuple):
            c = xr.Variable(*c)
        out[name] = c
    return xr.Coordinates(out)


def dataset(variables: dict, coords: xr.Coordinates, attrs: dict | None = None) -> xr.Dataset:
    """A Dataset from ``{name: (dims, values, attrs)}`` on prebuilt coordinates.

    The same Dataset as ``xr.Dataset(variables, coords=coords, attrs=attrs)``
    (tests/test_arrays.py), built without xarray's alignment and merge of
    every variable (a few milliseconds per stage, issue 17): the shapes are
    checked against the coordinates' sizes here instead. Values are taken as
    they are (no copy). A variable may also be an ``xr.Variable`` or a
    DataArray on coordinates of ``coords`` (same values; else the
    constructor aligns them and is used): the variables, dimensions and
    indexes come in the constructor's order (a DataArray's coordinates just
    before it, the others after the variables).
    """
    sizes = dict(coords.sizes)
    if not _on_coordinates(variables, coords):
        return xr.Dataset(variables, coords=coords, attrs=attrs)
    joined = _joined_indexes(variables, coords)
    built = {}
    for name, spec in variables.items():
        if isinstance(spec, xr.DataArray):  # its coordinates first, where the constructor places them
            own = [k for k in spec.coords if k != name]
            for k in own + [k for k in joined if k not in own and set(coords.variables[k].dims) <= set(spec.dims)]:
                built.setdefault(k, coords.variables[k])
            spec = spec.variable.copy(deep=False)
        v = spec if isinstance(spec, xr.Variable) else xr.Variable(*spec)
        for dim, n in zip(v.dims, v.shape):
            if sizes.setdefault(dim, n) != n:
                raise ValueError(f"{name}: dimension {dim!r} has length {n}, expected {sizes[dim]}")
        built[name] = v
    construct = getattr(xr.Dataset, "_construct_direct", None)
    if construct is None:  # pragma: no cover - a future xarray without it: the public constructor
        return xr.Dataset(built, coords=coords, attrs=attrs)
    names = set(coords.variables)
    for k, c in coords.variables.items():
        built.setdefault(k, c)
    dims = {}  # in the variables' order, as the constructor's
    for v in built.values():
        dims.update((d, sizes[d]) for d in v.dims if d not in dims)
    xindexes = coords.xindexes  # (a new mapping at each access)
    indexes = {k: xindexes[k] for k in built if k in xindexes}  # in the variables' order too
    return construct(built, names, dims=dims, attrs=dict(attrs or {}), indexes=indexes)


def _on_coordinates(variables: dict, coords: xr.Coordinates) -> bool:
    """Whether every DataArray among ``variables`` has only coordinates of
    ``coords``, with the same values (else the constructor aligns them)."""
    for spec in variables.values():
        if isinstance(spec, xr.DataArray):
            for k, c in spec.coords.variables.items():  # (Variables: no DataArray built per coordinate)
                if k not in coords.variables or not c.equals(coords.variables[k]):
                    return False
    return True


def _joined_indexes(variables: dict, coords: xr.Coordinates) -> list:
    """The indexes in the order xarray's alignment joins them: the
    DataArrays' own, then the coordinates'."""
    own = [k for spec in variables.values() if isinstance(spec, xr.DataArray) for k in spec.xindexes]
    return list(dict.fromkeys(own + list(coords.xindexes)))
