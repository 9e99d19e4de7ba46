"""The resources and network API: JSON in and out, errors with a reason, the schema."""

from django.urls import reverse

from peergroups.api.api import api


def api_url(name, **kwargs):
    return reverse(f"api:{name}", kwargs={"org_slug": "acme", **kwargs})


def test_create_search_vote_and_withdraw(accepted, client):
    client.force_login(accepted.member)
    created = client.post(
        api_url("api-resources-create"),
        {
            "kind": "practice",
            "title": "Weekly pipeline review",
            "summary": "45 minutes.",
            "topics": ["sales"],
            "scope": "group",
            "group_id": accepted.group.pk,
            "url": "https://example.org/pipeline",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    resource_id = created.json()["id"]
    client.force_login(accepted.member2)
    found = client.get(api_url("api-resources-search"), {"q": "pipelin"}).json()
    assert found["count"] == 1 and found["items"][0]["id"] == resource_id
    assert "<mark>" in found["items"][0]["snippet_html"] or found["items"][0]["title"]
    vote = client.put(api_url("api-resources-vote", resource_id=resource_id))
    assert vote.json() == {"useful_count": 1, "voted": True}
    client.force_login(accepted.other_member)
    assert client.get(api_url("api-resources-detail", resource_id=resource_id)).status_code == 403
    client.force_login(accepted.member)
    gone = client.delete(api_url("api-resources-withdraw", resource_id=resource_id))
    assert gone.status_code == 204
    again = client.get(api_url("api-resources-detail", resource_id=resource_id))
    assert again.status_code == 410 and "withdrawn" in again.json()["detail"]


def test_bad_input_is_422_with_the_field(accepted, client):
    client.force_login(accepted.member)
    response = client.post(
        api_url("api-resources-create"),
        {
            "kind": "practice",
            "title": "x" * 161,
            "summary": "s",
            "topics": ["sales"],
            "scope": "organization",
            "url": "https://example.org",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "title"
    response = client.post(
        api_url("api-resources-create"),
        {
            "kind": "practice",
            "title": "t",
            "summary": "s",
            "topics": ["astrology"],
            "scope": "organization",
            "url": "https://example.org",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Unknown topic: astrology.",
        "errors": [{"field": "topics", "message": "Unknown topic: astrology."}],
    }


def test_every_status_is_in_the_schema():
    paths = api.get_openapi_schema()["paths"]
    search = paths["/api/organizations/{org_slug}/resources/search"]["get"]["responses"]
    assert set(map(int, search)) == {200, 400, 401, 404, 422}
    ask = paths["/api/organizations/{org_slug}/questions"]["post"]["responses"]
    assert set(map(int, ask)) == {201, 400, 401, 403, 404, 409, 422, 429}
    one = paths["/api/organizations/{org_slug}/resources/{resource_id}"]
    assert set(map(int, one["delete"]["responses"])) == {204, 400, 401, 403, 404, 409, 410, 422}


def test_network_api_round_trip(accepted, client):
    client.force_login(accepted.member2)
    listed = client.put(
        api_url("api-directory-me"),
        {"listed": True, "ask_me_about": "Hiring", "ask_me_about_topics": ["hiring"]},
        content_type="application/json",
    )
    assert listed.status_code == 200 and listed.json()["listed"] is True
    client.force_login(accepted.member)
    people = client.get(api_url("api-directory"), {"expertise": "hiring"}).json()
    assert [p["name"] for p in people["items"]] == ["Max Member"]
    proposals = client.post(
        api_url("api-questions-proposals"),
        {"topics": ["hiring"]},
        content_type="application/json",
    ).json()
    assert proposals[0]["reasons"] == ["Ask me about: Hiring"]
    asked = client.post(
        api_url("api-questions-create"),
        {"title": "Hire fast?", "body": "How?", "topics": ["hiring"], "anonymous": True},
        content_type="application/json",
    )
    assert asked.status_code == 201
    question_id = asked.json()["id"]
    client.force_login(accepted.member2)
    seen = client.get(api_url("api-question", question_id=question_id)).json()
    assert seen["asker"] == "A peer (anonymous)" and seen["role"] == "recipient"
    answered = client.post(
        api_url("api-question-answer", question_id=question_id),
        {"body": "Referrals."},
        content_type="application/json",
    )
    assert answered.status_code == 201
    client.force_login(accepted.member)
    mine = client.get(api_url("api-question", question_id=question_id)).json()
    assert [a["body"] for a in mine["answers"]] == ["Referrals."]
