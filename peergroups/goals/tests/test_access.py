"""Who reads goals and commitments: private goals are their owner's alone (404 to anyone
else, not even confirming they exist); group content never reaches admins."""

from datetime import date

from django.urls import reverse

from peergroups.goals import services
from peergroups.meetings import services as meetings


def goal(cast, visibility):
    return services.goal_create(
        organization=cast.organization,
        owner=cast.member,
        group=cast.group,
        title="Cut churn",
        measure="churn %",
        baseline=8,
        target=4,
        due_on=date(2031, 1, 1),
        visibility=visibility,
    )


def test_another_member_of_the_same_group_cannot_read_a_private_goal(client, accepted):
    private = goal(accepted, "private")
    client.force_login(accepted.member2)
    assert client.get(private.get_absolute_url()).status_code == 404
    client.force_login(accepted.facilitator)
    assert client.get(private.get_absolute_url()).status_code == 404
    client.force_login(accepted.member)
    assert client.get(private.get_absolute_url()).status_code == 200


def test_a_private_goal_stays_off_the_group_page(client, accepted):
    goal(accepted, "private")
    client.force_login(accepted.member2)
    assert (
        "Cut churn" not in client.get(reverse("goals-group", args=["acme", accepted.group.pk])).text
    )


def test_a_group_goal_is_read_by_the_group_but_changed_by_its_owner_only(client, accepted):
    shared = goal(accepted, "group")
    client.force_login(accepted.member2)
    assert "Cut churn" in client.get(shared.get_absolute_url()).text
    assert "Cut churn" in client.get(reverse("goals-group", args=["acme", accepted.group.pk])).text
    url = reverse("goals-progress", args=["acme", shared.pk])
    assert client.post(url, {"action": "drop"}).status_code == 403
    shared.refresh_from_db()
    assert shared.dropped_at is None


def test_a_member_who_has_not_accepted_the_agreement_is_sent_to_it(client, accepted):
    shared = goal(accepted, "group")
    meetings.agreement_publish(group=accepted.group, text="v2", acting_user=accepted.facilitator)
    client.force_login(accepted.member2)
    response = client.get(shared.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings-agreement", args=["acme", accepted.group.pk])


def test_owner_records_progress_and_drops_a_goal(client, accepted):
    shared = goal(accepted, "group")
    client.force_login(accepted.member)
    url = reverse("goals-progress", args=["acme", shared.pk])
    assert (
        client.post(url, {"action": "progress", "value": "3.5", "note": "Good month"}).status_code
        == 302
    )
    page = client.get(shared.get_absolute_url()).text
    assert "Done" in page  # 3.5 is below the target of 4: a downward goal reached
    assert client.post(url, {"action": "drop"}).status_code == 302
    assert "Dropped" in client.get(shared.get_absolute_url()).text
    # A dropped goal takes no updates: 409 with the rule's sentence, as the API answers.
    refused = client.post(url, {"action": "progress", "value": "5"})
    assert refused.status_code == 409
    assert "dropped" in refused.text


def test_goal_form_errors_are_shown_again(client, accepted):
    client.force_login(accepted.member)
    response = client.post(
        reverse("goals-create", args=["acme"]),
        {
            "title": "Same",
            "measure": "x",
            "baseline": "2",
            "target": "2",
            "due_on": "2031-01-01",
            "visibility": "private",
        },
    )
    assert response.status_code == 422
    assert "The target must differ from the baseline." in response.text
    assert 'value="Same"' in response.text


def test_admin_never_reads_commitments_or_check_ins(client, accepted, commit):
    commitment = commit(date(2030, 1, 5), outcome="done")
    client.force_login(accepted.admin)
    assert client.get(reverse("goals-group", args=["acme", accepted.group.pk])).status_code == 403
    assert client.get(reverse("goals-check-in", args=["acme", commitment.pk])).status_code == 403
