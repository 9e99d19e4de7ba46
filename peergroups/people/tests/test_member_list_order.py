from peergroups.organizations.access import OrgAccess
from peergroups.organizations.models import Role
from peergroups.people.models import MemberProfile
from peergroups.people.selectors import member_search


def names(cast) -> list[str]:
    access = OrgAccess(organization=cast.organization, roles=frozenset({Role.ADMIN}))
    return [profile.user.full_name for profile in member_search(access=access)]


def test_member_list_is_sorted_by_name_and_follows_a_rename(cast):
    before = names(cast)
    assert before == sorted(before)
    cast.member.full_name = "Aaron Aardvark"
    cast.member.save()
    assert names(cast)[0] == "Aaron Aardvark"
    assert MemberProfile.objects.get(user=cast.member).sort_name == "Aaron Aardvark"


def test_login_does_not_touch_profiles(cast, django_assert_num_queries):
    cast.member.full_name = "Not saved"
    with django_assert_num_queries(1):
        cast.member.save(update_fields=["last_login"])
    assert MemberProfile.objects.get(user=cast.member).sort_name != "Not saved"
