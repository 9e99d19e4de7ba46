"""Formation benchmark: the demo program (about 130 people with a complete intake) formed anew.

Prints the wall time of the run and its score against a random grouping of the
same shape and a greedy grouping (each person, in random order, joins the group
where they add the most affinity, respecting sizes and conflicts). A benchmark,
not a test.

    python -m benchmarks.formation [--seconds 10] [--seeds 1,2,3]

With --members, the whole organization "scale" of a database seeded by `manage.py
seed_scale --members N` is formed anew through the service and the task function,
the task in a fresh process, and the benchmark prints its wall time and peak memory
(the proposal target at 10,000 people: 60 s and 1 GB):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peergroups_bench_web \
        python -m benchmarks.formation --members 10000 --seconds 30
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def greedy(problem, affinity, sizes: list[int], seed: int) -> list[list[int]] | None:
    """Each person joins the open group where they fit best (mean affinity to its members).

    People with the most conflicts go first (the usual rule that keeps a greedy
    placement feasible), the rest in random order; groups get the proposal's sizes,
    so both groupings have the same shape. None when someone cannot be placed.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    conflicts = {(a, b) for a, b in problem.cannot_link} | {(b, a) for a, b in problem.cannot_link}
    segment = problem.segments or (None,) * problem.n
    groups: list[list[int]] = [[] for _ in sizes]
    degree = [0] * problem.n
    for a, b in problem.cannot_link:
        degree[a] += 1
        degree[b] += 1
    shuffled = rng.permutation(problem.n).tolist()
    for person in sorted(shuffled, key=lambda p: -degree[p]):
        best, best_gain = None, None
        for g, members in enumerate(groups):
            if len(members) >= sizes[g]:
                continue
            if members and segment[members[0]] != segment[person]:
                continue
            if any((person, other) in conflicts for other in members):
                continue
            # An empty group is opened first (one seed per group), then people join
            # the group they fit best on average.
            gain = float(affinity[person, members].mean()) if members else float("inf")
            key = (gain, -len(members))
            if best is None or key > best_gain:
                best, best_gain = g, key
        if best is None:
            return None
        groups[best].append(person)
    return groups


def score(affinity, groups) -> float:
    import numpy as np

    return float(sum(affinity[np.ix_(g, g)].sum() / 2 for g in groups))


def execute_one(run_id: int) -> None:
    """In a fresh process: the formation task on one run; prints wall time and peak RSS."""
    import resource

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peergroups.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from peergroups.formation.tasks import formation_run_task

    started = time.perf_counter()
    formation_run_task.call(run_id)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    print(f"task: wall {wall:.1f} s, peak RSS {peak:.0f} MB")


def at_scale(members: int, seconds: float, seed: int) -> None:
    """Form the organization "scale" anew through the service and the task (in a fresh
    process, so that its peak memory is the task's own)."""
    import subprocess

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peergroups.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from peergroups.accounts.models import User
    from peergroups.formation import services
    from peergroups.formation.criteria import default_criteria
    from peergroups.formation.models import FormationRun, RunStatus
    from peergroups.formation.parameters import MODE_NEW_CYCLE, Parameters
    from peergroups.organizations.models import Program

    program = Program.objects.get(organization__slug="scale")
    admin = User.objects.get(email="admin@scale.example")
    FormationRun.objects.filter(program=program).delete()
    parameters = Parameters(
        mode=MODE_NEW_CYCLE,
        basis=program.grouping_basis,
        criteria=default_criteria(program.grouping_basis),
        min_size=program.min_group_size,
        max_size=program.max_group_size,
        seconds=seconds,
        seed=seed,
        history_penalty=1.0,
    )
    started = time.perf_counter()
    run = services.formation_run_start(program=program, acting_user=admin, parameters=parameters)
    start_wall = time.perf_counter() - started
    print(
        f"{program.name}: {run.people_count:,} people waiting ({members:,} seeded), basis "
        f"{program.grouping_basis}, groups of {parameters.min_size}-{parameters.max_size}, "
        f"budget {seconds:g} s; start (snapshot) {start_wall:.1f} s"
    )
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "benchmarks.formation", "--execute", str(run.pk)],
        check=True,
        cwd=ROOT,
    )
    total = time.perf_counter() - started
    run = FormationRun.objects.get(pk=run.pk)
    assert run.status == RunStatus.DONE, (run.status, run.error)
    print(
        f"proposal: {len(run.proposal['groups']):,} groups, score {run.best_objective:.1f} "
        f"(random {run.baselines['random']:.1f}), {run.iterations:,} search steps, "
        f"stopped: {run.stopped}; process wall {total:.1f} s "
        f"(load average {os.getloadavg()[0]:.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--members", type=int, help="form the seed_scale organization")
    parser.add_argument("--execute", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    if args.execute:
        execute_one(args.execute)
        return
    if args.members:
        at_scale(args.members, args.seconds, seeds[0])
        return

    workdir = tempfile.mkdtemp(prefix="peergroups-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/formation.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peergroups.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from peergroups.accounts.models import User
    from peergroups.demo.seed import ADMIN_EMAIL
    from peergroups.formation import services
    from peergroups.formation.criteria import default_criteria
    from peergroups.formation.execute import formation_run_execute, run_problem
    from peergroups.formation.models import FormationRun
    from peergroups.formation.parameters import MODE_NEW_CYCLE, Parameters
    from peergroups.formation.proposal import Proposal
    from peergroups.formation.snapshot import Snapshot
    from peergroups.organizations.models import Program

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    program = Program.objects.get()
    admin = User.objects.get(email=ADMIN_EMAIL)
    rows = []
    for seed in seeds:
        parameters = Parameters(
            mode=MODE_NEW_CYCLE,
            basis=program.grouping_basis,
            criteria=default_criteria(program.grouping_basis),
            min_size=program.min_group_size,
            max_size=program.max_group_size,
            seconds=args.seconds,
            seed=seed,
            history_penalty=0.0,
        )
        run = services.formation_run_start(
            program=program, acting_user=admin, parameters=parameters
        )
        started = time.perf_counter()
        formation_run_execute(run.pk)
        wall = time.perf_counter() - started
        run = FormationRun.objects.get(pk=run.pk)
        problem = run_problem(Snapshot.from_json(run.snapshot), parameters)
        affinity = problem.affinity
        sizes = [len(g.members) for g in Proposal.from_json(run.proposal).groups]
        count = len(sizes)
        greedy_groups = greedy(problem, affinity, sizes, seed)
        rows.append(
            {
                "seed": seed,
                "people": problem.n,
                "groups": count,
                "wall_s": wall,
                "ours": run.best_objective,
                "bound": run.upper_bound,
                "random": run.baselines["random"],
                "greedy": score(affinity, greedy_groups) if greedy_groups else float("nan"),
            }
        )
    print(
        f"demo program, {rows[0]['people']} people, {rows[0]['groups']} groups, "
        f"budget {args.seconds:g} s, default criteria ({program.grouping_basis})"
    )
    print(f"{'seed':>4} {'wall s':>7} {'ours':>9} {'greedy':>9} {'random':>9} {'bound':>9}")
    for row in rows:
        print(
            f"{row['seed']:>4} {row['wall_s']:7.2f} {row['ours']:9.1f} {row['greedy']:9.1f} "
            f"{row['random']:9.1f} {row['bound'] or float('nan'):9.1f}"
        )
    ours = statistics.median(r["ours"] for r in rows)
    print(
        f"median: ours {ours:.1f}; ours/greedy {ours / statistics.median(r['greedy'] for r in rows):.3f}; "
        f"ours/random {ours / statistics.median(r['random'] for r in rows):.3f}"
    )


if __name__ == "__main__":
    main()
