"""Demo outcomes: a baseline and a year of monthly pulses for every member of an active
group, so the member chart, group health and program outcomes are worth a look.

Most groups improve (fewer hours, more productivity and confidence, margins turning
up); the last group, by name, slips over the last three months (meeting value and
response falling), so its facilitator sees the two-month drop flag.
"""

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from peergroups.organizations.models import Organization
from peergroups.outcomes.models import Baseline, Pulse
from peergroups.outcomes.selectors import active_memberships, month_starts

MONTHS = 12


def _clamp(value: float, low: int, high: int) -> int:
    return int(min(max(round(value), low), high))


def seed_outcomes(*, organization: Organization, rng: random.Random, today: date) -> int:
    """Baselines and pulses for the organization's active members; returns pulses made."""
    memberships = list(
        active_memberships(organization_id=organization.pk)
        .select_related("group")
        .order_by("group__name", "user_id")
    )
    group_names = sorted({m.group.name for m in memberships})
    slipping = group_names[-1] if group_names else None
    # This month's pulse is still out for many: only the past months are answered.
    months = month_starts(today, MONTHS + 1)[:-1]
    seen: set[int] = set()
    baselines, pulses = [], []
    place: dict[int, int] = {}  # a member's place in their group, for who answers when
    for m in memberships:
        if m.user_id in seen:
            continue
        seen.add(m.user_id)
        index = place[m.group_id] = place.get(m.group_id, -1) + 1
        zone = ZoneInfo(m.group.time_zone or "UTC")
        hours = rng.randint(48, 65)
        productivity = rng.randint(3, 5)
        confidence = rng.randint(2, 5)
        margin = rng.choice([-1, -1, 0, 0, 1])
        start = datetime.combine(months[0] - timedelta(days=3), time(10), zone)
        baselines.append(
            Baseline(
                organization=organization,
                user_id=m.user_id,
                hours_per_week=hours,
                productivity=productivity,
                margin_trend=margin,
                goal_confidence=confidence,
                recorded_at=start,
            )
        )
        improving = m.group.name != slipping
        for i, month in enumerate(months):
            progress = i / (MONTHS - 1)
            late_slip = not improving and i >= MONTHS - 3
            sent = datetime.combine(month, time(9), zone)
            # About nine in ten answer, one a month missing (never two falls running);
            # in the slipping group one more stays silent each of the last three months.
            slip = (i - (MONTHS - 4)) if late_slip else 0
            answered = (i + index) % 9 != 0 and index < m.group.member_count - slip
            pulse = Pulse(
                organization=organization,
                user_id=m.user_id,
                group=m.group,
                month=month,
                sent_at=sent,
            )
            if answered:
                if improving:
                    pulse.hours_per_week = _clamp(hours - 6 * progress + rng.gauss(0, 2), 0, 100)
                    pulse.productivity = _clamp(
                        productivity + 1.6 * progress + rng.gauss(0, 0.5), 1, 7
                    )
                    pulse.goal_confidence = _clamp(
                        confidence + 2 * progress + rng.gauss(0, 0.6), 1, 7
                    )
                    pulse.margin_trend = _clamp(margin + progress + rng.gauss(0, 0.4), -1, 1)
                    pulse.meeting_value = _clamp(4.8 + 1.6 * progress + rng.gauss(0, 0.3), 1, 7)
                else:
                    pulse.hours_per_week = _clamp(hours + 2 * slip + rng.gauss(0, 2), 0, 100)
                    pulse.productivity = _clamp(productivity - 0.6 * slip + rng.gauss(0, 0.3), 1, 7)
                    pulse.goal_confidence = _clamp(
                        confidence - 0.5 * slip + rng.gauss(0, 0.4), 1, 7
                    )
                    pulse.margin_trend = _clamp(margin + rng.gauss(0, 0.4), -1, 1)
                    pulse.meeting_value = _clamp(5.5 - 1.1 * slip + rng.gauss(0, 0.3), 1, 7)
                pulse.answered_at = sent + timedelta(hours=rng.randint(1, 72))
            pulses.append(pulse)
    Baseline.objects.bulk_create(baselines, ignore_conflicts=True)
    Pulse.objects.bulk_create(pulses, ignore_conflicts=True)
    return len(pulses)
