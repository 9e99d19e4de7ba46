"""Reads for the organization pages; each checks the viewer's role first."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from peergroups.errors import NotFound
from peergroups.organizations.access import OrgAccess
from peergroups.organizations.models import Program, Role


def programs_with_counts(*, access: OrgAccess):
    access.require(Role.ADMIN)
    # One counting subquery per relation: counting both through joins multiplies
    # members by groups (12 million rows at 10,000 members) before DISTINCT.
    return Program.objects.filter(organization=access.organization).annotate(
        enrolled=_count_per_program("member_profiles"),
        group_count=_count_per_program("groups"),
    )


def _count_per_program(relation: str):
    """A subquery counting the rows of a reverse relation of Program (read by name, so
    this layer does not import the apps above it)."""
    field = Program._meta.get_field(relation)
    rows = (
        field.related_model._default_manager.filter(**{field.field.name: OuterRef("pk")})
        .order_by()
        .values(field.field.name)
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def program_for_admin(*, access: OrgAccess, program_id: int) -> Program:
    access.require(Role.ADMIN)
    program = Program.objects.filter(organization=access.organization, pk=program_id).first()
    if program is None:
        raise NotFound("No such program.")
    program.organization = access.organization  # the same row: no second query for it
    return program
