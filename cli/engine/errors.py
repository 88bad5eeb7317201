"""Errors the engines raise: each one says what happened to which resource, in the user's words."""

from __future__ import annotations


class EngineError(Exception):
    """A run could not proceed; the message is meant for the sysadmin, never a traceback."""


class InvalidOption(EngineError):
    """A setting given by the user is wrong (stack name, --state, --engine): exit code 2."""


class InvalidStackName(InvalidOption):
    """A stack name that cannot be a file or object name."""


class InvalidProgram(EngineError):
    """The program declared something the engine or a provider refuses before any change:
    exit code 2 (invalid input), nothing was touched by that resource."""


class UnsupportedResourceOption(InvalidProgram):
    """The program asked for a Pulumi resource option the embedded engine does not implement."""


class ProviderNotRegistered(InvalidProgram):
    """No provider class is registered for a resource type token."""


class InvalidResourceInputs(InvalidProgram):
    """A provider's `check` refused a resource's inputs."""


class StateLocked(EngineError):
    """Another run holds the stack's lock and did not release it in time."""


class StateCorrupt(EngineError):
    """The state file exists but cannot be read as a civicloud checkpoint."""


class StateUnreachable(EngineError):
    """The state store cannot be reached or refuses access (S3 endpoint, bucket, credentials)."""


class SecretsError(EngineError):
    """The state holds secrets and the passphrase is missing or wrong."""


class PendingOperations(EngineError):
    """A previous run was interrupted mid-step and the engine cannot settle it on its own."""


class EngineUnavailable(InvalidOption):
    """The requested engine cannot run on this machine (e.g. no Pulumi CLI on PATH)."""


class ForeignState(EngineError):
    """The stack's state was written by the other engine; mixing them would lose resources."""
