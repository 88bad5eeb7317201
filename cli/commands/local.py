"""`civicloud local up|down|status|logs`: the same code as scripts/local-cloud."""

from civicloud.localcloud.cli import group as command

__all__ = ["command"]
