"""The stages of one valuation, in order: demography, labour, economy,
pension, employment injury, SPF and the fiscal space, each checked
(``actuarial.checks.check_stage``) before the next one reads it.

``stages`` runs them for the deterministic path or, given a chunk of
scenario draws (``actuarial.stochastic.scenarios``), for those scenarios;
``actuarial.pipeline.run`` assembles the results tree from them.
"""

from __future__ import annotations

import warnings

import numpy as np
import xarray as xr

from actuarial.arrays import coordinates, dataset, scenario_years
from actuarial.assumptions.model import Assumptions
from actuarial.checks import check_stage
from actuarial.distribution.calibration import CalibrationError
from actuarial.errors import AssumptionError
from actuarial.demography.inputs import demographic_inputs
from actuarial.distribution.stage import run_distribution
from actuarial.demography.projection import NegativePopulationWarning, project_population
from actuarial.projection.economy import project_economy
from actuarial.projection.employment_injury import project_injury
from actuarial.projection.labour import project_labour
from actuarial.projection.pension import project_pension
from actuarial.projection.spf import project_spf
from fiscal_space import run_fiscal_space
from fiscal_space.stochastic import PERCENTILES


def run_demography(assumptions: Assumptions, draws: dict | None = None) -> xr.Dataset:
    """The population projection; ``draws`` (stochastic runs) scale m_x and the
    age-specific fertility rates by scenario."""
    demo = assumptions.demography
    inputs = demographic_inputs(demo, assumptions.case.years)
    if draws and "mortality_factor" in draws:
        inputs["mx"] = inputs["mx"] * xr.DataArray(draws["mortality_factor"],
                                                   dims=("scenario", "year", "sex", "age"))
    if draws and "asfr_factor" in draws:
        asfr = inputs["asfr"].values[None] * draws["asfr_factor"][..., None]  # contiguous: sums as unperturbed
        inputs["asfr"] = xr.DataArray(asfr, dims=("scenario", "year", "age"), coords=inputs["asfr"].coords)
    tfr = inputs["asfr"].variable.sum("age").transpose(..., "year")
    ds = project_population(
        **inputs, migration_timing=demo.migration.timing, migration_rule=demo.migration.rule,
        working_ages=demo.working_ages, old_age=demo.old_age, open_group=demo.open_age_group,
        extra={"total_fertility_rate": (tfr.dims, tfr.data, {"units": "births/woman",
                                                             "long_name": "total fertility rate"})})
    if demo.beyond_data:
        ds.attrs["beyond_data"] = demo.beyond_data  # past the UN tables' last year (demography.beyond_data)
    return ds


# the costs the state bears, each computed by its own stage: fiscal item -> (node, variable / GDP)
FISCAL_ITEMS = {
    "spf": ("/spf", "package_cost_gdp"),  # the SPF package
    "pension_subsidy": ("/pension", "deficit_after_depletion_gdp"),  # the pension deficit after depletion
    "pension_guarantee": ("/pension", "state_top_up_gdp"),  # a DC scheme's minimum-pension top-ups
    "recognition_bonds": ("/pension", "recognition_bonds_gdp"),  # DB rights converted into DC accounts
    "legacy_option": ("/pension", "legacy_option_cost_gdp"),  # the transition generation's old-law option
}


# the age-related spending of each programme (the ageing costs of the S1 / S2 gaps): programme -> (node, variable)
AGE_RELATED = {"pension": ("/pension", "expenditure_gdp"),
               "employment_injury": ("/employment_injury", "expenditure_gdp"),
               "spf": ("/spf", "package_cost_gdp")}


def fiscal_costs(nodes: dict) -> xr.Dataset:
    """The fiscal stage's input: ``cost_gdp(scenario, year, item)``, the
    ``FISCAL_ITEMS`` of the stages present, side by side (an item ``none``
    of zeros when there is none)."""
    economy = nodes["/economy"]
    n = max(ds.sizes.get("scenario", 1) for ds in nodes.values())
    items = {item: scenario_years(nodes[node][name], n)
             for item, (node, name) in FISCAL_ITEMS.items() if node in nodes and name in nodes[node]}
    years = economy["year"].values
    if not items:
        items["none"] = np.zeros((n, years.size))
    coords = {"scenario": ("scenario", np.arange(n)), "year": ("year", years), "item": ("item", list(items))}
    variables = {"cost_gdp": (("scenario", "year", "item"), np.stack(list(items.values()), -1), {
        "units": "1", "long_name": "costs the state bears / GDP"})}
    ageing = {p: scenario_years(nodes[node][name], n)
              for p, (node, name) in AGE_RELATED.items() if node in nodes and name in nodes[node]}
    if ageing:  # fiscal_space.sustainability_gaps
        coords["programme"] = ("programme", list(ageing))
        variables["age_related_spending_gdp"] = (("scenario", "year", "programme"),
                                                 np.stack(list(ageing.values()), -1), {})
    return dataset(variables, coordinates(coords))  # built once (actuarial.arrays.dataset)


def distribution_node(assumptions: Assumptions, nodes: dict) -> xr.Dataset:
    """The ``/distribution`` node from the demography, economy and spf nodes;
    margins the survey cannot be raked to are an assumption error."""
    try:
        return run_distribution(assumptions.distribution, assumptions.spf, nodes["/demography"],
                                nodes["/economy"], nodes["/spf"])
    except CalibrationError as exc:
        raise AssumptionError(assumptions.source, "distribution.years", f"the survey cannot be calibrated to "
                                                                        f"the projected population: {exc}") from None


def stages(assumptions: Assumptions, draws: dict | None = None, totals_only: bool = False,
           first: int = 0) -> dict[str, xr.Dataset]:
    """Every stage present in ``assumptions``, in order: node path -> Dataset
    (fiscal space only for the central path: its plan is one decision).
    ``totals_only`` pools the injury scheme's pensioners across sectors (the
    same totals to rounding, no risk-class rates), skips the SPF stage's
    SDG 1.3.1 coverage series and the pension scheme's accrued-to-date
    liability (not summarised): for scenario summaries.
    Each stage's results pass ``actuarial.checks.check_stage`` before the
    next stage reads them (``first``: the number of the draws' first
    scenario, for its messages); the central path's plausibility warnings
    go in the node's ``attrs["plausibility_warnings"]``."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # the checks report what these would
        return _stages(assumptions, draws, totals_only, first)


def _stages(assumptions: Assumptions, draws: dict | None, totals_only: bool, first: int) -> dict[str, xr.Dataset]:
    nodes: dict[str, xr.Dataset] = {}

    def checked(path: str, ds: xr.Dataset) -> xr.Dataset:
        found = check_stage(path, ds, assumptions.source, first)
        if found and draws is None:
            ds.attrs["plausibility_warnings"] = found
        return ds

    def add(path: str, ds: xr.Dataset) -> xr.Dataset:
        nodes[path] = checked(path, ds)
        return ds

    with warnings.catch_warnings():  # a negative population is the stage check's error, next line
        warnings.simplefilter("ignore", NegativePopulationWarning)
        projected = run_demography(assumptions, draws)
    demography = add("/demography", projected)
    if assumptions.economy is not None:
        labour = None
        if assumptions.labour is not None:
            labour = checked("/labour", project_labour(assumptions.labour, demography["population"]))
        employed = labour["employed"].sum(("sex", "age"), skipna=False) if labour is not None else None
        economy = add("/economy", project_economy(assumptions.economy, assumptions.case.years, employed,
                                                  (draws or {}).get("economy")))
        if labour is not None:
            nodes["/labour"] = labour  # checked before the economy read it
        if assumptions.pension is not None:
            add("/pension", project_pension(assumptions.pension, assumptions.labour, demography, labour, economy,
                                            liabilities=not totals_only))
        if assumptions.employment_injury is not None:
            add("/employment_injury", project_injury(assumptions.employment_injury, assumptions.labour,
                                                     demography, labour, economy, by_sector=not totals_only))
        if assumptions.spf is not None:
            add("/spf", project_spf(assumptions.spf, demography, economy, labour, nodes.get("/pension"),
                                    nodes.get("/employment_injury"), coverage=not totals_only))
            if assumptions.distribution is not None and draws is None:  # the survey: the central path only
                add("/distribution", distribution_node(assumptions, nodes))
        if assumptions.fiscal_space is not None and draws is None:
            levels = assumptions.stochastic.percentiles if assumptions.stochastic is not None else PERCENTILES
            add("/fiscal_space", run_fiscal_space(assumptions.fiscal_space, fiscal_costs(nodes), economy,
                                                  percentiles=levels))
    return nodes
