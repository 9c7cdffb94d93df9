"""``actuarial compare``: cases with different benefits, sectors, checks or
years align by an outer join (``actuarial.pipeline.side_by_side``); the console
prints the key differences and what only one case has; each case's
results.nc is kept beside the comparison and reused while its assumptions
digest is unchanged."""

from __future__ import annotations

import re

import numpy as np
import pytest
import xarray as xr

from actuarial.pipeline import side_by_side
from cli_helpers import run_cli

SHORT = ["--set", "case.horizon=20", "--set", "pension.horizons=[10, 20]",
         "--set", "employment_injury.gap_horizon=10", "--set", "spf.report_years=[2020, 2025]"]


def _tree(benefits, checks, years):
    ds = xr.Dataset({"cost": (("year", "benefit"), np.arange(len(years) * len(benefits), dtype=float)
                              .reshape(len(years), len(benefits))),
                     "standard_check": (("check",), np.ones(len(checks), bool))},
                    coords={"year": years, "benefit": benefits,
                            "scheme": (("check",), checks), "article": (("check",), ["Art. 1"] * len(checks))})
    return xr.DataTree.from_dict({"/spf": ds})


def test_side_by_side_outer_joins_benefits_checks_and_years():
    a = _tree(["x", "y"], ["x", "y", "p"], [2020, 2021, 2022])
    b = _tree(["y", "z"], ["p", "z"], [2021, 2022, 2023])
    ds = side_by_side({"a": a, "b": b}, "spf")
    assert ds["benefit"].values.tolist() == ["x", "y", "z"]  # the first run's order, then the new ones
    assert ds["year"].values.tolist() == [2020, 2021, 2022, 2023]
    assert ds.sizes["check"] == 4  # checks matched by what they are (scheme, article), not by position
    assert ds["scheme"].values.tolist() == ["x", "y", "p", "z"]
    # what both have is compared: b's y in 2021 is its first value (0), a's is 3
    assert float(ds["cost"].sel(case="a", benefit="y", year=2021)) == 3.0
    assert float(ds["cost"].sel(case="b", benefit="y", year=2021)) == 0.0
    assert np.isnan(float(ds["cost"].sel(case="b", benefit="x", year=2021)))
    assert "benefit: x" in ds.attrs["only_in_a"] and "benefit: z" in ds.attrs["only_in_b"]
    assert ds.attrs["common_years"] == "2021-2022"


def test_side_by_side_needs_a_common_year():
    with pytest.raises(ValueError, match="no year in common"):
        side_by_side({"a": _tree(["x"], ["x"], [2020]), "b": _tree(["x"], ["x"], [2030])}, "spf")


def test_readme_compare_of_canada_and_mexico(root, tmp_path, monkeypatch):
    """The README's ``actuarial compare assumptions/canada.yaml assumptions/mexico.yaml`` (20 years):
    different SPF benefits, sectors, options and checks compare."""
    files = [str(root / "assumptions" / "canada.yaml"), str(root / "assumptions" / "mexico.yaml")]
    code, out, err = run_cli(["compare", *files, "-o", str(tmp_path), *SHORT])
    assert code == 0, err
    folder = tmp_path / "compare_canada_vs_mexico"
    for name in ("report.html", "differences.csv", "canada/results.nc", "mexico/results.nc"):
        assert (folder / name).is_file(), name
    for headline in ("GAP, 10 years", "GAP, 20 years", "actuarial balance", "payg cost rate, 2040",
                     "SPF package cost, 2040", "financing gap, 2040", "debt with the reform, 2040",
                     "mexico - canada"):
        assert headline in out, headline
    assert "canada only: spf: benefit: canada_child_benefit" in out
    # Mexico's accounts (design defined_contribution since 1997) add the minimum-pension top-up item and
    # the transition generation's Ley 73 option (pension.transition.legacy_option)
    assert "mexico only: fiscal_space: item: pension_guarantee, legacy_option; option: illicit_flows" in out
    # the report lists them too (issue 18), and prints no "nan", "<NA>" or "-0.00" for what one case lacks
    html = (folder / "report.html").read_text()
    only = re.search(r'<h3 id="only-in">Only in one case</h3>.*?<ul class="only-in">(.*?)</ul>', html, re.S)
    assert only is not None
    items = re.findall(r"<li>(.*?)</li>", only.group(1))
    listed = [line.strip() for line in out.split("only in one case:\n", 1)[1].splitlines() if line.startswith("  ")]
    assert items == listed  # the console's list, line for line
    assert any(i.startswith("canada only: spf: benefit: canada_child_benefit") for i in items)
    assert "mexico only: fiscal_space: item: pension_guarantee, legacy_option; option: illicit_flows" in items
    text = re.sub(r"<[^>]+>", " ", re.sub(r'src="[^"]*"', "", html))
    assert not re.search(r"\bnan\b|\bNaN\b|&lt;NA&gt;|-0\.0+(?![0-9])", text)
    with xr.open_datatree(folder / "canada" / "results.nc") as t:
        assert t.attrs["case"] == "canada"
    # unchanged cases are not run again; a changed one is
    monkeypatch.setattr("actuarial.pipeline.run", lambda *a, **k: pytest.fail("an unchanged case was run again"))
    code, out, err = run_cli(["compare", *files, "-o", str(tmp_path), "--force", *SHORT])
    assert code == 0, err
    assert "not run again (assumptions unchanged): canada, mexico" in out
    for name in ("canada/results.nc", "mexico/results.nc", "report.html"):
        assert (folder / name).is_file(), name


def test_headlines_of_many_cases_are_built_at_once_and_differ_from_the_first():
    """A batch's 200 cases: no pandas "fragmented DataFrame" warning (the
    differences are built at once), each difference the case minus the first,
    and ``differences=False`` the cases' own columns only."""
    import warnings

    import pandas as pd

    from actuarial.compare import headlines

    base = xr.Dataset({"depletion_year": ((), 2050.0), "steady_state_rate": ((), 0.1)})
    trees = {f"c{i}": xr.DataTree.from_dict({"/pension": base + i}) for i in range(200)}
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.PerformanceWarning)
        frame = headlines(trees)
    assert list(frame.columns[:200]) == list(trees) and frame.shape == (2, 399)
    assert frame["c7 - c0"].tolist() == [7.0, 700.0]  # the depletion year, then the rate in %
    assert list(headlines(trees, differences=False).columns) == list(trees)
