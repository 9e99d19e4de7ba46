"""A program's roster as CSV for its admins: who is in which group, with whom and when.

Names, group, facilitator and schedule only: no intake answers, conflicts, reasons or
anything the groups said. Each export is a row in the audit log.
"""

from django.utils.translation import gettext

from peergroups.accounts.models import User
from peergroups.audit.services import audit_record
from peergroups.formats import csv_text
from peergroups.groups.models import GroupMembership
from peergroups.organizations import selectors
from peergroups.organizations.access import OrgAccess
from peergroups.organizations.models import Program

ROSTER_COLUMNS = ["member", "group", "cycle", "facilitator", "schedule"]


def roster_csv(*, access: OrgAccess, acting_user: User, program_id: int) -> tuple[Program, str]:
    """The program's open groups, one row per member; admins only (NotFound/Refused else)."""
    program = selectors.program_for_admin(access=access, program_id=program_id)
    memberships = (
        GroupMembership.objects.filter(program=program, group__closed_at__isnull=True)
        .select_related("user", "group__facilitator", "group__series")
        .order_by("group__name", "cycle", "user__full_name", "pk")
    )
    lines = []
    for membership in memberships.iterator(chunk_size=500):
        group = membership.group
        series = getattr(group, "series", None)
        lines.append(
            [
                membership.user.full_name or membership.user.email,
                group.name,
                group.cycle,
                group.facilitator.full_name if group.facilitator else "",
                series.describe() if series else gettext("not scheduled yet"),
            ]
        )
    audit_record(
        organization=access.organization,
        actor=acting_user,
        action="roster_export",
        target=program,
        before={},  # an export changes nothing: the row says who took what
        after={"rows": len(lines)},
    )
    return program, csv_text(ROSTER_COLUMNS, lines)
