"""The full-text index: FTS5 with triggers on SQLite, a generated tsvector with a GIN
index on PostgreSQL (peergroups/resources/fts.py). Each database gets only its own."""

from django.db import migrations

from peergroups.resources import fts


def forwards(apps, schema_editor):
    fts.install(schema_editor)


def backwards(apps, schema_editor):
    fts.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
