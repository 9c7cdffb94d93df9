"""Checks of each stage's results before the next stage reads them.

``check_stage(path, ds, assumptions)`` raises a ``StageCheckError`` (an
``AssumptionError``: the CLI prints it and exits 2) naming the stage, the
variable, the first offending coordinate and, where it can be traced, the
assumption that caused it, when a result is

- not finite (NaN only where a variable documents it: a first-year ratio,
  "never depleted", a coverage series without a denominator; +inf only for
  a reserve ratio to no expenditure);
- negative although it is a stock (population, insured, pensioners,
  reserve: the pension reserve is floored at 0) or a flow that cannot be
  (births, deaths, benefits, contributions);
- a cost or contribution rate outside [0, 1] (PAYG cost rate, general
  average premium, the injury scheme's cost and contribution rates).

It returns the stage's plausibility warnings (magnitudes no real scheme
has, which do not stop the run), one string each.

The checks are vectorised: a sum and a minimum per variable, the
element-wise search only when one of them fails, so a 250-scenario chunk
costs a few milliseconds.

``check_memory`` bounds ``stochastic.chunk`` and ``--scenarios`` by an
estimate of memory per scenario before a stochastic run starts.
"""

from __future__ import annotations

import os

import numpy as np
import xarray as xr

from actuarial.errors import AssumptionError


class StageCheckError(AssumptionError):
    """A stage's results fail a check: names the stage, variable and first coordinate."""

    def __init__(self, file, key: str, expected: str, stage: str = "", variable: str = "", where: dict | None = None):
        super().__init__(file, key, expected)
        self.stage = stage
        self.variable = variable
        self.where = where or {}


# variables where NaN is a documented value ("none"), not a failure; infinities still fail
NAN_OK = {
    "pension": {"reserve_ratio", "depletion_year", "steady_state_rate", "actuarial_balance",
                "summarized_income_rate", "summarized_cost_rate", "pv_insurable_earnings", "pv_contributions",
                "pv_expenditure", "replacement_rate", "average_replacement_rate", "scaled_premium",
                "deficit_after_depletion_rate", "average_insurable_wage",
                # NDC: no turnover duration in a year without pensions paid (pension_ndc)
                "balance_ratio", "turnover_duration", "contribution_asset", "turnover_duration_measured"},
    "employment_injury": {"funded_ratio"},
    "spf": {"coverage", "coverage_target", "coverage_gap"},
    # S2 is not defined when r <= g in the last year (the infinite sum diverges; its label says so)
    "fiscal_space": {"sustainability_gap", "sustainability_gap_component", "sustainability_gap_ageing",
                     # debt-profile indicators not given, or without a benchmark (their label says so)
                     "debt_profile_value", "debt_profile_lower", "debt_profile_upper", "debt_profile_risk"},
    # a group without persons in a decile (e.g. no urban household among the poorest 10%): NaN there
    "distribution": {"decile_mean_welfare", "benefit_receipt", "coverage", "incidence", "incidence_poorest_20",
                     "poverty_headcount", "poverty_gap", "poverty_severity", "gini", "theil", "palma", "lorenz",
                     "mean_welfare", "coverage_total"},
}

# ratios to a flow that may be 0 (a scheme with no expenditure): +inf is their value then
INF_OK = {"pension": {"reserve_ratio"}, "employment_injury": {"funded_ratio"}}

# stocks and flows that cannot be negative, by stage
NON_NEGATIVE = {
    "demography": ("population", "total_population", "births", "deaths", "death_probability",
                   "life_expectancy", "unrealised_emigration", "total_fertility_rate"),
    "economy": ("gdp", "average_wage", "price_index", "government_expenditure", "government_expenditure_gdp"),
    "labour": ("participation_rate", "labour_force", "employed", "contributors", "density"),
    "pension": ("contributors", "inactive_insured", "pensioners", "pensioners_total", "pension_amounts",
                "new_pensioners", "new_pension_amounts", "insurable_earnings", "benefit_expenditure",
                "lump_sums", "contribution_income", "administrative_expenses", "expenditure", "reserve",
                "reserve_end", "deficit_after_depletion", "system_dependency_ratio", "expenditure_gdp",
                "accrued_liability", "accrued_liability_pensioners", "accrued_liability_insured"),
    "employment_injury": ("insured", "insurable_payroll", "insurable_earnings", "claims", "beneficiaries",
                          "pension_amounts", "new_beneficiaries", "new_pension_amounts", "deaths_beneficiaries",
                          "leavers", "expenditure", "total_expenditure", "capitalised_awards", "liability",
                          "liability_end", "contribution_income", "expenditure_gdp"),
    "spf": ("beneficiaries", "eligible", "monthly_level", "cost", "cost_gdp", "cost_government_expenditure",
            "package_cost", "package_cost_gdp", "package_cost_government_expenditure"),
    "distribution": ("survey_benefits", "survey_cost", "costing_cost", "survey_population", "poverty_line"),
    "fiscal_space": ("gdp", "financing", "financing_amount", "capacity", "cost_gdp"),
}

# cost and contribution rates: shares of insurable earnings in [0, 1]
UNIT_RATES = {
    "pension": ("payg_cost_rate",),
    "employment_injury": ("contribution_rate", "sector_rate"),
}

# premiums: at most 1 (below 0 when the initial reserve exceeds the horizon's cost net of
# contributions, as Demoland's 7 years of reserve over a 5-year horizon)
# (the injury scheme's cost rates include its GAP)
AT_MOST_ONE = {"pension": ("general_average_premium", "scaled_premium"), "employment_injury": ("cost_rate",)}

# must be > 0: a scheme without any insurable earnings has no cost rate (checked first)
POSITIVE = {"pension": ("insurable_earnings",), "employment_injury": ("insurable_earnings",)}

# the assumption a failure of (stage, variable) traces back to
CAUSES = {
    ("demography", "births"): "demography.fertility",
    ("demography", "total_fertility_rate"): "demography.fertility",
    ("demography", "population"): "demography.migration",
    ("demography", "total_population"): "demography.migration",
    ("demography", "deaths"): "demography.mortality",
    ("demography", "death_probability"): "demography.mortality",
    ("demography", "life_expectancy"): "demography.mortality",
    ("economy", "gdp"): "economy.real_gdp_growth, economy.inflation",
    ("economy", "average_wage"): "economy.real_wage_growth, economy.inflation",
    ("economy", "price_index"): "economy.inflation",
    ("economy", "government_expenditure"): "economy.government_expenditure_gdp",
    ("labour", "employed"): "labour.unemployment",
    ("labour", "contributors"): "labour.coverage",
    ("pension", "insurable_earnings"): "labour.coverage",
    **{("pension", name): "pension.initial" for name in (
        "pensioners", "pensioners_total", "pension_amounts", "new_pensioners", "new_pension_amounts",
        "inactive_insured", "benefit_expenditure", "expenditure")},
    ("pension", "payg_cost_rate"): "labour.coverage, pension.initial",
    ("pension", "system_dependency_ratio"): "labour.coverage",
    ("pension", "general_average_premium"): "pension.initial, economy.discount_rate, "
                                            "economy.inflation",
    ("employment_injury", "insurable_earnings"): "employment_injury.coverage, labour.coverage",
    ("demography", "old_age_dependency_ratio"): "demography.fertility, demography.migration",
    ("demography", "child_dependency_ratio"): "demography.fertility, demography.migration",
    ("employment_injury", "cost_rate"): "economy.discount_rate, employment_injury.sectors",
    ("employment_injury", "contribution_rate"): "economy.discount_rate, employment_injury.sectors",
    ("employment_injury", "sector_rate"): "economy.discount_rate, employment_injury.sectors",
}

# plausibility warnings: (stage, variable, test, threshold, text); a warning names the first year
PLAUSIBILITY = (
    ("spf", "package_cost_gdp", ">", 0.20, "the SPF package costs more than 20% of GDP"),
    ("spf", "package_cost_government_expenditure", ">", 1.0,
     "the SPF package costs more than all government spending"),
    ("pension", "expenditure_gdp", ">", 0.25, "pension expenditure is above 25% of GDP"),
    ("pension", "system_dependency_ratio", "<", 0.02,
     "the system dependency ratio (pensioners / active insured) is below 0.02"),
    ("pension", "steady_state_rate", ">", 0.50, "the steady-state contribution rate is above 50%"),
    ("pension", "steady_state_rate", "<", 0.0, "the steady-state contribution rate is negative"),
    ("employment_injury", "expenditure_gdp", ">", 0.05, "employment injury expenditure is above 5% of GDP"),
    ("demography", "total_fertility_rate", ">", 8.0, "the total fertility rate is above 8"),
)


def _where(da: xr.DataArray, flat: int, first_scenario: int = 0) -> dict:
    """The coordinates of element ``flat`` of ``da`` (scenarios numbered from ``first_scenario``)."""
    index = np.unravel_index(flat, da.shape)
    out = {}
    for dim, i in zip(da.dims, index):
        value = da[dim].values[i] if dim in da.coords else i
        if dim == "scenario":
            value = first_scenario + int(i)
        out[dim] = value.item() if hasattr(value, "item") else value
    return out


def _describe(where: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in where.items()) or "the only value"


def _fail(source, stage: str, name: str, da: xr.DataArray, bad: np.ndarray, problem: str, expected: str,
          first_scenario: int, ds: xr.Dataset | None = None) -> StageCheckError:
    flat = int(np.argmax(bad.ravel()))
    where = _where(da, flat, first_scenario)
    value = da.values.ravel()[flat]
    count = int(bad.sum())
    cause = _cause(stage, name, ds, where)
    more = f" (and {count - 1} more cell{'s' if count > 2 else ''})" if count > 1 else ""
    text = (f"the {stage} stage's {name} is {problem} ({value:.4g}) at {_describe(where)}{more}; expected {expected}"
            f"{f': check {cause}' if cause else ''}")
    key = cause if cause and "," not in cause else f"stage {stage}"
    return StageCheckError(source, key, text,
                           stage=stage, variable=name, where=where)


def _cause(stage: str, name: str, ds: xr.Dataset | None, where: dict) -> str | None:
    """The assumption(s) a failure traces back to (``CAUSES``); a population that turns
    negative after negative births (not before) is fertility's, else migration's."""
    if stage == "demography" and name in ("population", "total_population") and ds is not None \
            and "births" in ds and "year" in where:
        first = {}
        for var in ("births", "population"):
            if var in ds:
                da = ds[var]
                negative = (da < 0).any([d for d in da.dims if d != "year"]).values
                if negative.any():
                    first[var] = da["year"].values[int(np.argmax(negative))]
        if "births" in first and first["births"] < first.get("population", where["year"]):
            return "demography.fertility"
    return CAUSES.get((stage, name))


def check_stage(path: str, ds: xr.Dataset, source=None, first_scenario: int = 0) -> list[str]:
    """Raise ``StageCheckError`` if the stage's results fail a check; return its plausibility warnings."""
    stage = path.strip("/")
    nan_ok = NAN_OK.get(stage, set())
    non_negative = set(NON_NEGATIVE.get(stage, ()))
    unit = set(UNIT_RATES.get(stage, ()))
    at_most_one = set(AT_MOST_ONE.get(stage, ()))
    for name in POSITIVE.get(stage, ()):
        if name in ds and not (ds[name].values > 0).all():
            da = ds[name]
            raise _fail(source, stage, name, da, ~(da.values > 0), "not positive",
                        "insurable earnings > 0 in every year (contributors)", first_scenario)
    for name in sorted(ds.data_vars, key=lambda n: n != "population"):  # the cell before the total
        x = ds.variables[name].values  # no DataArray per variable (issue 17); ds[name] only to report
        if x.dtype.kind != "f" or x.size == 0:
            continue
        if name in INF_OK.get(stage, ()):
            continue
        allow_nan = name in nan_ok
        checked_nan = allow_nan and name in unit | non_negative  # NaN left in: use the nan-aware reductions
        total = np.nansum(x) if allow_nan else x.sum()
        if not np.isfinite(total):  # a sum is finite iff every term is (or it overflowed: looked at below)
            bad = np.isinf(x) if allow_nan else ~np.isfinite(x)
            if bad.any():
                raise _fail(source, stage, name, ds[name], bad, "not finite", "a finite number", first_scenario, ds)
        if name in at_most_one:
            if np.fmax.reduce(x, axis=None) > 1:  # fmax skips NaN (all NaN: NaN, no warning)
                raise _fail(source, stage, name, ds[name], x > 1, "above 1",
                            "a rate of insurable earnings of at most 1", first_scenario)
            continue
        if name not in unit and name not in non_negative:
            continue
        low = np.fmin.reduce(x, axis=None) if checked_nan else x.min()
        if name in unit:
            if low < 0 or (np.fmax.reduce(x, axis=None) if checked_nan else x.max()) > 1:
                raise _fail(source, stage, name, ds[name], (x < 0) | (x > 1), "outside [0, 1]",
                            "a rate of insurable earnings between 0 and 1", first_scenario)
        elif low < 0:
            tol = -1e-9 * max(float(np.fmax.reduce(np.abs(x), axis=None)), 1.0)  # not rounding
            if low < tol:
                raise _fail(source, stage, name, ds[name], x < tol, "negative",
                            "a value >= 0 (a stock or a flow that cannot be negative)", first_scenario, ds)
    return plausibility(stage, ds)


def plausibility(stage: str, ds: xr.Dataset) -> list[str]:
    """The warnings of ``PLAUSIBILITY`` the stage's results raise, each once, naming the first year."""
    out = []
    for node, name, test, threshold, text in PLAUSIBILITY:
        if node != stage or name not in ds:
            continue
        x = ds.variables[name].values  # the DataArray only to report
        bad = (x > threshold) if test == ">" else (x < threshold)
        if bad.any():
            where = _where(ds[name], int(np.argmax(bad.ravel())))
            where.pop("scenario", None)
            value = x.ravel()[int(np.argmax(bad.ravel()))]
            out.append(f"{stage}: {text} ({name} {value:.4g} at {_describe(where)}): "
                       f"no real scheme has this; check the assumptions")
    return out


# -- memory of stochastic runs --------------------------------------------------

# arrays of (year, sex, age) doubles alive per scenario during stages(): measured peak RSS on
# Demoland (101 years): 5.4 MiB a scenario between chunks of 250 and 500, i.e. about 34 arrays;
# 40 leaves a margin
ARRAYS_PER_SCENARIO = 40
# summaries kept for every scenario: ~22 (scenario, year) arrays (the paths, life expectancy by sex
# and age, injury cost rates by method, the headlines), with copies
SUMMARY_ARRAYS = 48


def scenario_bytes(n_years: int) -> int:
    """Estimated peak memory of one scenario in a chunk: ``ARRAYS_PER_SCENARIO`` x years x 2 x 101 x 8 bytes."""
    return ARRAYS_PER_SCENARIO * n_years * 2 * 101 * 8


def available_memory() -> int:
    """Bytes the process may use: MemAvailable (/proc/meminfo), capped by a cgroup limit."""
    avail = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    avail = int(line.split()[1]) * 1024
    except OSError:
        pass
    if avail is None:
        try:
            avail = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            return 1 << 62  # unknown: do not refuse
    try:
        with open("/sys/fs/cgroup/memory.max") as f:
            limit = f.read().strip()
        if limit.isdigit():
            avail = min(avail, int(limit))
    except OSError:
        pass
    return avail


def check_memory(source, chunk: int, scenarios: int, n_years: int, workers: int = 1,
                 memory: int | None = None) -> None:
    """Refuse a stochastic run whose chunks (``workers`` at once) or summaries need more than
    half the available memory; the message says what fits."""
    budget = (available_memory() if memory is None else memory) // 2
    per = scenario_bytes(n_years)
    chunk = min(chunk, scenarios)
    mib = 1 << 20
    need = per * chunk * workers
    if need > budget:
        fits = max(budget // (per * workers), 1)
        raise AssumptionError(source, "stochastic.chunk",
                              f"{chunk} scenarios at once need about {need / mib:,.0f} MiB "
                              f"({per / mib:.1f} MiB a scenario over {n_years} years"
                              f"{f', {workers} workers' if workers > 1 else ''}), more than half the "
                              f"{2 * budget / mib:,.0f} MiB available: set chunk to {fits} or less")
    summaries = SUMMARY_ARRAYS * n_years * 8 * scenarios
    if summaries > budget:
        fits = max(budget // (SUMMARY_ARRAYS * n_years * 8), 1)
        raise AssumptionError(source, "--scenarios",
                              f"{scenarios} scenarios keep about {summaries / mib:,.0f} MiB of summaries, "
                              f"more than half the {2 * budget / mib:,.0f} MiB available: "
                              f"at most {fits} scenarios fit")
