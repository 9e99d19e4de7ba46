"""Upgrades never break the running version.

During an upgrade the previous release keeps serving while `migrate` runs (the README's
upgrade order), so every migration must leave a schema the previous release can use:

* a new column has a database default or is nullable (the old code's INSERT leaves it
  out); a column is never dropped, renamed nor made NOT NULL in the release that stops
  using it (a later release does it, once no process reads it);
* data migrations can be reversed.

`unsafe_operations` checks every migration of ours statically (with a test of its own that
plants each fault), and `test_previous_releases_inserts_work_on_the_latest_schema` runs, on
the latest schema, the INSERTs the code before each added column issued: the historical
model of the state before that migration is the old code's model, field for field.
"""

from datetime import date, time

import pytest
from django.apps import apps
from django.db import connection, migrations, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.models import NOT_PROVIDED

from peergroups.formation.models import FormationRun
from peergroups.goals.services import commitment_make
from peergroups.meetings.services import (
    agreement_accept,
    agreement_current,
    issue_submit,
    meeting_series_set,
)
from peergroups.organizations.services import invitation_create

# Released migrations that did what is no longer allowed, each with why it was safe then.
RELEASED_BEFORE_THE_RULE = {
    # The old table was copied by audit 0002 and never read again by any release.
    ("organizations", "0002_audit_event_moved_to_audit"),
    # Backfilled by meetings 0003 in the same release, before any deployment existed.
    ("meetings", "0004_commitment_group_required"),
}
DROPPING = (
    migrations.RemoveField,
    migrations.RenameField,
    migrations.DeleteModel,
    migrations.RenameModel,
)


def _not_null_without_default(field) -> bool:
    return not field.null and field.db_default is NOT_PROVIDED and not field.many_to_many


def unsafe_operations(loader: MigrationLoader, keys) -> list[str]:
    """Every operation in the migrations `keys` that would break the previous release."""
    problems = []
    for key in keys:
        if key in RELEASED_BEFORE_THE_RULE:
            continue
        migration = loader.graph.nodes[key]
        where = f"{key[0]}.{key[1]}"
        for operation in migration.operations:
            if isinstance(operation, migrations.SeparateDatabaseAndState):
                ops = operation.database_operations
            else:
                ops = [operation]
            for op in ops:
                if isinstance(op, migrations.AddField) and _not_null_without_default(op.field):
                    problems.append(
                        f"{where}: {op.model_name}.{op.name} is added NOT NULL without "
                        "db_default: the previous release's inserts would fail"
                    )
                elif isinstance(op, DROPPING):
                    problems.append(
                        f"{where}: {type(op).__name__} {getattr(op, 'name', '')}: the previous "
                        "release still reads it; drop it in the release after"
                    )
                elif isinstance(op, migrations.AlterField) and _not_null_without_default(op.field):
                    before = loader.project_state(key, at_end=False)
                    old = before.models[key[0], op.model_name].fields[op.name]
                    if old.null:
                        problems.append(
                            f"{where}: {op.model_name}.{op.name} becomes NOT NULL: the previous "
                            "release may still write NULL"
                        )
                elif isinstance(op, migrations.RunPython) and op.reverse_code is None:
                    problems.append(f"{where}: RunPython without reverse_code")
                elif isinstance(op, migrations.RunSQL) and op.reverse_sql is None:
                    problems.append(f"{where}: RunSQL without reverse_sql")
    return problems


def our_migrations(loader: MigrationLoader) -> list[tuple[str, str]]:
    ours = {
        config.label for config in apps.get_app_configs() if config.name.startswith("peergroups.")
    }
    return sorted(key for key in loader.graph.nodes if key[0] in ours)


@pytest.fixture(scope="module")
def loader() -> MigrationLoader:
    return MigrationLoader(None, ignore_no_migrations=True)


def test_every_migration_is_safe_while_the_previous_release_serves(loader):
    assert unsafe_operations(loader, our_migrations(loader)) == []


def test_the_check_finds_each_unsafe_operation():
    """The guard can fail: plant each fault in a migration and expect it named."""
    loader = MigrationLoader(None, ignore_no_migrations=True)  # this test's own graph
    planted = migrations.Migration("0999_planted", "people")
    planted.dependencies = [max(k for k in our_migrations(loader) if k[0] == "people")]
    planted.operations = [
        migrations.AddField("memberprofile", "nickname", models.CharField(max_length=10)),
        migrations.AddField(
            "memberprofile", "fine", models.CharField(max_length=10, db_default="")
        ),
        migrations.RemoveField("memberprofile", "region"),
        migrations.RunPython(lambda apps, schema_editor: None),
    ]
    loader.graph.add_node(("people", "0999_planted"), planted)
    problems = unsafe_operations(loader, [("people", "0999_planted")])
    assert len(problems) == 3, problems
    assert "memberprofile.nickname is added NOT NULL without db_default" in problems[0]
    assert "RemoveField region" in problems[1]
    assert "RunPython without reverse_code" in problems[2]


# --- the previous releases' writes on the latest schema ---------------------------------


def columns_added(loader: MigrationLoader) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """{migration: [(model, field), ...]} for each migration of ours that adds a column."""
    added = {}
    for key in our_migrations(loader):
        fields = [
            (op.model_name, op.name)
            for op in loader.graph.nodes[key].operations
            if isinstance(op, migrations.AddField) and not op.field.many_to_many
        ]
        if fields:
            added[key] = fields
    return added


@pytest.fixture
def a_row_of_each(cast, django_capture_on_commit_callbacks):
    """At least one row of every model that ever gained a column."""
    invitation_create(
        organization=cast.organization,
        email="new@acme.test",
        acting_user=cast.admin,
        program=cast.program,
        send=False,
    )
    meeting_series_set(
        group=cast.group,
        acting_user=cast.facilitator,
        frequency="monthly",
        weekday=1,
        week_of_month=2,
        interval=3,
        starts_on=date(2027, 1, 1),
        start_time=time(9),
        end_time=time(11),
        time_zone="Europe/Berlin",
    )
    FormationRun.objects.create(
        organization=cast.organization, program=cast.program, cycle=1, created_by=cast.admin
    )
    issue_submit(
        group=cast.group,
        author=cast.member,
        title="Whether to promote from within",
        category="hiring",
        situation="Two internal candidates.",
        ask="Experiences?",
        urgency=2,
    )
    agreement_accept(agreement=agreement_current(group=cast.group), user=cast.member)
    commitment_make(group=cast.group, member=cast.member, text="Talk to both candidates")
    from peergroups.organizations.access import organization_access
    from peergroups.resources.services import resource_share

    resource_share(
        user=cast.member,
        access=organization_access(cast.member, cast.organization.slug),
        kind="template",
        title="Interview scorecard",
        summary="Use it.",
        topics=["hiring"],
        scope="organization",
        url="https://example.org/scorecard",
    )
    from peergroups.accounts.notifications import notification_preferences_save

    notification_preferences_save(user=cast.member, wanted=set())  # every e-mail off


def test_previous_releases_inserts_work_on_the_latest_schema(loader, a_row_of_each):
    """For each migration that added columns: the code before it inserts a row (its model
    knows none of them) into today's tables, and the new columns take their defaults.

    Each row is copied from one made by today's code: deleted and inserted again, by
    the old model, inside a savepoint that is then rolled back.
    """
    tried = 0
    tables = set(connection.introspection.table_names())
    for key, fields in columns_added(loader).items():
        before = loader.project_state(key, at_end=False)
        old_apps = before.apps
        for model_name in sorted({model for model, _ in fields}):
            if (key[0], model_name) not in before.models:
                continue  # created earlier in the same migration: nothing old writes it
            old_model = old_apps.get_model(key[0], model_name)
            if old_model._meta.db_table not in tables:
                continue  # a table that later moved (meetings' Commitment is goals' now)
            new_model = apps.get_model(key[0], model_name)
            row = old_model.objects.order_by("pk").values().first()
            assert row is not None, f"add a {model_name} row to a_row_of_each"
            new_columns = [name for model, name in fields if model == model_name]
            with transaction.atomic():
                savepoint = transaction.savepoint()
                new_model.objects.filter(pk=row["id"]).delete()
                old_model.objects.create(**row)  # the old code's INSERT
                inserted = new_model.objects.filter(pk=row["id"]).values(*new_columns).get()
                transaction.savepoint_rollback(savepoint)
            for name in new_columns:
                field = new_model._meta.get_field(name)
                expected = field.db_default if field.db_default is not NOT_PROVIDED else None
                if hasattr(expected, "value"):
                    expected = expected.value
                assert inserted[name] == expected, (key, model_name, name)
            tried += 1
    assert tried >= 8  # invitation, program, member profile, meeting series, formation run...


def test_the_upgrade_that_broke_accepting_an_invitation(loader, cast):
    """The reported failure: 0.1.0 processes created member profiles without sort_name
    while the next release's migrations were applied."""
    old_apps = loader.project_state(("people", "0003_member_sort_name"), at_end=False).apps
    OldProfile = old_apps.get_model("people", "MemberProfile")
    from conftest import make_user

    user = make_user("late@acme.test", "Lena Late")
    profile = OldProfile.objects.create(organization_id=cast.organization.pk, user_id=user.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT sort_name FROM people_memberprofile WHERE id = %s", [profile.pk])
        assert cursor.fetchone() == ("",)


def test_the_release_is_named_alike_everywhere():
    import tomllib
    from pathlib import Path

    import peergroups

    root = Path(__file__).resolve().parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert project["version"] == peergroups.__version__
    changelog = (root / "CHANGELOG.md").read_text()
    # An "Unreleased" section at the top collects what changed since the last release.
    latest = next(
        line
        for line in changelog.splitlines()
        if line.startswith("## ") and line.strip() != "## Unreleased"
    )
    assert latest.startswith(f"## {peergroups.__version__} ")
