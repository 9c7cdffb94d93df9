"""The declarative assumption schema (``actuarial.schema``): the generated
reference and JSON Schema are current, the JSON Schema agrees with the
loader on shipped and broken files, values carry their sources, and the
toolkit sits below both packages in the import graph."""

from __future__ import annotations

import ast
import math
import dataclasses
from pathlib import Path

import jsonschema
import pytest
import yaml

from actuarial.assumptions import load_assumptions
from actuarial.assumptions import reference
from actuarial.assumptions.model import SECTION_ORDER
from actuarial.errors import AssumptionError
from actuarial.schema import SECTIONS, split_sources
from actuarial.schema.describe import rows
from actuarial.schema.section import hints, is_named, nested
from actuarial.schema.loader import load_tree
from cli_helpers import run_cli
from fiscal_space.options import pick_option

ROOT = Path(__file__).resolve().parents[1]
# the repository's generated files (the tests may run on an installed, non-editable package)
REFERENCE_FILE = ROOT / "docs" / "parameters.md"
SCHEMA_FILE = ROOT / "actuarial" / "schema" / "assumptions.schema.json"
SHIPPED = sorted(p for p in (ROOT / "assumptions").glob("*.yaml")
                 if "demography" in load_tree(p)[0])  # assumption files (not grids, not standalone fiscal)
# every shipped assumption file (a standalone fiscal_space file too)
SHIPPED_ALL = sorted(p for p in (ROOT / "assumptions").glob("*.yaml") if "case" in load_tree(p)[0])
DEMOLAND = ROOT / "assumptions" / "demoland.yaml"


def _jsonable(node):
    """YAML's integer keys (anchor years) as JSON's text keys."""
    if isinstance(node, dict):
        return {str(k): _jsonable(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_jsonable(v) for v in node]
    return node


@pytest.fixture(scope="module")
def validator():
    return jsonschema.Draft202012Validator(reference.json_schema())


# -- generated files are current ----------------------------------------------------------

def test_reference_is_current():
    assert REFERENCE_FILE.read_text(encoding="utf-8") == reference.reference_text(), \
        "regenerate: actuarial assumptions reference -o docs/parameters.md"


def test_json_schema_is_current():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == reference.schema_text(), \
        "regenerate: actuarial assumptions schema -o actuarial/schema/assumptions.schema.json"


def test_json_schema_is_a_valid_schema():
    jsonschema.Draft202012Validator.check_schema(reference.json_schema())


def test_the_commands_print_what_the_files_hold(capsys):
    code, out, _ = run_cli(["assumptions", "reference"])
    assert code == 0 and out == REFERENCE_FILE.read_text(encoding="utf-8")
    code, out, _ = run_cli(["assumptions", "describe", "economy.inflation", "--file", str(DEMOLAND)])
    assert code == 0
    assert "Consumer price inflation" in out and "per year" in out and "[-0.5, 1.0]" in out
    assert "in file" in out and "2025" in out
    code, out, err = run_cli(["assumptions", "describe", "economy.inflatio"])
    assert code == 2 and "did you mean 'inflation'" in out + err


# -- the reference covers every key -------------------------------------------------------------

# sections still parsed imperatively on this branch (declared by another branch); empty this
# set once they are declared: every section of SECTION_ORDER is then checked key by key
PENDING: set = set()


def _key_paths(cls, node: dict, prefix: str):
    """Every key path of ``node`` (a mapping of section ``cls``) down to the declared values:
    nested sections are entered, a {name: item} mapping's entries too (named ``<name>``)."""
    for key, value in node.items():
        name = f"{prefix}.{key}"
        if key not in hints(cls):
            yield name  # unknown: not in the reference, the test fails on it
            continue
        inner = nested(cls, key)
        if inner is not None and is_named(cls, key) and isinstance(value, dict):
            for entry in value.values():
                if isinstance(entry, dict):
                    yield from _key_paths(inner, entry, f"{name}.<name>")
        elif inner is not None and isinstance(value, dict):
            yield from _key_paths(inner, value, name)
        else:
            yield name


def test_every_section_is_declared_or_pending():
    assert set(SECTION_ORDER) - set(SECTIONS) <= PENDING, set(SECTION_ORDER) - set(SECTIONS)


@pytest.mark.parametrize("path", SHIPPED_ALL, ids=[p.name for p in SHIPPED_ALL])
def test_every_key_of_a_shipped_file_is_in_the_reference(path):
    """Every key of every shipped file (after ``extends:``), nested ones included, is a row of
    docs/parameters.md."""
    text = reference.reference_text()
    rows_text = {line.split(" | ")[0].strip("| `") for line in text.splitlines() if line.startswith("| `")}
    data = split_sources(*load_tree(path))[0]
    for key, value in data.items():
        if key == "extends" or key in PENDING - set(SECTIONS):
            continue
        assert f"## `{key}`" in text and key in SECTIONS, f"{key} of {path.name}"
        for name in _key_paths(SECTIONS[key], value, key):
            assert name in rows_text or name.replace(".<name>", "") in rows_text, f"{name} of {path.name}"
    for key in SECTION_ORDER:
        assert f"## `{key}`" in text


def test_every_declared_key_has_a_description():
    for key, cls in SECTIONS.items():
        for name, param, _ in rows(cls):
            assert param is not None and param.description and param.expected, f"{key}.{name}"


# -- the JSON Schema agrees with the loader ---------------------------------------------------

@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_json_schema_validates_every_shipped_file(path, validator):
    data = load_tree(path)[0]  # after extends:
    errors = [e.message for e in validator.iter_errors(_jsonable(data))]
    assert not errors, errors


def _set(path: str, value):
    def mutate(d):
        *parents, last = path.split(".")
        node = d
        for p in parents:
            node = node[p]
        if value is KeyError:
            del node[last]
        else:
            node[last] = value
    return mutate


def _rename(section, old, new):
    def mutate(d):
        d[section][new] = d[section].pop(old)
    return mutate


SCHEMA_ERRORS = [
    ("case_typo", _rename("case", "base_year", "base_yaer"), "case.base_year"),
    ("case_text_year", _set("case.base_year", "twenty twenty-five"), "case.base_year"),
    ("case_bad_name", _set("case.name", "../escaped"), "case.name"),
    ("case_horizon_zero", _set("case.horizon", 0), "case.horizon"),
    ("case_missing", _set("case", KeyError), "case"),
    ("economy_unknown_key", _set("economy.inflatio", 0.03), "economy.inflatio"),
    ("economy_gdp_missing", _set("economy.gdp", KeyError), "economy.gdp"),
    ("economy_rate_too_high", _set("economy.inflation", {2025: 7}), "economy.inflation.2025"),
    ("economy_text_rate", _set("economy.interest_rate", "5%"), "economy.interest_rate"),
    ("economy_empty_series", _set("economy.inflation", {}), "economy.inflation"),
    ("economy_source_typo", _set("economy.gdp", {"value": 3e13, "sorce": "WEO"}), "economy.gdp"),
]


@pytest.mark.parametrize(("mutate", "key"), [pytest.param(m, k, id=i) for i, m, k in SCHEMA_ERRORS])
def test_loader_and_json_schema_both_reject_a_schema_error(tmp_path, validator, mutate, key):
    data = yaml.safe_load(DEMOLAND.read_text())
    mutate(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert list(validator.iter_errors(_jsonable(data))), "the JSON Schema accepts it"
    with pytest.raises(AssumptionError) as info:
        load_assumptions(path)
    assert info.value.file == str(path.resolve()) or info.value.file == str(path)
    assert info.value.key == key, str(info.value)


# -- values with their sources ----------------------------------------------------------------

def test_values_carry_their_sources(tmp_path):
    child = tmp_path / "sourced.yaml"
    child.write_text(f'extends: "{DEMOLAND}"\n'
                     'economy:\n'
                     '  gdp: {value: 3.0e13, source: "IMF WEO October 2025"}\n'
                     '  inflation: {2025: {value: 0.06, source: "central bank"}, 2030: 0.04, 2035: 0.03}\n'
                     'case: {horizon: {value: 100, source: "ILO practice"}}\n')
    plain = load_assumptions(DEMOLAND)
    a = load_assumptions(child)
    assert a.economy == plain.economy and a.case == plain.case
    assert a.sources == {"economy.gdp": "IMF WEO October 2025",
                         "economy.inflation.2025": "central bank", "case.horizon": "ILO practice"}
    assert a.digest != plain.digest


def test_a_bad_sourced_value_names_its_file_and_key(tmp_path):
    child = tmp_path / "sourced.yaml"
    child.write_text(f'extends: "{DEMOLAND}"\n'
                     'economy: {inflation: {2025: {value: 9, source: "x"}}}\n')
    with pytest.raises(AssumptionError) as info:
        load_assumptions(child)
    assert info.value.file == str(child.resolve())
    assert info.value.key == "economy.inflation.2025" and "got 9" in info.value.expected


def test_a_child_value_replaces_the_parent_source(tmp_path):
    parent = tmp_path / "parent.yaml"
    data = yaml.safe_load(DEMOLAND.read_text())
    data["economy"]["gdp"] = {"value": 3.0e13, "source": "old"}
    parent.write_text(yaml.safe_dump(data, sort_keys=False))
    child = tmp_path / "child.yaml"
    child.write_text("extends: parent.yaml\neconomy: {gdp: {value: 4.0e13}}\n")
    a = load_assumptions(child)
    assert a.economy.gdp == 4.0e13 and "economy.gdp" not in a.sources


# -- the import graph --------------------------------------------------------------------------

def _imports(folder: Path) -> set[str]:
    names = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
    return names


def test_the_toolkit_imports_nothing_else_of_the_engine():
    engine = {n for n in _imports(ROOT / "actuarial" / "schema") if n.split(".")[0] in ("actuarial", "fiscal_space")}
    assert engine <= {"actuarial.errors"} | {n for n in engine if n.startswith("actuarial.schema")}, engine


def test_fiscal_space_does_not_import_the_engine_assumptions():
    assert not {n for n in _imports(ROOT / "fiscal_space") if n.startswith("actuarial.assumptions")}


def test_sections_stay_plain_frozen_dataclasses(demoland):
    import dataclasses

    for key in SECTIONS:
        value = getattr(demoland, key)
        assert dataclasses.is_dataclass(value)
        assert dataclasses.replace(value) == value


def test_sources_reach_the_workbook_and_the_report(tmp_path):
    """A value written {value: ..., source: ...} shows its source in the workbook's assumptions
    sheet (a source column) and in the report's sources table."""
    import openpyxl

    from actuarial.pipeline import run
    from actuarial.report.excel import write_summary
    from actuarial.report.html import render

    child = tmp_path / "sourced.yaml"
    child.write_text(f'extends: "{DEMOLAND}"\n'
                     'case: {horizon: 50}\n'
                     'pension: {horizons: [25, 50]}\n'
                     'economy:\n'
                     '  gdp: {value: 3.0e13, source: "IMF WEO October 2025"}\n'
                     '  inflation: {2025: {value: 0.06, source: "central bank"}, 2030: 0.04, 2035: 0.03}\n')
    a = load_assumptions(child)
    tree = run(a)
    book = openpyxl.load_workbook(write_summary(tree, a, tmp_path / "summary.xlsx"))
    sheet = book["assumptions"]
    header = [c.value for c in sheet[1]]
    assert header[-1] == "source"
    found = {row[0]: row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert found["economy.gdp"] == "IMF WEO October 2025"
    assert found["economy.inflation.2025"] == "central bank"
    assert found["economy.inflation.2030"] in (None, "")
    page, _ = render({"sourced": tree})
    assert "Assumptions: sources" in page and "IMF WEO October 2025" in page and "economy.inflation.2025" in page


# -- the generated template ---------------------------------------------------------

def _template_keys(text: str) -> tuple[set, set]:
    """The dotted key paths of the template: (written, commented out as ``# key: ...``);
    an entry of a ``{name: item}`` mapping is ``<name>`` (its first entry is written in full)."""
    import re

    written, commented, stack = set(), set(), []  # stack: (indent, key)
    line_re = re.compile(r"^(\s*)(# )?([A-Za-z_][A-Za-z0-9_]*):(?:\s|$)")
    for line in text.splitlines():
        m = line_re.match(line)
        if not m:
            continue
        indent, off, key = len(m.group(1)), bool(m.group(2)), m.group(3)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = [k for _, k in stack] + [key]
        stack.append((indent, key))
        (commented if off else written).add(".".join(path))
    return written, commented


NAMED_ENTRY = {"employment_injury.sectors.agriculture": "employment_injury.sectors.<name>",
               "spf.benefits.child_benefit": "spf.benefits.<name>",
               "distribution.poverty_lines.national": "distribution.poverty_lines.<name>",
               "distribution.poverty_lines.international": "distribution.poverty_lines.<name>",
               "fiscal_space.options.my_option": "fiscal_space.options.<name>",
               "fiscal_space.options.reallocation.lines.fuel_subsidies": "fiscal_space.options.reallocation.lines.<name>"}
# declared keys that the template writes commented out: alternative forms, optional
# additions without a default, defaults derived from other keys, and the keys an entry
# of a {name: item} mapping does not set
ALTERNATIVES = {
    "distribution.real_growth", "distribution.poverty_lines.<name>.ppp_per_day",
    "distribution.poverty_lines.<name>.ppp_factor", "distribution.poverty_lines.<name>.price_index",
    "demography.un_tables", "demography.wpp", "demography.wpp.folder", "demography.wpp.country",
    "demography.wpp.variant", "demography.wpp.migration", "demography.expected_totals",
    "demography.mortality.life_tables", "demography.mortality.improvement",
    "demography.mortality.improvement.base", "demography.mortality.improvement.base_year",
    "demography.mortality.improvement.rates", "demography.fertility.rates", "demography.migration.counts",
    "demography.migration_rule", "demography.beyond_data", "demography.open_age_group",
    "demography.grouped", "demography.grouped.age_groups", "demography.grouped.graduation",
    "demography.grouped.base_population", "demography.grouped.life_tables", "demography.grouped.migration_counts",
    "economy.productivity_growth", "economy.discount_rate", "pension.initial.insured_file",
    "employment_injury.sectors.<name>.custom", "employment_injury.sectors.<name>.trend",
    "employment_injury.sectors.<name>.occupational_disease",
    "spf.benefits.<name>.level.amount", "spf.benefits.<name>.level.gdp_per_capita_share",
    "spf.benefits.<name>.level.average_wage_share", "spf.benefits.<name>.sex", "spf.benefits.<name>.targeting",
    "spf.benefits.<name>.months", "spf.benefits.<name>.days", "spf.benefits.<name>.indexation",
    "spf.benefits.<name>.prevalence", "spf.benefits.<name>.pension_tested",
    "stochastic.mortality.fit", "stochastic.mortality.fit.un_tables", "stochastic.mortality.fit.first_year",
    "stochastic.mortality.fit.last_year", "stochastic.economy.covariance",
    "fiscal_space.baseline.gdp", "fiscal_space.baseline.real_gdp_growth", "fiscal_space.baseline.inflation",
    "fiscal_space.costs", "fiscal_space.costs.file", "fiscal_space.costs.unit", "fiscal_space.debt.target_year",
    "fiscal_space.stochastic.years", "fiscal_space.stochastic.threshold_gdp",
    "fiscal_space.stochastic.covariance", "fiscal_space.stochastic.history",
    "fiscal_space.stochastic.history.file", "fiscal_space.stochastic.history.method",
    "fiscal_space.debt_profile.amortisation_gdp", "fiscal_space.stress_tests.debt_benchmark_gdp",
    "fiscal_space.stress_tests.gfn_benchmark_gdp", "fiscal_space.stress_tests.scenarios",
    # sizes from the history or the note's rule, early-warning indicators (fiscal_space.stress_tests)
    "fiscal_space.stress_tests.banking_assets_gdp", "fiscal_space.stress_tests.contingent_liability_gdp",
    "fiscal_space.stress_tests.depreciation", "fiscal_space.stress_tests.history",
    "fiscal_space.stress_tests.history.file", "fiscal_space.stress_tests.early_warning",
    "fiscal_space.stress_tests.interest_rate_bp", "fiscal_space.stress_tests.exchange_rate_pass_through",
    *(f"fiscal_space.stress_tests.early_warning.{k}" for k in (
        "bond_spread_bp", "external_financing_requirement_gdp", "foreign_currency_share", "lower",
        "nonresident_share", "short_term_debt_change", "upper"))}
# the blocks of the pension designs other than defined benefit (pension.design): optional additions
ALTERNATIVES |= {"pension." + k for k in (
    "defined_contribution", "defined_contribution.return_spread", "defined_contribution.fee_on_contributions",
    "defined_contribution.fee_on_balance", "defined_contribution.annuity_share",
    "defined_contribution.programmed_withdrawal_share", "defined_contribution.annuity",
    "defined_contribution.annuity.interest_rate", "defined_contribution.annuity.indexation",
    "defined_contribution.annuity.loading", "defined_contribution.guarantee",
    "defined_contribution.guarantee.minimum_pension", "defined_contribution.guarantee.eligible_share",
    "defined_contribution.guarantee.balance_dispersion", "defined_contribution.initial_balance", "points",
    "points.purchase_value", "points.point_value", "points.points_rate", "points.indexation",
    "notional", "notional.notional_rate", "notional.index", "notional.norm", "notional.unisex",
    "notional.balancing", "notional.initial_capital",
    "transition", "transition.year", "transition.to", "transition.accrued_rights", "transition.conversion",
    "transition.conversion.rate", "transition.conversion.rule", "transition.legacy_option")}


def test_template_has_every_declared_key():
    from actuarial.report.template import template_text

    text = template_text()
    written, commented = _template_keys(text)
    rename = lambda k: next((k.replace(a, b, 1) for a, b in NAMED_ENTRY.items()  # noqa: E731
                             if k == a or k.startswith(a + ".")), k)
    written, commented = {rename(k) for k in written}, {rename(k) for k in commented}
    generic = lambda k: ".".join("<name>" if p == "my_entry" else p for p in k.split("."))  # noqa: E731
    written, commented = {generic(k) for k in written}, {generic(k) for k in commented}
    declared = {f"{key}.{name}" for key in SECTION_ORDER for name, _, _ in rows(SECTIONS[key])}
    assert declared - written - commented == set()
    # an option's keys depend on the option (fiscal_space.options): each entry shows the keys it sets
    options = {k for k in declared - written if k.startswith("fiscal_space.options.")}
    assert declared - written - options == ALTERNATIVES
    assert set(SECTION_ORDER) <= written
    data = yaml.safe_load(text)  # it stands alone: no key names a data file or folder
    assert {k.rsplit(".", 1)[-1] for k in written} & {"file", "un_tables", "insured_file"} == set()
    assert data["case"]["name"] == "new_country"


def test_template_loads_as_demoland_under_a_new_name(tmp_path):
    """Written with Demoland's values, the template is Demoland but for the case's names
    (the defaults it writes out are the defaults)."""
    from actuarial.report.template import template_text

    path = tmp_path / "new.yaml"
    path.write_text(template_text())
    new, demo = load_assumptions(path), load_assumptions(DEMOLAND)
    assert (new.case.name, new.case.country, new.case.currency) == ("new_country", "New Country", "NCU")
    for name in SECTION_ORDER[1:-1]:
        assert repr(getattr(new, name)) == repr(getattr(demo, name)), name
    for f in dataclasses.fields(demo.fiscal_space):  # but for its copy of the case and its file
        if f.name not in ("case", "source", "digest"):
            assert repr(getattr(new.fiscal_space, f.name)) == repr(getattr(demo.fiscal_space, f.name)), f.name


# -- parametric forms wherever an age schedule is accepted --------------------------

HADWIGER = {"form": "hadwiger", "H": 3.0, "T": 40.0}
ROGERS_CASTRO = {"form": "rogers_castro", "a1": 0.02, "alpha1": 0.1, "a2": 0.06, "alpha2": 0.11,
                 "mu2": 20.0, "lambda2": 0.4}


def _hadwiger(H, T):
    """Hadwiger (1940) fertility pattern written from its definition: f(x) proportional to
    (T/x)^(3/2) exp(-H^2 (T/x + x/T - 2)) at mid-ages x = a + 1/2 of the childbearing ages
    a = 10..54, zero elsewhere, scaled to sum 1 (Chandola, Coleman & Hiorns 1999)."""
    f = [0.0] * 101
    for a in range(10, 55):
        x = a + 0.5
        f[a] = (T / x) ** 1.5 * math.exp(-H * H * (T / x + x / T - 2))
    return [v / sum(f) for v in f]


@pytest.mark.parametrize("key, body, read", [
    ("pension.invalidity.incidence", {"pension": {"invalidity": {"incidence": HADWIGER}}},
     lambda a: a.pension.invalidity_incidence.female),
    ("pension.survivors.married", {"pension": {"survivors": {"married": {"female": HADWIGER, "male": 0.5}}}},
     lambda a: a.pension.married.female),
    ("employment_injury.age_sex_relativity", {"employment_injury": {"age_sex_relativity": HADWIGER}},
     None),
    ("employment_injury.survivors.married", {"employment_injury": {"survivors": {"married": HADWIGER}}},
     lambda a: a.employment_injury.married.male),
    ("spf.benefits.disability_benefit.prevalence",
     {"spf": {"benefits": {"disability_benefit": {"prevalence": {"female": HADWIGER, "male": HADWIGER}}}}},
     lambda a: next(b for b in a.spf.benefits if b.name == "disability_benefit").prevalence.female),
    ("stochastic.mortality.b", {"stochastic": {"mortality": {"b": HADWIGER}}},
     lambda a: a.stochastic.mortality.b.female),
])
def test_a_parametric_form_is_an_age_schedule_in_every_section(tmp_path, key, body, read):
    """``{form: NAME, ...}`` is accepted wherever an age schedule is (pension, employment_injury,
    spf, stochastic as in demography and labour), and evaluates the law."""
    import numpy as np

    path = tmp_path / "child.yaml"
    path.write_text(yaml.safe_dump({"extends": str(DEMOLAND), **body}, sort_keys=False))
    a = load_assumptions(path)
    if read is not None:
        np.testing.assert_allclose(np.asarray(read(a)), _hadwiger(3.0, 40.0), rtol=1e-12, atol=1e-15)
    # a rate law is not an age pattern; a bad parameter names its key path
    bad = yaml.safe_dump({"extends": str(DEMOLAND), **body}, sort_keys=False).replace("T: 40.0", "T: 90.0")
    path.write_text(bad)
    with pytest.raises(AssumptionError) as err:
        load_assumptions(path)
    assert ".T" in str(err.value) and key.split(".")[0] in str(err.value) and "55" in str(err.value)


def test_rogers_castro_is_an_age_schedule_of_the_spf_section(tmp_path):
    path = tmp_path / "child.yaml"
    path.write_text(yaml.safe_dump({"extends": str(DEMOLAND), "spf": {"benefits": {"disability_benefit": {
        "prevalence": ROGERS_CASTRO}}}}, sort_keys=False))
    b = next(b for b in load_assumptions(path).spf.benefits if b.name == "disability_benefit")
    assert abs(b.prevalence.male.sum() - 1.0) < 1e-12 and b.prevalence.male[0] > b.prevalence.male[10]


def test_json_schema_writes_no_large_sub_schema_twice():
    """Age schedules, by-sex values and series are shared in $defs (the file was 18,473 lines
    with each written out at every use)."""
    import json

    from actuarial.schema.describe import SHARED_MIN, _subschemas

    seen: dict[str, int] = {}

    def count(node):
        text = json.dumps(node, sort_keys=True)
        if len(text) >= SHARED_MIN:
            seen[text] = seen.get(text, 0) + 1
        _subschemas(node, count)
        return node

    schema = reference.json_schema()
    for body in schema["$defs"].values():
        _subschemas(body, count)
    for v in schema["properties"].values():
        count(v)
    assert [t[:80] for t, n in seen.items() if n > 1] == []
    assert any(name.startswith("AgeSchedule_") for name in schema["$defs"])


# -- fiscal_space.options: each option's keys declared (fiscal_space.options) ------------------

@pytest.mark.parametrize("path", SHIPPED_ALL, ids=[p.name for p in SHIPPED_ALL])
def test_every_option_key_of_a_shipped_file_is_in_the_reference(path):
    text = reference.reference_text()
    rows_text = {line.split(" | ")[0].strip("| `") for line in text.splitlines() if line.startswith("| `")}
    options = (split_sources(*load_tree(path))[0].get("fiscal_space") or {}).get("options") or {}
    for name, entry in options.items():
        cls = pick_option(name, entry)
        prefix = f"fiscal_space.options.{'<name>' if entry.get('custom') is True else name}"
        for key in _key_paths(cls, entry, prefix):
            assert key in rows_text, f"{key} of {path.name}"


OPTION_ERRORS = [
    ("option_unknown_name", _set("fiscal_space.options.borowing", {"max_gdp": 0.01}), "fiscal_space.options.borowing"),
    ("option_unknown_key", _set("fiscal_space.options.tax.buoyance", 1.0), "fiscal_space.options.tax.buoyance"),
    ("option_nested_typo", _set("fiscal_space.options.tax.effort.closd", 0.5), "fiscal_space.options.tax.effort.closd"),
    ("option_share_too_high", _set("fiscal_space.options.aid.share", 1.5), "fiscal_space.options.aid.share"),
    ("custom_without_kind", _set("fiscal_space.options.fund", {"custom": True, "capacity_gdp": 0.01}),
     "fiscal_space.options.fund.kind"),
]


@pytest.mark.parametrize(("mutate", "key"), [pytest.param(m, k, id=i) for i, m, k in OPTION_ERRORS])
def test_loader_and_json_schema_both_reject_a_bad_option(tmp_path, validator, mutate, key):
    test_loader_and_json_schema_both_reject_a_schema_error(tmp_path, validator, mutate, key)
