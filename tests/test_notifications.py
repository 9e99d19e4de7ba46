"""What people read in the e-mails the product sends: every e-mail goes through one
pipeline (`ops.mail.email_message`): one template, a plain-text part without HTML
entities and an HTML part, links on BASE_URL, From the organization's sender name,
Reply-To the group's facilitator (or the organization's address), and no confidential
words to the wrong person. Each e-mail is sent by its real task into Django's locmem
outbox."""

import email
import email.policy
import html
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from peergroups.accounts.models import NotificationKind
from peergroups.accounts.notifications import notification_preferences_save, wants_email
from peergroups.formation.tasks import groups_welcome_send
from peergroups.goals import services as goals
from peergroups.goals.tasks import goal_reminders_send_now
from peergroups.groups import services as groups
from peergroups.groups.models import GroupMembership
from peergroups.meetings import selectors as meetings_selectors
from peergroups.meetings import services as meetings
from peergroups.meetings.models import Meeting
from peergroups.meetings.tasks import meeting_change_message, reminders_send_now
from peergroups.ops.mail import email_message, email_text
from peergroups.organizations.access import organization_access
from peergroups.organizations.services import invitation_create
from peergroups.organizations.tasks import invitation_mark_sent
from peergroups.outcomes.tasks import pulses_send_now
from peergroups.people import services as people
from peergroups.people.models import FacilitatorProfile
from peergroups.people.tasks import invitation_reminders_send_now
from tests.smtp_server import SmtpServer

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
BASE = "http://127.0.0.1:8101"
ENTITIES = re.compile(r"&(#x?[0-9a-f]+|[a-z]+);", re.I)


def read(message) -> tuple[str, str]:
    """The text and the HTML part of a message, after the checks every e-mail passes."""
    text = message.body
    (html_part, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    assert not ENTITIES.search(text), f"an HTML entity in the text part: {text}"
    assert "<html" in html_part and 'lang="en"' in html_part
    # Every link of the text is an anchor of the HTML, on BASE_URL.
    for link in re.findall(r"https?://\S+", text):
        assert link.startswith(BASE + "/"), link
        assert f'href="{html.escape(link)}"' in html_part or f'href="{link}"' in html_part
    assert "127.0.0.1:8000" not in text + html_part
    return text, html_part


@pytest.fixture
def acme(cast):
    """Acme sends as "Acme People Team", replies to people@acme.test; a member with an
    apostrophe, a group with an ampersand."""
    organization = cast.organization
    organization.email_sender_name = "Acme People Team"
    organization.email_reply_to = "people@acme.test"
    organization.save(update_fields=["email_sender_name", "email_reply_to"])
    cast.member.full_name = "James O'Connor"
    cast.member.save(update_fields=["full_name"])
    cast.group.name = "Smith & Jones"
    cast.group.save(update_fields=["name"])
    return cast


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.BASE_URL = BASE
    settings.DEFAULT_FROM_EMAIL = "Peergroups <noreply@peergroups.test>"


def test_every_e_mail_template_renders_as_plain_text():
    found = sorted(TEMPLATES.glob("*/email/*.txt"))
    assert len(found) >= 12
    for path in found:
        context = {
            "uid": "MQ",
            "token": "set-token",
            "protocol": "https",
            "domain": "x.test",
            "zone": "UTC",
        }
        assert email_text(str(path.relative_to(TEMPLATES)), context).strip()


def test_one_template_gives_a_text_part_without_entities_and_an_escaped_html_part(db):
    class Organization:
        name = "O'Brien & Co"
        email_sender_name = "O'Brien & Co People"
        email_reply_to = "hr@obrien.test"

    message = email_message(
        to="x@example.test",
        subject="Hello\nthere",
        template="groups/email/assignment.txt",
        context={
            "member": type("M", (), {"get_short_name": "James <b>O'Connor</b>"})(),
            "group": {"name": "R&D", "program": {"name": "Leaders"}, "organization": Organization},
            "link": BASE + "/o/x/groups/1/?a=1&b=2",
        },
        organization=Organization,
    )
    text, html_part = read(message)
    assert "Hello James <b>O'Connor</b>," in text and "member of R&D" in text
    assert "James &lt;b&gt;O&#x27;Connor&lt;/b&gt;" in html_part and "<b>" not in html_part
    assert 'href="http://127.0.0.1:8101/o/x/groups/1/?a=1&amp;b=2"' in html_part
    assert message.subject == "Hello there"
    assert message.from_email == "O'Brien & Co People <noreply@peergroups.test>"
    assert message.reply_to == ["hr@obrien.test"]


@pytest.mark.django_db
def test_invitation_names_the_inviter_and_links_on_base_url(
    acme, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            organization=acme.organization,
            email="new@acme.test",
            acting_user=acme.admin,
            program=acme.program,
        )
    run_tasks()
    (message,) = mail.outbox
    text, html_part = read(message)
    assert message.to == ["new@acme.test"]
    assert "Ada Admin invites you to join Acme Leaders" in text
    assert re.search(re.escape(BASE) + r"/invite/\S+", text)
    assert message.from_email == "Acme People Team <noreply@peergroups.test>"
    assert message.reply_to == ["people@acme.test"]


@pytest.mark.django_db
def test_password_reset_links_on_base_url_and_comes_from_the_site(
    client, acme, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": acme.member.email})
    run_tasks()
    (message,) = mail.outbox
    text, _ = read(message)
    assert message.subject == "Reset your Peergroups password"
    assert "Hello James," in text and f"{BASE}/accounts/reset/" in text
    # No organization's name on an account's e-mail: the site's sender, no Reply-To.
    assert message.from_email == "Peergroups <noreply@peergroups.test>" and message.reply_to == []


@pytest.fixture
def applicant(acme):
    return FacilitatorProfile.objects.create(
        organization=acme.organization,
        user=acme.member2,
        built_own_business=True,
        trained_feedback_coach=True,
        expertise=["sales", "finance"],
    )


@pytest.mark.django_db
def test_approval_e_mail_carries_the_note_as_written(
    acme, applicant, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        people.facilitator_approve(
            profile=applicant, acting_user=acme.admin, note="Welcome aboard & thanks, it's great"
        )
    run_tasks()
    (message,) = mail.outbox
    text, html_part = read(message)
    assert message.to == [acme.member2.email]
    assert "is approved" in text and "Welcome aboard & thanks, it's great" in text
    assert "Welcome aboard &amp; thanks, it&#x27;s great" in html_part
    assert f"{BASE}/o/acme/" in text
    assert message.reply_to == ["people@acme.test"]


@pytest.mark.django_db
def test_refusal_e_mail_respects_the_preference(
    acme, applicant, run_tasks, django_capture_on_commit_callbacks
):
    notification_preferences_save(user=acme.member2, wanted={NotificationKind.MEETING_CHANGE})
    with django_capture_on_commit_callbacks(execute=True):
        people.facilitator_reject(profile=applicant, acting_user=acme.admin, note="Not this year.")
    run_tasks()
    assert mail.outbox == []


@pytest.mark.django_db
def test_refusal_e_mail_reads_as_a_refusal(
    acme, applicant, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        people.facilitator_reject(profile=applicant, acting_user=acme.admin, note="Not this year.")
    run_tasks()
    (message,) = mail.outbox
    text, _ = read(message)
    assert "application" in message.subject
    assert "not approved" in text and "Not this year." in text


@pytest.mark.django_db
def test_moved_member_reads_their_new_group_and_replies_to_its_facilitator(
    acme, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        groups.membership_move(
            access=organization_access(acme.admin, "acme"),
            acting_user=acme.admin,
            group=acme.group,
            user_id=acme.member.pk,
            to_group_id=acme.other_group.pk,
            reason="private words",
        )
    run_tasks()
    (message,) = mail.outbox
    text, html_part = read(message)
    assert message.to == [acme.member.email] and "Group B" in message.subject
    assert "Hello James," in text and "You are now a member of Group B" in text
    assert "Otto Facilitator" in text
    assert "private words" not in text + html_part  # the admin's reason stays with admins
    assert f"{BASE}/o/acme/groups/{acme.other_group.pk}/" in text
    assert message.reply_to == [acme.other_facilitator.email]
    assert message.from_email == "Acme People Team <noreply@peergroups.test>"
    # Told about their group: a later welcome of the run does not repeat it.
    assert GroupMembership.objects.get(user=acme.member, group=acme.other_group).welcomed_at


@pytest.mark.django_db
def test_welcome_names_the_group_as_it_is_now_and_each_member_once(acme):
    assert groups_welcome_send.call([acme.group.pk]) == 2
    by_person = {message.to[0]: message for message in mail.outbox}
    assert set(by_person) == {acme.member.email, acme.member2.email}
    text, html_part = read(by_person[acme.member.email])
    assert by_person[acme.member.email].subject == "Your peer group: Smith & Jones (Leaders 2027)"
    assert "is formed: Smith & Jones." in text and "Smith &amp; Jones" in html_part
    # A sentence the template wrapped by hand flows in HTML; the list keeps its lines.
    assert "agreement, and look out for" in html_part and "Your peers:<br>" in html_part
    assert "  - Max Member" in text and "O'Connor" not in text  # peers, not oneself
    assert by_person[acme.member.email].reply_to == [acme.facilitator.email]
    mail.outbox.clear()
    assert groups_welcome_send.call([acme.group.pk]) == 0 and mail.outbox == []


@pytest.mark.django_db
def test_moved_meeting_e_mails_the_group_with_the_updated_ics(
    acme, run_tasks, django_capture_on_commit_callbacks
):
    starts = timezone.now() + timedelta(days=10)
    meeting = Meeting.objects.create(
        group=acme.group, starts_at=starts, ends_at=starts + timedelta(hours=3)
    )
    notification_preferences_save(user=acme.member2, wanted=set())
    with django_capture_on_commit_callbacks(execute=True):
        meetings.meeting_move(
            meeting=meeting,
            starts_at=starts + timedelta(days=1),
            ends_at=starts + timedelta(days=1, hours=3),
            location="Room 4 & 5",
            video_url="",
            acting_user=acme.facilitator,
        )
    run_tasks()
    # James (not Max, who turned it off, nor Fran, who moved it).
    (message,) = mail.outbox
    text, _ = read(message)
    assert message.to == [acme.member.email] and message.subject.startswith("Moved:")
    assert "The Smith & Jones meeting has moved" in text and "Where: Room 4 & 5" in text
    assert message.reply_to == [acme.facilitator.email]
    name, content, mimetype = message.attachments[0]
    event = next(c for c in Calendar.from_ical(content).walk("VEVENT"))
    assert str(event["uid"]) == meeting.uid and int(event["sequence"]) == 1


@pytest.mark.django_db
def test_cancelled_meeting_e_mail_renders_and_cancels_the_event(acme):
    starts = timezone.now() + timedelta(days=10)
    meeting = Meeting.objects.create(
        group=acme.group, starts_at=starts, ends_at=starts + timedelta(hours=3)
    )
    meeting = meetings.meeting_cancel(meeting=meeting, acting_user=acme.facilitator)
    message = meeting_change_message(meeting, acme.member)
    text, _ = read(message)
    assert message.subject.startswith("Cancelled:") and "is cancelled" in text
    event = next(c for c in Calendar.from_ical(message.attachments[0][1]).walk("VEVENT"))
    assert str(event["status"]) == "CANCELLED"


@pytest.mark.django_db
def test_meeting_reminder_replies_to_the_facilitator_except_for_the_facilitator(acme):
    starts = timezone.now() + timedelta(hours=12)
    Meeting.objects.create(
        group=acme.group, starts_at=starts, ends_at=starts + timedelta(hours=3), location="R&D lab"
    )
    assert reminders_send_now() == 3
    by_person = {message.to[0]: message for message in mail.outbox}
    text, _ = read(by_person[acme.member.email])
    assert "Smith & Jones meets" in text and "Where: R&D lab" in text
    # James has not accepted the agreement: no issue titles, a sentence instead.
    assert "Accept your group's confidentiality agreement" in text
    assert by_person[acme.member.email].reply_to == [acme.facilitator.email]
    assert by_person[acme.facilitator.email].reply_to == ["people@acme.test"]


@pytest.mark.django_db
def test_preferences_page_turns_e_mails_off_and_on(client, cast):
    client.force_login(cast.member)
    url = reverse("accounts-notifications")
    assert client.get(url).status_code == 200
    response = client.post(url, {"kinds": [NotificationKind.FACILITATOR_REVIEW]})
    assert response.status_code == 302
    assert not wants_email(user=cast.member, kind=NotificationKind.MEETING_CHANGE)
    assert wants_email(user=cast.member, kind=NotificationKind.FACILITATOR_REVIEW)
    client.post(url, {"kinds": list(NotificationKind.values)})
    assert wants_email(user=cast.member, kind=NotificationKind.MEETING_CHANGE)
    assert client.post(url, {"kinds": ["spam"]}).status_code == 200  # re-rendered with the error


@override_settings(DEFAULT_FROM_EMAIL="noreply@peergroups.test")
def test_a_bare_from_address_takes_the_sender_name(db):
    class Organization:
        email_sender_name = "Acme People Team"
        email_reply_to = ""

    message = email_message(
        to="x@example.test", subject="s", template="people/email/intake_reminder.txt",
        context={}, organization=Organization,
    )  # fmt: skip
    assert message.from_email == "Acme People Team <noreply@peergroups.test>"
    assert message.reply_to == []


START = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_invitation_reminder_reads_the_invitee_s_name_and_the_link(acme):
    with time_machine.travel(START, tick=False) as clock:
        invitation, token = invitation_create(
            organization=acme.organization,
            email="late@acme.test",
            full_name="Siobhán O'Neill",
            acting_user=acme.admin,
            program=acme.program,
            send=False,
        )
        invitation_mark_sent(invitation=invitation)
        clock.move_to(START + timedelta(days=8))
        assert invitation_reminders_send_now() == 1
    (message,) = mail.outbox
    text, html_part = read(message)
    assert "Hello Siobhán O'Neill," in text and "Siobhán O&#x27;Neill" in html_part
    assert f"{BASE}/invite/{token}/" in text
    assert message.from_email == "Acme People Team <noreply@peergroups.test>"
    assert message.reply_to == ["people@acme.test"]


@pytest.mark.django_db
def test_commitment_reminder_reads_the_commitment_and_replies_to_the_facilitator(acme):
    agreement = meetings_selectors.agreement_latest(group=acme.group)
    meetings.agreement_accept(agreement=agreement, user=acme.member)
    commitment = goals.commitment_make(
        group=acme.group, member=acme.member, text="Call O'Brien & Sons about the loan"
    )
    with time_machine.travel(
        datetime.combine(commitment.due_on - timedelta(days=1), datetime.min.time(), UTC),
        tick=False,
    ):
        assert goal_reminders_send_now() == 1
    (message,) = mail.outbox
    text, html_part = read(message)
    assert message.to == [acme.member.email]
    assert "Call O'Brien & Sons about the loan" in text
    assert "Call O&#x27;Brien &amp; Sons about the loan" in html_part
    assert f"{BASE}/o/acme/check-in/" in text
    assert message.reply_to == [acme.facilitator.email]


@pytest.mark.django_db
def test_pulse_reads_the_month_and_links_on_base_url(acme):
    with time_machine.travel(datetime(2031, 4, 1, 12, 0, tzinfo=UTC), tick=False):
        pulses_send_now()
    by_person = {message.to[0]: message for message in mail.outbox}
    message = by_person[acme.member.email]
    text, _ = read(message)
    assert "Hello James," in text and "pulse for April" in text
    assert re.search(re.escape(BASE) + r"/o/acme/pulse/\S+", text)
    assert message.from_email == "Acme People Team <noreply@peergroups.test>"


@pytest.mark.django_db
def test_what_reaches_the_mail_server_has_both_parts_and_the_headers(acme, settings):
    """Over real SMTP (tests/smtp_server.py), parsed back as a mail client would: the
    welcome batch, through one connection, multipart/alternative with the text and HTML
    parts, From the organization's name, Reply-To the facilitator."""
    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 2
    try:
        assert groups_welcome_send.call([acme.group.pk]) == 2
    finally:
        server.stop()
    received = {m.recipients[0]: m for m in server.messages}
    parsed = email.message_from_string(
        received[acme.member.email].data, policy=email.policy.default
    )
    assert parsed.get_content_type() == "multipart/alternative"
    assert str(parsed["From"]) == "Acme People Team <noreply@peergroups.test>"
    assert str(parsed["Reply-To"]) == acme.facilitator.email
    assert str(parsed["Subject"]) == "Your peer group: Smith & Jones (Leaders 2027)"
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    html_part = parsed.get_body(preferencelist=("html",)).get_content()
    assert "Hello James," in text and "is formed: Smith & Jones." in text
    assert not ENTITIES.search(text)
    assert "Smith &amp; Jones" in html_part
