"""Publishing a proposal: its groups, memberships and default rows in one transaction."""

from django.db import transaction
from django.utils import timezone

from peergroups.accounts.models import User
from peergroups.errors import Conflict, DomainError
from peergroups.formation.models import FormationRun, RunStatus
from peergroups.formation.naming import group_name_suggest, group_names_assign
from peergroups.formation.parameters import Parameters
from peergroups.formation.proposal import Proposal, group_violations
from peergroups.formation.selectors import require_admin
from peergroups.formation.snapshot import Snapshot
from peergroups.groups.models import PeerGroup
from peergroups.groups.services import AlreadyGrouped, GroupFull, group_create, membership_add
from peergroups.meetings.services import group_schedule_default
from peergroups.organizations.services import audit


def _group_defaults_create():
    """The meetings app's default rows for a new group (agenda, agreement), where it has them."""
    try:
        from peergroups.meetings.services import group_defaults_create
    except ImportError:  # before the meetings app creates defaults at group creation
        return None
    return group_defaults_create


@transaction.atomic
def formation_run_publish(*, run: FormationRun, acting_user: User | None) -> list[PeerGroup]:
    """Create the proposal's groups and memberships in one transaction.

    Any failure (someone placed meanwhile, a group over capacity) rolls back every
    group created so far: a publish is all or nothing. It can happen once. Groups get
    the program's full capacity, so the run's open seats stay open for late joiners.
    """
    run = FormationRun.objects.select_for_update().select_related("program").get(pk=run.pk)
    require_admin(acting_user, run.organization)
    if run.status == RunStatus.PUBLISHED:
        raise Conflict("This proposal was published already.")
    if run.status != RunStatus.DONE:
        raise Conflict("Only a finished proposal can be published.")
    snapshot = Snapshot.from_json(run.snapshot)
    parameters = Parameters.from_json(run.parameters)
    proposal = Proposal.from_json(run.proposal)
    for index, group in enumerate(proposal.groups):
        broken = group_violations(
            snapshot=snapshot, parameters=parameters, index=index, members=group.members
        )
        if broken:
            raise Conflict(f"Nothing was published: {broken[0].sentence}")
    program = run.program
    facilitator_ids = [g.facilitator_id for g in proposal.groups if g.facilitator_id]
    users = User.objects.in_bulk([u for g in proposal.groups for u in g.members] + facilitator_ids)
    taken_names = set(
        PeerGroup.objects.filter(program=program, cycle=run.cycle).values_list("name", flat=True)
    )
    defaults_create = _group_defaults_create()
    created = []
    # Names from what each group shares ("Boston · Biotech"), else the next "Group N".
    names = group_names_assign(
        [
            group_name_suggest(snapshot.person[user_id].attributes for user_id in g.members)
            for g in proposal.groups
        ],
        taken_names,
    )
    try:
        for proposed, name in zip(proposal.groups, names, strict=True):
            group = group_create(
                program=program,
                name=name,
                acting_user=acting_user,
                capacity=program.max_group_size,
                facilitator=users.get(proposed.facilitator_id),
                cycle=run.cycle,
            )
            for user_id in proposed.members:
                membership_add(group=group, user=users[user_id], acting_user=acting_user)
            if defaults_create is not None:
                defaults_create(group=group)
            # Meetings from the program's cadence in the members' most common time zone.
            group_schedule_default(group=group)
            created.append(group)
    except (AlreadyGrouped, GroupFull, DomainError) as error:
        raise Conflict(f"Nothing was published: {error} Start a new run.") from None
    run.status = RunStatus.PUBLISHED
    run.published_at = timezone.now()
    run.published_by = acting_user
    run.save(update_fields=["status", "published_at", "published_by"])
    audit(
        organization=run.organization,
        acting_user=acting_user,
        action="formation_run_publish",
        run_id=run.pk,
        groups=len(created),
    )
    from peergroups.formation.tasks import group_welcome_send

    group_ids = [group.pk for group in created]
    transaction.on_commit(lambda: [group_welcome_send.enqueue(group_id) for group_id in group_ids])
    return created
