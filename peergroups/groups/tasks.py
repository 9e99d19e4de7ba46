"""E-mail when an admin places a member in a group after publish, run by `db_worker`."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_tasks import task

from peergroups.accounts.models import NotificationKind, User
from peergroups.formats import lazy_format
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.ops.mail import email_message, in_recipient_language, retry_email
from peergroups.organizations.recipients import may_email


@in_recipient_language(lambda *, group, member: (member, group.organization))
def group_assignment_message(*, group: PeerGroup, member: User) -> EmailMultiAlternatives:
    """Replies go to the group's facilitator."""
    return email_message(
        to=member.email,
        subject=lazy_format(
            gettext_lazy("Your peer group is now %(group_name)s (%(program_name)s)"),
            group_name=group.name,
            program_name=group.program.name,
        ),
        template="groups/email/assignment.txt",
        context={
            "group": group,
            "member": member,
            "link": settings.BASE_URL + group.get_absolute_url(),
        },
        organization=group.organization,
        reply_to=group.reply_to_for(member),
    )


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
    group_assignment_message(group=membership.group, member=membership.user).send()
    # Told about their group: a welcome of the run it was published by would repeat it.
    GroupMembership.objects.filter(pk=membership.pk, welcomed_at__isnull=True).update(
        welcomed_at=timezone.now()
    )
