"""One error mapping: pages show the rule's sentence on the site's error page, the API
answers JSON with a `detail`, and a refusal writes one log line, not a traceback."""

import logging

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

GROUP_TEXT_REFUSAL = "What a group discusses stays with its members and facilitator"


def test_a_refusal_is_the_styled_page_with_the_reason_and_the_navigation(client, cast):
    client.force_login(cast.admin)
    response = client.get(reverse("meetings-list", args=["acme", cast.group.pk]))
    assert response.status_code == 403
    assert "errors/error.html" in [t.name for t in response.templates]
    page = response.text
    assert GROUP_TEXT_REFUSAL in page
    assert reverse("organizations-dashboard", args=["acme"]) in page  # the site's navigation
    assert "<h1" in page and "Not allowed" in page


def test_a_missing_object_and_a_missing_page_are_styled_404s(client, cast):
    client.force_login(cast.member)
    response = client.get(reverse("groups-detail", args=["acme", 999_999]))
    assert response.status_code == 404
    assert "errors/error.html" in [t.name for t in response.templates]
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "There is no such page." in response.text


def test_a_refusal_logs_one_line_and_no_traceback(client, cast, caplog):
    client.force_login(cast.admin)
    with caplog.at_level(logging.INFO):
        client.get(reverse("meetings-list", args=["acme", cast.group.pk]))
    refusals = [r for r in caplog.records if r.name == "peergroups.refusals"]
    assert len(refusals) == 1
    assert GROUP_TEXT_REFUSAL in refusals[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info], "a refusal is not an exception to log"
    assert not [r for r in caplog.records if r.name == "django.request"]


def test_htmx_gets_the_reason_as_a_fragment(client, cast):
    client.force_login(cast.admin)
    response = client.get(
        reverse("meetings-list", args=["acme", cast.group.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 403
    assert response.text.strip().startswith('<p class="inline-error" role="alert"')
    assert GROUP_TEXT_REFUSAL in response.text
    assert "<html" not in response.text


def test_the_api_answers_the_same_refusal_as_json(client, cast):
    client.force_login(cast.admin)
    url = reverse("api:api-meetings-list", kwargs={"org_slug": "acme", "group_id": cast.group.pk})
    response = client.get(url)
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"].startswith(GROUP_TEXT_REFUSAL)


def test_invalid_api_input_names_each_field(client, cast):
    client.force_login(cast.member)
    url = reverse("api:api-meetings-issues", kwargs={"org_slug": "acme", "group_id": cast.group.pk})
    response = client.post(url, {"title": 7}, content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"].startswith("The request is not valid")
    fields = {error["field"] for error in body["errors"]}
    assert {"title", "category", "situation", "ask"} <= fields


def test_an_unparseable_api_body_is_a_json_400(client, cast):
    client.force_login(cast.member)
    url = reverse("api:api-meetings-issues", kwargs={"org_slug": "acme", "group_id": cast.group.pk})
    response = client.post(url, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()
