"""`manage.py backup` and `manage.py restore`: back up a site with data and files, restore
it into a fresh database and an empty media folder (another process, as an operator
would), and compare every table row for row and every file byte for byte."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from conftest import build_cast
from peergroups.meetings import services as meetings
from peergroups.ops.backup import table_rows
from peergroups.ops.services import worker_heartbeat
from peergroups.organizations.access import organization_access
from peergroups.resources.services import resource_share

pytestmark = pytest.mark.django_db(transaction=True)
BASE_DIR = Path(settings.BASE_DIR)


def all_rows(cursor, tables, vendor: str) -> dict[str, list[str]]:
    """Each table's rows as the database writes them in text, so two drivers (Django's
    connection and a plain one) compare alike."""
    rows = {}
    for table in tables:
        if vendor == "postgresql":
            cursor.execute(f'SELECT t::text FROM "{table}" t')
        else:
            cursor.execute(f'PRAGMA table_info("{table}")')
            columns = " || '|' || ".join(f'quote("{c[1]}")' for c in cursor.fetchall())
            cursor.execute(f'SELECT {columns} FROM "{table}"')
        rows[table] = sorted(row[0] for row in cursor.fetchall())
    return rows


@pytest.fixture
def site(settings, tmp_path):
    """The cast, a group's agreements accepted, a shared file, a live worker's heartbeat."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cast = build_cast()
    agreement = meetings.agreement_current(group=cast.group)
    meetings.agreement_accept(agreement=agreement, user=cast.member)
    resource_share(
        user=cast.member,
        access=organization_access(cast.member, "acme"),
        title="Interview scorecard",
        scope="organization",
        group_id=None,
        kind="template",
        summary="A one-page scorecard.",
        topics=["hiring"],
        url="",
        upload=SimpleUploadedFile("scorecard.md", "# Scorecard\n\nCafé ☕ – bytes\n".encode()),
    )
    worker_heartbeat(worker_id="w1", queues="*", host="old:1", started_at=timezone.now())
    return cast


def restore_elsewhere(backup: Path, database_url: str, media: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media),
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "1",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(backup)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_backup_restores_into_a_fresh_database_identically(site, tmp_path, capsys):
    backup = tmp_path / "site.tar"
    call_command("backup", str(backup))
    out = capsys.readouterr().out
    assert "SECRET_KEY" in out and "1 files" in out
    tables = [t for t in table_rows() if t != "ops_workerheartbeat"]
    with connection.cursor() as cursor:
        before = all_rows(cursor, tables, connection.vendor)
    restored_media = tmp_path / "restored-media"

    if connection.vendor == "postgresql":
        import psycopg

        db = connection.settings_dict
        fresh = db["NAME"] + "_restored"
        admin = dict(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"])
        if db["PASSWORD"]:
            admin["password"] = db["PASSWORD"]
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
            server.execute(f'CREATE DATABASE "{fresh}"')
        try:
            credentials = quote(db["USER"] or "", safe="")
            if db["PASSWORD"]:
                credentials += ":" + quote(db["PASSWORD"], safe="")
            url = f"postgres://{credentials}@{admin['host']}:{admin['port']}/{fresh}"
            done = restore_elsewhere(backup, url, restored_media)
            assert done.returncode == 0, done.stderr
            with psycopg.connect(dbname=fresh, **admin) as restored:
                after = all_rows(restored.cursor(), tables, connection.vendor)
                heartbeats = restored.execute("SELECT COUNT(*) FROM ops_workerheartbeat").fetchone()
        finally:
            with psycopg.connect(dbname="postgres", autocommit=True, **admin) as server:
                server.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
    else:
        target = tmp_path / "restored.sqlite3"
        done = restore_elsewhere(backup, f"sqlite:///{target}", restored_media)
        assert done.returncode == 0, done.stderr
        restored = sqlite3.connect(target)
        try:
            after = all_rows(restored.cursor(), tables, connection.vendor)
            heartbeats = restored.execute("SELECT COUNT(*) FROM ops_workerheartbeat").fetchone()
        finally:
            restored.close()

    assert "Restored" in done.stdout
    assert after == before
    assert sum(len(rows) for rows in after.values()) > 50
    assert heartbeats == (0,)  # the old site's workers are not alive here
    source = Path(settings.MEDIA_ROOT)
    files = sorted(p.relative_to(source) for p in source.rglob("*") if p.is_file())
    assert len(files) == 1
    for name in files:
        assert (restored_media / name).read_bytes() == (source / name).read_bytes()


def test_restore_refuses_a_database_that_is_not_empty(site, tmp_path):
    backup = tmp_path / "site.tar"
    call_command("backup", str(backup))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(backup))
