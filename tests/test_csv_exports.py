"""Every CSV the site serves is formula-safe (issue 21, row 9).

The outcomes CSV wrote a program named `=HYPERLINK("http://evil.example","x")` raw while
the roster and members CSVs escaped it: three writers, two of them careful. Now one
writer (`formats.csv_text`) serves every export. This test does not trust a list of
exports: it requests every GET route of the access matrix as every role, with names,
regions and titles made hostile, keeps each response that is CSV, and checks every cell.
"""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from peergroups.formats import FORMULA_STARTS, PLAIN_NUMBER, csv_cell, csv_text
from tests.test_access_matrix import MATRIX, ROLES, build_world, request, resolve_kwargs

HOSTILE = '=HYPERLINK("http://evil.example","x")'


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]


def unsafe_cells(text: str) -> list[str]:
    """The cells a spreadsheet would run as a formula."""
    return [
        cell
        for cell in cells(text)
        if cell.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(cell)
    ]


def make_hostile(cast) -> None:
    from peergroups.outcomes.tests.conftest import answered_pulse
    from peergroups.people.models import MemberProfile

    # An answered pulse gives the program a row (its name) in the outcomes CSV.
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    answered_pulse(cast, cast.member2, last_month)
    cast.program.name = HOSTILE
    cast.program.save(update_fields=["name"])
    for mark, group in (("+", cast.group), ("+-", cast.other_group)):
        group.name = mark + HOSTILE
        group.save(update_fields=["name"])
    for user in (cast.member, cast.member2, cast.facilitator, cast.other_member):
        user.full_name = "@" + HOSTILE
        user.save(update_fields=["full_name"])
    MemberProfile.objects.filter(organization=cast.organization).update(
        region="-" + HOSTILE, company="\t" + HOSTILE, industry=HOSTILE
    )


@pytest.fixture
def hostile_world(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    world = build_world()
    make_hostile(world["cast"])
    return world


GET_ROWS = sorted(name for name, method in MATRIX if method == "get")


@pytest.mark.django_db
def test_every_csv_response_is_formula_safe(client, hostile_world):
    found = {}
    for name in GET_ROWS:
        kwargs, expected, *data = MATRIX[(name, "get")]
        for role in ROLES:
            if expected[role] != 200:
                continue
            client.force_login(getattr(hostile_world["cast"], role)) if role != "anonymous" else (
                client.logout()
            )
            response = request(client, name, "get", resolve_kwargs(kwargs, hostile_world), data)
            if not response.get("Content-Type", "").startswith("text/csv"):
                continue
            text = b"".join(response).decode() if response.streaming else response.content.decode()
            found[(name, role)] = text
            assert unsafe_cells(text) == [], f"{name} as {role}"
    # Every export the site has is among what was found, with the hostile names in it.
    assert {name for name, _ in found} >= {
        "organizations-audit-export",
        "dashboards-roster-export",
        "people-export",
        "outcomes-program-csv",
    }
    client.force_login(hostile_world["cast"].admin)
    program = hostile_world["cast"].program.pk
    outcomes = client.get(reverse("outcomes-program-csv", args=["acme"]), {"program": program})
    assert unsafe_cells(outcomes.content.decode()) == []
    assert "'" + HOSTILE in cells(outcomes.content.decode())
    assert "'+" + HOSTILE in cells(found[("dashboards-roster-export", "admin")])
    assert "'-" + HOSTILE in cells(found[("people-export", "admin")])


def test_the_check_finds_a_formula():
    raw = io.StringIO()
    csv.writer(raw).writerow(["Program", HOSTILE, "-2.5"])
    assert unsafe_cells(raw.getvalue()) == [HOSTILE]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (HOSTILE, "'" + HOSTILE),
        ("+1 555", "'+1 555"),
        ("-2.5", "-2.5"),
        ("+12%", "+12%"),
        ("@sum(A1)", "'@sum(A1)"),
        ("\tx", "'\tx"),
        (None, ""),
        (3, "3"),
    ],
)
def test_csv_cell(value, written):
    assert csv_cell(value) == written


def test_csv_text_has_a_byte_order_mark_and_safe_cells():
    assert csv_text(["a", "=b"], [["=c", 1]]) == "\ufeffa,'=b\n'=c,1\n"
