"""Scenario generators: per-scenario deviations from the deterministic paths.

Scenario k's draws for component c come from its own stream,
``SeedSequence(seed, spawn_key=(k, c))``, so a scenario's numbers do not
depend on how scenarios are chunked or spread across workers, nor on which
other components are switched on. The models are in
``actuarial.assumptions.stochastic``; zero volatilities give zero deviations
(and the deterministic numbers exactly).
"""

from __future__ import annotations

import numpy as np

from actuarial.assumptions.stochastic import Stochastic
from actuarial.stochastic.lee_carter import random_walk

COMPONENTS = {"mortality": 0, "fertility": 1, "economy": 2}


def stream(seed: int, scenario: int, component: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(scenario, COMPONENTS[component])))


def _square_root(cov: np.ndarray) -> np.ndarray:
    """L with L L' = cov for a positive semi-definite cov (zero variances allowed)."""
    values, vectors = np.linalg.eigh(cov)
    return vectors * np.sqrt(np.clip(values, 0.0, None))


def draw(st: Stochastic, years: int, first: int, count: int, tfr: np.ndarray | None = None) -> dict:
    """Deviations for scenarios first .. first + count - 1 over ``years`` years.

    Returns ``mortality_factor`` (count, T, 2, 101) = exp(b_x dk_t),
    ``asfr_factor`` (count, T) = bounded TFR / TFR (``tfr`` is the
    deterministic path) and ``economy``: name -> (count, T) deviations;
    absent components are left out."""
    ids = range(first, first + count)
    out: dict = {}
    if st.mortality is not None:
        dk = np.array([random_walk(stream(st.seed, k, "mortality"), years, st.mortality.volatility) for k in ids])
        b = np.array([np.asarray(st.mortality.b.female), np.asarray(st.mortality.b.male)])
        out["mortality_factor"] = np.exp(dk[:, :, None, None] * b[None, None])
    if st.fertility is not None and tfr is not None:
        f = st.fertility
        e = np.array([stream(st.seed, k, "fertility").standard_normal(years) for k in ids]).reshape(count, years)
        dev = np.zeros((count, years))
        for t in range(1, years):  # elementwise over scenarios: the same numbers in any chunking
            dev[:, t] = f.phi * dev[:, t - 1] + f.volatility * e[:, t]
        lo, hi = np.minimum(f.bounds[0], tfr), np.maximum(f.bounds[1], tfr)  # never moves the path itself
        path = np.clip(tfr + dev, lo, hi)
        out["asfr_factor"] = np.divide(path, tfr, out=np.ones_like(path), where=tfr > 0)
    if st.economy is not None:
        e = st.economy
        root = _square_root(e.covariance)
        m = len(e.variables)
        shocks = np.array([stream(st.seed, k, "economy").standard_normal((years, m)) @ root.T
                           for k in ids]).reshape(count, years, m)
        z = np.zeros((count, years, m))
        for t in range(1, years):  # z_t = Phi z_{t-1} + shock, term by term over scenarios
            for i in range(m):
                acc = shocks[:, t, i].copy()
                for j in range(m):
                    acc += e.persistence[i, j] * z[:, t - 1, j]
                z[:, t, i] = acc
        out["economy"] = {name: z[:, :, j] for j, name in enumerate(e.variables)}
    return out
