"""Background work of group formation, run by `manage.py db_worker`.

Formation runs take minutes of CPU, so they have their own queue (`FORMATION_QUEUE`,
its own worker in `make run`): e-mail and reminders on the default queue never wait
behind them. The engine is imported inside the task, so importing this module (as
services do to queue work) does not load it.

A task queued by the work of another task sits beside that work, so no module here and
the one it calls import each other: a run's segments (`formation_part_task`) in
`execute`, the publish (`formation_run_publish_task`) in `publish`.
"""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django_tasks import task

from peergroups.formation.parameters import FORMATION_QUEUE
from peergroups.groups.models import PeerGroup
from peergroups.ops.mail import retry_email


@task(queue_name=FORMATION_QUEUE)
def formation_run_task(run_id: int) -> None:
    from peergroups.formation.execute import formation_run_execute

    formation_run_execute(run_id)


@task()
def group_welcome_send(group_id: int) -> None:
    """Tell each member of a newly published group who their peers and facilitator are."""
    groups_welcome_send.call([group_id])


@task()
@retry_email()
def groups_welcome_send(group_ids: list[int]) -> None:
    """The welcome e-mails of a batch of newly published groups: a few queries and one
    connection to the mail server for the whole batch."""
    from peergroups.accounts.models import NotificationKind
    from peergroups.groups.models import GroupMembership
    from peergroups.organizations.recipients import recipients

    groups = PeerGroup.objects.select_related("organization", "program", "facilitator").filter(
        pk__in=group_ids
    )
    members: dict[int, list] = {group_id: [] for group_id in group_ids}
    for membership in GroupMembership.objects.filter(group_id__in=group_ids).select_related("user"):
        members[membership.group_id].append(membership.user)
    groups = list(groups.order_by("pk"))
    # The one recipients decision, per organization (a batch is one run's: one call).
    told = set()
    for organization_id in {group.organization_id for group in groups}:
        told |= {
            user.pk
            for user in recipients(
                organization_id=organization_id,
                users=[u for g in groups if g.organization_id == organization_id
                       for u in members[g.pk]],
                kind=NotificationKind.GROUP_ASSIGNMENT,
            )
        }  # fmt: skip
    messages = []
    for group in groups:
        link = settings.BASE_URL + group.get_absolute_url()
        for member in members[group.pk]:
            if member.pk not in told:
                continue
            body = render_to_string(
                "formation/email/welcome.txt",
                {
                    "group": group,
                    "member": member,
                    "peers": [m for m in members[group.pk] if m != member],
                    "link": link,
                },
            )
            messages.append(
                (
                    f"Your peer group: {group.name} ({group.program.name})",
                    body,
                    settings.DEFAULT_FROM_EMAIL,
                    [member.email],
                )
            )
    send_mass_mail(messages, fail_silently=False)
