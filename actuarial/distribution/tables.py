"""Tidy tables of the ``/distribution`` node for the workbook (and any user).

``distribution_tables(results)`` -> {sheet name: DataFrame}, long format, one
value column per measure; each frame's ``attrs["units"]`` maps its value
columns to units (``1``: a fraction; percent only in reports). The
integrator's workbook writes them as they are.
"""

from __future__ import annotations

import pandas as pd
import xarray as xr

POVERTY = {"poverty_headcount": "headcount", "poverty_gap": "gap", "poverty_severity": "severity"}


def _node(results) -> xr.Dataset:
    if isinstance(results, xr.DataTree):
        return results["distribution"].to_dataset()
    return results


def _long(da: xr.DataArray, name: str) -> pd.DataFrame:
    return da.to_dataframe(name=name).reset_index()[[*da.dims, name]]


def distribution_tables(results) -> dict[str, pd.DataFrame]:
    """The node (a results tree or the ``/distribution`` Dataset) as tidy tables:
    ``poverty`` (FGT 0, 1, 2 by year, benefits, line, group), ``inequality``
    (Gini, Theil, Palma, mean welfare), ``deciles`` (mean welfare without and
    with, benefits received, coverage, incidence by year, group, decile),
    ``cost`` (survey cost beside the demographic costing by year, benefit)."""
    ds = _node(results)
    poverty = xr.Dataset({v: ds[k] for k, v in POVERTY.items()}).to_dataframe().reset_index()
    poverty = poverty.merge(ds["poverty_line"].to_dataframe().reset_index(), on="line")
    poverty.attrs["units"] = {"headcount": "1", "gap": "1", "severity": "1", "poverty_line": "currency/month"}
    ineq = xr.Dataset({k: ds[k] for k in ("gini", "theil", "palma", "mean_welfare")}).to_dataframe().reset_index()
    ineq.attrs["units"] = {"gini": "1", "theil": "1", "palma": "1", "mean_welfare": "currency/month"}
    welfare = ds["decile_mean_welfare"]
    dec = xr.Dataset({"mean_welfare_without": welfare.sel(benefits="without", drop=True),
                      "mean_welfare_with": welfare.sel(benefits="with", drop=True),
                      "benefit_receipt": ds["benefit_receipt"], "coverage": ds["coverage"],
                      "incidence": ds["incidence"]}).to_dataframe().reset_index()
    dec.attrs["units"] = {"mean_welfare_without": "currency/month", "mean_welfare_with": "currency/month",
                          "benefit_receipt": "currency/year", "coverage": "1", "incidence": "1"}
    cost = xr.Dataset({k: ds[k] for k in ("survey_benefits", "survey_cost", "costing_cost", "cost_difference")}
                      ).to_dataframe().reset_index()
    cost["cost_ratio"] = cost["survey_cost"] / cost["costing_cost"]
    cost.attrs["units"] = {"survey_benefits": "currency/year", "survey_cost": "currency/year",
                           "costing_cost": "currency/year", "cost_difference": "currency/year", "cost_ratio": "1"}
    return {"poverty": poverty, "inequality": ineq, "deciles": dec, "cost": cost}
