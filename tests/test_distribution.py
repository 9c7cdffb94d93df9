"""The distribution module: survey formats, draws, selection, raking, scales, deciles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from actuarial.assumptions.distribution import Codes, Columns, PovertyLine, SurveySpec
from actuarial.assumptions.series import TimeSeries
from actuarial.assumptions.spf import Benefit
from actuarial.distribution.benefits import selection, survey_rules
from actuarial.distribution.calibration import cell_counts, margin_cells, rake
from actuarial.distribution.draws import uniforms
from actuarial.distribution.poverty import deciles
from actuarial.distribution.reader import read_survey
from actuarial.distribution.welfare import equivalence_scale

ROOT = Path(__file__).resolve().parents[1]
SURVEY = ROOT / "assumptions" / "data" / "demoland" / "survey"


def demoland(year=2025):
    return read_survey(SURVEY / "households.csv", SURVEY / "persons.csv", SurveySpec("", ""), year)


def _first_households(folder: Path, n: int):
    """The first ``n`` Demoland households and their persons, written to ``folder`` (h.csv, p.csv) and read."""
    hh = pd.read_csv(SURVEY / "households.csv").head(n)
    pp = pd.read_csv(SURVEY / "persons.csv")
    pp = pp[pp["household_id"].isin(hh["household_id"])]
    hh.to_csv(folder / "h.csv", index=False)
    pp.to_csv(folder / "p.csv", index=False)
    return hh, pp, read_survey(folder / "h.csv", folder / "p.csv", SurveySpec("", ""), 2025)


def test_formats_read_the_same_survey(tmp_path):
    pytest.importorskip("pyreadstat")
    import pyreadstat

    hh, pp, ref = _first_households(tmp_path, 300)
    # survey-style codes: sex 1/2, urban 1/2 (numbers), renamed columns
    codes = Codes(female="2", male="1", urban="1", rural="2")
    cols = Columns(household_id="hhid", weight="wgt", sex="sexo")
    hh2 = hh.rename(columns={"household_id": "hhid", "weight": "wgt"}).assign(
        urban=np.where(hh["urban"] == "urban", 1, 2))
    pp2 = pp.rename(columns={"household_id": "hhid", "sex": "sexo"}).assign(
        sexo=np.where(pp["sex"] == "female", 2.0, 1.0))
    spec = SurveySpec("", "", columns=cols, codes=codes)
    for ext, write in ((".parquet", lambda f, p: f.to_parquet(p)),
                       (".dta", lambda f, p: f.to_stata(p, write_index=False)),
                       (".sav", lambda f, p: pyreadstat.write_sav(f, str(p)))):
        write(hh2, tmp_path / f"h{ext}")
        write(pp2, tmp_path / f"p{ext}")
        got = read_survey(tmp_path / f"h{ext}", tmp_path / f"p{ext}", spec, 2025)
        for name in ("weight", "welfare", "urban", "size", "household", "age", "female", "disabled", "pension",
                     "unemployed", "key", "person_key"):
            np.testing.assert_array_equal(getattr(got, name), getattr(ref, name), err_msg=f"{ext} {name}")


def test_one_file_survey_reads_as_two(tmp_path):
    """Persons rows carrying their household's columns, the same file named twice: the same survey."""
    from actuarial.errors import AssumptionError

    hh, pp, ref = _first_households(tmp_path, 200)
    one = pp.merge(hh, on="household_id", how="left")
    one.to_csv(tmp_path / "one.csv", index=False)
    got = read_survey(tmp_path / "one.csv", tmp_path / "one.csv", SurveySpec("", ""), 2025)
    for name in ("key", "weight", "welfare", "urban", "size", "household", "person_key", "age", "female", "pension"):
        np.testing.assert_array_equal(getattr(got, name), getattr(ref, name), err_msg=name)
    one.loc[one.index[4], "weight"] += 1.0  # the 5th person's household weight differs from its first row's
    if one["household_id"].iloc[4] != one["household_id"].iloc[3]:
        one.loc[one.index[4], "household_id"] = one["household_id"].iloc[3]
    one.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(AssumptionError, match=r"bad.csv.*weight.*row 6.*expected the same weight on every row"):
        read_survey(tmp_path / "bad.csv", tmp_path / "bad.csv", SurveySpec("", ""), 2025)


def test_draws_are_reproducible_and_independent_of_chunking():
    keys = np.arange(10_000, dtype=np.uint64) * 7919
    full = uniforms(3, keys, "child_benefit", "take_up")
    assert np.array_equal(full[5000:], uniforms(3, keys[5000:], "child_benefit", "take_up"))
    assert np.array_equal(full[::-1], uniforms(3, keys[::-1], "child_benefit", "take_up"))
    assert not np.array_equal(full, uniforms(4, keys, "child_benefit", "take_up"))
    assert not np.array_equal(full, uniforms(3, keys, "social_pension", "take_up"))
    assert 0.0 <= full.min() and full.max() < 1.0 and abs(full.mean() - 0.5) < 0.01


def test_draws_average_to_the_expected_values():
    survey = demoland()
    child = Benefit("child", "child", (0, 5), ("female", "male"), TimeSeries.constant(0.4), 1.0, "amount",
                    1000.0, 12.0, "prices", 0.0, None, False)
    w = survey.weight[survey.household]
    y = (survey.welfare / survey.size)[survey.household]
    expected = survey_rules(survey, [child], w, y, 0.0, 0.0, "expected")[0].units(0.4)
    drawn = survey_rules(survey, [child], w, y, 0.0, 0.0, "draw", seed=1)[0].units(0.4)
    assert set(np.unique(drawn)) <= {0.0, 1.0}
    assert (w * drawn).sum() == pytest.approx((w * expected).sum(), rel=0.05)
    more = survey_rules(survey, [child], w, y, 0.0, 0.0, "draw", seed=1)[0].units(0.8)
    assert (more >= drawn).all()  # a higher take-up keeps this year's recipients


def test_selection_has_the_stated_errors():
    n = 100_000
    mass = np.ones(n)
    welfare = np.random.default_rng(0).random(n)
    s = selection(mass, welfare, 0.3, 0.2, 0.1)
    target = welfare < np.quantile(welfare, 0.3)
    assert 1.0 - s[target].mean() == pytest.approx(0.1, abs=1e-3)  # exclusion error
    leak = s[~target].sum() / s.sum()
    assert leak == pytest.approx(0.2, abs=1e-3)  # inclusion error: share of the selected outside


def test_raking_reproduces_margins():
    survey = demoland()
    cells, cell_of = margin_cells(survey)
    x = cell_counts(survey, cell_of, len(cells))
    totals = x.T @ survey.weight * np.linspace(0.9, 1.4, len(cells))
    w = rake(survey.weight, x, totals)
    np.testing.assert_allclose(x.T @ w, totals, rtol=1e-9)
    assert (w > 0).all()


def test_equivalence_scales():
    survey = demoland()
    h = int(np.argmax(survey.size == 4))
    ages = survey.age[survey.household == h]
    adults, kids = int((ages >= 14).sum()), int((ages < 14).sum())
    oecd = equivalence_scale(survey, "oecd_modified")[h]
    assert oecd == pytest.approx(1 + 0.5 * (adults - 1) + 0.3 * kids if adults else 1 + 0.3 * (kids - 1))
    assert equivalence_scale(survey, "square_root")[h] == 2.0
    assert equivalence_scale(survey, "per_capita")[h] == 4.0


def test_deciles_hold_a_tenth_each():
    rng = np.random.default_rng(1)
    y, w = rng.lognormal(size=50_000), rng.random(50_000)
    d = deciles(y, w)
    shares = np.bincount(d, weights=w) / w.sum()
    np.testing.assert_allclose(shares, 0.1, atol=1e-3)
    assert (np.diff([y[d == k].max() for k in range(10)]) > 0).all()


def test_international_line():
    line = PovertyLine(ppp_per_day=3.0, ppp_factor=190.0, price_index=1.3)
    assert line.monthly() == pytest.approx(3.0 * 190.0 * 1.3 * 365 / 12)


def _bench():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_distribution", ROOT / "benchmarks" / "distribution.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_stage_on_a_synthetic_survey_reproducible_draws_and_tables():
    from actuarial.assumptions.distribution import Distribution
    from actuarial.assumptions.spf import SPF
    from actuarial.distribution.stage import run_distribution
    from actuarial.distribution.tables import distribution_tables

    bench = _bench()
    survey = bench.synthetic_survey(3000, seed=5)
    bens = bench.benefits()
    spf = SPF(30000.0, bens, {})
    dist = Distribution(survey, "square_root", {"national": 30000.0}, bench.YEARS, "draw", 7, 0.1, 0.2, None)
    inputs = bench.nodes(survey, [b.name for b in bens])
    a = run_distribution(dist, spf, *inputs)
    b = run_distribution(dist, spf, *inputs)
    assert a.identical(b)  # seeded draws: the same run twice
    assert list(a["group"].values) == ["all", "urban", "rural", "with_children", "with_older_persons",
                                       "female_headed", "female", "male"]
    np.testing.assert_allclose(a["incidence"].sum("decile"), 1.0, rtol=1e-12)
    assert ((a["coverage"] >= 0) & (a["coverage"] <= 1)).all()
    head = a["poverty_headcount"].sel(group="all", line="national")
    assert (head.sel(benefits="with") <= head.sel(benefits="without")).all()  # transfers only add welfare
    pop = inputs[0]["population"].isel(scenario=0).sum(("sex", "age"))
    np.testing.assert_allclose(a["survey_population"].sel(year=[2030, 2035]), pop.sel(year=[2030, 2035]), rtol=1e-9)
    tables = distribution_tables(a)
    assert set(tables) == {"poverty", "inequality", "deciles", "cost"}
    assert all(set(t.attrs["units"]) <= set(t.columns) for t in tables.values())
    assert len(tables["poverty"]) == a["poverty_headcount"].size
