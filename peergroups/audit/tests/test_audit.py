"""The audit log: services in this area write a row for each change to who sees what;
admins read their own organization's log (filtered, or as CSV), nobody else's."""

import pytest
from django.urls import reverse

from peergroups.api.services import token_create, token_revoke
from peergroups.audit.models import AuditEntry
from peergroups.audit.services import audit_record
from peergroups.organizations.models import Role
from peergroups.organizations.services import invitation_create, role_grant, role_revoke
from peergroups.people.imports import members_export
from peergroups.people.models import FacilitatorProfile
from peergroups.people.services import facilitator_approve

AUDIT = reverse("organizations-audit", kwargs={"org_slug": "acme"})
EXPORT = reverse("organizations-audit-export", kwargs={"org_slug": "acme"})


def last(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("pk")


def test_role_changes_are_recorded_with_before_and_after(cast):
    role_grant(
        organization=cast.organization, user=cast.member, role=Role.ADMIN, acting_user=cast.admin
    )
    granted = last("role_grant")
    assert (granted.actor, granted.object_type, granted.object_id) == (
        cast.admin,
        "user",
        str(cast.member.pk),
    )
    assert granted.after == {"role": "admin"}
    role_revoke(
        organization=cast.organization, user=cast.member, role=Role.ADMIN, acting_user=cast.admin
    )
    assert last("role_revoke").before == {"role": "admin"}


def test_invitations_approvals_tokens_and_exports_are_recorded(cast):
    invitation, _ = invitation_create(
        organization=cast.organization,
        email="x@acme.test",
        role=Role.FACILITATOR,
        acting_user=cast.admin,
        send=False,
    )
    assert last("invitation_create").object_id == str(invitation.pk)
    profile = FacilitatorProfile.objects.create(
        organization=cast.organization,
        user=cast.member2,
        built_own_business=True,
        trained_feedback_coach=True,
        expertise=["sales", "finance"],
    )
    facilitator_approve(profile=profile, acting_user=cast.admin)
    approved = last("facilitator_approve")
    assert approved.before == {"status": "pending"}
    assert approved.after["status"] == "approved"
    token, _ = token_create(user=cast.member, name="laptop")
    token_revoke(token=token, acting_user=cast.member)
    assert last("api_token_issue").organization is None
    assert last("api_token_revoke").after == {"revoked": True, "user": cast.member.pk}
    members_export(organization=cast.organization, acting_user=cast.admin)
    assert last("members_export").after["rows"] == 3


def test_the_log_refuses_free_text():
    with pytest.raises(ValueError, match="never free text"):
        audit_record(
            organization=None, actor=None, action="oops", after={"note": "A confidential " * 30}
        )


def test_last_admin_cannot_be_removed(cast):
    from peergroups.errors import Conflict

    with pytest.raises(Conflict):
        role_revoke(
            organization=cast.organization, user=cast.admin, role=Role.ADMIN, acting_user=cast.admin
        )


def test_admin_reads_and_filters_the_log(client, cast):
    role_grant(
        organization=cast.organization, user=cast.member, role=Role.ADMIN, acting_user=cast.admin
    )
    client.force_login(cast.admin)
    page = client.get(AUDIT).content.decode()
    assert "role_grant" in page and "program_create" in page
    filtered = client.get(AUDIT, {"action": "program_create"}).content.decode()
    assert "program_create" in filtered and "<td>role_grant</td>" not in filtered
    by_actor = client.get(AUDIT, {"actor": "nobody@globex.test"}).content.decode()
    assert "Nothing recorded" in by_actor


def test_the_log_shows_only_this_organizations_rows(client, cast):
    client.force_login(cast.outsider)
    assert client.get(AUDIT).status_code == 404
    client.force_login(cast.admin)
    page = client.get(AUDIT).content.decode()
    assert "outsider@globex.test" not in page


def test_log_export_is_csv_and_is_itself_recorded(client, cast):
    client.force_login(cast.admin)
    response = client.get(EXPORT, {"action": "role_grant"})
    assert response["Content-Disposition"] == "attachment; filename=audit-acme.csv"
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "time,actor,action,object,object_type,object_id,before,after"
    assert all(",role_grant," in line for line in lines[1:]) and len(lines) > 1
    assert last("audit_export").actor == cast.admin


@pytest.mark.parametrize("url", [AUDIT, EXPORT])
def test_the_log_is_for_admins_only(client, cast, url):
    for user in (cast.member, cast.facilitator):
        client.force_login(user)
        assert client.get(url).status_code == 403


def test_log_page_runs_a_bounded_number_of_queries(client, cast, django_assert_max_num_queries):
    client.force_login(cast.admin)
    client.get(AUDIT)
    for _ in range(30):
        audit_record(organization=cast.organization, actor=cast.admin, action="role_grant")
    with django_assert_max_num_queries(12):
        assert client.get(AUDIT).status_code == 200


def test_memberships_and_meeting_changes_name_their_object(cast):
    """Services on the older `audit(...)` form still record which object changed."""
    from peergroups.groups.services import membership_add
    from peergroups.people.services import member_profile_ensure

    newcomer = type(cast.member).objects.create_user(email="nia@acme.test", full_name="Nia New")
    role_grant(
        organization=cast.organization, user=newcomer, role=Role.MEMBER, acting_user=cast.admin
    )
    member_profile_ensure(organization=cast.organization, user=newcomer, program=cast.program)
    membership_add(group=cast.group, user=newcomer, acting_user=cast.admin)
    added = last("membership_add")
    assert (added.actor, added.object_type, added.object_id) == (
        cast.admin,
        "group",
        str(cast.group.pk),
    )
    assert added.after == {"user_id": newcomer.pk}


def test_the_log_names_people_and_groups_never_bare_ids(client, cast):
    """Issue 20: the log read "user 164"; it names whom and which group instead."""
    from peergroups.organizations.services import audit as audit_old_form

    role_grant(
        organization=cast.organization, user=cast.member, role=Role.ADMIN, acting_user=cast.admin
    )
    audit_old_form(
        organization=cast.organization,
        acting_user=cast.admin,
        action="membership_move",
        group_id=cast.group.pk,
        user=cast.member2.pk,
    )
    client.force_login(cast.admin)
    page = client.get(AUDIT).content.decode()
    assert "<td>Mia Member (mia@acme.test)</td>" in page
    assert f"group “{cast.group.name}”" in page.replace("&ldquo;", "“").replace("&rdquo;", "”")
    assert "user=Max Member (max@acme.test)" in page
    assert f"user {cast.member.pk}<" not in page and f"group {cast.group.pk}<" not in page
    assert "<td>Ada Admin</td>" in page  # who did it, by name


def test_log_export_names_people_and_groups_as_the_page_does(client, cast):
    """Not "user 164": the CSV names the actor, the object and every id value; nobody
    behind an anonymous act."""
    import csv
    import io

    audit_record(
        organization=cast.organization,
        actor=cast.admin,
        action="membership_move",
        target=cast.member,
        before={"group_id": cast.group.pk},
        after={"group_id": cast.other_group.pk},
    )
    audit_record(
        organization=cast.organization,
        actor=None,
        actor_withheld=True,
        action="question_ask",
        object_type="question",
        object_id=1,
        after={"user": cast.member2.pk},
    )
    client.force_login(cast.admin)
    export = client.get(EXPORT).content.decode("utf-8-sig")
    rows = {row["action"]: row for row in csv.DictReader(io.StringIO(export))}
    moved = rows["membership_move"]
    assert moved["actor"] == "Ada Admin (admin@acme.test)"
    assert moved["object"] == "Mia Member (mia@acme.test)"
    assert moved["before"] == '{"group_id": "group “Group A”"}'
    assert moved["after"] == '{"group_id": "group “Group B”"}'
    asked = rows["question_ask"]
    assert asked["actor"] == "withheld" and asked["after"] == '{"user": "withheld"}'
    assert "Max" not in str(asked) and "T" not in asked["time"]
