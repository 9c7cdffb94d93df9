"""Validation kinds of the WPP 2024 route (``demography.wpp``, ``from-wpp``).

Kind              What it checks
----------------  -------------------------------------------------------------
wpp_totals        a demography file written by ``actuarial assumptions
                  from-wpp``: its projection against the WPP total population
                  on 1 January it records (``demography.expected_totals``);
                  keys ``assumptions`` (the file), ``tolerance`` (relative).
wpp_synthetic     files in the UN's layout whose populations come from an
                  independent plain cohort-component loop
                  (:mod:`actuarial.demography.wpp_synthetic`, survival
                  1 - q_x with a_x = 1/2, not the engine's kernels): with
                  ``migration: residual`` the engine's projection from
                  ``base_year`` gives back every 1 January population by
                  single age and sex to ``tolerance_residual``; with
                  ``migration: model`` (Rogers-Castro) the total population
                  stays within ``tolerance_model`` for ``model_years`` years.
                  Keys ``locations``, ``base_year``, ``horizon``, ``model_years``.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np

from actuarial.assumptions.reader import Reader
from actuarial.validation import Row, row


def wpp_totals(name: str, r: Reader, folder: Path) -> list[Row]:
    """The file's projection against its recorded WPP totals (largest relative gap over the years)."""
    from actuarial.demography.wpp_export import check_totals

    path = folder / r.string("assumptions")
    tolerance = r.number("tolerance", lo=0.0)
    got = check_totals(path)
    return [row(name, f"total population 1 January {got['years'][0]}-{got['years'][-1]} vs WPP (worst year)",
                got["expected"], got["got"], tolerance)]


def _case(path: Path, folder: Path, country: str, base_year: int, horizon: int, migration: str) -> Path:
    path.write_text(f"case: {{name: syn, base_year: {base_year}, horizon: {horizon}}}\n"
                    f"demography:\n  wpp: {{folder: {folder.as_posix()}, country: {country!r}, "
                    f"migration: {migration}}}\n", encoding="utf-8")
    return path


def _project(path: Path):
    from actuarial.assumptions import load_assumptions
    from actuarial.stages import run_demography

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_demography(load_assumptions(path))


def wpp_synthetic(name: str, r: Reader, folder: Path) -> list[Row]:
    """Residual migrants reproduce the populations; the model schedule the totals (module docstring)."""
    from actuarial.demography.wpp_synthetic import location, write_synthetic

    n = r.number("locations", lo=1, hi=20, integer=True)
    base = r.number("base_year", lo=1950, hi=2099, integer=True)
    horizon = r.number("horizon", lo=1, integer=True)
    model_years = r.number("model_years", lo=1, integer=True)
    tol_residual = r.number("tolerance_residual", lo=0.0)
    tol_model = r.number("tolerance_model", lo=0.0)
    years = np.arange(1950, 2101)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        data = write_synthetic(Path(tmp) / "wpp", n=n, distinct=n, years=years)
        for k in range(n):
            truth = location(k, years)  # the populations written (persons), the loop's own arrays
            ds = _project(_case(Path(tmp) / "r.yaml", data, f"Synthland {k}", base, horizon, "residual"))
            i = ds["year"].values - years[0]
            rows.append(row(name, f"Synthland {k}: residual, every 1 January population by age and sex "
                                  f"{int(ds['year'][0])}-{int(ds['year'][-1])}", truth["population"][i],
                            ds["population"].values[0], tol_residual))
            ds = _project(_case(Path(tmp) / "m.yaml", data, f"Synthland {k}", base, model_years, "model"))
            i = ds["year"].values - years[0]
            rows.append(row(name, f"Synthland {k}: model (Rogers-Castro), total population "
                                  f"{int(ds['year'][0])}-{int(ds['year'][-1])}",
                            truth["population"][i].sum(axis=(1, 2)), ds["total_population"].values[0], tol_model))
    return rows


KINDS = {"wpp_totals": wpp_totals, "wpp_synthetic": wpp_synthetic}
