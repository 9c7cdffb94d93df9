"""A results tree in a file that cannot run code: a batch's per-case checkpoint.

``write_checkpoint(target, tree, meta)`` stores an ``xr.DataTree`` as an
uncompressed NumPy ``.npz`` archive (``np.savez``) of three members:
``data``, the bytes of every array (variables, coordinates and array-valued
attributes) one after the other (each at a multiple of 8 bytes); ``meta``,
UTF-8 JSON: the nodes, their variables' names, dims and attributes, each
array's dtype, shape and offset in ``data``, and the caller's ``meta``; and
``sha256``, the SHA-256 of the other two (name, dtype, shape, bytes).

``read_checkpoint(target)`` checks before it uses anything: a regular file,
a zip archive of uncompressed members whose sizes add up to no more than the
file (no decompression bomb), read with ``np.load(allow_pickle=False)`` (no
object arrays, so no pickle: nothing in the file is ever executed), the
content hash equal to the stored one; only then is the JSON parsed and the
tree rebuilt (``tree=False``: the check and ``meta`` only, to decide
whether a case is done without building its tree), each array a view of
``data`` with a dtype that holds no objects. Any failure raises
``CheckpointError`` with the reason. ``read_contents`` / ``checkpoint_contents``
stop before the tree: the checked ``Contents`` (header and buffer), from
which a batch stacks its cases' arrays without building their trees.

The hash detects a truncated, corrupted or hand-edited checkpoint; it is not
a signature (whoever can write the folder can write a consistent file), and
it need not be: a checkpoint is only ever data.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

FORMAT = "actuarial-checkpoint"
VERSION = 1


class CheckpointError(Exception):
    """A checkpoint that is missing, unreadable or fails its check."""


def write_checkpoint(target, tree: xr.DataTree, meta: dict | None = None) -> None:
    """Write ``tree`` (with ``meta``, JSON values) to the open binary file or path ``target``."""
    chunks: list[bytes] = []
    size = 0

    def put(values) -> dict:
        nonlocal size
        values = np.asarray(values)
        if values.dtype.hasobject:  # text labels: fixed-width unicode, restored as object
            if not all(isinstance(v, str) for v in values.ravel()):
                raise TypeError("an object array holds values other than text")
            values = values.astype(str)
        raw = np.ascontiguousarray(values).tobytes()
        ref = {"dtype": values.dtype.str, "shape": list(values.shape), "offset": size}
        pad = -len(raw) % 8
        chunks.append(raw + b"\0" * pad)
        size += len(raw) + pad
        return ref

    def attrs(mapping) -> dict:
        return {str(k): _attr(v, put) for k, v in mapping.items()}

    nodes = []
    for node in tree.subtree:
        ds = node.to_dataset(inherit=False)
        variables = [{"name": name, "dims": list(var.dims), "coord": name in ds.coords,
                      "object": var.dtype.hasobject, "data": put(var.values), "attrs": attrs(var.attrs)}
                     for name, var in ds.variables.items()]
        nodes.append({"path": node.path, "attrs": attrs(node.attrs), "variables": variables})
    header = {"format": FORMAT, "version": VERSION, "meta": meta or {}, "nodes": nodes}
    members = {"meta": np.frombuffer(json.dumps(header).encode(), dtype=np.uint8),
               "data": np.frombuffer(b"".join(chunks), dtype=np.uint8)}
    members["sha256"] = np.frombuffer(_digest(members).encode(), dtype=np.uint8)
    np.savez(target, **members)


def read_checkpoint(path, tree: bool = True) -> tuple[xr.DataTree | None, dict]:
    """The tree (None with ``tree=False``) and ``meta`` of the checkpoint at
    ``path``, once it passed its checks."""
    contents = read_contents(path)
    return (contents.tree() if tree else None), contents.meta


def read_contents(path) -> "Contents":
    """The ``Contents`` of the checkpoint at ``path``, once it passed its checks."""
    path = Path(path)
    try:
        info = os.stat(path)
    except OSError as exc:
        raise CheckpointError(f"cannot read it ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise CheckpointError("not a regular file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CheckpointError(f"cannot read it ({exc.strerror or exc})") from None
    return checkpoint_contents(data)


def checkpoint_bytes(tree: xr.DataTree, meta: dict | None = None) -> bytes:
    """``write_checkpoint`` into bytes (a batch's worker builds its case's file)."""
    buffer = io.BytesIO()
    write_checkpoint(buffer, tree, meta)
    return buffer.getvalue()


def checkpoint_from_bytes(data: bytes, tree: bool = True) -> tuple[xr.DataTree | None, dict]:
    """``read_checkpoint`` of a checkpoint's bytes: the same checks, then the tree and ``meta``."""
    contents = checkpoint_contents(data)
    return (contents.tree() if tree else None), contents.meta


def checkpoint_contents(data: bytes) -> "Contents":
    """A checkpoint's bytes as ``Contents``, once they passed the checks of ``read_checkpoint``."""
    try:
        members = _members(data)
    except CheckpointError:
        raise
    except Exception as exc:  # noqa: BLE001 (truncated, not a zip, not .npy: never used)
        raise CheckpointError(f"not a checkpoint ({type(exc).__name__}: {exc})") from None
    stored = members.pop("sha256", None)
    if stored is None or set(members) != {"meta", "data"}:
        raise CheckpointError("not a checkpoint (no content hash)")
    if stored.dtype != np.uint8 or stored.tobytes().decode("ascii", "replace") != _digest(members):
        raise CheckpointError("its content does not match its hash (edited or corrupted)")
    try:
        header = json.loads(members["meta"].tobytes().decode("utf-8"))
        if header.get("format") != FORMAT or header.get("version") != VERSION:
            raise CheckpointError(f"not a checkpoint of version {VERSION}")
        return Contents(header["meta"], {node["path"]: node for node in header["nodes"]}, members["data"])
    except CheckpointError:
        raise
    except Exception as exc:  # noqa: BLE001 (a consistent file of the wrong shape)
        raise CheckpointError(f"not a checkpoint ({type(exc).__name__}: {exc})") from None


@dataclass(frozen=True)
class Contents:
    """A checked checkpoint as stored, without xarray objects: ``meta``; ``nodes``,
    path -> the node's description (``attrs``, and ``variables``: name, dims,
    coord, object, attrs, and ``data``, the array's reference in ``data``); and
    ``data``, the buffer every array is a view of. A batch keeps its cases so and
    stacks their arrays into ``batch.nc`` (``actuarial.batch.combine``): building
    a case's tree (``tree()``) costs several times as much as reading these.
    Any inconsistency found while building raises ``CheckpointError``."""

    meta: dict
    nodes: dict
    data: np.ndarray

    def values(self, variable: dict) -> np.ndarray:
        """The values of ``variable`` (one of a node's ``variables``): a view of ``data``, text as objects."""
        values = self.raw(variable)
        return values.astype(object) if variable["object"] else values

    def raw(self, variable: dict) -> np.ndarray:
        """The stored values of ``variable``: text as fixed-width unicode."""
        return _array(variable["data"], self.data)

    def attrs(self, stored: dict) -> dict:
        """Attributes as they were: arrays and NumPy scalars restored from ``data``."""
        return {k: _restore(a, self.data) for k, a in stored.items()}

    def dataset(self, path: str) -> xr.Dataset:
        """The node at ``path`` as a Dataset (its own variables, not inherited ones)."""
        try:
            node = self.nodes[path]
            data_vars, coords = {}, {}
            for v in node["variables"]:
                var = xr.Variable(tuple(v["dims"]), self.values(v), self.attrs(v["attrs"]))
                (coords if v["coord"] else data_vars)[v["name"]] = var
            return xr.Dataset(data_vars, coords, self.attrs(node["attrs"]))
        except CheckpointError:
            raise
        except Exception as exc:  # noqa: BLE001 (a consistent file of the wrong shape)
            raise CheckpointError(f"not a checkpoint ({type(exc).__name__}: {exc})") from None

    def tree(self) -> xr.DataTree:
        """The results tree."""
        datasets = {path: self.dataset(path) for path in self.nodes}
        try:
            return xr.DataTree.from_dict(datasets)
        except Exception as exc:  # noqa: BLE001 (a consistent file of the wrong shape)
            raise CheckpointError(f"not a checkpoint ({type(exc).__name__}: {exc})") from None


def _members(data: bytes) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` held in ``data``: stored members only (no
    compression), whose sizes fit in the file, read without pickle."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        if any(i.compress_type != zipfile.ZIP_STORED for i in infos) or \
                sum(i.file_size for i in infos) > len(data):
            raise CheckpointError("not a checkpoint (compressed or oversized members)")
        if any(not i.filename.endswith(".npy") for i in infos):
            raise CheckpointError("not a checkpoint (a member that is not an array)")
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def _digest(members: dict[str, np.ndarray]) -> str:
    """SHA-256 of the members, in name order: name, dtype, shape and bytes of each."""
    h = hashlib.sha256()
    for name in sorted(members):
        values = np.ascontiguousarray(members[name])
        h.update(json.dumps([name, values.dtype.str, list(values.shape)]).encode())
        h.update(values.reshape(-1).view(np.uint8))
    return h.hexdigest()


def _attr(value, put):
    """An attribute as JSON: text, numbers, booleans, None and lists as they
    are; NumPy arrays and scalars as a reference to an array member."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, np.ndarray):
        return {"__array__": put(value)}
    if isinstance(value, np.generic):
        return {"__scalar__": put(value)}
    if isinstance(value, (list, tuple)):
        return [_attr(v, put) for v in value]
    raise TypeError(f"cannot store an attribute of type {type(value).__name__}")


def _array(ref: dict, data: np.ndarray) -> np.ndarray:
    """The array ``ref`` (dtype, shape, offset) in ``data``: a view; a dtype
    that would hold objects, or an array past the end, is refused."""
    dtype = np.dtype(ref["dtype"])
    if dtype.hasobject:
        raise CheckpointError("not a checkpoint (an object array)")
    shape = tuple(int(n) for n in ref["shape"])
    count = math.prod(shape)
    offset = int(ref["offset"])
    if min(shape, default=0) < 0 or offset < 0 or offset + count * dtype.itemsize > data.size:
        raise CheckpointError("not a checkpoint (an array past the end of the data)")
    return np.frombuffer(data, dtype=dtype, count=count, offset=offset).reshape(shape)


def _restore(value, data):
    if isinstance(value, dict):
        if "__array__" in value:
            return _array(value["__array__"], data)
        return _array(value["__scalar__"], data)[()]
    if isinstance(value, list):
        return [_restore(v, data) for v in value]
    return value
