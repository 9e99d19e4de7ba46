"""Single sign-on: an organization's provider settings, and who a provider lets in.

`sign_on_settings_update` is the admins' one write (page and API), audited with the
secret named but never written. `sign_on_admit` is the one rule deciding what a verified
identity from an organization's provider may open; the pages only run the protocol
(`sso.oidc`) and call it.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peergroups.accounts.models import User
from peergroups.audit.services import audit_record
from peergroups.errors import Conflict, Invalid, NotFound, Refused
from peergroups.organizations.access import admin_require
from peergroups.organizations.models import (
    Invitation,
    Organization,
    OrganizationRole,
    Role,
    token_from_salt,
)
from peergroups.organizations.recipients import person_active
from peergroups.organizations.services import invitation_create
from peergroups.people.invitations import invitation_accept
from peergroups.sso.models import (
    CLIENT_ID_MAX,
    CLIENT_SECRET_MAX,
    DOMAIN_MAX,
    DOMAINS_MAX,
    ISSUER_MAX,
    SignOnSettings,
)
from peergroups.sso.oidc import Identity, Provider, issuer_check
from peergroups.sso.sealing import secret_open, secret_seal
from peergroups.textlimits import text_check, text_too_long

# A host name: labels of letters, digits and hyphens, at least one dot.
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")

# How each admitted sign-in came in, for the audit log and the page's welcome.
MEMBER, INVITED, JOINED = "member", "invitation", "joined"


def sign_on_redirect_uri(*, organization: Organization) -> str:
    """The one callback address of an organization, to register at its provider."""
    return settings.BASE_URL + reverse("sso-callback", kwargs={"org_slug": organization.slug})


def sign_on_settings_of(*, organization: Organization) -> SignOnSettings:
    """The organization's settings (unsaved and off when it has none yet)."""
    found = SignOnSettings.objects.filter(organization=organization).first()
    return found or SignOnSettings(organization=organization)


def sign_on_enabled(*, org_slug: str) -> SignOnSettings:
    """The enabled settings of the organization `org_slug`, else NotFound: an organization
    without single sign-on shows nothing at its sign-on addresses."""
    found = (
        SignOnSettings.objects.select_related("organization")
        .filter(organization__slug=org_slug, enabled=True)
        .first()
    )
    if found is None:
        raise NotFound(_("This organization does not sign in with a company account here."))
    return found


def sign_on_organizations_for_email(*, email: str) -> list[Organization]:
    """Organizations with sign-on on that admit the e-mail's domain (the sign-in page's
    "work e-mail" question). Only domains are matched, never accounts or invitations, so
    the answer tells a stranger nothing about who belongs where."""
    domain = email.strip().lower().rpartition("@")[2]
    if not domain:
        return []
    return [
        found.organization
        for found in SignOnSettings.objects.select_related("organization").filter(enabled=True)
        if domain in (found.allowed_domains or [])
    ]


def sign_on_provider(*, sign_on: SignOnSettings) -> Provider:
    secret = secret_open(sign_on.client_secret_sealed) if sign_on.client_secret_sealed else ""
    if secret is None:
        raise Refused(
            _(
                "Single sign-on needs its client secret entered again (the server's key "
                "changed). Ask your program admin, or sign in with your password."
            )
        )
    return Provider(
        issuer=sign_on.issuer,
        client_id=sign_on.client_id,
        client_secret=secret,
        redirect_uri=sign_on_redirect_uri(organization=sign_on.organization),
    )


def _domains(values: list[str] | None) -> list[str]:
    cleaned: list[str] = []
    for value in values or []:
        domain = text_check(value, field="allowed_domains", limit=DOMAIN_MAX).lower()
        domain = domain.removeprefix("@")
        if not domain:
            continue
        if not _DOMAIN.match(domain):
            raise Invalid(
                _("“%(domain)s” is not an e-mail domain (like example.com).") % {"domain": domain},
                field="allowed_domains",
            )
        if domain not in cleaned:
            cleaned.append(domain)
    if len(cleaned) > DOMAINS_MAX:
        raise Invalid(
            _("Allow at most %(count)d domains.") % {"count": DOMAINS_MAX},
            field="allowed_domains",
        )
    return cleaned


@transaction.atomic
def sign_on_settings_update(
    *,
    organization: Organization,
    acting_user: User,
    enabled: bool,
    issuer: str,
    client_id: str,
    client_secret: str | None,
    allowed_domains: list[str] | None,
) -> SignOnSettings:
    """An admin's change of the organization's sign-on. `client_secret`: None or empty
    keeps the stored one. Turning sign-on on needs an issuer, a client id and a secret."""
    admin_require(
        organization=organization,
        user=acting_user,
        reason=_("Only a program admin changes the organization's sign-on."),
    )
    current = SignOnSettings.objects.select_for_update().filter(organization=organization).first()
    current = current or SignOnSettings(organization=organization)
    issuer = text_check(issuer, field="issuer", limit=ISSUER_MAX)
    if issuer or enabled:
        issuer = issuer_check(issuer)
    client_id = text_check(
        client_id,
        field="client_id",
        limit=CLIENT_ID_MAX,
        blank=_("Enter the client id your identity provider gave.") if enabled else "",
    )
    secret = (client_secret or "").strip()
    if len(secret) > CLIENT_SECRET_MAX:
        raise Invalid(text_too_long(CLIENT_SECRET_MAX), field="client_secret")
    if enabled and not secret and not current.client_secret_sealed:
        raise Invalid(
            _("Enter the client secret your identity provider gave."), field="client_secret"
        )
    fields = {
        "enabled": bool(enabled),
        "issuer": issuer,
        "client_id": client_id,
        "allowed_domains": _domains(allowed_domains),
    }
    before = {key: getattr(current, key) for key in fields}
    changed = {key: value for key, value in fields.items() if before[key] != value}
    if secret:
        # Named in the log, never written there; a secret entered again counts as changed.
        before["client_secret"] = "set" if current.client_secret_sealed else "none"
        changed["client_secret"] = "changed"
        current.client_secret_sealed = secret_seal(secret)
    if not changed:
        return current
    for key in fields:
        setattr(current, key, fields[key])
    current.updated_at = timezone.now()
    current.save()
    audit_record(
        organization=organization,
        actor=acting_user,
        action="sign_on_settings",
        target=current,
        before={key: before[key] for key in changed},
        after=changed,
    )
    return current


def _open_invitation(*, organization: Organization, email: str) -> Invitation | None:
    found = (
        Invitation.objects.filter(organization=organization, email=email, accepted_at__isnull=True)
        .exclude(token_salt="")
        .order_by("-created_at")
    )
    return next((invitation for invitation in found if invitation.is_open), None)


def _accept(*, invitation: Invitation, user: User) -> None:
    """Accept through the one path every invitation takes (`invitation_accept`); the link
    is rebuilt from its salt, as the e-mail task does, since the provider vouched for the
    address the invitation was sent to."""
    invitation_accept(token=token_from_salt("invitation", invitation.token_salt), user=user)


def _new_account(*, identity: Identity, name: str) -> User:
    # No password: this person signs in through their company account.
    full_name = " ".join(name.split())[: User._meta.get_field("full_name").max_length]
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email=identity.email,
                password=None,
                full_name=full_name or identity.email.split("@")[0],
            )
    except IntegrityError:  # the same person's other tab made it a moment ago
        raise Conflict(
            _("Your account is being set up by another sign-in right now. Try again.")
        ) from None


def _not_here(*, email: str, organization: Organization) -> Refused:
    # One sentence for every refusal after the e-mail is verified: which one applied
    # (no account, another organization's, a deactivated one) is not for the provider's
    # side to learn, since that side is run by the organization's own admins.
    return Refused(
        _(
            "%(email)s cannot sign in to %(organization)s with a company account. If you "
            "have a password here, sign in with it; otherwise ask your program admin for "
            "an invitation."
        )
        % {"email": email, "organization": organization.name}
    )


@transaction.atomic
def sign_on_admit(*, organization: Organization, identity: Identity) -> tuple[User, str]:
    """Who a verified identity from `organization`'s own provider may be: returns the
    account to sign in and how it came in (MEMBER, INVITED, JOINED), or raises Refused.

    The rule, in order:
    1. The provider must say the e-mail is verified (`email_verified` true).
    2. An existing account must be active, not staff, and hold roles in no other
       organization. Organization A's provider vouches only for A: were it allowed to
       sign in an account that is also B's, A's admins (who run that provider) could
       assert the address of any of B's people and open B. Such a person signs in with
       their password; sign-on is for accounts that are the organization's alone.
    3. An active person of the organization (`recipients.person_active`) signs in.
    4. Else an open invitation of the organization for this address is accepted through
       `invitation_accept`, and the person signs in (a new account is made if needed).
    5. Else an address of a domain the organization allows, with no account at all,
       joins as a member (an invitation made and accepted at once, so the audit log and
       the intake follow the usual path).
    6. Everything else is refused, among them a deactivated person (an account with no
       role here): their end is one state, and only a new invitation brings them back.
    """
    email = identity.email
    try:
        validate_email(email)
    except ValidationError:
        email = ""
    if not email or not identity.email_verified:
        raise Refused(
            _(
                "Your company account did not confirm a verified e-mail address, so it cannot "
                "sign you in here. Ask your IT team, or sign in with your password."
            )
        )
    account = User.objects.filter(email__iexact=email).first()
    if account is not None:
        if not account.is_active or account.is_staff or account.is_superuser:
            raise _not_here(email=email, organization=organization)
        if (
            OrganizationRole.objects.filter(user=account)
            .exclude(organization=organization)
            .exists()
        ):
            raise _not_here(email=email, organization=organization)
        if person_active(organization_id=organization.pk, user_id=account.pk):
            return account, MEMBER
    invitation = _open_invitation(organization=organization, email=email)
    if invitation is not None:
        account = account or _new_account(
            identity=identity, name=identity.name or invitation.full_name
        )
        _accept(invitation=invitation, user=account)
        return account, INVITED
    domain = email.rpartition("@")[2]
    sign_on = SignOnSettings.objects.get(organization=organization)
    if account is None and domain in (sign_on.allowed_domains or []):
        account = _new_account(identity=identity, name=identity.name)
        invitation, _token = invitation_create(
            organization=organization, email=email, role=Role.MEMBER, acting_user=None, send=False
        )
        _accept(invitation=invitation, user=account)
        return account, JOINED
    raise _not_here(email=email, organization=organization)
