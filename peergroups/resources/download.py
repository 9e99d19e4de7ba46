"""Serving an attached file, for the page and the API alike (access is checked before)."""

from django.http import FileResponse
from django.utils.translation import gettext

from peergroups.errors import NotFound
from peergroups.resources.models import Resource


def file_response(resource: Resource) -> FileResponse:
    if not resource.file:
        raise NotFound(gettext("This resource has no file."))
    response = FileResponse(
        resource.file.open("rb"),
        as_attachment=True,
        filename=resource.file_name,
        content_type=resource.file_type,
    )
    # A file is the sharer's bytes: a browser must never run it as a page of ours.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
