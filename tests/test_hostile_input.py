"""Hostile input answers 4xx with a reason, on pages and the API (issue 21, row 8).

One guard (`peergroups.http.InputGuardMiddleware`) refuses NUL and the other control
characters in every query parameter and in the API's bodies, and the API's searches of
only spaces; page forms refuse them on their own fields and re-render what was typed.
"""

import pytest
from django.urls import reverse

from peergroups.resources.models import Resource

pytestmark = pytest.mark.django_db


def api_url(name, **kwargs):
    return reverse(f"api:{name}", kwargs={"org_slug": "acme", **kwargs})


@pytest.mark.parametrize("blank", [" ", "\u00a0", "\u3000", " \t "])
def test_api_search_of_only_spaces_is_422_json(cast, client, blank):
    client.force_login(cast.member)
    response = client.get(api_url("api-resources-search"), {"q": blank})
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["errors"] == [{"field": "q", "message": "Type a word to search."}]


@pytest.mark.parametrize(
    ("route", "params"),
    [
        ("api-resources-search", {"q": "hir\x00ing"}),
        ("api-resources-list", {"topic": "hiring\x00"}),
        ("api-directory", {"region": "Bos\x00ton"}),
        ("api-directory", {"q": "a\x07b"}),
    ],
)
def test_api_nul_and_controls_in_query_are_422_json(cast, client, route, params):
    client.force_login(cast.member)
    response = client.get(api_url(route), params)
    assert response.status_code == 422, response.content
    body = response.json()
    assert "control character" in body["detail"]
    assert body["errors"][0]["field"] == next(iter(params))


@pytest.mark.parametrize("route", ["api-groups", "api-members"])
def test_api_program_filter_past_a_database_integer_is_422_not_500(cast, client, route):
    # 2**70 made SQLite raise OverflowError in the query: a 500 the API fuzzer found.
    client.force_login(cast.admin)
    assert client.get(api_url(route), {"program": cast.program.pk}).status_code == 200
    response = client.get(api_url(route), {"program": 2**70})
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == "program"


def test_api_nul_in_a_json_title_or_topic_is_422_and_stores_nothing(cast, client):
    client.force_login(cast.member)
    for payload in (
        {"title": "Pipeline\x00review", "topics": ["sales"]},
        {"title": "Pipeline review", "topics": ["sa\x00les"]},
        {"title": "Pipeline review\ud800", "topics": ["sales"]},
    ):
        response = client.post(
            api_url("api-resources-create"),
            {
                "kind": "practice",
                "summary": "45 minutes.",
                "scope": "organization",
                "url": "https://example.org/pipeline",
                **payload,
            },
            content_type="application/json",
        )
        assert response.status_code == 422, response.content
        field = response.json()["errors"][0]["field"]
        assert field in {"title", "topics.0"}
    assert not Resource.objects.exists()


def test_api_nul_in_a_question_topic_is_422(cast, client):
    client.force_login(cast.member)
    response = client.post(
        api_url("api-questions-proposals"),
        {"topics": ["hiring\x00"]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "topics.0",
            "message": "contains a control character (such as NUL) that cannot be used.",
        }
    ]


def test_tabs_and_line_breaks_in_text_are_kept(cast, client):
    client.force_login(cast.member)
    response = client.post(
        api_url("api-resources-create"),
        {
            "kind": "practice",
            "title": "Pipeline review",
            "summary": "Step one.\r\nStep two.\tDone.",
            "topics": ["sales"],
            "scope": "organization",
            "url": "https://example.org/pipeline",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert Resource.objects.get().summary == "Step one.\r\nStep two.\tDone."


@pytest.mark.parametrize(
    ("page", "params"),
    [
        ("resources-library", {"q": "hir\x00ing"}),
        ("network-directory", {"region": "Bos\x00ton"}),
        ("network-directory", {"industry": "\x00"}),
        ("organizations-audit", {"action": "question_ask\x00"}),
    ],
)
def test_page_with_nul_in_query_is_422_page_with_reason(cast, client, page, params):
    client.force_login(cast.admin if page == "organizations-audit" else cast.member)
    response = client.get(reverse(page, kwargs={"org_slug": "acme"}), params)
    assert response.status_code == 422
    assert response["Content-Type"].startswith("text/html")
    assert b"control character" in response.content


@pytest.mark.parametrize("blank", [" ", "\u00a0", "\u3000", " \t "])
def test_page_search_of_only_spaces_shows_the_form_with_a_message(cast, client, blank):
    """Not the whole library as if it were the results: the form, what was typed, and
    the message; the htmx results swap says the same."""
    from peergroups.meetings import services as meetings
    from peergroups.organizations.access import organization_access
    from peergroups.resources import services as resources

    agreement = meetings.agreement_current(group=cast.group)
    meetings.agreement_accept(agreement=agreement, user=cast.member)
    resources.resource_share(
        user=cast.member,
        access=organization_access(cast.member, "acme"),
        kind="practice",
        title="Onboarding checklist",
        summary="What a new manager needs in week one.",
        topics=["hiring"],
        scope="organization",
        url="https://example.org/onboarding",
    )
    client.force_login(cast.member)
    url = reverse("resources-library", kwargs={"org_slug": "acme"})
    whole = client.get(url)
    assert "Onboarding checklist" in whole.text
    response = client.get(url, {"q": blank})
    assert response.status_code == 200
    text = response.text
    assert "Type a word to search." in text
    assert 'aria-invalid="true"' in text and 'role="search"' in text
    assert "Onboarding checklist" not in text
    partial = client.get(url, {"q": blank}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert partial.status_code == 200
    assert "Type a word to search." in partial.text
    assert "Onboarding checklist" not in partial.text
    # A word still searches.
    assert "Onboarding checklist" in client.get(url, {"q": " onboarding "}).text


def test_page_form_with_nul_re_renders_what_was_typed(cast, client):
    from peergroups.meetings import services as meetings

    agreement = meetings.agreement_current(group=cast.group)
    meetings.agreement_accept(agreement=agreement, user=cast.member)
    client.force_login(cast.member)
    response = client.post(
        reverse("resources-share", kwargs={"org_slug": "acme"}),
        {
            "kind": "practice",
            "title": "Pipeline\x00review",
            "summary": "Forty-five minutes a week",
            "topics": ["sales"],
            "share_with": "organization",
            "url": "https://example.org/pipeline",
        },
    )
    assert response.status_code == 422  # the form again, as every invalid form answers
    assert b"Null characters are not allowed." in response.content
    assert b"Forty-five minutes a week" in response.content
    assert not Resource.objects.exists()


def test_every_api_route_answers_an_id_past_a_database_integer_with_4xx(cast, client):
    """Each route of the OpenAPI document, as an admin, with every id in its path and
    every `*_id` in its JSON body at 2**70: a refusal with a reason, never a 500 (the
    person deactivation route raised SQLite's OverflowError before this)."""
    import json
    import re

    from peergroups.api.api import api

    huge = 2**70
    schema = api.get_openapi_schema()
    client.force_login(cast.admin)
    tried, failed = 0, []
    for path, operations in schema["paths"].items():
        url = re.sub(r"\{[a-z_]*id\}", str(huge), path.replace("{org_slug}", "acme"))
        url = re.sub(r"\{[a-z_]+\}", "x", url)
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            payload = {}
            if body:
                name = body["schema"].get("$ref", "").rsplit("/", 1)[-1]
                for field in schema["components"]["schemas"].get(name, {}).get("properties", {}):
                    if field.endswith("_ids"):
                        payload[field] = [huge]
                    elif field.endswith("_id"):
                        payload[field] = huge
            if str(huge) not in url and not payload:
                continue
            tried += 1
            if method in ("get", "delete"):
                response = getattr(client, method)(url)
            else:
                response = getattr(client, method)(
                    url, data=json.dumps(payload), content_type="application/json"
                )
            if not 400 <= response.status_code < 500:
                failed.append((method, url, response.status_code))
            elif response["Content-Type"].startswith("application/json"):
                assert response.json().get("detail"), (method, url)
    assert tried > 40
    assert failed == []
