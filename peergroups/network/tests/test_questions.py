"""Asking the network: who gets it, anonymity, e-mails with links, answers, rate limits,
decline and mute, and closing after 30 days."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from peergroups.errors import Conflict, Invalid, NotFound, Refused, Throttled
from peergroups.network import selectors, services
from peergroups.network.models import QuestionRecipient, RecipientStatus
from peergroups.network.tests.conftest import access_of


@pytest.fixture
def peers(cast, listing):
    """Max, Oli and Fran can help with hiring; Mia asks."""
    listing(cast.member2, ask_me_about_topics=["hiring"])
    listing(cast.other_member, handled_topics=["hiring"])
    listing(cast.facilitator, ask_me_about_topics=["hiring", "finance"])
    return cast


def ask(user, **fields):
    values = {
        "title": "How do you onboard remote hires?",
        "body": "We are fully remote.",
        "topics": ["hiring"],
    }
    values.update(fields)
    return services.question_ask(user=user, access=access_of(user), **values)


def view_of(user, question):
    return selectors.question_for_user(user=user, access=access_of(user), question_id=question.pk)


def test_top_five_by_default_and_each_gets_an_email_with_a_link(
    peers, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        question = ask(peers.member, anonymous=True)
    recipients = set(question.recipients.values_list("user__email", flat=True))
    assert recipients == {"max@acme.test", "oli@acme.test", "fran@acme.test"}
    run_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(recipients)
    body = mail.outbox[0].body
    assert question.get_absolute_url() in body
    assert "A peer (anonymous)" in body and "Mia" not in body


def test_the_asker_picks_from_the_proposals_only(peers):
    question = ask(peers.member, recipient_ids=[peers.other_member.pk])
    assert list(question.recipients.values_list("user", flat=True)) == [peers.other_member.pk]
    with pytest.raises(Invalid):
        ask(peers.member, recipient_ids=[peers.admin.pk])


def test_nobody_to_ask_is_a_conflict(peers):
    with pytest.raises(Conflict):
        ask(peers.member, topics=["legal-compliance"])


def test_anonymous_asker_stays_anonymous_on_the_page(peers, client):
    question = ask(peers.member, anonymous=True)
    client.force_login(peers.member2)
    page = client.get(question.get_absolute_url()).content.decode()
    assert "A peer (anonymous)" in page and "Mia Member" not in page


def test_answers_go_back_to_the_asker_and_to_others_only_if_allowed(
    peers, run_tasks, django_capture_on_commit_callbacks
):
    private = ask(peers.member)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_give(
            user=peers.member2, view=view_of(peers.member2, private), body="Buddy."
        )
    run_tasks()
    to_mia = [m for m in mail.outbox if m.to == ["mia@acme.test"]]
    assert len(to_mia) == 1 and "Buddy." in to_mia[0].body
    assert [a.body for a in selectors.answers_visible(view=view_of(peers.member, private))] == [
        "Buddy."
    ]
    assert selectors.answers_visible(view=view_of(peers.other_member, private)) == []
    shared = ask(peers.member, share_answers=True)
    services.answer_give(user=peers.member2, view=view_of(peers.member2, shared), body="Pairing.")
    assert [
        a.body for a in selectors.answers_visible(view=view_of(peers.other_member, shared))
    ] == ["Pairing."]
    with pytest.raises(Conflict):
        services.answer_give(user=peers.member2, view=view_of(peers.member2, shared), body="x")


def test_only_the_asker_and_recipients_see_a_question(peers, client):
    question = ask(peers.member, recipient_ids=[peers.member2.pk])
    for user in (peers.other_member, peers.admin):
        with pytest.raises(NotFound):
            view_of(user, question)
        client.force_login(user)
        assert client.get(question.get_absolute_url()).status_code == 404
    with pytest.raises(Refused):
        services.answer_give(user=peers.member, view=view_of(peers.member, question), body="x")


def test_rate_limit_per_asker(peers, settings, client):
    settings.NETWORK_QUESTIONS_PER_DAY = 2
    with time_machine.travel(timezone.now(), tick=False) as clock:
        ask(peers.member)
        ask(peers.member)
        with pytest.raises(Throttled) as throttled:
            ask(peers.member)
        assert 0 < throttled.value.retry_after <= 24 * 3600 + 1
        client.force_login(peers.member)
        response = client.post(
            reverse("api:api-questions-create", kwargs={"org_slug": "acme"}),
            {"title": "Third", "body": "b", "topics": ["hiring"]},
            content_type="application/json",
        )
        assert response.status_code == 429 and "Retry-After" in response
        assert "questions in a day" in response.json()["detail"]
        ask(peers.member2, topics=["hiring"])  # the limit is per asker
        clock.shift(timedelta(days=1, seconds=1))
        ask(peers.member)


def test_decline_and_mute(peers, django_capture_on_commit_callbacks):
    question = ask(peers.member)
    services.question_decline(user=peers.member2, view=view_of(peers.member2, question))
    assert QuestionRecipient.objects.get(question=question, user=peers.member2).status == (
        RecipientStatus.DECLINED
    )
    with pytest.raises(Conflict):
        services.question_decline(user=peers.member2, view=view_of(peers.member2, question))
    services.asker_mute(user=peers.other_member, view=view_of(peers.other_member, question))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = ask(peers.member)
    # The muted person is simply never asked: no e-mail, no question on their list.
    assert peers.other_member.email not in [m.to[0] for m in mail.outbox]
    with pytest.raises(NotFound):
        view_of(peers.other_member, again)
    received = selectors.questions_received(
        user=peers.other_member, access=access_of(peers.other_member)
    )
    assert again.pk not in [r.question_id for r in received]


def test_a_mute_is_invisible_to_the_asker(peers, client):
    """Issue 21, row 7: proposals and the question's page are the same whether or not
    someone muted the asker; the muted person never receives the question."""

    def what_the_asker_sees():
        proposals = client.post(
            reverse("api:api-questions-proposals", args=["acme"]),
            {"topics": ["hiring"]},
            content_type="application/json",
        ).json()
        question = ask(peers.member, recipient_ids=[p["user_id"] for p in proposals])
        page = client.get(reverse("network-question", args=["acme", question.pk])).content.decode()
        api = client.get(reverse("api:api-question", args=["acme", question.pk])).json()
        recipients = page[page.index("Sent to") :].split("</p>")[0]
        return proposals, recipients, api["recipients"], question

    client.force_login(peers.member)
    before = what_the_asker_sees()
    services.asker_mute(user=peers.other_member, view=view_of(peers.other_member, before[3]))
    after = what_the_asker_sees()
    assert after[:3] == before[:3]
    assert "Oli Member" in after[1]
    with pytest.raises(NotFound):
        view_of(peers.other_member, after[3])


def test_questions_close_after_thirty_days(peers):
    question = ask(peers.member)
    with time_machine.travel(timezone.now() + timedelta(days=30, minutes=1)):
        view = view_of(peers.member2, question)
        assert not view.question.is_open
        with pytest.raises(Conflict, match="closed"):
            services.answer_give(user=peers.member2, view=view, body="Late.")


def test_ask_page_previews_then_sends(peers, client):
    client.force_login(peers.member)
    url = reverse("network-ask", args=["acme"])
    data = {"title": "Remote onboarding?", "body": "Context.", "topics": ["hiring"]}
    preview = client.post(url, {**data, "action": "preview"})
    assert preview.status_code == 200
    assert b"Max Member" in preview.content and b"checked" in preview.content
    sent = client.post(url, {**data, "action": "send", "recipients": [peers.member2.pk]})
    assert sent.status_code == 302
    client.force_login(peers.member2)
    page = client.get(sent["Location"])
    assert b"Send my answer" in page.content
    answered = client.post(
        reverse(
            "network-answer", args=["acme", int(sent["Location"].rstrip("/").rsplit("/", 1)[1])]
        ),
        {"body": "Give them a buddy."},
    )
    assert answered.status_code == 302


def test_ask_page_keeps_the_question_when_throttled(peers, settings, client):
    settings.NETWORK_QUESTIONS_PER_DAY = 1
    ask(peers.member)
    client.force_login(peers.member)
    response = client.post(
        reverse("network-ask", args=["acme"]),
        {"title": "Keep this text", "body": "And this.", "topics": ["hiring"], "action": "send"},
    )
    assert response.status_code == 429
    assert b"questions in a day" in response.content and b"Keep this text" in response.content
