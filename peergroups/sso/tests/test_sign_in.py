"""Signing in through an organization's identity provider, over real HTTP: the working
provider (oidc-provider-mock) for who gets in, the rogue one for what must be refused."""

import pytest
import requests
from django.contrib.auth import get_user_model
from django.urls import reverse

from peergroups.audit.models import AuditEntry
from peergroups.organizations.models import Invitation, OrganizationRole, Role
from peergroups.organizations.services import invitation_create
from peergroups.sso.tests.conftest import sign_on_configure
from peergroups.sso.tests.providers import (
    callback_path,
    provider_authorize,
    provider_user_set,
    query_of,
)

User = get_user_model()


def start(client, slug="acme"):
    response = client.get(reverse("sso-start", args=[slug]))
    assert response.status_code == 302, response.content[:300]
    return response["Location"]


def sign_in(client, issuer, *, sub="employee-1", claims, slug="acme"):
    """Our sign-in page to the provider's form and back: the callback's response."""
    provider_user_set(issuer, sub, claims)
    back = provider_authorize(start(client, slug), sub)
    return client.get(callback_path(back))


def signed_in_as(client):
    response = client.get(reverse("accounts-notifications"))
    return response.context["user"] if response.status_code == 200 else None


def test_member_with_verified_email_signs_in(client, cast, provider):
    sign_on_configure(cast.organization, cast.admin, provider)
    response = sign_in(client, provider, claims={"email": "Mia@acme.test", "email_verified": True})
    assert response.status_code == 302
    assert response["Location"] == reverse("organizations-dashboard", args=["acme"])
    assert signed_in_as(client) == cast.member
    assert client.get(response["Location"]).status_code == 200


def test_authorization_request_uses_pkce_state_and_nonce(client, cast, provider):
    sign_on_configure(cast.organization, cast.admin, provider)
    query = query_of(start(client))
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) >= 43
    assert query["state"] and query["nonce"]
    assert query["redirect_uri"] == "http://testserver/sso/acme/callback/"
    assert set(query["scope"].split()) == {"openid", "email", "profile"}


def test_invited_person_is_accepted_through_the_invitation(client, cast, provider):
    sign_on_configure(cast.organization, cast.admin, provider)
    invitation, _ = invitation_create(
        organization=cast.organization,
        email="nina@elsewhere.test",
        role=Role.MEMBER,
        program=cast.program,
        acting_user=cast.admin,
        send=False,
    )
    response = sign_in(
        client,
        provider,
        claims={"email": "nina@elsewhere.test", "email_verified": True, "name": "Nina N"},
    )
    assert response.status_code == 302
    nina = User.objects.get(email="nina@elsewhere.test")
    assert nina.full_name == "Nina N" and not nina.has_usable_password()
    invitation.refresh_from_db()
    assert invitation.accepted_by == nina
    assert OrganizationRole.objects.filter(user=nina, role=Role.MEMBER).count() == 1
    assert nina.member_profiles.get().program == cast.program
    assert AuditEntry.objects.filter(action="invitation_accept", actor=nina).exists()


def test_unknown_person_of_an_allowed_domain_joins_as_member(client, cast, provider):
    sign_on_configure(cast.organization, cast.admin, provider, domains=["acme.test"])
    response = sign_in(client, provider, claims={"email": "new@acme.test", "email_verified": True})
    assert response.status_code == 302
    newcomer = User.objects.get(email="new@acme.test")
    assert signed_in_as(client) == newcomer
    roles = OrganizationRole.objects.filter(user=newcomer)
    assert [(r.organization_id, r.role) for r in roles] == [(cast.organization.pk, Role.MEMBER)]
    assert Invitation.objects.get(email="new@acme.test").accepted_by == newcomer


def test_unknown_person_of_another_domain_is_refused(client, cast, provider):
    sign_on_configure(cast.organization, cast.admin, provider, domains=["acme.test"])
    response = sign_in(client, provider, claims={"email": "eve@evil.test", "email_verified": True})
    assert response.status_code == 403
    assert "cannot sign in to Acme Leaders with a company account" in response.content.decode()
    assert not User.objects.filter(email="eve@evil.test").exists()
    assert signed_in_as(client) is None


def test_deactivated_person_is_refused_even_with_an_allowed_domain(client, cast, provider):
    from peergroups.dashboards.persons import person_deactivate
    from peergroups.organizations.access import organization_access

    person_deactivate(
        access=organization_access(cast.admin, "acme"),
        acting_user=cast.admin,
        user_id=cast.member.pk,
    )
    sign_on_configure(cast.organization, cast.admin, provider, domains=["acme.test"])
    response = sign_in(client, provider, claims={"email": "mia@acme.test", "email_verified": True})
    assert response.status_code == 403
    assert signed_in_as(client) is None
    assert not OrganizationRole.objects.filter(user=cast.member).exists()


def test_unverified_email_is_refused(client, cast, provider):
    sign_on_configure(cast.organization, cast.admin, provider, domains=["acme.test"])
    for claims in ({"email": "mia@acme.test", "email_verified": False}, {"email": "mia@acme.test"}):
        response = sign_in(client, provider, claims=claims)
        assert response.status_code == 403
        assert "verified e-mail" in response.content.decode()
        assert signed_in_as(client) is None


def test_another_organizations_provider_cannot_open_its_people(client, cast, provider):
    """Globex's admins run Globex's provider; it asserts the address of Acme's member
    (and of a person in both): neither account is signed in, Acme stays closed."""
    sign_on_configure(cast.other_organization, cast.outsider, provider, domains=["acme.test"])
    response = sign_in(
        client, provider, slug="globex", claims={"email": "mia@acme.test", "email_verified": True}
    )
    assert response.status_code == 403
    assert signed_in_as(client) is None
    # A person of both: Globex's provider vouches for Globex only, so not for them.
    OrganizationRole.objects.create(
        organization=cast.other_organization, user=cast.member2, role=Role.MEMBER
    )
    response = sign_in(
        client, provider, slug="globex", claims={"email": "max@acme.test", "email_verified": True}
    )
    assert response.status_code == 403
    assert "cannot sign in to Globex Circle with a company account" in response.content.decode()
    assert signed_in_as(client) is None
    assert client.get(reverse("organizations-dashboard", args=["acme"])).status_code == 302


def test_staff_account_is_refused(client, cast, provider):
    cast.member.is_staff = True
    cast.member.save(update_fields=["is_staff"])
    sign_on_configure(cast.organization, cast.admin, provider)
    response = sign_in(client, provider, claims={"email": "mia@acme.test", "email_verified": True})
    assert response.status_code == 403


def test_wrong_state_is_refused(client, cast, provider):
    sign_on_configure(cast.organization, cast.admin, provider)
    provider_user_set(provider, "employee-1", {"email": "mia@acme.test", "email_verified": True})
    back = provider_authorize(start(client), "employee-1")
    forged = callback_path(back).replace("state=", "state=x")
    assert client.get(forged).status_code == 403
    # The pending sign-in is spent by that answer: the right state no longer works either.
    assert client.get(callback_path(back)).status_code == 403
    assert signed_in_as(client) is None


def test_callback_without_a_started_sign_in_is_refused(client, cast, provider):
    sign_on_configure(cast.organization, cast.admin, provider)
    response = client.get(reverse("sso-callback", args=["acme"]) + "?code=abc&state=def")
    assert response.status_code == 403


def test_replayed_code_is_refused(client, cast, provider):
    sign_on_configure(cast.organization, cast.admin, provider)
    provider_user_set(provider, "employee-1", {"email": "mia@acme.test", "email_verified": True})
    back = provider_authorize(start(client), "employee-1")
    assert client.get(callback_path(back)).status_code == 302
    client.logout()
    # The same answer again, in a new sign-in of this browser: our state is another one...
    start(client)
    assert client.get(callback_path(back)).status_code == 403
    # ...and with a new sign-in's state put in, the provider refuses the spent code.
    start(client)
    pending = client.session["sso_pending"]
    query = query_of(back)
    replay = (
        f"{reverse('sso-callback', args=['acme'])}?code={query['code']}&state={pending['state']}"
    )
    response = client.get(replay)
    assert response.status_code == 403
    assert "refused this sign-in" in response.content.decode()
    assert signed_in_as(client) is None


def test_callback_of_one_organization_cannot_finish_anothers_sign_in(client, cast, provider):
    sign_on_configure(cast.organization, cast.admin, provider)
    sign_on_configure(cast.other_organization, cast.outsider, provider)
    provider_user_set(provider, "employee-1", {"email": "mia@acme.test", "email_verified": True})
    back = provider_authorize(start(client, "acme"), "employee-1")
    response = client.get(callback_path(back).replace("/sso/acme/", "/sso/globex/"))
    assert response.status_code == 403
    assert signed_in_as(client) is None


def test_disabled_configuration_opens_nothing(client, cast, provider):
    sign_on = sign_on_configure(cast.organization, cast.admin, provider)
    provider_user_set(provider, "employee-1", {"email": "mia@acme.test", "email_verified": True})
    back = provider_authorize(start(client), "employee-1")
    sign_on.enabled = False
    sign_on.save(update_fields=["enabled"])
    assert client.get(callback_path(back)).status_code == 404
    assert client.get(reverse("sso-start", args=["acme"])).status_code == 404
    assert signed_in_as(client) is None


def test_provider_down_gives_a_clear_page(client, cast, provider):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("localhost", 0))
        port = probe.getsockname()[1]
    sign_on_configure(cast.organization, cast.admin, f"http://localhost:{port}")
    response = client.get(reverse("sso-start", args=["acme"]))
    assert response.status_code == 503
    assert "is not answering" in response.content.decode()


@pytest.mark.parametrize(
    ("attack", "claims"),
    [
        ("wrong nonce", {"nonce": "not-the-one-we-sent"}),
        ("no nonce", {"nonce": None}),
        ("another audience", {"aud": "someone-else"}),
        ("another issuer", {"iss": "http://localhost:1"}),
        ("expired", {"exp": 1_000_000_000, "iat": 999_999_000}),
    ],
)
def test_rogue_tokens_are_refused(client, cast, rogue, attack, claims):
    sign_on_configure(cast.organization, cast.admin, rogue.issuer)
    rogue.claims = claims
    back = requests.get(start(client), allow_redirects=False, timeout=5).headers["Location"]
    response = client.get(callback_path(back))
    assert response.status_code == 403, attack
    assert "cannot trust" in response.content.decode(), attack
    assert signed_in_as(client) is None


def test_the_rogue_provider_is_trusted_when_it_behaves(client, cast, rogue):
    """The guard for the test above: the same provider, a well-formed token, signs in."""
    sign_on_configure(cast.organization, cast.admin, rogue.issuer)
    back = requests.get(start(client), allow_redirects=False, timeout=5).headers["Location"]
    assert client.get(callback_path(back)).status_code == 302
    assert signed_in_as(client) == cast.member


def test_token_signed_by_a_key_the_provider_does_not_publish_is_refused(client, cast, rogue):
    sign_on_configure(cast.organization, cast.admin, rogue.issuer)
    rogue.sign_with = rogue.other_key
    back = requests.get(start(client), allow_redirects=False, timeout=5).headers["Location"]
    response = client.get(callback_path(back))
    assert response.status_code == 403
    assert signed_in_as(client) is None


def test_issuer_serving_another_issuers_metadata_is_refused(client, cast, rogue, provider):
    """Acme's issuer is set to a local address whose metadata names another issuer (say
    the provider Globex uses): nothing starts."""
    sign_on_configure(cast.organization, cast.admin, rogue.issuer)
    rogue.metadata_issuer = provider
    response = client.get(reverse("sso-start", args=["acme"]))
    assert response.status_code == 403
    assert "another issuer" in response.content.decode()


def test_provider_inside_our_network_is_not_called_in_production(client, cast, rogue, settings):
    """A row saved while local issuers were allowed (a development setting), read with
    them refused: the start refuses before any request leaves."""
    sign_on_configure(cast.organization, cast.admin, rogue.issuer)
    settings.SSO_ALLOW_LOCAL_ISSUERS = False
    calls = []
    rogue.server.RequestHandlerClass.log_request = lambda *args, **kwargs: calls.append(args)
    response = client.get(reverse("sso-start", args=["acme"]))
    assert response.status_code == 403
    assert "inside our network" in response.content.decode()
    assert calls == []


@pytest.mark.parametrize(
    ("claims", "status"),
    [
        ({"email_verified": None, "xms_edov": True}, 302),  # Entra ID's optional claim
        ({"email_verified": None, "xms_edov": False}, 403),
        ({"email_verified": "true"}, 403),  # a string is not the boolean the spec asks
    ],
)
def test_what_counts_as_a_verified_email(client, cast, rogue, claims, status):
    sign_on_configure(cast.organization, cast.admin, rogue.issuer)
    rogue.claims = claims
    back = requests.get(start(client), allow_redirects=False, timeout=5).headers["Location"]
    assert client.get(callback_path(back)).status_code == status


def test_starts_are_throttled_per_address(client, cast, provider):
    from peergroups.accounts.throttle import throttle_hit
    from peergroups.sso.views import SIGN_ON_ADDRESS

    sign_on_configure(cast.organization, cast.admin, provider)
    for _ in range(SIGN_ON_ADDRESS.limit - 1):
        throttle_hit((SIGN_ON_ADDRESS, "127.0.0.1"))
    assert client.get(reverse("sso-start", args=["acme"])).status_code == 302
    response = client.get(reverse("sso-start", args=["acme"]))
    assert response.status_code == 429
    assert response["Retry-After"]


def test_a_sign_in_left_too_long_at_the_provider_is_refused(client, cast, provider, settings):
    sign_on_configure(cast.organization, cast.admin, provider)
    provider_user_set(provider, "employee-1", {"email": "mia@acme.test", "email_verified": True})
    back = provider_authorize(start(client), "employee-1")
    session = client.session
    session["sso_pending"]["at"] -= settings.SSO_PENDING_SECONDS + 1
    session.save()
    response = client.get(callback_path(back))
    assert response.status_code == 403
    assert "took too long" in response.content.decode()
    assert signed_in_as(client) is None


def test_a_name_that_turns_private_between_check_and_connection_is_refused(
    client, cast, settings, monkeypatch
):
    """DNS rebinding: the provider's name answers a public address to the address check
    and this machine's address to the connection. The connection's own socket is
    checked, so the request stops before its first byte leaves."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    received = []

    def accept():
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(2)
            try:
                received.append(conn.recv(1024))
            except OSError:
                received.append(b"")

    threading.Thread(target=accept, daemon=True).start()
    name = "login.rebinding.example"
    looked_up = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host != name:
            return real(host, port, *args, **kwargs)
        looked_up.append(host)
        address = ("93.184.215.14", 443) if len(looked_up) == 1 else listener.getsockname()
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", address)]

    sign_on_configure(cast.organization, cast.admin, f"https://{name}")
    settings.SSO_ALLOW_LOCAL_ISSUERS = False
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    response = client.get(reverse("sso-start", args=["acme"]))
    listener.close()
    assert response.status_code == 403
    assert "inside our network" in response.content.decode()
    assert len(looked_up) == 2  # the check's look-up, then the connection's
    assert received in ([], [b""])  # connected to, and closed before anything was sent
