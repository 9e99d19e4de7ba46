"""Program outcomes for admins: change from baseline, rates and retention, all over 5+
distinct people with complementary suppression, filters that select rows, and a CSV of
exactly what the page shows."""

import csv
import io
from datetime import UTC, date, datetime

import time_machine
from django.urls import reverse

from peergroups.groups.services import group_create
from peergroups.organizations.access import organization_access
from peergroups.outcomes import selectors, services

from .conftest import add_members, answered_pulse, answers

TODAY = datetime(2031, 6, 15, 12, tzinfo=UTC)
# Figures are read once June is over: the open month is never shown (the time rule).
LATER = datetime(2031, 7, 2, 12, tzinfo=UTC)


def baseline(cast, user, **changes):
    services.baseline_record(organization=cast.organization, user=user, answers=answers(**changes))


def outcomes(cast, at=LATER, **filters):
    access = organization_access(cast.admin, "acme")
    with time_machine.travel(at, tick=False):
        return selectors.program_outcomes(
            access=access, filters=selectors.OutcomeFilters(**filters)
        )


def cycle_two(cast):
    group = group_create(program=cast.program, name="Group C", acting_user=cast.admin)
    group.cycle = 2
    group.save(update_fields=["cycle"])
    return group


def test_change_from_baseline_is_a_median_and_iqr_over_five_or_more(cast):
    people = [cast.member, cast.member2, *add_members(cast, 4)]
    with time_machine.travel(TODAY, tick=False):
        for i, person in enumerate(people):
            baseline(cast, person, hours_per_week=60, productivity=3)
            answered_pulse(
                cast, person, date(2031, 6, 1), hours_per_week=60 - 2 * i, productivity=3 + i % 3
            )
        result = outcomes(cast)
    (all_row, program_row) = result["rows"]
    hours = program_row["cells"]["change_hours_per_week"]
    assert hours.shown and hours.people == 6
    assert hours.value == (-7.5, -5.0, -2.5)  # changes 0, -2, ... -10
    assert program_row["cells"]["response_rate"].value == 100
    assert all_row["cells"]["change_hours_per_week"].value == hours.value


def test_a_small_cycle_is_hidden_and_so_is_its_sibling_so_no_subtraction_reveals_it(cast):
    """Cycle 1 has 6 people, cycle 2 has 3: showing cycle 1 beside the program total
    would give cycle 2's figure by subtraction, so both cycles are hidden."""
    cycle_1 = [cast.member, cast.member2, *add_members(cast, 4)]
    group_c = cycle_two(cast)
    cycle_2 = add_members(cast, 3, group=group_c, prefix="late")
    with time_machine.travel(TODAY, tick=False):
        for person in cycle_1:
            answered_pulse(cast, person, date(2031, 6, 1), meeting_value=7)
        for person in cycle_2:
            answered_pulse(cast, person, date(2031, 6, 1), group=group_c, meeting_value=1)
        unfiltered = outcomes(cast)
        by_program = outcomes(cast, program_id=cast.program.pk)
        only_1 = outcomes(cast, program_id=cast.program.pk, cycle=1)
    program = {r["label"]: r for r in by_program["rows"]}
    value = {label: row["cells"]["meeting_value"] for label, row in program.items()}
    assert value["Leaders 2027"].value == 5.0 and value["Leaders 2027"].people == 9
    assert not value["Leaders 2027, cycle 2"].shown
    assert not value["Leaders 2027, cycle 1"].shown  # the complement
    # Filtering selects rows of the same table: every figure it shows is one the
    # unfiltered view (or the program view) shows too, with the same value.
    shown_everywhere = {
        (r["label"], key): f.value
        for view in (unfiltered, by_program)
        for r in view["rows"]
        for key, f in r["cells"].items()
        if f.shown
    }
    for row in only_1["rows"]:
        for key, figure in row["cells"].items():
            assert not figure.shown or shown_everywhere.get((row["label"], key)) == figure.value


def test_people_in_two_cycles_count_once(cast):
    three = [cast.member, cast.member2, cast.other_member]
    group_c = cycle_two(cast)
    from peergroups.groups.services import membership_add

    for person in three:
        membership_add(group=group_c, user=person, acting_user=cast.admin)
    with time_machine.travel(TODAY, tick=False):
        for person in three:
            answered_pulse(cast, person, date(2031, 5, 1), meeting_value=5)
            answered_pulse(cast, person, date(2031, 6, 1), group=group_c, meeting_value=5)
        (all_row, program_row) = outcomes(cast)["rows"]
    assert not program_row["cells"]["meeting_value"].shown  # 3 people, not 6


def test_the_csv_is_exactly_the_page(client, cast):
    people = [cast.member, cast.member2, *add_members(cast, 4)]
    with time_machine.travel(TODAY, tick=False):
        for person in people:
            baseline(cast, person)
            answered_pulse(cast, person, date(2031, 6, 1), productivity=6, note="Private!")
    with time_machine.travel(LATER, tick=False):
        client.force_login(cast.admin)
        page = client.get(reverse("outcomes-program", args=["acme"]))
        export = client.get(reverse("outcomes-program-csv", args=["acme"]))
    assert page.status_code == 200 and export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    header, lines = selectors.outcome_rows_flat(page.context["result"])
    assert rows == [header, *lines]
    assert rows[1][0] == "All programs" and rows[2][0] == "Leaders 2027"
    assert "+2" in rows[2]  # productivity 4 -> 6
    people = header.index("People asked")
    assert rows[2][people] == "5–9"  # six people, as a band: never the exact count
    assert "Private!" not in export.content.decode() and "Private!" not in page.text
    assert 'role="img"' in page.text


def test_a_cycle_filter_needs_a_program_and_bad_filters_are_422(client, cast):
    client.force_login(cast.admin)
    url = reverse("outcomes-program", args=["acme"])
    assert client.get(url + "?cycle=1").status_code == 422
    assert client.get(url + "?program=abc").status_code == 422
    assert client.get(url + "?program=999999").status_code == 422
    assert client.get(url + f"?program={cast.program.pk}&cycle=1").status_code == 200


def test_retention_counts_people_active_six_months_after_joining(cast):
    people = [cast.member, cast.member2, *add_members(cast, 4)]
    from peergroups.groups.models import GroupMembership

    GroupMembership.objects.filter(program=cast.program).update(
        joined_at=datetime(2030, 11, 1, tzinfo=UTC)
    )
    with time_machine.travel(TODAY, tick=False):
        for person in people[:3]:  # three of the program's seven answer after 1 May 2031
            answered_pulse(cast, person, date(2031, 6, 1))
        (all_row, program_row) = outcomes(cast)["rows"]
    retention = program_row["cells"]["retention_6"]
    assert (retention.value, retention.people) == (43, 7)  # 3 of 7
    assert program_row["cells"]["retention_12"].value is None  # nobody joined 12 months ago


def test_programs_are_listed_in_natural_name_order(cast):
    """ "Cohort 5" before "Cohort 10", in the rows and the program filter."""
    from peergroups.groups.services import program_create

    for name in ("Cohort 10", "Cohort 5"):
        program_create(organization=cast.organization, acting_user=cast.admin, name=name)
    result = outcomes(cast)
    assert [row["label"] for row in result["rows"]] == [
        "All programs",
        "Cohort 5",
        "Cohort 10",
        "Leaders 2027",
    ]
    assert [p.name for p in result["programs"]] == ["Cohort 5", "Cohort 10", "Leaders 2027"]


def test_a_moved_member_stays_in_the_retention_population(cast):
    """Issue 21, row 4: a move after publish reset joined_at, so the person left the
    program's retention population (59 people to 58), which revealed their "still
    active" bit. The program join date survives the move."""
    from peergroups.groups.models import GroupMembership
    from peergroups.groups.services import membership_move
    from peergroups.organizations.access import organization_access

    people = [cast.member, cast.member2, *add_members(cast, 4)]
    GroupMembership.objects.filter(program=cast.program).update(
        joined_at=datetime(2030, 11, 1, tzinfo=UTC)
    )
    with time_machine.travel(TODAY, tick=False):
        for person in people[:3]:
            answered_pulse(cast, person, date(2031, 6, 1))
        before = outcomes(cast)["rows"][1]["cells"]["retention_6"]
        membership_move(
            access=organization_access(cast.admin, "acme"),
            acting_user=cast.admin,
            group=cast.group,
            user_id=people[5].pk,
            to_group_id=cast.other_group.pk,
        )
        after = outcomes(cast)["rows"][1]["cells"]["retention_6"]
    assert (after.value, after.people) == (before.value, before.people) == (43, 7)
    moved = GroupMembership.objects.get(user=people[5], program=cast.program)
    assert moved.group_id == cast.other_group.pk
    assert moved.joined_at == TODAY  # the group join date is the move
    assert moved.program_joined.date() == date(2030, 11, 1)


def _bearer(user) -> dict:
    from peergroups.api.services import token_create

    _, raw = token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_the_api_shows_closed_months_only_and_people_as_bands(client, cast):
    """Issue 21, row 2, for the admins' figures: `people` stays in the API but is null;
    the band says how many; the open month is not counted."""
    people = [cast.member, cast.member2, *add_members(cast, 4)]
    with time_machine.travel(TODAY, tick=False):
        for person in people:
            answered_pulse(cast, person, date(2031, 6, 1), meeting_value=6)
        auth = _bearer(cast.admin)
        during = client.get("/api/organizations/acme/outcomes", **auth).json()
    with time_machine.travel(LATER, tick=False):
        after = client.get("/api/organizations/acme/outcomes", **auth).json()
    # In June, June is open: nothing of it is counted (March to May have no answers).
    assert during["since"] == "2031-03-01" and during["until"] == "2031-05-31"
    assert during["rows"][1]["figures"]["meeting_value"]["value"] is None
    assert after["since"] == "2031-04-01" and after["until"] == "2031-06-30"
    figure = after["rows"][1]["figures"]["meeting_value"]
    assert figure == {"value": 6.0, "people": None, "people_band": "5–9", "hidden": ""}
    assert after["rows"][1]["figures"]["people"]["people"] is None
    assert after["rows"][1]["figures"]["people"]["people_band"] == "5–9"
    assert all(f["people"] is None for row in after["rows"] for f in row["figures"].values())


def test_no_figure_moves_with_one_new_answer_in_the_open_month(client, cast):
    """The observer of issue 21 (fix 2): an admin reads the outcomes (selector, API,
    page's CSV) after every single new answer in the open month, and after a late
    answer for the closed one; nothing they see moves."""
    from peergroups.outcomes.models import Pulse

    people = [cast.member, cast.member2, *add_members(cast, 4)]
    late = add_members(cast, 2, prefix="late")
    may = datetime(2031, 5, 10, 12, tzinfo=UTC)
    with time_machine.travel(may, tick=False):
        for person in people:
            baseline(cast, person, hours_per_week=60)
            answered_pulse(cast, person, date(2031, 5, 1), meeting_value=5, hours_per_week=50)
        unanswered = [
            Pulse.objects.create(
                organization=cast.organization, user=p, group=cast.group, month=date(2031, 5, 1)
            )
            for p in late
        ]
    auth = _bearer(cast.admin)

    def observe(at):
        with time_machine.travel(at, tick=False):
            client.force_login(cast.admin)
            api = client.get("/api/organizations/acme/outcomes", **auth).json()
            export = client.get(reverse("outcomes-program-csv", args=["acme"])).content
        return api, export

    first_api, first_csv = observe(TODAY)
    shown = first_api["rows"][1]["figures"]
    assert shown["meeting_value"]["value"] == 5.0
    assert shown["people"]["people_band"] == "5–9"
    assert shown["response_rate"]["value"] == 75  # 6 of 8 answered by May's end
    moments = [TODAY + (i + 1) * (LATER - TODAY) / 20 for i in range(10)]
    # Each of the eight answers June's pulse, one at a time, values far from May's.
    for i, person in enumerate([*people, *late]):
        with time_machine.travel(moments[i], tick=False):
            answered_pulse(cast, person, date(2031, 6, 1), meeting_value=1, hours_per_week=20)
        assert observe(moments[i]) == (first_api, first_csv), f"June answer {i + 1}"
    # A late answer to May's pulse, after May ended, counts for nothing shown.
    with time_machine.travel(moments[8], tick=False):
        services.pulse_answer(
            pulse=unanswered[0], answers=answers(hours_per_week=10), acting_user=late[0]
        )
    assert observe(moments[8]) == (first_api, first_csv), "late May answer"
