"""Formation review benchmark: a proposal of the whole 10,000-member scale organization
(groups of 9, about 1,000) stored as a finished run with its snapshot indexed as the
task leaves it; times the review page and edits (moves, swaps, undos: each request as
htmx sends it, answered with the re-scored page) in-process, and prints the sizes of
the run's JSON. A benchmark, not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peergroups_bench_web \\
        python -m benchmarks.review   # after `python -m benchmarks.web` seeded that database

Replaces the formation runs of the organization "scale".
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(call, repeat: int) -> tuple[object, float]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return result, statistics.median(times)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peergroups.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from peergroups.accounts.models import User
    from peergroups.formation.criteria import default_criteria
    from peergroups.formation.models import FormationRun, RunStatus
    from peergroups.formation.parameters import Parameters
    from peergroups.formation.proposal import Proposal, ProposedGroup, group_figured
    from peergroups.formation.snapshot import snapshot_index, snapshot_take
    from peergroups.organizations.models import Program

    settings.ALLOWED_HOSTS = ["*"]
    program = Program.objects.get(organization__slug="scale")
    admin = User.objects.get(email="admin@scale.example")
    started = time.perf_counter()
    snapshot = snapshot_take(program, cycle=2, everyone=True)
    parameters = Parameters(
        mode="mixed",
        basis=program.grouping_basis,
        criteria=default_criteria(program.grouping_basis),
        min_size=6,
        max_size=10,
        seconds=5,
        seed=1,
        history_penalty=0.0,
    )
    ids = [person.user_id for person in snapshot.people]
    seats = [f.user_id for f in snapshot.facilitators for _ in range(f.free)]
    groups = []
    for start in range(0, len(ids) - 8, 9):
        group = ProposedGroup(
            members=tuple(ids[start : start + 9]),
            facilitator_id=seats[len(groups)] if len(groups) < len(seats) else None,
        )
        groups.append(
            group_figured(snapshot=snapshot, parameters=parameters, index=len(groups), group=group)
        )
    FormationRun.objects.filter(program=program).delete()
    run = FormationRun.objects.create(
        organization=program.organization,
        program=program,
        cycle=2,
        status=RunStatus.DONE,
        parameters=parameters.as_json(),
        snapshot=snapshot.as_json(),
        proposal=Proposal(groups=tuple(groups)).as_json(),
        created_by=admin,
    )
    run.snapshot_facts = snapshot_index(run, snapshot)  # as the task leaves a run
    run.save(update_fields=["snapshot_facts"])
    print(
        f"run: {len(ids):,} people, {len(groups):,} groups "
        f"(built in {time.perf_counter() - started:.0f} s)"
    )
    client = Client()
    client.force_login(admin)
    kwargs = {"org_slug": "scale", "run_id": run.pk}
    page, seconds = timed(lambda: client.get(reverse("formation-run", kwargs=kwargs)), 3)
    print(
        f"review page: {page.status_code}, {len(page.content) / 1e6:.2f} MB, "
        f"{page.content.count(b'<option'):,} <option>s, median {seconds:.2f} s"
    )
    count = len(groups)
    edits = []  # (kind, url, data): 20 moves, 20 swaps, 10 undos, each group touched once
    for k in range(20):
        edits.append(
            (
                "move",
                "formation-move",
                {"user_id": groups[k].members[0], "to_group": count - k, "page": 1},
            )
        )
        a, b = groups[100 + k].members[1], groups[300 + k].members[2]
        edits.append(("swap", "formation-swap", {"user_a": a, "user_b": b, "page": 1}))
        if k % 4 == 3:
            edits.append(("undo", "formation-undo", {"page": 1}))
    times: dict[str, list[float]] = {"move": [], "swap": [], "undo": []}
    for kind, name, data in edits:
        started = time.perf_counter()
        response = client.post(reverse(name, kwargs=kwargs), data, HTTP_HX_REQUEST="true")
        times[kind].append(time.perf_counter() - started)
        assert response.status_code == 200, (kind, response.status_code, response.content[:300])
    every = [t for kind in times.values() for t in kind]
    for kind, values in times.items():
        print(
            f"{kind} (htmx, answers the re-scored page): median {statistics.median(values) * 1e3:.0f} ms over {len(values)}"
        )
    print(
        f"edits: median {statistics.median(every) * 1e3:.0f} ms, max {max(every) * 1e3:.0f} ms "
        f"over {len(every)} edits (load average {os.getloadavg()[0]:.2f})"
    )
    run.refresh_from_db()
    print(
        f"run JSON: snapshot {len(json.dumps(run.snapshot)) / 1e6:.1f} MB, proposal "
        f"{len(json.dumps(run.proposal)) / 1e6:.2f} MB, undo stack "
        f"{len(json.dumps(run.undo_stack)) / 1e3:.0f} kB after {len(every)} edits"
    )


if __name__ == "__main__":
    main()
