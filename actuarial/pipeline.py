"""Runs the stages an assumption set asks for, in order, into one DataTree."""

from __future__ import annotations

import xarray as xr

from actuarial.assumptions.model import Assumptions
from actuarial.demography.inputs import demographic_inputs
from actuarial.demography.projection import project_population
from actuarial.projection.economy import project_economy
from actuarial.projection.labour import project_labour
from actuarial.projection.pension import project_pension
from actuarial.projection.spf import project_spf


def run_demography(assumptions: Assumptions) -> xr.Dataset:
    demo = assumptions.demography
    inputs = demographic_inputs(demo, assumptions.case.years)
    ds = project_population(
        **inputs, migration_timing=demo.migration.timing,
        working_ages=demo.working_ages, old_age=demo.old_age)
    ds["total_fertility_rate"] = inputs["asfr"].sum("age").assign_attrs(
        units="births/woman", long_name="total fertility rate")
    return ds


def run(assumptions: Assumptions) -> xr.DataTree:
    """Project every stage present in ``assumptions``; returns the results tree."""
    from actuarial import __version__

    demography = run_demography(assumptions)
    nodes = {"/demography": demography}
    if assumptions.economy is not None:
        labour = None
        if assumptions.labour is not None:
            labour = project_labour(assumptions.labour, demography["population"])
        employed = labour["employed"].sum(("sex", "age")) if labour is not None else None
        economy = project_economy(assumptions.economy, assumptions.case.years, employed)
        nodes["/economy"] = economy
        if labour is not None:
            nodes["/labour"] = labour
        if assumptions.pension is not None:
            nodes["/pension"] = project_pension(assumptions.pension, assumptions.labour,
                                                demography, labour, economy)
        if assumptions.spf is not None:
            nodes["/spf"] = project_spf(assumptions.spf, demography, economy, labour, nodes.get("/pension"))
    attrs = {"engine_version": __version__, "assumptions_hash": assumptions.digest,
             "case": assumptions.case.name, "country": assumptions.case.country,
             "currency": assumptions.case.currency, "source": str(assumptions.source)}
    for ds in nodes.values():
        ds.attrs.update(attrs)
    tree = xr.DataTree.from_dict(nodes)
    tree.attrs.update(attrs)
    return tree


def side_by_side(trees: dict[str, xr.DataTree], node: str = "pension", variables=None) -> xr.Dataset:
    """One node of several runs (e.g. base and reform) on a new ``case`` dimension.

    ``trees`` maps a case label to a results tree; ``variables`` picks data
    variables (default: all those the runs share). Years must overlap; the
    result keeps the common years.
    """
    sets = [trees[k][node].to_dataset() for k in trees]
    names = variables or sorted(set.intersection(*(set(d.data_vars) for d in sets)))
    years = sorted(set.intersection(*(set(d["year"].values.tolist()) for d in sets)))
    if not years:
        raise ValueError("the runs have no year in common")
    return xr.concat([d[names].sel(year=years) for d in sets], dim="case", coords="minimal",
                     compat="override").assign_coords(case=list(trees))
