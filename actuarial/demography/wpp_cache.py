"""A cache of :func:`actuarial.demography.wpp.read_wpp` beside the files.

``<folder>/.actuarial-cache/<country>-<variant>.npz``: the arrays of one
country and variant (every year of the files), saved with numpy (no pickle:
loading never executes code, ``allow_pickle=False``) with a JSON text of the
rest (country, variant, sources) and the key it is valid for: the reader's
version (:data:`READER_VERSION`) and the name, size and modification time of
every ``WPP*`` file of the folder. Any change of a file, a corrupt or
foreign cache, or a cache that cannot be written (a read-only folder) falls
back to reading the files; a cache is never trusted beyond its key.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

import numpy as np

from actuarial.demography.wpp import read_wpp

READER_VERSION = 1
"""Bump when ``read_wpp`` changes what it returns: older caches are then ignored."""
CACHE_DIR = ".actuarial-cache"
ARRAYS = ("years", "population", "asfr", "srb", "net_migration", "births")


def fingerprint(folder: Path) -> list:
    """``[[name, size, mtime_ns], ...]`` of the folder's ``WPP*`` files, sorted, and the reader version."""
    files = []
    for path in sorted(folder.glob("WPP*")):
        info = path.stat()
        files.append([path.name, info.st_size, info.st_mtime_ns])
    return [READER_VERSION, files]


def cache_path(folder: Path, country, variant: str) -> Path:
    """The cache file of a country (as requested) and variant."""
    name = re.sub(r"[^a-z0-9]+", "_", f"{country}-{variant}".casefold()).strip("_")
    return folder / CACHE_DIR / f"{name}.npz"


def read_wpp_cached(folder, country, variant: str = "Medium") -> dict:
    """``read_wpp(folder, country, variant)`` for every year of the files, from
    the cache when its key matches (module docstring), else read and cached."""
    folder = Path(folder)
    path = cache_path(folder, country, variant)
    key = fingerprint(folder) if folder.is_dir() else None
    data = _load(path, key) if key is not None else None
    if data is None:
        data = read_wpp(folder, country, variant)
        _save(path, key, data)
    return data


def _load(path: Path, key) -> dict | None:
    try:
        with np.load(path, allow_pickle=False) as npz:
            meta = json.loads(str(npz["meta"]))
            if meta.get("key") != key:
                return None
            data = {name: npz[name] for name in ARRAYS}
            data["life_table"] = {c: npz[f"lt_{c}"] for c in meta["life_table"]}
    except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError):  # absent, corrupt or foreign
        return None
    data["mx"] = data["life_table"]["mx"]
    data["population_base"] = data["population"][0]
    data["base_year"] = int(data["years"][0])
    data.update({k: meta[k] for k in ("country", "revision", "variant", "sources")})
    return data


def _save(path: Path, key, data: dict) -> None:
    meta = {"key": key, "life_table": list(data["life_table"]),
            **{k: data[k] for k in ("country", "revision", "variant", "sources")}}
    arrays = {name: np.asarray(data[name]) for name in ARRAYS}
    arrays.update({f"lt_{c}": np.asarray(v) for c, v in data["life_table"].items()})
    try:
        path.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
        with os.fdopen(fd, "wb") as f:
            np.savez(f, meta=np.array(json.dumps(meta)), **arrays)
        os.replace(tmp, path)
    except OSError:  # a read-only folder: no cache, the files are read each time
        try:
            os.unlink(tmp)
        except (OSError, UnboundLocalError):
            pass
