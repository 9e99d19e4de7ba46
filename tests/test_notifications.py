"""E-mails people get when something happens to them, each behind a preference; every
e-mail template renders (the ones written for issue 12 and the ones before it)."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from peergroups.accounts.models import ACCOUNT_KINDS, NotificationKind
from peergroups.accounts.notifications import notification_preferences_save
from peergroups.groups import services as groups
from peergroups.groups.tasks import group_assignment_message
from peergroups.meetings import services as meetings
from peergroups.meetings.models import Meeting
from peergroups.meetings.tasks import meeting_change_message
from peergroups.organizations.access import organization_access
from peergroups.organizations.recipients import may_email
from peergroups.people import services as people
from peergroups.people.models import FacilitatorProfile
from peergroups.people.tasks import facilitator_review_message

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def test_every_e_mail_template_renders():
    found = sorted(TEMPLATES.glob("*/email/*.txt"))
    assert len(found) >= 12
    for path in found:
        # Empty values everywhere except what a {% url %} tag needs; the e-mails of this
        # issue are rendered with real objects in the tests below.
        context = {
            "uid": "MQ",
            "token": "set-token",
            "protocol": "https",
            "domain": "x.test",
            "zone": "UTC",
        }
        assert get_template(str(path.relative_to(TEMPLATES))).render(context).strip()


@pytest.fixture
def applicant(cast):
    return FacilitatorProfile.objects.create(
        organization=cast.organization,
        user=cast.member2,
        built_own_business=True,
        trained_feedback_coach=True,
        expertise=["sales", "finance"],
    )


@pytest.mark.django_db
def test_approval_e_mail_carries_the_note(
    cast, applicant, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        people.facilitator_approve(
            profile=applicant, acting_user=cast.admin, note="Welcome aboard & thanks"
        )
    run_tasks()
    (message,) = mail.outbox
    assert message.to == [cast.member2.email]
    assert "is approved" in message.body and "Welcome aboard & thanks" in message.body


@pytest.mark.django_db
def test_refusal_e_mail_respects_the_preference(
    cast, applicant, run_tasks, django_capture_on_commit_callbacks
):
    notification_preferences_save(user=cast.member2, wanted={NotificationKind.MEETING_CHANGE})
    with django_capture_on_commit_callbacks(execute=True):
        people.facilitator_reject(profile=applicant, acting_user=cast.admin, note="Not this year.")
    run_tasks()
    assert mail.outbox == []


@pytest.mark.django_db
def test_refusal_e_mail_renders(cast, applicant):
    applicant.status = "rejected"
    applicant.review_note = "Not this year."
    subject, body = facilitator_review_message(applicant)
    assert "not approved" in body and "Not this year." in body and "application" in subject


@pytest.mark.django_db
def test_moved_member_is_told_their_new_group(cast, run_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        groups.membership_move(
            access=organization_access(cast.admin, "acme"),
            acting_user=cast.admin,
            group=cast.group,
            user_id=cast.member.pk,
            to_group_id=cast.other_group.pk,
            reason="private words",
        )
    run_tasks()
    (message,) = mail.outbox
    assert message.to == [cast.member.email] and "Group B" in message.subject
    assert "private words" not in message.body
    subject, body = group_assignment_message(group=cast.other_group, member=cast.member)
    assert "You are now a member of Group B" in body


@pytest.mark.django_db
def test_moved_meeting_e_mails_the_group_with_the_updated_ics(
    cast, run_tasks, django_capture_on_commit_callbacks
):
    starts = timezone.now() + timedelta(days=10)
    meeting = Meeting.objects.create(
        group=cast.group, starts_at=starts, ends_at=starts + timedelta(hours=3)
    )
    notification_preferences_save(user=cast.member2, wanted=set())
    with django_capture_on_commit_callbacks(execute=True):
        meetings.meeting_move(
            meeting=meeting,
            starts_at=starts + timedelta(days=1),
            ends_at=starts + timedelta(days=1, hours=3),
            location="Room 4",
            video_url="",
            acting_user=cast.facilitator,
        )
    run_tasks()
    # Mia (not Max, who turned it off, nor Fran, who moved it).
    (message,) = mail.outbox
    assert message.to == [cast.member.email] and message.subject.startswith("Moved:")
    assert "Room 4" in message.body
    name, content, mimetype = message.attachments[0]
    event = next(c for c in Calendar.from_ical(content).walk("VEVENT"))
    assert str(event["uid"]) == meeting.uid and int(event["sequence"]) == 1


@pytest.mark.django_db
def test_cancelled_meeting_e_mail_renders_and_cancels_the_event(cast):
    starts = timezone.now() + timedelta(days=10)
    meeting = Meeting.objects.create(
        group=cast.group, starts_at=starts, ends_at=starts + timedelta(hours=3)
    )
    meeting = meetings.meeting_cancel(meeting=meeting, acting_user=cast.facilitator)
    message = meeting_change_message(meeting, cast.member)
    assert message.subject.startswith("Cancelled:") and "is cancelled" in message.body
    event = next(c for c in Calendar.from_ical(message.attachments[0][1]).walk("VEVENT"))
    assert str(event["status"]) == "CANCELLED"


@pytest.mark.django_db
def test_preferences_page_turns_e_mails_off_and_on(client, cast):
    client.force_login(cast.member)
    url = reverse("accounts-notifications")
    assert client.get(url).status_code == 200
    response = client.post(url, {"kinds": [NotificationKind.FACILITATOR_REVIEW]})
    assert response.status_code == 302
    org = cast.organization.pk
    assert not may_email(
        user=cast.member, organization_id=org, kind=NotificationKind.MEETING_CHANGE
    )
    assert may_email(
        user=cast.member, organization_id=org, kind=NotificationKind.FACILITATOR_REVIEW
    )
    client.post(url, {"kinds": list(ACCOUNT_KINDS)})
    assert may_email(user=cast.member, organization_id=org, kind=NotificationKind.MEETING_CHANGE)
    assert client.post(url, {"kinds": ["spam"]}).status_code == 422  # re-rendered with the error


@pytest.mark.django_db
def test_one_preference_model_decides_reminders_and_other_e_mails(client, cast):
    """Commitment reminders are set on the organization's page, other e-mails on the
    account's; both are rows of the one model, and `recipients_with_choice` reads both."""
    from peergroups.accounts.models import NotificationChoice, NotificationPreference
    from peergroups.organizations.recipients import recipients_with_choice

    client.force_login(cast.member)
    reminders = reverse("goals-reminders", args=[cast.organization.slug])
    response = client.post(reminders, {"frequency": NotificationChoice.WEEKLY_DIGEST})
    assert response.status_code == 302
    client.post(reverse("accounts-notifications"), {"kinds": []})  # every account e-mail off

    org = cast.organization.pk
    kind = NotificationKind.COMMITMENT_REMINDER
    people = [cast.member, cast.member2]
    assert recipients_with_choice(organization_id=org, users=people, kind=kind) == [
        (cast.member, NotificationChoice.WEEKLY_DIGEST),
        (cast.member2, NotificationChoice.EACH),
    ]
    assert not may_email(
        user=cast.member, organization_id=org, kind=NotificationKind.MEETING_CHANGE
    )
    assert client.get(reminders).context["form"].initial == {"frequency": "weekly_digest"}
    assert set(
        NotificationPreference.objects.filter(user=cast.member).values_list("kind", flat=True)
    ) == {*NotificationKind.values}
    # Off on the organization's page: no reminder, whatever the account page says.
    client.post(reminders, {"frequency": NotificationChoice.OFF})
    assert recipients_with_choice(organization_id=org, users=people, kind=kind) == [
        (cast.member2, NotificationChoice.EACH)
    ]
    # The account page lists only the account-wide e-mails, and refuses the others.
    page = client.get(reverse("accounts-notifications")).content.decode()
    assert "My commitments come due" not in page
    refused = client.post(reverse("accounts-notifications"), {"kinds": [kind]})
    assert refused.context["form"].errors
