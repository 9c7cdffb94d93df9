"""Projection inputs as labelled arrays, built from the assumptions."""

from __future__ import annotations

import numpy as np
import xarray as xr

from actuarial.arrays import coordinates, dataset
from actuarial.assumptions.model import Demography
from actuarial.assumptions.series import interpolate_anchored
from actuarial.demography.mortality import mortality_rates

AGES = np.arange(101)
SEXES = ["female", "male"]


def demographic_inputs(demography: Demography, years) -> dict[str, xr.DataArray]:
    """``base_population``, ``mx``, ``asfr``, ``srb``, ``net_migration``.

    Rates of year t apply to the step from 1 January t to 1 January t+1.
    """
    years = np.asarray(years)
    c_ysa = coordinates({"year": ("year", years), "sex": ("sex", SEXES), "age": ("age", AGES)})
    fert = demography.fertility
    if fert.rates is not None:
        asfr = interpolate_anchored(fert.rates, years)
    else:
        asfr = fert.tfr.at(years)[:, None] * interpolate_anchored(fert.pattern, years)
    mig = demography.migration
    if mig.counts is not None:
        migrants = interpolate_anchored(mig.counts, years)
    else:
        migrants = mig.total.at(years)[:, None, None] * np.array(mig.pattern)[None]
    ds = dataset(  # one Dataset on the cached coordinates (actuarial.arrays): the same as xr.Dataset's
        {
            "base_population": (("sex", "age"), np.array(demography.base_population)),
            "mx": (("year", "sex", "age"), mortality_rates(demography.mortality, years, demography.open_age_group)),
            "asfr": (("year", "age"), asfr),
            "srb": (("year",), fert.srb.at(years)),
            "net_migration": (("year", "sex", "age"), migrants),
        },
        c_ysa,
    )
    return {name: ds[name] for name in ds.data_vars}
