"""Reference data shipped with the engine (ILO minimum standards)."""
