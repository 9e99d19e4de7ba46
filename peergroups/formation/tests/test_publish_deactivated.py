"""Publish leaves out whoever was deactivated after the run started: no seat, no welcome
e-mail, not on anyone's roster; it refuses, naming the group, below the program's minimum."""

import pytest
from django.core import mail

from peergroups.dashboards.persons import person_deactivate
from peergroups.errors import Conflict
from peergroups.formation.models import RunStatus
from peergroups.formation.services import formation_run_publish, proposal_set_facilitator
from peergroups.formation.tests.conftest import groups_of
from peergroups.formation.welcome import formation_welcome_send
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.organizations.access import organization_access

pytestmark = pytest.mark.django_db


def deactivate(cast, user_id):
    person_deactivate(
        access=organization_access(cast.admin, "acme"), acting_user=cast.admin, user_id=user_id
    )


def test_publish_leaves_out_a_deactivated_member_and_facilitator(
    cast, waiting, solved, django_capture_on_commit_callbacks, run_tasks
):
    run = solved()
    groups = groups_of(run)
    proposal_set_facilitator(
        run=run, group=0, facilitator_id=cast.facilitator.pk, acting_user=cast.admin
    )
    leaver = next(u for u in groups[0] if len(groups[0]) > cast.program.min_group_size)
    gone = next(p for p in waiting if p.pk == leaver)
    deactivate(cast, leaver)
    deactivate(cast, cast.facilitator.pk)
    with django_capture_on_commit_callbacks(execute=True):
        created = formation_run_publish(run=run, acting_user=cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        formation_welcome_send(run=run, acting_user=cast.admin)  # the admin confirms the names
    run_tasks()
    run.refresh_from_db()
    assert run.status == RunStatus.PUBLISHED
    first = created[0]
    first.refresh_from_db()
    assert first.facilitator_id is None
    assert first.member_count == len(groups[0]) - 1 == first.memberships.count()
    assert not GroupMembership.objects.filter(user_id=leaver).exists()
    addressees = [address for message in mail.outbox for address in message.to]
    assert gone.email not in addressees and cast.facilitator.email not in addressees
    assert len(addressees) == len(waiting) - 1
    assert all(gone.full_name not in message.body for message in mail.outbox)


def test_publish_refuses_naming_the_group_a_deactivation_leaves_too_small(cast, waiting, solved):
    run = solved()
    groups = groups_of(run)
    smallest = min(range(len(groups)), key=lambda g: len(groups[g]))
    cast.program.min_group_size = len(groups[smallest])
    cast.program.save(update_fields=["min_group_size"])
    deactivate(cast, groups[smallest][0])
    before = PeerGroup.objects.count()
    with pytest.raises(Conflict) as refused:
        formation_run_publish(run=run, acting_user=cast.admin)
    staying = len(groups[smallest]) - 1
    assert refused.value.reason.startswith(
        f"Nothing was published: group {smallest + 1} would have "
        f"{staying} member{'s' if staying != 1 else ''} without the 1 deactivated"
    )
    assert PeerGroup.objects.count() == before
