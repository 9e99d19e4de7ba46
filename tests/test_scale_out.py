"""Scaling out: two app processes and two task workers against one PostgreSQL.

Real processes, as the README runs them in production: two gunicorn servers
(`gunicorn peergroups.wsgi -c gunicorn.conf.py`, DEBUG off, collected static files)
and two task workers (`manage.py worker` and a plain `manage.py db_worker`), all on the
test database, spoken to over HTTP. What one process does, the other sees: no state
lives in a process.
"""

import contextlib
import http.client
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from conftest import PASSWORD, build_cast, make_user
from peergroups.accounts.models import ThrottleCounter, User
from peergroups.accounts.throttle import SIGN_IN_ACCOUNT
from peergroups.formation.models import FormationRun, RunStatus
from peergroups.ops.models import WorkerHeartbeat
from peergroups.organizations.models import Role
from peergroups.organizations.services import role_grant
from peergroups.people.models import MemberProfile
from peergroups.people.services import member_profile_ensure

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)
# Every wait is bounded, so a process that never comes up fails the test, never hangs it.
SERVER_START_SECONDS = 90
# A formation worker loads the grouping engine before its first beat (compiles it on a
# cold numba cache, which `make install` fills): allow for that on a busy machine.
WORKER_START_SECONDS = 240
RUN_SECONDS = 120
REQUEST_SECONDS = 60
STOP_SECONDS = 15
# Signs sessions in every process alike (the README: the same SECRET_KEY everywhere).
SECRET_KEY = "scale-out-test-" + "k3y-" * 12


# --- processes -------------------------------------------------------------------------


@dataclass
class Processes:
    """Child processes of one test, each in its own process group, with a log file each."""

    env: dict
    logs: Path
    running: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 - the child writes it
        try:
            process = subprocess.Popen(
                [sys.executable, *args],
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # gunicorn's master and its workers: one group
            )
        finally:
            log.close()
        self.running[name] = process
        return process

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def alive(self, name: str) -> None:
        code = self.running[name].poll()
        if code is not None:
            pytest.fail(f"{name} exited with {code}:\n{self.log(name)[-4000:]}")

    def stop(self, name: str) -> None:
        process = self.running.pop(name)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(STOP_SECONDS)
        # Anything the group left behind (a gunicorn worker the master lost) goes too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)

    def finish(self, name: str) -> None:
        """Wait for a one-off command (collectstatic) to succeed, bounded in time."""
        process = self.running.pop(name)
        try:
            code = process.wait(SERVER_START_SECONDS * 2)
        except subprocess.TimeoutExpired:
            self.running[name] = process  # the finalizer stops it
            raise
        assert code == 0, self.log(name)


def database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


@pytest.fixture
def deployment(transactional_db, tmp_path):
    """Where the processes will run: the test database, production settings, static files.

    Needs `transactional_db`, so what the test writes is committed and the processes see it,
    and so their connections are gone (the finalizer stops them) before the tables are
    emptied.
    """
    if connection.vendor != "postgresql":
        pytest.skip("several processes share one database: PostgreSQL only")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "BASE_URL": "http://127.0.0.1",
        # Plain HTTP between the test and the servers (in production TLS ends at the proxy).
        "SECURE_COOKIES": "0",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(tmp_path / "static"),
        "GUNICORN_BIND": "127.0.0.1:0",  # a free port, read back from gunicorn's log
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "2",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)  # manage.py and wsgi.py name ours
    processes = Processes(env=env, logs=tmp_path)
    yield processes
    processes.stop_all()
    # pytest shows this only when the test failed: what each process said.
    for log in sorted(tmp_path.glob("*.log")):
        print(f"--- {log.name} (last 3,000 characters)\n{log.read_text(errors='replace')[-3000:]}")


def start_app(processes: Processes, name: str) -> None:
    """`gunicorn peergroups.wsgi -c gunicorn.conf.py`, the README's production command."""
    processes.start(name, "-m", "gunicorn", "peergroups.wsgi", "-c", "gunicorn.conf.py")


def listening(processes: Processes, name: str) -> str:
    """The base URL of a started app once it answers /healthz."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        processes.alive(name)
        found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", processes.log(name))
        if found:
            base = found.group(1)
            wait_for(lambda: Client().get(base, "/healthz").status == 200, SERVER_START_SECONDS)  # noqa: B023 - called before the loop moves on
            return base
        time.sleep(0.2)
    pytest.fail(f"{name} did not listen in {SERVER_START_SECONDS} s:\n{processes.log(name)}")


def wait_for(check, seconds: float, every: float = 0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            result = check()
        except OSError:  # not listening yet
            result = None
        if result:
            return result
        time.sleep(every)
    pytest.fail(f"gave up after {seconds} s waiting for {check}")


# --- a browser, over plain HTTP ----------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str

    def location(self) -> str:
        return urlsplit(self.headers.get("Location", "")).path


class Client:
    """One browser's cookies, sent to whichever app process a request goes to, as behind
    a load balancer. Redirects are not followed: the test looks at each answer."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, base: str, method: str, path: str, form: dict | None = None, **headers):
        parts = urlsplit(base)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=REQUEST_SECONDS)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            response = Response(raw.status, raw.headers, raw.read().decode())
        finally:
            conn.close()
        for line in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(line).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, base: str, path: str, **headers) -> Response:
        return self.request(base, "GET", path, **headers)

    def post(self, base: str, path: str, form: dict, **headers) -> Response:
        return self.request(base, "POST", path, form, **headers)


class Forms(HTMLParser):
    """The forms of a page: action and the values a browser would submit unchanged."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[tuple[str, dict]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append((a.get("action") or "", {}))
        if not self.forms:
            return
        fields = self.forms[-1][1]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "image", "file"):
                fields.setdefault(name, []).append(
                    a.get("value") or ("on" if "checked" in a else "")
                )
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if self._select not in fields or "selected" in a:
                fields[self._select] = [a.get("value", "")]
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1][1][self._textarea][0] += data

    def to(self, action: str) -> dict:
        """The fields of the form that posts to `action`."""
        for form_action, fields in self.forms:
            if form_action == action:
                return {name: values for name, values in fields.items()}
        pytest.fail(f"no form posts to {action}; forms: {[a for a, _ in self.forms]}")


# --- the world ---------------------------------------------------------------------------


def real_password_hash() -> str:
    """What the app processes can check: the test process hashes with MD5 for speed."""
    return PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())


def waiting_members(cast, count: int) -> None:
    """Members with a complete intake and no group, in two regions: a formation's people."""
    for i in range(count):
        user = make_user(f"wait{i}@acme.test", f"Waiting {i:02d}")
        role_grant(organization=cast.organization, user=user, role=Role.MEMBER, acting_user=None)
        profile = member_profile_ensure(
            organization=cast.organization, user=user, program=cast.program
        )
        MemberProfile.objects.filter(pk=profile.pk).update(
            region="Boston" if i % 2 else "Denver",
            industry="Software",
            time_zone="America/New_York",
            function="Engineering",
            management_level="middle",
            team_size=10,
            years_managing=5,
            expertise=["hiring", "finance"],
            availability=["tue-am"],
            completed_at=timezone.now(),
        )


def sign_in(client: Client, base: str, email: str, password: str) -> Response:
    page = client.get(base, "/accounts/login/")
    assert page.status == 200
    token = Forms(page.text).to("")["csrfmiddlewaretoken"][0]
    return client.post(
        base,
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": email, "password": password},
    )


def status_shown(response: Response) -> str:
    found = re.search(r"<p><strong>([^<]+)</strong>", response.text)
    assert found, response.text[:2000]
    return found.group(1)


# --- the test ----------------------------------------------------------------------------


def test_two_app_processes_and_two_workers_share_everything_through_postgresql(deployment):
    cast = build_cast()
    User.objects.filter(pk__in=[cast.admin.pk, cast.member2.pk]).update(
        password=real_password_hash()
    )
    waiting_members(cast, 8)
    cast.program.min_group_size, cast.program.max_group_size = 3, 5
    cast.program.save()

    # Before the servers start: each reads the manifest once, as it starts.
    deployment.start("collectstatic", "manage.py", "collectstatic", "--noinput", "-v", "0")
    deployment.finish("collectstatic")
    start_app(deployment, "app1")
    start_app(deployment, "app2")
    app1, app2 = listening(deployment, "app1"), listening(deployment, "app2")
    assert app1 != app2

    # No worker yet: both report the database up and the deployment not ready.
    for app in (app1, app2):
        ready = Client().get(app, "/readyz")
        assert ready.status == 503, ready.text
        assert '"database": "ok"' in ready.text
        assert '"workers": {"default": 0, "formation": 0}' in ready.text

    # A session made through app 1 is a session on app 2.
    browser = Client()
    signed_in = sign_in(browser, app1, cast.admin.email, PASSWORD)
    assert signed_in.status == 302, signed_in.text[:2000]
    assert "sessionid" in browser.cookies
    settings_page = browser.get(app2, "/accounts/notifications/")
    assert settings_page.status == 200
    assert 'action="/accounts/logout/"' in settings_page.text  # signed in: "Sign out"
    assert Client().get(app2, "/accounts/notifications/").status == 302  # not without it

    # A formation started through app 1 waits, as seen through app 2, until a worker runs.
    start_path = f"/o/acme/programs/{cast.program.pk}/formation/"
    start_page = browser.get(app1, start_path)
    assert start_page.status == 200, start_page.text[:2000]
    form = Forms(start_page.text).to("")
    form |= {"seconds": ["1"], "seed": ["7"], "min_size": ["3"], "max_size": ["5"]}
    started = browser.post(app1, start_path, form)
    assert started.status == 302, started.text[:4000]
    run_path = started.location()
    run = FormationRun.objects.get()
    assert run_path == f"/o/acme/formation/{run.pk}/"
    progress_path = f"{run_path}progress/"
    queued = browser.get(app2, progress_path, **{"HX-Request": "true"})
    assert queued.status == 200
    assert status_shown(queued) == RunStatus.QUEUED.label
    assert "HX-Redirect" not in queued.headers

    # Two workers on the formation queue: ours by its own name, and a plain db_worker.
    worker_options = ["--queue-name", "formation", "--interval", "0.2", "--no-startup-delay"]
    deployment.start("worker1", "manage.py", "worker", "--worker-id", "scale-w1", *worker_options)
    deployment.start(
        "worker2", "manage.py", "db_worker", "--worker-id", "scale-w2", *worker_options
    )

    def both_workers_ready():
        for name in ("worker1", "worker2"):
            deployment.alive(name)
        # Both serve the formation queue; no default worker, so /readyz says not ready.
        answer = Client().get(app2, "/readyz")
        return answer.status == 503 and '"formation": 2' in answer.text

    wait_for(both_workers_ready, WORKER_START_SECONDS, every=0.5)

    # Its progress, through app 2, until the proposal is ready.
    seen = [RunStatus.QUEUED.label]
    deadline = time.monotonic() + RUN_SECONDS
    while True:
        answer = browser.get(app2, progress_path, **{"HX-Request": "true"})
        assert answer.status == 200
        if status_shown(answer) != seen[-1]:
            seen.append(status_shown(answer))
        if "HX-Redirect" in answer.headers:
            assert answer.headers["HX-Redirect"] == run_path
            break
        assert time.monotonic() < deadline, f"statuses seen: {seen}"
        time.sleep(0.1)
    print(f"statuses seen through app 2: {seen}")
    assert seen[-1] == RunStatus.DONE.label, seen
    assert set(seen) <= {RunStatus.QUEUED.label, RunStatus.RUNNING.label, RunStatus.DONE.label}
    review = browser.get(app2, run_path)
    assert review.status == 200
    assert "8 people" in review.text
    assert f'action="{run_path}publish/"' in review.text  # the proposal, ready to publish
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.proposal

    # A worker ran it, exactly one of the two; the apps only queued it.
    task = DBTaskResult.objects.get(task_path__endswith="formation_run_task")
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert task.args_kwargs["args"] == [run.pk]
    assert len(task.worker_ids) == 1 and task.worker_ids[0] in {"scale-w1", "scale-w2"}

    # Failed sign-ins for one account, alternating between the apps, count as on one app:
    # the limit's worth are answered with the form's error, the next is refused on both.
    attacker = Client()
    for attempt in range(SIGN_IN_ACCOUNT.limit):
        failed = sign_in(attacker, (app1, app2)[attempt % 2], cast.member2.email, "wrong-guess-1")
        assert failed.status == 422, (attempt, failed.status)  # the form again, with its error
        assert "sessionid" not in attacker.cookies
    counter = ThrottleCounter.objects.get(scope=SIGN_IN_ACCOUNT.scope)
    assert counter.count == SIGN_IN_ACCOUNT.limit
    for app in (app1, app2):  # the right password waits too
        refused = sign_in(attacker, app, cast.member2.email, PASSWORD)
        assert refused.status == 429, refused.status
        assert "Retry-After" in refused.headers
    assert "sessionid" not in attacker.cookies

    # CSRF across: signing out through app 2 with app 1's token ends the session on both.
    page = browser.get(app1, "/accounts/notifications/")
    token = Forms(page.text).to("/accounts/logout/")["csrfmiddlewaretoken"][0]
    session = browser.cookies["sessionid"]
    signed_out = browser.post(app2, "/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert signed_out.status == 302, signed_out.text[:2000]
    browser.cookies["sessionid"] = session  # the old cookie, kept: its session is gone
    assert browser.get(app1, "/accounts/notifications/").location() == "/accounts/login/"
    # And the token is checked, not waved through: a wrong one is refused.
    sign_in(browser, app1, cast.admin.email, PASSWORD)
    forged = browser.post(app2, "/accounts/logout/", {"csrfmiddlewaretoken": "x" * 64})
    assert forged.status == 403

    # Workers stop cleanly: their heartbeats go with them.
    for name in ("worker1", "worker2"):
        deployment.stop(name)
    assert not WorkerHeartbeat.objects.exists()
    assert Client().get(app1, "/readyz").status == 503
