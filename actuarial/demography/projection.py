"""Cohort-component population projection (annual steps, single ages 0..100+).

Implements the UN World Population Prospects method (Wheldon & Hertog,
ccmppWPP) when migration timing is "end", and Preston, Heuveline & Guillot
(2001, Box 6.2) "half at the start, half at the end" with timing "half".
The formulas are in ``_kernels.project``.

Migration rule (``migration_rule``): "capped" (the default) realises net
emigration from a cell only up to the persons present (``_kernels.
project_capped``), so no stock goes below zero; the emigration that could
not happen is reported as ``unrealised_emigration``. "as_given" adds the
counts as given, the UN's raw arithmetic (reproduces WPP to rounding); a
negative stock it leaves is a loud warning and the results' attrs record it.
"""

from __future__ import annotations

import warnings

import numpy as np
import xarray as xr

from actuarial.arrays import coordinates, dataset, with_scenario
from actuarial.demography import _kernels
from actuarial.demography.lifetable import OPEN_GROUP_LABELS, open_group_rule
from actuarial.demography.rules import MIGRATION_RULES

TIMINGS = {"end": 0, "half": 1}


MX_ERROR = ("mx must be finite and non-negative, with a positive open age group "
            "and survivors to age 99 (q_x < 1)")


class NegativePopulationWarning(UserWarning):
    """The projection left persons below zero (migration rule "as_given")."""


class UnrealisedEmigrationWarning(UserWarning):
    """Assumed emigration exceeded the persons present and was capped."""


def project_population(base_population: xr.DataArray, mx: xr.DataArray, asfr: xr.DataArray,
                       srb: xr.DataArray, net_migration: xr.DataArray, *,
                       migration_timing: str = "end", migration_rule: str = "capped",
                       working_ages=(15, 64), old_age: int = 65, open_group: str = "gompertz",
                       extra: dict | None = None) -> xr.Dataset:
    """Project a population; every input may carry a leading ``scenario`` dim.

    base_population(sex, age) at 1 January of the first year; mx(year, sex,
    age); asfr(year, age) births per woman-year; srb(year) males per female
    birth; net_migration(year, sex, age) counts during the year. Returns
    population at 1 January of each year and the flows during each year,
    with life expectancy at 0 and 65 and the ``indicators``. ``open_group``
    closes the life tables past 100 (``lifetable`` module docstring: the
    Gompertz extension, or "un" in the UN-reproduction mode); it sets T_100,
    hence S_100 and e_x.
    ``net_migration``
    in the result is the migrants realised under ``migration_rule`` (see the
    module docstring); attrs ``migration_rule``, ``unrealised_emigration_total``
    (persons over all years, scenario mean), ``negative_population_cells``
    and ``lowest_population`` record what happened. ``extra``: further
    variables ``{name: Variable or (dims, values, attrs)}`` of the node, last.
    """
    rule = open_group_rule(open_group)
    if migration_timing not in TIMINGS:
        raise ValueError(f"migration_timing must be one of {list(TIMINGS)}")
    if migration_rule not in MIGRATION_RULES:
        raise ValueError(f"migration_rule must be one of {list(MIGRATION_RULES)}")
    years = mx["year"].values
    for name, da in (("asfr", asfr), ("srb", srb), ("net_migration", net_migration)):
        if da.sizes.get("year") != years.size or not np.array_equal(da["year"].values, years):
            raise ValueError(f"{name} must cover the years of mx ({years[0]}..{years[-1]})")
    for name, da in (("base_population", base_population), ("mx", mx), ("asfr", asfr),
                     ("net_migration", net_migration)):
        if da.sizes.get("age") != 101:
            raise ValueError(f"{name} must have single ages 0..100 (101 values), got {da.sizes.get('age')}")
    mx_a = with_scenario(mx, ("year", "sex", "age"))
    n_ages = mx_a.shape[-1]
    flat = mx_a.reshape(-1, n_ages)
    female = np.ascontiguousarray(np.broadcast_to(np.array([True, False]), mx_a.shape[:-1]).reshape(-1))
    S = np.empty_like(flat)
    at_ages = np.array([0, 65])
    e = np.empty((flat.shape[0], at_ages.size))
    arrays = [
        with_scenario(base_population, ("sex", "age")),
        S.reshape(-1, years.size, 2, n_ages),
        with_scenario(asfr, ("year", "age")),
        with_scenario(srb, ("year",)),
        with_scenario(net_migration, ("year", "sex", "age")),
    ]
    n = max(a.shape[0] for a in arrays)
    if any(a.shape[0] not in (1, n) for a in arrays):
        raise ValueError("inputs carry different numbers of scenarios")
    pop = np.empty((n, years.size, 2, n_ages))
    births = np.empty((n, years.size, 2))
    deaths = np.empty((n, years.size, 2, n_ages))
    migrants = arrays[-1]
    capped = migration_rule == "capped"
    realised = np.empty((n, years.size, 2, n_ages)) if capped else pop
    unrealised = np.empty_like(realised) if capped else np.empty((0, 1, 1, 1))  # >= 0 when capped
    ages = (working_ages[0], working_ages[0], working_ages[1] + 1, old_age)
    if n >= _kernels.FUSED_SCENARIOS and mx_a.shape[0] == n:
        # survival ratios, projection, sums, unrealised, q_x: one parallel pass over scenarios
        sums, stats, bad = _kernels.run_project_fused(flat, female, S, e, at_ages, rule, arrays,
                                                      TIMINGS[migration_timing], 1.0, pop, births, deaths,
                                                      realised, capped, unrealised, ages)
        if bad:
            raise ValueError(MX_ERROR)
    else:
        if _kernels.run_survival_ratios(flat, female, S, e, at_ages, rule):
            raise ValueError(MX_ERROR)
        _kernels.run_projection(*arrays, TIMINGS[migration_timing], 1.0, pop, births, deaths,
                                realised if capped else None)
        # sums for the indicators, unrealised = realised - migrants and the attrs' counts: one pass
        sums, stats = _kernels.run_population_pass(pop, births, deaths, realised, migrants, unrealised, ages)
        # probability that a person aged x on 1 January t dies in year t: 1 - S_{x+1}
        _kernels.run_death_probability_inplace(S)
    if not capped:
        realised = np.broadcast_to(migrants, pop.shape)
        unrealised = np.broadcast_to(np.zeros((1, 1, 1, 1)), pop.shape)
    qx = S.reshape(-1, years.size, 2, n_ages)
    del arrays, S, flat, mx_a

    dims = ("scenario", "year", "sex", "age")
    e = np.broadcast_to(e.reshape(-1, years.size, 2, at_ages.size), (n, years.size, 2, at_ages.size))
    migration_label = ("net migrants during the year, realised: emigration capped at the persons present"
                       if migration_rule == "capped" else
                       "net migrants during the year, as given (UN arithmetic: stocks may go negative)")
    coords = coordinates({"scenario": ("scenario", np.arange(n)), "year": ("year", years),
                          "sex": ("sex", ["female", "male"]), "age": ("age", base_population["age"].values),
                          "at_age": ("at_age", at_ages)})
    ds = dataset(
        {
            **indicators(pop, births, deaths, working_ages, old_age, sums),
            "population": (dims, pop, {"units": "persons", "long_name": "population at 1 January"}),
            "births": (dims[:3], births, {"units": "persons/year", "long_name": "live births during the year"}),
            "deaths": (dims, deaths, {
                "units": "persons/year",
                "long_name": "deaths during the year, by age reached at its end (0: born in the year)"}),
            "net_migration": (dims, realised, {"units": "persons/year", "long_name": migration_label}),
            "unrealised_emigration": (dims, unrealised, {
                "units": "persons/year",
                "long_name": "assumed net emigration that could not happen (more emigrants than persons "
                             "present; 0 under the as_given rule)"}),
            "death_probability": (dims, np.broadcast_to(qx, pop.shape), {
                "units": "1", "long_name": "probability that a person of age x on 1 January "
                                           "dies during the year (1 - S_x+1)"}),
            "life_expectancy": (("scenario", "year", "sex", "at_age"), e, {
                "units": "year", "long_name": f"period life expectancy ({OPEN_GROUP_LABELS[open_group]})"}),
            **(extra or {}),
        },
        coords, {"open_group": open_group, **_migration_attrs(stats, pop.shape[0], migration_rule, years)},
    )
    return ds


def _migration_attrs(stats: tuple, n_scenarios: int, rule: str, years) -> dict:
    """What the migration rule did: unrealised emigration and negative stocks,
    each a warning when there is any. ``stats`` (5, scenario): negative cells,
    lowest stock, sum of unrealised emigration, cells with some, first year
    index with some (-1: none), from ``_kernels.population_pass``."""
    negative, lowest, n_capped = int(stats[0].sum()), float(stats[1].min()), int(stats[3].sum())
    total = float(stats[2].sum() / n_scenarios)
    if total > 0:
        first = years[int(stats[4][stats[4] >= 0].min())]
        warnings.warn(UnrealisedEmigrationWarning(
            f"{total:,.0f} persons of the assumed net emigration could not leave (more emigrants than "
            f"persons present in {int(n_capped)} cells by year, sex and age, from the year {first}"
            f"{', scenario mean' if n_scenarios > 1 else ''}): reported as unrealised_emigration "
            "(demography.migration_rule: capped)"), stacklevel=3)
    if negative:
        warnings.warn(NegativePopulationWarning(
            f"the projection has {negative} negative population cells (lowest {lowest:.6g} persons): "
            f"net emigration exceeds the persons present under migration_rule {rule!r}; "
            "demography.migration_rule: capped caps it"), stacklevel=3)
    return {
        "migration_rule": rule,
        "unrealised_emigration_total": total,
        "negative_population_cells": negative,
        "lowest_population": lowest,
    }


def indicators(pop: np.ndarray, births: np.ndarray, deaths: np.ndarray, working_ages=(15, 64),
               old_age: int = 65, sums: np.ndarray | None = None) -> dict:
    """Totals, dependency ratios and crude rates from (scenario, year, sex, age)
    arrays; mid-year population = mean of the two 1 January stocks (the last
    year uses its own 1 January stock). The sums over sex and age are one pass of
    ``_kernels.population_pass`` (ascending ages, as a plain loop), or ``sums`` from it."""
    lo, hi = working_ages
    if sums is None:
        sums = _kernels.run_population_pass(pop, births, deaths, pop, pop, np.empty((0, 1, 1, 1)),
                                            (lo, lo, hi + 1, old_age))[0]
    young, working, old, total, born, died = sums
    exposure = total.copy()
    exposure[:, :-1] = (total[:, :-1] + total[:, 1:]) / 2
    span = f"{lo}-{hi}"
    values = {
        "total_population": (total, "persons", "total population at 1 January"),
        "old_age_dependency_ratio": (old / working, "1", f"population {old_age}+ / population {span}"),
        "child_dependency_ratio": (young / working, "1", f"population under {lo} / population {span}"),
        "crude_birth_rate": (born / exposure, "1/year", "births / mid-year population"),
        "crude_death_rate": (died / exposure, "1/year", "deaths / mid-year population"),
    }
    return {k: (("scenario", "year"), v, {"units": u, "long_name": ln}) for k, (v, u, ln) in values.items()}
