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

**Keys.** Each option's keys are declared in the schema toolkit
(:mod:`actuarial.schema`), one class per option: :class:`Reallocation`,
:class:`Tax`, :class:`SocialSecurity`, :class:`Aid`, :class:`IllicitFlows`,
:class:`Reserves`, :class:`Borrowing`, :class:`MacroFramework` (the common
keys ``cost``, ``start``, ``ramp_up``, ``capacity_gdp`` and ``custom:
false`` in :class:`_Common` / :class:`_Handbook`) and :class:`CustomOption`
(``custom: true``, ``kind``, ``capacity_gdp``). :func:`options_field`
declares ``fiscal_space.options``: the class of an entry is chosen by its
name (:func:`pick_option`; "did you mean" for a misspelt handbook name);
:func:`to_options` turns the validated entries into the engine's
:class:`Option` (kind and default cost from :data:`HANDBOOK`, the method and
settings the capacity formulas below read).
"""


import difflib
from dataclasses import field, fields
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from pydantic import model_validator

from actuarial.schema import choice, flag, named, number, rule_error, section, series, text
from actuarial.schema.entries import ANY, named_by
from actuarial.schema.records import dataclass  # frozen dataclasses, cheaper to declare
from actuarial.schema.fields import Param, check_number, check_series, invalid, series_schema
from actuarial.schema.tables import field as declared_field
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
    costs: "xr.Dataset | None" = None  # the cost Dataset (for ``from_costs``)
    debt_headroom: np.ndarray | None = None  # threshold - baseline debt, >= 0 (fraction of GDP)
    gdp: np.ndarray | None = None  # nominal GDP (currency), when known


# -- the declared keys of each option -----------------------------------------------

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
SECTIONS_OF_HANDBOOK = {"reallocation": "3.1", "tax": "3.2", "social_security": "3.3", "aid": "3.4",
                        "illicit_flows": "3.5", "reserves": "3.6", "borrowing": "3.7", "macro_framework": "3.8"}
SHARE_FIELD = dict(SHARE, unit="share")
GDP_FIELD = dict(GDP, unit="share of GDP")
OWN_KEYS = "required without capacity_gdp"  # shown as the default of an option's own required keys


def handbook(name: str) -> str:
    """The handbook section that defines option ``name`` (the usual source of its values)."""
    return (f"Ortiz, Chowdhury, Duran Valverde, Muzaffar & Urban, Fiscal Space for Social Protection: "
            f"A Handbook (ILO/UNICEF/UN Women, 2019), ch. 3, section {SECTIONS_OF_HANDBOOK[name]}")


def _check_ramp(value):
    """A number of years to full capacity, or a ``{year: share}`` path."""
    if isinstance(value, dict):
        return check_series(value, **SHARE)
    return check_number(value, lo=0.0, hi=100.0, what="years to full capacity (0: at once), or {year: share}")


def _not_custom(value):
    if not isinstance(value, bool):
        raise invalid(f"expected true or false, got {value!r}")
    return value


RAMP = declared_field(
    float | TimeSeries, _check_ramp,
    {"anyOf": [{"type": "number", "minimum": 0, "maximum": 100}, series_schema(0.0, 1.0)]},
    Param("Years to full capacity (share min(1, (t - start + 1) / n) in year t; 0: at once), or a "
          "{year: share} path.", "years", "years in [0.0, 100.0] (0: at once), or {year: share} "
          "with shares in [0.0, 1.0]", "Ortiz et al. 2019, ch. 3"))
NOT_CUSTOM = declared_field(bool, _not_custom, {"const": False},
                            Param("true for a user-defined option (then kind and capacity_gdp); false or "
                                  "absent for a handbook option.", None, "true or false"))
COST = number("Relative cost or priority of a unit of GDP financed (the plan uses cheaper options first).",
              lo=0.0, what="a relative cost (>= 0)", unit="relative cost", source="Ortiz et al. 2019, ch. 3")


def _required(data: dict, cls, keys) -> None:
    """``keys`` must be given (with "a typo?" for a close unknown key)."""
    for key in keys:
        if key not in data:
            spare = [str(k) for k in data if k not in {f.name for f in fields(cls)}]
            hint = difflib.get_close_matches(key, spare, n=1)
            raise rule_error(key, "required key is missing" + (f" (found {hint[0]!r}: a typo?)" if hint else ""))


@dataclass(frozen=True, kw_only=True)
class _Common:
    """The keys every option has."""

    cost: COST = 1.0
    start: number("First year the option is used.", lo=1800, hi=2300, integer=True, unit="year",
                  derived="the base year") = None
    ramp_up: RAMP = 0
    capacity_gdp: series("A direct estimate of the yearly capacity, instead of the option's own keys.",
                         **GDP_FIELD) = None

    NAME: ClassVar[str] = ""
    OWN: ClassVar[tuple] = ()  # the option's own required keys (without capacity_gdp)

    def option(self, name) -> Option:
        custom = isinstance(self, CustomOption)
        kind = self.kind if custom else HANDBOOK[self.NAME][0]
        if self.capacity_gdp is not None:
            method, settings = "given", {"capacity_gdp": self.capacity_gdp}
        else:
            method, settings = self.method()
        return Option(str(name), kind, self.cost, self.start, self.ramp_up, method, settings, custom)


COMMON_KEYS = {"cost", "start", "ramp_up", "capacity_gdp", "custom"}


@dataclass(frozen=True, kw_only=True)
class _Handbook(_Common):
    """The keys of every handbook option: the common ones, custom (false) and the option's own."""

    custom: NOT_CUSTOM = False

    @model_validator(mode="before")
    @classmethod
    def _own_keys(cls, data):
        """capacity_gdp replaces the option's own keys; without it, they are required."""
        if not isinstance(data, dict):
            return data
        own = [f.name for f in fields(cls) if f.name not in COMMON_KEYS]
        if "capacity_gdp" in data:
            given = [k for k in data if k in own]
            if given:
                raise rule_error(given[0], "unknown key with capacity_gdp (a direct estimate replaces "
                                           f"the keys of {cls.NAME}: give one or the other)")
            return data
        _required(data, cls, cls.OWN)
        cls.rules(data)
        return data

    @classmethod
    def rules(cls, data: dict) -> None:
        """The option's rules on its own keys (capacity_gdp not given)."""

    def method(self) -> tuple[str, dict]:
        """(a key of CAPACITY, its settings) from the option's own keys."""
        raise NotImplementedError


@section()
@dataclass(frozen=True)
class BudgetLine:
    """One budget line whose spending can move to social protection."""

    spending_gdp: series("Spending on the line.", **GDP_FIELD)
    share: series("Share of that spending that can move.", **SHARE_FIELD)


@section()
@dataclass(frozen=True, kw_only=True)
class Reallocation(_Handbook):
    """Re-allocating public expenditure (handbook 3.1): capacity = sum over budget lines of
    spending_gdp x share."""

    NAME, OWN = "reallocation", ("lines",)
    cost: COST = HANDBOOK["reallocation"][1]
    lines: named("Budget lines that can be cut or reprioritised.", BudgetLine, what="budget line",
                 source=handbook("reallocation")) = None

    @classmethod
    def rules(cls, data):
        if isinstance(data["lines"], dict) and not data["lines"]:
            raise rule_error("lines", "expected at least one budget line {spending_gdp, share}")

    def method(self):
        return "reallocation", {"lines": {str(k): (v.spending_gdp, v.share) for k, v in self.lines.items()}}


@section()
@dataclass(frozen=True)
class TaxEffort:
    """The tax-effort gap: a share of the distance to a benchmark tax / GDP ratio."""

    current_gdp: series("Tax revenue today.", **GDP_FIELD)
    benchmark_gdp: series("The benchmark tax revenue (peers, potential).", **GDP_FIELD)
    closed: series("Share of the gap closed.", **SHARE_FIELD) = TimeSeries.constant(1.0)


@section()
@dataclass(frozen=True)
class TaxMeasure:
    """One tax measure: a rate increase on a base."""

    rate_change: series("Rate increase (0.02: +2 points).", lo=0.0, hi=1.0,
                        what="a non-negative rate increase (0.02: +2 points)", unit="rate")
    base_gdp: series("Tax base.", lo=0.0, hi=3.0, what="a tax base as a fraction of GDP", unit="share of GDP")
    compliance: series("Share of the base that pays.", **SHARE_FIELD) = TimeSeries.constant(1.0)


@section()
@dataclass(frozen=True, kw_only=True)
class Tax(_Handbook):
    """Increasing tax revenues (handbook 3.2): the effort gap closed (closed x max(benchmark -
    current, 0)) or measures (sum of rate_change x base_gdp x compliance), times
    (Y(t)/Y(base))^(buoyancy - 1)."""

    NAME = "tax"
    cost: COST = HANDBOOK["tax"][1]
    buoyancy: number("Tax buoyancy: % change of revenue / % change of GDP.", lo=0.0, hi=5.0,
                     what="a tax buoyancy (% change of revenue / % change of GDP)", unit="ratio",
                     source=handbook("tax")) = 1.0
    effort: TaxEffort = None
    measures: named("Tax measures, {name: {rate_change, base_gdp, compliance}}.", TaxMeasure,
                    what="measure", source=handbook("tax")) = None

    @classmethod
    def rules(cls, data):
        if ("effort" in data) == ("measures" in data):
            raise rule_error("effort", "give exactly one of effort {current_gdp, benchmark_gdp, closed}, "
                                       "measures {name: {rate_change, base_gdp}} or capacity_gdp")
        if isinstance(data.get("measures"), dict) and not data["measures"]:
            raise rule_error("measures", "expected at least one tax measure {rate_change, base_gdp}")

    def method(self):
        if self.effort is not None:
            e = self.effort
            return "tax_effort", {"buoyancy": self.buoyancy, "current_gdp": e.current_gdp,
                                  "benchmark_gdp": e.benchmark_gdp, "closed": e.closed}
        return "tax_measures", {"buoyancy": self.buoyancy, "measures": {
            str(k): (m.rate_change, m.base_gdp, m.compliance) for k, m in self.measures.items()}}


@section()
@dataclass(frozen=True, kw_only=True)
class SocialSecurity(_Handbook):
    """Extending social security coverage and contributory revenues (handbook 3.3): capacity_gdp,
    or share x a variable of the cost input (e.g. the extra contribution income / GDP)."""

    NAME = "social_security"
    cost: COST = HANDBOOK["social_security"][1]
    from_costs: text("A variable of the cost input (by year, fraction of GDP), e.g. the pension "
                     "stage's extra contribution income / GDP.", derived=OWN_KEYS,
                     source=handbook("social_security")) = None
    share: series("Share of that variable available.", **SHARE_FIELD) = TimeSeries.constant(1.0)

    @classmethod
    def rules(cls, data):
        if "from_costs" not in data:
            raise rule_error("capacity_gdp", "give capacity_gdp (a path) or from_costs (a variable of "
                                             "the cost Dataset, year, fraction of GDP)")

    def method(self):
        return "from_costs", {"variable": self.from_costs, "share": self.share}


@section()
@dataclass(frozen=True, kw_only=True)
class Aid(_Handbook):
    """Lobbying for aid and transfers (handbook 3.4): grants_gdp x share."""

    NAME, OWN = "aid", ("grants_gdp",)
    cost: COST = HANDBOOK["aid"][1]
    grants_gdp: series("Grants and transfers received.", **GDP_FIELD, derived=OWN_KEYS,
                       source=handbook("aid")) = None
    share: series("Share of them available for social protection.", **SHARE_FIELD) = TimeSeries.constant(1.0)

    def method(self):
        return "aid", {"grants_gdp": self.grants_gdp, "share": self.share}


@section()
@dataclass(frozen=True, kw_only=True)
class IllicitFlows(_Handbook):
    """Eliminating illicit financial flows (handbook 3.5): outflows_gdp x curbed x tax_take."""

    NAME, OWN = "illicit_flows", ("outflows_gdp", "curbed")
    cost: COST = HANDBOOK["illicit_flows"][1]
    outflows_gdp: series("Illicit financial outflows.", **GDP_FIELD, derived=OWN_KEYS,
                         source=handbook("illicit_flows")) = None
    curbed: series("Share of them curbed.", **SHARE_FIELD, derived=OWN_KEYS) = None
    tax_take: series("Share of what is curbed that becomes public revenue.",
                     **SHARE_FIELD) = TimeSeries.constant(1.0)

    def method(self):
        return "illicit_flows", {"outflows_gdp": self.outflows_gdp, "curbed": self.curbed,
                                 "tax_take": self.tax_take}


@section()
@dataclass(frozen=True, kw_only=True)
class Reserves(_Handbook):
    """Using fiscal and central bank foreign exchange reserves (handbook 3.6): at most
    max_draw_gdp a year, and the draws together never more than the stock."""

    NAME = "reserves"
    cost: COST = HANDBOOK["reserves"][1]
    stock_gdp: number("Usable fiscal and foreign-exchange reserves / base-year GDP (or stock).", lo=0.0,
                      hi=5.0, what="a fraction of base-year GDP", unit="share of base-year GDP",
                      derived="exactly one of stock_gdp or stock", source=handbook("reserves")) = None
    stock: number("Usable reserves in currency (or stock_gdp).", lo=0.0,
                  what="a stock of usable reserves in currency", unit="currency units",
                  derived="exactly one of stock_gdp or stock") = None
    max_draw_gdp: series("Most drawn in a year.", **GDP_FIELD, derived="the whole stock") = None

    @classmethod
    def rules(cls, data):
        if ("stock" in data) == ("stock_gdp" in data):
            raise rule_error("stock_gdp", "give exactly one of stock_gdp (usable fiscal and foreign-exchange "
                                          "reserves / base-year GDP) or stock (currency)")

    def method(self):
        stock = {"stock": self.stock} if self.stock is not None else {"stock_gdp": self.stock_gdp}
        return "reserves", {**stock, "max_draw_gdp": self.max_draw_gdp}


@section()
@dataclass(frozen=True, kw_only=True)
class Borrowing(_Handbook):
    """Borrowing or restructuring debt (handbook 3.7): at most max_gdp a year, and debt never
    above fiscal_space.debt.threshold_gdp."""

    NAME = "borrowing"
    cost: COST = HANDBOOK["borrowing"][1]
    max_gdp: series("New borrowing at most, a year (or only the debt ceiling).", **GDP_FIELD,
                    derived="the debt ceiling fiscal_space.debt.threshold_gdp only",
                    source=handbook("borrowing")) = None

    def method(self):
        return "borrowing", {"max_gdp": self.max_gdp}


@section()
@dataclass(frozen=True, kw_only=True)
class MacroFramework(_Handbook):
    """Adopting a more accommodating macroeconomic framework (handbook 3.8): a tolerated extra
    deficit path."""

    NAME, OWN = "macro_framework", ("deficit_gdp",)
    cost: COST = HANDBOOK["macro_framework"][1]
    deficit_gdp: series("The tolerated extra deficit.", **GDP_FIELD, derived=OWN_KEYS,
                        source=handbook("macro_framework")) = None

    def method(self):
        return "given", {"capacity_gdp": self.deficit_gdp}


@section()
@dataclass(frozen=True, kw_only=True)
class CustomOption(_Common):
    """A user-defined option (any other name): custom: true, its kind and its capacity_gdp."""

    custom: flag("true: a user-defined option.")
    kind: choice("What a unit of financing does to the public accounts: balance (revenue or spending "
                 "cut), debt (borrowed) or asset (drawn from assets).", KINDS)
    capacity_gdp: series("The yearly capacity.", **GDP_FIELD) = field()  # required (no inherited default)

    @model_validator(mode="after")
    def _custom(self):
        if not self.custom:
            raise rule_error("custom", "expected true (a user-defined option)")
        return self


OPTIONS = {"reallocation": Reallocation, "tax": Tax, "social_security": SocialSecurity, "aid": Aid,
           "illicit_flows": IllicitFlows, "reserves": Reserves, "borrowing": Borrowing,
           "macro_framework": MacroFramework, ANY: CustomOption}


def pick_option(name, value: dict):
    """The declared class of option ``name``: ``custom: true`` -> :class:`CustomOption`,
    else the handbook's option of that name ("did you mean" for another name)."""
    if value.get("custom") is True:
        return CustomOption
    if name in HANDBOOK:
        return OPTIONS[name]
    if "custom" in value and not isinstance(value["custom"], bool):
        raise invalid(f"expected true or false, got {value['custom']!r}", f".{name}.custom")
    hint = difflib.get_close_matches(str(name), HANDBOOK, n=1)
    also = f" (did you mean {hint[0]!r}?)" if hint else ""
    raise invalid(f"not one of the handbook's options ({', '.join(HANDBOOK)}){also}; "
                  "a user-defined option says custom: true, its kind and capacity_gdp", f".{name}")


def options_field(description: str, *, source=None):
    """``fiscal_space.options``: ``{name: option}``, each option's keys declared by its class."""
    return named_by(description, OPTIONS, pick=pick_option, what="option", source=source, optional=True)


def to_options(declared: dict | None) -> tuple[Option, ...]:
    """The engine's :class:`Option` of each declared option, in file order."""
    return () if declared is None else tuple(o.option(name) for name, o in declared.items())


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
