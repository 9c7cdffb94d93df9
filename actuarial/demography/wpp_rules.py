"""Choices of ``demography.wpp`` that assumption files name (importable without
the WPP reader, so that reading a file stays light)."""

# demography.wpp.migration: net migrants by sex and age from the WPP files
# (actuarial.demography.wpp_build): "residual" (the default) reproduces the
# files' populations; "model" spreads the published totals by Rogers-Castro
MIGRATION_METHODS = ("residual", "model")
