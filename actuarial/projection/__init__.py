"""Projection stages after demography: economy, labour, pension."""
