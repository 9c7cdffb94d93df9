"""The eight financing options of the ILO/UNICEF/UN Women fiscal-space handbook.

Ortiz, Cummins & Karunanethy, *Fiscal Space for Social Protection and the
SDGs: Options to Expand Social Investments in 187 Countries* (ILO ESS
Working Paper 48, 2015/2017) and the ILO/UNICEF/UN Women *Fiscal Space for
Social Protection: A Handbook for Assessing Financing Options* (Ortiz,
Chowdhury, Durán Valverde, Muzaffar & Urban, 2019), ch. 3, list eight
options. Each is quantified here as a yearly **capacity** c(t), the most it
can finance in year t as a fraction of GDP, from its own assumptions:

========================  =========================================================  ========
option (handbook §)        capacity c(t), fraction of GDP                              kind
========================  =========================================================  ========
``reallocation`` (3.1)     sum over budget lines l of spending_l(t) x share_l(t)       balance
``tax`` (3.2)              effort: closed x max(benchmark - current, 0), or             balance
                           measures: sum of rate_change x base x compliance;
                           times (Y(t)/Y(base))^(buoyancy - 1)
``social_security`` (3.3)  capacity_gdp(t), or share x a variable of the cost Dataset   balance
                           (e.g. the pension stage's extra contribution income / GDP)
``aid`` (3.4)              grants_gdp(t) x share(t)                                    balance
``illicit_flows`` (3.5)    outflows_gdp(t) x curbed(t) x tax_take(t)                   balance
``reserves`` (3.6)         max_draw_gdp(t); the draws together never exceed the        asset
                           stock (stock_gdp x Y(base), in currency): it runs out
``borrowing`` (3.7)        max_gdp(t), and debt never above ``debt.threshold_gdp``     debt
``macro_framework`` (3.8)  deficit_gdp(t): a tolerated extra deficit path              debt
========================  =========================================================  ========

Y(t) is nominal GDP. Every option may give ``capacity_gdp`` (a direct
estimate) instead of its own keys. A user-defined option says ``custom:
true``, its ``kind`` and its ``capacity_gdp``.

Common keys: ``cost`` (relative cost or priority of a unit of GDP financed,
>= 0; the plan uses cheaper options first), ``start`` (first year the
option is used, default the base year) and ``ramp_up``: either a number of
years n to reach full capacity (share min(1, (t - start + 1) / n) in year t,
0 = at once) or a ``{year: share}`` path. The usable capacity is c(t) x
ramp(t).

**Kind** says what a unit of financing does to the public accounts (see
:mod:`fiscal_space.debt`): ``balance`` options raise revenue or cut other
spending, so the primary balance with the reform improves by what they
finance; ``debt`` options (borrowing, a tolerated deficit) leave the
primary balance worse by the gap and add what they finance to debt;
``asset`` options (drawing down reserves) leave the balance worse too, but
the deficit is paid from assets, so debt does not rise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from actuarial.schema.reader import Reader
from actuarial.schema.values import TimeSeries

if TYPE_CHECKING:  # imported where used: reading an assumption file stays light
    import xarray as xr

KINDS = ("balance", "debt", "asset")
SHARE = dict(lo=0.0, hi=1.0, what="a share between 0 and 1")
GDP = dict(lo=0.0, hi=2.0, what="a non-negative fraction of GDP (0.01 for 1% of GDP)")


@dataclass(frozen=True)
class Option:
    """One financing option, parsed and validated."""

    name: str
    kind: str  # "balance", "debt" or "asset"
    cost: float  # relative cost / priority of a unit of GDP financed
    start: int | None  # first year used (None: base year)
    ramp_up: float | TimeSeries  # years to full capacity, or a path of shares
    method: str  # how the capacity is computed (a key of CAPACITY)
    settings: dict = field(default_factory=dict)  # method parameters (TimeSeries, floats)
    custom: bool = False

    def ramp(self, years: np.ndarray) -> np.ndarray:
        """Share of the capacity usable in each year (0..1)."""
        years = np.asarray(years)
        start = years[0] if self.start is None else self.start
        if isinstance(self.ramp_up, TimeSeries):
            share = self.ramp_up.at(years)
        elif self.ramp_up <= 0:
            share = np.ones(years.size)
        else:
            share = np.clip((years - start + 1) / self.ramp_up, 0.0, 1.0)
        return np.where(years >= start, share, 0.0)


@dataclass(frozen=True)
class Context:
    """What capacity formulas may read besides their own settings."""

    years: np.ndarray
    gdp_index: np.ndarray  # nominal GDP / nominal GDP of the base year
    costs: xr.Dataset | None = None  # the cost Dataset (for ``from_costs``)
    debt_headroom: np.ndarray | None = None  # threshold - baseline debt, >= 0 (fraction of GDP)
    gdp: np.ndarray | None = None  # nominal GDP (currency), when known


# -- parsing ----------------------------------------------------------------------

# handbook name -> (kind, default relative cost); defaults put lasting,
# equitable revenue first and debt and deficits last, as the handbook urges.
HANDBOOK = {
    "reallocation": ("balance", 1.0),
    "social_security": ("balance", 1.0),
    "tax": ("balance", 1.5),
    "illicit_flows": ("balance", 1.5),
    "aid": ("balance", 2.0),
    "reserves": ("asset", 3.0),
    "borrowing": ("debt", 4.0),
    "macro_framework": ("debt", 5.0),
}


def parse_option(r: Reader, name: str, known_variables=()) -> Option:
    """Parse ``fiscal_space.options.<name>`` (a handbook option or ``custom: true``)."""
    with r:
        custom = r.flag("custom", False)
        if not custom and name not in HANDBOOK:
            import difflib

            hint = difflib.get_close_matches(name, HANDBOOK, n=1)
            also = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise r.error(None, f"not one of the handbook's options ({', '.join(HANDBOOK)}){also}; "
                                "a user-defined option says custom: true, its kind and capacity_gdp")
        if custom:
            kind = r.string("kind", choices=KINDS)
            default_cost = 1.0
        else:
            kind, default_cost = HANDBOOK[name]
        cost = r.number("cost", lo=0.0, default=default_cost, what="a relative cost (>= 0)")
        start = r.number("start", lo=1800, hi=2300, integer=True) if r.has("start") else None
        ramp = _ramp(r)
        if custom or r.has("capacity_gdp"):
            method, settings = "given", {"capacity_gdp": r.series("capacity_gdp", **GDP)}
        else:
            method, settings = PARSERS[name](r, known_variables)
        return Option(name, kind, cost, start, ramp, method, settings, custom)


def _ramp(r: Reader):
    value = r.raw("ramp_up", 0)
    if isinstance(value, dict):
        return r.series("ramp_up", **SHARE)
    return r.number("ramp_up", lo=0.0, hi=100.0, default=0,
                    what="years to full capacity (0: at once), or {year: share}")


def _reallocation(r: Reader, _):
    lines = r.section("lines")
    out = {}
    with lines:
        if not lines.keys():
            raise lines.error(None, "expected at least one budget line {spending_gdp, share}")
        for line in lines.keys():
            s = lines.section(line)
            with s:
                out[str(line)] = (s.series("spending_gdp", **GDP), s.series("share", **SHARE))
    return "reallocation", {"lines": out}


def _tax(r: Reader, _):
    settings = {"buoyancy": r.number("buoyancy", lo=0.0, hi=5.0, default=1.0,
                                     what="a tax buoyancy (% change of revenue / % change of GDP)")}
    has_effort, has_measures = r.has("effort"), r.has("measures")
    if has_effort == has_measures:
        raise r.error("effort", "give exactly one of effort {current_gdp, benchmark_gdp, closed}, "
                                "measures {name: {rate_change, base_gdp}} or capacity_gdp")
    if has_effort:
        e = r.section("effort")
        with e:
            settings["current_gdp"] = e.series("current_gdp", **GDP)
            settings["benchmark_gdp"] = e.series("benchmark_gdp", **GDP)
            settings["closed"] = e.series("closed", **SHARE, default=1.0)
        return "tax_effort", settings
    m = r.section("measures")
    measures = {}
    with m:
        if not m.keys():
            raise m.error(None, "expected at least one tax measure {rate_change, base_gdp}")
        for name in m.keys():
            s = m.section(name)
            with s:
                measures[str(name)] = (
                    s.series("rate_change", lo=0.0, hi=1.0, what="a non-negative rate increase (0.02: +2 points)"),
                    s.series("base_gdp", lo=0.0, hi=3.0, what="a tax base as a fraction of GDP"),
                    s.series("compliance", **SHARE, default=1.0))
    settings["measures"] = measures
    return "tax_measures", settings


def _social_security(r: Reader, known_variables):
    if not r.has("from_costs"):
        raise r.error("capacity_gdp", "give capacity_gdp (a path) or from_costs (a variable of "
                                      "the cost Dataset, year, fraction of GDP)")
    variable = r.string("from_costs")
    if known_variables is not None and variable not in known_variables:
        raise r.error("from_costs", f"the cost input has no variable {variable!r}; it has "
                                    f"{', '.join(sorted(known_variables)) or 'none'}")
    return "from_costs", {"variable": variable, "share": r.series("share", **SHARE, default=1.0)}


def _aid(r: Reader, _):
    return "aid", {"grants_gdp": r.series("grants_gdp", **GDP), "share": r.series("share", **SHARE, default=1.0)}


def _illicit_flows(r: Reader, _):
    return "illicit_flows", {"outflows_gdp": r.series("outflows_gdp", **GDP),
                             "curbed": r.series("curbed", **SHARE),
                             "tax_take": r.series("tax_take", **SHARE, default=1.0)}


def _reserves(r: Reader, _):
    if r.has("stock") == r.has("stock_gdp"):
        raise r.error("stock_gdp", "give exactly one of stock_gdp (usable fiscal and foreign-exchange "
                                   "reserves / base-year GDP) or stock (currency)")
    settings = {}
    if r.has("stock"):
        settings["stock"] = r.number("stock", lo=0.0, what="a stock of usable reserves in currency")
    else:
        settings["stock_gdp"] = r.number("stock_gdp", lo=0.0, hi=5.0, what="a fraction of base-year GDP")
    settings["max_draw_gdp"] = r.series("max_draw_gdp", **GDP, default=None) if r.has("max_draw_gdp") else None
    return "reserves", settings


def _borrowing(r: Reader, _):
    return "borrowing", {"max_gdp": r.series("max_gdp", **GDP) if r.has("max_gdp") else None}


def _macro_framework(r: Reader, _):
    return "given", {"capacity_gdp": r.series("deficit_gdp", **GDP)}


PARSERS = {"reallocation": _reallocation, "tax": _tax, "social_security": _social_security, "aid": _aid,
           "illicit_flows": _illicit_flows, "reserves": _reserves, "borrowing": _borrowing,
           "macro_framework": _macro_framework}


# -- capacities ---------------------------------------------------------------------

def _at(series: TimeSeries, years) -> np.ndarray:
    return series.at(years)


def _cap_given(s, ctx: Context):
    return _at(s["capacity_gdp"], ctx.years)


def _cap_reallocation(s, ctx: Context):
    """Handbook 3.1: spending that can move from each named budget line."""
    return sum(_at(spend, ctx.years) * _at(share, ctx.years) for spend, share in s["lines"].values())


def _buoyancy(s, ctx: Context):
    """Revenue / GDP moves as (Y(t)/Y(0))^(b - 1) when revenue grows b times as fast as GDP."""
    return ctx.gdp_index ** (s["buoyancy"] - 1.0)


def _cap_tax_effort(s, ctx: Context):
    """Handbook 3.2: a share of the tax-effort gap to a benchmark tax / GDP ratio."""
    gap = np.maximum(_at(s["benchmark_gdp"], ctx.years) - _at(s["current_gdp"], ctx.years), 0.0)
    return _at(s["closed"], ctx.years) * gap * _buoyancy(s, ctx)


def _cap_tax_measures(s, ctx: Context):
    """Handbook 3.2: rate changes x tax bases (x compliance), with buoyancy."""
    total = sum(_at(rate, ctx.years) * _at(base, ctx.years) * _at(comp, ctx.years)
                for rate, base, comp in s["measures"].values())
    return total * _buoyancy(s, ctx)


def _cap_from_costs(s, ctx: Context):
    """Handbook 3.3: contributory revenue of extended coverage, read from the cost Dataset."""
    da = ctx.costs[s["variable"]]
    if "scenario" in da.dims:
        da = da.isel(scenario=0, drop=True)
    values = da.sel(year=ctx.years).values.astype(float)
    return np.maximum(values, 0.0) * _at(s["share"], ctx.years)


def _cap_aid(s, ctx: Context):
    """Handbook 3.4: grants and transfers available for social protection."""
    return _at(s["grants_gdp"], ctx.years) * _at(s["share"], ctx.years)


def _cap_illicit_flows(s, ctx: Context):
    """Handbook 3.5: the public revenue from illicit outflows curbed."""
    return (_at(s["outflows_gdp"], ctx.years) * _at(s["curbed"], ctx.years)
            * _at(s["tax_take"], ctx.years))


def reserve_stock_gdp(s, ctx: Context) -> float:
    """The usable reserve stock as a fraction of base-year GDP."""
    if "stock_gdp" in s:
        return s["stock_gdp"]
    return s["stock"] / ctx.gdp[0]


def _cap_reserves(s, ctx: Context):
    """Handbook 3.6: at most max_draw a year and never more than the whole stock
    (the stock limit over all years is a constraint of the plan)."""
    whole = reserve_stock_gdp(s, ctx) / ctx.gdp_index  # the whole stock, in this year's GDP
    if s["max_draw_gdp"] is None:
        return whole
    return np.minimum(_at(s["max_draw_gdp"], ctx.years), whole)


def _cap_borrowing(s, ctx: Context):
    """Handbook 3.7: new borrowing a year, at most max_gdp and at most the headroom
    under the debt threshold (the plan keeps debt under it in every year)."""
    caps = [c for c in (None if s["max_gdp"] is None else _at(s["max_gdp"], ctx.years),
                        ctx.debt_headroom) if c is not None]
    return np.minimum.reduce(caps) if len(caps) > 1 else caps[0]


CAPACITY = {"given": _cap_given, "reallocation": _cap_reallocation, "tax_effort": _cap_tax_effort,
            "tax_measures": _cap_tax_measures, "from_costs": _cap_from_costs, "aid": _cap_aid,
            "illicit_flows": _cap_illicit_flows, "reserves": _cap_reserves, "borrowing": _cap_borrowing}


def capacity(option: Option, ctx: Context) -> np.ndarray:
    """Usable capacity of ``option`` by year (fraction of GDP): c(t) x ramp(t), >= 0."""
    raw = np.broadcast_to(np.asarray(CAPACITY[option.method](option.settings, ctx), dtype=float),
                          ctx.years.shape)
    return np.maximum(raw, 0.0) * option.ramp(ctx.years)
