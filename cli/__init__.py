"""civicloud: sovereign, encrypted cloud tenants for local authorities, checked before deployment."""

__version__ = "0.1.0"
