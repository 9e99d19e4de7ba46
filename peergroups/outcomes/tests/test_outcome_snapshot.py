"""The program outcomes of a period are worked out once and kept (OutcomeSnapshot): the
page, its CSV and the API read the kept figures, which are the figures worked out
afresh, and a membership that ends in the open month moves none of them."""

import random
from datetime import UTC, date, datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peergroups.dashboards.persons import person_deactivate
from peergroups.groups.models import GroupMembership
from peergroups.organizations.access import organization_access
from peergroups.outcomes import selectors
from peergroups.outcomes.models import OutcomeSnapshot
from peergroups.outcomes.tasks import outcomes_keep_now

from .test_outcomes_equivalence import NOW, figures, random_organization

OPEN_MONTH = date(2031, 7, 1)  # NOW's month: April to June are shown


def test_the_page_reads_the_kept_figures_in_three_queries(client, cast):
    random_organization(cast, random.Random(2))
    url = reverse("outcomes-program", args=["acme"])
    with time_machine.travel(NOW, tick=False):
        client.force_login(cast.admin)
        first = client.get(url)
        with CaptureQueriesContext(connection) as captured:
            again = client.get(url)
    assert first.status_code == again.status_code == 200
    table = first.content.index(b"<table")  # the head carries a fresh CSRF token each time
    assert first.content[table:] == again.content[table:]
    outcome_queries = [q["sql"] for q in captured.captured_queries if "outcome" in q["sql"]]
    assert len(outcome_queries) == 1, outcome_queries  # the kept figures, nothing else
    assert OutcomeSnapshot.objects.filter(organization=cast.organization).count() == 1


def test_kept_figures_are_the_figures_worked_out_afresh(cast):
    random_organization(cast, random.Random(7))
    access = organization_access(cast.admin, "acme")
    with time_machine.travel(NOW, tick=False):
        worked_out = figures(selectors.program_outcomes(access=access))  # and kept
        assert OutcomeSnapshot.objects.filter(month=OPEN_MONTH).exists()
        kept = figures(selectors.program_outcomes(access=access))
        fresh = selectors._period_figures(cast.organization, OPEN_MONTH)
    assert kept == worked_out
    assert {key: dict(nodes) for key, nodes in fresh.items()} == selectors._figures_from_json(
        selectors._figures_to_json(fresh)
    )


def test_a_deactivation_in_the_open_month_moves_no_figure_shown(cast):
    random_organization(cast, random.Random(5))
    access = organization_access(cast.admin, "acme")
    with time_machine.travel(NOW, tick=False):
        shown = figures(selectors.program_outcomes(access=access))
        before = selectors._period_figures(cast.organization, OPEN_MONTH)
        # Someone retention counts: joined the program more than a year before.
        counted = (
            GroupMembership.objects.filter(
                group__organization=cast.organization,
                joined_at__lt=datetime(2030, 7, 1, tzinfo=UTC),
            )
            .order_by("pk")
            .first()
        )
        person_deactivate(access=access, acting_user=cast.admin, user_id=counted.user_id)
        afresh = selectors._period_figures(cast.organization, OPEN_MONTH)
        again = figures(selectors.program_outcomes(access=access))
    # Worked out afresh, the figures would move (what the kept ones guard against) ...
    assert afresh != before
    # ... but the page shows what it showed.
    assert again == shown


def test_the_next_month_works_its_figures_out_anew(cast):
    random_organization(cast, random.Random(4))
    access = organization_access(cast.admin, "acme")
    with time_machine.travel(NOW, tick=False):
        july = selectors.program_outcomes(access=access)
    with time_machine.travel(date(2031, 8, 2), tick=False):
        august = selectors.program_outcomes(access=access)
    assert (july["since"], august["since"]) == (date(2031, 4, 1), date(2031, 5, 1))
    assert figures(july) != figures(august)
    # One kept period per organization: the earlier one goes.
    assert list(OutcomeSnapshot.objects.values_list("month", flat=True)) == [date(2031, 8, 1)]


def test_the_job_keeps_each_organizations_figures_once_its_month_turns(cast):
    random_organization(cast, random.Random(6))
    access = organization_access(cast.admin, "acme")
    with time_machine.travel(NOW, tick=False):
        assert outcomes_keep_now() == 2  # both organizations of the cast
        assert outcomes_keep_now() == 0  # kept already
        with CaptureQueriesContext(connection) as captured:
            kept = figures(selectors.program_outcomes(access=access))
        OutcomeSnapshot.objects.all().delete()
        afresh = figures(selectors.program_outcomes(access=access))
    assert len(captured.captured_queries) == 3  # programs, cycles, the kept figures
    assert kept == afresh


def test_kept_figures_give_the_reason_a_figure_is_hidden_in_each_readers_language(cast):
    """The kept figures hold why a figure is hidden as a code: kept while an English
    reader looked, the reason reads German for a German reader."""
    from django.utils import translation

    from peergroups import aggregates

    random_organization(cast, random.Random(3))
    access = organization_access(cast.admin, "acme")
    with time_machine.travel(NOW, tick=False):
        with translation.override("en"):
            selectors.program_outcomes(access=access)  # worked out and kept
        kept = OutcomeSnapshot.objects.get(month=OPEN_MONTH).figures
        codes = {node[3] for nodes in kept.values() for node in nodes}
        assert codes <= {"", "fewer", "complement"} and "fewer" in codes
        with translation.override("de"):
            result = selectors.program_outcomes(access=access)
            reasons = {str(cell.hidden) for row in result["rows"] for cell in row["cells"].values()}
            expected = str(aggregates.FEWER)
    assert expected != "fewer than 5 people"  # the catalogue has it in German
    assert expected in reasons
