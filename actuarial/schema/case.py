"""Section ``case``: what is projected (name, country, base year, horizon,
currency). Shared by ``actuarial`` and ``fiscal_space``, so it is declared
here in the toolkit rather than in either package."""


from actuarial.schema.records import dataclass  # frozen dataclasses, cheaper to declare

import numpy as np
from pydantic import model_validator

from actuarial.schema.fields import number, text
from actuarial.schema.section import section

NAME = r"[A-Za-z0-9][A-Za-z0-9_.-]*"


@section("case")
@dataclass(frozen=True)
class Case:
    """What is projected, from when and for how long."""

    name: text("Name of the case; names the output folder.", pattern=NAME,
               pattern_text="a name of letters, digits, '_', '-' or '.' (it names the output folder)",
               example="new_country")
    country: text("Country or scheme the case describes.", derived="the name", example="New Country")
    base_year: number("First projection year: stocks are at 1 January of it.", lo=1800, hi=2300,
                      integer=True, unit="year")
    horizon: number("Number of projection years after the base year.", lo=1, hi=300,
                    integer=True, unit="years") = 100
    currency: text("Currency of every money amount (national currency units).", unit="code",
                   example="NCU") = "NCU"

    @model_validator(mode="before")
    @classmethod
    def _country_defaults_to_name(cls, data):
        if isinstance(data, dict) and "country" not in data:
            data = {**data, "country": data.get("name", "")}
        return data

    @property
    def years(self) -> np.ndarray:
        """Projection years: base year .. base year + horizon (1 January stocks)."""
        return np.arange(self.base_year, self.base_year + self.horizon + 1)
