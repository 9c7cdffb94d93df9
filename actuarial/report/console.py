"""Plain-text summaries printed by the CLI."""

from __future__ import annotations

import pandas as pd
import xarray as xr

SUMMARY_STEPS = (0, 10, 25, 50, 75, 100)


def summary_years(years, steps=SUMMARY_STEPS) -> list[int]:
    first, last = int(years[0]), int(years[-1])
    return [first + s for s in steps if first + s <= last]


def demography_summary(tree: xr.DataTree, assumptions) -> str:
    ds = tree["demography"].to_dataset()
    if ds.sizes.get("scenario", 1) > 1:
        ds = ds.median("scenario")
    else:
        ds = ds.isel(scenario=0)
    years = summary_years(ds["year"].values)
    d = ds.sel(year=years)
    e = d["life_expectancy"]
    table = pd.DataFrame({
        "population (m)": d["total_population"].values / 1e6,
        "births (k)": d["births"].sum("sex").values / 1e3,
        "deaths (k)": d["deaths"].sum(("sex", "age")).values / 1e3,
        "old-age dep.": d["old_age_dependency_ratio"].values,
        "e0 F": e.sel(sex="female", at_age=0).values,
        "e0 M": e.sel(sex="male", at_age=0).values,
        "e65 F": e.sel(sex="female", at_age=65).values,
        "e65 M": e.sel(sex="male", at_age=65).values,
    }, index=pd.Index(years, name="year"))
    case = assumptions.case
    head = f"{case.country} ({case.name}): demography, base year {case.base_year}, {case.horizon} years"
    return head + "\n" + table.to_string(float_format=lambda v: f"{v:,.2f}")
