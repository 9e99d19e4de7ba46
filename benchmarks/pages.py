"""In-process profile of the key pages: what each costs the web process, without HTTP.

`make bench-web` measures pages against the ceiling over HTTP; this says where a page's
time goes. For each key page of an organization seeded by `benchmarks.web` (or
`manage.py seed_scale`), it runs the page through Django's test client and prints the
median wall and CPU time of the process, its queries and its size, beside `/healthz`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peergroups_bench_web \\
        python -m benchmarks.pages [--slug scale] [--only "member"] [--requests 40] [--profile]

`--profile` adds a cProfile listing (by own CPU time; BENCH_SORT=cumulative and BENCH_ROWS=80
change the order and length) for each page; `--queries` prints each page's SQL with its
time. A benchmark, not a test.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/peergroups_bench_web"  # as benchmarks.web


def django_setup(root: Path = ROOT) -> None:
    """Django in this process, as production runs it (DEBUG off), on the benchmark's
    database (DATABASE_URL, else the one `benchmarks.web` seeds), with the code of `root`
    (another checkout to compare, for `benchmarks.instructions --root`)."""
    os.environ.update(
        DATABASE_URL=os.environ.get("DATABASE_URL") or DEFAULT_URL,
        DEBUG="0",
        SECRET_KEY="benchmark-only-" + "x" * 50,
        ALLOWED_HOSTS="127.0.0.1,testserver",
        SECURE_COOKIES="0",
        DJANGO_SETTINGS_MODULE="peergroups.settings",
    )
    sys.path.insert(0, str(root))
    import django

    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slug", default="scale", help="organization seeded by seed_scale")
    parser.add_argument("--only", default="", help="pages whose name contains this")
    parser.add_argument("--requests", type=int, default=40, help="per page")
    parser.add_argument("--profile", action="store_true", help="cProfile each page")
    parser.add_argument("--queries", action="store_true", help="print each page's SQL")
    args = parser.parse_args()
    django_setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from peergroups.accounts.models import User
    from peergroups.demo.scale import key_pages, logins

    call_command("collectstatic", "--noinput", verbosity=0)  # DEBUG off reads the manifest

    def run(client: Client, path: str, headers: dict, n: int) -> tuple[float, float, int]:
        walls, cpus = [], []
        for _ in range(n):
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get(path, **headers)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            assert response.status_code == 200, (path, response.status_code)
        return (
            1000 * statistics.median(walls),
            1000 * statistics.median(cpus),
            len(response.content),
        )

    wall, cpu, _ = run(Client(SERVER_NAME="127.0.0.1"), "/healthz", {}, args.requests)
    print(f"{'page':<20} {'queries':>7} {'wall ms':>8} {'cpu ms':>7} {'KB':>6}")
    print(f"{'/healthz':<20} {1:>7} {wall:8.2f} {cpu:7.2f} {'':>6}")
    for name, who, path, headers in key_pages(args.slug):
        if args.only not in name:
            continue
        client = Client(SERVER_NAME="127.0.0.1")
        if who:
            client.force_login(User.objects.get(email=logins(args.slug)[who]))
        client.get(path, **headers)  # first-use work (sessions, token last-used)
        captured: list[tuple[float, str]] = []

        def record(execute, sql, params, many, context, captured=captured):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                captured.append((time.perf_counter() - started, sql))

        with connection.execute_wrapper(record):
            client.get(path, **headers)
        wall, cpu, size = run(client, path, headers, args.requests)
        print(f"{name:<20} {len(captured):>7} {wall:8.2f} {cpu:7.2f} {size / 1024:6.1f}")
        if args.queries:
            for seconds, sql in captured:
                print(f"    [{1000 * seconds:.1f} ms] {sql[:300]}")
        if args.profile:
            # CPU time, not the wall clock: a page's wait on the database is not its work.
            profile = cProfile.Profile(time.process_time)
            profile.enable()
            run(client, path, headers, max(5, args.requests // 2))
            profile.disable()
            stats = pstats.Stats(profile).sort_stats(os.environ.get("BENCH_SORT", "tottime"))
            stats.print_stats(int(os.environ.get("BENCH_ROWS", "25")))


if __name__ == "__main__":
    main()
