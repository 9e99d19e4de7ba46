"""Peergroups grouping engine (no Django imports)."""
