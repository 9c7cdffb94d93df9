"""Every shipped validation case passes (they carry their own references)."""

import pytest

from actuarial.validation import find_cases, run_case


def case_paths():
    from pathlib import Path

    return find_cases([Path(__file__).resolve().parents[1] / "validation_cases"])


@pytest.mark.parametrize("path", case_paths(), ids=lambda p: p.parent.name if p.name == "case.yaml" else p.stem)
def test_validation_case(path):
    rows = run_case(path)
    assert rows
    failed = [r for r in rows if not r.passed]
    assert not failed, failed


def test_a_wrong_expectation_fails(tmp_path, root):
    """The checks can fail: a stationary case with an impossible tolerance."""
    src = (root / "validation_cases" / "closed_forms" / "stable.case.yaml").read_text()
    case = tmp_path / "bad.case.yaml"
    case.write_text(src.replace("rtol_lambda: 1.0e-9", "rtol_lambda: 0.0").replace(
        "../../assumptions/demoland.yaml", str(root / "assumptions" / "demoland.yaml")))
    rows = run_case(case)
    assert not all(r.passed for r in rows)
