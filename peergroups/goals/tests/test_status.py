"""A goal's status is derived from its latest value against the straight path."""

from datetime import date
from decimal import Decimal

import pytest

from peergroups.goals.selectors import goal_status

START, DUE = date(2027, 1, 1), date(2027, 12, 27)  # 360 days
HALFWAY = date(2027, 6, 30)  # 180 days in: the path expects 50 of 0 → 100


def status(latest, today=HALFWAY, baseline=0, target=100, dropped=False):
    return goal_status(
        baseline=Decimal(baseline),
        target=Decimal(target),
        starts_on=START,
        due_on=DUE,
        latest=None if latest is None else Decimal(latest),
        dropped=dropped,
        today=today,
    )


@pytest.mark.parametrize(
    ("latest", "expected"),
    [
        (50, "on_track"),  # on the path
        (31, "on_track"),  # 19 behind: within 20 % of the span
        (29, "at_risk"),  # 21 behind
        (100, "done"),
        (120, "done"),  # beyond the target counts as reached
    ],
)
def test_status_follows_the_straight_path_with_a_20_percent_margin(latest, expected):
    assert status(latest) == expected


def test_a_new_goal_without_updates_is_on_track_at_the_start():
    assert status(None, today=START) == "on_track"


def test_a_goal_without_updates_falls_at_risk_as_time_passes():
    assert status(None) == "at_risk"


def test_goals_can_aim_down():
    # Churn from 8 % to 4 %: halfway the path expects 6; 6.5 is fine, 7 is at risk.
    assert status("6.5", baseline=8, target=4) == "on_track"
    assert status("7", baseline=8, target=4) == "at_risk"
    assert status("3.9", baseline=8, target=4) == "done"


def test_past_due_and_not_reached_is_at_risk():
    assert status(99, today=date(2028, 1, 2)) == "at_risk"


def test_dropped_wins_over_everything():
    assert status(100, dropped=True) == "dropped"
