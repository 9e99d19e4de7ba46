"""Every e-mail is in its recipient's language (their own, else their organization's
default), whatever language the request or worker that sends it is in."""

from django.utils import translation

from peergroups.groups.tasks import group_assignment_message


def test_a_german_member_gets_a_german_email(cast):
    cast.member.language = "de"
    cast.member.save(update_fields=["language"])
    message = group_assignment_message(group=cast.group, member=cast.member)
    assert "Hallo Mia," in message.body
    assert "Sie sind jetzt Mitglied von Group A in Leaders 2027." in message.body
    assert "Ihr Moderator ist Fran Facilitator." in message.body
    assert "You are now a member" not in message.body
    assert message.extra_headers["Content-Language"] == "de"
    html = message.alternatives[0][0]
    assert '<html lang="de">' in html and "Hallo Mia," in html


def test_the_organization_default_applies_unless_the_person_chose(cast):
    cast.organization.default_language = "de"
    cast.organization.save(update_fields=["default_language"])
    message = group_assignment_message(group=cast.group, member=cast.member)
    assert "Hallo Mia," in message.body
    cast.member2.language = "en"
    cast.member2.save(update_fields=["language"])
    message = group_assignment_message(group=cast.group, member=cast.member2)
    assert "Hello Max," in message.body and message.extra_headers["Content-Language"] == "en"


def test_the_sender_language_does_not_leak_into_the_recipients_email(cast):
    # An admin reading German places an English-speaking member: the e-mail is English,
    # and the admin's request goes on in German.
    with translation.override("de"):
        message = group_assignment_message(group=cast.group, member=cast.member)
        assert translation.get_language() == "de"
    assert "Hello Mia," in message.body
