"""Reads of groups that depend on who is asking; the one access function for a group."""

from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from django.db import connections, router
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from peergroups.accounts.models import User
from peergroups.errors import NotFound, Refused
from peergroups.formats import natural_key
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.organizations.access import OrgAccess
from peergroups.organizations.models import Program, Role
from peergroups.people.conflicts import conflicts_within
from peergroups.people.models import MemberProfile
from peergroups.statements import Columns, in_id_range, rows

FACILITATOR = "facilitator"
MEMBER = "member"


def user_group_ids(*, user: User, organization) -> QuerySet:
    """The ids of the groups the user belongs to or facilitates here, as a subquery.

    Filtering on `group__in=` this keeps the OR inside the small groups table: an OR
    across the membership join (`memberships__user=... | facilitator=...`) makes the
    database scan every membership of the organization and de-duplicate the result.
    """
    return _groups_of(user=user, organization=organization).values("pk")


def _groups_of(*, user: User, organization) -> QuerySet[PeerGroup]:
    return PeerGroup.objects.filter(
        Q(facilitator=user)
        | Q(pk__in=GroupMembership.objects.filter(user=user).values("group_id")),
        organization=organization,
    )


def groups_of_user(*, user: User, access: OrgAccess) -> QuerySet[PeerGroup]:
    """Groups the user belongs to or facilitates in this organization."""
    # The filter itself, not `pk__in=user_group_ids(...)`: the same rows without a
    # second level of subquery to build and compile on every dashboard.
    return (
        _groups_of(user=user, organization=access.organization)
        .select_related("program", "facilitator")
        .order_by("-cycle", "name")
    )


def groups_for_admin(
    *, access: OrgAccess, program_id: int | None = None, state: str = ""
) -> QuerySet[PeerGroup]:
    """The organization's groups for its admins (facts, never content): newest cycle
    first, then by name; `state` open or closed."""
    access.require(Role.ADMIN)
    groups = PeerGroup.objects.filter(organization=access.organization)
    if program_id is not None:
        groups = groups.filter(program_id=program_id)
    if state == "open":
        groups = groups.filter(closed_at__isnull=True)
    elif state == "closed":
        groups = groups.filter(closed_at__isnull=False)
    return groups.order_by("program_id", "-cycle", "name", "pk")


def group_role(*, user: User, group: PeerGroup) -> str | None:
    """FACILITATOR, MEMBER or None: the user's place in the group (not in the organization)."""
    if user is None or not user.is_authenticated:
        return None
    if group.facilitator_id == user.pk:
        return FACILITATOR
    if getattr(group, "viewer_id", None) == user.pk:  # group_for_user asked for this viewer
        return MEMBER if group.viewer_is_member else None
    if GroupMembership.objects.filter(group=group, user=user).exists():
        return MEMBER
    return None


def group_member_ids(*, group: PeerGroup) -> set[int]:
    return set(GroupMembership.objects.filter(group=group).values_list("user_id", flat=True))


def group_for_user(*, user: User, access: OrgAccess, group_id: int) -> PeerGroup:
    """The group, for its roster page: members, the facilitator and the organization's admins.

    Admins see the roster (they formed the group) but never its content; content goes
    through meetings.selectors.group_content_for_user. Another organization's group
    is a 404, anyone else in this organization gets 403.
    """
    group = _group_read(organization=access.organization, group_id=group_id, viewer_id=user.pk)
    if group is None:
        raise NotFound(gettext("No such group."))
    group.viewer_id = user.pk
    if access.is_admin or group_role(user=user, group=group) is not None:
        return group
    raise Refused(gettext("Only the group's members and facilitator can open this group."))


def _group_read(*, organization, group_id: int, viewer_id: int) -> PeerGroup | None:
    """The organization's group `group_id`, with its program and facilitator, and what every
    group page asks of the viewer: whether they are a member (`viewer_is_member`, read by
    group_role) and the zone their intake gives (`viewer_zone`, read by
    meetings.selectors.viewer_time_zone). One fixed statement (`peergroups.statements`):
    every group page starts here."""
    db = router.db_for_read(PeerGroup)
    if not in_id_range(db, group_id, viewer_id):
        return None
    params = [viewer_id, viewer_id, organization.pk, group_id]
    found = rows(_group_sql(db), params, alias=db, fields=_GROUP_FIELDS)
    if not found:
        return None
    row = found[0]
    ends = len(_GROUP), len(_GROUP) + len(_PROGRAM), len(_GROUP) + len(_PROGRAM) + len(_USER)
    group = _GROUP.instance(db, row[: ends[0]])
    program = _PROGRAM.instance(db, row[ends[0] : ends[1]])
    facilitator_row = row[ends[1] : ends[2]]
    # A group without a facilitator: the LEFT JOIN's columns are all NULL, its key too.
    has_facilitator = facilitator_row[_USER.attnames.index("id")] is not None
    facilitator = _USER.instance(db, facilitator_row) if has_facilitator else None
    fields = PeerGroup._meta
    fields.get_field("program").set_cached_value(group, program)
    fields.get_field("facilitator").set_cached_value(group, facilitator)
    # The organization the access check loaded this request: not read again.
    fields.get_field("organization").set_cached_value(group, organization)
    group.viewer_is_member, group.viewer_zone = bool(row[ends[2]]), row[ends[2] + 1]
    return group


_GROUP = Columns(PeerGroup, "g")
_PROGRAM = Columns(Program, "p")
_USER = Columns(User, "f")
_MEMBERSHIP = Columns(GroupMembership, "m")
_PROFILE = Columns(MemberProfile, "mp")
_GROUP_FIELDS = [*_GROUP.fields, *_PROGRAM.fields, *_USER.fields]


@cache
def _group_sql(db: str) -> str:
    c = connections[db]
    return (
        f"SELECT {_GROUP.select(c)}, {_PROGRAM.select(c)}, {_USER.select(c)},"
        f" EXISTS(SELECT 1 FROM {_MEMBERSHIP.table(c)}"
        f" WHERE {_MEMBERSHIP.column(c, 'group')} = {_GROUP.column(c, 'id')}"
        f" AND {_MEMBERSHIP.column(c, 'user')} = %s),"
        f" (SELECT {_PROFILE.column(c, 'time_zone')} FROM {_PROFILE.table(c)}"
        f" WHERE {_PROFILE.column(c, 'organization')} = {_GROUP.column(c, 'organization')}"
        f" AND {_PROFILE.column(c, 'user')} = %s"
        f" AND {_PROFILE.column(c, 'completed_at')} IS NOT NULL)"
        f" FROM {_GROUP.table(c)}"
        f" INNER JOIN {_PROGRAM.table(c)}"
        f" ON {_PROGRAM.column(c, 'id')} = {_GROUP.column(c, 'program')}"
        f" LEFT JOIN {_USER.table(c)} ON {_USER.column(c, 'id')} = {_GROUP.column(c, 'facilitator')}"
        f" WHERE {_GROUP.column(c, 'organization')} = %s AND {_GROUP.column(c, 'id')} = %s"
    )


def group_roster(group: PeerGroup) -> QuerySet[GroupMembership]:
    return group.memberships.select_related("user").order_by("user__full_name")


@dataclass(frozen=True)
class GroupConflict:
    """Two members of an open group who may no longer share it (the reason stays unsaid)."""

    group_id: int
    group_name: str
    user_ids: tuple[int, int]
    names: tuple[str, str]

    @property
    def sentence(self) -> str:
        first, second = self.names
        return gettext(
            "Two members of %(group_name)s can no longer share a group: %(first)s and %(second)s."
        ) % {"group_name": self.group_name, "first": first, "second": second}


def group_conflicts(*, organization, group_ids=None) -> list[GroupConflict]:
    """Pairs in open groups that the conflict rule (`people.conflicts`) now keeps apart:
    a reporting line or a "not with" that arose after publish. Nobody is moved for it;
    the operations board shows it to admins until one of the two moves or leaves.

    `organization` is an Organization or its id; `group_ids` narrows to those groups.
    Four queries whatever the number of groups.
    """
    memberships = GroupMembership.objects.filter(
        group__organization=organization, group__closed_at__isnull=True
    )
    if group_ids is not None:
        memberships = memberships.filter(group_id__in=list(group_ids))
    members: dict[int, list[int]] = defaultdict(list)
    for group_id, user_id in memberships.values_list("group_id", "user_id"):
        members[group_id].append(user_id)
    found = conflicts_within(organization=organization, groups=members)
    if not found:
        return []
    group_names = dict(
        PeerGroup.objects.filter(pk__in={g for g, _, _, _ in found}).values_list("pk", "name")
    )
    names = {
        pk: full_name or email
        for pk, full_name, email in User.objects.filter(
            pk__in={u for _, a, b, _ in found for u in (a, b)}
        ).values_list("pk", "full_name", "email")
    }
    return sorted(
        (
            GroupConflict(
                group_id=group_id,
                group_name=group_names[group_id],
                user_ids=(a, b),
                names=tuple(sorted((names[a], names[b]), key=natural_key)),
            )
            for group_id, a, b, _reason in found
        ),
        key=lambda c: (natural_key(c.group_name), c.names),
    )
