"""Peergroups: run peer support groups for managers."""

# The release: pyproject.toml's version and CHANGELOG.md's latest entry say the same
# (tests/test_upgrades.py); /metrics shows it.
__version__ = "0.3.0"
