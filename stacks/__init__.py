"""Pulumi programs and their dynamic providers (import civicloud.stacks)."""
