"""CSV import and export of members: all or nothing, every bad row reported, admins only."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from peergroups.accounts.models import User
from peergroups.audit.models import AuditEntry
from peergroups.organizations.models import Invitation
from peergroups.organizations.tasks import invitation_token
from peergroups.people.imports import ImportInvalid, members_export, members_import
from peergroups.people.invitations import user_create_from_invitation
from peergroups.people.models import MemberProfile, NotWith

HEADER = (
    "email,full_name,region,time_zone,industry,management_level,team_size,years_managing,"
    "company,expertise,availability,reports_to,competitors,not_with,program"
)
GOOD = (
    f"{HEADER}\n"
    "dana@helix.test,Dana Lee,Boston,America/New_York,Biotech,Senior manager / director,24,8,"
    "Helix Bio,hiring;Finance,tue-am;thu-pm,,Genova;Amgenix,,Leaders 2027\n"
    "sam@helix.test,Sam Ortiz,Boston,America/New_York,Biotech,middle,9,3,"
    "Helix Bio,operations,tue-am,dana@helix.test,,mia@acme.test,Leaders 2027\n"
    "lee@quill.test,Lee Quill,,,,,,,Quill,,,,,,\n"
)


def csv_upload(text: str, name: str = "members.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def join(email: str, name: str = "Joiner") -> User:
    """The invited person accepts: their account is created from the link."""
    invitation = Invitation.objects.get(email=email, accepted_at__isnull=True)
    user, _ = user_create_from_invitation(
        token=invitation_token(invitation), full_name=name, password="a-long-fine-passphrase"
    )
    return user


def test_import_invites_and_the_values_reach_the_profile_on_acceptance(cast):
    report = members_import(
        organization=cast.organization, file=GOOD, acting_user=cast.admin, send_invitations=False
    )
    assert (report.created, report.updated, report.invited) == (3, 0, 0)
    # Nobody joined: no account, no role, no profile until each person accepts.
    assert not User.objects.filter(email__in=["dana@helix.test", "sam@helix.test"]).exists()
    invitation = Invitation.objects.get(organization=cast.organization, email="dana@helix.test")
    assert invitation.full_name == "Dana Lee" and invitation.program == cast.program

    dana = join("dana@helix.test", "Dana Lee")
    profile = MemberProfile.objects.get(organization=cast.organization, user=dana)
    assert profile.management_level == "senior"
    assert profile.expertise == ["hiring", "finance"]
    assert profile.availability == ["tue-am", "thu-pm"]
    assert profile.competitors == ["Genova", "Amgenix"]
    assert profile.program == cast.program
    assert profile.time_zone == "America/New_York"
    assert profile.is_complete  # region, industry and expertise: the intake essentials
    sam = join("sam@helix.test", "Sam Ortiz")
    sam_profile = MemberProfile.objects.get(organization=cast.organization, user=sam)
    assert sam_profile.reports_to == dana
    assert NotWith.objects.filter(user=sam, other=cast.member).exists()
    lee = join("lee@quill.test")
    lee_profile = MemberProfile.objects.get(user=lee)
    assert not lee_profile.is_complete and lee_profile.time_zone == "UTC"
    assert AuditEntry.objects.filter(
        organization=cast.organization, action="members_import", after__created=3
    ).exists()


def test_references_wait_for_the_person_they_name(cast):
    """A member's row may name someone still invited: linked when that person accepts."""
    members_import(
        organization=cast.organization,
        file=(
            "email,full_name,reports_to,not_with,program\n"
            "boss@helix.test,Bea Boss,,,Leaders 2027\n"
            "mia@acme.test,Mia Member,boss@helix.test,boss@helix.test,\n"
        ),
        acting_user=cast.admin,
        send_invitations=False,
    )
    mia = MemberProfile.objects.get(organization=cast.organization, user=cast.member)
    assert mia.reports_to is None
    boss = join("boss@helix.test")
    mia.refresh_from_db()
    assert mia.reports_to == boss
    assert NotWith.objects.filter(user=cast.member, other=boss).exists()


def test_import_with_bad_rows_imports_nothing_and_reports_each_line(cast):
    text = (
        f"{HEADER}\n"
        "dana@helix.test,Dana Lee,Boston,UTC,Biotech,senior,24,8,Helix,hiring,,,,,\n"  # line 2 ok
        "not-an-email,Bad Mail,Boston,UTC,Biotech,senior,1,1,Helix,hiring,,,,,\n"  # line 3
        "ok@helix.test,Ok Person,Boston,UTC,Biotech,senior,1,1,Helix,hiring,,,,,\n"  # line 4 ok
        "ten@helix.test,Ten,Boston,UTC,Biotech,senior,ten,1,Helix,hiring,,,,,\n"  # line 5
        "x@helix.test,X,Boston,UTC,Biotech,senior,1,1,Helix,juggling,,,,,\n"  # line 6
    )
    users_before = User.objects.count()
    with pytest.raises(ImportInvalid) as raised:
        members_import(
            organization=cast.organization,
            file=text,
            acting_user=cast.admin,
            send_invitations=True,
        )
    found = [(error.line, error.column) for error in raised.value.errors]
    assert found == [(3, "email"), (5, "team_size"), (6, "expertise")]
    assert User.objects.count() == users_before
    assert not Invitation.objects.filter(email="dana@helix.test").exists()


@pytest.mark.parametrize(
    ("header", "cells", "column"),
    [
        # The intake form's time zones leave out the machine-dependent "localtime".
        ("time_zone", "localtime", "time_zone"),
        ("team_size", "-3", "team_size"),
        ("years_managing", "61", "years_managing"),
        ("region", "x" * 101, "region"),
        ("management_level", "intern", "management_level"),
    ],
)
def test_each_row_is_held_to_the_intake_forms_rules(cast, header, cells, column):
    with pytest.raises(ImportInvalid) as raised:
        members_import(
            organization=cast.organization,
            file=f"email,full_name,{header}\na@x.test,A,{cells}\n",
            acting_user=cast.admin,
            send_invitations=False,
        )
    assert [(error.line, error.column) for error in raised.value.errors] == [(2, column)]


def test_lists_split_on_the_same_separators_as_the_intake_form(cast):
    members_import(
        organization=cast.organization,
        file='email,full_name,expertise,competitors\nb@x.test,Bo,"hiring, sales","Acme, Globex"\n',
        acting_user=cast.admin,
        send_invitations=False,
    )
    values = Invitation.objects.get(email="b@x.test").intake["values"]
    assert values["expertise"] == ["hiring", "sales"]
    assert values["competitors"] == ["Acme", "Globex"]


@pytest.mark.parametrize(
    ("rows", "line", "column", "reason"),
    [
        ("a@x.test,A,,P\na@x.test,A again,,P\n", 3, "email", "line 2"),
        ("a@x.test,A,a@x.test,P\n", 2, "reports_to", "themselves"),
        ("a@x.test,A,nobody@x.test,P\n", 2, "reports_to", "neither"),
        ("a@x.test,A,b@x.test,P\nb@x.test,B,a@x.test,P\n", 2, "reports_to", "loops"),
    ],
)
def test_import_checks_email_references(cast, rows, line, column, reason):
    with pytest.raises(ImportInvalid) as raised:
        members_import(
            organization=cast.organization,
            file=f"email,full_name,reports_to,program\n{rows.replace(',P', ',Leaders 2027')}",
            acting_user=cast.admin,
            send_invitations=False,
        )
    error = raised.value.errors[0]
    assert (error.line, error.column) == (line, column)
    assert reason in error.reason


def test_reporting_loop_through_an_existing_member_is_refused(cast):
    profile = MemberProfile.objects.get(organization=cast.organization, user=cast.member)
    profile.reports_to = cast.member2
    profile.save()
    with pytest.raises(ImportInvalid) as raised:
        members_import(
            organization=cast.organization,
            file="email,full_name,reports_to\nmax@acme.test,Max Member,mia@acme.test\n",
            acting_user=cast.admin,
            send_invitations=False,
        )
    assert "loops" in raised.value.errors[0].reason


def test_unknown_columns_are_ignored_and_named_and_an_unknown_program_is_an_error(cast):
    # Issue 20: an extra column (employee_id) refused the whole file and hid the rest.
    report = members_import(
        organization=cast.organization,
        file="Email,Full_Name,shoe_size,hobby\na@x.test,A,42,golf\n",
        acting_user=cast.admin,
        send_invitations=False,
    )
    assert report.created == 1
    assert report.warnings == ("Ignored columns the import does not use: “shoe_size”, “hobby”.",)
    with pytest.raises(ImportInvalid) as raised:
        members_import(
            organization=cast.organization,
            file="email,full_name,program\na@x.test,A,Nope 2030\n",
            acting_user=cast.admin,
            send_invitations=False,
        )
    assert raised.value.errors[0].column == "program"


def test_semicolon_file_with_byte_order_mark_is_read(cast):
    text = '\ufeffEMAIL;Full_Name;expertise\nb@x.test;Bo Berg;"hiring;sales"\n'
    report = members_import(
        organization=cast.organization,
        file=text.encode("utf-8"),
        acting_user=cast.admin,
        send_invitations=False,
    )
    assert report.created == 1
    assert Invitation.objects.get(email="b@x.test").intake["values"]["expertise"] == [
        "hiring",
        "sales",
    ]


def test_import_updates_existing_member(cast):
    text = (
        "email,full_name,region,industry,expertise\nmia@acme.test,Mia Member,Denver,Retail,sales\n"
    )
    report = members_import(
        organization=cast.organization, file=text, acting_user=cast.admin, send_invitations=True
    )
    assert (report.created, report.updated, report.invited) == (0, 1, 0)
    profile = MemberProfile.objects.get(organization=cast.organization, user=cast.member)
    assert (profile.region, profile.industry, profile.expertise) == ("Denver", "Retail", ["sales"])
    assert profile.program == cast.program  # not in the file: left as it was
    assert not Invitation.objects.filter(email="mia@acme.test").exists()


def test_a_row_cannot_move_a_member_enrolled_in_another_program(cast):
    """A person is in one program at a time, whichever way they are enrolled: the file
    that would move Mia (enrolled, seated in an open group) is refused whole, with the
    rule's sentence, as enrolling her elsewhere through SCIM or the API is; once she has
    left her program, the same file enrols her."""
    from peergroups.groups.models import GroupMembership
    from peergroups.groups.services import program_create, program_leave
    from peergroups.organizations.access import organization_access

    cohort = program_create(organization=cast.organization, acting_user=cast.admin, name="Cohort 2")
    text = (
        "email,full_name,program\n"
        "mia@acme.test,Mia Member,Cohort 2\n"
        f"max@acme.test,Max Member,{cast.program.name}\n"  # his own program: fine
    )
    with pytest.raises(ImportInvalid) as raised:
        members_import(
            organization=cast.organization,
            file=text,
            acting_user=cast.admin,
            send_invitations=False,
        )
    [error] = raised.value.errors
    assert (error.line, error.column) == (2, "program")
    assert f"enrolled in the program “{cast.program.name}”" in error.reason
    profile = MemberProfile.objects.get(organization=cast.organization, user=cast.member)
    assert profile.program == cast.program
    assert GroupMembership.objects.filter(user=cast.member, group=cast.group).exists()

    access = organization_access(cast.admin, cast.organization.slug)
    program_leave(access=access, acting_user=cast.admin, program=cast.program, user=cast.member)
    members_import(
        organization=cast.organization,
        file="email,full_name,program\nmia@acme.test,Mia Member,Cohort 2\n",
        acting_user=cast.admin,
        send_invitations=False,
    )
    profile.refresh_from_db()
    assert profile.program == cohort


def test_a_former_member_enrolled_before_is_invited_to_the_files_program(cast):
    """Deactivated, Mia keeps her old profile (and its program) but is no member: a row
    for her is an invitation to the file's program, not a move to refuse."""
    from peergroups.dashboards.persons import person_deactivate
    from peergroups.groups.services import program_create
    from peergroups.organizations.access import organization_access

    cohort = program_create(organization=cast.organization, acting_user=cast.admin, name="Cohort 2")
    access = organization_access(cast.admin, cast.organization.slug)
    person_deactivate(access=access, acting_user=cast.admin, user_id=cast.member.pk)
    report = members_import(
        organization=cast.organization,
        file="email,full_name,program\nmia@acme.test,Mia Member,Cohort 2\n",
        acting_user=cast.admin,
        send_invitations=False,
    )
    assert (report.created, report.updated) == (1, 0)
    assert Invitation.objects.get(email="mia@acme.test", accepted_at__isnull=True).program == cohort


def test_export_then_import_round_trips(cast):
    members_import(
        organization=cast.organization, file=GOOD, acting_user=cast.admin, send_invitations=False
    )
    for email in ("dana@helix.test", "sam@helix.test", "lee@quill.test"):
        join(email)
    dana = MemberProfile.objects.get(user__email="dana@helix.test")
    dana.challenges = '=cmd|"/c calc"!A1, and a line\nbreak'
    dana.save()
    exported = members_export(organization=cast.organization)
    assert "'=cmd" in exported  # a spreadsheet must not run it as a formula
    before = {
        profile.user.email: (profile.challenges, profile.reports_to_id, profile.expertise)
        for profile in MemberProfile.objects.select_related("user")
    }
    report = members_import(
        organization=cast.organization,
        file=exported,
        acting_user=cast.admin,
        send_invitations=False,
    )
    assert report.created == 0 and report.updated == MemberProfile.objects.count()
    after = {
        profile.user.email: (profile.challenges, profile.reports_to_id, profile.expertise)
        for profile in MemberProfile.objects.select_related("user")
    }
    assert after == before
    assert members_export(organization=cast.organization) == exported


def test_export_leaves_out_not_with_declarations(cast):
    NotWith.objects.create(organization=cast.organization, user=cast.member, other=cast.member2)
    exported = members_export(organization=cast.organization)
    assert "not_with" not in exported.splitlines()[0].split(",")
    assert "max@acme.test" not in exported.split("mia@acme.test", 1)[1].splitlines()[0]


def test_invitations_are_emailed_to_new_members_when_asked(
    cast, django_capture_on_commit_callbacks, run_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = members_import(
            organization=cast.organization,
            file=GOOD,
            acting_user=cast.admin,
            send_invitations=True,
        )
    assert report.invited == 3
    run_tasks()
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["dana@helix.test", "lee@quill.test", "sam@helix.test"]


def test_import_page_previews_then_imports_and_redirects_with_counts(cast, client):
    client.force_login(cast.admin)
    url = reverse("people-import", kwargs={"org_slug": "acme"})
    form = client.get(url).content.decode()
    assert "up to 5 MB" in form  # the limit, stated before the upload
    preview = client.post(url, {"file": csv_upload(GOOD), "send_invitations": "on"})
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Nothing has been written yet" in page and "<strong>3</strong> new people" in page
    assert not Invitation.objects.exists()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    response = client.post(
        url, {"action": "confirm", "token": token, "send_invitations": "on"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse(
        "organizations-members", kwargs={"org_slug": "acme"}
    )
    assert "Imported 3 rows: 3 new invitations, 0 updated." in response.content.decode()
    assert Invitation.objects.count() == 3
    # The kept file is gone with the import: confirming again imports nothing twice.
    again = client.post(url, {"action": "confirm", "token": token})
    assert again.status_code == 422 and "upload the file again" in again.content.decode()


def test_import_page_shows_every_bad_row_with_status_400(cast, client):
    client.force_login(cast.admin)
    text = f"{HEADER}\nbad,Bad,,,,,,,,,,,,,\nok@x.test,Ok,,,,,-3,,,,,,,,\n"
    response = client.post(
        reverse("people-import", kwargs={"org_slug": "acme"}), {"file": csv_upload(text)}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "<td>2</td><td>email</td>" in page and "<td>3</td><td>team_size</td>" in page
    assert not Invitation.objects.filter(email="ok@x.test").exists()


def test_import_page_refuses_files_over_the_limit(cast, client, settings):
    client.force_login(cast.admin)
    big = csv_upload("email,full_name\n" + "a" * (5 * 1024 * 1024 + 10))
    response = client.post(reverse("people-import", kwargs={"org_slug": "acme"}), {"file": big})
    assert response.status_code == 422
    assert "the limit is 5 MB" in response.content.decode()


def test_export_page_downloads_csv(cast, client):
    client.force_login(cast.admin)
    response = client.get(reverse("people-export", kwargs={"org_slug": "acme"}))
    assert response.status_code == 200
    assert response["Content-Disposition"] == "attachment; filename=members-acme.csv"
    assert "mia@acme.test" in response.content.decode("utf-8-sig")


@pytest.mark.parametrize("name", ["people-import", "people-export"])
def test_import_and_export_are_for_admins_only(cast, client, name):
    url = reverse(name, kwargs={"org_slug": "acme"})
    client.force_login(cast.member)
    assert client.get(url).status_code == 403
    client.force_login(cast.facilitator)
    assert client.get(url).status_code == 403
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page


def test_command_prints_file_line_errors_and_imports_nothing(cast, tmp_path, capsys):
    path = tmp_path / "members.csv"
    path.write_text(f"{HEADER}\nbad,Bad,,,,,,,,,,,,,\nok@x.test,Ok,,,,,,99,,,,,,,\n")
    with pytest.raises(CommandError):
        call_command("import_members", str(path), "--org", "acme")
    err = capsys.readouterr().err
    assert f"{path}:2: email:" in err and f"{path}:3: years_managing:" in err
    assert not Invitation.objects.filter(email="ok@x.test").exists()


def test_commands_export_and_import(cast, tmp_path, capsys):
    path = tmp_path / "in.csv"
    path.write_text(GOOD)
    call_command("import_members", str(path), "--org", "acme")
    assert "3 new invitations, 0 updated" in capsys.readouterr().out
    out = tmp_path / "out.csv"
    call_command("export_members", "--org", "acme", "--out", str(out))
    assert "mia@acme.test" in out.read_text()  # members; the invited join when they accept
    call_command("export_members", "--org", "acme")
    assert capsys.readouterr().out == out.read_text()


def test_signed_in_member_keeps_their_name(cast):
    members_import(
        organization=cast.organization,
        file="email,full_name\nmia@acme.test,Someone Else\n",
        acting_user=cast.admin,
        send_invitations=False,
    )
    cast.member.refresh_from_db()
    assert cast.member.full_name == "Mia Member"
    assert cast.member.has_usable_password()


def test_example_csv_from_the_import_page_imports_cleanly(cast, client):
    client.force_login(cast.admin)
    url = reverse("people-import", kwargs={"org_slug": "acme"})
    page = client.get(url).content.decode()
    assert "?example=1" in page and "full_name" in page
    example = client.get(url, {"example": "1"})
    assert example["Content-Disposition"] == "attachment; filename=members-example.csv"
    report = members_import(
        organization=cast.organization,
        file=example.content,
        acting_user=cast.admin,
        send_invitations=False,
    )
    assert report.created == 2


def test_django_admin_does_not_list_not_with_declarations():
    from django.contrib import admin

    assert NotWith not in admin.site._registry


def test_a_row_names_only_people_of_its_own_program(cast, tmp_path, capsys):
    from peergroups.groups.services import program_create

    program_create(organization=cast.organization, acting_user=cast.admin, name="Cohort 2")
    path = tmp_path / "members.csv"
    path.write_text(
        "email,full_name,reports_to,not_with,program\n"
        # Line 2: a new person of Cohort 2 names Mia and Max, members of Leaders 2027.
        "new@x.test,New,mia@acme.test,max@acme.test,Cohort 2\n"
        # Line 3: fine, the same program as Mia.
        "ok@x.test,Ok,mia@acme.test,,Leaders 2027\n"
        # Line 4: no program in the file or on record, so its names cannot be checked.
        "loose@x.test,Loose,,ok@x.test,\n"
        # Line 5: names someone whose row puts them in Cohort 2.
        "oli@acme.test,Oli Member,,new@x.test,\n"
    )
    with pytest.raises(CommandError):
        call_command("import_members", str(path), "--org", "acme")
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{path}:2: reports_to: mia@acme.test is in “Leaders 2027”, not in “Cohort 2”: "
        "only people of the row's own program can be named.",
        f"{path}:2: not_with: max@acme.test is in “Leaders 2027”, not in “Cohort 2”: "
        "only people of the row's own program can be named.",
        f"{path}:4: not_with: loose@x.test is in no program, so the people it names cannot "
        "be checked against one; give the row a program.",
        f"{path}:5: not_with: new@x.test is in “Cohort 2”, not in “Leaders 2027”: "
        "only people of the row's own program can be named.",
    ]
    # All or nothing: line 3 was fine, and nothing was imported.
    assert not Invitation.objects.filter(email__in=["ok@x.test", "new@x.test"]).exists()
    assert not NotWith.objects.filter(user=cast.other_member).exists()


def test_example_csv_without_a_program_names_no_manager(cast, client):
    from peergroups.organizations.models import Program

    Program.objects.filter(organization=cast.organization).delete()
    client.force_login(cast.admin)
    url = reverse("people-import", kwargs={"org_slug": "acme"})
    example = client.get(url, {"example": "1"}).content
    report = members_import(
        organization=cast.organization, file=example, acting_user=cast.admin, send_invitations=False
    )
    assert report.created == 2
