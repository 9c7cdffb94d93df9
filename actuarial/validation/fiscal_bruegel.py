"""Validation kind ``fiscal_bruegel``: the engine's debt recursion side by side with the
Bruegel EU-DSA code's (issue 20, Proof).

The reference is the debt equation of the open EU-DSA code of Darvas, Welslau and
Zettelmeyer (2023), *A Quantitative Evaluation of the European Commission's Fiscal
Governance Proposal*, Bruegel Working Paper 16/2023, annex 2; code
github.com/lennardwelslau/eu-debt-sustainability-analysis, ``code/classes/DsaModelClass.py``,
``DsaModel._calc_debt_ratio`` ("debt ratio (zero floor)"). Written here from that equation,
in its own units and timing (percent of GDP, end-year stocks d[t] of year t, three currency
blocks, each with its exchange-rate ratio):

    d[t] = max(0, d[t-1] (1 + iir[t]/100) / (1 + ng[t]/100)
                  (s_dom + s_eur x_eur[t] + s_usd x_usd[t]) - pb[t] + sf[t]),
    x_c[t] = exr_c[t] / exr_c[t-1],   sf[t] = 100 SF[t] / Y[t],

with s_dom + s_eur + s_usd = 1 (the code rounds s_dom and s_eur to 4 decimals and sets
s_usd = round(1 - s_dom - s_eur, 4); s_eur = 0 for euro-area members).

The engine (:mod:`fiscal_space.debt`) runs d(t+1) = d(t) f(t) - pb(t) + sfa(t),
f = (1 + r)(1 + alpha e)/(1 + n), on 1 January stocks over GDP of the year before. The mapping:

- timing: the engine's d(t + 1) (1 January of t + 1) is the code's end-year d[t]; the flows
  of year t (iir, ng, pb, sf) are the engine's r(t), n(t), pb(t), sfa(t); the engine's base
  year is the code's start year + 1 and its d(base) the code's d[start year];
- nominal growth: the fiscal file's real_gdp_growth of year t takes GDP from t to t + 1, so
  it carries ng[t + 1] at year t, with inflation 0 (n(t) = ng[t]);
- exchange rates: the engine has one foreign-currency share alpha and one rate X; with
  alpha = s_eur + s_usd and X(t)/X(t-1) = 1 + (s_eur (x_eur - 1) + s_usd (x_usd - 1))/alpha,
  1 + alpha e = s_dom + s_eur x_eur + s_usd x_usd exactly (the code's two currencies enter
  only through that share-weighted revaluation, so the match is exact, not approximate);
- the zero floor: the engine has none; it binds only if debt would turn negative (net
  assets). Where it would bind, the reference keeps it and the check fails, as it should.

The expected values never call the engine: they come from the plain loop above.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from actuarial.assumptions.reader import Reader
from actuarial.assumptions.series import TimeSeries
from actuarial.validation import Row, row
from actuarial.validation.fiscal_structure import _costs

PATHS = ("implicit_interest_rate", "nominal_gdp_growth", "primary_balance", "stock_flow", "nominal_gdp")


def bruegel_debt_path(d0, iir, ng, pb, sf, shares, x_eur, x_usd) -> np.ndarray:
    """The code's equation, all in percent: d[0] = d0, then one value per flow year (plain loop)."""
    s_dom, s_eur, s_usd = shares
    out = [float(d0)]
    for t in range(len(iir)):
        d = out[-1]
        growth = (1 + iir[t] / 100) / (1 + ng[t] / 100)
        out.append(max(s_dom * d * growth + s_eur * d * growth * x_eur[t] + s_usd * d * growth * x_usd[t]
                       - pb[t] + sf[t], 0.0))
    return np.array(out)


def _values(r: Reader, key: str, years) -> np.ndarray:
    """The {year: value} anchors of ``key`` at exactly ``years`` (each year given, none interpolated)."""
    series = r.series(key)
    missing = sorted(set(int(y) for y in years) - set(series.years))
    if missing:
        raise r.error(key, f"expected a value for every year {years[0]}-{years[-1]}; missing {missing}")
    lookup = dict(zip(series.years, series.values))
    return np.array([lookup[int(y)] for y in years])


def _shares(r: Reader) -> tuple[float, float, float]:
    shares = tuple(r.number(k, lo=0.0, hi=1.0) for k in ("domestic_share", "eur_share", "usd_share"))
    if abs(sum(shares) - 1.0) > 1e-12:
        raise r.error("usd_share", f"expected domestic_share + eur_share + usd_share = 1 (the code's "
                                   f"currency split), got {sum(shares)!r}")
    return shares


def _assumptions(start: int, d0: float, flows: dict, shares, fx_index) -> object:
    """A standalone fiscal case (fractions of GDP) carrying the code's paths with the engine's timing."""
    from fiscal_space.assumptions import Baseline, DebtRules, FiscalAssumptions, FiscalCase

    base, horizon = start + 1, len(flows["iir"])
    flow_years = tuple(range(base, base + horizon))
    ts = lambda years, values: TimeSeries(tuple(int(y) for y in years), tuple(float(v) for v in values))  # noqa: E731
    alpha = shares[1] + shares[2]
    baseline = Baseline(
        gdp=flows["gdp"][0] * 1e9, debt_gdp=d0 / 100.0,
        real_gdp_growth=ts(range(start, start + horizon), flows["ng"] / 100.0),  # g(t) takes GDP to t + 1
        inflation=TimeSeries.constant(0.0),
        interest_rate=ts(flow_years, flows["iir"] / 100.0),
        revenue_gdp=ts(flow_years, flows["pb"] / 100.0), primary_expenditure_gdp=TimeSeries.constant(0.0),
        stock_flow_adjustment_gdp=ts(flow_years, flows["sf"] / 100.0),
        foreign_currency_share=TimeSeries.constant(alpha),
        exchange_rate=ts(range(start, base + horizon + 1), fx_index) if alpha > 0 else None)
    debt = DebtRules(None, False, d0 / 100.0, base + horizon, (0.0,))
    return FiscalAssumptions(FiscalCase("validation", "validation", base, horizon, "NCU"), baseline, {}, None,
                             debt, (), None, "<validation case>", "validation")


def fiscal_bruegel(name: str, r: Reader, folder: Path) -> list[Row]:
    from fiscal_space import run_fiscal_space

    r.string("country")
    start = r.number("start_year", lo=1900, hi=2200, integer=True)
    end = r.number("end_year", lo=start + 1, hi=2200, integer=True)
    d0 = r.number("debt_ratio", lo=0.0)
    shares = _shares(r)
    rtol, atol = r.number("rtol_debt", lo=0.0), r.number("atol_exchange_rate", lo=0.0)
    flow_years = list(range(start + 1, end + 1))
    iir, ng, pb, stock_flow, gdp = (_values(r, k, flow_years) for k in PATHS)
    exr = {c: _values(r, f"exr_{c}", [start, *flow_years]) for c in ("eur", "usd")}
    x = {c: v[1:] / v[:-1] for c, v in exr.items()}
    sf = 100.0 * stock_flow / gdp

    want = bruegel_debt_path(d0, iir, ng, pb, sf, shares, x["eur"], x["usd"]) / 100.0
    growth = (1 + iir / 100) / (1 + ng / 100)
    fx_term = want[:-1] * growth * (shares[1] * (x["eur"] - 1) + shares[2] * (x["usd"] - 1))

    alpha = shares[1] + shares[2]
    step = 1 + (shares[1] * (x["eur"] - 1) + shares[2] * (x["usd"] - 1)) / alpha if alpha > 0 else np.ones(len(iir))
    fx_index = np.concatenate([[1.0], np.cumprod(step), [np.prod(step)]])  # X(start) = 1, flat after end
    flows = {"iir": iir, "ng": ng, "pb": pb, "sf": sf, "gdp": gdp}
    years = np.arange(start + 1, end + 2)
    ds = run_fiscal_space(_assumptions(start, d0, flows, shares, fx_index), _costs(years))
    got = ds["debt_gdp"].sel(reform="without").values  # d(t) on 1 January of t = the code's d[t - 1]
    contrib = ds["debt_change_contribution"].sel(reform="without", component="exchange_rate").values[:-1]
    return [
        row(name, f"debt {start}-{end}: engine d(t + 1) vs the code's end-year d[t] (zero floor)", want, got, rtol),
        row(name, "exchange-rate term d (1+iir)/(1+ng) (s_eur (x_eur-1) + s_usd (x_usd-1)) vs the engine's "
                  "exchange_rate contribution (abs)", fx_term, contrib, atol, relative=False),
    ]


KINDS = {"fiscal_bruegel": fiscal_bruegel}
