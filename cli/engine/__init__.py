"""Engines that run Pulumi programs: embedded (gRPC) and pulumi (Automation API); state, locks.

    base.py        the Engine interface: preview / up / destroy / outputs -> Plan, Result, Step
    select.py      --engine auto|embedded|pulumi;  factory.py: build the chosen engine
    embedded/      Pulumi's ResourceMonitor served in-process; the SDK runs the program
    automation.py  the same program through the Pulumi CLI (Automation API), where installed
    registry.py    type token -> provider class (how the embedded engine finds providers)
    state/         checkpoint format (deployment v3), local and S3 stores with locks, --state
    secrets.py     passphrase encryption of secrets in state (Pulumi-compatible)
"""
