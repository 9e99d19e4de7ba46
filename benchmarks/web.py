"""Web benchmark: the demo served by gunicorn, requested by concurrent signed-in clients.

Prints median and 95th-percentile latency and throughput per page. A benchmark,
not a test: figures vary with the machine, so compare runs made on one machine.

    python -m benchmarks.web [--clients 8] [--requests 200] [--workers 2]

Uses a fresh SQLite file under var/bench/ unless DATABASE_URL is set. Traffic goes
to 127.0.0.1 only and stops after the given number of requests.
"""

import argparse
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "peergroups-demo"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def signed_in_opener(base: str, email: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"username": email, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(
        f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
    )
    response = opener.open(request)
    if "/accounts/login/" in response.geturl():
        raise SystemExit(f"could not sign in as {email}")
    return opener


def measure(base: str, email: str, path: str, clients: int, total: int) -> dict:
    openers = [signed_in_opener(base, email) for _ in range(clients)]
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_client = max(total // clients, 1)

    def work(opener):
        nonlocal errors
        for _ in range(per_client):
            start = time.perf_counter()
            try:
                opener.open(base + path).read()
                ok = True
            except Exception:  # noqa: BLE001 - any failure counts as an error in the figures
                ok = False
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                errors += not ok

    threads = [threading.Thread(target=work, args=(o,)) for o in openers]
    wall = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - wall
    latencies.sort()
    return {
        "path": path,
        "requests": len(latencies),
        "errors": errors,
        "median_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "per_second": len(latencies) / wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=200, help="per page")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()

    env = dict(
        os.environ,
        DEBUG="0",
        SECRET_KEY="benchmark-only-secret",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_COOKIES="0",  # plain HTTP on the loopback
    )
    if "DATABASE_URL" not in env:
        bench_dir = ROOT / "var" / "bench"
        bench_dir.mkdir(parents=True, exist_ok=True)
        database = bench_dir / "bench.sqlite3"
        database.unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{database}"
    python = sys.executable
    for command in (["migrate", "-v0"], ["seed_demo"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(
            [python, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "peergroups.wsgi",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        pages = [
            ("admin@northwind.example", "/o/northwind/"),
            ("admin@northwind.example", "/o/northwind/members/"),
            ("admin@northwind.example", "/o/northwind/members/?region=Boston&intake=complete"),
            ("admin@northwind.example", "/api/organizations/northwind/members?limit=50"),
        ]
        print(
            f"gunicorn workers={args.workers}, clients={args.clients}, "
            f"requests per page={args.requests}, database={env['DATABASE_URL'].split(':')[0]}"
        )
        print(f"{'page':58} {'median ms':>10} {'p95 ms':>8} {'req/s':>7} {'errors':>6}")
        for email, path in pages:
            row = measure(base, email, path, args.clients, args.requests)
            print(
                f"{path:58} {row['median_ms']:10.1f} {row['p95_ms']:8.1f} "
                f"{row['per_second']:7.1f} {row['errors']:6d}"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
