import pytest

from peergroups.sso.services import sign_on_settings_update
from peergroups.sso.tests.providers import RogueProvider, mock_provider

CLIENT_SECRET = "s3cret-of-the-acme-client"


@pytest.fixture(autouse=True)
def local_providers(settings):
    # The test providers listen on localhost over http; production refuses both.
    settings.SSO_ALLOW_LOCAL_ISSUERS = True
    settings.BASE_URL = "http://testserver"


@pytest.fixture
def provider():
    with mock_provider() as issuer:
        yield issuer


@pytest.fixture
def rogue():
    with RogueProvider() as rogue:
        yield rogue


def sign_on_configure(organization, admin, issuer: str, domains=()):
    return sign_on_settings_update(
        organization=organization,
        acting_user=admin,
        enabled=True,
        issuer=issuer,
        client_id=f"peergroups-{organization.slug}",
        client_secret=CLIENT_SECRET,
        allowed_domains=list(domains),
    )
