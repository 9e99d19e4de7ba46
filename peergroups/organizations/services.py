"""Writes on organizations, roles, programs and invitations."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from peergroups.accounts.models import User
from peergroups.organizations.models import (
    AuditEvent,
    Invitation,
    Organization,
    OrganizationRole,
    Program,
    Role,
    hash_token,
)


class InvitationInvalid(Exception):
    """An invitation link that can no longer be used; the message says why."""


def audit(*, organization: Organization, acting_user: User | None, action: str, **detail) -> None:
    AuditEvent.objects.create(
        organization=organization, acting_user=acting_user, action=action, detail=detail
    )


@transaction.atomic
def organization_create(*, name: str, slug: str, admin: User | None = None) -> Organization:
    organization = Organization.objects.create(name=name, slug=slug)
    if admin is not None:
        role_grant(organization=organization, user=admin, role=Role.ADMIN, acting_user=admin)
    return organization


def role_grant(
    *, organization: Organization, user: User, role: str, acting_user: User | None
) -> OrganizationRole:
    granted, created = OrganizationRole.objects.get_or_create(
        organization=organization, user=user, role=role
    )
    if created:
        audit(
            organization=organization,
            acting_user=acting_user,
            action="role_grant",
            user_id=user.pk,
            role=role,
        )
    return granted


def role_revoke(*, organization: Organization, user: User, role: str, acting_user: User) -> None:
    deleted, _ = OrganizationRole.objects.filter(
        organization=organization, user=user, role=role
    ).delete()
    if deleted:
        audit(
            organization=organization,
            acting_user=acting_user,
            action="role_revoke",
            user_id=user.pk,
            role=role,
        )


def program_create(*, organization: Organization, acting_user: User | None, **fields) -> Program:
    program = Program(organization=organization, **fields)
    program.full_clean()
    program.save()
    audit(
        organization=organization,
        acting_user=acting_user,
        action="program_create",
        program_id=program.pk,
    )
    return program


@transaction.atomic
def invitation_create(
    *,
    organization: Organization,
    email: str,
    role: str = Role.MEMBER,
    acting_user: User | None,
    program: Program | None = None,
    send: bool = True,
) -> tuple[Invitation, str]:
    """Create an invitation; returns it with the raw token, which only the link carries."""
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organization=organization,
        email=email.strip().lower(),
        role=role,
        program=program,
        token_hash=hash_token(token),
        created_by=acting_user,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    audit(
        organization=organization,
        acting_user=acting_user,
        action="invitation_create",
        email=invitation.email,
        role=role,
    )
    if send:
        from peergroups.organizations.tasks import invitation_send

        transaction.on_commit(lambda: invitation_send.enqueue(invitation.pk, token))
    return invitation, token


def invitation_by_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("organization", "program")
        .filter(token_hash=hash_token(token))
        .first()
    )


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Invitation:
    """Give the invited role to `user`; a link works once, before it expires.

    The row lock makes "single use" hold even when the link is opened twice at once.
    """
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("organization")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise InvitationInvalid(
            "This invitation link is not valid. Check that you copied all of it."
        )
    if invitation.is_used:
        raise InvitationInvalid("This invitation has already been used. Sign in instead.")
    if invitation.is_expired:
        raise InvitationInvalid(
            "This invitation has expired. Ask your program admin for a new one."
        )
    # Facilitators must apply and be approved before they hold the role.
    role = Role.APPLICANT if invitation.role == Role.FACILITATOR else invitation.role
    role_grant(organization=invitation.organization, user=user, role=role, acting_user=user)
    if invitation.role == Role.MEMBER:
        from peergroups.people.services import member_profile_ensure

        member_profile_ensure(
            organization=invitation.organization, user=user, program=invitation.program
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return invitation


def user_create_from_invitation(
    *, token: str, full_name: str, password: str
) -> tuple[User, Invitation]:
    """Create the account for an invited person and accept the invitation, in one step."""
    invitation = invitation_by_token(token)
    if invitation is None:
        raise InvitationInvalid(
            "This invitation link is not valid. Check that you copied all of it."
        )
    with transaction.atomic():
        user = User.objects.filter(email__iexact=invitation.email).first()
        if user is not None and user.has_usable_password():
            raise InvitationInvalid(
                "An account with this e-mail exists already. Sign in to accept."
            )
        try:
            if user is None:
                user = User.objects.create_user(
                    email=invitation.email, password=password, full_name=full_name
                )
            else:  # created by an import, never signed in
                user.full_name = full_name or user.full_name
                user.set_password(password)
                user.save(update_fields=["full_name", "password"])
        except IntegrityError:
            raise InvitationInvalid("An account with this e-mail exists already.") from None
        invitation = invitation_accept(token=token, user=user)
    return user, invitation
