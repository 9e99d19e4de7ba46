"""Commitments made before the goals work get their group from their meeting."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("meetings", "0001_initial")]
AFTER = [("meetings", "0004_commitment_group_required")]


@pytest.mark.django_db(transaction=True)
def test_existing_commitments_are_backfilled_with_their_meetings_group(cast):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Meeting = old.get_model("meetings", "Meeting")
    Commitment = old.get_model("meetings", "Commitment")
    starts = datetime(2027, 1, 12, 13, tzinfo=UTC)
    meeting = Meeting.objects.create(
        group_id=cast.group.pk, starts_at=starts, ends_at=starts + timedelta(hours=4), uid="m@x"
    )
    commitment = Commitment.objects.create(meeting=meeting, member_id=cast.member.pk, text="Old.")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # forward to the latest, goals too

    from peergroups.meetings.models import Commitment as Current

    assert Current.objects.get(pk=commitment.pk).group_id == cast.group.pk
