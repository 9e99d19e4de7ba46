"""Reads of the resource library; the one place that decides who may see a resource.

- Organization-wide resources: everyone with a role in the organization.
- A group's resources: that group's members (once they accepted its confidentiality
  agreement) and its facilitator. Never the organization's admins: a group's resources
  are group content.
- Another organization's resources: 404. Withdrawn ones: 410 to those who could see them.

`resources_visible` is the queryset every list, search, count and snippet starts from.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from peergroups.accounts.models import User
from peergroups.errors import Gone, NotFound, Refused
from peergroups.groups.models import PeerGroup
from peergroups.meetings.models import Meeting, MeetingStatus
from peergroups.meetings.selectors import agreement_accepted
from peergroups.organizations.access import OrgAccess
from peergroups.organizations.models import Organization
from peergroups.resources import search
from peergroups.resources.models import Resource, ResourceVote, Scope

PAGE_SIZE = 20


def readable_groups(*, user: User, access: OrgAccess) -> list[PeerGroup]:
    """The groups whose shared resources this user may read: facilitated ones, and
    those they are a member of once they accepted the group's current agreement."""
    groups = list(
        PeerGroup.objects.filter(organization=access.organization)
        .filter(Q(facilitator=user) | Q(memberships__user=user))
        .distinct()
        .order_by("-cycle", "name")
    )
    return [
        group
        for group in groups
        if group.facilitator_id == user.pk or agreement_accepted(group=group, user=user)
    ]


def resources_visible(
    *, user: User, access: OrgAccess, group_ids: list[int] | None = None
) -> QuerySet[Resource]:
    """Every resource the user may see, not withdrawn, with `voted` annotated."""
    if group_ids is None:
        group_ids = [g.pk for g in readable_groups(user=user, access=access)]
    return (
        Resource.objects.filter(organization=access.organization, withdrawn_at__isnull=True)
        .filter(search.visible_q(group_ids))
        .select_related("shared_by", "group", "organization")
        .annotate(voted=Exists(ResourceVote.objects.filter(resource=OuterRef("pk"), voter=user)))
    )


def resource_for_user(*, user: User, access: OrgAccess, resource_id: int) -> Resource:
    """The resource, or NotFound / Refused / Gone with the reason."""
    resource = (
        Resource.objects.select_related("shared_by", "group", "organization")
        .filter(organization=access.organization, pk=resource_id)
        .annotate(voted=Exists(ResourceVote.objects.filter(resource=OuterRef("pk"), voter=user)))
        .first()
    )
    if resource is None:
        raise NotFound(gettext("No such resource."))
    if resource.scope == Scope.GROUP:
        readable = {g.pk for g in readable_groups(user=user, access=access)}
        if resource.group_id not in readable:
            raise Refused(
                gettext(
                    "This resource was shared within one group: only its members (once they "
                    "accepted the group's agreement) and its facilitator can open it."
                )
            )
    if resource.is_withdrawn:
        raise Gone(gettext("This resource was withdrawn by the person who shared it."))
    return resource


def may_edit(resource: Resource, user: User) -> bool:
    return resource.shared_by_id == user.pk


def may_withdraw(resource: Resource, user: User, access: OrgAccess) -> bool:
    if resource.shared_by_id == user.pk:
        return True
    if resource.scope == Scope.ORGANIZATION:
        return access.is_admin
    return resource.group is not None and resource.group.facilitator_id == user.pk


@dataclass
class LibraryPage:
    resources: list[Resource]
    count: int
    page: int
    pages: int
    query: str = ""
    corrected: str = ""
    any_word: bool = False


def library(
    *,
    user: User,
    access: OrgAccess,
    query: str = "",
    topic: str = "",
    scope: str = "",
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> LibraryPage:
    """The library as this viewer sees it: filtered, searched when there is a query
    (best match first), otherwise most useful first. Bounded queries per page."""
    groups = readable_groups(user=user, access=access)
    group_ids = [g.pk for g in groups]
    visible = resources_visible(user=user, access=access, group_ids=group_ids)
    if topic:
        visible = visible.filter(topic_rows__topic=topic)
    if scope in Scope.values:
        visible = visible.filter(scope=scope)
    page = max(1, page)
    start = (page - 1) * page_size
    parsed = None
    any_word = False
    if query.strip():
        parsed = search.parse(
            query,
            organization_id=access.organization.pk,
            scope_keys=search.scope_keys_for(group_ids),
            visible=visible,
        )
        results = search.ranked(visible, parsed)
        count = results.count()
        if count == 0 and len(parsed.terms) > 1:
            # Nothing has every word: show what has some of them, best first.
            results = search.ranked(visible, parsed, any_word=True)
            count = results.count()
            any_word = True
        rows = results.page(start, start + page_size)
        for resource in rows:
            resource.snippet = search.snippet(resource, parsed.terms)
    else:
        results = visible.order_by("-useful_count", "-created_at", "pk")
        count = results.count()
        rows = list(results.defer("file_text")[start : start + page_size])
    return LibraryPage(
        resources=rows,
        count=count,
        page=page,
        pages=max(1, -(-count // page_size)),
        query=query.strip(),
        corrected=parsed.corrected if parsed and count else "",
        any_word=any_word,
    )


def shared_since_last_meeting(*, meeting: Meeting) -> tuple[datetime | None, QuerySet[Resource]]:
    """What the meeting's group shared since its previous meeting (the agenda's resource
    share step): the start of that previous meeting and the resources, newest first.

    The caller has resolved the meeting through meetings.selectors for a group member
    or the facilitator, so the group's own resources are theirs to see.
    """
    previous = (
        Meeting.objects.filter(group_id=meeting.group_id, starts_at__lt=meeting.starts_at)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    until = max(meeting.ends_at, timezone.now())
    shared = Resource.objects.filter(
        group_id=meeting.group_id, withdrawn_at__isnull=True, created_at__lte=until
    )
    if previous is not None:
        shared = shared.filter(created_at__gte=previous)
    return previous, shared.select_related("shared_by").order_by("-created_at", "-pk")


def resources_for_export(*, organization: Organization) -> QuerySet[Resource]:
    """The organization's library for an export: organization-wide resources only.

    A group's resources are group content and stay out of any export, whoever runs it.
    """
    return (
        Resource.objects.filter(
            organization=organization,
            scope=Scope.ORGANIZATION,
            withdrawn_at__isnull=True,
        )
        .select_related("shared_by")
        .order_by("pk")
    )
