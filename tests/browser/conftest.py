"""Playwright drives Debian's Chromium (/usr/bin/chromium) against a live server.

Without that browser the tests skip with a message; under CI (CI=true) or with
REQUIRE_BROWSER=1 a missing browser fails instead, so CI cannot pass without them.
"""

import os
from pathlib import Path

import pytest

from peergroups.env import env_bool

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make to arrange data are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    message = (
        f"Chromium not found at {CHROMIUM}: install Debian's 'chromium' package "
        "(make test does so when run as root) or set CHROMIUM_PATH"
    )
    if env_bool("CI", False) or env_bool("REQUIRE_BROWSER", False):
        raise pytest.UsageError(message + " — browser tests are required here.")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=message))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def screenshot():
    def take(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
