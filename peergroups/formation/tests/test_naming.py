"""Published groups are named from what they share and get meetings from the cadence."""

from collections import Counter

from peergroups.formation.naming import group_name_suggest, group_names_assign
from peergroups.formation.services import formation_run_publish
from peergroups.groups.models import PeerGroup
from peergroups.meetings.models import Meeting, MeetingSeries


def test_a_name_comes_from_what_more_than_half_share():
    people = [
        {"region": "Boston", "industry": "Biotech"},
        {"region": "boston ", "industry": "Biotech"},
        {"region": "Boston", "industry": "Software"},
    ]
    assert group_name_suggest(people) == "Boston · Biotech"
    assert (
        group_name_suggest([{"region": "A", "industry": "X"}, {"region": "B", "industry": "X"}])
        == "X"
    )
    assert group_name_suggest([{"region": "A"}, {"region": "B"}]) == ""


def test_names_are_unique_and_fall_back_to_numbers():
    names = group_names_assign(["Boston", "Boston", "", ""], taken={"Group 1", "Group 3"})
    assert names == ["Boston", "Boston 2", "Group 4", "Group 5"]


def test_publish_names_groups_and_schedules_them_in_the_members_time_zone(
    cast, waiting, solved, django_capture_on_commit_callbacks
):
    run = solved()
    with django_capture_on_commit_callbacks(execute=False):
        created = formation_run_publish(run=run, acting_user=cast.admin)
    names = [group.name for group in created]
    assert len(set(names)) == len(names)
    # The run keeps groups within a region: every name starts with its members' region.
    assert all(name.split(" · ")[0] in ("Boston", "Denver") for name in names), names
    for group in created:
        series = MeetingSeries.objects.get(group=group)
        # The program meets monthly; waiting members are in New York and free Tuesday mornings.
        assert (series.frequency, series.weekday, series.time_zone) == (
            "monthly",
            1,
            "America/New_York",
        )
        assert Meeting.objects.filter(group=group).exists()
    assert Counter(PeerGroup.objects.values_list("name", flat=True)).most_common(1)[0][1] == 1


def test_the_proposal_page_shows_the_name_each_group_will_get(client, cast, waiting, solved):
    run = solved()
    client.force_login(cast.admin)
    page = client.get(run.get_absolute_url()).content.decode()
    assert "Publishes as “Boston · " in page or "Publishes as “Denver · " in page


def test_after_publish_the_cards_no_longer_say_what_the_groups_will_be_named(
    client, cast, waiting, solved, django_capture_on_commit_callbacks
):
    """Once published, the groups have their names (listed, renamable); a card saying
    "Publishes as" the suggestion would contradict a rename."""
    run = solved()
    with django_capture_on_commit_callbacks(execute=False):
        created = formation_run_publish(run=run, acting_user=cast.admin)
    client.force_login(cast.admin)
    page = client.get(run.get_absolute_url()).content.decode()
    assert "Publishes as" not in page
    assert all(group.name in page for group in created)
