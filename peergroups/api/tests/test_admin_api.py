"""The admins' weekly work over the API (issue 23, item 1): programs, invitations,
imports, members, groups, memberships after publish, facilitators, formation runs and
the audit log. Each through real HTTP with a bearer token, against the same services,
errors and rules as the pages (the access matrix covers who may call each route)."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conftest import make_member
from peergroups.api.tests.helpers import bearer
from peergroups.audit.models import AuditEntry
from peergroups.formation.models import FormationRun, RunStatus
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.organizations.models import Invitation, OrganizationRole, Program, Role
from peergroups.organizations.services import invitation_create
from peergroups.people.models import FacilitatorProfile, FacilitatorStatus

API = "/api/organizations/acme"
IMPORT_HEADER = "email,full_name,region,industry,team_size,expertise,program"


@pytest.fixture
def admin(cast):
    return bearer(cast.admin)


def post(client, url: str, headers: dict, body: dict | None = None):
    return client.post(url, body or {}, content_type="application/json", **headers)


# Programs ------------------------------------------------------------------------------


def test_an_admin_creates_a_program_and_it_is_listed_and_audited(client, cast, admin):
    body = {"name": "Leaders 2028", "min_group_size": 4, "max_group_size": 8, "open_seats": 1}
    response = post(client, f"{API}/programs", admin, body)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["name"] == "Leaders 2028" and created["version"] == 1
    assert (created["min_group_size"], created["max_group_size"], created["open_seats"]) == (
        4,
        8,
        1,
    )
    assert created["enrolled"] == 0 and created["group_count"] == 0
    listed = client.get(f"{API}/programs", **admin).json()
    assert listed["count"] == 2
    assert {p["name"] for p in listed["items"]} == {"Leaders 2027", "Leaders 2028"}
    assert AuditEntry.objects.filter(action="program_create", object_id=str(created["id"])).exists()


def test_a_program_is_held_to_the_same_bounds_as_on_the_page(client, cast, admin):
    too_big = post(client, f"{API}/programs", admin, {"name": "Big", "max_group_size": 12})
    assert too_big.status_code == 422
    assert too_big.json()["detail"] == "Groups have between 2 and 10 members."
    seats = post(
        client,
        f"{API}/programs",
        admin,
        {"name": "Seats", "min_group_size": 6, "max_group_size": 8, "open_seats": 3},
    )
    assert seats.status_code == 422 and seats.json()["errors"][0]["field"] == "open_seats"
    # The page refuses another program's name in any case; so does the service, so the API.
    clash = post(client, f"{API}/programs", admin, {"name": "leaders 2027"})
    assert clash.status_code == 409
    assert clash.json()["detail"] == "Another program is already called “leaders 2027”."
    assert Program.objects.filter(organization=cast.organization).count() == 1


def test_a_program_is_updated_with_its_version(client, cast, admin):
    url = f"{API}/programs/{cast.program.pk}"
    read = client.get(url, **admin).json()
    fields = {k: read[k] for k in ("name", "description", "meeting_cadence", "grouping_basis")}
    edit = {**fields, "min_group_size": 3, "max_group_size": 7, "open_seats": 0}
    changed = client.patch(url, {**edit, "version": read["version"]}, "application/json", **admin)
    assert changed.status_code == 200 and changed.json()["version"] == read["version"] + 1
    stale = client.patch(url, {**edit, "version": read["version"]}, "application/json", **admin)
    assert stale.status_code == 409


# Invitations -----------------------------------------------------------------------------


def test_an_invitation_is_created_and_emailed(
    client, cast, admin, django_capture_on_commit_callbacks, run_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client,
            f"{API}/invitations",
            admin,
            {"email": " New@Helix.test ", "role": "member", "program_id": cast.program.pk},
        )
    assert response.status_code == 201, response.json()
    invited = response.json()
    assert invited["email"] == "new@helix.test" and invited["status"] == "open"
    assert invited["program"] == {"id": cast.program.pk, "name": "Leaders 2027"}
    run_tasks()
    assert [message.to for message in mail.outbox] == [["new@helix.test"]]
    again = post(client, f"{API}/invitations", admin, {"email": "new@helix.test"})
    assert again.status_code == 409
    assert again.json()["detail"] == "This person has an open invitation already."


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": "a@b.test", "role": "applicant"}, "role"),
        ({"email": "a@b.test", "program_id": 0}, "program_id"),
    ],
)
def test_a_bad_invitation_is_refused_with_its_field(client, cast, admin, body, field):
    response = post(client, f"{API}/invitations", admin, body)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert not Invitation.objects.filter(organization=cast.organization).exists()


def test_invitations_are_listed_by_state_and_resent_and_revoked(client, cast, admin):
    fresh, _ = invitation_create(
        organization=cast.organization, email="fresh@x.test", acting_user=cast.admin, send=False
    )
    old, _ = invitation_create(
        organization=cast.organization, email="old@x.test", acting_user=cast.admin, send=False
    )
    Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))
    everyone = client.get(f"{API}/invitations", **admin).json()
    assert everyone["count"] == 2
    expired = client.get(f"{API}/invitations", {"status": "expired"}, **admin).json()
    assert [i["email"] for i in expired["items"]] == ["old@x.test"]

    resent = post(client, f"{API}/invitations/{old.pk}/resend", admin)
    assert resent.status_code == 200 and resent.json()["status"] == "open"

    revoked = post(client, f"{API}/invitations/{fresh.pk}/revoke", admin)
    assert revoked.status_code == 200 and revoked.json()["status"] == "expired"
    fresh.refresh_from_db()
    assert fresh.token_salt == ""  # no e-mail can rebuild its link
    assert AuditEntry.objects.filter(action="invitation_revoke", object_id=str(fresh.pk)).exists()


def test_an_accepted_invitation_is_neither_resent_nor_revoked(client, cast, admin):
    used, _ = invitation_create(
        organization=cast.organization, email="used@x.test", acting_user=cast.admin, send=False
    )
    Invitation.objects.filter(pk=used.pk).update(accepted_at=timezone.now())
    for action in ("resend", "revoke"):
        response = post(client, f"{API}/invitations/{used.pk}/{action}", admin)
        assert response.status_code == 409
        assert response.json()["detail"] == "used@x.test accepted this invitation already."


def test_another_organizations_invitation_is_not_found(client, cast, admin):
    theirs, _ = invitation_create(
        organization=cast.other_organization,
        email="g@globex.test",
        acting_user=cast.outsider,
        send=False,
    )
    response = post(client, f"{API}/invitations/{theirs.pk}/revoke", admin)
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.token_salt != ""


def test_the_services_refuse_a_non_admin_whatever_the_path(cast):
    """The rule lives in the services, not only in the page's decorator or the route."""
    from peergroups.errors import Refused
    from peergroups.groups.services import program_create
    from peergroups.organizations.services import invitation_revoke

    with pytest.raises(Refused):
        program_create(organization=cast.organization, acting_user=cast.facilitator, name="X")
    with pytest.raises(Refused):
        invitation_create(
            organization=cast.organization, email="x@x.test", acting_user=cast.member, send=False
        )
    invitation, _ = invitation_create(
        organization=cast.organization, email="y@x.test", acting_user=cast.admin, send=False
    )
    with pytest.raises(Refused):
        invitation_revoke(
            organization=cast.organization, acting_user=cast.outsider, invitation_id=invitation.pk
        )


# Imports -----------------------------------------------------------------------------------


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("members.csv", text.encode(), content_type="text/csv")


GOOD = (
    f"{IMPORT_HEADER}\n"
    "dana@helix.test,Dana Lee,boston,Biotech,24,hiring,Leaders 2027\n"
    "sam@helix.test,Sam Ortiz,Boston,Biotech,9,operations,Leaders 2027\n"
)
BAD = (
    f"{IMPORT_HEADER}\n"
    "dana@helix.test,Dana Lee,Boston,Biotech,24,hiring,Leaders 2027\n"
    "not-an-email,Bad,Boston,Biotech,1,hiring,Leaders 2027\n"
    "ten@helix.test,Ten,Boston,Biotech,ten,hiring,Leaders 2027\n"
)


def test_a_dry_run_says_what_the_import_would_do_and_writes_nothing(client, cast, admin):
    url = f"{API}/members/import?dry_run=true"
    response = client.post(url, {"file": csv_file(GOOD)}, **admin)
    assert response.status_code == 200, response.json()
    report = response.json()
    assert (report["dry_run"], report["total"], report["created"], report["updated"]) == (
        True,
        2,
        2,
        0,
    )
    assert report["invited"] == 0
    # "boston" and "Boston" fold into one new region entry, as the page's preview shows.
    assert {"kind": "region", "label": "boston", "spellings": ["Boston"], "new": True} in (
        report["folds"]
    )
    assert not Invitation.objects.filter(organization=cast.organization).exists()


def test_an_import_invites_every_row(
    client, cast, admin, django_capture_on_commit_callbacks, run_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{API}/members/import", {"file": csv_file(GOOD)}, **admin)
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 2 and response.json()["invited"] == 2
    run_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == ["dana@helix.test", "sam@helix.test"]
    assert set(Invitation.objects.values_list("email", flat=True)) == {
        "dana@helix.test",
        "sam@helix.test",
    }


def test_a_bad_file_imports_nothing_and_reports_the_rows_the_page_reports(client, cast, admin):
    response = client.post(f"{API}/members/import", {"file": csv_file(BAD)}, **admin)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "2 problems in the file; nothing was imported."
    api_rows = [(e["line"], e["field"], e["message"]) for e in body["errors"]]
    assert [(line, field) for line, field, _ in api_rows] == [(3, "email"), (4, "team_size")]
    assert not Invitation.objects.filter(organization=cast.organization).exists()
    # The page's report of the same file: the same lines, columns and sentences.
    client.force_login(cast.admin)
    page = client.post(reverse("people-import", args=["acme"]), {"file": csv_file(BAD)})
    assert page.status_code == 400
    assert [(e.line, e.column, e.reason) for e in page.context["row_errors"]] == api_rows


def test_a_file_over_the_limit_is_refused_with_the_pages_sentence(client, cast, admin):
    big = csv_file("email,full_name\n" + "a" * (5 * 1024 * 1024 + 10))
    response = client.post(f"{API}/members/import", {"file": big}, **admin)
    assert response.status_code == 422
    assert "the limit is 5 MB" in response.json()["detail"]


# Members and groups ------------------------------------------------------------------------


def test_an_admin_deactivates_a_person_and_their_seat_frees_up(client, cast, admin):
    response = post(client, f"{API}/people/{cast.member.pk}/deactivate", admin)
    assert response.status_code == 200
    assert response.json() == {"user_id": cast.member.pk, "roles": ["member"]}
    assert not OrganizationRole.objects.filter(user=cast.member).exists()
    cast.group.refresh_from_db()
    assert cast.group.member_count == 1
    again = post(client, f"{API}/people/{cast.member.pk}/deactivate", admin)
    assert again.status_code == 404
    yourself = post(client, f"{API}/people/{cast.admin.pk}/deactivate", admin)
    assert yourself.status_code == 409


def test_groups_are_listed_with_filters_and_no_content(client, cast, admin):
    body = client.get(f"{API}/groups", **admin).json()
    assert body["count"] == 2
    assert [g["name"] for g in body["items"]] == ["Group A", "Group B"]
    assert set(body["items"][0]) == {
        "id",
        "name",
        "program_id",
        "cycle",
        "facilitator_id",
        "member_count",
        "capacity",
        "closed_at",
        "version",
    }
    PeerGroup.objects.filter(pk=cast.other_group.pk).update(closed_at=timezone.now())
    open_only = client.get(f"{API}/groups", {"state": "open"}, **admin).json()
    assert [g["name"] for g in open_only["items"]] == ["Group A"]
    page = client.get(f"{API}/groups", {"limit": 1, "offset": 1}, **admin).json()
    assert page["count"] == 2 and [g["name"] for g in page["items"]] == ["Group B"]


def test_a_group_is_renamed_and_closed_once(client, cast, admin):
    url = f"{API}/groups/{cast.group.pk}"
    renamed = client.patch(
        url, {"name": "Boston 1", "version": cast.group.version}, "application/json", **admin
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Boston 1"
    version = renamed.json()["version"]
    closed = post(client, f"{url}/close", admin, {"version": version})
    assert closed.status_code == 200 and closed.json()["closed_at"]
    again = post(client, f"{url}/close", admin, {})
    assert again.status_code == 409
    assert again.json()["detail"] == "Boston 1 is closed."


def test_a_member_is_withdrawn_and_moved_after_publish(client, cast, admin):
    url = f"{API}/groups/{cast.group.pk}"
    moved = post(
        client,
        f"{url}/moves",
        admin,
        {"user_id": cast.member.pk, "to_group_id": cast.other_group.pk, "reason": "time zone"},
    )
    assert moved.status_code == 201
    withdrawn = post(client, f"{url}/withdrawals", admin, {"user_id": cast.member2.pk})
    assert withdrawn.status_code == 201
    assert withdrawn.json()["from_group_id"] == cast.group.pk
    assert not GroupMembership.objects.filter(group=cast.group).exists()
    cast.group.refresh_from_db()
    assert cast.group.member_count == 0
    missing = post(client, f"{url}/withdrawals", admin, {"user_id": cast.member2.pk})
    assert missing.status_code == 404
    assert missing.json()["detail"] == "That person is not in this group."


# Facilitators and formation ------------------------------------------------------------------


def applicant(cast, email: str, *, qualified: bool) -> FacilitatorProfile:
    user = make_member(cast.organization, email, email.split("@")[0].title(), Role.APPLICANT)
    return FacilitatorProfile.objects.create(
        organization=cast.organization,
        user=user,
        built_own_business=True,
        trained_feedback_coach=qualified,
        expertise=["sales", "hiring"],
    )


def test_facilitator_applications_are_listed_approved_and_refused(client, cast, admin):
    good = applicant(cast, "ana@acme.test", qualified=True)
    short = applicant(cast, "ben@acme.test", qualified=False)
    waiting = client.get(f"{API}/facilitators", **admin).json()
    assert [a["user"]["email"] for a in waiting["items"]] == ["ana@acme.test", "ben@acme.test"]
    assert waiting["items"][1]["gaps"] == ["is not a trained feedback coach"]

    approved = post(client, f"{API}/facilitators/{good.pk}/approve", admin, {"note": "welcome"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert OrganizationRole.objects.filter(user=good.user, role=Role.FACILITATOR).exists()
    refused_approval = post(client, f"{API}/facilitators/{short.pk}/approve", admin)
    assert refused_approval.status_code == 409
    assert "is not a trained feedback coach" in refused_approval.json()["detail"]
    refused = post(client, f"{API}/facilitators/{short.pk}/refuse", admin)
    assert refused.status_code == 200 and refused.json()["status"] == "rejected"

    approved_list = client.get(f"{API}/facilitators", {"status": "approved"}, **admin).json()
    emails = {a["user"]["email"] for a in approved_list["items"]}
    assert "ana@acme.test" in emails
    assert FacilitatorProfile.objects.get(pk=short.pk).status == FacilitatorStatus.REJECTED


def test_a_queued_formation_run_is_cancelled(client, cast, admin):
    from peergroups.people.models import MemberProfile

    MemberProfile.objects.filter(program=cast.program).update(
        completed_at=timezone.now(), region="Boston"
    )
    started = post(
        client,
        f"{API}/programs/{cast.program.pk}/formation-runs",
        admin,
        {"mode": "new_cycle", "min_size": 2, "max_size": 3, "seconds": 1},
    )
    assert started.status_code == 201, started.json()
    run_id = started.json()["id"]
    cancelled = post(client, f"{API}/formation-runs/{run_id}/cancel", admin)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == RunStatus.CANCELLED
    assert FormationRun.objects.get(pk=run_id).status == RunStatus.CANCELLED


# The audit log --------------------------------------------------------------------------------


def test_the_audit_log_names_people_and_filters(client, cast, admin):
    post(client, f"{API}/people/{cast.member.pk}/deactivate", admin)
    body = client.get(f"{API}/audit", {"action": "person_deactivate"}, **admin).json()
    assert body["count"] == 1
    (row,) = body["items"]
    assert row["actor"] == "admin@acme.test" and row["object"] == "Mia Member (mia@acme.test)"
    assert "T" in row["time"]
    assert {"key": "roles", "value": ["member"]} in row["before"]
    by_actor = client.get(f"{API}/audit", {"actor": cast.facilitator.email}, **admin).json()
    assert by_actor["count"] == 0
    assert client.get(f"{API}/audit", {"actor": "nobody@else.test"}, **admin).json()["count"] == 0


def test_the_audit_log_withholds_an_anonymous_asker_as_the_page_does(client, cast, admin):
    from peergroups.network import services as network
    from peergroups.organizations.access import organization_access

    network.directory_entry_save(
        user=cast.other_member,
        access=organization_access(cast.other_member, "acme"),
        listed=True,
        ask_me_about_topics=["hiring"],
    )
    network.question_ask(
        user=cast.member2,
        access=organization_access(cast.member2, "acme"),
        title="An anonymous question",
        body="Context.",
        topics=["hiring"],
        recipient_ids=[cast.other_member.pk],
        anonymous=True,
    )
    body = client.get(f"{API}/audit", {"action": "question_ask"}, **admin).json()
    (row,) = body["items"]
    assert row["actor"] == "withheld"
    assert "T" not in row["time"]  # the day only
    assert cast.member2.email not in str(body) and "Max" not in str(body)
    found = client.get(
        f"{API}/audit", {"action": "question_ask", "actor": cast.member2.email}, **admin
    ).json()
    assert found["count"] == 0


# Bounded queries ----------------------------------------------------------------------------


def _queries(client, url: str, headers: dict) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200, response.json()
    return len(captured)


def grow(cast, n: int) -> None:
    """n more of everything the admins' lists show."""
    for i in range(n):
        tag = f"{n}-{i}"
        program = Program.objects.create(organization=cast.organization, name=f"P {tag}")
        invitation_create(
            organization=cast.organization,
            email=f"i{tag}@x.test",
            acting_user=cast.admin,
            program=program,
            send=False,
        )
        PeerGroup.objects.create(
            organization=cast.organization, program=program, name=f"G {tag}", capacity=8
        )
        applicant(cast, f"a{tag}@acme.test", qualified=i % 2 == 0)
        user = make_member(cast.organization, f"m{tag}@acme.test", f"M {tag}")
        AuditEntry.objects.create(
            organization=cast.organization,
            actor=user,
            action="membership_move",
            object_type="user",
            object_id=str(user.pk),
            before={"group": cast.group.pk},
            after={"group": cast.other_group.pk},
        )


@pytest.mark.parametrize(
    "path",
    [
        "programs",
        "invitations",
        "groups",
        "facilitators",
        "audit",
        "members",
        "facilitators?status=approved",
    ],
)
def test_every_list_runs_the_same_queries_at_two_sizes(client, cast, admin, path):
    # Frozen: a throttle window or the token's last use turning over mid-test is not a list's cost.
    with time_machine.travel(timezone.now(), tick=False):
        _same_queries_at_two_sizes(client, cast, admin, path)


def _same_queries_at_two_sizes(client, cast, admin, path):
    url = f"{API}/{path}"
    _queries(client, url, admin)  # the token's first use is recorded once: not a list's cost
    grow(cast, 2)
    small = _queries(client, url, admin)
    grow(cast, 12)
    large = _queries(client, url, admin)
    assert large == small, (small, large)
    assert small <= 10
