"""Retention: a group's texts are deleted once the organization's period has passed.

Each organization may set `content_retention_months`. Past it, what people wrote in a
group (issue titles and texts, meeting notes, check-in rounds, check-in notes, pulse
notes) is deleted; the rows stay, so every count and figure (issues by category,
attendance, commitments kept, pulse averages) still adds up. Run daily by the
scheduler (`dashboards/jobs.py`) and by `manage.py expire_group_content`.
"""

from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from peergroups.audit.services import audit_record
from peergroups.goals.models import CommitmentCheckIn
from peergroups.meetings.models import CheckIn, Issue, MeetingNote
from peergroups.organizations.models import Organization
from peergroups.outcomes.models import Pulse

REMOVED = "(removed)"


@transaction.atomic
def group_content_expire(*, organization: Organization, now: datetime | None = None) -> dict:
    """Delete the organization's group texts older than its retention period; returns
    how many rows of each kind were emptied (nothing when no period is set)."""
    months = organization.content_retention_months
    if not months:
        return {}
    cutoff = (now or timezone.now()) - relativedelta(months=months)
    counts = {
        "issues": Issue.objects.filter(group__organization=organization, created_at__lt=cutoff)
        .exclude(title=REMOVED, situation="", ask="")
        .update(title=REMOVED, situation="", ask=""),
        "meeting_notes": MeetingNote.objects.filter(
            meeting__group__organization=organization, meeting__starts_at__lt=cutoff
        )
        .exclude(text="")
        .update(text=""),
        "check_ins": CheckIn.objects.filter(
            meeting__group__organization=organization, created_at__lt=cutoff
        )
        .exclude(work="", personal="")
        .update(work="", personal=""),
        "check_in_notes": CommitmentCheckIn.objects.filter(
            commitment__group__organization=organization, created_at__lt=cutoff
        )
        .exclude(note="")
        .update(note=""),
        "pulse_notes": Pulse.objects.filter(
            Q(answered_at__lt=cutoff) | Q(answered_at__isnull=True, month__lt=cutoff.date()),
            organization=organization,
        )
        .exclude(note="")
        .update(note=""),
    }
    if any(counts.values()):
        audit_record(
            organization=organization,
            actor=None,
            action="group_content_expire",
            before={},  # the texts themselves never enter the log: only how many went
            after={"months": months, **counts},
        )
    return counts


def group_content_expire_all() -> dict:
    """Every organization with a retention period (the scheduler's daily job)."""
    return {
        organization.slug: group_content_expire(organization=organization)
        for organization in Organization.objects.filter(content_retention_months__isnull=False)
    }
