"""The fiscal_bruegel validation kind (side by side with the Bruegel EU-DSA code's debt
equation): its reference loop against hand values, and checks that can fail."""

from __future__ import annotations

import re

import numpy as np
import pytest

from actuarial.errors import AssumptionError
from actuarial.validation import run_case
from actuarial.validation.fiscal_bruegel import bruegel_debt_path


def _case(root, tmp_path, country="bgr", **replace):
    text = (root / "validation_cases" / "published" / f"bruegel_eu_dsa_{country}.case.yaml").read_text()
    for key, value in replace.items():
        text, n = re.subn(rf"^{key}: .*$", f"{key}: {value}", text, flags=re.M)
        assert n == 1, key
    path = tmp_path / "case.yaml"
    path.write_text(text)
    return path


def test_reference_loop_by_hand():
    """One step of the code's equation, written out: 100 (1.05/1.02)(0.5 + 0.3 * 1.1 + 0.2 * 0.9) - 2 + 1,
    and the zero floor."""
    d = bruegel_debt_path(100.0, [5.0], [2.0], [2.0], [1.0], (0.5, 0.3, 0.2), [1.1], [0.9])
    assert d[1] == pytest.approx(100 * 1.05 / 1.02 * (0.5 + 0.33 + 0.18) - 1.0, rel=1e-15)
    assert bruegel_debt_path(1.0, [0.0], [0.0], [5.0], [0.0], (1.0, 0.0, 0.0), [1.0], [1.0])[1] == 0.0


def test_shipped_cases_pass(root):
    for country in ("bgr", "aut", "bel"):
        rows = run_case(root / "validation_cases" / "published" / f"bruegel_eu_dsa_{country}.case.yaml")
        assert rows and all(r.passed for r in rows), rows


def test_errors_are_measured(root, tmp_path):
    """The rows report the measured difference (double-precision rounding, not a copied value):
    with a zero tolerance they fail."""
    rows = run_case(_case(root, tmp_path, rtol_debt="0.0", atol_exchange_rate="0.0"))
    assert not all(r.passed for r in rows)


def test_the_zero_floor_is_not_in_the_engine(root, tmp_path):
    """A primary surplus large enough to take debt below zero: the code floors it at 0, the
    engine goes negative (net assets), and the case reports the difference."""
    with np.errstate(divide="ignore"):  # the floored reference is 0: relative error inf
        rows = run_case(_case(root, tmp_path, primary_balance="{2025: 30.0, 2026: 30.0}"))
    debt = rows[0]
    assert not debt.passed and debt.expected == 0.0 and debt.got < 0.0


def test_shares_must_sum_to_one(root, tmp_path):
    with pytest.raises(AssumptionError, match="usd_share"):
        run_case(_case(root, tmp_path, usd_share="0.0126"))


def test_every_year_is_required(root, tmp_path):
    with pytest.raises(AssumptionError, match="missing \\[2026\\]"):
        run_case(_case(root, tmp_path, primary_balance="{2025: -2.2333855}"))
