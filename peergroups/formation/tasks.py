"""Background work of group formation, run by `manage.py db_worker`.

Formation runs take minutes of CPU, so they have their own queue (`FORMATION_QUEUE`,
its own worker in `make run`): e-mail and reminders on the default queue never wait
behind them. The engine is imported inside the task, so importing this module (as
services do to queue work) does not load it.
"""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django_tasks import task

from peergroups.groups.models import PeerGroup

FORMATION_QUEUE = "formation"


@task(queue_name=FORMATION_QUEUE)
def formation_run_task(run_id: int) -> None:
    from peergroups.formation.execute import formation_run_execute

    formation_run_execute(run_id)


@task()
def group_welcome_send(group_id: int) -> None:
    """Tell each member of a newly published group who their peers and facilitator are."""
    group = PeerGroup.objects.select_related("organization", "program", "facilitator").get(
        pk=group_id
    )
    members = [m.user for m in group.memberships.select_related("user")]
    link = settings.BASE_URL + group.get_absolute_url()
    messages = []
    from peergroups.accounts.models import NotificationKind
    from peergroups.accounts.notifications import wants_email

    for member in members:
        if not wants_email(user=member, kind=NotificationKind.GROUP_ASSIGNMENT):
            continue
        body = render_to_string(
            "formation/email/welcome.txt",
            {
                "group": group,
                "member": member,
                "peers": [m for m in members if m != member],
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
