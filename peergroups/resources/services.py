"""Writes on the resource library: share, edit, attach a file, withdraw, vote.

Each service checks every rule of its write (who may, what state, what bounds) and
raises a domain error from peergroups.errors with a sentence a person can read. The
caller resolves the resource through `selectors.resource_for_user` first.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from peergroups.accounts.models import User
from peergroups.accounts.throttle import Rule, throttle_check, throttle_hit
from peergroups.audit.services import audit_record
from peergroups.errors import Conflict, Invalid, Refused
from peergroups.organizations.access import OrgAccess
from peergroups.people.vocabulary import AREA_KEYS, AREA_WORDS
from peergroups.resources import search
from peergroups.resources.models import (
    FILE_NAME_MAX,
    FILE_TEXT_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    TOPICS_MAX,
    TOPICS_MIN,
    URL_MAX,
    Kind,
    Resource,
    ResourceTopic,
    ResourceVote,
    Scope,
    TextStatus,
)
from peergroups.resources.selectors import may_edit, may_withdraw, readable_groups
from peergroups.resources.tasks import resource_text_extract
from peergroups.textlimits import text_check

logger = logging.getLogger(__name__)


def upload_rules() -> list[Rule]:
    """Per-person upload limits, read from the settings when used."""
    return [
        Rule(
            "resources:uploads-hour",
            settings.RESOURCE_UPLOADS_PER_HOUR,
            timedelta(hours=1),
            gettext("You have attached many files in the last hour. Wait a while and try again."),
        ),
        Rule(
            "resources:uploads-day",
            settings.RESOURCE_UPLOADS_PER_DAY,
            timedelta(days=1),
            gettext("You have attached many files today. Try again tomorrow."),
        ),
    ]


# Extension -> (content type served, how to recognise the bytes). Anything else is refused.
PDF, ZIP, TEXT = "pdf", "zip", "text"
PDF_TYPE = "application/pdf"
FILE_TYPES = {
    ".pdf": (PDF_TYPE, PDF),
    ".txt": ("text/plain; charset=utf-8", TEXT),
    ".md": ("text/markdown; charset=utf-8", TEXT),
    ".csv": ("text/csv; charset=utf-8", TEXT),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ZIP),
    ".odt": ("application/vnd.oasis.opendocument.text", ZIP),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", ZIP),
}
# A PDF's text is read by a task with limits (resources/tasks.py, extract.py), never here.


MEGABYTE = 1024 * 1024


def file_max_bytes() -> int:
    """The largest file a member may attach (the upload limit, stated once in settings)."""
    return settings.RESOURCE_FILE_MAX_BYTES


def size_in_words(size: int) -> str:
    """10485760 -> "10 MB"; 1536000 -> "1.5 MB"."""
    return f"{size / MEGABYTE:.1f}".removesuffix(".0") + " MB"


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    name: str
    content_type: str
    text: str


NO_TITLE = gettext_lazy("Give the resource a title.")
NO_SUMMARY = gettext_lazy("Give the resource a summary.")


# --- checks ----------------------------------------------------------------------------


def _clean_topics(topics: list[str]) -> list[str]:
    unknown = [t for t in topics if t not in AREA_KEYS]
    if unknown:
        raise Invalid(
            gettext("Unknown topic: %(items)s.") % {"items": ", ".join(unknown)}, field="topics"
        )
    cleaned = list(dict.fromkeys(topics))
    if not TOPICS_MIN <= len(cleaned) <= TOPICS_MAX:
        raise Invalid(
            gettext("Choose %(topics_min)s to %(topics_max)s topics.")
            % {"topics_min": TOPICS_MIN, "topics_max": TOPICS_MAX},
            field="topics",
        )
    return cleaned


def _clean_url(url: str) -> str:
    url = text_check(url, field="url", limit=URL_MAX)
    if url and not url.lower().startswith(("https://", "http://")):
        raise Invalid(gettext("The link must start with https:// or http://."), field="url")
    return url


def file_check(upload: UploadedFile) -> CheckedFile:
    """Size, type (by extension and by the first bytes) and, for text and PDF, the text."""
    name = (upload.name or "file").replace("\\", "/").rsplit("/", 1)[-1][-FILE_NAME_MAX:]
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in FILE_TYPES:
        allowed = ", ".join(sorted(FILE_TYPES))
        raise Invalid(
            gettext("Files of this type cannot be shared; allowed: %(allowed)s.")
            % {"allowed": allowed},
            field="file",
        )
    if upload.size > file_max_bytes():
        megabytes = file_max_bytes() / (1024 * 1024)
        raise Invalid(
            gettext("The file is larger than %(megabytes)s MB.")
            % {"megabytes": format(megabytes, "g")},
            field="file",
        )
    if upload.size == 0:
        raise Invalid(gettext("The file is empty."), field="file")
    content_type, shape = FILE_TYPES[extension]
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if shape == PDF and not head.startswith(b"%PDF-"):
        raise Invalid(gettext("This file does not look like a PDF."), field="file")
    if shape == ZIP and not head.startswith(b"PK\x03\x04"):
        raise Invalid(gettext("This file does not look like an office document."), field="file")
    text = ""
    if shape == TEXT:
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid(gettext("Text files must be UTF-8 encoded."), field="file") from None
        finally:
            upload.seek(0)
    return CheckedFile(
        upload=upload, name=name, content_type=content_type, text=text[:FILE_TEXT_MAX]
    )


def _may_share(*, user: User, access: OrgAccess) -> None:
    if not (access.is_member or access.is_facilitator):
        raise Refused(gettext("Members and facilitators share resources; program admins do not."))


def _group_for_share(*, user: User, access: OrgAccess, group_id: int | None):
    if group_id is None:
        return None
    group = next((g for g in readable_groups(user=user, access=access) if g.pk == group_id), None)
    if group is None:
        raise Refused(gettext("You can share with a group only as its member or facilitator."))
    return group


def _topics_text(topics: list[str]) -> str:
    # Indexed for search: the same words whoever saved the resource, in whatever language.
    return " ".join(AREA_WORDS[t] for t in topics)


def _set_topics(resource: Resource, topics: list[str]) -> None:
    ResourceTopic.objects.filter(resource=resource).exclude(topic__in=topics).delete()
    ResourceTopic.objects.bulk_create(
        [
            ResourceTopic(resource=resource, organization_id=resource.organization_id, topic=t)
            for t in topics
        ],
        ignore_conflicts=True,
    )


# --- writes ----------------------------------------------------------------------------


@transaction.atomic
def resource_share(
    *,
    user: User,
    access: OrgAccess,
    kind: str,
    title: str,
    summary: str,
    topics: list[str],
    scope: str,
    group_id: int | None = None,
    url: str = "",
    upload: UploadedFile | None = None,
) -> Resource:
    """Share a practice, tool, article (a link) or template (a file).

    `scope` group needs `group_id`, a group the user reads; scope organization may name
    the group it was shared in (the meeting's resource share).
    """
    _may_share(user=user, access=access)
    if kind not in Kind.values:
        raise Invalid(gettext("Choose what kind of resource this is."), field="kind")
    if scope not in Scope.values:
        raise Invalid(gettext("Choose who the resource is shared with."), field="scope")
    if scope == Scope.GROUP and group_id is None:
        raise Invalid(gettext("Choose the group to share with."), field="scope")
    group = _group_for_share(user=user, access=access, group_id=group_id)
    title = text_check(title, field="title", limit=TITLE_MAX, blank=NO_TITLE)
    summary = text_check(summary, field="summary", limit=SUMMARY_MAX, blank=NO_SUMMARY)
    topics = _clean_topics(topics)
    url = _clean_url(url)
    if upload is not None:
        _upload_allowed(user)
    checked = file_check(upload) if upload is not None else None
    if not url and checked is None:
        raise Invalid(gettext("Add a link or attach a file."), field="url")
    now = timezone.now()
    resource = Resource(
        organization=access.organization,
        group=group,
        scope=scope,
        kind=kind,
        title=title,
        summary=summary,
        url=url,
        topics=topics,
        topics_text=_topics_text(topics),
        shared_by=user,
        created_at=now,
        updated_at=now,
    )
    if checked is not None:
        _attach(resource, checked)
    resource.save()
    _set_topics(resource, topics)
    search.resource_index(resource=resource)
    audit_record(
        organization=access.organization,
        actor=user,
        action="resource_share",
        target=resource,
        before={},
        after={"scope": scope, "group_id": resource.group_id},
        actor_withheld=scope == Scope.GROUP,  # a group's own resource: admins cannot see it
    )
    return resource


def _upload_allowed(user: User) -> None:
    """Per-person upload limits (each upload is stored, checked and read by a task)."""
    checks = [(rule, str(user.pk)) for rule in upload_rules()]
    throttle_check(*checks)
    throttle_hit(*checks)


def _attach(resource: Resource, checked: CheckedFile) -> None:
    old = resource.file.name if resource.file else ""
    resource.file.save(checked.name, checked.upload, save=False)
    resource.file_name = checked.name
    resource.file_size = checked.upload.size
    resource.file_type = checked.content_type
    resource.file_text = checked.text
    resource.text_status = TextStatus.PENDING if checked.content_type == PDF_TYPE else ""
    resource.text_note = ""
    if resource.text_status:
        # Searchable by its text once the task has read it; the upload answers now.
        transaction.on_commit(lambda: resource_text_extract.enqueue(resource.pk))
    if old:
        # The old file goes once the new row is committed; a rollback keeps it.
        storage = resource.file.storage
        transaction.on_commit(lambda: storage.delete(old))


@transaction.atomic
def resource_edit(
    *,
    user: User,
    access: OrgAccess,
    resource: Resource,
    kind: str,
    title: str,
    summary: str,
    topics: list[str],
    url: str = "",
    scope: str | None = None,
    upload: UploadedFile | None = None,
) -> Resource:
    """Change what the resource says; only the person who shared it may."""
    if not may_edit(resource, user):
        raise Refused(gettext("Only the person who shared a resource can edit it."))
    if resource.is_withdrawn:
        raise Conflict(gettext("This resource was withdrawn; it cannot be edited."))
    if kind not in Kind.values:
        raise Invalid(gettext("Choose what kind of resource this is."), field="kind")
    scope_before = resource.scope
    scope = scope or resource.scope
    if scope not in Scope.values:
        raise Invalid(gettext("Choose who the resource is shared with."), field="scope")
    if scope == Scope.GROUP and resource.group_id is None:
        raise Invalid(gettext("This resource was not shared in a group."), field="scope")
    resource.kind = kind
    resource.title = text_check(title, field="title", limit=TITLE_MAX, blank=NO_TITLE)
    resource.summary = text_check(summary, field="summary", limit=SUMMARY_MAX, blank=NO_SUMMARY)
    resource.topics = _clean_topics(topics)
    resource.topics_text = _topics_text(resource.topics)
    resource.url = _clean_url(url)
    resource.scope = scope
    if upload is not None:
        _upload_allowed(user)
        _attach(resource, file_check(upload))
    if not resource.url and not resource.file:
        raise Invalid(gettext("Add a link or attach a file."), field="url")
    resource.updated_at = timezone.now()
    resource.save()
    _set_topics(resource, resource.topics)
    search.resource_index(resource=resource)
    audit_record(
        organization=access.organization,
        actor=user,
        action="resource_edit",
        target=resource,
        before={"scope": scope_before},
        after={"scope": scope},
        actor_withheld=Scope.GROUP in (scope, scope_before),
    )
    return resource


@transaction.atomic
def resource_withdraw(*, user: User, access: OrgAccess, resource: Resource) -> Resource:
    """Take a resource out of the library. Its sharer may; so may an admin for an
    organization-wide one and the group's facilitator for a group's one."""
    if not may_withdraw(resource, user, access):
        raise Refused(gettext("Only the person who shared this resource can withdraw it."))
    claimed = Resource.objects.filter(pk=resource.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )
    if not claimed:
        raise Conflict(gettext("This resource was already withdrawn."))
    resource.refresh_from_db(fields=["withdrawn_at"])
    audit_record(
        organization=access.organization,
        actor=user,
        action="resource_withdraw",
        target=resource,
        before={"withdrawn": False},
        after={"withdrawn": True},
        actor_withheld=resource.scope == Scope.GROUP,
    )
    return resource


@transaction.atomic
def resource_vote_set(*, user: User, resource: Resource, useful: bool) -> int:
    """Say the resource was useful (or take it back); returns the new count.

    One vote per person (a unique constraint); the count on the resource moves in the
    same transaction with conditional updates, so concurrent votes keep it exact.
    """
    if resource.shared_by_id == user.pk:
        raise Refused(gettext("You cannot vote for a resource you shared."))
    if resource.is_withdrawn:
        raise Conflict(gettext("This resource was withdrawn."))
    if useful:
        try:
            with transaction.atomic():
                ResourceVote.objects.create(resource=resource, voter=user)
        except IntegrityError:
            pass  # already voted: saying it twice changes nothing
        else:
            Resource.objects.filter(pk=resource.pk).update(useful_count=F("useful_count") + 1)
    else:
        deleted, _ = ResourceVote.objects.filter(resource=resource, voter=user).delete()
        if deleted:
            Resource.objects.filter(pk=resource.pk, useful_count__gt=0).update(
                useful_count=F("useful_count") - 1
            )
    resource.refresh_from_db(fields=["useful_count"])
    resource.voted = useful
    return resource.useful_count
