"""``actuarial assumptions from-wpp``: a demography file from the WPP 2024 files.

:func:`write_wpp_assumptions` writes a YAML file with a ``case`` (country,
base year, horizon) and a ``demography`` section holding the data itself
(no reference to the WPP folder: the file works without it), each value with
its source (revision, variant, the files read):

- ``base_population``: the files' 1 January population of the base year;
- ``mortality.life_tables``: the files' m_x of every year, ``open_age_group: un``;
- ``fertility.rates`` (ASFR) and ``fertility.srb`` of every year;
- ``migration.counts`` by sex and age (``demography.wpp.migration``
  methods, :mod:`actuarial.demography.wpp_build`), ``timing: end``,
  ``migration_rule: as_given``;
- ``expected_totals``: the files' total population on 1 January of every
  projection year (the sum of the single-age populations), which the
  projection of this demography should reproduce.

A full assumption file ``extends:`` it (keeping ``case.base_year``: the
base population is that year's). Beside it, :func:`write_wpp_assumptions`
writes ``<name>.case.yaml``, a validation case of kind ``wpp_totals``
(:mod:`actuarial.validation.wpp`): ``actuarial validate <name>.case.yaml``
projects the file and reports the largest relative gap to the recorded totals
(1e-6 allowed with residual migration, 0.5% with the model schedule);
:func:`check_totals` does the same from Python.

The horizon may not pass the files' last year of a component (2100; 2099 for
residual migrants) unless ``beyond_data="hold_flat"`` is given: the file then
says, in its header and the sources, that the engine holds the last year's
values (the anchored values are flat after the last anchor).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from actuarial.demography.wpp_build import MIGRATION_METHODS, last_years, wpp_inputs
from actuarial.demography.wpp_cache import read_wpp_cached
from actuarial.errors import AssumptionError

TOLERANCES = {"residual": 1e-6, "model": 0.005}
"""Largest relative gap of the projected total population to the files' that the case accepts."""
DEFAULT_BASE_YEAR = 2024
"""The first projection year of WPP 2024 (when the files hold it)."""


def write_wpp_assumptions(folder, country, output, *, base_year: int | None = None, horizon: int | None = None,
                          variant: str = "Medium", migration: str = "residual",
                          beyond_data: str | None = None) -> Path:
    """Write the demography file ``output`` (and its ``.case.yaml`` check) from
    the WPP files in ``folder`` (module docstring); returns ``output``."""
    folder, output = Path(folder), Path(output)
    if migration not in MIGRATION_METHODS:
        raise AssumptionError(folder.absolute(), "migration", f"expected one of {', '.join(MIGRATION_METHODS)}; "
                                                              f"got {migration!r}")
    data = read_wpp_cached(folder, country, variant)
    years = data["years"]
    first, last = int(years[0]), int(years[-1])
    ends = last_years(data, migration)
    end_all = min(ends.values())
    if base_year is None:
        base_year = min(max(DEFAULT_BASE_YEAR, first), end_all)
    if not first <= base_year <= end_all:
        raise AssumptionError(folder.absolute(), "base_year", f"expected a base year the files hold with every "
                                                              f"component: {first}..{end_all}; got {base_year}")
    horizon = end_all - base_year if horizon is None else int(horizon)
    if horizon < 1:
        raise AssumptionError(folder.absolute(), "horizon", f"expected a horizon of at least 1 year; got {horizon}")
    end = base_year + horizon
    if end > end_all and beyond_data != "hold_flat":
        raise AssumptionError(folder.absolute(), "horizon", f"the projection runs to {end}, past the files' "
                              f"last year of {_short(ends, end)}; give beyond_data hold_flat (--beyond-data "
                              f"hold_flat) to hold the last year's values, or a horizon of at most "
                              f"{end_all - base_year}")
    got = wpp_inputs(data, base_year, end, migration)
    totals = data["population"].sum(axis=(1, 2))
    in_files = [(int(y), float(t)) for y, t in zip(years, totals) if base_year <= y <= min(end, last)]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(_yaml(data, got, base_year, horizon, migration, beyond_data, in_files), encoding="utf-8")
    case = output.with_name(output.name.split(".")[0] + ".case.yaml")
    case.write_text(_case_yaml(data, output, migration), encoding="utf-8")
    return output


def _short(ends: dict, end: int) -> str:
    return ", ".join(f"{k} ({v})" for k, v in ends.items() if v < end)


def _source(data: dict, group: str, what: str) -> str:
    info = data["sources"][group]
    return (f"UN World Population Prospects 2024 ({data['revision']}), variant {data['variant']}, "
            f"{data['country']['Location']} (LocID {data['country']['LocID']}): {what}; files "
            f"{', '.join(info['files'])} ({info['rows']})")


def _numbers(values) -> str:
    return "[" + ", ".join(repr(float(v)) for v in np.asarray(values).ravel()) + "]"


def _yaml(data, got, base_year, horizon, migration, beyond, totals) -> str:
    where = data["country"]
    iso = (where["ISO3_code"] or str(where["LocID"])).lower()
    method = ("residual method: 1 January t+1 population minus the survivors of t and of the births "
              "(engine conventions, migrants at the end of the year)" if migration == "residual" else
              "published NetMigrations totals x the Rogers-Castro (1981) standard schedule, half to each sex")
    lines = [
        f"# Demography of {where['Location']} from the UN World Population Prospects 2024 CSV files",
        f"# ({data['revision']}, variant {data['variant']}), written by `actuarial assumptions from-wpp`.",
        f"# Base population: 1 January {base_year} (keep case.base_year {base_year} in a file that extends this).",
        f"# Net migrants by sex and age: {method}.",
        "# expected_totals: the files' total population on 1 January; the validation case beside this file",
        "# (actuarial validate) projects it and compares.",
    ]
    for sex, params in zip(("women", "men"), got.get("migration_parameters") or []):
        lines.append(f"# Rogers-Castro parameters fitted ({sex}): "
                     + ", ".join(f"{k} {v:.6g}" for k, v in params.items()))
    if beyond:
        lines.append(f"# Past the files' last year of a component the engine holds that year's values "
                     f"(beyond_data: {beyond}).")
    lines += [f"# Files: {', '.join(sorted({f for s in data['sources'].values() for f in s['files']}))}",
              "case:", f"  name: {iso}_wpp", f"  country: {_quoted(where['Location'])}",
              f"  base_year: {base_year}", f"  horizon: {horizon}", "demography:"]
    pop = got["base_population"]
    lines += ["  base_population:", "    value:", f"      female: {_numbers(pop[0])}",
              f"      male: {_numbers(pop[1])}",
              f"    source: {_quoted(_source(data, 'population', f'population on 1 January {base_year}'))}"]
    lines += ["  mortality:", "    life_tables:", "      value:"]
    for year, mx in zip(got["years_rates"], got["mx"]):
        lines += [f"        {int(year)}:", f"          female: {{mx: {_numbers(mx[0])}}}",
                  f"          male: {{mx: {_numbers(mx[1])}}}"]
    lines.append(f"      source: {_quoted(_source(data, 'life_table', 'complete life tables, mx by sex'))}")
    lines += ["  fertility:", "    rates:", "      value:"]
    lines += [f"        {int(y)}: {_numbers(f)}" for y, f in zip(got["years_rates"], got["asfr"])]
    lines.append(f"      source: {_quoted(_source(data, 'fertility', 'ASFR / 1000 by single age of mother'))}")
    lines += ["    srb:", "      value:"]
    lines += [f"        {int(y)}: {float(v)!r}" for y, v in zip(got["years_rates"], got["srb"])]
    lines.append(f"      source: {_quoted(_source(data, 'indicators', 'SRB / 100'))}")
    lines += ["  migration:", "    timing: end", "    counts:", "      value:"]
    for year, m in zip(got["years_migration"], got["migration"]):
        lines += [f"        {int(year)}:", f"          female: {_numbers(m[0])}", f"          male: {_numbers(m[1])}"]
    what = (f"net migrants by sex and age, {method}")
    group = "population" if migration == "residual" else "indicators"
    lines.append(f"      source: {_quoted(_source(data, group, what))}")
    lines += ["  migration_rule: as_given", "  open_age_group: un", "  expected_totals:", "    value:"]
    lines += [f"      {y}: {t!r}" for y, t in totals]
    lines.append(f"    source: {_quoted(_source(data, 'population', 'total population on 1 January'))}")
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _case_yaml(data, output: Path, migration: str) -> str:
    where = data["country"]
    name = (where["ISO3_code"] or str(where["LocID"])).lower()
    description = (f"The demography written from WPP 2024 for {where['Location']} ({migration} migration) "
                   "reproduces the files' total population on 1 January")
    source = f"UN World Population Prospects 2024, variant {data['variant']}"
    return "\n".join([
        f"name: {name}_wpp_totals",
        "kind: wpp_totals",
        f"description: {_quoted(description)}",
        f"source: {_quoted(source)}",
        f"assumptions: {_quoted(output.name)}",
        f"tolerance: {TOLERANCES[migration]!r}",
    ]) + "\n"


def check_totals(path) -> dict:
    """Project the demography file ``path`` and compare its total population on
    1 January with its ``expected_totals``: ``{"years", "expected", "got",
    "max_relative_error"}``."""
    from actuarial.assumptions import load_assumptions
    from actuarial.stages import run_demography

    path = Path(path)
    a = load_assumptions(path)
    series = _expected_series(path)
    ds = run_demography(a)
    years = [int(y) for y in ds["year"].values if int(y) in series]
    if not years:
        raise AssumptionError(path, "demography.expected_totals", "expected the total population of at least "
                                                                  "one projection year")
    total = ds["total_population"].sel(year=years).values[0]
    want = np.array([series[y] for y in years])
    error = np.abs(total / want - 1)
    return {"years": years, "expected": want, "got": total, "max_relative_error": float(error.max())}


def _expected_series(path: Path) -> dict:
    """``{year: persons}`` of ``demography.expected_totals`` as the file (and what it extends) sets it."""
    from actuarial.assumptions.loader import load_tree
    from actuarial.schema.sources import split_sources

    data, _ = load_tree(path)
    data = split_sources(data)[0]
    totals = (data.get("demography") or {}).get("expected_totals")
    if not isinstance(totals, dict) or not totals:
        raise AssumptionError(path, "demography.expected_totals", "required key is missing (the WPP totals the "
                                                                  "projection should reproduce, {year: persons})")
    return {int(y): float(v) for y, v in totals.items()}
