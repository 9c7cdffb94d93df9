"""What users read: console tables (plots and HTML come later)."""
