"""Attached files: limits, text extraction, served only to those who may see them; the
library export."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from peergroups.errors import Invalid
from peergroups.resources.models import Resource


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF whose content stream shows `text` (enough for pypdf to read)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
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


def test_pdf_text_is_extracted_for_search(
    share, accepted, run_tasks, django_capture_on_commit_callbacks
):
    pdf = SimpleUploadedFile("guide.pdf", minimal_pdf("Onboarding buddy programme"))
    with django_capture_on_commit_callbacks(execute=True):
        resource = share(accepted.member, url="", upload=pdf)
    run_tasks()  # the text is read by a task, not in the request
    resource.refresh_from_db()
    assert "buddy programme" in resource.file_text
    assert resource.file_type == "application/pdf"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("tool.exe", b"MZ....", "cannot be shared"),
        ("fake.pdf", b"<html>not a pdf</html>", "does not look like a PDF"),
        ("fake.docx", b"plain text", "office document"),
        ("latin1.txt", "caf\xe9".encode("latin-1"), "UTF-8"),
        ("empty.md", b"", "empty"),
    ],
)
def test_file_type_is_checked_by_name_and_bytes(share, accepted, name, content, reason):
    with pytest.raises(Invalid, match=reason) as refused:
        share(accepted.member, url="", upload=SimpleUploadedFile(name, content))
    assert refused.value.field == "file"
    assert not Resource.objects.exists()


def test_file_size_is_limited(share, accepted, settings):
    settings.RESOURCE_FILE_MAX_BYTES = 1024
    with pytest.raises(Invalid, match="larger than"):
        share(accepted.member, url="", upload=SimpleUploadedFile("big.txt", b"x" * 2048))


def test_share_page_keeps_input_when_the_file_is_refused(accepted, client):
    client.force_login(accepted.member)
    response = client.post(
        reverse("resources-share", args=["acme"]),
        {
            "title": "My template",
            "kind": "template",
            "summary": "Useful.",
            "topics": ["hiring"],
            "share_with": f"group:{accepted.group.pk}",
            "file": SimpleUploadedFile("evil.exe", b"MZ"),
        },
    )
    assert response.status_code == 422
    assert b"cannot be shared" in response.content
    assert b'value="My template"' in response.content


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("member", 200),
        ("member2", 200),
        ("facilitator", 200),
        ("other_member", 403),
        ("other_facilitator", 403),
        ("admin", 403),
        ("outsider", 404),
    ],
)
def test_group_file_is_served_only_to_the_group(share, accepted, client, media_root, role, status):
    resource = share(
        accepted.member,
        url="",
        group=accepted.group,
        upload=SimpleUploadedFile("plan.md", b"# Secret plan"),
    )
    # Stored through the storage API under MEDIA_ROOT, not under any public URL.
    assert (media_root / resource.file.name).exists()
    client.force_login(getattr(accepted, role))
    for url in (
        reverse("resources-file", args=["acme", resource.pk]),
        reverse("api:api-resources-file", kwargs={"org_slug": "acme", "resource_id": resource.pk}),
    ):
        response = client.get(url)
        assert response.status_code == status, (url, role)
        if status == 200:
            assert b"".join(response.streaming_content) == b"# Secret plan"
            assert response["Content-Disposition"].startswith("attachment")
            assert "sandbox" in response["Content-Security-Policy"]


def test_export_has_organization_resources_only(share, accepted, tmp_path, capsys):
    share(
        accepted.member,
        title="For everyone",
        url="",
        upload=SimpleUploadedFile("notes.md", b"hello"),
    )
    share(accepted.member, title="Group secret", group=accepted.group)
    out = tmp_path / "library.jsonl"
    call_command("export_resources", "acme", output=str(out), files=str(tmp_path / "files"))
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["title"] for r in rows] == ["For everyone"]
    assert (tmp_path / "files" / rows[0]["file"]).read_bytes() == b"hello"
