"""The projection stages after demography, each a function from the
assumptions and the earlier stages' Datasets to its node's Dataset:

- ``labour``: labour force, employment, insured contributors, insurable wages;
- ``economy``: GDP, wages, prices, interest and discount rates;
- ``pension``: the pension scheme's cohort projection and cash flows, with
  ``pension_metrics`` (GAP, scaled premium, steady-state rate, actuarial
  balance, open- and closed-group present values) and ``liability``
  (accrued-to-date liability);
- ``employment_injury``: claims, benefits, cost rates by financing method;
- ``spf``: the cost and coverage of a social protection floor package.

Their numba kernels are in ``_pension_kernels`` and ``_injury_kernels``;
``actuarial.stages`` runs them in order.
"""
