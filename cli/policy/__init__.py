"""Policy gate: Rego rules evaluated in-process with regopy."""
