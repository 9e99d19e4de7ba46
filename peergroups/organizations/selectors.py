"""Reads for the organization pages; each checks the viewer's role first."""

from django.db.models import Count, Q

from peergroups.organizations.access import OrgAccess
from peergroups.organizations.models import Invitation, Program, Role
from peergroups.people.models import FacilitatorProfile, FacilitatorStatus, MemberProfile


def admin_overview(*, access: OrgAccess) -> dict:
    """Counts for the admin's dashboard: never a name, never a text."""
    access.require(Role.ADMIN)
    organization = access.organization
    profiles = MemberProfile.objects.filter(organization=organization).aggregate(
        total=Count("pk"), complete=Count("pk", filter=Q(completed_at__isnull=False))
    )
    return {
        "members": profiles["total"],
        "intake_complete": profiles["complete"],
        "pending_facilitators": FacilitatorProfile.objects.filter(
            organization=organization, status=FacilitatorStatus.PENDING
        ).count(),
        "approved_facilitators": FacilitatorProfile.objects.filter(
            organization=organization, status=FacilitatorStatus.APPROVED
        ).count(),
        "open_invitations": Invitation.objects.filter(
            organization=organization, accepted_at__isnull=True
        ).count(),
        "programs": programs_with_counts(access=access),
    }


def programs_with_counts(*, access: OrgAccess):
    access.require(Role.ADMIN)
    return Program.objects.filter(organization=access.organization).annotate(
        enrolled=Count("member_profiles", distinct=True),
        group_count=Count("groups", distinct=True),
    )


def program_for_admin(*, access: OrgAccess, program_id: int) -> Program:
    from django.http import Http404

    access.require(Role.ADMIN)
    program = Program.objects.filter(organization=access.organization, pk=program_id).first()
    if program is None:
        raise Http404("No such program")
    return program
