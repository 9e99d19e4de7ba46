"""A formation that cannot be made says which segment, how many people and why, in
words, and offers remedies that work in one click (issue 20, item 3)."""

import pytest
from django.urls import reverse

from peergroups.api.tests.helpers import bearer
from peergroups.formation.models import FormationRun, RunStatus
from peergroups.formation.parameters import Parameters
from peergroups.formation.proposal import Proposal
from peergroups.formation.services import formation_run_start
from peergroups.formation.snapshot import Snapshot
from peergroups.formation.tests.conftest import add_member, params
from peergroups.people.models import NotWith

BY_INDUSTRY = dict(
    basis="industry",
    criteria=[
        {"attribute": "region", "mode": "similar", "weight": 2.0},
        {"attribute": "expertise", "mode": "diverse", "weight": 2.0},
    ],
)


@pytest.fixture
def admin_headers(cast):
    return bearer(cast.admin)


@pytest.fixture
def automotive(cast, waiting):
    """Two people of a third industry who declared they would rather not meet."""
    a = add_member(cast, "auto1@acme.test", "Avery Auto", "Boston", industry="Automotive")
    b = add_member(cast, "auto2@acme.test", "Blake Auto", "Denver", industry="Automotive")
    NotWith.objects.create(organization=cast.organization, user=a, other=b)
    return a, b


def start(cast, capture, run_tasks, **overrides) -> FormationRun:
    with capture(execute=True):
        run = formation_run_start(
            program=cast.program,
            acting_user=cast.admin,
            parameters=params(**{**BY_INDUSTRY, **overrides}),
        )
    run_tasks()
    run.refresh_from_db()
    return run


def test_a_failed_formation_names_the_segment_the_count_and_why_never_who(
    client, cast, automotive, django_capture_on_commit_callbacks, run_tasks
):
    run = start(cast, django_capture_on_commit_callbacks, run_tasks)
    assert run.status == RunStatus.FAILED
    [entry] = run.diagnosis
    assert (entry["segment"], entry["people"]) == ("Automotive", 2)
    assert entry["reason"] == (
        "The industry “Automotive” has 2 people, fewer than the smallest group (3); and 2 of "
        "them must be kept apart from each other (reporting lines, competitors or personal "
        "requests)."
    )
    assert run.error == entry["reason"]
    kinds = [choice["remedy"] for choice in entry["remedies"]]
    assert kinds == ["merge", "set_aside"]  # groups of 2 would not keep them apart either
    client.force_login(cast.admin)
    page = client.get(run.get_absolute_url()).content.decode()
    assert "fewer than the smallest group (3)" in page
    assert "Form mixed groups of the people of “Automotive” and “" in page
    assert "Avery Auto" not in page and "Blake Auto" not in page
    assert "not with" not in page.lower() and "pairwise" not in page


def test_merge_remedy_forms_a_mixed_group_in_one_click(
    client, cast, automotive, django_capture_on_commit_callbacks, run_tasks
):
    run = start(cast, django_capture_on_commit_callbacks, run_tasks)
    client.force_login(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("formation-remedy", args=["acme", run.pk]), {"remedy": "0.0"})
    run_tasks()
    remedied = FormationRun.objects.exclude(pk=run.pk).get()
    assert answer.url == remedied.get_absolute_url()
    remedied.refresh_from_db()
    assert remedied.status == RunStatus.DONE, remedied.error
    assert "Automotive" in remedied.parameters["merge_segments"]
    groups = [g.members for g in Proposal.from_json(remedied.proposal).groups]
    a, b = (user.pk for user in automotive)
    placed = {u for members in groups for u in members}
    assert {a, b} <= placed and len(placed) == 16
    assert not any(a in members and b in members for members in groups)
    # Every group stays within one segment, the merged people counting as one ("Mixed").
    parameters = Parameters.from_json(remedied.parameters)
    snapshot = Snapshot.from_json(remedied.snapshot)
    segment = {p.user_id: parameters.segment_of(p.attributes) for p in snapshot.people}
    assert all(len({segment[u] for u in members}) == 1 for members in groups)
    assert "Mixed" in segment.values()


def test_set_aside_remedy_through_the_api_forms_the_others(
    client, cast, automotive, django_capture_on_commit_callbacks, run_tasks, admin_headers
):
    run = start(cast, django_capture_on_commit_callbacks, run_tasks)
    url = f"/api/organizations/acme/formation-runs/{run.pk}"
    status = client.get(url, **admin_headers).json()
    [entry] = status["diagnosis"]
    choice = next(c for c in entry["remedies"] if c["remedy"] == "set_aside")
    assert "place the 2 people of industry “Automotive” later" in choice["label"]
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            f"{url}/remedy",
            {"remedy": choice["key"]},
            content_type="application/json",
            **admin_headers,
        )
    assert answer.status_code == 201
    run_tasks()
    remedied = FormationRun.objects.get(pk=answer.json()["id"])
    assert remedied.status == RunStatus.DONE, remedied.error
    placed = {u for g in Proposal.from_json(remedied.proposal).groups for u in g.members}
    assert len(placed) == 14 and not placed & {user.pk for user in automotive}
    refused = client.post(
        f"{url}/remedy", {"remedy": "9.9"}, content_type="application/json", **admin_headers
    )
    assert refused.status_code == 422


def test_lowering_the_minimum_is_offered_where_it_helps(
    cast, waiting, django_capture_on_commit_callbacks, run_tasks
):
    add_member(cast, "auto1@acme.test", "Avery Auto", "Boston", industry="Automotive")
    add_member(cast, "auto2@acme.test", "Blake Auto", "Denver", industry="Automotive")
    run = start(cast, django_capture_on_commit_callbacks, run_tasks)
    [entry] = run.diagnosis
    minimum = next(c for c in entry["remedies"] if c["remedy"] == "minimum")
    assert minimum["value"] == 2
    assert minimum["label"] == "Form again with groups of at least 2 (every group of the run)"


def test_criteria_left_at_their_defaults_follow_the_basis_chosen(
    client, cast, waiting, django_capture_on_commit_callbacks
):
    from peergroups.formation.criteria import default_criteria

    cast.program.grouping_basis = "industry"
    cast.program.save()
    client.force_login(cast.admin)
    url = reverse("formation-start", args=["acme", cast.program.pk])
    page = client.get(url)
    form = page.context["form"]
    assert 'Industry <span class="muted">— every group shares one' in page.content.decode()
    data = {
        name: field.initial if field.initial is not None else ""
        for name, field in form.fields.items()
    }
    data |= {"basis": "mixed", "seconds": 1}
    with django_capture_on_commit_callbacks(execute=False):
        answer = client.post(url, data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    run = FormationRun.objects.get()
    assert run.parameters["basis"] == "mixed"
    assert run.parameters["criteria"] == default_criteria("mixed")
    # The table can also start from another basis's defaults before it is changed.
    mixed = client.get(url, {"basis": "mixed"}).context["form"]
    assert mixed["mode_industry"].initial == "similar"


def test_the_program_page_shows_how_its_published_groups_were_formed(
    client, cast, waiting, django_capture_on_commit_callbacks, run_tasks
):
    cast.program.grouping_basis = "industry"
    cast.program.save()
    run = start(cast, django_capture_on_commit_callbacks, run_tasks, basis="mixed")
    assert run.status == RunStatus.DONE
    client.force_login(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("formation-publish", args=["acme", run.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks()
    page = client.get(reverse("organizations-program", args=["acme", cast.program.pk]))
    text = page.content.decode()
    assert "How the groups were formed" in text
    assert "mixed (region and industry); groups of 3–5; comparing region similar ×2" in text
