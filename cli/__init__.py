"""civicloud: sovereign, encrypted cloud tenants for local authorities, checked before deploying."""

__version__ = "0.1.0"
