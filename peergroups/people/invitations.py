"""Accepting an invitation: the only way an account joins an organization.

An organization keeps its own records of a person it invites (the name it uses, intake
values from an import) on the invitation. They reach the person's account only when
that person accepts, and never change the account itself.
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from peergroups.accounts.models import User
from peergroups.audit.services import audit_record
from peergroups.errors import Conflict, Gone, Refused
from peergroups.organizations.models import Invitation, OrganizationRole, Role, hash_token
from peergroups.organizations.services import role_grant
from peergroups.people.models import MemberProfile, NotWith
from peergroups.people.services import categories_apply, member_profile_ensure

LINK_INVALID = gettext_lazy("This invitation link is not valid. Check that you copied all of it.")
LINK_USED = gettext_lazy("This invitation has already been used. Sign in instead.")
LINK_EXPIRED = gettext_lazy("This invitation has expired. Ask your program admin for a new one.")


def invitation_for_token(*, token: str, user: AbstractBaseUser | None = None) -> Invitation:
    """The open invitation a link opens, for this viewer; raises Gone or Refused saying why.

    Someone signed in under another address may not use it: invitations name a person.
    """
    invitation = (
        Invitation.objects.select_related("organization", "program")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise Gone(LINK_INVALID)
    if invitation.is_used:
        raise Gone(LINK_USED)
    if invitation.is_expired:
        raise Gone(LINK_EXPIRED)
    if user is not None and user.is_authenticated and user.email.lower() != invitation.email:
        raise Refused(
            gettext(
                "This invitation is for %(invitation_email)s, but you are signed in as "
                "%(user_email)s. Sign out and open the link again."
            )
            % {"invitation_email": invitation.email, "user_email": user.email}
        )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Invitation:
    """Give the invited role to `user`; a link works once, before it expires.

    The row lock makes "single use" hold even when the link is opened twice at once.
    """
    invitation_for_token(token=token, user=user)  # the reasons, before taking the lock
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("organization", "program")
        .get(token_hash=hash_token(token))
    )
    if invitation.is_used:  # someone else won the race
        raise Gone(LINK_USED)
    organization = invitation.organization
    # Facilitators apply and are approved before they hold the role.
    role = Role.APPLICANT if invitation.role == Role.FACILITATOR else invitation.role
    role_grant(organization=organization, user=user, role=role, acting_user=user)
    if invitation.role == Role.MEMBER:
        profile = member_profile_ensure(
            organization=organization, user=user, program=invitation.program
        )
        _apply_intake(invitation=invitation, profile=profile)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        organization=organization,
        actor=user,
        action="invitation_accept",
        target=invitation,
        before={"accepted": False},
        after={"accepted": True, "role": role, "user": user.pk},
    )
    return invitation


@transaction.atomic
def user_create_from_invitation(
    *, token: str, full_name: str, password: str
) -> tuple[User, Invitation]:
    """Create the account for an invited person and accept the invitation, in one step.

    The password was checked by the form (Django's validators need the form's context).
    """
    invitation = invitation_for_token(token=token)
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is not None and (user.has_usable_password() or user.last_login is not None):
        raise Conflict(gettext("An account with this e-mail exists already. Sign in to accept."))
    try:
        with transaction.atomic():
            if user is None:
                user = User.objects.create_user(
                    email=invitation.email, password=password, full_name=full_name
                )
            else:  # made by an import before imports stopped making accounts; never used
                user.full_name = full_name
                user.set_password(password)
                user.save(update_fields=["full_name", "password"])
    except IntegrityError:
        raise Conflict(
            gettext("An account with this e-mail exists already. Sign in to accept.")
        ) from None
    return user, invitation_accept(token=token, user=user)


def _apply_intake(*, invitation: Invitation, profile: MemberProfile) -> None:
    """Copy what an import recorded onto the new member's profile and resolve references.

    References name people by e-mail. Those already in the organization are linked now;
    for those still invited, the reference waits on their invitation until they accept.
    """
    intake = invitation.intake or {}
    if not intake:
        return
    organization = invitation.organization
    user = profile.user
    for name, value in (intake.get("values") or {}).items():
        setattr(profile, name, value)
    categories_apply(profile=profile)  # the lists may have changed since the import
    if profile.completed_at is None and intake.get("complete"):
        profile.completed_at = timezone.now()
    profile.save()

    emails = (
        {intake.get("reports_to") or ""}
        | set(intake.get("not_with") or [])
        | set(intake.get("direct_reports") or [])
        | set(intake.get("not_with_by") or [])
    ) - {""}
    in_organization = {
        granted.user.email.lower(): granted.user
        for granted in OrganizationRole.objects.filter(
            organization=organization, user__email__in=emails
        ).select_related("user")
    }
    manager_email = intake.get("reports_to") or ""
    if manager_email in in_organization and in_organization[manager_email] != user:
        profile.reports_to = in_organization[manager_email]
        profile.save(update_fields=["reports_to"])
    elif manager_email:
        _wait_on_invitation(organization, manager_email, "direct_reports", invitation.email)
    for email in intake.get("not_with") or []:
        if email in in_organization:
            NotWith.objects.get_or_create(
                organization=organization, user=user, other=in_organization[email]
            )
        else:
            _wait_on_invitation(organization, email, "not_with_by", invitation.email)
    for email in intake.get("direct_reports") or []:
        if email in in_organization:
            MemberProfile.objects.filter(
                organization=organization, user=in_organization[email]
            ).update(reports_to=user)
    for email in intake.get("not_with_by") or []:
        if email in in_organization:
            NotWith.objects.get_or_create(
                organization=organization, user=in_organization[email], other=user
            )


def _wait_on_invitation(organization, email: str, key: str, value: str) -> None:
    """Leave a reference on the open invitation of `email`, to be linked when they accept."""
    waiting = (
        Invitation.objects.select_for_update()
        .filter(organization=organization, email=email, accepted_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if waiting is None:
        return
    intake = dict(waiting.intake or {})
    intake[key] = sorted({*(intake.get(key) or []), value})
    waiting.intake = intake
    waiting.save(update_fields=["intake"])
