"""The consistency audit of one catalog."""
