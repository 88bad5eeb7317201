"""Dynamic providers, one module per resource family."""
