"""Publishing a proposal: its groups, memberships and default rows in one transaction.

An admin asks (`formation_run_publish_request`): the run turns PUBLISHING and a task on
the formation queue does the work (`formation_run_publish_task` ->
`formation_run_publish`), so a proposal of 10,000 people never runs in a web request.
The work is bulk inserts inside one transaction: all or nothing. A refusal found by
the task puts the run back to DONE with the reason in `publish_error`.
"""

from dataclasses import replace
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django_tasks import task

from peergroups.accounts.models import User
from peergroups.audit.services import audit_record, audit_record_many
from peergroups.errors import Conflict, DomainError, Invalid
from peergroups.formation.models import FormationRun, RunStatus
from peergroups.formation.naming import group_name_suggest, group_names_assign
from peergroups.formation.parameters import FORMATION_QUEUE, Parameters
from peergroups.formation.proposal import Proposal, group_violations
from peergroups.formation.selectors import require_admin
from peergroups.formation.snapshot import Snapshot
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.groups.seats import GroupFull, seats_of_new_group
from peergroups.meetings.services import group_defaults_create_many, group_schedules_default_many
from peergroups.organizations.models import Role
from peergroups.organizations.recipients import active_in
from peergroups.people.conflicts import conflicts_within, kept_apart_sentence

FIRST_MEETINGS_WITHIN_DAYS = 366


def _refuse_unless_publishable(run: FormationRun, *, allowed: set[str]) -> None:
    if run.status == RunStatus.PUBLISHED:
        raise Conflict(gettext("This proposal was published already."))
    if run.status == RunStatus.PUBLISHING and RunStatus.PUBLISHING not in allowed:
        raise Conflict(gettext("This proposal is being published."))
    if run.status not in allowed:
        raise Conflict(gettext("Only a finished proposal can be published."))


def _check_proposal(run: FormationRun) -> tuple[Snapshot, Proposal]:
    snapshot = Snapshot.from_json(run.snapshot)
    parameters = Parameters.from_json(run.parameters)
    proposal = Proposal.from_json(run.proposal)
    for index, group in enumerate(proposal.groups):
        broken = group_violations(
            snapshot=snapshot, parameters=parameters, index=index, members=group.members
        )
        if broken:
            raise Conflict(
                gettext("Nothing was published: %(sentence)s") % {"sentence": broken[0].sentence}
            )
    return snapshot, proposal


def _refuse_broken(run: FormationRun) -> None:
    """The request's check, by each group's stored verdict: the run's task and every edit
    keep it current, over a snapshot and parameters that never change, so the snapshot
    (megabytes) stays unread. A run from before verdicts were stored is checked in full."""
    proposal = Proposal.from_json(run.proposal)
    if any(group.violations is None for group in proposal.groups):
        _check_proposal(run)
        return
    for group in proposal.groups:
        if group.violations:
            raise Conflict(
                gettext("Nothing was published: %(sentence)s")
                % {"sentence": group.violations[0].sentence}
            )


@transaction.atomic
def formation_run_publish_request(
    *, run: FormationRun, acting_user: User, first_meetings_on: date | None = None
) -> FormationRun:
    """Ask for the proposal to be published: checked now, written by a worker (which
    checks it again in full before it writes). `first_meetings_on`: the day the groups'
    meetings start from (each group's first falls in the first period of the cadence);
    None for the program's default."""
    run = (
        FormationRun.objects.select_for_update(of=("self",))
        .select_related("organization")
        .defer("snapshot", "undo_stack")
        .get(pk=run.pk)
    )
    require_admin(acting_user, run.organization)
    _refuse_unless_publishable(run, allowed={RunStatus.DONE})
    _refuse_broken(run)  # a broken proposal is refused here, not later in the task
    if first_meetings_on is not None:
        today = timezone.localdate()
        if not today <= first_meetings_on <= today + timedelta(days=FIRST_MEETINGS_WITHIN_DAYS):
            raise Invalid(
                gettext("Choose a day from today to a year ahead for the first meetings."),
                field="first_meetings_on",
            )
    run.first_meetings_on = first_meetings_on
    run.status = RunStatus.PUBLISHING
    run.publish_progress = 0.0
    run.publish_error = ""
    run.published_by = acting_user
    run.save(
        update_fields=[
            "status",
            "publish_progress",
            "publish_error",
            "published_by",
            "first_meetings_on",
        ]
    )
    audit_record(
        organization=run.organization,
        actor=acting_user,
        action="formation_run_publish_request",
        target=run,
        before={"status": RunStatus.DONE},
        after={"status": RunStatus.PUBLISHING},
    )
    run_id = run.pk
    transaction.on_commit(lambda: formation_run_publish_task.enqueue(run_id))
    return run


@task(queue_name=FORMATION_QUEUE)
def formation_run_publish_task(run_id: int) -> None:
    formation_run_publish_execute(run_id)


def formation_run_publish_execute(run_id: int) -> None:
    """The task's body: publish, or put the run back to DONE with the reason."""
    FormationRun.objects.filter(pk=run_id, status=RunStatus.PUBLISHING).update(
        publish_progress=0.1  # a worker has it; the rest is one transaction
    )
    # Only its state and who asked: the publish reads the run again, under its lock.
    run = (
        FormationRun.objects.select_related("published_by")
        .defer("snapshot", "proposal", "undo_stack", "baselines")
        .get(pk=run_id)
    )
    if run.status != RunStatus.PUBLISHING:
        return  # published or given back meanwhile: nothing to do
    try:
        formation_run_publish(run=run, acting_user=run.published_by)
    except DomainError as refused:  # a rule said no: nothing was written
        _give_back(run_id, refused.reason)
    except Exception:  # the transaction rolled back; never leave the run "publishing"
        _give_back(run_id, "Publishing failed and nothing was published. Try again.")
        raise


def _give_back(run_id: int, reason: str) -> None:
    FormationRun.objects.filter(pk=run_id, status=RunStatus.PUBLISHING).update(
        status=RunStatus.DONE, publish_progress=0.0, publish_error=reason
    )


def _without_the_deactivated(run: FormationRun, proposal: Proposal, *, minimum: int) -> Proposal:
    """The proposal without the people deactivated since the snapshot (`organizations.
    recipients.active_in`: no member role here any more, or no account): their group is
    published without them, a facilitator's group without a facilitator. Refused, naming
    the group, when one would fall below the program's smallest group."""
    members = [u for g in proposal.groups for u in g.members]
    facilitators = {g.facilitator_id for g in proposal.groups if g.facilitator_id}
    active = active_in(organization_id=run.organization_id, user_ids=members, role=Role.MEMBER)
    leading = active_in(
        organization_id=run.organization_id, user_ids=facilitators, role=Role.FACILITATOR
    )
    if len(active) == len(set(members)) and leading == facilitators:
        return proposal
    kept = []
    for index, group in enumerate(proposal.groups):
        staying = tuple(u for u in group.members if u in active)
        if len(staying) < minimum:
            left = len(group.members) - len(staying)
            raise Conflict(
                ngettext(
                    "Nothing was published: group %(number)s would have %(count)s member "
                    "without the %(left)s deactivated since this run started; groups of this "
                    "program have at least %(minimum)s. Move people into it, or start a new run.",
                    "Nothing was published: group %(number)s would have %(count)s members "
                    "without the %(left)s deactivated since this run started; groups of this "
                    "program have at least %(minimum)s. Move people into it, or start a new run.",
                    len(staying),
                )
                % {"number": index + 1, "count": len(staying), "left": left, "minimum": minimum}
            )
        facilitator = group.facilitator_id if group.facilitator_id in leading else None
        kept.append(replace(group, members=staying, facilitator_id=facilitator))
    return Proposal(groups=tuple(kept))


@transaction.atomic
def formation_run_publish(*, run: FormationRun, acting_user: User | None) -> list[PeerGroup]:
    """Create the proposal's groups and memberships in one transaction, in bulk.

    Any failure (someone placed meanwhile, a group over capacity) rolls back every
    group created so far: a publish is all or nothing. It can happen once. Groups get
    the program's full capacity, so the run's open seats stay open for late joiners.
    Audited: the publish, each group created and each membership added.
    """
    run = (
        FormationRun.objects.select_for_update()
        .select_related("program", "organization")
        .get(pk=run.pk)
    )
    require_admin(acting_user, run.organization)
    _refuse_unless_publishable(run, allowed={RunStatus.DONE, RunStatus.PUBLISHING})
    snapshot, proposal = _check_proposal(run)
    program = run.program
    proposal = _without_the_deactivated(run, proposal, minimum=program.min_group_size)
    # The snapshot's pairs are as they were when the run started; a reporting line or a
    # "not with" declared since then is refused too (the admin moves someone and retries).
    arisen = conflicts_within(
        organization=run.organization_id, groups=dict(enumerate(g.members for g in proposal.groups))
    )
    if arisen:
        index, a, b, reason = arisen[0]
        names = snapshot.person
        raise Conflict(
            gettext("Nothing was published: in group %(number)s, %(sentence)s")
            % {
                "number": index + 1,
                "sentence": kept_apart_sentence(names[a].name, names[b].name, reason),
            }
        )
    member_ids = [u for g in proposal.groups for u in g.members]
    placed = (
        GroupMembership.objects.filter(program=program, cycle=run.cycle, user_id__in=member_ids)
        .select_related("user")
        .first()
    )
    if placed is not None:
        raise Conflict(
            gettext(
                "Nothing was published: %(user)s already belongs to a group in this program. "
                "Start a new run."
            )
            % {"user": placed.user}
        )
    taken_names = set(
        PeerGroup.objects.filter(program=program, cycle=run.cycle).values_list("name", flat=True)
    )
    # Names from what each group shares ("Boston · Biotech"), else the next "Group N".
    names = group_names_assign(
        [
            group_name_suggest(snapshot.person[user_id].attributes for user_id in g.members)
            for g in proposal.groups
        ],
        taken_names,
    )
    now = timezone.now()
    try:
        created = [
            PeerGroup(
                organization_id=program.organization_id,
                program=program,
                name=name,
                cycle=run.cycle,
                capacity=program.max_group_size,
                facilitator_id=proposed.facilitator_id,
                member_count=seats_of_new_group(
                    name=name, members=len(proposed.members), capacity=program.max_group_size
                ),
                created_at=now,
            )
            for proposed, name in zip(proposal.groups, names, strict=True)
        ]
    except GroupFull as full:
        raise Conflict(gettext("Nothing was published: %(full)s") % {"full": full}) from None
    for group in created:  # the fields' own rules; the foreign keys were checked above
        group.clean_fields(exclude=["organization", "program", "facilitator"])
        group.clean()
    try:
        with transaction.atomic():
            PeerGroup.objects.bulk_create(created, batch_size=500)
            GroupMembership.objects.bulk_create(
                (
                    GroupMembership(
                        group_id=group.pk,
                        program_id=program.pk,
                        cycle=run.cycle,
                        user_id=user_id,
                        joined_at=now,
                    )
                    for group, proposed in zip(created, proposal.groups, strict=True)
                    for user_id in proposed.members
                ),
                batch_size=1000,
            )
    except IntegrityError:  # someone was placed, or a name taken, since the checks above
        raise Conflict(
            gettext("Nothing was published: the program changed meanwhile. Start a new run.")
        ) from None
    group_defaults_create_many(group_ids=[group.pk for group in created])
    # Meetings from the program's cadence in the members' most common time zone.
    group_schedules_default_many(
        groups=created,
        members={g.pk: list(p.members) for g, p in zip(created, proposal.groups, strict=True)},
        starts_on=run.first_meetings_on,
    )
    audit_record_many(
        organization=run.organization,
        actor=acting_user,
        action="group_create",
        rows=[{"target": group, "before": {}, "after": {"run_id": run.pk}} for group in created],
    )
    audit_record_many(
        organization=run.organization,
        actor=acting_user,
        action="membership_add",
        rows=[
            {"target": group, "before": {}, "after": {"user": user_id}}
            for group, proposed in zip(created, proposal.groups, strict=True)
            for user_id in proposed.members
        ],
    )
    before = run.status
    run.status = RunStatus.PUBLISHED
    run.publish_progress = 1.0
    run.publish_error = ""
    run.published_at = now  # the groups' created_at: how formation.welcome finds them
    run.published_by = acting_user
    # The welcome e-mails wait for the names (formation.welcome): the admin confirms them
    # on the run's page, or they go by themselves after the delay.
    run.welcome_due_at = run.published_at + timedelta(hours=settings.GROUP_WELCOME_DELAY_HOURS)
    run.save(
        update_fields=[
            "status",
            "publish_progress",
            "publish_error",
            "published_at",
            "published_by",
            "welcome_due_at",
        ]
    )
    audit_record(
        organization=run.organization,
        actor=acting_user,
        action="formation_run_publish",
        target=run,
        before={"status": before},
        after={"status": RunStatus.PUBLISHED, "groups": len(created), "members": len(member_ids)},
    )
    return created
