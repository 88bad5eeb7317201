"""Tenant spec and backend catalogue: models, YAML loading with positions, located errors."""
