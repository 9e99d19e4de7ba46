"""A working life for each demo group: a meeting series, the agreement, an issue queue
with votes, commitments and shared goals.

Every member but the demo member accepts the agreement: signing in as the demo member
shows the confidentiality gate first, then the group's content.
"""

import random
from datetime import date, time, timedelta
from decimal import Decimal

from peergroups.demo.data import DEMO_ISSUES
from peergroups.demo.people import MEMBER_EMAIL
from peergroups.goals.services import commitment_make, goal_create
from peergroups.groups.models import PeerGroup
from peergroups.meetings import services as meetings
from peergroups.organizations.models import Organization


def seed_group_life(*, organization: Organization, rng: random.Random, today: date) -> None:
    groups = (
        PeerGroup.objects.filter(program__organization=organization)
        .select_related("facilitator", "program__organization")
        .order_by("pk")
    )
    first_meeting = today + timedelta(days=7)
    for group in groups:
        meetings.meeting_series_set(
            group=group,
            acting_user=group.facilitator,
            frequency="monthly",
            weekday=1,  # Tuesday
            week_of_month=2,
            starts_on=first_meeting,
            start_time=time(8, 0),
            end_time=time(12, 0),
            time_zone=group.time_zone,
            location=f"{group.name}, Northwind offices",
        )
        agreement = meetings.agreement_current(group=group)
        members = [m.user for m in group.memberships.select_related("user")]
        for member in members:
            if member.email != MEMBER_EMAIL:
                meetings.agreement_accept(agreement=agreement, user=member)
        authors = [m for m in members if m.email != MEMBER_EMAIL]
        for (title, category, situation, ask, urgency), author in zip(
            DEMO_ISSUES, authors, strict=False
        ):
            issue = meetings.issue_submit(
                group=group,
                author=author,
                title=title,
                category=category,
                situation=situation,
                ask=ask,
                urgency=urgency,
            )
            for voter in authors[: urgency + 1]:
                if voter != author:
                    meetings.issue_vote_set(issue=issue, voter=voter, vote=True)
        for member in authors[:3]:  # a commitment is made under the agreement
            commitment_make(
                group=group,
                member=member,
                text="Hold a one-to-one with each direct report before the next meeting.",
            )
            goal_create(
                organization=group.organization,
                owner=member,
                group=group,
                title="Grow the team's retention",
                measure="12-month retention, %",
                baseline=Decimal("82"),
                target=Decimal("90"),
                due_on=today + timedelta(days=300),
                visibility="group",
                why="Every departure costs us a quarter of momentum.",
            )
