"""The embedded engine: Pulumi's gRPC protocol served by civicloud, no Pulumi CLI needed."""

from civicloud.engine.embedded.engine import EmbeddedEngine

__all__ = ["EmbeddedEngine"]
