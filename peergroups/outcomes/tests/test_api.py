"""The outcomes API: the member's own pulse and baseline, group health, program
outcomes; same bounds and refusals as the pages, in the OpenAPI schema."""

from datetime import UTC, date, datetime

import time_machine

from peergroups.api.services import token_create
from peergroups.outcomes.models import Pulse

from .conftest import ANSWERS, add_members, answered_pulse

TODAY = datetime(2031, 6, 15, 12, tzinfo=UTC)
ORG = "/api/organizations/acme"


def bearer(user) -> dict:
    _, raw = token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_a_member_records_a_baseline_answers_the_pulse_and_reads_both(client, cast):
    auth = bearer(cast.member)
    with time_machine.travel(TODAY, tick=False):
        created = client.post(
            ORG + "/outcomes/me/baseline", ANSWERS, content_type="application/json", **auth
        )
        assert created.status_code == 201, created.json()
        again = client.post(
            ORG + "/outcomes/me/baseline", ANSWERS, content_type="application/json", **auth
        )
        assert again.status_code == 409 and "recorded already" in again.json()["detail"]
        body = {**ANSWERS, "meeting_value": 5, "note": "Just mine"}
        pulse = client.post(
            ORG + "/outcomes/me/pulse", body, content_type="application/json", **auth
        )
        assert pulse.status_code == 201 and pulse.json()["month"] == "2031-06-01"
        twice = client.post(
            ORG + "/outcomes/me/pulse", body, content_type="application/json", **auth
        )
        assert twice.status_code == 409
        mine = client.get(ORG + "/outcomes/me", **auth).json()
    assert mine["baseline"]["hours_per_week"] == 55
    assert [p["note"] for p in mine["pulses"]] == ["Just mine"]


def test_out_of_bounds_answers_are_422_with_the_field(client, cast):
    response = client.post(
        ORG + "/outcomes/me/pulse",
        {**ANSWERS, "hours_per_week": 101},
        content_type="application/json",
        **bearer(cast.member),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].endswith("hours_per_week")
    assert not Pulse.objects.exists()


def test_group_health_for_the_facilitator_hides_small_months(client, cast):
    people = [cast.member, cast.member2, *add_members(cast, 3)]
    with time_machine.travel(TODAY, tick=False):
        for person in people:
            answered_pulse(cast, person, date(2031, 6, 1), meeting_value=6)
    with time_machine.travel(datetime(2031, 5, 10, tzinfo=UTC), tick=False):
        answered_pulse(cast, cast.member, date(2031, 5, 1), meeting_value=2)
    with time_machine.travel(datetime(2031, 7, 2, tzinfo=UTC), tick=False):  # June is over
        url = ORG + f"/groups/{cast.group.pk}/health"
        body = client.get(url, **bearer(cast.facilitator)).json()
        assert client.get(url, **bearer(cast.admin)).status_code == 403
        assert client.get(url, **bearer(cast.member)).status_code == 403
    value = next(m for m in body["measures"] if m["key"] == "meeting_value")
    months = {m["month"]: m["figure"] for m in value["months"]}
    assert months["2031-06-01"] == {
        "value": 6.0,
        "people": None,
        "people_band": "5–9",
        "hidden": "",
    }
    assert months["2031-05-01"]["value"] is None and months["2031-05-01"]["hidden"]


def test_program_outcomes_for_admins_only(client, cast):
    response = client.get(ORG + "/outcomes", **bearer(cast.admin))
    assert response.status_code == 200
    assert [r["label"] for r in response.json()["rows"]] == ["All programs", "Leaders 2027"]
    assert client.get(ORG + "/outcomes", **bearer(cast.member)).status_code == 403
    assert client.get(ORG + "/outcomes?cycle=1", **bearer(cast.admin)).status_code == 422
    assert client.get("/api/organizations/globex/outcomes", **bearer(cast.admin)).status_code == 404


def test_the_routes_are_in_the_openapi_schema_with_their_errors(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    pulse = paths["/api/organizations/{org_slug}/outcomes/me/pulse"]["post"]["responses"]
    assert {"201", "401", "403", "404", "409", "422"} <= set(pulse)
    assert "/api/organizations/{org_slug}/groups/{group_id}/health" in paths
    assert "/api/organizations/{org_slug}/outcomes" in paths
