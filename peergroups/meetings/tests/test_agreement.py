"""The confidentiality agreement gates every piece of group content."""

from django.urls import reverse

from peergroups.meetings import services
from peergroups.meetings.models import AgreementAcceptance


def test_member_who_has_not_accepted_is_sent_to_the_agreement(client, cast):
    client.force_login(cast.member)
    response = client.get(reverse("meetings-issues", args=["acme", cast.group.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings-agreement", args=["acme", cast.group.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "stays in this group" in page.text
    assert "I accept this agreement" in page.text


def test_accepting_opens_the_group_content(client, cast):
    client.force_login(cast.member)
    client.post(reverse("meetings-agreement", args=["acme", cast.group.pk]), {"action": "accept"})
    assert client.get(reverse("meetings-issues", args=["acme", cast.group.pk])).status_code == 200
    assert AgreementAcceptance.objects.filter(user=cast.member).count() == 1


def test_new_version_must_be_accepted_again(client, accepted):
    client.force_login(accepted.facilitator)
    response = client.post(
        reverse("meetings-agreement", args=["acme", accepted.group.pk]),
        {"action": "publish", "text": "Version two: also no screenshots."},
    )
    assert response.status_code == 302
    client.force_login(accepted.member)
    issues = reverse("meetings-issues", args=["acme", accepted.group.pk])
    assert client.get(issues).status_code == 302
    page = client.get(reverse("meetings-agreement", args=["acme", accepted.group.pk]))
    assert "no screenshots" in page.text
    assert "The agreement has changed" in page.text
    client.post(
        reverse("meetings-agreement", args=["acme", accepted.group.pk]), {"action": "accept"}
    )
    assert client.get(issues).status_code == 200
    # Group B's members are not affected by Group A's new version.
    client.force_login(accepted.other_member)
    other = reverse("meetings-issues", args=["acme", accepted.other_group.pk])
    assert client.get(other).status_code == 200


def test_only_the_facilitator_publishes_a_version(client, accepted):
    client.force_login(accepted.member)
    response = client.post(
        reverse("meetings-agreement", args=["acme", accepted.group.pk]),
        {"action": "publish", "text": "Members rewrite the rules."},
    )
    assert response.status_code == 403
    assert services.agreement_current(group=accepted.group).version == 1


def test_admin_cannot_open_the_agreement_or_accept_their_way_in(client, cast):
    client.force_login(cast.admin)
    url = reverse("meetings-agreement", args=["acme", cast.group.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "accept"}).status_code == 403
    assert client.get(reverse("meetings-issues", args=["acme", cast.group.pk])).status_code == 403
