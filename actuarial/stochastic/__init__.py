"""Stochastic valuations: the seeded scenario generators (``generators``,
``lee_carter``), the scenarios run in chunks here or on a dask cluster
(``scenarios``), the distributions of their headline results
(``headlines``), percentiles (``percentiles``) and the kept scenarios'
Zarr store (``store``)."""
