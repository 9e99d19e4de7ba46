"""Instructions per request of the key pages, counted by valgrind: a figure that two runs
agree on to a fraction of a percent, where CPU milliseconds on a shared two-core machine
move by half between runs.

For each page of `benchmarks.pages` that a person signs in to (the organization seeded by
`manage.py seed_scale`), the page is requested 8 times to warm up, then callgrind's
counters are zeroed, the page is requested `--requests` times and the counters dumped;
the figure is the dumped count divided by the requests. `--root` measures another
checkout (a `git worktree` of the commit to compare) against the same database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peergroups_bench_web \\
        python -m benchmarks.instructions [--only "group page"] [--root ../base]

Needs valgrind (Debian's `valgrind` package); about a minute and a half to start, then
some seconds a page. A benchmark, not a test.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.pages import django_setup

ROOT = Path(__file__).resolve().parent.parent
WARM = 8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slug", default="scale", help="organization seeded by seed_scale")
    parser.add_argument("--only", default="", help="pages whose name contains this")
    parser.add_argument("--requests", type=int, default=10, help="per page, counted")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to measure")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        requests_under_valgrind(args)
        return
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        command = [
            *("valgrind", "--tool=callgrind", f"--callgrind-out-file={out}.%p"),
            *(sys.executable, "-m", "benchmarks.instructions", "--inside"),
            *("--slug", args.slug, "--only", args.only, "--requests", str(args.requests)),
            *("--root", str(args.root.resolve())),
        ]
        environment = {**os.environ, "PYTHONHASHSEED": "0"}
        done = subprocess.run(
            command, cwd=ROOT, env=environment, capture_output=True, text=True, check=False
        )
        pages = [line.split("\t", 1)[1] for line in done.stdout.splitlines() if "\t" in line]
        # One dump per page, numbered in order after the process id: callgrind.out.<pid>.<n>
        dumps = sorted(
            (path for path in Path(folder).iterdir() if re.search(r"\.\d+\.\d+$", path.name)),
            key=lambda path: int(path.name.rsplit(".", 1)[1]),
        )
        if done.returncode != 0 or len(dumps) != len(pages):
            sys.exit(f"valgrind run failed:\n{done.stderr[-3000:]}")
        print(f"{args.root.resolve()}: millions of instructions per request")
        for page, dump in zip(pages, dumps, strict=True):
            total = re.search(r"^(?:summary|totals):\s*(\d+)", dump.read_text(), re.M)
            print(f"{page:<20} {int(total.group(1)) / args.requests / 1e6:8.2f}")


def requests_under_valgrind(args) -> None:
    os.chdir(args.root)
    django_setup(args.root)
    from django.core.management import call_command
    from django.test import Client

    from peergroups.accounts.models import User
    from peergroups.demo.scale import key_pages, logins

    call_command("collectstatic", "--noinput", verbosity=0)  # DEBUG off reads the manifest
    pid = str(os.getpid())

    def callgrind(option: str) -> None:
        subprocess.run(["callgrind_control", option, pid], check=True, capture_output=True)

    for name, who, path, _headers in key_pages(args.slug):
        if not who or args.only not in name:
            continue
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(User.objects.get(email=logins(args.slug)[who]))
        for _ in range(WARM):
            assert client.get(path).status_code == 200, path
        callgrind("--zero")
        for _ in range(args.requests):
            client.get(path)
        callgrind("--dump")
        print(f"page\t{name}", flush=True)


if __name__ == "__main__":
    main()
