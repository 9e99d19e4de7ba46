"""Routing a question: declared expertise, ask-me-about and handled topics, resources
shared with everyone and earlier answers; never a group's confidential content."""

import pytest

from peergroups.meetings import services as meetings
from peergroups.network import selectors
from peergroups.network.models import Answer, Mute, Question
from peergroups.network.tests.conftest import access_of
from peergroups.people.models import MemberProfile
from peergroups.resources import services as resources


def share(user, *, group=None, topics=("hiring",)):
    return resources.resource_share(
        user=user,
        access=access_of(user),
        kind="tool",
        title="A tool",
        summary="It helps.",
        topics=list(topics),
        scope="group" if group else "organization",
        group_id=group.pk if group else None,
        url="https://example.org",
    )


@pytest.fixture
def network(cast, listing):
    """Mia declares hiring (expertise and ask-me-about), Max has handled it and shared on
    it, Oli answered a hiring question once; Fran hides her expertise; Otto is unlisted."""
    for group, members in (
        (cast.group, [cast.member, cast.member2]),
        (cast.other_group, [cast.other_member]),
    ):
        agreement = meetings.agreement_current(group=group)
        for member in members:
            meetings.agreement_accept(agreement=agreement, user=member)
    MemberProfile.objects.filter(user=cast.member).update(expertise=["hiring", "finance"])
    listing(cast.member, ask_me_about_topics=["hiring"])
    listing(cast.member2, handled_topics=["hiring"])
    share(cast.member2)
    share(cast.member2)
    listing(cast.other_member)
    earlier = Question.objects.create(
        organization=cast.organization,
        asker=cast.member,
        title="Earlier",
        body="b",
        topics=["hiring", "sales"],
    )
    Answer.objects.create(question=earlier, author=cast.other_member, body="My experience.")
    listing(cast.facilitator, show_expertise=False, ask_me_about_topics=["finance"])
    return cast


def ranking(cast, topics=("hiring",), asker=None):
    asker = asker or cast.other_facilitator
    return [
        (str(c.user), c.score)
        for c in selectors.route(access=access_of(asker), asker=asker, topics=list(topics))
    ]


def test_routing_order_on_a_constructed_case(network):
    assert ranking(network) == [("Mia Member", 6.0), ("Max Member", 4.0), ("Oli Member", 1.0)]


def test_reasons_say_why(network):
    top = selectors.route(
        access=access_of(network.other_facilitator),
        asker=network.other_facilitator,
        topics=["hiring"],
    )
    assert top[0].reasons == ["Expertise: Hiring", "Ask me about: Hiring"]
    assert top[1].reasons == ["Has handled: Hiring", "Shared 2 resources"]
    assert top[2].reasons == ["Answered 1 question on this"]


def test_group_content_never_counts(network):
    before = ranking(network)
    # Oli brings three hiring issues to his group; Max shares hiring resources in his.
    for i in range(3):
        meetings.issue_submit(
            group=network.other_group,
            author=network.other_member,
            title=f"Hiring {i}",
            category="hiring",
            situation="Confidential.",
            ask="Help.",
            urgency=2,
        )
    for _ in range(3):
        share(network.other_member, group=network.other_group)
    assert ranking(network) == before


def test_the_asker_unlisted_and_unwilling_are_not_proposed(network, listing):
    assert "Mia Member" not in [name for name, _ in ranking(network, asker=network.member)]
    listing(network.member2, handled_topics=["hiring"], accepts_questions=False)
    assert ranking(network) == [("Mia Member", 6.0), ("Oli Member", 1.0)]
    listing(network.other_member, listed=False)
    listing(network.member, listed=False)
    assert ranking(network) == []


def test_a_mute_does_not_change_the_proposals(network):
    """Issue 21, row 7: the asker would learn who muted them; question_ask just does
    not deliver to that person (tests/…/test_questions.py)."""
    before = ranking(network)
    Mute.objects.create(
        organization=network.organization, user=network.member, muted=network.other_facilitator
    )
    assert ranking(network) == before and "Mia Member" in dict(before)


def test_evidence_is_capped(network):
    for _ in range(5):
        share(network.member2)
    assert dict(ranking(network))["Max Member"] == 2.0 + 3.0
