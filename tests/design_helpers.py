"""Short (40-year) variants of the shipped assumption sets, for the pension-design tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SHORT = ("case: {{name: {name}, horizon: 40}}\nemployment_injury: {{gap_horizon: 20}}\n"
         "spf: {{report_years: [2025, 2040]}}\npension:\n  horizons: [20, 40]\n")


def short_variant(tmp_path, base: str, name: str, extra: str = "") -> Path:
    """A file extending ``assumptions/<base>`` over 40 years, with ``extra`` lines under ``pension:``."""
    f = tmp_path / f"{name}.yaml"
    f.write_text(f"extends: {ROOT / 'assumptions' / base}\n" + SHORT.format(name=name) + extra)
    return f
