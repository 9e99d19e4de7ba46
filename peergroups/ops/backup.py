"""Backups of a deployment: the database, the uploaded files, and a manifest that says
what they hold; and their restore into an empty database.

One `.tar` file: `manifest.json` (release, time, database vendor, the rows of each table,
a fingerprint of the SECRET_KEY), `database.dump` (PostgreSQL: `pg_dump --format=custom`,
consistent while the site runs) or `database.sqlite3` (SQLite's online backup), and
`media/` (MEDIA_ROOT). The SECRET_KEY itself is never in it: keep it beside the backup,
since under another key every link already e-mailed (invitations, reminders, check-ins)
and every session stops working. Restore refuses a non-empty database unless told to
replace it, checks every table's row count against the manifest, and drops the worker
heartbeats the dump carried (workers of the old site are not alive here).
"""

import hashlib
import hmac
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

import peergroups

MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_FILE = "database.sqlite3"
SECRET_KEY_REMINDER = (
    "Keep this deployment's SECRET_KEY with the backup (in your password manager, not in "
    "the same place): restored under another key, invitation, reminder and check-in links "
    "already e-mailed and every session stop working."
)


class BackupError(Exception):
    """A backup or restore that cannot go on, with the reason."""


@dataclass
class Restored:
    tables: int
    rows: int
    files: int
    same_secret_key: bool


def secret_key_fingerprint() -> str:
    """Tells whether a backup is restored under the same SECRET_KEY; reveals nothing of it."""
    return hmac.new(
        settings.SECRET_KEY.encode(), b"peergroups-backup-fingerprint", hashlib.sha256
    ).hexdigest()[:16]


def table_rows() -> dict[str, int]:
    """Every table's row count (ours and Django's), the figure a restore must match."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table.startswith("sqlite_") or table.startswith("resources_resource_fts"):
                continue  # SQLite's own and FTS5 shadow tables: rebuilt by their triggers
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": db["HOST"] or "",
            "PGPORT": str(db["PORT"] or ""),
            "PGUSER": db["USER"] or "",
            "PGDATABASE": db["NAME"],
            "PGCONNECT_TIMEOUT": str(db.get("OPTIONS", {}).get("connect_timeout", 10)),
        }
    )
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    if "sslmode" in db.get("OPTIONS", {}):
        env["PGSSLMODE"] = db["OPTIONS"]["sslmode"]
    return env


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def backup_write(path: Path) -> dict:
    """Write the backup to `path` (a .tar); returns its manifest."""
    db = connection.settings_dict
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        if connection.vendor == "postgresql":
            dump = work / PG_DUMP
            _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dump)], _pg_env(db))
        elif connection.vendor == "sqlite":
            dump = work / SQLITE_FILE
            connection.ensure_connection()
            target = sqlite3.connect(dump)
            try:
                connection.connection.backup(target)  # consistent while others write
            finally:
                target.close()
        else:
            raise BackupError(f"No backup for a {connection.vendor} database.")
        files = sorted(p for p in media.rglob("*") if p.is_file()) if media.is_dir() else []
        manifest = {
            "release": peergroups.__version__,
            "created_at": timezone.now().isoformat(),
            "database": connection.vendor,
            "tables": table_rows(),
            "files": {
                str(p.relative_to(media)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files
            },
            "secret_key_fingerprint": secret_key_fingerprint(),
            "secret_key": SECRET_KEY_REMINDER,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
            archive.add(dump, arcname=dump.name)
            for file in files:
                archive.add(file, arcname="media/" + str(file.relative_to(media)))
        partial.replace(path)  # never a half-written backup under the real name
    return manifest


def _database_is_empty() -> bool:
    with connection.cursor() as cursor:
        return not [
            t for t in connection.introspection.table_names(cursor) if not t.startswith("sqlite_")
        ]


def backup_restore(path: Path, *, replace: bool = False) -> Restored:
    """Restore the backup at `path` into this deployment's database and MEDIA_ROOT."""
    from peergroups.ops.models import WorkerHeartbeat

    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(path, "r") as archive, tempfile.TemporaryDirectory() as work:
        archive.extractall(work, filter="data")
        work = Path(work)
        manifest = json.loads((work / MANIFEST).read_text())
        if manifest["database"] != connection.vendor:
            raise BackupError(
                f"This backup is of a {manifest['database']} database; "
                f"DATABASE_URL names a {connection.vendor} one."
            )
        if not replace and not _database_is_empty():
            raise BackupError(
                "The database is not empty: restore into a new database, or pass --replace "
                "to overwrite this one."
            )
        if not replace and media.is_dir() and any(media.iterdir()):
            raise BackupError(f"MEDIA_ROOT ({media}) is not empty: restore into an empty one.")
        db = connection.settings_dict
        if connection.vendor == "postgresql":
            connections.close_all()
            command = ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction"]
            if replace:
                command += ["--clean", "--if-exists"]
            _run([*command, "--dbname", db["NAME"], str(work / PG_DUMP)], _pg_env(db))
        else:
            connections.close_all()
            target = Path(db["NAME"])
            target.parent.mkdir(parents=True, exist_ok=True)
            source = sqlite3.connect(work / SQLITE_FILE)
            destination = sqlite3.connect(target)
            try:
                source.backup(destination)
            finally:
                source.close()
                destination.close()
        restored_media = work / "media"
        files = 0
        if restored_media.is_dir():
            if replace and media.is_dir():
                shutil.rmtree(media)
            shutil.copytree(restored_media, media, dirs_exist_ok=True)
            files = sum(1 for p in restored_media.rglob("*") if p.is_file())
    # The old site's workers are not alive here: /readyz must not count their rows.
    WorkerHeartbeat.objects.all().delete()
    counts = table_rows()
    expected = dict(manifest["tables"])
    expected["ops_workerheartbeat"] = 0
    wrong = {
        table: (rows, counts.get(table))
        for table, rows in expected.items()
        if counts.get(table) != rows
    }
    if wrong:
        raise BackupError(
            "Restored, but these tables differ from the backup (expected, found): "
            + ", ".join(f"{table} {pair}" for table, pair in sorted(wrong.items()))
        )
    for name, digest in manifest["files"].items():
        if hashlib.sha256((media / name).read_bytes()).hexdigest() != digest:
            raise BackupError(f"Restored file {name} differs from the backup.")
    return Restored(
        tables=len(counts),
        rows=sum(counts.values()),
        files=files,
        same_secret_key=manifest["secret_key_fingerprint"] == secret_key_fingerprint(),
    )
