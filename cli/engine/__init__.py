"""Engines that run the Pulumi programs: embedded (gRPC) and pulumi (Automation API); state, locks."""
