"""Shared helpers for the engine tests: where the MDGPLIB subset lives."""

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
MDGP_DIR = (REPO_ROOT / ".." / "shared" / "benchmarks" / "mdgp").resolve()


@pytest.fixture(scope="session")
def mdgp_dir() -> Path:
    if not (MDGP_DIR / "instances").is_dir():
        pytest.skip(f"MDGPLIB subset not found at {MDGP_DIR} (expected ../shared next to the repo)")
    return MDGP_DIR
