"""Errors a provider raises: messages written for the sysadmin who runs `civicloud apply`."""

from __future__ import annotations


class ProviderError(Exception):
    """A backend refused or failed an operation; the message says what and where."""


class VerificationError(ProviderError):
    """The backend accepted a setting but did not apply it (read back after create/update)."""


class NotOurs(ProviderError):
    """A resource with the deterministic name exists but was not created by civicloud for this
    tenant: adopting it would take over someone else's resource."""
