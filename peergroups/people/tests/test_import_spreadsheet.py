"""Importing the spreadsheet people have (issue 20, item 2): .xlsx, their header
spellings, extra columns, every error in one report, and spellings folded into lists."""

import io

import pytest
from openpyxl import Workbook

from peergroups.organizations.models import Invitation
from peergroups.people.imports import ImportInvalid, members_import, members_parse
from peergroups.people.models import Category


def workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER = ["E-mail", "Name", "Region/Area", "Sector", "employee_id", "Team size"]
MESSY = [
    HEADER,
    ["ann@acme.example", "Ann Archer", "Midwest", "Automotive", 1001, 12],
    ["bo@acme.example", "Bo Berg", "midwest", "automotive ", 1002, 8.0],
    ["cy@acme.example", "Cy Chen", "MIDWEST", "Retail", 1003, None],
    ["not-an-address", "Dee Dunn", "South", "Retail", 1004, 5],
    ["eve@acme.example", "", "South", "Retail", 1005, -2],
]


def test_every_error_of_a_workbook_is_in_one_report_despite_an_extra_column(cast):
    with pytest.raises(ImportInvalid) as refused:
        members_parse(organization=cast.organization, file=workbook(MESSY))
    reported = [str(error) for error in refused.value.errors]
    assert reported[0] == "line 5: email: “not-an-address” is not a valid e-mail address."
    assert [(e.line, e.column) for e in refused.value.errors] == [
        (5, "email"),
        (6, "full_name"),
        (6, "team_size"),
    ]
    assert not Invitation.objects.exists()


def test_the_preview_names_ignored_columns_and_the_folds_before_anything_is_written(cast):
    fixed = [row[:] for row in MESSY[:4]]
    plan = members_parse(organization=cast.organization, file=workbook(fixed))
    assert plan.warnings == ["Ignored a column the import does not use: “employee_id”."]
    assert (plan.created, plan.updated) == (3, 0)
    folds = {(fold.kind, fold.label): (fold.spellings, fold.new) for fold in plan.folds}
    assert folds[("region", "Midwest")] == (("midwest", "MIDWEST"), True)
    assert folds[("industry", "Automotive")] == (("automotive",), True)
    assert [row.values["team_size"] for row in plan.rows] == [12, 8, None]
    assert not Category.objects.exists() and not Invitation.objects.exists()

    report = members_import(
        organization=cast.organization,
        file=workbook(fixed),
        acting_user=cast.admin,
        send_invitations=False,
    )
    assert report.created == 3
    regions = {i.intake["values"]["region"] for i in Invitation.objects.all()}
    assert regions == {"Midwest"}
    assert list(Category.objects.filter(kind="region").values_list("label", flat=True)) == [
        "Midwest"
    ]


def test_a_listed_entry_wins_over_the_files_first_spelling(cast):
    Category.objects.create(organization=cast.organization, kind="region", label="MidWest")
    plan = members_parse(organization=cast.organization, file=workbook(MESSY[:4]))
    [fold] = [fold for fold in plan.folds if fold.kind == "region"]
    assert (fold.label, fold.spellings, fold.new) == (
        "MidWest",
        ("Midwest", "midwest", "MIDWEST"),
        False,
    )


def test_first_and_last_name_columns_make_the_name(cast):
    rows = [
        ["Email address", "First name", "Last name ", "Location"],
        ["kim@acme.example", "Kim", "Park", "Boston"],
        [None, None, None, None],  # an empty row at the end of a sheet
    ]
    plan = members_parse(organization=cast.organization, file=workbook(rows))
    [row] = plan.rows
    assert (row.email, row.full_name, row.values["region"]) == (
        "kim@acme.example",
        "Kim Park",
        "Boston",
    )
    assert plan.warnings == []


def test_two_columns_meaning_the_same_and_a_missing_email_are_refused(cast):
    with pytest.raises(ImportInvalid) as refused:
        members_parse(
            organization=cast.organization,
            file="Email,E-mail address,Name\na@x.test,a@x.test,A\n",
        )
    assert "“Email” and “E-mail address” all mean email" in refused.value.errors[0].reason
    with pytest.raises(ImportInvalid) as refused:
        members_parse(organization=cast.organization, file="Name,Region\nA,Boston\n")
    assert "Missing required column: email" in refused.value.errors[0].reason


def test_an_old_xls_or_a_broken_workbook_gets_a_message(cast):
    with pytest.raises(ImportInvalid) as refused:
        members_parse(organization=cast.organization, file=b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    assert "Save it as an Excel workbook (.xlsx)" in refused.value.errors[0].reason
    with pytest.raises(ImportInvalid) as refused:
        members_parse(organization=cast.organization, file=b"PK\x03\x04 not really a zip")
    assert "not a readable Excel workbook" in refused.value.errors[0].reason


def test_the_import_page_previews_a_workbook(cast, client):
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(cast.admin)
    url = reverse("people-import", args=["acme"])
    upload = SimpleUploadedFile(
        "people.xlsx",
        workbook(MESSY[:4]),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    page = client.post(url, {"file": upload}).content.decode()
    assert "employee_id" in page and "Midwest" in page and "“MIDWEST”" in page
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    client.post(url, {"action": "confirm", "token": token})
    assert Invitation.objects.count() == 3
