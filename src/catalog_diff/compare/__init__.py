"""Snapshot x Snapshot -> Comparison, pure: pairing tiers and facets, roll-ups, gates."""
