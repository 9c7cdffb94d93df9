"""Assumption files: YAML loading, ``extends:`` scenarios, validation."""

from actuarial.assumptions.model import Assumptions, load_assumptions
from actuarial.assumptions.series import TimeSeries

__all__ = ["Assumptions", "TimeSeries", "load_assumptions"]
