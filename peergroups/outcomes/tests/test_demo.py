"""The demo's year of pulses: plausible trends, some groups improving, one slipping."""

from peergroups.demo.seed import ADMIN_EMAIL, demo_seed
from peergroups.groups.models import PeerGroup
from peergroups.meetings.selectors import group_content_for_user
from peergroups.organizations.access import organization_access
from peergroups.outcomes import selectors
from peergroups.outcomes.models import Pulse


def test_demo_pulses_show_improving_groups_and_one_slipping(db):
    organization = demo_seed().organization  # seed_demo runs seed_outcomes as one of its steps
    made = Pulse.objects.filter(organization=organization).count()
    assert made >= 12 * 28 and Pulse.objects.filter(answered_at__isnull=False).count() > made * 0.7
    admin = organization.roles.get(user__email=ADMIN_EMAIL).user
    result = selectors.program_outcomes(access=organization_access(admin, organization.slug))
    all_row = result["rows"][0]["cells"]
    assert all_row["change_productivity"].shown and all_row["change_productivity"].value[1] > 0
    assert all_row["response_rate"].shown
    flagged = {}
    for group in PeerGroup.objects.filter(organization=organization):
        access = organization_access(group.facilitator, organization.slug)
        ctx = group_content_for_user(user=group.facilitator, access=access, group_id=group.pk)
        health = selectors.group_health(ctx=ctx)
        flagged[group.name] = [m["key"] for m in health["measures"] if m["flag"]]
    slipping = max(flagged)
    assert "meeting_value" in flagged[slipping]
    assert not any(flagged[name] for name in flagged if name != slipping), flagged
