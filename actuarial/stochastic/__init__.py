"""Stochastic projections: seeded scenario generators and their summaries."""
