"""Reads for the organization pages and their API routes; each checks the viewer's role first."""

from datetime import date

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from peergroups.audit.models import AuditEntry
from peergroups.audit.naming import audit_names, audit_object_words, audit_value_words
from peergroups.audit.selectors import audit_entries
from peergroups.errors import NotFound
from peergroups.organizations.access import OrgAccess
from peergroups.organizations.models import Invitation, Program, Role


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
        raise NotFound(gettext("No such program."))
    program.organization = access.organization  # the same row: no second query for it
    return program


def invitations_for_admin(*, access: OrgAccess, status: str = "") -> QuerySet[Invitation]:
    """The organization's invitations, newest first, as the invitations page lists them;
    `status`: open, accepted or expired (a revoked invitation has expired)."""
    access.require(Role.ADMIN)
    invitations = (
        Invitation.objects.filter(organization=access.organization)
        .select_related("program", "accepted_by")
        .order_by("-created_at", "-pk")
    )
    now = timezone.now()
    if status == "accepted":
        invitations = invitations.filter(accepted_at__isnull=False)
    elif status == "open":
        invitations = invitations.filter(accepted_at__isnull=True, expires_at__gt=now)
    elif status == "expired":
        invitations = invitations.filter(accepted_at__isnull=True, expires_at__lte=now)
    return invitations


def audit_log(
    *,
    access: OrgAccess,
    action: str = "",
    actor_email: str = "",
    object_type: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEntry]:
    """The organization's audit log for its admins (page, CSV and API), newest first.

    The actor filter finds only people who hold a role here, and never a row whose doer
    is withheld (no actor is stored on it): an anonymous asker is not findable by e-mail.
    """
    access.require(Role.ADMIN)
    actor_id = None
    if actor_email:
        actor_id = (
            access.organization.roles.filter(user__email__iexact=actor_email)
            .values_list("user_id", flat=True)
            .first()
        ) or -1  # someone outside the organization: no rows
    return audit_entries(
        organization=access.organization,
        action=action,
        actor_id=actor_id,
        object_type=object_type,
        since=since,
        until=until,
    )


def audit_rows(entries) -> list[dict]:
    """One page of the log as it reads: people and groups by name, never a bare id; who
    acted and when as `actor_label` and `shown_time` say (withheld: no one, the day only)."""
    entries = list(entries)
    names = audit_names(entries)
    return [
        {
            "entry": entry,
            "object": audit_object_words(entry, names),
            "before": [(k, audit_value_words(k, v, names)) for k, v in entry.before.items()],
            "after": [(k, audit_value_words(k, v, names)) for k, v in entry.after.items()],
        }
        for entry in entries
    ]
