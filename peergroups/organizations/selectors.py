"""Reads for the organization pages; each checks the viewer's role first."""

from django.db.models import Count

from peergroups.errors import NotFound
from peergroups.organizations.access import OrgAccess
from peergroups.organizations.models import Program, Role


def programs_with_counts(*, access: OrgAccess):
    access.require(Role.ADMIN)
    return Program.objects.filter(organization=access.organization).annotate(
        enrolled=Count("member_profiles", distinct=True),
        group_count=Count("groups", distinct=True),
    )


def program_for_admin(*, access: OrgAccess, program_id: int) -> Program:
    access.require(Role.ADMIN)
    program = Program.objects.filter(organization=access.organization, pk=program_id).first()
    if program is None:
        raise NotFound("No such program.")
    return program
