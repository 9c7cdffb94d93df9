"""``actuarial fiscal FILE [-o DIR]``: run a standalone fiscal-space file.

Writes ``DIR/<case name>/fiscal_space.nc`` as ``actuarial run`` writes its
set (``actuarial.output.output_set``): the folder locked, an earlier run's
folder refused without ``--force`` and replaced whole with it, a failed run
leaving no file behind; then prints a short summary. Wire it into the main parser
with ``fiscal_space.cli.add_parser(subparsers)``.
"""

from __future__ import annotations

import math
from pathlib import Path


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("fiscal", help="run a standalone fiscal-space file (financing gap, "
                                             "options, debt)")
    p.add_argument("file", help="fiscal-space YAML file (case + fiscal_space)")
    p.add_argument("-o", "--output", default="out", help="output folder (default: out)")
    p.add_argument("-q", "--quiet", action="store_true", help="no console summary")
    p.add_argument("--force", action="store_true", help="replace the outputs of an earlier run")
    p.set_defaults(func=run_command)


def run_command(args) -> int:
    from types import SimpleNamespace

    from actuarial.output import output_set, write_results
    from actuarial.provenance import provenance
    from actuarial.schema.loader import load_tree
    from fiscal_space import load_fiscal, run_fiscal_space

    fa = load_fiscal(args.file)
    resolved = SimpleNamespace(parsed=load_tree(Path(args.file))[0])  # after extends:, as loaded
    command = ["actuarial", *getattr(args, "argv", ["fiscal", str(args.file)])]
    target = Path(args.output) / fa.case.name / "fiscal_space.nc"
    with output_set(target.parent, getattr(args, "force", False)) as out:  # refused before computing
        ds = run_fiscal_space(fa)
        with out.writing():
            write_results(ds, out.path(target.name), provenance(resolved, command))
    if not getattr(args, "quiet", False):
        print(summary(ds))
        print(f"\nresults written to {target}")
    return 0


def summary(ds, n_rows: int = 8) -> str:
    """A short table: gap, financing by option, shortfall and debt, in % of GDP."""
    import numpy as np  # here: building the command line (``actuarial --help``) does not import numpy

    years = ds["year"].values
    show = sorted(set(np.linspace(0, years.size - 1, min(n_rows, years.size)).round().astype(int)))
    reforms = [r for r in ("without", "with", "scaled_back") if r in ds["reform"].values]
    columns = {"without": "debt0", "with": "debt1", "scaled_back": "debt1s"}
    head = ["year", "gap", *[str(o) for o in ds["option"].values], "short", *(columns[r] for r in reforms)]
    rows = []
    for i in show:
        fin = ds["financing"].isel(year=i).values
        rows.append([str(years[i]), *(f"{100 * v:.2f}" for v in (
            ds["financing_gap_gdp"].values[i], *fin, ds["shortfall_gdp"].values[i],
            *ds["debt_gdp"].isel(year=i).sel(reform=reforms).values))])
    widths = [max(len(h), *(len(r[j]) for r in rows)) for j, h in enumerate(head)]
    lines = [f"{ds.attrs.get('case', '')}: financing plan, % of GDP (debt0: debt without the reform; debt1: "
             "with the reform at full cost, the unfinanced part borrowed; debt1s: the reform scaled back to "
             "what the plan finances)",
             "  ".join(h.rjust(w) for h, w in zip(head, widths))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in rows]
    fg = ds["fiscal_gap"]
    lines.append(f"fiscal gap to {100 * fg.attrs['target_gdp']:.1f}% of GDP by {fg.attrs['target_year']}: "
                 f"{100 * float(fg.sel(reform='without')):.2f}% of GDP without the reform, "
                 f"{100 * float(fg.sel(reform='with')):.2f}% with it at full cost"
                 + (f", {100 * float(fg.sel(reform='scaled_back')):.2f}% scaled back"
                    if "scaled_back" in reforms else ""))
    short = ds["shortfall_gdp"]
    if float(short.max()) > 1e-12:  # as the years listed below
        yrs = years[short.values > 1e-12]
        lines.append(f"unfinanced in {yrs.size} year(s), {yrs[0]}-{yrs[-1]}; largest "
                     f"{100 * float(short.max()):.2f}% of GDP in {int(years[int(np.argmax(short.values))])} "
                     "(borrowed in the full-cost path)")
    else:
        lines.append("the gap is financed in every year")
    if "debt_above_threshold" in ds:
        above = ds["debt_above_threshold"].sel(reform="with").values
        threshold = 100 * ds["debt_above_threshold"].attrs["threshold_gdp"]
        lines.append(f"debt ceiling {threshold:.0f}% of GDP, with the reform at full cost: "
                     + (f"breached in {int(above.sum())} year(s) from {int(years[np.argmax(above)])}"
                        if above.any() else "never breached"))
    if "debt_above_threshold_probability" in ds:
        p = ds["debt_above_threshold_probability"].dropna("year")
        source = (f"over {p.attrs['scenarios']} valuation scenarios" if p.attrs.get("based_on") ==
                  "valuation_scenarios" else "over the fiscal stage's own stochastic paths")
        lines.append(f"probability that debt with the reform exceeds {100 * p.attrs['threshold_gdp']:.0f}% of GDP "
                     f"in {int(p['year'][-1])}: {100 * float(p[-1]):.1f}% ({source})")
    lines += dsa_lines(ds)
    from fiscal_space.stress_tests import stress_lines  # IMF MAC DSA stress tests and heat map
    lines += stress_lines(ds)
    return "\n".join(lines)


SHORT_NAMES = {"interest_rate": "interest", "inflation": "inflation", "real_growth": "growth",
               "exchange_rate": "exch.rate", "primary_deficit": "prim.def", "stock_flow_adjustment": "sfa",
               "residual": "residual"}


def dsa_lines(ds) -> list[str]:
    """Gross financing needs at their peak, the effective rate, and the decomposition of the
    cumulative change in debt / GDP over the first 5 and 10 years (points of GDP)."""
    lines = []
    years = ds["year"].values
    if "gross_financing_needs_gdp" in ds:
        gfn = ds["gross_financing_needs_gdp"]
        parts = []
        for r in ("without", "with"):
            v = gfn.sel(reform=r).values
            i = int(v.argmax())
            parts.append(f"{100 * v[i]:.1f}% of GDP in {int(years[i])} {r} the reform")
        lines.append("gross financing needs (interest + amortisation - primary balance + sfa), peak: "
                     + "; ".join(parts))
    if "effective_interest_rate" in ds:
        r = ds["effective_interest_rate"]
        lines.append(f"effective interest rate from the debt's structure, {int(years[0])} -> {int(years[-1])}: "
                     f"{100 * float(r.sel(reform='without')[0]):.2f}% -> "
                     f"{100 * float(r.sel(reform='without')[-1]):.2f}% without the reform, "
                     f"{100 * float(r.sel(reform='with')[-1]):.2f}% with it (full cost)")
    if "debt_change_contribution" in ds:
        c = ds["debt_change_contribution"]
        comps = [str(k) for k in c["component"].values]
        head = ["years", "reform", "change", *(SHORT_NAMES.get(k, k) for k in comps)]
        rows = []
        for n in (5, 10):
            if n > years.size:
                continue
            for r in ("without", "with"):
                cum = c.sel(reform=r).isel(year=slice(0, n)).sum("year")
                rows.append([f"{int(years[0])}-{int(years[n - 1])}", r, f"{100 * float(cum.sum()):.2f}",
                             *(f"{100 * float(cum.sel(component=k)):.2f}" for k in comps)])
        if rows:
            widths = [max(len(h), *(len(x[j]) for x in rows)) for j, h in enumerate(head)]
            lines.append("change in debt / GDP during the years, points of GDP, by debt-creating flow (IMF MAC DSA "
                         "template):")
            lines.append("  ".join(h.rjust(w) for h, w in zip(head, widths)))
            lines += ["  ".join(x.rjust(w) for x, w in zip(row, widths)) for row in rows]
    return lines + sustainability_lines(ds) + criteria_lines(ds)


GAP_COLUMNS = {"initial_budgetary_position": "IBP", "debt_requirement": "DR", "cost_of_ageing": "CoA"}


def sustainability_lines(ds) -> list[str]:
    """S1 and S2 without and with the reform, % of GDP, with their components (they sum to the gap)
    and the convention (``fiscal_space.sustainability_gaps``; the variables' attrs)."""
    if "sustainability_gap" not in ds:
        return []
    gap, comp = ds["sustainability_gap"], ds["sustainability_gap_component"]
    reforms = [r for r in ("without", "with") if r in gap["reform"].values]
    head = ["indicator", "reform", "gap", *GAP_COLUMNS.values()]
    rows = [[str(i), r, _points(gap.sel(sustainability_indicator=i, reform=r)),
             *(_points(comp.sel(sustainability_indicator=i, sustainability_component=k, reform=r))
               for k in GAP_COLUMNS)]
            for i in gap["sustainability_indicator"].values for r in reforms]
    widths = [max(len(h), *(len(x[j]) for x in rows)) for j, h in enumerate(head)]
    a = gap.attrs
    lines = ["sustainability gaps, % of GDP (> 0: consolidation needed; gap = IBP initial budgetary position + "
             "DR debt requirement + CoA cost of ageing)",
             f"  {a['convention']}", f"  {a['S1']}", f"  {a['S2'].replace('(NaN)', '(n/a)')}",
             "  ".join(h.rjust(w) for h, w in zip(head, widths))]
    lines += ["  ".join(x.rjust(w) for x, w in zip(row, widths)) for row in rows]
    if any("n/a" in row for row in rows):
        lines.append(f"n/a: not defined, r - g <= 0 in {int(ds['year'][-1])} (the infinite-horizon sum of S2 "
                     "diverges)")
    return lines


def _points(da) -> str:
    """A fraction of GDP in % (points of GDP), "n/a" when undefined (NaN)."""
    return "n/a" if math.isnan(float(da)) else f"{100 * float(da):.2f}"


def criteria_lines(ds) -> list[str]:
    """The fan's probabilistic criteria (``fiscal_space.stochastic.probabilities``), with their paths
    and years (from the variables' long names)."""
    return [f"{da.attrs['long_name']}: {100 * float(da):.1f}%"
            for da in (ds.get("debt_declining_probability"), ds.get("debt_below_threshold_probability"))
            if da is not None]
