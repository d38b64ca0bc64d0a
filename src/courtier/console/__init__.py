"""The staff console (placeholder until the console app is merged)."""
