"""Benchmark of building a country's demography from the WPP 2024 CSV files.

Targets (issue 15): under 10 s on the first read of full-size files (the UN's
files hold every location: hundreds of MB), under 0.5 s from the cache the
reader keeps beside the files. The files are synthetic, in the UN's layout
and of full size (237 locations, 1950-2100,
:func:`actuarial.demography.wpp_synthetic.write_synthetic`), written once
by ``setup_cache`` (about a minute).
"""

from __future__ import annotations

from pathlib import Path

from actuarial.demography.wpp import read_wpp
from actuarial.demography.wpp_build import wpp_inputs
from actuarial.demography.wpp_cache import cache_path, read_wpp_cached
from actuarial.demography.wpp_synthetic import write_synthetic

COUNTRY = "Synthland 120"  # a location in the middle of the files


class WppBuild:
    timeout = 1800
    number = 1
    repeat = 3
    warmup_time = 0

    def setup_cache(self):
        return str(write_synthetic(Path("wpp").absolute(), n=237))

    def setup(self, folder):
        if not cache_path(Path(folder), COUNTRY, "Medium").is_file():
            read_wpp_cached(folder, COUNTRY)  # writes the cache once
        wpp_inputs(read_wpp_cached(folder, COUNTRY), 2024, 2099)  # numba kernels compiled

    def time_first_read(self, folder):
        """Every file read (no cache): the rows of one location."""
        read_wpp(folder, COUNTRY)

    def time_cached_build(self, folder):
        """From the cache: the inputs of a 2024-2099 projection (residual migrants)."""
        wpp_inputs(read_wpp_cached(folder, COUNTRY), 2024, 2099)
