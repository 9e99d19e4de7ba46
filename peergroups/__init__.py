"""Peergroups: run peer support groups for managers."""
