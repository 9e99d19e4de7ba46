"""Everything Peergroups holds about a person in one organization, as one archive.

`personal_data_archive` writes a zip: `data.json` with every row the person owns (their
account, roles, intake, memberships, issues, check-ins, notes, goals, commitments and
check-ins, pulses and baseline, resources, directory entry, questions and answers,
preferences) and `files/` with the files they shared. Rows are found by the fields
that say whose a row is (OWNER_FIELDS), for every model of the project, so a new model
is in the archive without a change here. Left out: secrets (hashes, salts, keys), rows
that are other people's (who muted them, what an admin wrote about them), the audit log.
"""

import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone

from peergroups.organizations.access import OrgAccess

# The fields that make a row the person's own; `muted` (who muted them), `actor`,
# `acting_user`, `created_by`, `reviewed_by` name other people's acts and are left out.
OWNER_FIELDS = ("user", "member", "author", "owner", "asker", "shared_by", "voter")
# Rows owned by way of another row: a check-in of one's own commitment.
OWNED_THROUGH = {"goals.CommitmentCheckIn": "commitment__member"}
LEFT_OUT = {"audit.AuditEntry", "groups.MembershipChange", "accounts.ThrottleCounter"}
SECRET_WORDS = ("hash", "salt", "password", "key", "token")
# How each model's rows reach their organization (others are the person's account).
ORGANIZATION_PATHS = (
    "organization",
    "group__organization",
    "meeting__group__organization",
    "commitment__group__organization",
    "question__organization",
    "issue__group__organization",
    "agreement__group__organization",
    "resource__organization",
    "goal__organization",
)


def _value(field: models.Field, instance: models.Model):
    if isinstance(field, models.ForeignKey):
        return getattr(instance, field.attname)
    value = getattr(instance, field.attname)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(field, models.FileField):
        return value.name if value else ""
    return value


def _row(instance: models.Model) -> dict:
    return {
        field.name: _value(field, instance)
        for field in instance._meta.concrete_fields
        if not any(word in field.name for word in SECRET_WORDS)
    }


def _organization_path(model) -> str | None:
    for path in ORGANIZATION_PATHS:
        try:
            model.objects.filter(**{path: None}).query  # noqa: B018 - resolves the path
        except Exception:  # noqa: BLE001 - FieldError: not this model's path
            continue
        return path
    return None


def personal_data(*, user, access: OrgAccess) -> dict:
    """The person's rows in this organization, by model label."""
    organization = access.organization
    data: dict = {
        "exported_at": timezone.now().isoformat(),
        "organization": organization.slug,
        "account": {"email": user.email, "full_name": user.full_name},
    }
    for model in apps.get_models():
        label = model._meta.label
        if not model.__module__.startswith("peergroups.") or label in LEFT_OUT:
            continue
        if label == settings.AUTH_USER_MODEL:
            data[label] = [_row(user)]
            continue
        owners = [
            f.name
            for f in model._meta.concrete_fields
            if f.name in OWNER_FIELDS
            and isinstance(f, models.ForeignKey)
            and f.related_model._meta.label == settings.AUTH_USER_MODEL
        ]
        filters = [{owner: user} for owner in owners]
        if label in OWNED_THROUGH:
            filters.append({OWNED_THROUGH[label]: user})
        if not filters:
            continue
        path = _organization_path(model)
        rows = []
        for condition in filters:
            queryset = model.objects.filter(**condition)
            if path:
                queryset = queryset.filter(**{path: organization})
            rows.extend(_row(instance) for instance in queryset.order_by("pk"))
        if rows:
            data[label] = rows
    return data


def personal_data_archive(*, user, access: OrgAccess) -> bytes:
    """One zip: data.json and the files the person shared."""
    from peergroups.resources.models import Resource

    data = personal_data(user=user, access=access)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False, default=str))
        shared = Resource.objects.filter(organization=access.organization, shared_by=user).exclude(
            file=""
        )
        for resource in shared:
            try:
                with resource.file.open("rb") as handle:
                    archive.writestr(f"files/{resource.pk}-{resource.file_name}", handle.read())
            except FileNotFoundError:
                continue  # a file the storage lost: its row says so in data.json
    return out.getvalue()
