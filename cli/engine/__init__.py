"""Engines that run Pulumi programs: embedded (gRPC) and pulumi (Automation API); state, locks."""
