"""Policy gate: Rego rules evaluated in-process with regopy."""

from civicloud.policy.gate import Finding, GateResult, PolicyError, Waiver, evaluate, load_rules

__all__ = ["Finding", "GateResult", "PolicyError", "Waiver", "evaluate", "load_rules"]
