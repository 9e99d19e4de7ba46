"""Formation publish benchmark: a proposal of the whole 10,000-member scale organization
(groups of 9, about 1,100) stored as a finished run, then published the way the worker
does it (`formation_run_publish_execute`), timed with its query count, and one batch of
welcome e-mails. Everything runs in one transaction rolled back at the end, so the
database is left as it was. A benchmark, not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peergroups_bench_web \\
        python -m benchmarks.publish   # after `python -m benchmarks.web` seeded that database
"""

import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class _Rollback(Exception):
    pass


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peergroups.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from peergroups.accounts.models import User
    from peergroups.formation.criteria import default_criteria
    from peergroups.formation.models import FormationRun, RunStatus
    from peergroups.formation.parameters import Parameters
    from peergroups.formation.proposal import Proposal, ProposedGroup
    from peergroups.formation.publish import (
        WELCOME_BATCH,
        formation_run_publish_execute,
        formation_run_publish_request,
    )
    from peergroups.formation.snapshot import snapshot_take
    from peergroups.formation.tasks import groups_welcome_send
    from peergroups.groups.models import PeerGroup
    from peergroups.organizations.models import Program

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    program = Program.objects.get(organization__slug="scale")
    admin = User.objects.get(email="admin@scale.example")
    cycle = 1 + max(PeerGroup.objects.filter(program=program).values_list("cycle", flat=True))
    snapshot = snapshot_take(program, cycle=cycle, everyone=True)
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
    groups = [
        ProposedGroup(
            members=tuple(ids[start : start + 9]),
            facilitator_id=seats[n] if n < len(seats) else None,
        )
        for n, start in enumerate(range(0, len(ids) - 8, 9))
    ]
    try:
        with transaction.atomic():
            run = FormationRun.objects.create(
                organization=program.organization,
                program=program,
                cycle=cycle,
                status=RunStatus.DONE,
                parameters=parameters.as_json(),
                snapshot=snapshot.as_json(),
                proposal=Proposal(groups=tuple(groups)).as_json(),
                created_by=admin,
            )
            people = sum(len(g.members) for g in groups)
            print(f"proposal: {people:,} people in {len(groups):,} groups, cycle {cycle}")
            started = time.perf_counter()
            formation_run_publish_request(run=run, acting_user=admin)
            print(f"publish request (the web request): {time.perf_counter() - started:.2f} s")
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                formation_run_publish_execute(run.pk)
            seconds = time.perf_counter() - started
            run.refresh_from_db()
            grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024
            print(
                f"publish (the worker): {run.status}, {seconds:.1f} s, "
                f"{len(queries):,} queries, peak memory +{grown:.0f} MB {run.publish_error}"
            )
            batch = list(
                PeerGroup.objects.filter(program=program, cycle=cycle)
                .order_by("pk")
                .values_list("pk", flat=True)[:WELCOME_BATCH]
            )
            from django.core import mail

            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                groups_welcome_send.call(batch)
            print(
                f"welcome e-mails, one batch of {len(batch)} groups: {len(mail.outbox)} e-mails, "
                f"{time.perf_counter() - started:.2f} s, {len(queries)} queries"
            )
            raise _Rollback
    except _Rollback:
        print("rolled back: the database is as it was")


if __name__ == "__main__":
    main()
