"""Tests of the assumption loader: strict YAML, ``extends:``, validation.

Malformed files are made by loading the shipped ``demoland.yaml``, mutating
the dict and dumping it to ``tmp_path`` (or by writing literal YAML).
``BAD_CASES`` is shared with ``test_cli.py``, which feeds the same files to
``actuarial run``.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

import actuarial
from actuarial import AssumptionError, load_assumptions
from actuarial.assumptions import TimeSeries
from actuarial.assumptions.model import BrassMortality, LifeTableMortality

DEMOLAND = Path(__file__).resolve().parents[1] / "assumptions" / "demoland.yaml"


def demoland_dict() -> dict:
    return yaml.safe_load(DEMOLAND.read_text(encoding="utf-8"))


def dump(path: Path, data) -> Path:
    # sort_keys=False: the order of {year: value} anchors matters.
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def mutated(name: str, mutate):
    """A case builder: demoland.yaml changed by ``mutate(dict)``, saved as NAME.yaml."""

    def build(tmp_path: Path) -> Path:
        data = demoland_dict()
        mutate(data)
        return dump(tmp_path / f"{name}.yaml", data)

    return build


def literal(name: str, text: str):
    def build(tmp_path: Path) -> Path:
        return write_text(tmp_path / f"{name}.yaml", text)

    return build


# -- mutations of demoland -----------------------------------------------------

def _demo(d):
    return d["demography"]


def _rename(mapping: dict, old: str, new: str) -> None:
    mapping[new] = mapping.pop(old)


def _typo_demography_level(d):
    _rename(_demo(d), "fertility", "fertilty")


def _typo_required_in_section(d):
    _rename(d["case"], "base_year", "base_yaer")


def _typo_optional_in_section(d):
    _rename(_demo(d)["migration"], "timing", "timng")


def _stray_key_beside_real_one(d):
    _demo(d)["fertility"]["tfrr"] = 2.0


def _tfr_negative(d):
    _demo(d)["fertility"]["tfr"] = -1


def _pattern_negative(d):
    _demo(d)["fertility"]["pattern"] = [0.0] * 20 + [-0.1] + [0.05] * 80


def _qx_table(female_qx):
    return {"life_tables": {2025: {"female": {"qx": female_qx},
                                   "male": {"qx": [0.01] * 100 + [1.0]}}}}


def _qx_above_one(d):
    _demo(d)["mortality"] = _qx_table([0.01] * 50 + [1.5] + [0.1] * 50)


def _qx_one_before_open_age(d):
    _demo(d)["mortality"] = _qx_table([0.01] * 50 + [1.0] + [0.1] * 50)


def _missing_age(d):
    pop = _demo(d)["base_population"]
    pop["male"] = pop["male"][:100]


def _case_missing(d):
    del d["case"]


def _string_for_number(d):
    d["case"]["base_year"] = "twenty twenty-five"


def _two_mortality_methods(d):
    _demo(d)["mortality"]["life_tables"] = _qx_table([0.01] * 100 + [1.0])["life_tables"]


def _timing_sideways(d):
    _demo(d)["migration"]["timing"] = "sideways"


def _non_monotone_years(tmp_path: Path) -> Path:
    # Written as text: the anchors' order in the file is what is tested.
    data = demoland_dict()
    del _demo(data)["fertility"]["tfr"]
    text = yaml.safe_dump(data, sort_keys=False).replace(
        "  fertility:\n", "  fertility:\n    tfr: {2030: 2.5, 2025: 2.7}\n", 1)
    return write_text(tmp_path / "non_monotone_years.yaml", text)


def _extends_cycle(tmp_path: Path) -> Path:
    write_text(tmp_path / "b.yaml", "extends: a.yaml\n")
    return write_text(tmp_path / "a.yaml", "extends: b.yaml\n")


def _file_missing(tmp_path: Path) -> Path:
    return tmp_path / "absent.yaml"


# (id, builder, keywords): each keyword is a string that must appear in the
# message, or a tuple of alternatives of which one must appear. "{file}" is the
# name of the file that was loaded.
_CASES = [
    ("typo_demography_level", mutated("typo_demography_level", _typo_demography_level),
     ["{file}", "demography.fert", "fertilty", "fertility"]),
    ("typo_required_in_section", mutated("typo_required_in_section", _typo_required_in_section),
     ["{file}", "case.base_", "base_yaer", "base_year"]),
    ("typo_optional_in_section", mutated("typo_optional_in_section", _typo_optional_in_section),
     ["{file}", "demography.migration.timng", "unknown key", "timing"]),
    ("stray_key_beside_real_one", mutated("stray_key_beside_real_one", _stray_key_beside_real_one),
     ["{file}", "demography.fertility.tfrr", "unknown key", "did you mean 'tfr'"]),
    ("tfr_negative", mutated("tfr_negative", _tfr_negative),
     ["{file}", "demography.fertility.tfr:", "expected a total fertility rate", "[0.0, 15.0]",
      "got -1"]),
    ("pattern_negative", mutated("pattern_negative", _pattern_negative),
     ["{file}", "demography.fertility.pattern[20]", "expected a number in [0.0", "got -0.1"]),
    ("qx_above_one", mutated("qx_above_one", _qx_above_one),
     ["{file}", "demography.mortality.life_tables.2025.female.qx[50]", "1.0]", "got 1.5"]),
    ("qx_one_before_open_age", mutated("qx_one_before_open_age", _qx_one_before_open_age),
     ["{file}", "demography.mortality.life_tables.2025.female", "q_x must be below 1"]),
    ("missing_age", mutated("missing_age", _missing_age),
     ["{file}", "demography.base_population.male", "expected 101 values", "got 100"]),
    ("non_monotone_years", _non_monotone_years,
     ["{file}", "demography.fertility.tfr", "years must increase", "2025 comes after 2030"]),
    ("not_yaml_brackets", literal("not_yaml_brackets", "case: {name: [demoland\ndemography:\n"),
     ["{file}", "not valid YAML", "line"]),
    ("not_yaml_tabs", literal("not_yaml_tabs", "case:\n\tname: demoland\n"),
     ["{file}", "not valid YAML", "line 2"]),
    ("top_level_list", literal("top_level_list", "- case\n- demography\n"),
     ["{file}", "expected a YAML mapping", "list"]),
    ("duplicate_key", literal("duplicate_key", "case:\n  name: a\n  name: b\ndemography: {}\n"),
     ["{file}", "duplicate key 'name'", "line 3"]),
    ("extends_missing", literal("extends_missing", "extends: nope.yaml\ncase: {name: x}\n"),
     ["{file}", ": extends:", "'nope.yaml'", "not found"]),
    ("extends_cycle", _extends_cycle,
     [("a.yaml", "b.yaml"), "extends", "cycle", "a.yaml -> b.yaml -> a.yaml"]),
    ("file_missing", _file_missing, ["{file}", "file not found"]),
    ("case_missing", mutated("case_missing", _case_missing),
     ["{file}", ": case:", "required key is missing"]),
    ("string_for_number", mutated("string_for_number", _string_for_number),
     ["{file}", "case.base_year", "expected a number", "'twenty twenty-five'"]),
    ("two_mortality_methods", mutated("two_mortality_methods", _two_mortality_methods),
     ["{file}", "demography.mortality", "exactly one of", "life_tables", "brass_logit"]),
    ("timing_sideways", mutated("timing_sideways", _timing_sideways),
     ["{file}", "demography.migration.timing", "end, half", "'sideways'"]),
]

BAD_CASES = [pytest.param(build, keywords, id=case_id) for case_id, build, keywords in _CASES]


def check_keywords(message: str, keywords, path: Path) -> None:
    for keyword in keywords:
        options = keyword if isinstance(keyword, tuple) else (keyword,)
        options = [k.replace("{file}", path.name) for k in options]
        assert any(k in message for k in options), f"none of {options} in {message!r}"


# -- bad input through the Python API -----------------------------------------------

@pytest.mark.parametrize(("build", "keywords"), BAD_CASES)
def test_bad_input_raises_assumption_error(tmp_path, build, keywords):
    path = build(tmp_path)
    with pytest.raises(AssumptionError) as info:
        load_assumptions(path)
    check_keywords(str(info.value), keywords, path)


def test_assumption_error_is_the_package_exception():
    assert actuarial.AssumptionError is AssumptionError
    assert issubclass(AssumptionError, ValueError)
    err = AssumptionError("f.yaml", "a.b", "expected x")
    assert (err.file, err.key, err.expected) == ("f.yaml", "a.b", "expected x")
    assert str(err) == "f.yaml: a.b: expected x"


def test_shipped_demoland_loads():
    a = load_assumptions(DEMOLAND)
    assert a.case.name == "demoland"
    assert a.case.base_year == 2025 and a.case.horizon == 100
    assert isinstance(a.demography.mortality, BrassMortality)
    assert a.source == DEMOLAND.resolve()


def test_qx_life_table_loads(tmp_path):
    data = demoland_dict()
    data["demography"]["mortality"] = _qx_table([0.01] * 100 + [1.0])
    a = load_assumptions(dump(tmp_path / "qx.yaml", data))
    mortality = a.demography.mortality
    assert isinstance(mortality, LifeTableMortality)
    assert mortality.tables.years == (2025,)
    female = mortality.tables.values[0].female
    assert female.quantity == "qx"
    np.testing.assert_array_equal(female.values, [0.01] * 100 + [1.0])


# -- extends: --------------------------------------------------------------------------

@pytest.fixture
def parent(tmp_path) -> Path:
    """A copy of demoland.yaml in its own folder (children live in a sibling)."""
    folder = tmp_path / "base"
    folder.mkdir()
    return Path(shutil.copy(DEMOLAND, folder / "demoland.yaml"))


def child_file(tmp_path: Path, body: str, extends="../base/demoland.yaml") -> Path:
    folder = tmp_path / "scenarios"
    folder.mkdir(exist_ok=True)
    return write_text(folder / "child.yaml", f"extends: {extends}\n{body}")


LOW_TFR = "demography:\n  fertility:\n    tfr: 1.6\n"


@pytest.mark.parametrize("absolute", [False, True], ids=["relative", "absolute"])
def test_extends_overrides_only_what_the_child_sets(tmp_path, parent, absolute):
    extends = str(parent) if absolute else "../base/demoland.yaml"
    child = load_assumptions(child_file(tmp_path, LOW_TFR, extends))
    base = load_assumptions(parent)
    c, b = child.demography, base.demography

    np.testing.assert_array_equal(c.fertility.tfr.at([2025, 2060, 2100]), [1.6, 1.6, 1.6])
    assert b.fertility.tfr.at([2025])[0] == pytest.approx(2.7)

    assert child.case == base.case
    for sex in ("female", "male"):
        np.testing.assert_array_equal(getattr(c.base_population, sex),
                                      getattr(b.base_population, sex))
        np.testing.assert_array_equal(getattr(c.mortality.standard, sex).values,
                                      getattr(b.mortality.standard, sex).values)
        assert getattr(c.mortality.e0, sex) == getattr(b.mortality.e0, sex)
        np.testing.assert_array_equal(getattr(c.migration.pattern, sex),
                                      getattr(b.migration.pattern, sex))
    assert c.mortality.beta == b.mortality.beta
    np.testing.assert_array_equal(c.fertility.pattern.values[0], b.fertility.pattern.values[0])
    assert c.fertility.srb == b.fertility.srb
    assert c.migration.total == b.migration.total
    assert c.migration.timing == b.migration.timing
    assert (c.working_ages, c.old_age) == (b.working_ages, b.old_age)
    assert child.digest != base.digest


def test_error_in_key_set_by_child_names_child(tmp_path, parent):
    path = child_file(tmp_path, "demography:\n  fertility:\n    tfr: -1\n")
    with pytest.raises(AssumptionError) as info:
        load_assumptions(path)
    msg = str(info.value)
    assert msg.startswith(f"{path.resolve()}: demography.fertility.tfr: expected")
    assert "demoland.yaml" not in msg


def test_typo_in_child_suggests_the_parent_key(tmp_path, parent):
    path = child_file(tmp_path, "demography:\n  fertility:\n    tfrr: 1.6\n")
    with pytest.raises(AssumptionError, match=r"child\.yaml: demography\.fertility\.tfrr: "
                                              r"unknown key \(did you mean 'tfr'\?\)"):
        load_assumptions(path)


def test_error_in_inherited_key_names_parent(tmp_path, parent):
    parent.write_text(parent.read_text().replace("srb: 1.05", "srb: 9.0"))
    path = child_file(tmp_path, LOW_TFR)
    with pytest.raises(AssumptionError) as info:
        load_assumptions(path)
    msg = str(info.value)
    assert msg.startswith(f"{parent.resolve()}: demography.fertility.srb: expected")
    assert "got 9.0" in msg
    assert "child.yaml" not in msg


def test_error_in_inherited_list_item_names_parent(tmp_path, parent):
    parent.write_text(parent.read_text().replace("[326158,", "[-326158,"))
    male = [1000] * 101
    path = child_file(tmp_path, f"demography:\n  base_population:\n    male: {male}\n")
    with pytest.raises(AssumptionError) as info:
        load_assumptions(path)
    msg = str(info.value)
    assert "demography.base_population.female[0]" in msg
    assert msg.startswith(str(parent.resolve()))


def test_error_in_inherited_series_anchor_names_parent(tmp_path, parent):
    parent.write_text(parent.read_text().replace("tfr: {2025: 2.7,", "tfr: {2025: -2.7,"))
    path = child_file(tmp_path, "demography:\n  fertility:\n    srb: 1.06\n")
    with pytest.raises(AssumptionError) as info:
        load_assumptions(path)
    msg = str(info.value)
    assert "demography.fertility.tfr.2025" in msg
    assert msg.startswith(str(parent.resolve()))


def test_child_series_replaces_parent_series(tmp_path, parent):
    path = child_file(tmp_path, "demography:\n  fertility:\n    tfr: {2025: 2.0, 2050: 1.5}\n")
    tfr = load_assumptions(path).demography.fertility.tfr
    assert tfr == TimeSeries((2025, 2050), (2.0, 1.5))


def test_error_in_child_series_anchor_names_child(tmp_path, parent):
    path = child_file(tmp_path, "demography:\n  fertility:\n    tfr: {2025: 2.0, 2050: -1}\n")
    with pytest.raises(AssumptionError) as info:
        load_assumptions(path)
    msg = str(info.value)
    assert msg.startswith(f"{path.resolve()}: demography.fertility.tfr.2050: expected")
    assert "got -1" in msg


def test_child_can_switch_mortality_method(tmp_path, parent):
    table = yaml.safe_dump({"demography": {"mortality": _qx_table([0.01] * 100 + [1.0])}})
    mortality = load_assumptions(child_file(tmp_path, table)).demography.mortality
    assert isinstance(mortality, LifeTableMortality)


def test_extends_must_be_a_path(tmp_path):
    path = write_text(tmp_path / "bad_extends.yaml", "extends: [a.yaml]\n")
    with pytest.raises(AssumptionError, match=r"bad_extends\.yaml: extends: expected the path"):
        load_assumptions(path)


# -- time series -------------------------------------------------------------------

def test_time_series_interpolates_linearly_and_is_flat_outside():
    s = TimeSeries((2025, 2040, 2060, 2100), (2.7, 2.35, 2.1, 1.9))
    got = s.at([2000, 2025, 2030, 2040, 2050, 2080, 2100, 2200])
    expected = [2.7, 2.7, 2.7 - 0.35 * 5 / 15, 2.35, 2.35 - 0.25 * 10 / 20,
                2.1 - 0.2 * 20 / 40, 1.9, 1.9]
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    assert got.dtype == np.float64


def test_loaded_series_matches_hand_computed_values():
    fertility = load_assumptions(DEMOLAND).demography.fertility
    assert fertility.tfr.years == (2025, 2040, 2060, 2100)
    np.testing.assert_allclose(fertility.tfr.at([2020, 2032, 2050, 2110]),
                               [2.7, 2.7 - 0.35 * 7 / 15, 2.225, 1.9], atol=1e-12)


def test_scalar_series_is_constant():
    srb = load_assumptions(DEMOLAND).demography.fertility.srb
    np.testing.assert_array_equal(srb.at([1900, 2025, 2100, 2500]), [1.05] * 4)
    np.testing.assert_array_equal(TimeSeries.constant(3).at([0, 1e6]), [3.0, 3.0])


# -- age schedules -----------------------------------------------------------------

def load_with(tmp_path: Path, mutate, name="case.yaml"):
    data = demoland_dict()
    mutate(data)
    return load_assumptions(dump(tmp_path / name, data))


def test_first_age_values_puts_zeros_elsewhere(tmp_path):
    def mutate(d):
        d["demography"]["base_population"]["female"] = {"first_age": 15, "values": [1.0, 2.0, 3.0]}
        d["demography"]["base_population"]["male"] = {"first_age": 100, "values": [5]}

    pop = load_with(tmp_path, mutate).demography.base_population
    expected = np.zeros(101)
    expected[15:18] = [1.0, 2.0, 3.0]
    np.testing.assert_array_equal(pop.female, expected)
    assert pop.male[100] == 5 and pop.male[:100].sum() == 0


def test_first_age_fertility_pattern_is_normalised(tmp_path):
    def mutate(d):
        d["demography"]["fertility"]["pattern"] = {"first_age": 15, "values": [1, 2, 1]}

    pattern = load_with(tmp_path, mutate).demography.fertility.pattern.values[0]
    expected = np.zeros(101)
    expected[15:18] = [0.25, 0.5, 0.25]
    np.testing.assert_allclose(pattern, expected)


def test_schedule_running_past_age_100_is_an_error(tmp_path):
    def mutate(d):
        d["demography"]["fertility"]["pattern"] = {"first_age": 95, "values": [0.1] * 10}

    with pytest.raises(AssumptionError) as info:
        load_with(tmp_path, mutate, "past_100.yaml")
    msg = str(info.value)
    assert "past_100.yaml" in msg
    assert "demography.fertility.pattern" in msg
    assert "10 ages from age 95 run past age 100" in msg


def test_hadwiger_pattern_sums_to_one(tmp_path):
    def mutate(d):
        d["demography"]["fertility"]["pattern"] = {"form": "hadwiger", "H": 2.5, "T": 30.0}

    for a in (load_assumptions(DEMOLAND), load_with(tmp_path, mutate)):
        pattern = a.demography.fertility.pattern.values[0]
        assert pattern.shape == (101,)
        assert pattern.sum() == pytest.approx(1.0, abs=1e-12)
        assert np.all(pattern >= 0)
        assert pattern[:10].sum() == 0 and pattern[55:].sum() == 0


def test_unknown_form_names_the_allowed_forms(tmp_path):
    def mutate(d):
        d["demography"]["fertility"]["pattern"] = {"form": "hadwigr", "H": 3.2, "T": 28.0}

    with pytest.raises(AssumptionError) as info:
        load_with(tmp_path, mutate, "bad_form.yaml")
    msg = str(info.value)
    for keyword in ("bad_form.yaml", "demography.fertility.pattern.form",
                    "hadwiger", "rogers_castro", "'hadwigr'"):
        assert keyword in msg


def test_unknown_mortality_form_names_the_allowed_forms(tmp_path):
    def mutate(d):
        d["demography"]["mortality"]["brass_logit"]["standard"]["male"] = {
            "form": "gompertz", "a": 0.0001, "b": 0.09}

    with pytest.raises(AssumptionError) as info:
        load_with(tmp_path, mutate, "bad_form.yaml")
    msg = str(info.value)
    for keyword in ("demography.mortality.brass_logit.standard.male.form",
                    "gompertz_makeham", "heligman_pollard", "'gompertz'"):
        assert keyword in msg


def test_form_missing_parameter_is_named(tmp_path):
    def mutate(d):
        d["demography"]["fertility"]["pattern"] = {"form": "hadwiger", "H": 3.2}

    with pytest.raises(AssumptionError, match=r"demography\.fertility\.pattern\.T: "
                                              r"required key is missing"):
        load_with(tmp_path, mutate)


# -- immutability (``demoland`` comes from conftest.py) ---------------------------------------------------------------------

def test_dataclass_fields_cannot_be_assigned(demoland):
    with pytest.raises(dataclasses.FrozenInstanceError):
        demoland.case.name = "elsewhere"
    with pytest.raises(dataclasses.FrozenInstanceError):
        demoland.demography = None
    with pytest.raises(dataclasses.FrozenInstanceError):
        demoland.demography.fertility.tfr = TimeSeries.constant(9.0)
    with pytest.raises(AttributeError):
        demoland.demography.base_population.female = np.zeros(101)


def test_arrays_are_read_only(demoland):
    demo = demoland.demography
    with pytest.raises(ValueError, match="read-only"):
        demo.base_population.female[0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        demo.base_population.male[:] = 0.0
    arrays = [demo.mortality.standard.female.values, demo.fertility.pattern.values[0],
              demo.migration.pattern.male]
    for array in arrays:
        assert not array.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 1.0
    assert demo.base_population.female[0] == 326158


def test_child_schedule_replaces_parent_form(tmp_path, parent):
    """A child's age schedule replaces the parent's form whole (no mixing of keys)."""
    path = child_file(tmp_path, "demography:\n  fertility:\n    pattern: "
                                "{first_age: 15, values: [1, 2, 3, 2, 2]}\n")
    shares = load_assumptions(path).demography.fertility.pattern.values[0]
    np.testing.assert_allclose(shares[15:20], [0.1, 0.2, 0.3, 0.2, 0.2])
    assert shares[:15].sum() == 0 and shares[20:].sum() == 0
