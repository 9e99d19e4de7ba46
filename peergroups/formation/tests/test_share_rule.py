"""The conflict rule as it is now, not as the snapshot had it: a reporting line or a
"not with" declared after a run started binds review edits and publish too."""

import pytest
from django.urls import reverse

from peergroups.errors import Conflict
from peergroups.formation.models import RunStatus
from peergroups.formation.services import formation_run_publish, proposal_move, proposal_swap
from peergroups.formation.tests.conftest import groups_of
from peergroups.groups.models import PeerGroup
from peergroups.people.models import MemberProfile, NotWith

pytestmark = pytest.mark.django_db


def test_a_move_to_someone_declared_since_the_snapshot_is_refused(cast, waiting, solved):
    run = solved(basis="mixed")
    groups = groups_of(run)
    mover, other = groups[0][0], groups[1][0]
    NotWith.objects.create(organization=cast.organization, user_id=other, other_id=mover)
    with pytest.raises(Conflict, match="cannot share a group.$") as refused:
        proposal_move(run=run, user_id=mover, to_group=1, acting_user=cast.admin)
    assert "declared" not in refused.value.reason
    with pytest.raises(Conflict, match="cannot share a group"):
        proposal_swap(run=run, user_a=mover, user_b=groups[1][1], acting_user=cast.admin)
    run.refresh_from_db()
    assert groups_of(run) == groups and run.undo_stack == []


def test_publish_refuses_a_pair_that_became_a_conflict_and_names_the_group(
    client, cast, waiting, solved, django_capture_on_commit_callbacks, run_tasks
):
    run = solved(basis="mixed")
    groups = groups_of(run)
    a, b = groups[1][:2]
    MemberProfile.objects.filter(organization=cast.organization, user_id=b).update(reports_to=a)
    before = PeerGroup.objects.count()
    with pytest.raises(Conflict, match=r"in group 2, .* cannot share a group \(reporting line\)"):
        formation_run_publish(run=run, acting_user=cast.admin)
    assert PeerGroup.objects.count() == before

    # Through the page and the worker: refused with the reason on the run page.
    client.force_login(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("formation-publish", args=["acme", run.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks()
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert "in group 2" in run.publish_error
    assert PeerGroup.objects.count() == before

    # Swapping one of the two out (the edit checks the rule as it is now) lets it publish.
    proposal_swap(run=run, user_a=b, user_b=groups[0][0], acting_user=cast.admin)
    created = formation_run_publish(run=run, acting_user=cast.admin)
    assert len(created) == len(groups)
