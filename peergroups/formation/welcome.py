"""The welcome e-mails of a published run: they wait for the admin to confirm the group
names ("Confirm names and send welcome e-mails" on the run's page), or go by themselves
GROUP_WELCOME_DELAY_HOURS after publish (the `send_group_welcomes` job), whichever comes
first. Each carries the group's name when it is sent; each member is welcomed once
(`GroupMembership.welcomed_at`, claimed by `formation.tasks.groups_welcome_send`).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from peergroups.audit.services import audit_record
from peergroups.errors import Conflict
from peergroups.formation.models import FormationRun, RunStatus
from peergroups.formation.selectors import require_admin
from peergroups.groups.models import PeerGroup

WELCOME_BATCH = 50  # groups per welcome e-mail task


def formation_run_groups(run: FormationRun):
    """The groups a run published (they were created at its `published_at`), by name."""
    return PeerGroup.objects.filter(
        program_id=run.program_id, cycle=run.cycle, created_at=run.published_at
    ).order_by("name")


def _queue(run: FormationRun) -> int:
    """Queue the welcome tasks of the run's groups (after commit); returns the group count."""
    from peergroups.formation.tasks import groups_welcome_send

    ids = sorted(formation_run_groups(run).values_list("pk", flat=True))
    batches = [ids[i : i + WELCOME_BATCH] for i in range(0, len(ids), WELCOME_BATCH)]
    transaction.on_commit(lambda: [groups_welcome_send.enqueue(batch) for batch in batches])
    return len(ids)


def _claim(run_id: int) -> FormationRun | None:
    """The run, if its welcome e-mails were not queued yet (row lock: once, however many
    clicks and jobs race)."""
    run = FormationRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or run.status != RunStatus.PUBLISHED or run.welcome_sent_at is not None:
        return None
    run.welcome_sent_at = timezone.now()
    run.save(update_fields=["welcome_sent_at"])
    return run


@transaction.atomic
def formation_welcome_send(*, run: FormationRun, acting_user) -> int:
    """The admin confirms the group names: the welcome e-mails go now. Returns the number
    of groups whose members are told."""
    require_admin(acting_user, run.organization)
    locked = FormationRun.objects.select_for_update().get(pk=run.pk)
    if locked.status != RunStatus.PUBLISHED:
        raise Conflict(gettext("Publish the proposal first: there are no groups to welcome yet."))
    if locked.welcome_due_at is None:
        raise Conflict(gettext("This run's members were welcomed when it was published."))
    claimed = _claim(locked.pk)
    if claimed is None:
        raise Conflict(gettext("The welcome e-mails of this run were sent already."))
    count = _queue(claimed)
    audit_record(
        organization=run.organization,
        actor=acting_user,
        action="formation_welcome_send",
        target=claimed,
        before={"welcome_sent_at": None},
        after={"groups": count},
    )
    run.welcome_sent_at = claimed.welcome_sent_at
    return count


def formation_welcomes_due_send(now=None) -> int:
    """The job: queue the welcome e-mails of every run whose delay is over and whose admin
    did not confirm. Returns how many runs."""
    now = now or timezone.now()
    due = FormationRun.objects.filter(
        status=RunStatus.PUBLISHED, welcome_sent_at__isnull=True, welcome_due_at__lte=now
    ).values_list("pk", flat=True)
    sent = 0
    for run_id in list(due):
        with transaction.atomic():
            run = _claim(run_id)
            if run is None:
                continue
            count = _queue(run)
            audit_record(
                organization=run.organization,
                actor=None,
                action="formation_welcome_send",
                target=run,
                before={"welcome_sent_at": None},
                after={"groups": count, "sent": "after the delay"},
            )
        sent += 1
    return sent
