"""The roster export: names, group, facilitator, schedule; admins only; audited."""

import csv
import io
from datetime import date, time

from django.urls import reverse
from django.utils import timezone

from peergroups.audit.models import AuditEntry
from peergroups.meetings.models import MeetingSeries
from peergroups.people.models import MemberProfile


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode().lstrip("\ufeff"))))


def test_admin_downloads_the_roster_without_confidential_fields(
    client, cast, django_assert_max_num_queries
):
    MeetingSeries.objects.create(
        group=cast.group,
        frequency="monthly",
        weekday=1,
        week_of_month=2,
        starts_on=date(2027, 1, 1),
        start_time=time(8, 0),
        end_time=time(12, 0),
        time_zone="America/New_York",
    )
    MemberProfile.objects.filter(user=cast.member).update(
        challenges="=HYPERLINK(secret)", company="Helix Labs"
    )
    cast.member.full_name = "=cmd|' /C calc'!A0"
    cast.member.save()
    client.force_login(cast.admin)
    url = reverse("dashboards-roster-export", args=["acme", cast.program.pk])
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    table = rows(response)
    assert list(table[0]) == ["member", "group", "cycle", "facilitator", "schedule"]
    by_name = {row["member"]: row for row in table}
    assert set(by_name) == {"'=cmd|' /C calc'!A0", "Max Member", "Oli Member"}
    assert by_name["Max Member"]["facilitator"] == "Fran Facilitator"
    assert by_name["Max Member"]["schedule"].startswith("Monthly, second Tuesday")
    assert by_name["Oli Member"]["schedule"] == "not scheduled yet"
    body = response.content.decode()
    assert "HYPERLINK" not in body and "Helix" not in body and "@acme.test" not in body
    entry = AuditEntry.objects.get(action="roster_export")
    assert entry.after == {"rows": 3} and entry.actor == cast.admin


def test_closed_groups_leave_the_roster(client, cast):
    cast.other_group.closed_at = timezone.now()
    cast.other_group.save()
    client.force_login(cast.admin)
    table = rows(client.get(reverse("dashboards-roster-export", args=["acme", cast.program.pk])))
    assert {row["group"] for row in table} == {"Group A"}


def test_facilitators_and_members_cannot_export_and_nothing_is_audited(client, cast):
    url = reverse("dashboards-roster-export", args=["acme", cast.program.pk])
    for user in (cast.facilitator, cast.member):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    assert not AuditEntry.objects.filter(action="roster_export").exists()
