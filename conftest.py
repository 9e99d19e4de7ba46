"""The usual cast for tests: one organization with two groups, and an outsider.

acme: admin; facilitator (group A); other_facilitator (group B); member and
member2 (group A); other_member (group B). globex: outsider, its admin.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest

PASSWORD = "correct-horse-battery-9"


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
    from peergroups.groups.services import group_create, membership_add
    from peergroups.meetings.services import group_defaults_create
    from peergroups.organizations.models import Role
    from peergroups.organizations.services import organization_create, program_create, role_grant
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
