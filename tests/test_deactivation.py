"""A person's end is everywhere at once: once they hold no role in the organization, no
e-mail, link or token of theirs works, on every path (DESIGN.md "A program's life")."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from peergroups.api.services import token_create
from peergroups.dashboards.persons import person_deactivate
from peergroups.errors import Conflict
from peergroups.goals import tasks as goal_tasks
from peergroups.goals.models import Commitment
from peergroups.goals.services import check_in_token_issue
from peergroups.groups.services import membership_add
from peergroups.meetings import tasks as meeting_tasks
from peergroups.meetings.models import Meeting
from peergroups.meetings.services import calendar_feed_issue
from peergroups.organizations.access import organization_access
from peergroups.organizations.models import Role
from peergroups.organizations.recipients import may_email, recipients
from peergroups.organizations.services import role_grant, role_revoke
from peergroups.outcomes import tasks as pulse_tasks
from peergroups.outcomes.services import pulse_create, pulse_token_issue

pytestmark = pytest.mark.django_db


def deactivate(cast, user):
    return person_deactivate(
        access=organization_access(cast.admin, "acme"), acting_user=cast.admin, user_id=user.pk
    )


def no_longer_a_member(cast, user):
    """Their role ends but the membership row stays (role_revoke, or a row from before
    deactivation freed seats): the recipients decision must still leave them out."""
    role_revoke(organization=cast.organization, user=user, role=Role.MEMBER, acting_user=cast.admin)


def addressees() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_the_one_recipients_decision(cast):
    assert may_email(user=cast.member, organization_id=cast.organization.pk)
    no_longer_a_member(cast, cast.member)
    assert not may_email(user=cast.member, organization_id=cast.organization.pk)
    people = [cast.member, cast.member2, cast.member2]
    assert recipients(organization_id=cast.organization.pk, users=people) == [cast.member2]
    cast.member2.is_active = False
    cast.member2.save(update_fields=["is_active"])
    assert recipients(organization_id=cast.organization.pk, users=people) == []


def test_meeting_reminders_and_calendar_updates_skip_a_person_no_longer_in_the_organization(
    cast,
):
    no_longer_a_member(cast, cast.member)
    soon = timezone.now() + timedelta(hours=3)
    meeting = Meeting.objects.create(
        group=cast.group, starts_at=soon, ends_at=soon + timedelta(hours=2)
    )
    assert meeting_tasks.reminders_send_now() == 2
    assert addressees() == sorted([cast.member2.email, cast.facilitator.email])
    mail.outbox.clear()
    meeting.starts_at += timedelta(days=1)
    meeting.ends_at += timedelta(days=1)
    meeting.save()
    assert meeting_tasks.meeting_change_send.call(meeting.pk) == 2
    assert cast.member.email not in addressees()


def test_no_pulse_and_no_goal_reminder_for_a_person_no_longer_in_the_organization(cast):
    no_longer_a_member(cast, cast.member)
    pulse_tasks.pulses_send_now(now=datetime(2027, 3, 1, 10, tzinfo=UTC))
    assert cast.member2.email in addressees()
    assert cast.member.email not in addressees()
    mail.outbox.clear()
    tomorrow = timezone.localdate() + timedelta(days=1)
    for user in (cast.member, cast.member2):
        Commitment.objects.create(group=cast.group, member=user, text="Call Ann", due_on=tomorrow)
    goal_tasks.goal_reminders_send_now()
    assert addressees() == [cast.member2.email]


def test_a_deactivated_persons_links_stop_working(client, cast):
    _, feed = calendar_feed_issue(user=cast.member, organization=cast.organization)
    feed_url = reverse("meetings-feed", kwargs={"org_slug": "acme", "token": feed})
    pulse = pulse_create(
        organization=cast.organization,
        user=cast.member,
        group=cast.group,
        month=timezone.localdate().replace(day=1),
    )
    pulse_url = reverse(
        "outcomes-pulse-link", kwargs={"org_slug": "acme", "token": pulse_token_issue(pulse=pulse)}
    )
    commitment = Commitment.objects.create(group=cast.group, member=cast.member, text="Call Ann")
    check_in_url = reverse(
        "goals-token-check-in",
        kwargs={"org_slug": "acme", "token": check_in_token_issue(commitment=commitment)},
    )
    for url in (feed_url, pulse_url, check_in_url):
        assert client.get(url).status_code == 200, url

    deactivate(cast, cast.member)
    for url in (feed_url, pulse_url, check_in_url):
        response = client.get(url)
        assert response.status_code == 410, url
        assert b"no longer works" in response.content
    answered = client.post(
        pulse_url,
        {
            "hours_per_week": "45",
            "productivity": "4",
            "profit_margin_trend": "same",
            "goal_progress": "3",
            "meeting_value": "4",
        },
    )
    assert answered.status_code == 410
    assert client.post(check_in_url, {"status": "done"}).status_code == 410
    pulse.refresh_from_db()
    assert pulse.answered_at is None and not commitment.check_ins.exists()


def test_a_deactivated_person_takes_no_seat(cast):
    deactivate(cast, cast.member)
    with pytest.raises(Conflict, match="no longer part of this organization"):
        membership_add(group=cast.other_group, user=cast.member, acting_user=cast.admin)
    cast.other_group.refresh_from_db()
    assert cast.other_group.member_count == 1


def test_deactivation_ends_the_api_tokens_of_someone_left_with_no_organization(client, cast):
    _, key = token_create(user=cast.member, name="script")
    me = reverse("api:api-me")
    assert client.get(me, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    deactivate(cast, cast.member)
    assert client.get(me, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_a_person_still_in_another_organization_keeps_their_token_there(client, cast):
    role_grant(
        organization=cast.other_organization, user=cast.member2, role=Role.MEMBER, acting_user=None
    )
    _, key = token_create(user=cast.member2, name="script")
    deactivate(cast, cast.member2)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get(reverse("api:api-me"), **bearer).status_code == 200
    programs = reverse("api:api-programs", kwargs={"org_slug": "acme"})
    assert client.get(programs, **bearer).status_code == 404  # not in acme any more


def test_a_password_reset_revokes_the_api_tokens_and_says_so(
    client, cast, run_tasks, django_capture_on_commit_callbacks
):
    _, key = token_create(user=cast.member, name="laptop")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": cast.member.email})
    run_tasks()  # the reset e-mail goes through the task queue
    (message,) = mail.outbox
    link = next(word for word in message.body.split() if "/accounts/reset/" in word)
    form_page = client.get(link, follow=True)
    new = "a-new-password-for-mia-42"
    done = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"new_password1": new, "new_password2": new},
        follow=True,
    )
    page = done.content.decode()
    assert "Your password is changed" in page
    assert "1 API token was revoked." in page
    assert client.get(reverse("api:api-me"), HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert client.login(email=cast.member.email, password=new)
    assert not client.login(email=cast.member.email, password=PASSWORD)


def test_any_new_password_revokes_the_tokens(cast):
    _, key = token_create(user=cast.member2, name="laptop")
    cast.member2.set_password("another-password-77")
    cast.member2.save()
    assert cast.member2.credentials_revoked == ["1 API token was revoked."]
    from peergroups.api.services import token_authenticate

    assert token_authenticate(raw_key=key) is None
