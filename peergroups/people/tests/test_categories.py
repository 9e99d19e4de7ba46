"""Region, industry and function pick-lists: normalised values, a merge tool, and the import mapping."""

import pytest
from django.urls import reverse

from peergroups.audit.models import AuditEntry
from peergroups.errors import Conflict, Invalid, Refused
from peergroups.organizations.access import organization_access
from peergroups.organizations.services import invitation_create
from peergroups.people import services
from peergroups.people.imports import members_import
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
        intake={"values": {"region": "bostn", "industry": "Biotech"}},
        send=False,
    )
    services.category_merge(
        access=admin(cast), acting_user=cast.admin, kind="region", values=["Bostn"], into="Boston"
    )
    invitation.refresh_from_db()
    assert invitation.intake == {"values": {"region": "Boston", "industry": "Biotech"}}


def test_intake_suggests_the_list_and_saves_its_spelling(client, cast):
    add(cast, "region", "Boston")
    add(cast, "industry", "Biotech")
    client.force_login(cast.member)
    page = client.get(INTAKE).content.decode()
    assert '<option value="Boston">' in page and 'list="id_region-list"' in page
    assert client.post(INTAKE, valid_intake(cast, region=" boston ")).status_code == 302
    assert MemberProfile.objects.get(user=cast.member).region == "Boston"


def test_intake_service_folds_spellings_and_a_new_value_joins_the_list(cast):
    """Issue 20: every organization, with or without a list, folds spellings."""
    add(cast, "region", "Boston")
    profile = MemberProfile.objects.get(user=cast.member)
    profile.region = "  BOSTON"
    services.member_profile_save(profile=profile, acting_user=cast.member)
    assert MemberProfile.objects.get(pk=profile.pk).region == "Boston"
    profile.region = "Midwest"
    services.member_profile_save(profile=profile, acting_user=cast.member)
    assert Category.objects.filter(kind="region", label="Midwest").exists()
    other = MemberProfile.objects.get(user=cast.member2)
    other.region = "MIDWEST"
    services.member_profile_save(profile=other, acting_user=cast.member2)
    assert MemberProfile.objects.get(pk=other.pk).region == "Midwest"
    assert sorted(Category.objects.filter(kind="region").values_list("label", flat=True)) == [
        "Boston",
        "Midwest",
    ]


def test_import_folds_values_into_the_list_and_new_ones_join_it(cast):
    add(cast, "region", "Boston")
    add(cast, "industry", "Biotech")
    good = f"email,full_name,region,industry\n{cast.member.email},Mia Member,  boston ,BIOTECH\n"
    members_import(
        organization=cast.organization, file=good, acting_user=cast.admin, send_invitations=False
    )
    profile = MemberProfile.objects.get(user=cast.member)
    assert (profile.region, profile.industry) == ("Boston", "Biotech")
    new = f"email,full_name,region,industry\n{cast.member.email},Mia Member,Bostn,Biotech\n"
    members_import(
        organization=cast.organization, file=new, acting_user=cast.admin, send_invitations=False
    )
    assert MemberProfile.objects.get(user=cast.member).region == "Bostn"
    assert set(Category.objects.filter(kind="region").values_list("label", flat=True)) == {
        "Boston",
        "Bostn",
    }  # a typo joins the list too; the pick-lists page merges it


def test_page_adds_and_merges_and_re_renders_errors(client, cast):
    MemberProfile.objects.filter(user=cast.member).update(industry="biotech ")
    client.force_login(cast.admin)
    assert client.get(URL).status_code == 200
    answer = client.post(URL, {"action": "add", "add-kind": "industry", "add-label": "Biotech"})
    assert answer.status_code == 302
    again = client.post(URL, {"action": "add", "add-kind": "industry", "add-label": " biotech"})
    assert again.status_code == 422 and "on the list already" in again.content.decode()
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


# Function: the third kind, through the same services, intake, import and page.


def test_function_list_adds_once_and_merges_like_the_others(cast):
    add(cast, "function", " Clinical   operations ")
    assert Category.objects.get(kind="function").label == "Clinical operations"
    with pytest.raises(Conflict):
        add(cast, "function", "clinical OPERATIONS")
    with pytest.raises(Invalid) as refused:
        add(cast, "locale", "en")
    assert refused.value.field == "kind"
    MemberProfile.objects.filter(user=cast.member).update(function="clinical ops")
    MemberProfile.objects.filter(user=cast.member2).update(function="CLINICAL OPERATIONS ")
    changed = services.category_merge(
        access=admin(cast),
        acting_user=cast.admin,
        kind="function",
        values=["clinical ops"],
        into="Clinical operations",
    )
    assert changed == 2
    assert set(
        MemberProfile.objects.filter(user__in=[cast.member, cast.member2]).values_list(
            "function", flat=True
        )
    ) == {"Clinical operations"}


def test_intake_folds_function_into_its_list(client, cast):
    add(cast, "function", "Research")
    client.force_login(cast.member)
    page = client.get(INTAKE).content.decode()
    assert '<option value="Research">' in page
    assert client.post(INTAKE, valid_intake(cast, function="RESEARCH")).status_code == 302
    assert MemberProfile.objects.get(user=cast.member).function == "Research"
    assert client.post(INTAKE, valid_intake(cast, function="Sales ")).status_code == 302
    assert MemberProfile.objects.get(user=cast.member).function == "Sales"
    assert Category.objects.filter(kind="function", label="Sales").exists()


def test_import_maps_function_onto_its_list(cast):
    add(cast, "function", "Clinical operations")
    good = f"email,full_name,function\n{cast.member.email},Mia Member,clinical  OPERATIONS\n"
    members_import(
        organization=cast.organization, file=good, acting_user=cast.admin, send_invitations=False
    )
    assert MemberProfile.objects.get(user=cast.member).function == "Clinical operations"


def test_page_shows_the_function_list_and_merges_its_spellings(client, cast):
    MemberProfile.objects.filter(user=cast.member).update(function="research ")
    client.force_login(cast.admin)
    page = client.get(URL).content.decode()
    assert "<h2>Function</h2>" in page and "“research ”" in page
    added = client.post(URL, {"action": "add", "add-kind": "function", "add-label": "Research"})
    assert added.status_code == 302
    merged = client.post(
        URL,
        {
            "action": "merge-function",
            "merge-function-values": ["research "],
            "merge-function-into": "Research",
        },
    )
    assert merged.status_code == 302
    assert MemberProfile.objects.get(user=cast.member).function == "Research"


@pytest.mark.django_db(transaction=True)
def test_migration_makes_lists_from_the_values_in_use_normalised(cast):
    from peergroups.goals.tests.test_migration import migrate, migrate_to_latest

    old = migrate([("people", "0005_organization_categories")])
    Profile = old.get_model("people", "MemberProfile")
    OldCategory = old.get_model("people", "Category")
    Profile.objects.filter(user_id=cast.member.pk).update(region="boston ", function="Research")
    Profile.objects.filter(user_id=cast.member2.pk).update(region="Boston", function="research")
    Profile.objects.filter(user_id=cast.other_member.pk).update(region="Boston", function="Sales")
    # 0006 left a list the admin curated as it was; 0008 (issue 20: lists are open, a
    # value joins its list) adds the values off it.
    OldCategory.objects.create(
        organization_id=cast.organization.pk, kind="industry", label="Biotech", key="biotech"
    )
    Profile.objects.filter(user_id=cast.member.pk).update(industry="Pharma")

    migrate_to_latest()

    lists = {
        kind: sorted(
            Category.objects.filter(organization=cast.organization, kind=kind).values_list(
                "label", flat=True
            )
        )
        for kind in ("region", "industry", "function")
    }
    assert lists["region"] == ["Boston"]
    assert lists["industry"] == ["Biotech", "Pharma"]
    # "Research" and "research" have one member each: the tie goes to the first spelling.
    assert lists["function"] == ["Research", "Sales"]
    member = MemberProfile.objects.get(user=cast.member)
    assert member.region == "Boston" and member.industry == "Pharma"


def test_the_migration_folds_the_spellings_typed_before_lists(cast):
    """people 0008: existing free-text values join the list under the most used spelling."""
    import importlib

    from django.apps import apps

    MemberProfile.objects.filter(user=cast.member).update(region="midwest ")
    MemberProfile.objects.filter(user__in=[cast.member2, cast.other_member]).update(
        region="Midwest"
    )
    add(cast, "industry", "Biotech")
    MemberProfile.objects.filter(user=cast.member).update(industry="BIOTECH")
    migration = importlib.import_module("peergroups.people.migrations.0009_fold_category_values")
    migration.fold(apps, None)
    assert set(MemberProfile.objects.values_list("region", flat=True)) == {"Midwest"}
    assert MemberProfile.objects.get(user=cast.member).industry == "Biotech"
    assert list(Category.objects.filter(kind="region").values_list("label", flat=True)) == [
        "Midwest"
    ]
