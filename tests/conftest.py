from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def demoland(root):
    from actuarial.assumptions import load_assumptions

    return load_assumptions(root / "assumptions" / "demoland.yaml")
