"""Playwright drives Debian's Chromium (/usr/bin/chromium) against a live server.

Without that browser the tests skip with a message; under CI (CI=true) or with
REQUIRE_BROWSER=1 a missing browser fails instead, so CI cannot pass without them.
"""

import os
import threading
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


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, serving one request per connection, stopped cleanly.

    The server hands the test's in-memory SQLite connection to each request thread and
    marks it shareable until it stops. With HTTP keep-alive, a request thread waits on
    Chromium's idle connection, outlives `stop()`, and then closes a connection that is
    no longer shareable ("DatabaseWrapper objects created in a thread can only be used
    in that same thread"). Closing each connection after its response ends every
    request thread with its request; at the end we wait for any still running before
    taking the sharing back.
    """
    from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler
    from pytest_django.live_server_helper import LiveServer

    class OneRequestHandler(QuietWSGIRequestHandler):
        protocol_version = "HTTP/1.0"

    class Thread(LiveServerThread):
        def _create_server(self, connections_override=None):
            return self.server_class(
                (self.host, self.port),
                OneRequestHandler,
                allow_reuse_address=False,
                connections_override=connections_override,
            )

    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(addr, start=False)
    original = server.thread
    server.thread = Thread(
        original.host,
        static_handler=original.static_handler,
        connections_override=original.connections_override,
        port=original.port,
    )
    server.thread.daemon = True
    server.start()
    yield server
    server.thread.terminate()
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=10)
    for connection in server.thread.connections_override.values():
        connection.dec_thread_sharing()
