"""Reads for SCIM provisioning: one access function per object kind, each scoped to the
organization the caller acts for (a token never reaches another organization's rows)."""

import uuid

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from peergroups.errors import NotFound
from peergroups.organizations.access import OrgAccess
from peergroups.organizations.models import Organization, Role
from peergroups.scim.models import ScimGroup, ScimToken, ScimUser


def scim_tokens_for_admin(*, access: OrgAccess) -> QuerySet[ScimToken]:
    access.require(Role.ADMIN)
    return ScimToken.objects.filter(organization=access.organization).select_related("created_by")


def scim_user_for(*, organization: Organization, scim_id: str) -> ScimUser:
    """The organization's record with this SCIM id; anything else, another organization's
    included, is not found."""
    try:
        key = uuid.UUID(str(scim_id))
    except ValueError:
        raise NotFound(_("No such user.")) from None
    record = (
        ScimUser.objects.select_related("user")
        .filter(organization=organization, scim_id=key)
        .first()
    )
    if record is None:
        raise NotFound(_("No such user."))
    return record


def scim_group_for(*, organization: Organization, group_id: str) -> ScimGroup:
    """The organization's provisioned program with this SCIM id (the program's id)."""
    if not str(group_id).isdigit():
        raise NotFound(_("No such group."))
    group = (
        ScimGroup.objects.select_related("program")
        .filter(organization=organization, program_id=int(group_id))
        .first()
    )
    if group is None:
        raise NotFound(_("No such group."))
    return group
