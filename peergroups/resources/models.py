"""The resource library: practices, tools, articles and templates members share.

A resource is shared with one group (confidential, like the group's issues) or with the
whole organization. Who may see one is decided in `selectors.resource_for_user` and
`selectors.resources_visible`, nowhere else. Files go through Django's storage API and
are served by a view that checks access, never from a public URL.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from peergroups.groups.models import PeerGroup
from peergroups.organizations.models import Organization
from peergroups.people.vocabulary import AREA_LABELS

# Bounds, defined once: forms, API schemas and services read them from here.
TITLE_MAX = 160
SUMMARY_MAX = 2000
URL_MAX = 500
TOPICS_MIN = 1
TOPICS_MAX = 5
FILE_TEXT_MAX = 50_000  # characters of extracted text kept for search
FILE_NAME_MAX = 120


class Kind(models.TextChoices):
    PRACTICE = "practice", gettext_lazy("Practice")
    TOOL = "tool", gettext_lazy("Tool")
    ARTICLE = "article", gettext_lazy("Article")
    TEMPLATE = "template", gettext_lazy("Template")


class Scope(models.TextChoices):
    GROUP = "group", gettext_lazy("My group only")
    ORGANIZATION = "organization", gettext_lazy("The whole organization")


def resource_upload_to(resource: "Resource", filename: str) -> str:
    # A random folder per upload: names never collide and cannot be guessed from an id.
    name = PurePath(filename).name[-FILE_NAME_MAX:] or "file"
    return f"resources/{resource.organization_id}/{uuid.uuid4().hex}/{name}"


class TextStatus(models.TextChoices):
    NONE = "", gettext_lazy("No text")
    PENDING = "pending", gettext_lazy("Being read")
    DONE = "done", gettext_lazy("Read")
    CUT = "cut", gettext_lazy("Read in part (a limit was reached)")
    FAILED = "failed", gettext_lazy("Could not be read")


class Resource(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="resources"
    )
    # The group it was shared in. With scope=group only that group sees it; with
    # scope=organization it records where it came from (the meeting's resource share).
    # If the group is deleted, a group-scoped resource keeps no group and nobody sees it.
    group = models.ForeignKey(
        PeerGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="resources"
    )
    scope = models.CharField(max_length=20, choices=Scope.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=TITLE_MAX)
    summary = models.TextField(max_length=SUMMARY_MAX)
    url = models.URLField("link", max_length=URL_MAX, blank=True)
    file = models.FileField(upload_to=resource_upload_to, max_length=300, blank=True)
    file_name = models.CharField(max_length=FILE_NAME_MAX, blank=True)
    file_size = models.PositiveIntegerField(default=0)
    file_type = models.CharField(max_length=100, blank=True)
    # Plain text of the attached file (text, markdown, PDF), for search only.
    file_text = models.TextField(blank=True)
    # A PDF's text is extracted by a task after upload (resources/tasks.py): pending until
    # then; "cut" when a limit on pages or characters was reached; "failed" with the
    # reason (a decompression bomb, too slow) when nothing could be extracted.
    text_status = models.CharField(max_length=10, blank=True, default="", db_default="")
    text_note = models.CharField(max_length=200, blank=True, default="", db_default="")
    topics = models.JSONField(default=list)
    # Topic labels as words, kept by the services: what full-text search indexes.
    topics_text = models.CharField(max_length=500, blank=True)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resources_shared"
    )
    # Kept by the vote service in the vote's transaction; "most useful first" sorts on it.
    useful_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-useful_count", "-created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(file=""), name="resource_has_link_or_file"
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "withdrawn_at", "-useful_count", "-created_at"],
                name="resource_library_order",
            ),
            models.Index(fields=["group", "created_at"], name="resource_group_recent"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "resources-detail",
            kwargs={"org_slug": self.organization.slug, "resource_id": self.pk},
        )

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def topic_labels(self) -> list[str]:
        return [AREA_LABELS.get(key, key) for key in self.topics]


class ResourceTopic(models.Model):
    """One topic of one resource, as a row: filters and routing query topics in SQL."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="topic_rows")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    topic = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource", "topic"], name="resource_topic_unique")
        ]
        indexes = [models.Index(fields=["organization", "topic"], name="resource_topic_lookup")]

    def __str__(self) -> str:
        return f"{self.topic} on {self.resource_id}"


class ResourceVote(models.Model):
    """ "This was useful": one per person and resource."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource", "voter"], name="resource_vote_unique")
        ]

    def __str__(self) -> str:
        return f"{self.voter_id} found {self.resource_id} useful"


class SearchTerm(models.Model):
    """A word that occurs in resources of one scope, for typo-tolerant search.

    `scope_key` is "o" for organization-wide resources and "g<id>" for a group's, so a
    spelling suggestion only ever comes from words the viewer may see.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    scope_key = models.CharField(max_length=24)
    term = models.CharField(max_length=40)
    length = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "scope_key", "term"], name="search_term_unique"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "term"], name="search_term_prefix"),
            models.Index(fields=["organization", "length"], name="search_term_length"),
        ]

    def __str__(self) -> str:
        return f"{self.term} ({self.scope_key})"
