"""No two OpenAPI components share a name (issue 21, row 10).

Django Ninja names a schema component after its class; two classes of one name (the
issue votes' `VoteOut` and the resources' one) became one component, so the issue-vote
operations pointed at the resources' schema. This walks every model every operation
reads or answers, nested ones included, and fails on a name held by two classes.
"""

import typing

from ninja import NinjaAPI, Router, Schema
from pydantic import BaseModel

from peergroups.api.api import api


def _models_in(annotation, seen: set) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return
        seen.add(annotation)
        for field in annotation.model_fields.values():
            _models_in(field.annotation, seen)
        return
    for argument in typing.get_args(annotation):
        _models_in(argument, seen)


def component_name_clashes(ninja_api: NinjaAPI) -> dict[str, list[str]]:
    """Each component name that two or more distinct classes would take."""
    seen: set = set()
    for _prefix, router in ninja_api._routers:
        for view in router.path_operations.values():
            for operation in view.operations:
                for model in [*operation.response_models.values(), *operation.models]:
                    _models_in(model, seen)
    names: dict[str, set[str]] = {}
    for model in seen:
        if model.__module__ == "abc":  # Ninja's own wrappers, which are not components
            continue
        names.setdefault(model.__name__, set()).add(f"{model.__module__}.{model.__qualname__}")
    return {name: sorted(where) for name, where in names.items() if len(where) > 1}


def test_no_two_components_share_a_name():
    assert component_name_clashes(api) == {}


def test_issue_votes_answer_their_own_schema():
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    assert set(components["IssueVoteOut"]["properties"]) == {"issue_id", "voted", "votes"}
    path = next(
        p for p in schema["paths"] if p.endswith("/groups/{group_id}/issues/{issue_id}/vote")
    )
    answer = schema["paths"][path]["post"]["responses"][200]["content"]["application/json"][
        "schema"
    ]
    assert answer == {"$ref": "#/components/schemas/IssueVoteOut"}


def test_the_guard_finds_a_planted_clash():
    def make(label: str):
        return type("ThingOut", (Schema,), {"__annotations__": {label: int}, "__module__": label})

    first, second = make("first"), make("second")
    planted = NinjaAPI(urls_namespace="planted-clash")
    router = Router()

    @router.get("/a", response=first)
    def a(request):
        return {"first": 1}

    @router.get("/b", response=list[second])
    def b(request):
        return []

    planted.add_router("", router)
    assert component_name_clashes(planted) == {"ThingOut": ["first.ThingOut", "second.ThingOut"]}


# One name for the organization in every path (issue 23): some routes said `{slug}`, others
# `{org_slug}`, so a client had to know which. The pages' URLs say `org_slug` too.
ORGANIZATION_PARAMETER = "org_slug"


def organization_names_off(schema: dict) -> list[str]:
    """Paths under /api/organizations/ whose organization is named otherwise."""
    import re

    wrong = []
    for path in schema["paths"]:
        found = re.match(r"/api/organizations/\{([^}]+)\}", path)
        if (found and found.group(1) != ORGANIZATION_PARAMETER) or "{slug}" in path:
            wrong.append(path)
    return wrong


def test_every_path_names_the_organization_org_slug():
    schema = api.get_openapi_schema()
    under = [p for p in schema["paths"] if p.startswith("/api/organizations/")]
    assert len(under) > 40
    assert organization_names_off(schema) == []


def test_the_guard_finds_a_planted_slug():
    planted = NinjaAPI(urls_namespace="planted-slug")
    router = Router()

    @router.get("/organizations/{slug}/things")
    def things(request, slug: str):
        return []

    planted.add_router("", router)
    assert organization_names_off(planted.get_openapi_schema(path_prefix="/api")) == [
        "/api/organizations/{slug}/things"
    ]
