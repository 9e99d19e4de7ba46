"""Completion rates: the member's chart, the facilitator's kept rate and who is slipping,
and the admins' aggregates shown only over at least five people."""

from datetime import UTC, date, datetime, timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from peergroups.goals import selectors
from peergroups.organizations.access import organization_access

from .conftest import agreement_accept_all
from .test_partners import grow

TODAY = datetime(2027, 3, 15, 12, tzinfo=UTC)


def test_partly_done_counts_half_and_no_check_in_counts_as_not_kept():
    rate = selectors.rate_of(["done", "partly", "not_done", None])
    assert (rate.count, rate.percent) == (4, 38)  # 1.5 of 4


def test_member_dashboard_shows_the_rate_and_a_monthly_chart(client, accepted, commit):
    with time_machine.travel(TODAY, tick=False):
        commit(date(2027, 1, 10), outcome="done")
        commit(date(2027, 1, 20), outcome="not_done")
        commit(date(2027, 2, 10), outcome="partly")
        commit(date(2027, 3, 30))  # not due yet: does not count
        access = organization_access(accepted.member, "acme")
        monthly = selectors.monthly_rates(user=accepted.member, access=access)
        assert [(m["month"].month, m["rate"].percent) for m in monthly] == [
            (10, None),
            (11, None),
            (12, None),
            (1, 50),
            (2, 50),
            (3, None),
        ]
        client.force_login(accepted.member)
        page = client.get(reverse("goals-dashboard", args=["acme"])).text
    assert "<svg" in page and 'role="img"' in page
    assert "Jan: 50 %" in page  # the chart's description carries the numbers
    assert 'id="completion-rate">50 %' in page  # 1.5 of 3 due in 90 days


def test_the_dashboard_rates_from_its_commitments_are_the_rates_read_apart(accepted, commit):
    """The goals dashboard reckons the rate and the monthly chart from the commitments it
    reads anyway (member_rates_of); they are the figures the two queries give."""
    with time_machine.travel(TODAY, tick=False):
        commit(date(2026, 9, 30), outcome="done")  # before the chart's months
        commit(date(2026, 12, 16), outcome="done")  # in the chart, outside 90 days
        commit(date(2026, 12, 15), outcome="partly")  # the 90 days' first day is out
        commit(date(2027, 1, 10), outcome="done")
        commit(date(2027, 1, 20), outcome="not_done")
        commit(date(2027, 2, 10), outcome="partly")
        commit(date(2027, 3, 15))  # due today: counts
        commit(date(2027, 3, 30), outcome="done")  # not due yet
        access = organization_access(accepted.member, "acme")
        commitments = list(selectors.commitments_of_member(user=accepted.member, access=access))
        rate, monthly = selectors.member_rates_of(commitments)
        assert rate == selectors.member_rate(user=accepted.member, access=access)
        assert monthly == selectors.monthly_rates(user=accepted.member, access=access)
    assert rate.count == 5 and [m["rate"].count for m in monthly] == [0, 0, 2, 2, 1, 1]


def test_facilitator_sees_the_kept_rate_and_who_is_slipping(client, accepted, commit):
    with time_machine.travel(TODAY, tick=False):
        commit(date(2027, 3, 1))  # overdue, no check-in
        commit(date(2027, 3, 2), outcome="not_done")
        commit(date(2027, 3, 3), member=accepted.member2, outcome="done")
        commit(date(2027, 3, 4), member=accepted.member2)  # one miss is not slipping
        client.force_login(accepted.facilitator)
        page = client.get(reverse("goals-group", args=["acme", accepted.group.pk])).text
        assert 'id="group-rate">25 %' in page
        assert "Mar: 25 %" in page  # the group's monthly chart
        slipping = page[page.index("Who is slipping") : page.index("Accountability partners")]
        assert "Mia Member" in slipping and "Max Member" not in slipping
        # Members see the group's commitments, not the facilitator's health panel.
        client.force_login(accepted.member)
        assert (
            "Who is slipping"
            not in client.get(reverse("goals-group", args=["acme", accepted.group.pk])).text
        )


def test_admin_sees_no_rate_over_fewer_than_five_people(client, accepted, commit):
    extra = grow(accepted, 3)  # Group A: Mia, Max and three more
    with time_machine.travel(TODAY, tick=False):
        for user in [accepted.member, accepted.member2, *extra[:2]]:
            commit(date(2027, 2, 10), member=user, outcome="done")
        access = organization_access(accepted.admin, "acme")
        (program,) = selectors.goal_insights(access=access)
        february = next(m for m in program["months"] if m["month"] == date(2027, 2, 1))
        assert (february["enough"], february["rate"]) == (False, None)
        client.force_login(accepted.admin)
        page = client.get(reverse("goals-insights", args=["acme"])).text
        assert "not enough people to show" in page and "100 %" not in page

        commit(date(2027, 2, 11), member=extra[2], outcome="not_done")
        (program,) = selectors.goal_insights(access=access)
        february = next(m for m in program["months"] if m["month"] == date(2027, 2, 1))
        assert (february["enough"], february["rate"].percent) == (True, 80)
        page = client.get(reverse("goals-insights", args=["acme"])).text
        assert "80 %" in page
        assert "Call the bank." not in page  # never text


def test_admin_rates_count_people_not_commitments_or_memberships(client, accepted, commit):
    """Issue 10, item 4: three people with commitments in two cycles' groups are three."""
    from peergroups.groups.services import group_create, membership_add

    cycle_2 = group_create(program=accepted.program, name="Group A2", acting_user=accepted.admin)
    cycle_2.cycle = 2
    cycle_2.save(update_fields=["cycle"])
    people = [accepted.member, accepted.member2, accepted.other_member]
    for user in people:
        membership_add(group=cycle_2, user=user, acting_user=accepted.admin)
    agreement_accept_all(cycle_2, *people)
    with time_machine.travel(TODAY, tick=False):
        for user in people:
            first = accepted.other_group if user == accepted.other_member else accepted.group
            commit(date(2027, 2, 10), member=user, group=first, outcome="done")
            commit(date(2027, 2, 12), member=user, group=cycle_2, outcome="done")
        (program,) = selectors.goal_insights(access=organization_access(accepted.admin, "acme"))
    february = next(m for m in program["months"] if m["month"] == date(2027, 2, 1))
    assert (february["enough"], february["rate"]) == (False, None)


def test_admin_insights_list_programs_in_natural_name_order(client, accepted, commit):
    """ "Cohort 5" before "Cohort 10": the operations board's natural sort."""
    from peergroups.groups.services import group_create, membership_add, program_create

    accepted.program.name = "Cohort 10"
    accepted.program.save(update_fields=["name"])
    five = program_create(
        organization=accepted.organization, acting_user=accepted.admin, name="Cohort 5"
    )
    group = group_create(program=five, name="Group 1", acting_user=accepted.admin)
    membership_add(group=group, user=accepted.other_member, acting_user=accepted.admin)
    agreement_accept_all(group, accepted.other_member)
    yesterday = timezone.localdate() - timedelta(days=1)
    commit(yesterday, outcome="done")
    commit(yesterday, member=accepted.other_member, group=group, outcome="done")
    access = organization_access(accepted.admin, "acme")
    assert [p["program"] for p in selectors.goal_insights(access=access)] == [
        "Cohort 5",
        "Cohort 10",
    ]
