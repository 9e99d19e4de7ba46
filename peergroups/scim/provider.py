"""What our SCIM service provider publishes (RFC 7643 §5-7): the attributes of the core
User and Group schemas we keep, the two resource types, and the capabilities.

The schemas are the RFC's own (scim2-server ships them), cut down to what Peergroups
stores, so an identity provider and the compliance checker see exactly what a write
keeps: userName, name (formatted, givenName, familyName), displayName, active and
emails (both required here) for a User; displayName and members for a Group. externalId, id and meta are
common to every resource.

Declared unsupported in ServiceProviderConfig, and why:
- bulk: Entra ID and Okta send one request per change; a bulk request would need its
  own limits and partial-failure reporting for no client we serve.
- sort: neither provider asks for it; lists come in a stable order (oldest first).
- etag: versions are reported in meta.version, but conditional requests (If-Match) are
  not needed by either provider, and pages and the API guard races with their own
  version numbers.
- changePassword: people sign in with a password they choose (reset link) or SSO; an
  identity provider never sets or learns one.
"""

from functools import cache

from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    ETag,
    External,
    Filter,
    Patch,
    Reference,
    ResourceType,
    ScimPolicy,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
)
from scim2_server.utils import load_default_resource_types, load_default_schemas

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
# The largest page a list answers (count above it is cut to it).
MAX_RESULTS = 200

KEPT = {
    USER_SCHEMA: {
        "userName": None,
        "name": {"formatted", "familyName", "givenName"},
        "displayName": None,
        "active": None,
        "emails": {"value", "type", "primary"},
    },
    GROUP_SCHEMA: {"displayName": None, "members": {"value", "$ref", "type"}},
}

BEARER = AuthenticationScheme(
    type=AuthenticationScheme.Type.oauthbearertoken,
    name="Bearer token",
    description="A token an admin of the organization creates on its SCIM settings page.",
    spec_uri=Reference[External]("https://datatracker.ietf.org/doc/html/rfc6750"),
    primary=True,
)


# Required here though optional in the RFC (a provider declares its own, RFC 7643 §7):
# Peergroups reaches people by e-mail (invitations, reminders, password reset), and a
# person is either taking part or not, so a write says which. Entra ID and Okta send both.
REQUIRED = {"emails", "active"}


def _schema(urn: str):
    schema = load_default_schemas()[urn].model_copy(deep=True)
    kept = KEPT[urn]
    attributes = []
    for attribute in schema.attributes:
        if attribute.name not in kept:
            continue
        if attribute.name in REQUIRED:
            attribute.required = True
            for sub in attribute.sub_attributes or []:
                sub.required = sub.required or sub.name == "value"
        subs = kept[attribute.name]
        if subs is not None and attribute.sub_attributes:
            attribute.sub_attributes = [a for a in attribute.sub_attributes if a.name in subs]
        attributes.append(attribute)
    schema.attributes = attributes
    return schema


def _resource_types() -> list[ResourceType]:
    types = load_default_resource_types()
    user = types["User"].model_copy(deep=True)
    user.schema_extensions = None  # no enterprise extension: nothing of it is kept
    return [user, types["Group"].model_copy(deep=True)]


def service_provider_config() -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[BEARER],
    )


# What we tolerate from identity providers, beyond the strict reading of the RFCs:
# - attributes we do not keep (Entra ID's default mapping sends title, phoneNumbers,
#   addresses and the enterprise extension; Okta sends locale) are dropped, not refused,
#   or the first sync of a default setup would fail for every person;
# - a PATCH `remove` with a value names what to remove: Entra ID takes a member out of a
#   group as {"op": "Remove", "path": "members", "value": [{"value": id}]};
# - a `replace` on `emails[type eq "work"].value` for a person without such an entry
#   creates it, as Entra ID expects.
POLICY = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)


@cache
def provider() -> ScimProvider:
    """Built once per process: the models it makes from the schemas are classes."""
    return ScimProvider.from_discovery(
        [_schema(USER_SCHEMA), _schema(GROUP_SCHEMA)],
        _resource_types(),
        service_provider_config(),
        POLICY,
    )
