"""E-mail when an admin places a member in a group after publish, run by `db_worker`."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django_tasks import task

from peergroups.accounts.models import NotificationKind, User
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.ops.mail import retry_email
from peergroups.organizations.recipients import may_email


def group_assignment_message(*, group: PeerGroup, member: User) -> tuple[str, str]:
    body = render_to_string(
        "groups/email/assignment.txt",
        {"group": group, "member": member, "link": settings.BASE_URL + group.get_absolute_url()},
    )
    return f"Your peer group is now {group.name} ({group.program.name})", body


@task()
@retry_email()
def group_assignment_send(group_id: int, user_id: int) -> None:
    """Only if they are still in that group when the task runs, and want the e-mail."""
    membership = (
        GroupMembership.objects.select_related(
            "user", "group__program", "group__organization", "group__facilitator"
        )
        .filter(group_id=group_id, user_id=user_id)
        .first()
    )
    if membership is None or not may_email(
        user=membership.user,
        organization_id=membership.group.organization_id,
        kind=NotificationKind.GROUP_ASSIGNMENT,
    ):
        return
    subject, body = group_assignment_message(group=membership.group, member=membership.user)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [membership.user.email])
