"""Writes on organizations, roles and invitations.

Accepting an invitation gives a role and, for members, a profile: that lives in
`peergroups.people.invitations`, above this app. Programs are created and edited in
`peergroups.groups.services`: an edit must fit the program's groups.
"""

import hmac
import secrets
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from peergroups.accounts.models import User
from peergroups.audit.services import audit_record
from peergroups.errors import Conflict, Gone, Invalid, NotFound, Refused
from peergroups.languages import language_check
from peergroups.organizations.access import admin_require
from peergroups.organizations.models import (
    ORGANIZATION_NAME_MAX,
    QUALIFICATION_MAX,
    QUALIFICATIONS_MAX,
    RETENTION_MONTHS_MAX,
    RETENTION_MONTHS_MIN,
    FirstRunKey,
    Invitation,
    Organization,
    OrganizationRole,
    Program,
    Role,
    hash_token,
    token_from_salt,
)
from peergroups.textlimits import text_check

INVITABLE_ROLES = (Role.MEMBER, Role.FACILITATOR, Role.ADMIN)


@transaction.atomic
def organization_create(*, name: str, slug: str, admin: User | None = None) -> Organization:
    organization = Organization.objects.create(name=name, slug=slug)
    # The install has its first organization: the first-run page and its key are gone.
    FirstRunKey.objects.all().delete()
    audit_record(
        organization=organization,
        actor=admin,
        action="organization_create",
        target=organization,
        before={},
        after={"slug": slug},
    )
    if admin is not None:
        role_grant(organization=organization, user=admin, role=Role.ADMIN, acting_user=admin)
    return organization


SLUG_MAX = 60


def _organization_name(name: str) -> str:
    return text_check(
        name,
        field="name",
        limit=ORGANIZATION_NAME_MAX,
        blank=gettext("Give the organization a name."),
        fold=True,
    )


def _organization_slug(slug: str, name: str) -> str:
    slug = (slug or "").strip().lower() or slugify(name)[:SLUG_MAX].strip("-")
    try:
        validate_slug(slug)
    except ValidationError:
        raise Invalid(
            gettext(
                "Use lowercase letters, digits and hyphens for the address, e.g. “acme-leaders”."
            ),
            field="slug",
        ) from None
    text_check(slug, field="slug", limit=SLUG_MAX)
    if Organization.objects.filter(slug=slug).exists():
        raise Conflict(
            gettext("The address “%(slug)s” is taken; choose another.") % {"slug": slug},
            errors=[{"field": "slug", "message": gettext("Taken; choose another.")}],
        )
    return slug


@transaction.atomic
def organization_start(
    *,
    name: str,
    slug: str = "",
    admin_email: str,
    admin_name: str = "",
    admin_password: str | None = None,
) -> tuple[Organization, User, bool]:
    """Create an organization and its first admin, the way a new install starts.

    The admin's account is created when the address has none (without a usable password
    unless one is given: the caller hands them a one-time link to set it). Returns the
    organization, the admin and whether the account is new.
    """
    name = _organization_name(name)
    slug = _organization_slug(slug, name)
    email = (admin_email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise Invalid(
            gettext("“%(admin_email)s” is not an e-mail address.") % {"admin_email": admin_email},
            field="admin_email",
        ) from None
    admin = User.objects.filter(email__iexact=email).first()
    created = admin is None
    if created:
        admin = User.objects.create_user(
            email=email, password=admin_password, full_name=" ".join(admin_name.split())
        )
    organization = organization_create(name=name, slug=slug, admin=admin)
    return organization, admin, created


def first_run_key_ensure() -> str | None:
    """The setup key of an install with no organization yet (made on first need); None
    once an organization exists."""
    with transaction.atomic():
        if Organization.objects.exists():
            return None
        row = FirstRunKey.objects.select_for_update().order_by("pk").first()
        if row is None:
            row = FirstRunKey.objects.create(salt=secrets.token_hex(16))
    return _first_run_key(row.salt)


def first_run_key_current() -> str | None:
    """The setup key if there is one, without making one (page GETs never write)."""
    row = FirstRunKey.objects.order_by("pk").first()
    if row is None or Organization.objects.exists():
        return None
    return _first_run_key(row.salt)


def _first_run_key(salt: str) -> str:
    # 24 hex characters (96 bits) from the salt and SECRET_KEY: short enough to paste.
    return token_from_salt("first-run", salt)[:24]


@transaction.atomic
def organization_first_run(
    *, setup_key: str, name: str, slug: str, admin_email: str, admin_name: str, password: str
) -> tuple[Organization, User]:
    """The first-run page's write: only with the install's setup key, only while the
    install has no organization."""
    # The key's row lock serialises two first-run posts: the second finds the key gone
    # with the organization the first created.
    row = FirstRunKey.objects.select_for_update().order_by("pk").first()
    if Organization.objects.exists():
        raise Gone(gettext("This install has an organization already; sign in instead."))
    expected = _first_run_key(row.salt) if row is not None else None
    if expected is None:
        raise Refused(
            gettext(
                "No setup key has been made yet: run “manage.py setup_key” (make run does) "
                "and use the key it prints."
            )
        )
    if not hmac.compare_digest(expected, (setup_key or "").strip()):
        raise Refused(
            gettext(
                "That setup key is not this install's. Copy it from the terminal where "
                "make run (or the server) printed it."
            ),
            errors=[{"field": "setup_key", "message": gettext("Not this install's setup key.")}],
        )
    if not (admin_name or "").strip():
        raise Invalid(gettext("Give your name."), field="admin_name")
    organization, admin, _created = organization_start(
        name=name,
        slug=slug,
        admin_email=admin_email,
        admin_name=admin_name,
        admin_password=password,
    )
    return organization, admin


def _qualifications(values: list[str] | None) -> list[str] | None:
    cleaned: list[str] = []
    for value in values or []:
        value = text_check(
            value, field="facilitator_qualifications", limit=QUALIFICATION_MAX, fold=True
        )
        if value and value not in cleaned:
            cleaned.append(value)
    if len(cleaned) > QUALIFICATIONS_MAX:
        raise Invalid(
            gettext("Ask at most %(qualifications_max)s qualifications.")
            % {"qualifications_max": QUALIFICATIONS_MAX},
            field="facilitator_qualifications",
        )
    return cleaned or None


@transaction.atomic
def organization_settings_update(
    *,
    organization: Organization,
    acting_user: User,
    name: str,
    time_zone: str,
    email_sender_name: str,
    email_reply_to: str,
    facilitator_qualifications: list[str] | None,
    content_retention_months: int | None,
    default_language: str,
) -> Organization:
    """An admin's change of the organization's settings; an empty qualification list
    means the field's three, an empty retention period keeps group texts."""
    if not OrganizationRole.objects.filter(
        organization=organization, user=acting_user, role=Role.ADMIN
    ).exists():
        raise Refused(gettext("Only a program admin changes the organization's settings."))
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if time_zone not in zoneinfo.available_timezones():
        raise Invalid(
            gettext("“%(time_zone)s” is not a time zone.") % {"time_zone": time_zone},
            field="time_zone",
        )
    reply_to = (email_reply_to or "").strip().lower()
    if reply_to:
        try:
            validate_email(reply_to)
        except ValidationError:
            raise Invalid(
                gettext("“%(email_reply_to)s” is not an e-mail address.")
                % {"email_reply_to": email_reply_to},
                field="email_reply_to",
            ) from None
    sender = text_check(
        email_sender_name,
        field="email_sender_name",
        limit=Organization._meta.get_field("email_sender_name").max_length,
        fold=True,
    )
    if content_retention_months is not None and not (
        RETENTION_MONTHS_MIN <= content_retention_months <= RETENTION_MONTHS_MAX
    ):
        raise Invalid(
            gettext(
                "Choose a retention period from %(retention_months_min)s to "
                "%(retention_months_max)s months, or leave it empty to keep group texts."
            )
            % {
                "retention_months_min": RETENTION_MONTHS_MIN,
                "retention_months_max": RETENTION_MONTHS_MAX,
            },
            field="content_retention_months",
        )
    fields = {
        "default_language": language_check(default_language, field="default_language"),
        "name": _organization_name(name),
        "time_zone": time_zone,
        "email_sender_name": sender,
        "email_reply_to": reply_to,
        "facilitator_qualifications": _qualifications(facilitator_qualifications),
        "content_retention_months": content_retention_months,
    }
    before = {key: getattr(organization, key) for key in fields}
    changed = {key: value for key, value in fields.items() if before[key] != value}
    for key, value in changed.items():
        setattr(organization, key, value)
    if changed:
        organization.save(update_fields=list(changed))
        audit_record(
            organization=organization,
            actor=acting_user,
            action="organization_settings",
            target=organization,
            before={key: before[key] for key in changed},
            after=changed,
        )
    return organization


@transaction.atomic
def role_grant(
    *, organization: Organization, user: User, role: str, acting_user: User | None
) -> OrganizationRole:
    if role not in Role.values:
        raise Invalid(gettext("“%(role)s” is not a role.") % {"role": role}, field="role")
    granted, created = OrganizationRole.objects.get_or_create(
        organization=organization, user=user, role=role
    )
    if created:
        audit_record(
            organization=organization,
            actor=acting_user,
            action="role_grant",
            object_type="user",
            object_id=user.pk,
            before={},
            after={"role": role},
        )
    return granted


def admin_keep_one(*, organization: Organization, user_id: int, refusal: str) -> None:
    """Refuse (Conflict, `refusal`) to take away the organization's only admin. Locks the
    admin rows, so two admins removing each other at once cannot both pass; call it
    inside the transaction that removes the role."""
    admins = OrganizationRole.objects.select_for_update().filter(
        organization=organization, role=Role.ADMIN
    )
    if list(admins.values_list("user_id", flat=True)) == [user_id]:
        raise Conflict(refusal)


@transaction.atomic
def role_revoke(
    *, organization: Organization, user: User, role: str, acting_user: User | None
) -> None:
    if role == Role.ADMIN:
        admin_keep_one(
            organization=organization,
            user_id=user.pk,
            refusal=gettext("An organization keeps at least one program admin."),
        )
    deleted, _ = OrganizationRole.objects.filter(
        organization=organization, user=user, role=role
    ).delete()
    if deleted:
        audit_record(
            organization=organization,
            actor=acting_user,
            action="role_revoke",
            object_type="user",
            object_id=user.pk,
            before={"role": role},
            after={},
        )


def _new_link(invitation: Invitation) -> str:
    """Give the invitation a fresh link; only the salt and the link's hash are stored."""
    invitation.token_salt = secrets.token_hex(16)
    token = token_from_salt("invitation", invitation.token_salt)
    invitation.token_hash = hash_token(token)
    invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)
    return token


@transaction.atomic
def invitation_create(
    *,
    organization: Organization,
    email: str,
    role: str = Role.MEMBER,
    acting_user: User | None,
    program: Program | None = None,
    full_name: str = "",
    intake: dict | None = None,
    send: bool = True,
) -> tuple[Invitation, str]:
    """Create an invitation; returns it with the raw token, which only the link carries.

    The e-mail task is queued with the invitation's id and rebuilds the link itself,
    so no task row (nor any other) holds a token that would open it.
    """
    admin_require(
        organization=organization,
        user=acting_user,
        reason=gettext("Only the organization's admins invite people."),
    )
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise Invalid(gettext("Enter a valid e-mail address."), field="email") from None
    if role not in INVITABLE_ROLES:
        raise Invalid(
            gettext("Invite people as a member, a facilitator or a program admin."), field="role"
        )
    if program is not None and program.organization_id != organization.pk:
        raise Invalid(gettext("No such program in this organization."), field="program")
    pending = Invitation.objects.select_for_update().filter(
        organization=organization, email=email, accepted_at__isnull=True
    )
    if any(not invitation.is_expired for invitation in pending):
        raise Conflict(gettext("This person has an open invitation already."))
    invitation = Invitation(
        organization=organization,
        email=email,
        role=role,
        program=program,
        full_name=full_name.strip(),
        intake=intake or {},
        created_by=acting_user,
    )
    token = _new_link(invitation)
    invitation.save()
    audit_record(
        organization=organization,
        actor=acting_user,
        action="invitation_create",
        target=invitation,
        before={},
        after={"email": email, "role": role, "program": program.pk if program else None},
    )
    if send:
        invitation_send_later(invitation=invitation)
    return invitation, token


@transaction.atomic
def invitation_refresh(
    *,
    invitation: Invitation,
    acting_user: User | None,
    full_name: str | None = None,
    intake: dict | None = None,
    program: Program | None = None,
    send: bool = False,
) -> Invitation:
    """Update an open invitation's records (a re-import); an expired one gets a new link."""
    if invitation.is_used:
        raise Conflict(gettext("This invitation has been accepted already."))
    before = {"expires_at": invitation.expires_at}
    if full_name is not None:
        invitation.full_name = full_name.strip()
    if intake is not None:
        invitation.intake = intake
    if program is not None:
        invitation.program = program
    if invitation.is_expired:
        _new_link(invitation)
    invitation.save()
    audit_record(
        organization=invitation.organization_id,
        actor=acting_user,
        action="invitation_refresh",
        target=invitation,
        before=before,
        after={"expires_at": invitation.expires_at},
    )
    if send:
        invitation_send_later(invitation=invitation)
    return invitation


@transaction.atomic
def invitation_program_set(
    *, invitation: Invitation, acting_user: User | None, program: Program | None
) -> Invitation:
    """The program an open member invitation enrols its person in when they accept (None:
    none). As for an enrolled member, one program at a time: another is refused."""
    admin_require(
        organization=invitation.organization,
        user=acting_user,
        reason="Only the organization's admins invite people.",
    )
    if not invitation.is_open:
        raise Conflict(gettext("This invitation is no longer open."))
    if program is not None and program.organization_id != invitation.organization_id:
        raise Invalid(gettext("No such program in this organization."), field="program")
    if invitation.program_id == (program.pk if program else None):
        return invitation
    if program is not None and invitation.program_id is not None:
        raise Conflict(
            gettext(
                "%(email)s is invited to the program “%(program)s”; a person is in one "
                "program at a time. Remove them from it first."
            )
            % {"email": invitation.email, "program": invitation.program.name}
        )
    before = {"program": invitation.program_id}
    invitation.program = program
    invitation.save(update_fields=["program"])
    audit_record(
        organization=invitation.organization,
        actor=acting_user,
        action="invitation_program_set",
        target=invitation,
        before=before,
        after={"program": program.pk if program else None},
    )
    return invitation


def invitation_send_later(*, invitation: Invitation) -> None:
    """Queue the invitation e-mail (by id) for when the transaction commits."""
    from peergroups.organizations.tasks import invitation_send

    invitation_id = invitation.pk
    transaction.on_commit(lambda: invitation_send.enqueue(invitation_id))


def _open_invitation(
    *, organization: Organization, acting_user: User | None, invitation_id: int
) -> Invitation:
    admin_require(
        organization=organization,
        user=acting_user,
        reason=gettext("Only the organization's admins manage invitations."),
    )
    invitation = (
        Invitation.objects.select_for_update()
        .filter(organization=organization, pk=invitation_id)
        .first()
    )
    if invitation is None:
        raise NotFound(gettext("No such invitation."))
    if invitation.is_used:
        raise Conflict(
            gettext("%(invitation_email)s accepted this invitation already.")
            % {"invitation_email": invitation.email}
        )
    return invitation


@transaction.atomic
def invitation_resend(
    *, organization: Organization, acting_user: User, invitation_id: int
) -> Invitation:
    """E-mail an invitation that was not accepted again; an expired one gets a new link."""
    invitation = _open_invitation(
        organization=organization, acting_user=acting_user, invitation_id=invitation_id
    )
    return invitation_refresh(invitation=invitation, acting_user=acting_user, send=True)


@transaction.atomic
def invitation_revoke(
    *, organization: Organization, acting_user: User, invitation_id: int
) -> Invitation:
    """Withdraw an invitation: its link stops working now and no e-mail can rebuild it."""
    invitation = _open_invitation(
        organization=organization, acting_user=acting_user, invitation_id=invitation_id
    )
    before = {"expires_at": invitation.expires_at}
    invitation.expires_at = timezone.now()
    invitation.token_salt = ""  # the task that e-mails links can no longer derive this one
    invitation.save(update_fields=["expires_at", "token_salt"])
    audit_record(
        organization=organization,
        actor=acting_user,
        action="invitation_revoke",
        target=invitation,
        before=before,
        after={"expires_at": invitation.expires_at},
    )
    return invitation
