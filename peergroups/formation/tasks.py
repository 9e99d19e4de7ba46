"""Background work of group formation, run by `manage.py db_worker`.

Formation runs take minutes of CPU, so they have their own queue (`FORMATION_QUEUE`,
its own worker in `make run`): e-mail and reminders on the default queue never wait
behind them. The engine is imported inside the task, so importing this module (as
services do to queue work) does not load it.

A task queued by the work of another task sits beside that work, so no module here and
the one it calls import each other: a run's segments (`formation_part_task`) in
`execute`, the publish (`formation_run_publish_task`) in `publish`.
"""

import time

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_tasks import task

from peergroups.formation.parameters import FORMATION_QUEUE
from peergroups.formats import lazy_format
from peergroups.groups.models import PeerGroup
from peergroups.ops.mail import email_message, in_recipient_language, retry_email


@task(queue_name=FORMATION_QUEUE)
def formation_run_task(run_id: int) -> None:
    started = time.monotonic()  # loading the engine comes out of the run's time budget
    from peergroups.formation.execute import formation_run_execute

    formation_run_execute(run_id, started=started)


@task()
def group_welcome_send(group_id: int) -> None:
    """Tell each member of a newly published group who their peers and facilitator are."""
    groups_welcome_send.call([group_id])


@task()
@retry_email()
def groups_welcome_send(group_ids: list[int]) -> int:
    """The welcome e-mails of a batch of published groups, with each group's name as it is
    now: a few queries and one connection to the mail server for the whole batch.

    Each member not welcomed yet is claimed (`welcomed_at`) in the transaction that sends
    the batch: never twice, whichever path queued it, and a failed send releases the
    claims for the retry. Returns how many e-mails went out.
    """
    from peergroups.accounts.models import NotificationKind
    from peergroups.groups.models import GroupMembership
    from peergroups.organizations.recipients import recipients

    with transaction.atomic():
        memberships = list(
            GroupMembership.objects.select_for_update()
            .filter(group_id__in=group_ids, welcomed_at__isnull=True)
            .order_by("pk")
        )
        if not memberships:
            return 0
        GroupMembership.objects.filter(pk__in=[m.pk for m in memberships]).update(
            welcomed_at=timezone.now()
        )
        groups = list(
            PeerGroup.objects.select_related("organization", "program", "facilitator")
            .filter(pk__in=group_ids)
            .order_by("pk")
        )
        members: dict[int, list] = {group.pk: [] for group in groups}
        for membership in GroupMembership.objects.filter(group_id__in=group_ids).select_related(
            "user"
        ):
            members[membership.group_id].append(membership.user)
        claimed = {m.user_id for m in memberships}
        # The one recipients decision, per organization (a batch is one run's: one call).
        claimed_by_organization: dict[int, list] = {}
        for group in groups:
            claimed_by_organization.setdefault(group.organization_id, []).extend(
                user for user in members[group.pk] if user.pk in claimed
            )
        told = {
            user.pk
            for organization_id, users in claimed_by_organization.items()
            for user in recipients(
                organization_id=organization_id, users=users, kind=NotificationKind.GROUP_ASSIGNMENT
            )
        }
        messages = [
            group_welcome_message(group=group, member=member, peers=members[group.pk])
            for group in groups
            for member in members[group.pk]
            if member.pk in told
        ]
        if messages:
            get_connection().send_messages(messages)
    return len(messages)


@in_recipient_language(lambda *, group, member, peers: (member, group.organization))
def group_welcome_message(*, group: PeerGroup, member, peers: list):
    """One member's welcome: their group's name, peers and facilitator (replies go to the
    facilitator)."""
    return email_message(
        to=member.email,
        subject=lazy_format(
            gettext_lazy("Your peer group: %(group_name)s (%(program_name)s)"),
            group_name=group.name,
            program_name=group.program.name,
        ),
        template="formation/email/welcome.txt",
        context={
            "group": group,
            "member": member,
            "peers": [m for m in peers if m != member],
            "link": settings.BASE_URL + group.get_absolute_url(),
        },
        organization=group.organization,
        reply_to=group.reply_to_for(member),
    )
