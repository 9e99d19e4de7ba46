"""Fixtures for goals tests: the meetings fixtures (frozen clock, accepted agreements,
Group A's monthly schedule) and helpers to make commitments and check-ins."""

import pytest

from peergroups.meetings.tests.conftest import (  # noqa: F401  (fixtures)
    NOW,
    accepted,
    frozen,
    meeting,
    scheduled,
)


@pytest.fixture
def commit(accepted):  # noqa: F811  (the imported fixture, requested)
    """Make a commitment for a member of Group A (default Mia), optionally checked in."""
    from peergroups.goals import services

    def make(due_on, outcome=None, member=None, group=None, text="Call the bank."):
        commitment = services.commitment_make(
            group=group or accepted.group,
            member=member or accepted.member,
            text=text,
        )
        # Backdating is allowed here: tests arrange history the service would refuse.
        commitment.due_on = due_on
        commitment.save(update_fields=["due_on"])
        if outcome:
            services.commitment_check_in(
                commitment=commitment, status=outcome, acting_user=commitment.member
            )
        return commitment

    return make


def agreement_accept_all(group, *members):
    """The members accept `group`'s current agreement, as they must before they commit."""
    from peergroups.meetings.services import agreement_accept, agreement_current

    agreement = agreement_current(group=group)
    for member in members:
        agreement_accept(agreement=agreement, user=member)
