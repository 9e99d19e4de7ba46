"""The usual cast for tests: one organization with two groups, and an outsider.

acme: admin; facilitator (group A); other_facilitator (group B); member and
member2 (group A); other_member (group B). globex: outsider, its admin.
"""

import fcntl
import hashlib
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSWORD = "correct-horse-battery-9"


# --- test databases: migrated once, copied per worker -------------------------------------
#
# Migrating from nothing takes each xdist worker many seconds; the schema is the same for
# all of them. So the first worker to get the lock migrates a template (kept between
# runs, named by a hash of every migration file, so a new migration builds a new one) and
# every worker starts from a copy: SQLite's backup API into the worker's in-memory
# database, PostgreSQL's `CREATE DATABASE ... TEMPLATE`. `--reuse-db` is not honoured:
# the template is the reuse.


def _migrations_key(vendor: str) -> str:
    """A hash of every installed app's migration files: the template's name."""
    from django.apps import apps

    digest = hashlib.sha256(vendor.encode())
    for app in sorted(apps.get_app_configs(), key=lambda app: app.label):
        for path in sorted(Path(app.path, "migrations").glob("*.py")):
            digest.update(f"{app.label}/{path.name}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    """One process at a time across the xdist workers (and other runs on this machine)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _use_database(connection, name: str) -> None:
    from django.conf import settings

    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name


def _migrate(connection) -> None:
    from django.core.management import call_command

    call_command(
        "migrate", database=connection.alias, run_syncdb=True, interactive=False, verbosity=0
    )
    connection.close()


def _sqlite_setup(connection, folder: Path) -> None:
    key = _migrations_key("sqlite")
    template = folder / f"sqlite-{key}.sqlite3"
    with _lock(folder / "sqlite.lock"):
        if not template.exists():
            building = template.with_suffix(".building")
            building.unlink(missing_ok=True)
            _use_database(connection, str(building))
            _migrate(connection)
            building.rename(template)
            for old in folder.glob("sqlite-*.sqlite3"):
                if old != template:
                    old.unlink(missing_ok=True)
    # Django's own in-memory test database, filled from the template.
    _use_database(connection, connection.creation._get_test_db_name())
    connection.ensure_connection()
    source = sqlite3.connect(template)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _postgresql_setup(connection, folder: Path) -> str:
    """Make this worker's database from the template; returns its name."""
    name = connection.creation._get_test_db_name()  # test_<db>[_gwN], as pytest-django says
    base = connection.settings_dict["NAME"]
    template = f"test_{base}_template_{_migrations_key('postgresql')}"[:63]
    with _lock(folder / f"postgresql-{base}.lock"):
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            exists = cursor.fetchone() is not None
        if not exists:
            building = f"{template[:54]}_building"
            with connection.creation._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{building}"')
                cursor.execute(f'CREATE DATABASE "{building}"')
            _use_database(connection, building)
            _migrate(connection)
            _use_database(connection, base)
            with connection.creation._nodb_cursor() as cursor:
                cursor.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
                cursor.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s",
                    [f"test_{base}_template_%", template],
                )
                for (old,) in cursor.fetchall():
                    cursor.execute(f'DROP DATABASE IF EXISTS "{old}"')
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    _use_database(connection, name)
    return name


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """The test database, made from a template migrated once (see above)."""
    from django.conf import settings
    from django.db import connection

    folder = Path(settings.BASE_DIR) / "var" / "test-databases"
    original = connection.settings_dict["NAME"]
    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            _sqlite_setup(connection, folder)
            made = None
        elif connection.vendor == "postgresql":
            made = _postgresql_setup(connection, folder)
        else:
            raise NotImplementedError(f"No test database setup for {connection.vendor}.")
    yield
    with django_db_blocker.unblock():
        _use_database(connection, original)
        if made:
            _postgresql_drop(connection, made)


def _postgresql_drop(connection, name: str) -> None:
    """Drop a worker's database; a session still connected (a test's thread or child
    process that did not close its connection) is named in a warning, then ended."""
    import warnings

    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT pid, application_name, state, left(query, 200) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        others = cursor.fetchall()
        if others:
            warnings.warn(
                f"{len(others)} session(s) still connected to {name} at the end: {others}",
                stacklevel=1,
            )
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 is slow on purpose; tests create many accounts and need no protection."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Cast:
    organization: object
    other_organization: object
    program: object
    group: object
    other_group: object
    admin: object
    facilitator: object
    other_facilitator: object
    member: object
    member2: object
    other_member: object
    outsider: object


def make_user(email: str, name: str):
    from peergroups.accounts.models import User

    return User.objects.create_user(email=email, password=PASSWORD, full_name=name)


def make_member(organization, email: str, name: str, role: str = "member"):
    """A person holding `role` in the organization: only such a person takes a seat."""
    from peergroups.organizations.models import OrganizationRole

    user = make_user(email, name)
    OrganizationRole.objects.create(organization=organization, user=user, role=role)
    return user


@pytest.fixture
def cast(db) -> Cast:
    return build_cast()


def build_cast() -> Cast:
    """The cast, created in the database; the `cast` fixture and module-wide worlds use it."""
    from peergroups.groups.services import group_create, membership_add, program_create
    from peergroups.meetings.services import group_defaults_create
    from peergroups.organizations.models import Role
    from peergroups.organizations.services import organization_create, role_grant
    from peergroups.people.models import FacilitatorProfile, FacilitatorStatus
    from peergroups.people.services import member_profile_ensure

    admin = make_user("admin@acme.test", "Ada Admin")
    organization = organization_create(name="Acme Leaders", slug="acme", admin=admin)
    outsider = make_user("outsider@globex.test", "Olga Outsider")
    other_organization = organization_create(name="Globex Circle", slug="globex", admin=outsider)
    program = program_create(organization=organization, acting_user=admin, name="Leaders 2027")

    def person(email, name, role):
        user = make_user(email, name)
        role_grant(organization=organization, user=user, role=role, acting_user=admin)
        if role == Role.MEMBER:
            member_profile_ensure(organization=organization, user=user, program=program)
        if role == Role.FACILITATOR:
            FacilitatorProfile.objects.create(
                organization=organization,
                user=user,
                built_own_business=True,
                business_description="A design studio",
                trained_feedback_coach=True,
                coach_training="ICF ACC",
                expertise=["finance", "hiring"],
                status=FacilitatorStatus.APPROVED,
            )
        return user

    facilitator = person("fran@acme.test", "Fran Facilitator", Role.FACILITATOR)
    other_facilitator = person("otto@acme.test", "Otto Facilitator", Role.FACILITATOR)
    member = person("mia@acme.test", "Mia Member", Role.MEMBER)
    member2 = person("max@acme.test", "Max Member", Role.MEMBER)
    other_member = person("oli@acme.test", "Oli Member", Role.MEMBER)

    group = group_create(
        program=program, name="Group A", acting_user=admin, facilitator=facilitator
    )
    other_group = group_create(
        program=program, name="Group B", acting_user=admin, facilitator=other_facilitator
    )
    # Every path that makes a group gives it its defaults (agenda protocol, agreement v1).
    for made in (group, other_group):
        group_defaults_create(group=made)
    for user in (member, member2):
        membership_add(group=group, user=user, acting_user=admin)
    membership_add(group=other_group, user=other_member, acting_user=admin)
    group.refresh_from_db()
    other_group.refresh_from_db()
    return Cast(
        organization=organization,
        other_organization=other_organization,
        program=program,
        group=group,
        other_group=other_group,
        admin=admin,
        facilitator=facilitator,
        other_facilitator=other_facilitator,
        member=member,
        member2=member2,
        other_member=other_member,
        outsider=outsider,
    )


def race(*calls: Callable[[], object]) -> list[object]:
    """Run the calls at the same moment, one thread each, as concurrent requests would.

    A barrier releases them together; each thread uses (and closes) its own database
    connection. Returns each call's result, or the exception it raised, in call order.
    Meant for PostgreSQL in a `transaction=True` test.
    """
    from django.db import connections

    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the caller inspects what each call raised
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def run_tasks(monkeypatch):
    """Run the background tasks queued so far, on every queue, as the `db_worker`s would.

    The worker calls close_old_connections() between tasks, which drops a
    connection that is inside a transaction: on PostgreSQL that is the test's own
    transaction. In a test the worker shares that connection, so it must stay.
    """
    from django.core.management import call_command

    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )

    def run() -> None:
        call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)

    return run
