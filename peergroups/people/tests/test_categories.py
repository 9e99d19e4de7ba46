"""Region and industry pick-lists: normalised values, a merge tool, and the import mapping."""

import pytest
from django.urls import reverse

from peergroups.audit.models import AuditEntry
from peergroups.errors import Conflict, Invalid, Refused
from peergroups.organizations.access import organization_access
from peergroups.organizations.services import invitation_create
from peergroups.people import services
from peergroups.people.imports import ImportInvalid, members_import
from peergroups.people.models import Category, MemberProfile, category_key
from peergroups.people.selectors import category_usage
from peergroups.people.tests.test_intake import URL as INTAKE
from peergroups.people.tests.test_intake import valid_intake

URL = reverse("people-categories", args=["acme"])


def admin(cast):
    return organization_access(cast.admin, "acme")


def add(cast, kind, label):
    return services.category_add(access=admin(cast), acting_user=cast.admin, kind=kind, label=label)


def test_keys_ignore_case_and_spaces():
    assert category_key("  boston ") == category_key("BOSTON") == "boston"
    assert category_key("New   York") == category_key("new york")


def test_a_value_is_on_a_list_once_whatever_its_spelling(cast):
    add(cast, "region", " Boston ")
    assert Category.objects.get().label == "Boston"
    with pytest.raises(Conflict, match="on the list already"):
        add(cast, "region", "boston")
    add(cast, "industry", "Boston")  # another list
    with pytest.raises(Invalid) as refused:
        add(cast, "region", "   ")
    assert refused.value.field == "label"
    with pytest.raises(Refused):
        services.category_add(
            access=organization_access(cast.facilitator, "acme"),
            acting_user=cast.facilitator,
            kind="region",
            label="Ohio",
        )
    assert AuditEntry.objects.filter(action="category_add").count() == 2


def test_merge_rewrites_every_spelling_and_keeps_one_listed_value(cast):
    MemberProfile.objects.filter(user=cast.member).update(region="boston ")
    MemberProfile.objects.filter(user=cast.member2).update(region="Boston")
    MemberProfile.objects.filter(user=cast.other_member).update(region="Bostn")
    add(cast, "region", "boston")
    changed = services.category_merge(
        access=admin(cast),
        acting_user=cast.admin,
        kind="region",
        values=["Bostn"],
        into="Boston",
    )
    assert changed == 2  # "boston " and "Bostn"; "Boston" was right already
    assert set(MemberProfile.objects.values_list("region", flat=True)) == {"Boston"}
    assert list(Category.objects.values_list("label", flat=True)) == ["Boston"]
    entry = AuditEntry.objects.get(action="category_merge")
    assert entry.after["profiles"] == 2 and entry.after["into"] == "Boston"
    usage = category_usage(access=admin(cast), kind="region")
    assert usage == [{"value": "Boston", "count": 3, "key": "boston", "listed": True}]


def test_merge_also_rewrites_open_invitations_imported_values(cast):
    invitation, _ = invitation_create(
        organization=cast.organization,
        email="new@acme.test",
        acting_user=cast.admin,
        intake={"region": "bostn", "industry": "Biotech"},
        send=False,
    )
    services.category_merge(
        access=admin(cast), acting_user=cast.admin, kind="region", values=["Bostn"], into="Boston"
    )
    invitation.refresh_from_db()
    assert invitation.intake == {"region": "Boston", "industry": "Biotech"}


def test_intake_offers_the_list_and_saves_its_spelling(client, cast):
    add(cast, "region", "Boston")
    add(cast, "industry", "Biotech")
    client.force_login(cast.member)
    page = client.get(INTAKE).content.decode()
    assert '<option value="Boston">Boston</option>' in page
    assert client.post(INTAKE, valid_intake(cast, region="Ohio")).status_code == 400
    assert client.post(INTAKE, valid_intake(cast)).status_code == 302
    assert MemberProfile.objects.get(user=cast.member).region == "Boston"


def test_intake_service_normalises_and_refuses_values_off_the_list(cast):
    add(cast, "region", "Boston")
    profile = MemberProfile.objects.get(user=cast.member)
    profile.region = "  BOSTON"
    services.member_profile_save(profile=profile, acting_user=cast.member)
    assert MemberProfile.objects.get(pk=profile.pk).region == "Boston"
    profile.region = "Ohio"
    with pytest.raises(Invalid) as refused:
        services.member_profile_save(profile=profile, acting_user=cast.member)
    assert refused.value.field == "region"


def test_import_maps_values_case_and_space_insensitively_and_reports_unknown_ones(cast):
    add(cast, "region", "Boston")
    add(cast, "industry", "Biotech")
    good = f"email,full_name,region,industry\n{cast.member.email},Mia Member,  boston ,BIOTECH\n"
    members_import(
        organization=cast.organization, file=good, acting_user=cast.admin, send_invitations=False
    )
    profile = MemberProfile.objects.get(user=cast.member)
    assert (profile.region, profile.industry) == ("Boston", "Biotech")
    bad = f"email,full_name,region,industry\n{cast.member.email},Mia Member,Bostn,Biotech\n"
    with pytest.raises(ImportInvalid) as refused:
        members_import(
            organization=cast.organization, file=bad, acting_user=cast.admin, send_invitations=False
        )
    assert [str(error) for error in refused.value.errors] == [
        "line 2: region: “Bostn” is not on the organization's list (Boston)."
    ]


def test_page_adds_and_merges_and_re_renders_errors(client, cast):
    MemberProfile.objects.filter(user=cast.member).update(industry="biotech ")
    client.force_login(cast.admin)
    assert client.get(URL).status_code == 200
    answer = client.post(URL, {"action": "add", "add-kind": "industry", "add-label": "Biotech"})
    assert answer.status_code == 302
    again = client.post(URL, {"action": "add", "add-kind": "industry", "add-label": " biotech"})
    assert again.status_code == 400 and "on the list already" in again.content.decode()
    merged = client.post(
        URL,
        {
            "action": "merge-industry",
            "merge-industry-values": ["biotech "],
            "merge-industry-into": "Biotech",
        },
    )
    assert merged.status_code == 302
    assert MemberProfile.objects.get(user=cast.member).industry == "Biotech"
