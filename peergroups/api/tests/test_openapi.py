from django.urls import reverse


def test_openapi_schema_lists_routes_and_bearer_scheme(client, db):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Peergroups API"
    assert set(schema["paths"]) >= {
        "/api/me",
        "/api/organizations",
        "/api/organizations/{org_slug}/programs",
        "/api/organizations/{org_slug}/members",
    }
    schemes = schema["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"} in schemes.values()
    members = schema["paths"]["/api/organizations/{org_slug}/members"]["get"]
    parameters = {p["name"] for p in members["parameters"]}
    assert parameters >= {"org_slug", "region", "industry", "program", "intake", "limit", "offset"}
    assert {"401", "403", "404"} <= set(members["responses"])
    # Every operation requires authentication.
    for path in schema["paths"].values():
        for operation in path.values():
            assert operation["security"]


def test_every_operation_has_a_url_name(db):
    assert reverse("api:api-me") == "/api/me"
    assert reverse("api:api-organizations") == "/api/organizations"
    assert reverse("api:api-programs", kwargs={"org_slug": "acme"}) == (
        "/api/organizations/acme/programs"
    )
    assert reverse("api:api-members", kwargs={"org_slug": "acme"}) == (
        "/api/organizations/acme/members"
    )


def test_interactive_docs_are_served(client, db):
    assert client.get("/api/docs").status_code == 200


def test_unknown_api_path_is_json_404(client, db):
    for url in ("/api/nope", "/api/me/", "/api/organizations/acme/programs/5/extra"):
        response = client.get(url)
        assert response.status_code == 404
        assert "No such endpoint" in response.json()["detail"]
    assert "/api/{rest}" not in client.get("/api/openapi.json").json()["paths"]


def test_a_method_an_endpoint_does_not_take_is_json_405(client, db):
    # Publishing takes POST only: GET says so, in JSON, like every API error.
    response = client.get("/api/organizations/acme/formation-runs/5/publish")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json() == {"detail": "GET is not allowed here; this endpoint takes POST."}
