"""Expensive work never runs in a request (issue 21, row 3): a 72 KB PDF whose page
inflates to 70 MB of text took 20.6 s and about 1 GB in the web worker.

The upload answers at once; a task reads the PDF's text in a child process with limits
on pages, characters, CPU seconds and memory, so a decompression bomb is cut off and
reported; the resource becomes searchable when the task ends; each person's uploads
are limited per hour and per day (429 with Retry-After).
"""

import time
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from peergroups.resources import selectors
from peergroups.resources.extract import CUT, FAILED, extract_limited
from peergroups.resources.models import Resource
from peergroups.resources.tests.conftest import access_of

LINE = b"(" + b"A" * 90 + b") Tj\n"


def bomb_pdf(megabytes: float) -> bytes:
    """One page whose content stream is `megabytes` of text operators, deflated: a few
    hundred KB on disk."""
    raw = b"BT /F1 12 Tf 72 720 Td\n" + LINE * int(megabytes * 1024 * 1024 // len(LINE)) + b"ET"
    stream = zlib.compress(raw, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_a_decompression_bomb_is_cut_off_not_extracted():
    bomb = bomb_pdf(40)
    assert len(bomb) < 300_000
    result = extract_limited(bomb, pages=20, chars=50_000, seconds=5, memory_mb=160)
    assert result.status == FAILED and result.text == ""
    assert "MB" in result.reason or "longer" in result.reason


def test_the_character_limit_cuts_the_text():
    result = extract_limited(bomb_pdf(0.5), pages=20, chars=1_000, seconds=10, memory_mb=512)
    assert result.status == CUT and len(result.text) == 1_000


def test_the_upload_answers_at_once_and_the_task_reports_the_bomb(
    accepted, client, settings, run_tasks, django_capture_on_commit_callbacks
):
    settings.RESOURCE_TEXT_MEMORY_MB = 160
    settings.RESOURCE_TEXT_SECONDS = 5
    client.force_login(accepted.member)
    created = client.post(
        reverse("api:api-resources-create", args=["acme"]),
        {
            "kind": "template",
            "title": "Big plan",
            "summary": "A plan.",
            "topics": ["finance"],
            "scope": "organization",
            "url": "https://example.org/plan",
        },
        content_type="application/json",
    ).json()
    url = reverse("api:api-resources-file-upload", args=["acme", created["id"]])
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": SimpleUploadedFile("plan.pdf", bomb_pdf(40))})
    answered_in = time.monotonic() - started
    assert response.status_code == 200, response.content
    assert answered_in < 3, answered_in  # nothing is extracted in the request
    resource = Resource.objects.get(pk=created["id"])
    assert (resource.text_status, resource.file_text) == ("pending", "")
    run_tasks()
    resource.refresh_from_db()
    assert resource.text_status == "failed" and resource.text_note
    assert resource.file_text == ""


def test_a_pdf_becomes_searchable_when_the_task_ends(
    share, accepted, run_tasks, django_capture_on_commit_callbacks
):
    from peergroups.resources.tests.test_files_and_export import minimal_pdf

    pdf = SimpleUploadedFile("guide.pdf", minimal_pdf("Onboarding buddy programme"))
    with django_capture_on_commit_callbacks(execute=True):
        share(accepted.member, url="", upload=pdf, title="Guide")

    def found():
        viewer = accepted.member2
        return selectors.library(user=viewer, access=access_of(viewer), query="buddy").count

    assert found() == 0
    run_tasks()
    assert found() == 1


def test_uploads_have_hourly_and_daily_limits(accepted, client, settings):
    settings.RESOURCE_UPLOADS_PER_HOUR = 2
    client.force_login(accepted.member)
    url = reverse("resources-share", args=["acme"])

    def upload(n):
        return client.post(
            url,
            {
                "kind": "template",
                "title": f"Notes {n}",
                "summary": "Notes.",
                "topics": ["finance"],
                "share_with": "organization",
                "file": SimpleUploadedFile(f"notes{n}.md", b"# Notes"),
            },
        )

    assert upload(1).status_code == 302 and upload(2).status_code == 302
    refused = upload(3)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert Resource.objects.count() == 2
    settings.RESOURCE_UPLOADS_PER_HOUR = 100
    settings.RESOURCE_UPLOADS_PER_DAY = 2
    api = client.post(
        reverse("api:api-resources-file-upload", args=["acme", Resource.objects.first().pk]),
        {"file": SimpleUploadedFile("more.md", b"# More")},
    )
    assert api.status_code == 429 and "tomorrow" in api.json()["detail"]
    assert "Retry-After" in api
