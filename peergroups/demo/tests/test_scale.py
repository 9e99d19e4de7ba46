from django.core.management import call_command

from peergroups.demo.scale import logins, scale_seed
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.meetings.models import Meeting


def test_scale_seed_has_realistic_proportions_and_working_logins(db, client):
    result = scale_seed(members=200, slug="tiny")
    counts = result.counts
    assert counts["members"] == 200
    assert 20 <= counts["groups"] <= 30  # groups of 6 to 10, a few members ungrouped
    assert counts["meetings"] == 12 * counts["groups"]
    assert counts["attendance"] and counts["check-ins"] and counts["goal updates"]
    sizes = PeerGroup.objects.filter(organization=result.organization).values_list(
        "member_count", flat=True
    )
    assert all(6 <= size <= 10 for size in sizes)
    assert GroupMembership.objects.filter(group__organization=result.organization).count() == sum(
        sizes
    )
    assert client.login(email=logins("tiny")["member"], password="peergroups-demo")
    # Every member's region, industry and function is an entry of the organization's lists.
    from peergroups.people.models import Category, MemberProfile

    for kind in ("region", "industry", "function"):
        listed = set(
            Category.objects.filter(organization=result.organization, kind=kind).values_list(
                "label", flat=True
            )
        )
        used = set(
            MemberProfile.objects.filter(organization=result.organization).values_list(
                kind, flat=True
            )
        )
        assert listed and used <= listed


def test_scale_seed_is_deterministic(db):
    call_command("seed_scale", members=60, slug="one", verbosity=0)
    call_command("seed_scale", members=60, slug="two", verbosity=0)

    def shape(slug):
        return list(
            Meeting.objects.filter(group__organization__slug=slug)
            .order_by("pk")
            .values_list("group__member_count", "group__name")
        )

    assert shape("one") == shape("two")
