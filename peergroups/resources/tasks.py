"""Background work of the library: a PDF's text, extracted with limits after upload."""

import logging

from django.conf import settings
from django.db import transaction
from django_tasks import task

from peergroups.resources.extract import FAILED, extract_limited
from peergroups.resources.models import FILE_TEXT_MAX, Resource, TextStatus
from peergroups.resources.search import resource_index

logger = logging.getLogger(__name__)

PDF_PAGES_READ = 20  # at most this many pages: cheap, and enough to find a document


def resource_text_extract_now(resource_id: int) -> str:
    """Extract the text of the resource's PDF and make it searchable; returns the status.

    Runs in a task worker: the upload answered at once. A file replaced meanwhile is
    left to its own task (the name must still match)."""
    resource = Resource.objects.filter(pk=resource_id, withdrawn_at__isnull=True).first()
    if resource is None or not resource.file or resource.text_status != TextStatus.PENDING:
        return ""
    name = resource.file.name
    with resource.file.open("rb") as handle:
        data = handle.read()
    extracted = extract_limited(
        data,
        pages=PDF_PAGES_READ,
        chars=FILE_TEXT_MAX,
        seconds=settings.RESOURCE_TEXT_SECONDS,
        memory_mb=settings.RESOURCE_TEXT_MEMORY_MB,
    )
    if extracted.status == FAILED:
        logger.warning("resource %s: no text extracted: %s", resource_id, extracted.reason)
    with transaction.atomic():
        locked = Resource.objects.select_for_update().filter(pk=resource_id, file=name).first()
        if locked is None:
            return ""
        locked.file_text = extracted.text
        locked.text_status = extracted.status
        locked.text_note = extracted.reason[:200]
        locked.save(update_fields=["file_text", "text_status", "text_note"])
        resource_index(resource=locked)
    return extracted.status


@task()
def resource_text_extract(resource_id: int) -> str:
    return resource_text_extract_now(resource_id)
