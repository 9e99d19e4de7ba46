"""How the audit log names a SCIM token (`audit.naming`): by its name and first characters."""

from peergroups.audit.naming import audit_namer
from peergroups.scim.models import ScimToken


@audit_namer("scimtoken")
def _scim_tokens(ids):
    rows = ScimToken.objects.filter(pk__in=ids).only("name", "prefix")
    return {t.pk: f"SCIM token “{t.name}” ({t.prefix}…)" for t in rows}
