"""The invitations funnel of a program: invited → accepted → intake complete → placed,
with the people who stall at each step. Names and states only; never intake answers."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext

from peergroups.groups.models import GroupMembership
from peergroups.organizations.access import OrgAccess
from peergroups.organizations.models import Invitation, Program, Role
from peergroups.people.models import MemberProfile

STALLED_SHOWN = 200  # each list shows this many; the counts are exact


@dataclass
class Funnel:
    program: Program | None
    invited: int
    accepted: int
    intake_complete: int
    placed: int
    not_accepted: list[Invitation]
    intake_pending: list[MemberProfile]
    unplaced: list[MemberProfile]

    @property
    def steps(self) -> list[tuple[str, int]]:
        return [
            (gettext("Invited"), self.invited),
            (gettext("Accepted"), self.accepted),
            (gettext("Intake complete"), self.intake_complete),
            (gettext("Placed in a group"), self.placed),
        ]


def invitation_funnel(*, access: OrgAccess, program: Program | None) -> Funnel:
    access.require(Role.ADMIN)
    organization = access.organization
    invitations = Invitation.objects.filter(organization=organization, role=Role.MEMBER)
    profiles = MemberProfile.objects.filter(organization=organization)
    in_group = GroupMembership.objects.filter(
        user=OuterRef("user"), group__organization=organization
    )
    if program is not None:
        invitations = invitations.filter(program=program)
        profiles = profiles.filter(program=program)
        in_group = in_group.filter(program=program)
    profiles = profiles.annotate(placed=Exists(in_group))
    pending = invitations.filter(accepted_at__isnull=True).order_by("created_at")
    return Funnel(
        program=program,
        invited=invitations.count(),
        accepted=invitations.filter(accepted_at__isnull=False).count(),
        intake_complete=profiles.filter(completed_at__isnull=False).count(),
        placed=profiles.filter(placed=True).count(),
        not_accepted=list(pending.select_related("program")[:STALLED_SHOWN]),
        intake_pending=list(
            profiles.filter(completed_at__isnull=True)
            .select_related("user")
            .order_by("user__full_name")[:STALLED_SHOWN]
        ),
        unplaced=list(
            profiles.filter(completed_at__isnull=False, placed=False)
            .select_related("user")
            .order_by("user__full_name")[:STALLED_SHOWN]
        ),
    )
