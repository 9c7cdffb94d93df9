"""Plain-text summaries printed by the CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

SUMMARY_STEPS = (0, 10, 25, 50, 75, 100)


def summary_years(years, steps=SUMMARY_STEPS) -> list[int]:
    first, last = int(years[0]), int(years[-1])
    return [first + s for s in steps if first + s <= last]


def central(ds: xr.Dataset) -> xr.Dataset:
    """The single scenario, or the median over scenarios (a year of depletion
    counts "never" as later than any year)."""
    if "scenario" not in ds.dims:
        return ds
    if ds.sizes["scenario"] == 1:
        return ds.isel(scenario=0)
    if "depletion_year" in ds:
        ds = ds.assign(depletion_year=ds["depletion_year"].fillna(np.inf))
    median = ds.median("scenario")
    if "depletion_year" in median:
        median["depletion_year"] = median["depletion_year"].where(np.isfinite(median["depletion_year"]))
    return median


def demography_summary(tree: xr.DataTree, assumptions) -> str:
    ds = central(tree["demography"].to_dataset())
    years = summary_years(ds["year"].values)
    d = ds.sel(year=years)
    e = d["life_expectancy"]
    table = pd.DataFrame({
        "population (m)": d["total_population"].values / 1e6,
        "births (k)": d["births"].sum("sex").values / 1e3,
        "deaths (k)": d["deaths"].sum(("sex", "age")).values / 1e3,
        "old-age dep. %": 100 * d["old_age_dependency_ratio"].values,  # ratios in percent, as in the report
        "e0 F": e.sel(sex="female", at_age=0).values,
        "e0 M": e.sel(sex="male", at_age=0).values,
        "e65 F": e.sel(sex="female", at_age=65).values,
        "e65 M": e.sel(sex="male", at_age=65).values,
    }, index=pd.Index(years, name="year"))
    case = assumptions.case
    head = f"{case.country} ({case.name}): demography, base year {case.base_year}, {case.horizon} years"
    return head + "\n" + table.to_string(float_format=lambda v: f"{v:,.2f}")


def pension_summary(tree: xr.DataTree) -> str:
    """Headline results of the pension valuation (percent in the report only)."""
    p = central(tree["pension"].to_dataset())
    years = summary_years(p["year"].values, steps=range(0, 1000, 10))
    d = p.sel(year=years)
    if p.attrs.get("design") == "defined_contribution":
        return accounts_summary(d) + ("\n" + transition_line(p) if "transition_year" in p.attrs else "")
    table = pd.DataFrame({
        "PAYG cost rate %": 100 * d["payg_cost_rate"].values,
        "contribution rate %": 100 * d["contribution_rate"].values,
        "reserve ratio (years)": d["reserve_ratio"].values,  # years of expenditure
        "system dep. %": 100 * d["system_dependency_ratio"].values,
        "avg replacement %": 100 * d["average_replacement_rate"].values,
        "expenditure % GDP": 100 * d["expenditure_gdp"].values,
    }, index=pd.Index(years, name="year"))
    gap = ", ".join(f"{int(h)} years {100 * float(v):.2f}%"
                    for h, v in zip(p["horizon"].values, p["general_average_premium"].values))
    k = p["general_average_premium"].attrs.get("target_reserve_ratio", 0.0)
    gap += f" (ending with a reserve of {k:g} x the last year's expenditure)" if k else " (no reserve at the end)"
    if p.attrs.get("design") == "notional":
        gap += "; NDC: the DB formula on the projected pensions, taken as given"
    depletion = p["depletion_year"].values
    depletion = "none within the horizon" if np.isnan(depletion) else str(int(depletion))
    lines = [
        f"General average premium: {gap}",
        f"Reserve depletion year: {depletion}",
    ]
    if "deficit_after_depletion_gdp" in p and float(p["deficit_after_depletion"].max()) > 0:
        deficit = p["deficit_after_depletion_gdp"]
        last = int(p["year"][-1])
        lines.append(f"Deficit after depletion (paid by the state; the reserve is floored at 0): "
                     f"{100 * float(deficit.sel(year=last)):.2f}% of GDP in {last}, "
                     f"{100 * float(p['deficit_after_depletion_rate'].sel(year=last)):.2f}% of insurable earnings")
    if p.attrs.get("design") == "points":
        lines.insert(0, f"Design: points (yield {100 * p.attrs['points_yield']:.3f}% of revalued earnings "
                        "per year, both values indexed to wages)")
    if p.attrs.get("design") == "notional":  # notional accounts (pension_ndc)
        br = p["balance_ratio"]
        lines.insert(0, f"Design: notional accounts; balance ratio (buffer fund + contribution asset) / "
                        f"liability: {float(br.min()):.4f} (lowest, years with pensions paid), "
                        f"{float(br[-1]):.4f} ({int(p['year'][-1])}); "
                        + p["notional_rate"].attrs["long_name"]
                        + (f"; {p.attrs['turnover_rule']}" if "turnover_rule" in p.attrs else ""))
    if "transition_year" in p.attrs:  # a reform between designs (pension.project_transition)
        lines.insert(0, transition_line(p))
    ss = p["steady_state_rate"]
    lines += [
        f"Steady-state contribution rate (CPP definition): {100 * float(ss):.2f}%, the "
        + ss.attrs.get("long_name", "").partition("): ")[2],
        f"Actuarial balance over 75 years: {100 * float(p['actuarial_balance']):.2f}% of insurable earnings",
        f"Accrued-to-date liability: {100 * float(p['accrued_liability_gdp']):.1f}% of GDP "
        + ("(notional capital + pensions x divisors)" if p.attrs.get("design") == "notional" else
           "(generational mortality, with contingent survivors' pensions)"),
    ]
    return ("Pension scheme (reserve ratio: reserve at 1 January / expenditure of the year before, in years of "
            "expenditure)\n"
            + table.to_string(float_format=lambda v: f"{v:,.2f}", na_rep="-") + "\n" + "\n".join(lines))


def transition_line(p: xr.Dataset) -> str:
    """A reform between designs (``pension.project_transition``): the DB legacy's cost."""
    if p.attrs.get("transition_from") == "defined_contribution":
        return accounts_legacy_line(p)
    leg = p["legacy_deficit_after_depletion_gdp"]
    worst = int(leg["year"][int(np.argmax(leg.values))])
    dep = p["legacy_depletion_year"].values
    year = int(p.attrs["transition_year"])
    what = ("pensions in payment at the valuation date" if year <= int(p["year"][0])
            else f"pensions in payment in {year}; the insured's rights converted"
            if p.attrs["accrued_rights"] == "converted" else f"rights accrued to {year - 1} (kept)")
    line = (f"Transition in {year} to {p.attrs['design']}: the DB legacy ({what}) spends "
            f"{100 * float(p['legacy_expenditure_gdp'].max()):.2f}% of GDP at most; its reserve "
            + ("lasts" if np.isnan(dep) else f"is exhausted in {int(dep)}")
            + f"; the state pays its deficit, {100 * float(leg.max()):.2f}% of GDP at most ({worst})")
    if "legacy_option_cost_gdp" in p:  # transition.legacy_option (pension_option), e.g. Mexico's Ley 73
        c = p["legacy_option_cost_gdp"].transpose(..., "year").values.reshape(-1, p.sizes["year"])[0]
        line += (f"\nTransition generation's option (the old law's pension at retirement, the state receiving the "
                 f"account's balance): {100 * c.max():.2f}% of GDP at most ({int(p['year'][int(np.argmax(c))])}), "
                 f"net of the top-ups it replaces")
    if "converted_points_total" in p:  # converted into points (pension.points_conversion_variables)
        total = float(p["converted_points_total"].values.ravel()[0])
        line += (f"\nAccrued DB rights converted on 1 January {year}: {total:,.0f} "
                 f"points at a point value of {float(p['conversion_point_value'].values.ravel()[0]):,.2f}, "
                 + p["converted_points"].attrs["long_name"].split(": ", 1)[1])
    if "conversion_value" in p:  # accrued_rights: converted (pension.conversion_variables)
        line += (f"\nAccrued DB rights converted on 1 January {year}: {float(p['conversion_value'].values.ravel()[0]):,.0f} "
                 f"({100 * float(p['conversion_value_gdp'].values.ravel()[0]):.1f}% of GDP), "
                 + p["converted_capital"].attrs["long_name"].split(": ", 1)[1])
    return line


def accounts_legacy_line(p: xr.Dataset) -> str:
    """A DC scheme turned into DB (``pension.project_from_accounts``): the DC legacy and the transfer."""
    year = int(p.attrs["transition_year"])
    first = lambda name: p[name].transpose(..., "year").values.reshape(-1, p.sizes["year"])[0]  # noqa: E731
    bal = first("legacy_reserve_gdp")
    k = min(max(year - int(p["year"][0]), 0), bal.size - 1)
    what = ("the insured's balances transferred to the DB reserve, the DC pensions in payment paid by the insurers"
            if p.attrs["accrued_rights"] == "converted" else "accounts frozen, paid out at retirement by the DC rules")
    top = first("state_top_up_gdp")
    held = (";" if p.attrs["accrued_rights"] == "converted" else
            f" holds {100 * bal[k]:.1f}% of GDP in {int(p['year'][k])};")
    line = (f"Transition in {year} from defined_contribution to {p.attrs['design']}: the DC legacy ({what}){held} "
            f"the state's top-ups to its minimum pension {100 * top.max():.2f}% of GDP at most")
    if "transferred_balance_gdp" in p:
        line += (f"\nDC balances transferred to the DB reserve on 1 January {year}: "
                 f"{float(p['transferred_balance_total'].values.ravel()[0]):,.0f} "
                 f"({100 * float(p['transferred_balance_gdp'].values.ravel()[0]):.1f}% of GDP), the insured credited "
                 f"in the DB scheme as if always insured (Argentina, Ley 26.425 of 2008)")
    return line


def accounts_summary(d: xr.Dataset) -> str:
    """Headline results of a defined-contribution design (``pension_dc``), on the summary years."""
    table = pd.DataFrame({
        "balances % GDP": 100 * d["reserve_gdp"].values,
        "fees % contrib.": 100 * d["fees"].sum("sex").values / d["contribution_income"].values,
        "annuitised RR F %": 100 * d["annuitised_replacement_rate"].sel(sex="female").values,
        "annuitised RR M %": 100 * d["annuitised_replacement_rate"].sel(sex="male").values,
        "state top-up % GDP": 100 * d["state_top_up_gdp"].values,
    }, index=pd.Index(d["year"].values, name="year"))
    return ("Pension scheme: individual accounts (annuitised replacement rate: annuity the whole balance buys "
            "/ average insurable wage, by year of retirement; state top-up: the minimum-pension guarantee)\n"
            + table.to_string(float_format=lambda v: f"{v:,.2f}", na_rep="-"))


def injury_summary(tree: xr.DataTree) -> str:
    """Headline results of the employment-injury valuation."""
    e = central(tree["employment_injury"].to_dataset())
    years = summary_years(e["year"].values, steps=range(0, 1000, 10))
    d = e.sel(year=years)
    rates = d["cost_rate"]
    table = pd.DataFrame({
        "claims": d["claims"].sum(("sector", "claim_type")).values,
        "pensioners": d["beneficiaries"].sum(("benefit_type", "sex")).values,
        "PAYG %": 100 * rates.sel(financing_method="payg").values,
        "const. capitals %": 100 * rates.sel(financing_method="constituent_capitals").values,
        "GAP %": 100 * rates.sel(financing_method="gap").values,
        "reserve / liability": d["funded_ratio"].values,
        "expenditure % GDP": 100 * d["expenditure_gdp"].values,
    }, index=pd.Index(years, name="year"))
    method = e.attrs.get("financing_method", "")
    first = e["sector_rate"].isel(year=0)
    sectors = pd.DataFrame({f"rate {int(e['year'][0])} %": 100 * first.values},
                           index=pd.Index(e["sector"].values, name="sector"))
    uniform = 100 * float(e["contribution_rate"].isel(year=0))
    return (f"Employment injury (financing: {method.replace('_', ' ')}; cost rates in % of insurable payroll)\n"
            + table.to_string(float_format=lambda v: f"{v:,.2f}")
            + f"\nContribution rate by risk class (uniform rate {uniform:.2f}%)\n"
            + sectors.to_string(float_format=lambda v: f"{v:,.2f}"))


def spf_summary(tree: xr.DataTree) -> str:
    """Cost of each benefit and of the package (% of GDP, % of government
    expenditure) and the coverage indicators, at 5-year steps up to 25 years."""
    s = central(tree["spf"].to_dataset())
    chosen = [y for y in tree["spf"].attrs.get("report_years", []) if y in set(s["year"].values.tolist())]
    years = chosen or summary_years(s["year"].values, steps=(0, 5, 10, 15, 20, 25))
    d = s.sel(year=years)
    rows = {}
    for b in d["benefit"].values:
        one = d.sel(benefit=b).sum("sex")
        rows[f"{b}: beneficiaries (k)"] = one["beneficiaries"].values / 1e3
        rows[f"{b}: cost (m)"] = one["cost"].values / 1e6
        rows[f"{b}: % GDP"] = 100 * one["cost_gdp"].values
        rows[f"{b}: % spending"] = 100 * one["cost_government_expenditure"].values
    rows["package: cost (m)"] = d["package_cost"].values / 1e6
    rows["package: % GDP"] = 100 * d["package_cost_gdp"].values
    rows["package: % spending"] = 100 * d["package_cost_government_expenditure"].values
    cost = pd.DataFrame(rows, index=pd.Index(years, name="year"))
    cover = (100 * d["coverage"].sel(year=years[-1])).to_pandas()
    text = ("Social protection floor (currency in millions)\n"
            + cost.T.to_string(float_format=lambda v: f"{v:,.2f}")
            + f"\nCoverage in {years[-1]}: SDG indicator 1.3.1 (% of each group)\n"
            + cover.to_string(float_format=lambda v: f"{v:,.1f}", na_rep="-"))
    if "indicator_definition" in s.coords:
        text += "".join(f"\n  {i}: {dfn}" for i, dfn in zip(s["indicator"].values, s["indicator_definition"].values))
        text += f"\n  ({s['coverage'].attrs.get('overlap_rule', '')})"
        above = s["coverage"].attrs.get("cells_above_population", 0)
        if above:
            text += (f"\n  In {above} (year, sex, age) cells the scheme's insured and pensioners outnumber the "
                     f"population ({s['coverage'].attrs['persons_above_population']:,.0f} persons over all years)")
    target = s["coverage_target"]
    if bool(target.notnull().any()):
        rows = []
        for name in target["indicator"].values:
            path = target.sel(indicator=name)
            for year in path["year"].values[path.notnull().values]:
                if _is_anchor(path, year):
                    cov = s["coverage"].sel(indicator=name, year=year)
                    rows.append({"indicator": name, "year": int(year), "target %": 100 * float(path.sel(year=year)),
                                 "women %": 100 * float(cov.sel(sex="female")),
                                 "men %": 100 * float(cov.sel(sex="male"))})
        text += "\nCoverage against targets\n" + pd.DataFrame(rows).to_string(
            index=False, float_format=lambda v: f"{v:,.1f}", na_rep="-")
    if s.sizes.get("check", 0):
        checks = pd.DataFrame({
            "convention": s["convention"].values, "benefit": s["standard_benefit"].values,
            "scheme": s["scheme"].values, "level %": 100 * s["standard_level"].values,
            "minimum %": 100 * s["standard_minimum"].values,
            "result": np.where(s["standard_check"].values, "meets", "falls short"),
            "compared with": [f"{c} {a}" for c, a in zip(s["convention"].values, s["article"].values)]
            if "article" in s.coords else s["reference"].values})
        text += ("\nILO minimum standards (base year; flat benefits against the average wage)\n"
                 + checks.to_string(index=False, float_format=lambda v: f"{v:,.1f}"))
        if s["standard_check"].attrs.get("not_compared"):
            text += "\nNot compared: " + s["standard_check"].attrs["not_compared"]
    return text


def distribution_summary(tree: xr.DataTree) -> str:
    """Poverty (headcount by line) and Gini without and with the spf benefits,
    and the survey cost beside the costing, for each result year."""
    d = tree["distribution"].to_dataset()
    rows = {}
    for year in d["year"].values:
        one = d.sel(year=year, group="all")
        row = {f"poor % ({line})": 100 * one["poverty_headcount"].sel(line=line).values for line in d["line"].values}
        row["Gini x 100"] = 100 * one["gini"].values
        for key, values in row.items():
            for state, v in zip(d["benefits"].values, values):
                rows.setdefault(f"{key} {state}", {})[int(year)] = float(v)
        rows.setdefault("survey cost (m)", {})[int(year)] = float(one["survey_cost"].sum()) / 1e6
        rows.setdefault("costing cost (m)", {})[int(year)] = float(one["costing_cost"].sum()) / 1e6
    table = pd.DataFrame(rows).T
    return (f"Poverty and inequality on the survey ({d.attrs.get('households', '?')} households; welfare per "
            f"person, {d.attrs.get('equivalence_scale', '').replace('_', ' ')} scale; {d.attrs.get('take_up')} "
            f"take-up; currency in millions)\n" + table.to_string(float_format=lambda v: f"{v:,.2f}"))


def _is_anchor(path: xr.DataArray, year) -> bool:
    """First or last year of a target path, or a kink in it (an interim target)."""
    years = path["year"].values[path.notnull().values]
    if year in (years[0], years[-1]):
        return True
    i = int(np.searchsorted(years, year))
    values = path.sel(year=years).values
    return 0 < i < len(years) - 1 and not np.isclose(values[i] - values[i - 1], values[i + 1] - values[i])


def stochastic_summary(tree: xr.DataTree) -> str:
    """The ``/stochastic`` node: scenarios and seed, each headline's 5th, 50th
    and 95th percentiles, mean and share of scenarios past its threshold, and
    the probability that the reserve is depleted by a few years."""
    from actuarial.report import stochastic as st

    ds = tree[st.NODE].to_dataset()
    table = st.headline_table(ds)
    lines = [f"Stochastic valuation: {st.run_text(ds.attrs)} (distributions across the scenarios)"]
    if len(table):
        shown = st.shown_levels([c[1:] for c in table.columns if c.startswith("p") and c[1:].isdigit()])
        text = st.display_table(table, shown).drop(columns="threshold")
        lines.append(text.to_string())
        rules = {}
        for name, rule, t, u in zip(table["headline"], table["threshold rule"], table["threshold"], table["units"]):
            if rule:  # one line per headline (its coordinates share the rule)
                shown_t = t if isinstance(t, str) else st.display(t, u)
                shown_t = "" if shown_t in rule else f" ({shown_t})"
                rules.setdefault(f"{st.LABELS.get(name, name)}: {rule}{shown_t}", 0)
        if rules:
            lines.append("Share past threshold:" + "".join(f"\n  {r}" for r in rules))
        if "depletion_year" in set(table["headline"]):
            lines.append('Depletion year percentiles: "never" where the percentile falls among the scenarios '
                         "whose reserve lasts the horizon")
    points = st.depletion_points(ds)
    if points:
        text = ", ".join(f"{y} {100 * p:.1f}%" for y, p in points)
        never = ds.get("depletion_never_share")
        lines.append(f"Probability that the reserve is depleted by: {text}"
                     + (f"; never within the horizon: {100 * float(never):.1f}% of scenarios"
                        if never is not None else ""))
    return "\n".join(lines)
