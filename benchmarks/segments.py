"""Segment tasks benchmark: one formation "by region" of about 9,000 people in six
segments, formed with 1, 2 and 4 worker processes (`manage.py worker` on the formation
queue); prints the wall time from queueing the run to its proposal for each.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peergroups_bench_web \\
        python -m benchmarks.segments [--workers 1,2,4] [--seconds 30] [--segments 6]

Needs the organization "scale" (`manage.py seed_scale --members 10000`). Its people
are relabelled into `--segments` regions of about the same size by user id (the
scale fixture has five regions of unequal size), in the run's snapshot only. The run's
budget is shared between segments by search cost (people squared), as in one task, so
each worker count does the same search work. A benchmark, not a test: with fewer
cores than workers, the figures show it (the load average is printed).
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--segments", type=int, default=6)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peergroups.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from peergroups.accounts.models import User
    from peergroups.formation.criteria import default_criteria
    from peergroups.formation.models import FormationPart, FormationRun, RunStatus
    from peergroups.formation.parameters import MODE_NEW_CYCLE, Parameters
    from peergroups.formation.snapshot import snapshot_facts, snapshot_take
    from peergroups.formation.tasks import formation_run_task
    from peergroups.ops.models import WorkerHeartbeat
    from peergroups.organizations.models import GroupingBasis, Program

    program = Program.objects.get(organization__slug="scale")
    admin = User.objects.get(email="admin@scale.example")
    snapshot = snapshot_take(program, cycle=2, everyone=True).as_json()
    for person in snapshot["people"]:
        person["region"] = f"Region {person['user_id'] % args.segments + 1}"
    parameters = Parameters(
        mode=MODE_NEW_CYCLE,
        basis=GroupingBasis.REGION,
        criteria=default_criteria(GroupingBasis.REGION),
        min_size=program.min_group_size,
        max_size=program.max_group_size,
        seconds=args.seconds,
        seed=1,
        history_penalty=1.0,
    )
    from peergroups.formation.snapshot import Snapshot

    facts = snapshot_facts(Snapshot.from_json(snapshot))
    print(
        f"{len(snapshot['people']):,} people in {args.segments} segments, budget "
        f"{args.seconds:g} s shared by search cost; {os.cpu_count()} CPUs"
    )
    rows = []
    for count in [int(w) for w in args.workers.split(",")]:
        FormationRun.objects.filter(program=program).delete()
        DBTaskResult.objects.filter(queue_name="formation").delete()
        WorkerHeartbeat.objects.all().delete()
        connection.close()
        workers = [
            subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "worker",
                    "--queue-name",
                    "formation",
                    "--no-startup-delay",
                    "--interval",
                    "0.2",
                    "--worker-id",
                    f"bench-{i}",
                ],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            for i in range(count)
        ]
        try:
            while WorkerHeartbeat.objects.count() < count:  # warm: the engine is loaded
                time.sleep(0.2)
            run = FormationRun.objects.create(
                organization=program.organization,
                program=program,
                cycle=2,
                parameters=parameters.as_json(),
                snapshot=snapshot,
                snapshot_facts=facts,
                created_by=admin,
            )
            load = os.getloadavg()[0]
            started = time.perf_counter()
            formation_run_task.enqueue(run.pk)
            while True:
                run.refresh_from_db(fields=["status", "parts_done", "error"])
                if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
                    break
                time.sleep(0.2)
            wall = time.perf_counter() - started
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=30)
        assert run.status == RunStatus.DONE, (run.status, run.error)
        parts = FormationPart.objects.filter(run=run)
        searching = sum(p.seconds for p in parts)
        taken = DBTaskResult.objects.filter(
            task_path="peergroups.formation.execute.formation_part_task"
        ).values_list("worker_ids", flat=True)
        used = len({w for ids in taken for w in ids})
        rows.append((count, wall, searching, used, load, os.getloadavg()[0]))
        print(
            f"{count} worker(s): {wall:.1f} s wall, parts searched {searching:.1f} s in all "
            f"on {used} worker(s)",
            flush=True,
        )
    print(f"{'workers':>7} {'wall s':>7} {'speed-up':>8} {'load before':>11} {'load after':>10}")
    for count, wall, _, _, before, after in rows:
        print(f"{count:>7} {wall:7.1f} {rows[0][1] / wall:8.2f} {before:11.2f} {after:10.2f}")


if __name__ == "__main__":
    main()
