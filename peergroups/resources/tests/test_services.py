"""Sharing, editing, withdrawing and voting: each rule lives in its service."""

import pytest

from peergroups.errors import Conflict, Gone, Invalid, NotFound, Refused
from peergroups.resources import selectors, services
from peergroups.resources.models import Resource, ResourceTopic, ResourceVote, SearchTerm
from peergroups.resources.tests.conftest import access_of


def test_member_shares_a_link_with_the_organization(share, accepted):
    resource = share(accepted.member, topics=["hiring", "team-building"])
    assert resource.scope == "organization"
    assert resource.topics_text == "Hiring Team building"
    assert set(ResourceTopic.objects.values_list("topic", flat=True)) == {
        "hiring",
        "team-building",
    }
    # Its words are known for typo correction in the organization's scope only.
    assert SearchTerm.objects.filter(scope_key="o", term="scorecard").exists()


def test_group_resource_words_are_indexed_in_the_group_scope(share, accepted):
    share(accepted.member, title="Zanzibar acquisition memo", group=accepted.group)
    keys = set(SearchTerm.objects.filter(term="zanzibar").values_list("scope_key", flat=True))
    assert keys == {f"g{accepted.group.pk}"}


def test_admin_cannot_share(accepted):
    with pytest.raises(Refused):
        services.resource_share(
            user=accepted.admin,
            access=access_of(accepted.admin),
            kind="article",
            title="x",
            summary="y",
            topics=["hiring"],
            scope="organization",
            url="https://example.org",
        )


def test_cannot_share_with_another_group(share, accepted):
    with pytest.raises(Refused):
        share(accepted.member, group=accepted.other_group)


def test_member_without_the_agreement_cannot_share_with_the_group(share, accepted, cast):
    from peergroups.meetings.models import AgreementAcceptance

    AgreementAcceptance.objects.filter(user=cast.member).delete()
    with pytest.raises(Refused):
        share(cast.member, group=cast.group)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 161}, "title"),
        ({"summary": ""}, "summary"),
        ({"topics": []}, "topics"),
        ({"topics": ["astrology"]}, "topics"),
        (
            {"topics": ["hiring", "sales", "finance", "product", "marketing", "operations"]},
            "topics",
        ),
        ({"url": "ftp://example.org/x"}, "url"),
        ({"url": ""}, "url"),
        ({"kind": "poem"}, "kind"),
    ],
)
def test_share_refuses_bad_input_with_the_field(share, accepted, fields, field):
    with pytest.raises(Invalid) as refused:
        share(accepted.member, **fields)
    assert refused.value.field == field
    assert not Resource.objects.exists()


def test_only_the_sharer_edits(share, accepted):
    resource = share(accepted.member)
    with pytest.raises(Refused):
        services.resource_edit(
            user=accepted.member2,
            access=access_of(accepted.member2),
            resource=resource,
            kind="tool",
            title="Mine now",
            summary="s",
            topics=["sales"],
            url="https://example.org",
        )
    services.resource_edit(
        user=accepted.member,
        access=access_of(accepted.member),
        resource=resource,
        kind="tool",
        title="Interview scorecard v2",
        summary="Now with a debrief page.",
        topics=["sales"],
        url="https://example.org/v2",
    )
    resource.refresh_from_db()
    assert (resource.title, resource.topics) == ("Interview scorecard v2", ["sales"])
    assert list(ResourceTopic.objects.values_list("topic", flat=True)) == ["sales"]


def test_withdraw_rules(share, accepted):
    org_wide = share(accepted.member)
    in_group = share(accepted.member2, title="Group only", group=accepted.group)
    other = share(accepted.member2, title="Another")
    with pytest.raises(Refused):  # another member
        services.resource_withdraw(
            user=accepted.member2, access=access_of(accepted.member2), resource=org_wide
        )
    # An admin moderates the organization's library, a facilitator their group's.
    services.resource_withdraw(
        user=accepted.admin, access=access_of(accepted.admin), resource=org_wide
    )
    services.resource_withdraw(
        user=accepted.facilitator, access=access_of(accepted.facilitator), resource=in_group
    )
    with pytest.raises(Refused):  # the other group's facilitator
        services.resource_withdraw(
            user=accepted.other_facilitator,
            access=access_of(accepted.other_facilitator),
            resource=other,
        )
    with pytest.raises(Conflict):
        services.resource_withdraw(
            user=accepted.member, access=access_of(accepted.member), resource=org_wide
        )
    with pytest.raises(Gone):
        selectors.resource_for_user(
            user=accepted.member, access=access_of(accepted.member), resource_id=org_wide.pk
        )


def test_one_useful_vote_per_person_and_none_for_your_own(share, accepted):
    resource = share(accepted.member)
    assert services.resource_vote_set(user=accepted.member2, resource=resource, useful=True) == 1
    assert services.resource_vote_set(user=accepted.member2, resource=resource, useful=True) == 1
    assert (
        services.resource_vote_set(user=accepted.other_member, resource=resource, useful=True) == 2
    )
    assert services.resource_vote_set(user=accepted.member2, resource=resource, useful=False) == 1
    assert ResourceVote.objects.count() == 1
    with pytest.raises(Refused):
        services.resource_vote_set(user=accepted.member, resource=resource, useful=True)


def test_library_is_most_useful_first(share, accepted):
    first = share(accepted.member, title="First")
    second = share(accepted.member, title="Second")
    services.resource_vote_set(user=accepted.member2, resource=second, useful=True)
    page = selectors.library(user=accepted.member2, access=access_of(accepted.member2))
    assert [r.pk for r in page.resources] == [second.pk, first.pk]


def test_another_organizations_resource_is_not_found(share, accepted):
    resource = share(accepted.member)
    with pytest.raises(NotFound):
        selectors.resource_for_user(
            user=accepted.outsider,
            access=access_of(accepted.outsider, "globex"),
            resource_id=resource.pk,
        )


def test_deleting_a_group_hides_its_resources_from_everyone(share, accepted):
    resource = share(accepted.member, title="Group only", group=accepted.group)
    accepted.group.delete()
    resource.refresh_from_db()
    assert resource.group is None and resource.scope == "group"
    for user in (accepted.member, accepted.admin, accepted.other_member):
        with pytest.raises(Refused):
            selectors.resource_for_user(user=user, access=access_of(user), resource_id=resource.pk)
        assert selectors.library(user=user, access=access_of(user)).count == 0
