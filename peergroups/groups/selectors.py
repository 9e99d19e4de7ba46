"""Reads of groups that depend on who is asking."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from peergroups.accounts.models import User
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.organizations.access import OrgAccess


def groups_of_user(*, user: User, access: OrgAccess) -> QuerySet[PeerGroup]:
    """Groups the user belongs to or facilitates in this organization."""
    organization = access.organization
    as_member = PeerGroup.objects.filter(organization=organization, memberships__user=user)
    as_facilitator = PeerGroup.objects.filter(organization=organization, facilitator=user)
    return (
        (as_member | as_facilitator)
        .distinct()
        .select_related("program", "facilitator")
        .order_by("-cycle", "name")
    )


def group_for_user(*, user: User, access: OrgAccess, group_id: int) -> tuple[PeerGroup, bool]:
    """Return the group and whether the user may see its confidential content.

    Members and the facilitator see the group; the organization's admins see its
    roster (they formed it) but never its content. Anyone else: 403.
    """
    group = (
        PeerGroup.objects.select_related("program", "facilitator", "organization")
        .filter(organization=access.organization, pk=group_id)
        .first()
    )
    if group is None:
        raise Http404("No such group")
    in_group = (
        group.facilitator_id == user.pk
        or GroupMembership.objects.filter(group=group, user=user).exists()
    )
    if in_group:
        return group, True
    if access.is_admin:
        return group, False
    raise PermissionDenied("Only the group's members and facilitator can open this group.")


def group_roster(group: PeerGroup) -> QuerySet[GroupMembership]:
    return group.memberships.select_related("user").order_by("user__full_name")
