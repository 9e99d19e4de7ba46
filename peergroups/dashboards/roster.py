"""A program's roster as CSV for its admins: who is in which group, with whom and when.

Names, group, facilitator and schedule only: no intake answers, conflicts, reasons or
anything the groups said. Each export is a row in the audit log.
"""

import csv
import io

from peergroups.accounts.models import User
from peergroups.audit.services import audit_record
from peergroups.groups.models import GroupMembership
from peergroups.organizations import selectors
from peergroups.organizations.access import OrgAccess
from peergroups.organizations.models import Program
from peergroups.people.imports import FORMULA_STARTS

ROSTER_COLUMNS = ["member", "group", "cycle", "facilitator", "schedule"]


def _cell(value) -> str:
    text = str(value or "")
    return "'" + text if text.startswith(FORMULA_STARTS) else text  # no spreadsheet formulas


def roster_csv(*, access: OrgAccess, acting_user: User, program_id: int) -> tuple[Program, str]:
    """The program's open groups, one row per member; admins only (NotFound/Refused else)."""
    program = selectors.program_for_admin(access=access, program_id=program_id)
    memberships = (
        GroupMembership.objects.filter(program=program, group__closed_at__isnull=True)
        .select_related("user", "group__facilitator", "group__series")
        .order_by("group__name", "cycle", "user__full_name", "pk")
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ROSTER_COLUMNS)
    rows = 0
    for membership in memberships.iterator(chunk_size=500):
        group = membership.group
        series = getattr(group, "series", None)
        writer.writerow(
            [
                _cell(membership.user.full_name or membership.user.email),
                _cell(group.name),
                group.cycle,
                _cell(group.facilitator.full_name if group.facilitator else ""),
                _cell(series.describe() if series else "not scheduled yet"),
            ]
        )
        rows += 1
    audit_record(
        organization=access.organization,
        actor=acting_user,
        action="roster_export",
        target=program,
        after={"rows": rows},
    )
    return program, "\ufeff" + out.getvalue()
