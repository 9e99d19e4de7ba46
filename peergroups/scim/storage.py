"""Where scim2-server reads and writes: our database, through our services.

scim2-server does the protocol (routing, validation against the published schemas,
PATCH and PUT applied to the current resource, list responses, SCIM errors); this
storage turns its resources into the services' arguments and our rows back into
resources, for one organization only: the one whose token called.
"""

import uuid
from contextlib import contextmanager
from typing import Any, Union

from django.db import transaction
from django.utils.translation import gettext as _
from scim2_models import (
    ConflictException,
    ForbiddenException,
    InvalidValueException,
    NotFoundException,
    Resource,
    ResourceType,
    ResponseParameters,
    SCIMException,
    ScimFilter,
    SearchRequest,
    UniquenessException,
)
from scim2_models.path import CompareOperator, Comparison
from scim2_server.storage import ScimStorage, SearchPage
from scim2_server.utils import parametrize

from peergroups.accounts.models import User
from peergroups.errors import Conflict, DomainError, Invalid, NotFound, Refused
from peergroups.organizations.access import OrgAccess
from peergroups.scim import services
from peergroups.scim.models import ScimGroup, ScimUser
from peergroups.scim.provider import GROUP_SCHEMA, MAX_RESULTS, USER_SCHEMA, provider
from peergroups.scim.selectors import scim_group_for, scim_user_for

USER_ATTRIBUTES = ("name", "displayName", "emails")  # kept as sent, beside the account


def scim_error(error: DomainError) -> SCIMException:
    """Our domain errors as SCIM's (RFC 7644 §3.12), with the same sentence."""
    if isinstance(error, services.Taken):
        return UniquenessException(detail=error.reason)
    if isinstance(error, NotFound):
        return NotFoundException(detail=error.reason)
    if isinstance(error, Refused):
        return ForbiddenException(detail=error.reason)
    if isinstance(error, Conflict):
        return ConflictException(detail=error.reason)
    if isinstance(error, Invalid):
        return InvalidValueException(detail=error.reason)
    exception = SCIMException(detail=error.reason)
    exception.status = error.status
    return exception


def _meta(resource_type: str, created, modified, version: int) -> dict:
    return {
        "resourceType": resource_type,
        "created": created.isoformat(),
        "lastModified": modified.isoformat(),
        "version": f'W/"{version}"',
    }


class OrganizationStorage(ScimStorage):
    """The Users and Groups of the organization `access` is for, written as `acting_user`
    (the admin who created the token)."""

    def __init__(self, *, access: OrgAccess, acting_user: User):
        self.access = access
        self.organization = access.organization
        self.acting_user = acting_user

    @contextmanager
    def operation(self):
        """One request, one transaction; a refusal of our rules becomes a SCIM error."""
        try:
            with transaction.atomic():
                yield
        except DomainError as error:
            raise scim_error(error) from error

    # Rows to resources.

    def _model(self, name: str) -> type[Resource[Any]]:
        scim = provider()
        return scim.model_for(next(rt for rt in scim.resource_types if rt.name == name))

    def _users(self, records: list[ScimUser]) -> list[Resource[Any]]:
        active = services.scim_active(organization=self.organization, records=records)
        model = self._model("User")
        resources = []
        for record in records:
            data = {
                key: record.attributes[key] for key in USER_ATTRIBUTES if key in record.attributes
            }
            data.update(
                schemas=[USER_SCHEMA],
                id=str(record.scim_id),
                userName=record.user_name,
                active=record.user_id in active,
                meta=_meta("User", record.created_at, record.updated_at, record.version),
            )
            if record.external_id:
                data["externalId"] = record.external_id
            resources.append(model.model_validate(data))
        return resources

    def _groups(self, groups: list[ScimGroup]) -> list[Resource[Any]]:
        records = services.scim_program_members(
            organization=self.organization, program_ids=[group.program_id for group in groups]
        )
        members = {
            program_id: [
                {"value": str(r.scim_id), "$ref": f"Users/{r.scim_id}", "type": "User"}
                for r in people
            ]
            for program_id, people in records.items()
        }
        model = self._model("Group")
        resources = []
        for group in groups:
            version = group.version + group.program.version
            data = {
                "schemas": [GROUP_SCHEMA],
                "id": str(group.program_id),
                "displayName": group.program.name,
                "meta": _meta("Group", group.created_at, group.updated_at, version),
            }
            if members[group.program_id]:
                data["members"] = members[group.program_id]
            if group.external_id:
                data["externalId"] = group.external_id
            resources.append(model.model_validate(data))
        return resources

    def _resources(self, name: str, rows: list) -> list[Resource[Any]]:
        return self._users(rows) if name == "User" else self._groups(rows)

    def _rows(self, name: str):
        if name == "User":
            return (
                ScimUser.objects.filter(organization=self.organization)
                .select_related("user")
                .order_by("pk")
            )
        return (
            ScimGroup.objects.filter(organization=self.organization)
            .select_related("program")
            .order_by("pk")
        )

    def _one(self, name: str, resource_id: str | None):
        if name == "User":
            return scim_user_for(organization=self.organization, scim_id=str(resource_id))
        return scim_group_for(organization=self.organization, group_id=str(resource_id))

    # The storage's operations.

    def get(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        response_parameters: ResponseParameters[Any] | None = None,
    ) -> Resource[Any]:
        try:
            row = self._one(resource_type.name, resource_id)
        except NotFound as error:
            raise NotFoundException(detail=error.reason) from None
        return self._resources(resource_type.name, [row])[0]

    def search(
        self,
        resource_types: list[ResourceType],
        search_request: SearchRequest[Any],
        *,
        position: Any = None,
    ) -> SearchPage:
        start = max(search_request.start_index or 1, 1) - 1
        count = MAX_RESULTS if search_request.count is None else search_request.count
        scim_filter = search_request.filter
        names = list(dict.fromkeys(rt.name for rt in resource_types))
        if len(names) == 1 and scim_filter is None:
            # Paged in the database: a provider's full read of 10,000 people is 50 queries.
            rows = self._rows(names[0])
            total = rows.count()
            page = self._resources(names[0], list(rows[start : start + count])) if count else []
            return SearchPage(total=total, resources=page)
        found = []
        for name in names:  # several at the root (RFC 7644 §3.4.2.1): Users, then Groups
            rows = self._rows(name)
            if scim_filter is not None:
                rows = _narrowed(name, rows, scim_filter)
            found += self._resources(name, list(rows))
        if scim_filter is None:
            return SearchPage(total=len(found), resources=found[start : start + count])
        if not scim_filter.models and found:
            models = tuple(dict.fromkeys(type(r) for r in found))
            scim_filter = parametrize(ScimFilter, Union[models])(str(scim_filter))  # noqa: UP007
        found = [r for r in found if scim_filter.match(r)]
        return SearchPage(total=len(found), resources=found[start : start + count])

    def create(self, resource_type: ResourceType, resource: Resource[Any]) -> Resource[Any]:
        values = resource.model_dump()
        if resource_type.name == "User":
            record = services.scim_user_create(
                access=self.access, acting_user=self.acting_user, **_person(values, None)
            )
            return self._users([record])[0]
        group = services.scim_group_create(
            access=self.access,
            acting_user=self.acting_user,
            display_name=values.get("displayName") or "",
            external_id=values.get("externalId") or "",
            members=self._members(values),
        )
        return self._groups([group])[0]

    def update(
        self,
        resource_type: ResourceType,
        resource: Resource[Any],
        *,
        expected_version: str | None = None,
    ) -> Resource[Any]:
        values = resource.model_dump()
        row = self._one(resource_type.name, resource.id)
        if resource_type.name == "User":
            record = services.scim_user_update(
                access=self.access,
                acting_user=self.acting_user,
                record=row,
                **_person(values, row),
            )
            return self._users([record])[0]
        group = services.scim_group_update(
            access=self.access,
            acting_user=self.acting_user,
            group=row,
            display_name=values.get("displayName") or "",
            external_id=values.get("externalId") or "",
            members=self._members(values),
        )
        return self._groups([ScimGroup.objects.select_related("program").get(pk=group.pk)])[0]

    def delete(
        self, resource_type: ResourceType, resource_id: str, *, expected_version: str | None = None
    ) -> None:
        row = self._one(resource_type.name, resource_id)
        if resource_type.name == "User":
            services.scim_user_delete(access=self.access, acting_user=self.acting_user, record=row)
        else:
            services.scim_group_delete(access=self.access, acting_user=self.acting_user, group=row)

    def _members(self, values: dict) -> list[ScimUser]:
        records = []
        for member in values.get("members") or []:
            if member.get("type") not in (None, "User"):
                raise Invalid(_("A program's members are people; a group cannot be a member."))
            try:
                records.append(
                    scim_user_for(organization=self.organization, scim_id=member.get("value"))
                )
            except NotFound:
                raise Invalid(_("No user %s in this organization.") % member.get("value")) from None
        return records


def _person(values: dict, record: ScimUser | None) -> dict:
    """A User resource as `scim_user_create`/`scim_user_update` take it. Without `active`,
    a new person is active and a known one keeps their state."""
    active = values.get("active")
    if active is None:
        active = record is None or record.user_id in services.scim_active(
            organization=record.organization, records=[record]
        )
    return {
        "user_name": values.get("userName") or "",
        "external_id": values.get("externalId") or "",
        "attributes": {key: values[key] for key in USER_ATTRIBUTES if values.get(key)},
        "active": active,
    }


# An equality on one of these is answered from an index, not by reading every row:
# identity providers look each person up by userName (or externalId) before writing.
INDEXED = {
    "User": {"username": "user_name__iexact", "externalid": "external_id", "id": "scim_id"},
    "Group": {
        "displayname": "program__name__iexact",
        "externalid": "external_id",
        "id": "program_id",
    },
}


def _narrowed(name: str, rows, scim_filter: ScimFilter[Any]):
    node = scim_filter.ast
    if not (
        isinstance(node, Comparison)
        and node.op == CompareOperator.eq
        and isinstance(node.value, str)
        and node.attr_path.sub_attr is None
        and node.attr_path.uri in (None, USER_SCHEMA if name == "User" else GROUP_SCHEMA)
    ):
        return rows
    lookup = INDEXED[name].get(node.attr_path.attr.lower())
    if lookup is None:
        return rows
    if lookup == "scim_id":
        try:
            return rows.filter(scim_id=uuid.UUID(node.value))
        except ValueError:
            return rows.none()
    if lookup == "program_id":
        return rows.filter(program_id=int(node.value)) if node.value.isdigit() else rows.none()
    return rows.filter(**{lookup: node.value})
