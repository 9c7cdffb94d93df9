"""Section ``fiscal_space`` of an assumption file, and standalone fiscal files.

The same section serves a country's main assumption file (costs come from
the pension, employment-injury and SPF stages, GDP from the economy stage)
and a small standalone file for a fiscal analyst::

    case: {name: demo_fiscal, base_year: 2025, horizon: 30, currency: DML}
    fiscal_space:
      baseline: {...}           # macro-fiscal baseline (see below)
      package_baseline_gdp: {}  # current spending on the costed items
      costs: {file: costs.csv, unit: gdp_share}   # the cost path, if not from the stages
      debt: {...}               # threshold, target, r - g shifts
      options: {...}            # the handbook's financing options (fiscal_space.options)
      stochastic: {...}         # optional debt fan chart

Every ratio is a fraction (0.2 for 20% of GDP); time paths are ``{year:
value}`` anchors, linear between anchors and flat outside them, or a
constant. Keys and their meaning:

``baseline``
  ``gdp`` nominal GDP of the base year (currency; optional: without it the
  results are in shares of GDP only). ``real_gdp_growth`` and ``inflation``
  (yearly rates; as in the economy section, the rates of year t take GDP
  from year t to t + 1). These three are used only when no economy Dataset
  is passed (then ``gdp``, ``real_gdp_growth`` and ``inflation`` of that
  Dataset are used). ``revenue_gdp`` general government revenue and grants,
  ``primary_expenditure_gdp`` expenditure other than interest (the primary
  balance is their difference). ``debt_gdp`` gross public debt on 1 January
  of the base year / GDP of the year before (the latest end-year outturn).
  ``interest_rate`` effective nominal interest rate on debt = interest paid
  in the year / debt at its start (optional when an economy Dataset with
  ``interest_rate`` is passed). ``foreign_currency_share`` of debt (default
  0), ``exchange_rate`` path (currency per unit of foreign currency; its
  yearly change revalues the foreign-currency debt), and
  ``stock_flow_adjustment_gdp`` (default 0).
``package_baseline_gdp``
  ``{item: path}``: what is already spent on an item of the cost input;
  the financing gap is the package cost minus this.
``costs``
  ``file`` a CSV with a ``year`` column and one column per item, covering
  every year of the case; ``unit`` ``gdp_share`` (fractions of GDP,
  default) or ``currency`` (then GDP comes from a ``gdp`` column, or the
  baseline). A column named by ``options.social_security.from_costs`` is a
  variable of its own, not a cost item.
``debt``
  ``threshold_gdp`` the debt ceiling the plan respects (and the threshold
  of the stochastic exceedance probability); it may not be below today's
  debt unless ``allow_above_threshold: true``. ``target_gdp`` (default
  today's debt ratio) and ``target_year`` (default the last year) define
  the fiscal gap. ``r_g_shifts`` changes of r - g for the sensitivity
  (default [-0.02, -0.01, 0, 0.01, 0.02]).
``options``
  see :mod:`fiscal_space.options`.
``stochastic``
  ``paths``, ``seed``, ``years`` (default all), ``threshold_gdp`` (default
  ``debt.threshold_gdp``), and exactly one of ``sd`` (standard deviations of
  the shocks ``growth``, ``interest_rate``, ``primary_balance``,
  ``exchange_rate``, with an optional ``correlation: {a: {b: rho}}``),
  ``covariance`` (4 x 4 list in that order) or ``history: {file}`` (a CSV
  with those columns, bootstrapped: see :mod:`fiscal_space.stochastic`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from actuarial.datafiles import Column, check_unique, data_error, read_bytes, read_table
from actuarial.errors import AssumptionError
from actuarial.schema import read_section, split_sources
from actuarial.schema.case import Case as FiscalCase  # name, country, base_year, horizon, currency
from actuarial.schema.loader import load_tree
from actuarial.schema.reader import Reader
from actuarial.schema.values import TimeSeries
from fiscal_space.options import GDP, SHARE, Option, parse_option

RATE = dict(lo=-0.5, hi=1.0, what="a yearly rate (0.03 for 3%)")
SHOCKS = ("growth", "interest_rate", "primary_balance", "exchange_rate")
COST_UNITS = ("gdp_share", "currency")


@dataclass(frozen=True)
class Baseline:
    """Macro-fiscal baseline without the reform (fractions of GDP, yearly rates)."""

    gdp: float | None
    real_gdp_growth: TimeSeries | None
    inflation: TimeSeries | None
    revenue_gdp: TimeSeries
    primary_expenditure_gdp: TimeSeries
    debt_gdp: float
    interest_rate: TimeSeries | None
    foreign_currency_share: TimeSeries
    exchange_rate: TimeSeries | None
    stock_flow_adjustment_gdp: TimeSeries


@dataclass(frozen=True)
class DebtRules:
    threshold_gdp: float | None
    allow_above_threshold: bool
    target_gdp: float
    target_year: int
    r_g_shifts: tuple[float, ...]


@dataclass(frozen=True)
class Stochastic:
    paths: int
    seed: int
    years: int  # years simulated from the base year (<= horizon + 1)
    threshold_gdp: float
    covariance: np.ndarray | None  # (4, 4) in SHOCKS order, method "normal"
    history: np.ndarray | None  # (n, 4) demeaned shocks, method "bootstrap"

    @property
    def method(self) -> str:
        return "normal" if self.covariance is not None else "bootstrap"


@dataclass(frozen=True)
class FiscalAssumptions:
    case: FiscalCase
    baseline: Baseline
    package_baseline: dict  # item -> TimeSeries (fraction of GDP)
    costs: xr.Dataset | None  # from costs.file, if given
    debt: DebtRules
    options: tuple[Option, ...]
    stochastic: Stochastic | None
    source: str  # the file that set the section (for error messages)
    digest: str

    @property
    def years(self) -> np.ndarray:
        return self.case.years

    def error(self, key: str, expected: str) -> AssumptionError:
        return AssumptionError(self.source, f"fiscal_space.{key}", expected)


# -- standalone files -----------------------------------------------------------------

def load_fiscal(path) -> FiscalAssumptions:
    """Load a standalone fiscal file: ``case`` and ``fiscal_space`` (``extends:`` works)."""
    path = Path(path)
    data, origins, _ = split_sources(*load_tree(path))
    root = Reader(data, origins)
    with root:
        if root.has("costs"):
            raise root.error("costs", "the cost path goes inside the section: fiscal_space.costs: {file: ...}")
        case = read_section(root, "case", FiscalCase)
        return parse_fiscal_space(root.section("fiscal_space"), case, data)


# -- the section ------------------------------------------------------------------------

def parse_fiscal_space(r: Reader, case, data: dict | None = None) -> FiscalAssumptions:
    """Parse a ``fiscal_space`` section; ``case`` has name, base_year, horizon, currency."""
    case = FiscalCase(case.name, getattr(case, "country", case.name), int(case.base_year),
                      int(case.horizon), getattr(case, "currency", "NCU"))
    years = case.years
    digest = hashlib.sha256(json.dumps(data if data is not None else r.data, sort_keys=True,
                                       default=str).encode())
    with r:
        baseline = _baseline(r.section("baseline"))
        package = {}
        pb = r.section("package_baseline_gdp", required=False)
        if pb is not None:
            with pb:
                package = {str(k): pb.series(k, **GDP) for k in pb.keys()}
        table, cost_unit, cost_file = None, None, None
        cr = r.section("costs", required=False)
        if cr is not None:
            with cr:
                cost_file = cr.file_path("file")
                cost_unit = cr.string("unit", choices=COST_UNITS, default="gdp_share")
                table = _read_year_csv(cr, "file", cost_file, years)
                digest.update(read_bytes(cost_file))
        debt = _debt(r.section("debt", required=False), baseline, years)
        options = _options(r.section("options", required=False),
                           None if table is None else set(table.columns))
        if any(o.name == "borrowing" and o.method == "borrowing" and o.settings["max_gdp"] is None
               for o in options) and debt.threshold_gdp is None:
            raise r.error("options.borrowing.max_gdp", "borrowing needs a yearly limit max_gdp or a "
                                                       "debt ceiling fiscal_space.debt.threshold_gdp")
        stochastic = None
        sr = r.section("stochastic", required=False)
        if sr is not None:
            stochastic = _stochastic(sr, debt, years)
            if stochastic.history is not None:
                digest.update(stochastic.history.tobytes())
        costs = None
        if table is not None:
            from_costs = {o.settings["variable"] for o in options if o.method == "from_costs"}
            costs = costs_from_table(table, cost_unit, from_costs, str(cost_file))
            missing = sorted(set(package) - set(costs["item"].values.tolist()))
            if missing:
                raise r.error(f"package_baseline_gdp.{missing[0]}",
                              f"no such item in {cost_file.name}; items: {', '.join(costs['item'].values)}")
        source = r.file_for(None)
    return FiscalAssumptions(case, baseline, package, costs, debt, options, stochastic,
                             str(source) if source is not None else "<assumptions>", digest.hexdigest()[:16])


def _baseline(r: Reader) -> Baseline:
    with r:
        gdp = r.number("gdp", lo=0.0, lo_open=True, what="a nominal GDP in currency units") \
            if r.has("gdp") else None
        growth = r.series("real_gdp_growth", **RATE) if r.has("real_gdp_growth") else None
        inflation = r.series("inflation", **RATE) if r.has("inflation") else None
        if (growth is None) != (inflation is None):
            key = "inflation" if inflation is None else "real_gdp_growth"
            raise r.error(key, "give both real_gdp_growth and inflation, or neither (then they come "
                               "from the economy stage)")
        fx = r.series("exchange_rate", lo=1e-12, what="currency units per unit of foreign currency") \
            if r.has("exchange_rate") else None
        share = r.series("foreign_currency_share", **SHARE, default=0.0)
        if fx is None and any(v > 0 for v in share.values):
            raise r.error("exchange_rate", "required key is missing (foreign_currency_share is above 0)")
        return Baseline(
            gdp=gdp, real_gdp_growth=growth, inflation=inflation,
            revenue_gdp=r.series("revenue_gdp", **GDP),
            primary_expenditure_gdp=r.series("primary_expenditure_gdp", **GDP),
            debt_gdp=r.number("debt_gdp", lo=0.0, hi=10.0, what="a debt / GDP ratio (0.55 for 55%)"),
            interest_rate=r.series("interest_rate", **RATE) if r.has("interest_rate") else None,
            foreign_currency_share=share, exchange_rate=fx,
            stock_flow_adjustment_gdp=r.series("stock_flow_adjustment_gdp", lo=-1.0, hi=1.0, default=0.0,
                                               what="a fraction of GDP"))


def _debt(r: Reader | None, baseline: Baseline, years) -> DebtRules:
    last = int(years[-1])
    if r is None:
        return DebtRules(None, False, baseline.debt_gdp, last, (-0.02, -0.01, 0.0, 0.01, 0.02))
    with r:
        threshold = r.number("threshold_gdp", lo=0.0, hi=10.0, what="a debt / GDP ratio") \
            if r.has("threshold_gdp") else None
        allow = r.flag("allow_above_threshold", False)
        if threshold is not None and threshold < baseline.debt_gdp and not allow:
            raise r.error("threshold_gdp", f"the threshold {threshold} is below today's debt "
                                           f"{baseline.debt_gdp} (baseline.debt_gdp); set "
                                           "allow_above_threshold: true if that is intended")
        target_year = r.number("target_year", lo=int(years[0]) + 1, hi=last, integer=True, default=last)
        shifts = r.raw("r_g_shifts", [-0.02, -0.01, 0.0, 0.01, 0.02])
        if not isinstance(shifts, list) or not shifts:
            raise r.error("r_g_shifts", "expected a list of changes of r - g (0.01 for +1 point)")
        values = r.number_list("r_g_shifts", shifts, lo=-0.2, hi=0.2, what="a change of r - g")
        if len(set(values)) != len(values):
            raise r.error("r_g_shifts", "expected distinct values")
        return DebtRules(threshold, allow,
                         r.number("target_gdp", lo=0.0, hi=10.0, default=baseline.debt_gdp,
                                  what="a debt / GDP ratio"),
                         target_year, tuple(values))


def _options(r: Reader | None, columns) -> tuple[Option, ...]:
    if r is None:
        return ()
    with r:
        known = None if columns is None else columns - {"year"}
        return tuple(parse_option(r.section(name), str(name), known) for name in r.keys())


def _stochastic(r: Reader, debt: DebtRules, years) -> Stochastic:
    with r:
        paths = r.number("paths", lo=1, hi=10_000_000, integer=True)
        seed = r.number("seed", lo=0, integer=True, what="a non-negative integer seed")
        n_years = r.number("years", lo=2, hi=len(years), integer=True, default=len(years))
        if r.has("threshold_gdp") or debt.threshold_gdp is None:
            threshold = r.number("threshold_gdp", lo=0.0, hi=10.0, what="a debt / GDP ratio")
        else:
            threshold = debt.threshold_gdp
        given = [k for k in ("sd", "covariance", "history") if r.has(k)]
        if len(given) != 1:
            raise r.error("sd", "give exactly one of sd (with an optional correlation), covariance "
                                f"(4 x 4, order {', '.join(SHOCKS)}) or history {{file}}; got "
                                f"{', '.join(given) or 'none'}")
        cov = hist = None
        if given[0] == "sd":
            cov = _covariance_from_sd(r)
        elif given[0] == "covariance":
            cov = _matrix(r, "covariance")
        else:
            h = r.section("history")
            with h:
                path = h.file_path("file")
                table = _read_year_csv(h, "file", path, None)
            unknown = sorted(set(table.columns) - set(SHOCKS))
            if unknown:
                raise AssumptionError(path, h.key_path("file"), f"unknown column {unknown[0]!r}; expected year and "
                                      f"some of {', '.join(SHOCKS)}")
            if len(table) < 2:
                raise AssumptionError(path, h.key_path("file"), "expected at least two years of history")
            values = np.column_stack([table[s].to_numpy(float) if s in table else np.zeros(len(table))
                                      for s in SHOCKS])
            hist = values - values.mean(axis=0)
    return Stochastic(paths, seed, n_years, threshold, cov, hist)


def _covariance_from_sd(r: Reader) -> np.ndarray:
    s = r.section("sd")
    with s:
        sd = np.array([s.number(k, lo=0.0, hi=1.0, default=0.0, what="a standard deviation") for k in SHOCKS])
    corr = np.eye(len(SHOCKS))
    c = r.section("correlation", required=False)
    if c is not None:
        with c:
            for a in c.keys():
                if a not in SHOCKS:
                    raise c.error(a, f"expected one of {', '.join(SHOCKS)}")
                row = c.section(a)
                with row:
                    for b in row.keys():
                        if b not in SHOCKS or b == a:
                            raise row.error(b, f"expected another of {', '.join(SHOCKS)}")
                        i, j = SHOCKS.index(a), SHOCKS.index(b)
                        corr[i, j] = corr[j, i] = row.number(b, lo=-1.0, hi=1.0, what="a correlation")
    cov = corr * np.outer(sd, sd)
    if np.linalg.eigvalsh(corr).min() < -1e-10:
        raise r.error("correlation", "the correlations are not consistent (the matrix is not "
                                     "positive semi-definite)")
    return cov


def _matrix(r: Reader, key) -> np.ndarray:
    value = r.raw(key)
    n = len(SHOCKS)
    if not isinstance(value, list) or len(value) != n or not all(isinstance(v, list) and len(v) == n
                                                                 for v in value):
        raise r.error(key, f"expected a {n} x {n} list of lists (order {', '.join(SHOCKS)})")
    m = np.array([r.number_list(f"{key}[{i}]", v) for i, v in enumerate(value)])
    if not np.allclose(m, m.T, rtol=0, atol=1e-14) or np.linalg.eigvalsh(m).min() < -1e-12:
        raise r.error(key, "expected a symmetric positive semi-definite covariance matrix")
    return m


# -- cost files -----------------------------------------------------------------------

def _read_year_csv(r: Reader, key, path: Path, years) -> pd.DataFrame:
    """A CSV with an integer ``year`` column and numeric columns, indexed by year,
    read through :mod:`actuarial.datafiles` (regular file, size limit, gzip,
    every cell a finite number, each year once); when ``years`` is given,
    every one of them must be present. Errors name the CSV file, the column
    and the row, and the key that names the file."""
    try:
        table = read_table(path, [Column("year", "int", what="a whole year")], others="float",
                           what="cost table", context=("year",))
        if table.shape[1] < 2:
            raise data_error(path, "", 1, "expected at least one column besides 'year'")
        check_unique(path, table, ["year"])
    except AssumptionError as exc:
        raise AssumptionError(exc.file, f"{r.key_path(key)}: {exc.key}" if exc.key else r.key_path(key),
                              exc.expected) from None
    table = table.set_index("year").sort_index()
    if years is not None:
        check_years(table.index.to_numpy(), years, Path(path).absolute(), r.key_path(key))
    return table


def check_years(have, years, file, key) -> None:
    """Every projection year must be present in a cost path (no silent gaps)."""
    missing = sorted(set(np.asarray(years).tolist()) - set(np.asarray(have).tolist()))
    if missing:
        shown = ", ".join(map(str, missing[:8])) + (" ..." if len(missing) > 8 else "")
        raise AssumptionError(file, key, f"the cost path has no value for {len(missing)} year(s) of the "
                                         f"case ({shown}); give every year from {years[0]} to {years[-1]}")


def costs_from_table(table: pd.DataFrame, unit: str, variables=(), source: str = "") -> xr.Dataset:
    """A cost Dataset (layout of :func:`fiscal_space.gap.prepare_costs`) from a CSV table."""
    items = [c for c in table.columns if c != "gdp" and c not in variables]
    year = table.index.to_numpy()
    name, units, long = (("cost_gdp", "1", "cost of the item / GDP") if unit == "gdp_share"
                         else ("cost", "currency/year", "cost of the item"))
    ds = xr.Dataset({name: (("year", "item"), table[items].to_numpy(float), {"units": units, "long_name": long})},
                    coords={"year": year, "item": items}, attrs={"source_file": source})
    if "gdp" in table.columns:
        ds["gdp"] = ("year", table["gdp"].to_numpy(float), {"units": "currency/year", "long_name": "nominal GDP"})
    for v in variables:
        if v in table.columns:
            ds[v] = ("year", table[v].to_numpy(float), {"units": "1", "long_name": f"{v} (from {Path(source).name})"})
    return ds
