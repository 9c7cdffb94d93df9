"""Benchmark of loading an assumption file (YAML, extends:, schema validation).

Target (issue 14): Demoland loads in under 50 ms warm.
"""

from __future__ import annotations

from pathlib import Path

from actuarial.assumptions import load_assumptions

DEMOLAND = Path(__file__).resolve().parents[1] / "assumptions" / "demoland.yaml"


class LoadAssumptions:
    def setup(self):
        load_assumptions(DEMOLAND)  # warm: pydantic validators built, modules imported

    def time_load_demoland(self):
        load_assumptions(DEMOLAND)
