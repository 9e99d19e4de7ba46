"""The formation API: start a run, follow it, read the proposal, publish once."""

from peergroups.api.tests.helpers import bearer
from peergroups.groups.models import PeerGroup


def test_admin_forms_groups_through_the_api(
    client, cast, waiting, django_capture_on_commit_callbacks, run_tasks
):
    auth = bearer(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            f"/api/organizations/acme/programs/{cast.program.pk}/formation-runs",
            {"basis": "region", "min_size": 3, "max_size": 5, "seconds": 1, "seed": 2},
            content_type="application/json",
            **auth,
        )
    assert started.status_code == 201, started.json()
    run_id = started.json()["id"]
    assert started.json()["status"] == "queued"
    early = client.get(f"/api/organizations/acme/formation-runs/{run_id}/proposal", **auth)
    assert early.status_code == 409
    assert "queued" in early.json()["detail"].lower() or "waiting" in early.json()["detail"].lower()

    run_tasks()
    status = client.get(f"/api/organizations/acme/formation-runs/{run_id}", **auth).json()
    assert status["status"] == "done"
    assert status["progress"] == 1.0

    proposal = client.get(f"/api/organizations/acme/formation-runs/{run_id}/proposal", **auth)
    body = proposal.json()
    assert sum(len(g["members"]) for g in body["groups"]) == len(waiting)
    assert all(g["size_ok"] and not g["conflicts"] for g in body["groups"])
    assert all(g["explanation"].startswith("shares: ") for g in body["groups"])

    groups_before = PeerGroup.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        published = client.post(f"/api/organizations/acme/formation-runs/{run_id}/publish", **auth)
    assert published.status_code == 202
    assert published.json()["status"] == "publishing"
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks()
    status = client.get(f"/api/organizations/acme/formation-runs/{run_id}", **auth).json()
    assert (status["status"], status["publish_progress"]) == ("published", 1.0)
    assert PeerGroup.objects.count() == groups_before + len(body["groups"])
    again = client.post(f"/api/organizations/acme/formation-runs/{run_id}/publish", **auth)
    assert again.status_code == 409
    assert "published already" in again.json()["detail"]


def test_bad_run_settings_get_a_json_reason(client, cast, waiting):
    auth = bearer(cast.admin)
    url = f"/api/organizations/acme/programs/{cast.program.pk}/formation-runs"
    response = client.post(
        url,
        {"criteria": [{"attribute": "shoe_size", "mode": "similar", "weight": 1}]},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422
    assert "shoe_size" in response.json()["detail"]
    response = client.post(url, {"max_size": 12}, content_type="application/json", **auth)
    assert response.status_code == 422
    # The start form's sentence, word for word.
    assert response.json()["detail"] == "Groups have between 2 and 10 members."
    assert response.json()["errors"] == [
        {"field": "max_size", "message": "Groups have between 2 and 10 members."}
    ]
    response = client.post(
        url, {"min_size": 6, "max_size": 4}, content_type="application/json", **auth
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "The smallest group cannot be larger than the largest."
