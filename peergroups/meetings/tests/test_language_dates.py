"""Dates are written the way the reader's language writes them: on pages and in e-mails."""

from datetime import UTC, datetime

from django.urls import reverse

from peergroups.meetings.tasks import meeting_change_message
from peergroups.people.models import MemberProfile


def test_a_german_member_reads_german_dates(client, scheduled):
    scheduled.member.language = "de"
    scheduled.member.save(update_fields=["language"])
    MemberProfile.objects.filter(user=scheduled.member).update(
        time_zone="Europe/Berlin", completed_at=datetime(2026, 12, 1, tzinfo=UTC)
    )
    client.force_login(scheduled.member)
    page = client.get(reverse("meetings-list", args=["acme", scheduled.group.pk])).text
    assert "Di, 12. Jan 2027, 14:00" in page  # 08:00 New York, in Berlin, in German
    assert "Tue 12 Jan" not in page


def test_a_meeting_change_email_dates_the_meeting_in_the_recipients_language(meeting, scheduled):
    scheduled.member.language = "de"
    scheduled.member.save(update_fields=["language"])
    message = meeting_change_message(meeting, scheduled.member)
    assert "Di, 12. Jan 2027" in message.body
    assert "Di, 12. Jan 2027" in message.subject
    english = meeting_change_message(meeting, scheduled.member2)
    assert "Tue 12 Jan 2027" in english.body and "Tue 12 Jan 2027" in english.subject
