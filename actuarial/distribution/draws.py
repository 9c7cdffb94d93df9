"""Counter-based uniform draws: a person's draw for a benefit depends only on
(seed, person key, benefit, stream), never on the order or chunking of the
records (the SplitMix64 finaliser of Steele, Lea and Flood, "Fast splittable
pseudorandom number generators", OOPSLA 2014, applied to a combined key)."""

from __future__ import annotations

import zlib

import numpy as np

GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def splitmix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64's output function of ``x + golden gamma`` (uint64, wrapping)."""
    with np.errstate(over="ignore"):
        z = np.asarray(x, dtype=np.uint64) + GOLDEN
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def uniforms(seed: int, keys: np.ndarray, name: str, stream: str) -> np.ndarray:
    """Uniform draws in [0, 1), one per key, for a benefit ``name`` and a
    ``stream`` ("take_up", "targeting", "eligible"): the top 53 bits of
    splitmix64(splitmix64(key) ^ splitmix64(seed, name, stream))."""
    tag = zlib.crc32(f"{name}/{stream}".encode()) | (int(seed) % 2**32) << 32
    salt = splitmix64(np.uint64(tag))
    bits = splitmix64(splitmix64(keys) ^ salt)
    return (bits >> np.uint64(11)).astype(np.float64) * (1.0 / 2**53)
