"""JSON API for the resource library (Django Ninja router).

Handlers parse, call the same selectors and services as the pages, and return; domain
errors become JSON through the API's error mapping. A group's resources are for its
members and facilitator only, whichever way they are asked for.
"""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from peergroups.http import error_responses
from peergroups.organizations.access import organization_access
from peergroups.resources import selectors, services
from peergroups.resources.download import file_response
from peergroups.resources.models import (
    SUMMARY_MAX,
    TITLE_MAX,
    TOPICS_MAX,
    URL_MAX,
    Kind,
    Resource,
    Scope,
)

router = Router(tags=["resources"])

ORG = "/organizations/{org_slug}"
ONE = ORG + "/resources/{resource_id}"
PAGE_MAX = 50


class ResourceOut(Schema):
    id: int
    kind: str
    title: str
    summary: str
    url: str
    topics: list[str]
    scope: str
    group_id: int | None
    shared_by: str
    shared_by_id: int
    useful_count: int
    voted: bool
    file_name: str | None = Field(None, description="The attached file, if any.")
    file_size: int | None = None
    file_url: str | None = Field(None, description="Download it here, with your credentials.")
    created_at: datetime
    updated_at: datetime


class SearchHitOut(ResourceOut):
    rank: float
    snippet_html: str = Field(description="An escaped excerpt with the matches in <mark>.")


class ResourcePageOut(Schema):
    count: int
    items: list[ResourceOut]


class SearchPageOut(Schema):
    count: int
    corrected: str = Field(description="The query as searched, when words were corrected.")
    any_word: bool = Field(description="True when no resource had every word.")
    items: list[SearchHitOut]


class ResourceIn(Schema):
    kind: Kind
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    summary: str = Field(min_length=1, max_length=SUMMARY_MAX)
    url: str = Field("", max_length=URL_MAX)
    topics: list[str] = Field(min_length=1, max_length=TOPICS_MAX)
    scope: Scope
    group_id: int | None = Field(None, description="The group, for scope `group`.")


class ResourceUpdateIn(Schema):
    kind: Kind
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    summary: str = Field(min_length=1, max_length=SUMMARY_MAX)
    url: str = Field("", max_length=URL_MAX)
    topics: list[str] = Field(min_length=1, max_length=TOPICS_MAX)
    scope: Scope | None = None


class VoteOut(Schema):
    useful_count: int
    voted: bool


class ListFilters(Schema):
    topic: str = Field("", max_length=40)
    scope: Literal["group", "organization", ""] = ""
    page: int = Field(1, ge=1, le=10_000)


class SearchFilters(ListFilters):
    q: str = Field(min_length=1, max_length=200)


def _out(request: HttpRequest, resource: Resource) -> dict:
    data = {
        "id": resource.pk,
        "kind": resource.kind,
        "title": resource.title,
        "summary": resource.summary,
        "url": resource.url,
        "topics": resource.topics,
        "scope": resource.scope,
        "group_id": resource.group_id if resource.scope == Scope.GROUP else None,
        "shared_by": str(resource.shared_by),
        "shared_by_id": resource.shared_by_id,
        "useful_count": resource.useful_count,
        "voted": bool(getattr(resource, "voted", False)),
        "created_at": resource.created_at,
        "updated_at": resource.updated_at,
    }
    if resource.file:
        data["file_name"] = resource.file_name
        data["file_size"] = resource.file_size
        data["file_url"] = request.build_absolute_uri(
            reverse(
                "api:api-resources-file",
                kwargs={"org_slug": resource.organization.slug, "resource_id": resource.pk},
            )
        )
    return data


def _resource(request: HttpRequest, org_slug: str, resource_id: int):
    access = organization_access(request.auth, org_slug)
    resource = selectors.resource_for_user(
        user=request.auth, access=access, resource_id=resource_id
    )
    return access, resource


@router.get(
    ORG + "/resources",
    response={200: ResourcePageOut, **error_responses(404)},
    url_name="api-resources-list",
)
def resource_list(request: HttpRequest, org_slug: str, filters: Query[ListFilters]):
    """The library as the caller may see it, most useful first; 20 a page."""
    access = organization_access(request.auth, org_slug)
    page = selectors.library(
        user=request.auth,
        access=access,
        topic=filters.topic,
        scope=filters.scope,
        page=filters.page,
    )
    return {"count": page.count, "items": [_out(request, r) for r in page.resources]}


@router.get(
    ORG + "/resources/search",
    response={200: SearchPageOut, **error_responses(404)},
    url_name="api-resources-search",
)
def resource_search(request: HttpRequest, org_slug: str, filters: Query[SearchFilters]):
    """Full-text search over what the caller may see, best match first.

    Words match as prefixes; a word that matches nothing is corrected to the closest
    word in resources the caller may see (`corrected` says so)."""
    access = organization_access(request.auth, org_slug)
    page = selectors.library(
        user=request.auth,
        access=access,
        query=filters.q,
        topic=filters.topic,
        scope=filters.scope,
        page=filters.page,
    )
    return {
        "count": page.count,
        "corrected": page.corrected,
        "any_word": page.any_word,
        "items": [
            {**_out(request, r), "rank": float(r.rank), "snippet_html": str(r.snippet)}
            for r in page.resources
        ],
    }


@router.post(
    ORG + "/resources",
    response={201: ResourceOut, **error_responses(403, 404)},
    url_name="api-resources-create",
)
def resource_create(request: HttpRequest, org_slug: str, payload: ResourceIn):
    """Share a link-type resource; attach a file with POST …/resources/{id}/file."""
    access = organization_access(request.auth, org_slug)
    resource = services.resource_share(
        user=request.auth,
        access=access,
        kind=payload.kind,
        title=payload.title,
        summary=payload.summary,
        topics=payload.topics,
        scope=payload.scope,
        group_id=payload.group_id,
        url=payload.url,
    )
    return Status(201, _out(request, resource))


@router.get(
    ONE,
    response={200: ResourceOut, **error_responses(403, 404, 410)},
    url_name="api-resources-detail",
)
def resource_detail(request: HttpRequest, org_slug: str, resource_id: int):
    _, resource = _resource(request, org_slug, resource_id)
    return _out(request, resource)


@router.patch(
    ONE,
    response={200: ResourceOut, **error_responses(403, 404, 409, 410)},
    url_name="api-resources-update",
)
def resource_update(
    request: HttpRequest, org_slug: str, resource_id: int, payload: ResourceUpdateIn
):
    """Edit a resource you shared."""
    access, resource = _resource(request, org_slug, resource_id)
    services.resource_edit(
        user=request.auth,
        access=access,
        resource=resource,
        kind=payload.kind,
        title=payload.title,
        summary=payload.summary,
        topics=payload.topics,
        url=payload.url,
        scope=payload.scope,
    )
    return _out(request, resource)


@router.delete(
    ONE,
    response={204: None, **error_responses(403, 404, 409, 410)},
    url_name="api-resources-withdraw",
)
def resource_withdraw(request: HttpRequest, org_slug: str, resource_id: int):
    """Withdraw a resource: its sharer; an admin (organization-wide); the group's facilitator."""
    access, resource = _resource(request, org_slug, resource_id)
    services.resource_withdraw(user=request.auth, access=access, resource=resource)
    return Status(204, None)


@router.put(
    ONE + "/vote",
    response={200: VoteOut, **error_responses(403, 404, 409, 410)},
    url_name="api-resources-vote",
)
def resource_vote(request: HttpRequest, org_slug: str, resource_id: int):
    """Say the resource was useful (once per person; saying it again changes nothing)."""
    _, resource = _resource(request, org_slug, resource_id)
    count = services.resource_vote_set(user=request.auth, resource=resource, useful=True)
    return {"useful_count": count, "voted": True}


@router.delete(
    ONE + "/vote",
    response={200: VoteOut, **error_responses(403, 404, 409, 410)},
    url_name="api-resources-unvote",
)
def resource_unvote(request: HttpRequest, org_slug: str, resource_id: int):
    _, resource = _resource(request, org_slug, resource_id)
    count = services.resource_vote_set(user=request.auth, resource=resource, useful=False)
    return {"useful_count": count, "voted": False}


@router.post(
    ONE + "/file",
    response={200: ResourceOut, **error_responses(403, 404, 409, 410, 413)},
    url_name="api-resources-file-upload",
)
def resource_file_upload(
    request: HttpRequest, org_slug: str, resource_id: int, file: File[UploadedFile]
):
    """Attach (or replace) the resource's file: multipart form field `file`."""
    access, resource = _resource(request, org_slug, resource_id)
    services.resource_edit(
        user=request.auth,
        access=access,
        resource=resource,
        kind=resource.kind,
        title=resource.title,
        summary=resource.summary,
        topics=resource.topics,
        url=resource.url,
        upload=file,
    )
    return _out(request, resource)


@router.get(
    ONE + "/file",
    response={200: None, **error_responses(403, 404, 410)},
    url_name="api-resources-file",
)
def resource_file(request: HttpRequest, org_slug: str, resource_id: int):
    """The attached file's bytes, for those who may see the resource."""
    _, resource = _resource(request, org_slug, resource_id)
    return file_response(resource)
