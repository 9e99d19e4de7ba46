"""Issue 10, defects 8 and 9: bounded request bodies, JSON errors for the API, a strict
Content-Security-Policy with no inline script in any template, and no caching of pages
that show secrets."""

import io
import re
from pathlib import Path

from django.core.handlers.wsgi import WSGIHandler
from django.urls import reverse

from peergroups.api.tests.helpers import bearer

ROOT = Path(__file__).resolve().parent.parent
SIXTY_MB = 60 * 1024 * 1024


class CountingInput(io.RawIOBase):
    """A request body of `size` bytes that records how much of it the server read."""

    def __init__(self, size: int):
        self.size = size
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = min(len(buffer), self.size - self.read_bytes)
        buffer[:count] = b"a" * count
        self.read_bytes += count
        return count


def wsgi_post(
    path: str, body: CountingInput, content_type: str, **extra
) -> tuple[str, dict, bytes]:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BufferedReader(body),
        "CONTENT_LENGTH": str(body.size),
        "CONTENT_TYPE": content_type,
        **extra,
    }
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured["status"] = status
        captured["headers"] = dict(headers)

    content = b"".join(WSGIHandler()(environ, start_response))
    return captured["status"], captured["headers"], content


def test_sixty_mb_upload_is_refused_before_it_is_read(cast):
    body = CountingInput(SIXTY_MB)
    status, _headers, content = wsgi_post(
        reverse("people-import", kwargs={"org_slug": "acme"}),
        body,
        "multipart/form-data; boundary=xyz",
    )
    assert status.startswith("413")
    assert b"too large" in content
    assert body.read_bytes == 0


def test_api_body_over_the_limit_answers_json_413(cast):
    body = CountingInput(SIXTY_MB)
    status, headers, content = wsgi_post("/api/me", body, "application/json")
    assert status.startswith("413")
    assert headers["Content-Type"] == "application/json"
    assert b'"detail"' in content and body.read_bytes == 0


def test_api_body_over_djangos_memory_limit_answers_json_413(client, cast, settings):
    """A body under MAX_REQUEST_BYTES but over DATA_UPLOAD_MAX_MEMORY_SIZE: Django raises
    RequestDataTooBig inside the handler, and the API's error mapping answers."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = client.post(
        reverse(
            "api:api-formation-start", kwargs={"org_slug": "acme", "program_id": cast.program.pk}
        ),
        data='{"mode": "new_cycle", "padding": "' + "x" * 4096 + '"}',
        content_type="application/json",
        **bearer(cast.admin),
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is too large."}


def test_anonymous_api_post_answers_401_not_csrf_403(client, cast):
    response = client.post(
        reverse(
            "api:api-formation-start", kwargs={"org_slug": "acme", "program_id": cast.program.pk}
        ),
        data={"mode": "new_cycle"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert "CSRF" not in response.json()["detail"]


def test_signed_in_session_post_without_csrf_is_still_refused(cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.admin)
    response = client.post(
        reverse(
            "api:api-formation-start", kwargs={"org_slug": "acme", "program_id": cast.program.pk}
        ),
        data={"mode": "new_cycle"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_pages_carry_a_strict_content_security_policy(client, cast):
    client.force_login(cast.member)
    response = client.get(reverse("organizations-dashboard", kwargs={"org_slug": "acme"}))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_no_template_has_inline_script_style_or_event_handler():
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|<style\b|\son[a-z]+\s*=|"
        r"\sstyle\s*=|javascript:|hx-on"
    )
    # E-mails' HTML (templates/email/) is no page under the CSP: mail clients drop style
    # sheets, so its styles are inline (ops.mail); no view renders it.
    email_layouts = ROOT / "templates" / "email"
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in (ROOT / "templates").rglob("*.html")
        if email_layouts not in path.parents
        for match in inline.finditer(path.read_text())
    ]
    assert offenders == []


def test_pages_that_show_secrets_are_not_cached(client, cast):
    client.force_login(cast.member)
    tokens = client.post(reverse("api-tokens"), {"name": "laptop"})
    assert "pg_" in tokens.content.decode()
    assert "no-store" in tokens["Cache-Control"]
    calendar = client.post(
        reverse("meetings-calendar", kwargs={"org_slug": "acme"}), {"action": "regenerate"}
    )
    assert "/calendar/" in calendar.content.decode()
    assert "no-store" in calendar["Cache-Control"]


def test_https_settings_in_production(settings):
    """The settings module's production defaults (checked end to end by check --deploy)."""
    from tests.test_settings import PRODUCTION, run_check

    result = run_check("--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
