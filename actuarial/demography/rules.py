"""Choices of the projection that assumption files name (importable without
the projection engine, so that reading a file stays light)."""

# demography.migration_rule: "capped" realises net emigration from a cell only up
# to the persons present; "as_given" adds the counts as given (UN arithmetic)
MIGRATION_RULES = ("capped", "as_given")
