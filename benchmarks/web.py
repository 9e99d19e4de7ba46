"""Web benchmark: the key pages against the framework's ceiling, at 300 and 10,000 members.

Serves the app with gunicorn (gunicorn.conf.py, DEBUG off) and, for each key page of
two organizations built by `seed_scale` (300 and 10,000 members), runs the page and
then the ceiling (`/healthz`: the whole middleware stack and one query) from the same
concurrent clients, alternating, so a shared machine slows both alike. Prints per
page and size: queries, median and 95th-percentile latency and throughput at each
client count, and the ratio of the page's req/s to the ceiling's.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peergroups_bench_web \\
        python -m benchmarks.web [--clients 8,20] [--seconds 2] [--workers 2] [--reuse]

The database is dropped and seeded afresh (about 25 s) unless --reuse finds it seeded.
A benchmark, not a test: compare ratios, and runs made on one machine.
"""

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/peergroups_bench_web"
SIZES = {"small": 300, "scale": 10_000}
CEILING = "/healthz"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def prepare(reuse: bool) -> list[dict]:
    """Seed both organizations; return each key page with its headers and query count."""
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from peergroups.accounts.models import User
    from peergroups.demo.scale import key_pages, logins
    from peergroups.organizations.models import Organization

    call_command("migrate", verbosity=0)
    for slug, members in SIZES.items():
        if not (reuse and Organization.objects.filter(slug=slug).exists()):
            call_command("seed_scale", members=members, slug=slug)
    call_command("collectstatic", "--noinput", verbosity=0)
    pages = []
    for slug in SIZES:
        for name, who, path, headers in key_pages(slug):
            cookie = ""
            client = Client(SERVER_NAME="127.0.0.1")  # never log out: that ends the session
            if who:
                client.force_login(User.objects.get(email=logins(slug)[who]))
                cookie = f"sessionid={client.cookies['sessionid'].value}"
            wsgi_headers = {"HTTP_COOKIE": cookie, **headers} if cookie else headers
            client.get(path, **wsgi_headers)  # first-use work (token last-used, sessions)
            count = 0

            def counter(execute, sql, params, many, context):
                nonlocal count
                count += 1
                return execute(sql, params, many, context)

            with connection.execute_wrapper(counter):
                response = client.get(path, **wsgi_headers)
            assert response.status_code == 200, (path, response.status_code)
            http_headers = {"Cookie": cookie} if cookie else {}
            if "HTTP_AUTHORIZATION" in headers:
                http_headers["Authorization"] = headers["HTTP_AUTHORIZATION"]
            pages.append(
                {
                    "name": name,
                    "slug": slug,
                    "path": path,
                    "headers": http_headers,
                    "queries": count,
                }
            )
    connection.close()
    return pages


def measure(port: int, path: str, headers: dict, clients: int, seconds: float) -> dict:
    """`clients` threads, each on its own keep-alive connection, for `seconds`."""
    latencies: list[float] = []
    failures: list[str] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def work():
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, failed = [], 0
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                failed += response.status != 200
                if response.status != 200 and not failures:
                    failures.append(f"{path}: {response.status}")
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            mine.append(time.perf_counter() - start)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=work) for _ in range(clients)]
    wall = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - wall
    latencies.sort()
    if failures:
        print(failures[0], file=sys.stderr)
    return {
        "errors": errors,
        "p50": 1000 * statistics.median(latencies),
        "p95": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "rps": len(latencies) / wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="8,20", help="client counts, comma-separated")
    parser.add_argument("--seconds", type=float, default=2.0, help="per page and per ceiling")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--reuse", action="store_true", help="keep a seeded database")
    parser.add_argument("--only", default="", help="pages whose name contains this")
    args = parser.parse_args()
    client_counts = [int(c) for c in args.clients.split(",")]

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgres"):
        sys.exit("This benchmark runs on PostgreSQL: set DATABASE_URL=postgres://…")
    env = dict(
        os.environ,
        DATABASE_URL=url,
        DEBUG="0",
        SECRET_KEY="benchmark-only-" + "x" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_COOKIES="0",  # plain HTTP on the loopback
        DJANGO_SETTINGS_MODULE="peergroups.settings",
    )
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    if not args.reuse:
        recreate_database(url)
    django.setup()
    started = time.perf_counter()
    pages = [p for p in prepare(args.reuse) if args.only in p["name"]]
    print(f"Prepared in {time.perf_counter() - started:.0f} s")

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "peergroups.wsgi", "-c", "gunicorn.conf.py"]
        + ["--log-level", "warning"],
        cwd=ROOT,
        env=dict(
            env,
            GUNICORN_BIND=f"127.0.0.1:{port}",
            WEB_CONCURRENCY=str(args.workers),
            GUNICORN_ACCESSLOG="/dev/null",
            GUNICORN_MAX_REQUESTS="0",  # no recycling in the middle of a run
        ),
    )
    try:
        for _ in range(300):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                conn.request("GET", CEILING)
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        print(
            f"gunicorn -c gunicorn.conf.py, workers={args.workers}, {args.seconds:g} s per run, "
            f"ceiling {CEILING}; ratio = page req/s / ceiling req/s in the run just after"
        )
        header = f"{'page':<18} {'members':>7} {'queries':>7}"
        for clients in client_counts:
            header += f" | c={clients:<3} {'p50':>6} {'p95':>6} {'req/s':>6} {'ratio':>5}"
        print(header)
        by_name: dict[str, list[dict]] = {}
        for page in pages:
            by_name.setdefault(page["name"], []).append(page)
        for name, rows in by_name.items():
            for page in rows:
                line = f"{name:<18} {SIZES[page['slug']]:>7,} {page['queries']:>7}"
                for clients in client_counts:
                    row = measure(port, page["path"], page["headers"], clients, args.seconds)
                    ceiling = measure(port, CEILING, {}, clients, args.seconds)
                    flag = "!" if row["errors"] else " "
                    line += (
                        f" | {flag:<5} {row['p50']:6.0f} {row['p95']:6.0f} {row['rps']:6.1f} "
                        f"{row['rps'] / ceiling['rps']:5.2f}"
                    )
                print(line, flush=True)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
