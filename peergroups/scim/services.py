"""Writes for SCIM provisioning: an organization's tokens, and the people and programs its
identity provider manages.

A token acts as the admin who created it, and only while they are one: every write
below takes that admin's `OrgAccess` and goes through the same services as the pages
(`role_grant` or `invitation_create` when a person arrives, `person_deactivate` and
`invitation_revoke` when they end, `program_enrol`/`program_leave` or
`invitation_program_set` for a program's members, `program_create`/`program_update` for
its name), so provisioning keeps every rule the pages keep and writes the same audit rows.
"""

import logging
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from peergroups.accounts.models import User
from peergroups.audit.services import audit_record
from peergroups.dashboards.persons import person_deactivate
from peergroups.errors import Conflict, Invalid, NotFound
from peergroups.groups.services import program_create, program_enrol, program_leave, program_update
from peergroups.organizations.access import OrgAccess
from peergroups.organizations.models import (
    Invitation,
    Organization,
    OrganizationRole,
    Program,
    Role,
    hash_token,
)
from peergroups.organizations.recipients import active_in, person_active
from peergroups.organizations.services import (
    invitation_create,
    invitation_program_set,
    invitation_revoke,
    role_grant,
)
from peergroups.people.models import MemberProfile
from peergroups.people.selectors import person_for_admin
from peergroups.people.services import member_profile_ensure
from peergroups.scim.models import SCIM_TEXT_MAX, ScimGroup, ScimToken, ScimUser
from peergroups.textlimits import text_check

logger = logging.getLogger(__name__)

KEY_PREFIX = "pgscim_"  # recognisable to secret scanners, and told apart from API keys
PREFIX_LENGTH = len(KEY_PREFIX) + 8
NAME_MAX_LENGTH = ScimToken._meta.get_field("name").max_length
# As for API tokens: "last used" helps an admin tidy tokens; a write a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)
FULL_NAME_MAX = User._meta.get_field("full_name").max_length


class Taken(Conflict):
    """A value the provider must keep unique is someone else's (SCIM's 409 `uniqueness`)."""


# Tokens.


@transaction.atomic
def scim_token_create(*, access: OrgAccess, acting_user: User, name: str) -> tuple[ScimToken, str]:
    """Create a provisioning token for the organization (admins); returns it with the raw
    token, which is never stored."""
    access.require(Role.ADMIN)
    name = text_check(name, field="name", limit=NAME_MAX_LENGTH, blank=_("Name the token."))
    raw_key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ScimToken.objects.create(
        organization=access.organization,
        name=name,
        prefix=raw_key[:PREFIX_LENGTH],
        key_hash=hash_token(raw_key),
        created_by=acting_user,
    )
    audit_record(
        organization=access.organization,
        actor=acting_user,
        action="scim_token_issue",
        target=token,
        before={},
        after={"prefix": token.prefix},
    )
    logger.info("scim token %s created by user %s", token.pk, acting_user.pk)
    return token, raw_key


@transaction.atomic
def scim_token_revoke(*, access: OrgAccess, acting_user: User, token_id: int) -> ScimToken:
    """Revoke a token at once (admins); revoking it again changes nothing."""
    access.require(Role.ADMIN)
    token = (
        ScimToken.objects.select_for_update()
        .filter(organization=access.organization, pk=token_id)
        .first()
    )
    if token is None:
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            organization=access.organization,
            actor=acting_user,
            action="scim_token_revoke",
            target=token,
            before={"revoked": False},
            after={"revoked": True},
        )
        logger.info("scim token %s revoked by user %s", token.pk, acting_user.pk)
    return token


def scim_token_authenticate(*, raw_key: str) -> ScimToken | None:
    """The live token for a raw key, or None: unknown, revoked, or its creator is no
    longer an active admin of the organization (a person's end ends what they made work).
    Records the use at most once per LAST_USED_RESOLUTION."""
    if not raw_key.startswith(KEY_PREFIX):
        return None
    token = (
        ScimToken.objects.select_related("organization", "created_by")
        .filter(key_hash=hash_token(raw_key), revoked_at__isnull=True, created_by__is_active=True)
        .first()
    )
    if token is None:
        return None
    if not OrganizationRole.objects.filter(
        organization=token.organization_id, user=token.created_by_id, role=Role.ADMIN
    ).exists():
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ScimToken.objects.filter(pk=token.pk).exclude(
            last_used_at__gt=now - LAST_USED_RESOLUTION
        ).update(last_used_at=now)
        token.last_used_at = now
    return token


# People.


def _text(value, *, field: str, blank: str = "") -> str:
    return text_check(value or "", field=field, limit=SCIM_TEXT_MAX, blank=blank)


def person_email(*, attributes: dict, user_name: str) -> str:
    """The address the provider gives a person: the primary e-mail, else the first, else a
    userName that is an address (Okta's login, Entra's UPN are usually one)."""
    emails = [e for e in attributes.get("emails") or [] if e.get("value")]
    emails.sort(key=lambda e: not e.get("primary"))
    candidates = [e["value"] for e in emails] + [user_name]
    for candidate in candidates:
        try:
            validate_email(candidate)
        except ValidationError:
            continue
        return candidate.strip().lower()
    raise Invalid(
        _("A person needs an e-mail address: send one in emails, or an address as userName."),
        field="emails",
    )


def person_full_name(*, attributes: dict, email: str) -> str:
    name = attributes.get("name") or {}
    full = (name.get("formatted") or "").strip() or " ".join(
        part for part in (name.get("givenName"), name.get("familyName")) if part
    )
    full = full.strip() or (attributes.get("displayName") or "").strip() or email.split("@")[0]
    return full[:FULL_NAME_MAX]


def _user_name_free(organization: Organization, user_name: str, record_id: int | None) -> None:
    clash = ScimUser.objects.filter(organization=organization, user_name__iexact=user_name)
    if clash.exclude(pk=record_id).exists():
        raise Taken(_("Another person of this organization has the userName “%s”.") % user_name)


def open_invitations(*, organization: Organization, emails) -> dict[str, Invitation]:
    """The open member invitations of these addresses here, by address (one query)."""
    rows = Invitation.objects.filter(
        organization=organization,
        email__in=set(emails),
        role=Role.MEMBER,
        accepted_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("program", "organization")
    return {invitation.email: invitation for invitation in rows.order_by("created_at")}


def scim_active(*, organization: Organization, records: list[ScimUser]) -> set[int]:
    """The user ids of `records` the provider sees as active: holding a role here, or
    invited here and not yet accepted (an account that existed joins by accepting, and
    the provider must not tell it from a new one). Two queries for any number."""
    active = active_in(organization_id=organization.pk, user_ids=[r.user_id for r in records])
    invited = open_invitations(organization=organization, emails=[r.user.email for r in records])
    return active | {r.user_id for r in records if r.user.email in invited}


def _arrive(*, access: OrgAccess, acting_user: User, record: ScimUser) -> None:
    """A person the provider says is active takes part. An account this provisioning made,
    and no other organization shares, takes the member role and a profile at once; any
    other account is invited (e-mailed) and joins when its owner accepts, as with every
    invitation: provisioning never adds someone's existing account to an organization."""
    organization, user = access.organization, record.user
    if OrganizationRole.objects.filter(organization=organization, user=user).exists():
        return
    elsewhere = OrganizationRole.objects.filter(user=user).exists()
    if record.owns_account and not elsewhere:
        role_grant(organization=organization, user=user, role=Role.MEMBER, acting_user=acting_user)
        member_profile_ensure(organization=organization, user=user)
        return
    if user.email not in open_invitations(organization=organization, emails=[user.email]):
        invitation_create(
            organization=organization,
            email=user.email,
            role=Role.MEMBER,
            acting_user=acting_user,
            full_name=person_full_name(attributes=record.attributes, email=user.email),
        )


def _end(*, access: OrgAccess, acting_user: User, record: ScimUser) -> None:
    """The provider ends a person: `person_deactivate` if they take part, and an open
    invitation is withdrawn."""
    organization, user = access.organization, record.user
    if person_active(organization_id=organization.pk, user_id=user.pk):
        person_deactivate(access=access, acting_user=acting_user, user_id=user.pk)
    invitation = open_invitations(organization=organization, emails=[user.email]).get(user.email)
    if invitation is not None:
        invitation_revoke(
            organization=organization, acting_user=acting_user, invitation_id=invitation.pk
        )


@transaction.atomic
def scim_user_create(
    *,
    access: OrgAccess,
    acting_user: User,
    user_name: str,
    external_id: str,
    attributes: dict,
    active: bool,
) -> ScimUser:
    """Provision a person: the provider's record and, when active, their arrival
    (`_arrive`). An address with no account gets one (a password nobody knows: they
    choose theirs with "Forgot your password?", or use SSO) and the member role; an
    existing account is invited and joins when its owner accepts. Nothing of an
    existing account changes (its name, its address, its other organizations), and the
    answer is the same either way.
    """
    access.require(Role.ADMIN)
    organization = access.organization
    user_name = _text(user_name, field="userName", blank=_("A person needs a userName."))
    external_id = _text(external_id, field="externalId")
    email = person_email(attributes=attributes, user_name=user_name)
    _user_name_free(organization, user_name, None)
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and ScimUser.objects.filter(organization=organization, user=user).exists():
        raise Taken(_("Another person of this organization has the e-mail address %s.") % email)
    owns_account = user is None
    if user is None:
        try:
            with transaction.atomic():
                # A random password nobody knows, rather than none: Django's reset form
                # sends no link to an account without a usable password, and "Forgot
                # your password?" is how a provisioned person chooses theirs.
                user = User.objects.create_user(
                    email=email,
                    full_name=person_full_name(attributes=attributes, email=email),
                    password=secrets.token_urlsafe(32),
                )
        except IntegrityError:  # made a moment ago by a parallel request: it exists now
            user, owns_account = User.objects.get(email__iexact=email), False
    try:
        with transaction.atomic():
            record = ScimUser.objects.create(
                organization=organization,
                user=user,
                user_name=user_name,
                external_id=external_id,
                attributes=attributes,
                owns_account=owns_account,
            )
    except IntegrityError:
        raise Taken(_("Another person of this organization has this userName.")) from None
    if owns_account:
        # The organization's record of them, active or not (a program may list them).
        member_profile_ensure(organization=organization, user=user)
    if active:
        _arrive(access=access, acting_user=acting_user, record=record)
    audit_record(
        organization=organization,
        actor=acting_user,
        action="scim_user_create",
        object_type="user",
        object_id=user.pk,
        before={},
        after={"scim_id": str(record.scim_id), "active": active},
    )
    return record


@transaction.atomic
def scim_user_update(
    *,
    access: OrgAccess,
    acting_user: User,
    record: ScimUser,
    user_name: str,
    external_id: str,
    attributes: dict,
    active: bool,
) -> ScimUser:
    """Replace what the provider says about a person (PUT, and PATCH once applied).

    `active` false ends them (`_end`: `person_deactivate`, the one deactivation, and an
    open invitation withdrawn); true for someone who ended brings them back as
    provisioning brought them first (`_arrive`: the member role for an account it made,
    an invitation for any other; no seat: placing them is the admins' call).
    The account's name follows the provider's only while the account belongs to this
    organization alone; its sign-in address never does.
    """
    access.require(Role.ADMIN)
    organization = access.organization
    record = ScimUser.objects.select_for_update().select_related("user").get(pk=record.pk)
    user = record.user
    user_name = _text(user_name, field="userName", blank=_("A person needs a userName."))
    external_id = _text(external_id, field="externalId")
    person_email(attributes=attributes, user_name=user_name)  # still has an address
    _user_name_free(organization, user_name, record.pk)
    was_active = user.pk in scim_active(organization=organization, records=[record])
    changed = sorted(
        key
        for key, old, new in (
            ("userName", record.user_name, user_name),
            ("externalId", record.external_id, external_id),
            ("attributes", record.attributes, attributes),
        )
        if old != new
    )
    if active and not was_active:
        _arrive(access=access, acting_user=acting_user, record=record)
    elif was_active and not active:
        _end(access=access, acting_user=acting_user, record=record)
    full_name = person_full_name(attributes=attributes, email=user.email)
    alone_here = not OrganizationRole.objects.filter(
        ~Q(organization=organization), user=user
    ).exists()
    if full_name != user.full_name and alone_here:
        user.full_name = full_name
        user.save(update_fields=["full_name"])
    if changed or active != was_active:
        record.user_name, record.external_id, record.attributes = user_name, external_id, attributes
        record.version += 1  # meta.version: the resource changed (active included)
        record.updated_at = timezone.now()
        record.save(
            update_fields=["user_name", "external_id", "attributes", "version", "updated_at"]
        )
        audit_record(
            organization=organization,
            actor=acting_user,
            action="scim_user_update",
            object_type="user",
            object_id=user.pk,
            before={"active": was_active, "changed": changed},
            after={"active": active, "changed": changed},
        )
    return record


@transaction.atomic
def scim_user_delete(*, access: OrgAccess, acting_user: User, record: ScimUser) -> None:
    """The provider deletes a person: they end (`person_deactivate`) and its record goes.
    The account and what they wrote stay, as for any deactivation."""
    access.require(Role.ADMIN)
    organization = access.organization
    was_active = record.user_id in scim_active(organization=organization, records=[record])
    if was_active:
        _end(access=access, acting_user=acting_user, record=record)
    ScimUser.objects.filter(pk=record.pk).delete()
    audit_record(
        organization=organization,
        actor=acting_user,
        action="scim_user_delete",
        object_type="user",
        object_id=record.user_id,
        before={"scim_id": str(record.scim_id), "active": was_active},
        after={},
    )


# Programs (SCIM Groups).


def scim_program_members(
    *, organization: Organization, program_ids: list[int]
) -> dict[int, list[ScimUser]]:
    """The provisioned people of each program: enrolled, or invited to it and not yet
    joined (their invitation enrols them when they accept). Three queries."""
    enrolled = MemberProfile.objects.filter(
        organization=organization,
        program_id__in=program_ids,
        user__scim_records__organization=organization,
    ).values_list("program_id", "user_id")
    invited = Invitation.objects.filter(
        organization=organization,
        program_id__in=program_ids,
        role=Role.MEMBER,
        accepted_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).values_list("program_id", "email")
    by_user = {user_id: program_id for program_id, user_id in enrolled}
    by_email = {email: program_id for program_id, email in invited}
    records = ScimUser.objects.filter(organization=organization).filter(
        Q(user_id__in=by_user) | Q(user__email__in=by_email)
    )
    members: dict[int, list[ScimUser]] = {program_id: [] for program_id in program_ids}
    for record in records.select_related("user").order_by("pk"):
        program_id = by_user.get(record.user_id) or by_email.get(record.user.email)
        members[program_id].append(record)
    return members


def _members_set(
    *, access: OrgAccess, acting_user: User, program: Program, records: list[ScimUser]
) -> None:
    """Make the provisioned members of `program` be `records`: the others leave it, the
    new ones are enrolled (`program_enrol`; one still invited, on their invitation).
    People enrolled by an invitation or an import of the admins are not the provider's,
    and stay."""
    organization = access.organization
    wanted = {record.user_id: record for record in records}
    current = {
        record.user_id: record
        for record in scim_program_members(organization=organization, program_ids=[program.pk])[
            program.pk
        ]
    }
    emails = [r.user.email for r in [*current.values(), *wanted.values()]]
    invited = open_invitations(organization=organization, emails=emails)
    for user_id in sorted(current.keys() - wanted.keys()):
        user = current[user_id].user
        invitation = invited.get(user.email)
        if invitation is not None and invitation.program_id == program.pk:
            invitation_program_set(invitation=invitation, acting_user=acting_user, program=None)
        else:
            program_leave(access=access, acting_user=acting_user, program=program, user=user)
    for user_id in sorted(wanted.keys() - current.keys()):
        user = wanted[user_id].user
        invitation = invited.get(user.email)
        try:
            person_for_admin(access=access, user_id=user_id)
        except NotFound:
            if invitation is None:
                raise Invalid(
                    _("%s has not joined this organization: make them active first.")
                    % wanted[user_id].user_name
                ) from None
            invitation_program_set(invitation=invitation, acting_user=acting_user, program=program)
        else:
            program_enrol(access=access, acting_user=acting_user, program=program, user=user)


@transaction.atomic
def scim_group_create(
    *,
    access: OrgAccess,
    acting_user: User,
    display_name: str,
    external_id: str,
    members: list[ScimUser],
) -> ScimGroup:
    """The provider manages a program from now on: the program of that name (made with the
    defaults when there is none; its admins set the rest), with `members` enrolled."""
    access.require(Role.ADMIN)
    organization = access.organization
    external_id = _text(external_id, field="externalId")
    name = text_check(
        display_name or "",
        field="displayName",
        limit=Program._meta.get_field("name").max_length,
        blank=_("A group needs a displayName."),
    )
    program = Program.objects.filter(organization=organization, name__iexact=name).first()
    if program is not None and ScimGroup.objects.filter(program=program).exists():
        raise Taken(_("The program “%s” is provisioned already.") % program.name)
    if program is None:
        program = program_create(organization=organization, acting_user=acting_user, name=name)
    group = ScimGroup.objects.create(
        organization=organization, program=program, external_id=external_id
    )
    _members_set(access=access, acting_user=acting_user, program=program, records=members)
    audit_record(
        organization=organization,
        actor=acting_user,
        action="scim_group_create",
        target=program,
        before={},
        after={"members": len(members)},
    )
    return group


@transaction.atomic
def scim_group_update(
    *,
    access: OrgAccess,
    acting_user: User,
    group: ScimGroup,
    display_name: str,
    external_id: str,
    members: list[ScimUser],
) -> ScimGroup:
    """Replace a provisioned program's name and provisioned members (PUT, and PATCH once
    applied); a rename goes through `program_update` and keeps its rules."""
    access.require(Role.ADMIN)
    group = ScimGroup.objects.select_for_update().select_related("program").get(pk=group.pk)
    program = group.program
    external_id = _text(external_id, field="externalId")
    if (display_name or "") != program.name:
        program = program_update(
            access=access,
            acting_user=acting_user,
            program_id=program.pk,
            name=display_name or "",
            description=program.description,
            min_group_size=program.min_group_size,
            max_group_size=program.max_group_size,
            open_seats=program.open_seats,
            meeting_cadence=program.meeting_cadence,
            grouping_basis=program.grouping_basis,
        )
    _members_set(access=access, acting_user=acting_user, program=program, records=members)
    before = {"external_id": group.external_id, "version": group.version}
    group.external_id = external_id
    group.version += 1
    group.updated_at = timezone.now()
    group.save(update_fields=["external_id", "version", "updated_at"])
    audit_record(
        organization=access.organization,
        actor=acting_user,
        action="scim_group_update",
        target=program,
        before=before,
        after={"external_id": external_id, "version": group.version, "members": len(members)},
    )
    return group


@transaction.atomic
def scim_group_delete(*, access: OrgAccess, acting_user: User, group: ScimGroup) -> None:
    """The provider stops managing a program: its provisioned members leave it, and the
    program itself stays, with its groups and their history (provisioning never deletes
    a program)."""
    access.require(Role.ADMIN)
    program = group.program
    _members_set(access=access, acting_user=acting_user, program=program, records=[])
    ScimGroup.objects.filter(pk=group.pk).delete()
    audit_record(
        organization=access.organization,
        actor=acting_user,
        action="scim_group_delete",
        target=program,
        before={"provisioned": True},
        after={"provisioned": False},
    )
