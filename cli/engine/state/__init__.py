"""State stores and the checkpoint format."""
