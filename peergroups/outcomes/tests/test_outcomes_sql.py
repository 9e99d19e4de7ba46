"""The per-person measures worked out inside the database (change from baseline,
retention) give today's figures: property tests with hypothesis on random
organizations, against the record-by-record oracle, and the month arithmetic the
retention query does in SQL against add_months (relativedelta)."""

import random
from datetime import date

import pytest
import time_machine
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peergroups.organizations.access import organization_access
from peergroups.organizations.models import Program
from peergroups.outcomes import selectors

from .reference_outcomes import program_outcomes_record_by_record
from .test_outcomes_equivalence import NOW, figures, random_organization


class Rollback(Exception):
    """Leaves each drawn organization's transaction without keeping it."""


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_figures_from_sql_are_todays_on_any_drawn_organization(cast, seed):
    shown = hidden = 0
    try:
        with transaction.atomic():
            random_organization(cast, random.Random(seed))
            access = organization_access(cast.admin, "acme")
            views = [selectors.OutcomeFilters()] + [
                selectors.OutcomeFilters(program_id=pk)
                for pk in Program.objects.filter(organization=cast.organization).values_list(
                    "pk", flat=True
                )
            ]
            with time_machine.travel(NOW, tick=False):
                for filters in views:
                    new = figures(selectors.program_outcomes(access=access, filters=filters))
                    old = figures(program_outcomes_record_by_record(access=access, filters=filters))
                    assert new == old, (seed, filters)
                    for _key, _label, cells in new:
                        hidden += sum(not f.shown for f in cells.values())
                        shown += sum(f.shown and f.value is not None for f in cells.values())
            raise Rollback
    except Rollback:
        pass
    assert shown or hidden


@pytest.mark.django_db
@settings(max_examples=300, deadline=None)
@given(day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_months_added_in_sql_are_add_months(day):
    """SQLite's date modifiers roll 31 January + 1 month over into March; the query keeps
    the month's last day, as relativedelta does (and PostgreSQL's interval)."""
    with connection.cursor() as cursor:
        for months in (1, 6, 12, 13):
            cast = "CAST(%s AS DATE)" if connection.vendor == "postgresql" else "%s"
            sql = f"SELECT {selectors._add_months_sql(cast, months)}"
            cursor.execute(sql, [connection.ops.adapt_datefield_value(day)] * sql.count("%s"))
            (value,) = cursor.fetchone()
            assert str(value) == selectors.add_months(day, months).isoformat(), (day, months)
