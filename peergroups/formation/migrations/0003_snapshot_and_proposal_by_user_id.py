"""Snapshots name pairs by user id (not by position); proposals keep each group's figures.

Old rows: conflicts and history were [index, index], the proposal
{"groups": [[user_id, ...]], "facilitators": [...]}. Scores of old proposals are left
empty; the review page computes them when it shows the run.
"""

from django.db import migrations


def by_user_id(apps, schema_editor):
    FormationRun = apps.get_model("formation", "FormationRun")
    for run in FormationRun.objects.all().iterator():
        people = run.snapshot.get("people") or []
        ids = [person["user_id"] for person in people]
        if ids:
            run.snapshot["conflicts"] = [
                [ids[a], ids[b], why] for a, b, why in run.snapshot.get("conflicts", [])
            ]
            run.snapshot["history"] = [[ids[a], ids[b]] for a, b in run.snapshot.get("history", [])]
        run.proposal = _proposal(run.proposal)
        run.undo_stack = [_proposal(old) for old in run.undo_stack or []]
        run.save(update_fields=["snapshot", "proposal", "undo_stack"])


def _proposal(old: dict) -> dict:
    if not old or "facilitators" not in old:
        return old
    return {
        "groups": [
            {"members": members, "facilitator_id": facilitator_id}
            for members, facilitator_id in zip(old["groups"], old["facilitators"], strict=True)
        ]
    }


def by_index(apps, schema_editor):
    FormationRun = apps.get_model("formation", "FormationRun")
    for run in FormationRun.objects.all().iterator():
        people = run.snapshot.get("people") or []
        index = {person["user_id"]: i for i, person in enumerate(people)}
        if index:
            run.snapshot["conflicts"] = [
                [index[a], index[b], why] for a, b, why in run.snapshot.get("conflicts", [])
            ]
            run.snapshot["history"] = [
                [index[a], index[b]] for a, b in run.snapshot.get("history", [])
            ]
        run.proposal = _old_proposal(run.proposal)
        run.undo_stack = [_old_proposal(p) for p in run.undo_stack or []]
        run.save(update_fields=["snapshot", "proposal", "undo_stack"])


def _old_proposal(new: dict) -> dict:
    if not new or "facilitators" in new:
        return new
    return {
        "groups": [g["members"] for g in new["groups"]],
        "facilitators": [g.get("facilitator_id") for g in new["groups"]],
    }


class Migration(migrations.Migration):
    dependencies = [("formation", "0002_formationrun_reproducible")]

    operations = [migrations.RunPython(by_user_id, by_index)]
