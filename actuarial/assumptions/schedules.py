"""The parametric age-schedule forms of the engine's sections.

The schema toolkit knows no law (:func:`actuarial.schema.tables.form_evaluator`);
the sections pass :data:`PATTERN_FORMS` to every age-schedule field
(``schedule``, ``schedule_by_sex``, ``forms=``), so that each accepts the three
forms: 101 values, ``{first_age, [width,] values}`` and ``{form: NAME, ...}``
with NAME a law of :mod:`actuarial.demography.laws` giving an age pattern
(``hadwiger``, ``rogers_castro``: shares summing to 1 over ages).
"""

from __future__ import annotations

from actuarial.demography.laws import FORMS
from actuarial.schema.tables import form_evaluator
from actuarial.schema.values import SEXES, Anchored, BySex, frozen  # noqa: F401 (re-exported)

PATTERN_FORMS = form_evaluator(FORMS, ("pattern",))  # {form: hadwiger | rogers_castro, ...}
