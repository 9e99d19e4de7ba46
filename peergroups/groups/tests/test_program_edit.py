"""Editing a program: the service's rules, its audit row, and the page's form."""

import pytest
from django.urls import reverse

from peergroups.audit.models import AuditEntry
from peergroups.errors import Conflict, Invalid, NotFound, Refused
from peergroups.groups.models import PeerGroup
from peergroups.groups.services import program_create, program_update
from peergroups.organizations.access import organization_access
from peergroups.organizations.models import Program


def fields(**changes):
    values = dict(
        name="Leaders 2027",
        description="Monthly circles for new managers.",
        min_group_size=4,
        max_group_size=8,
        open_seats=1,
        meeting_cadence="biweekly",
        grouping_basis="region",
    )
    values.update(changes)
    return values


def edit(cast, user=None, program_id=None, **changes):
    user = user or cast.admin
    return program_update(
        access=organization_access(user, "acme"),
        acting_user=user,
        program_id=program_id or cast.program.pk,
        **fields(**changes),
    )


@pytest.mark.django_db
def test_admin_edits_a_program_and_the_audit_row_has_before_and_after(cast):
    program = edit(cast)
    program.refresh_from_db()
    assert (program.min_group_size, program.max_group_size, program.open_seats) == (4, 8, 1)
    assert (program.meeting_cadence, program.grouping_basis) == ("biweekly", "region")
    entry = AuditEntry.objects.get(action="program_update")
    assert entry.object_type == "program"
    assert entry.before["max_group_size"] == 10 and entry.after["max_group_size"] == 8
    assert entry.before["meeting_cadence"] == "monthly"
    # No free text in the audit log: the description is recorded by its length.
    assert "Monthly circles" not in str(entry.after)
    assert "name" not in entry.after  # unchanged fields are not recorded


@pytest.mark.django_db
def test_saving_without_changes_writes_no_audit_row(cast):
    program = cast.program
    edit(
        cast,
        name=program.name,
        description=program.description,
        min_group_size=program.min_group_size,
        max_group_size=program.max_group_size,
        open_seats=program.open_seats,
        meeting_cadence=program.meeting_cadence,
        grouping_basis=program.grouping_basis,
    )
    assert not AuditEntry.objects.filter(action="program_update").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"min_group_size": 1}, "min_group_size"),
        ({"max_group_size": 11}, "max_group_size"),
        ({"min_group_size": 7, "max_group_size": 6, "open_seats": 0}, "min_group_size"),
        ({"min_group_size": 6, "max_group_size": 8, "open_seats": 3}, "open_seats"),
        ({"open_seats": -1}, "open_seats"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"description": "x" * 4001}, "description"),
        ({"meeting_cadence": "hourly"}, "meeting_cadence"),
        ({"grouping_basis": "shoe size"}, "grouping_basis"),
    ],
)
def test_out_of_bounds_values_are_refused_on_their_field(cast, changes, field):
    with pytest.raises(Invalid) as refused:
        edit(cast, **changes)
    assert refused.value.field == field
    assert Program.objects.get(pk=cast.program.pk).max_group_size == 10


@pytest.mark.django_db
def test_largest_group_cannot_drop_below_an_open_groups_members(cast):
    PeerGroup.objects.filter(pk=cast.group.pk).update(member_count=6, capacity=10)
    with pytest.raises(Invalid, match="Group A has 6 members") as refused:
        edit(cast, min_group_size=2, max_group_size=5, open_seats=0)
    assert refused.value.field == "max_group_size"


@pytest.mark.django_db
def test_name_of_another_program_is_a_conflict(cast):
    program_create(organization=cast.organization, acting_user=cast.admin, name="Directors")
    with pytest.raises(Conflict, match="already called"):
        edit(cast, name="directors")


@pytest.mark.django_db
def test_only_admins_of_the_programs_organization_edit_it(cast):
    with pytest.raises(Refused):
        edit(cast, user=cast.facilitator)
    other = program_create(
        organization=cast.other_organization, acting_user=cast.outsider, name="Globex 1"
    )
    with pytest.raises(NotFound):
        edit(cast, program_id=other.pk)


@pytest.mark.django_db
def test_edit_page_rerenders_with_errors_and_keeps_what_was_typed(client, cast):
    client.force_login(cast.admin)
    url = reverse("groups-program-edit", args=["acme", cast.program.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Leaders 2027" in page.content.decode()
    PeerGroup.objects.filter(pk=cast.group.pk).update(member_count=6)
    answer = client.post(url, fields(name="Leaders renamed", min_group_size=2, max_group_size=5))
    body = answer.content.decode()
    assert answer.status_code == 400
    assert "Group A has 6 members" in body and "Leaders renamed" in body
    answer = client.post(url, fields(name="Leaders renamed"))
    assert answer.status_code == 302
    assert Program.objects.get(pk=cast.program.pk).name == "Leaders renamed"
