"""Open sessions name the backend that signed their person in; Django signs out any
session whose backend is no longer configured. Sessions made by Django's model backend
now name `organizations.viewer.ViewerBackend` (the same backend, reading the roles with
the user), so nobody is signed out by the upgrade. The reverse names the model backend
again."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import migrations

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
VIEWER_BACKEND = "peergroups.organizations.viewer.ViewerBackend"


def _rename(apps, old: str, new: str) -> None:
    Session = apps.get_model("sessions", "Session")
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    changed = []
    for session in Session.objects.only("session_key", "session_data").iterator(chunk_size=2000):
        data = store.decode(session.session_data)  # {} for a row that no longer verifies
        if data.get(BACKEND_SESSION_KEY) == old:
            data[BACKEND_SESSION_KEY] = new
            session.session_data = store.encode(data)
            changed.append(session)
    Session.objects.bulk_update(changed, ["session_data"], batch_size=500)


def forward(apps, schema_editor):
    _rename(apps, MODEL_BACKEND, VIEWER_BACKEND)


def backward(apps, schema_editor):
    _rename(apps, VIEWER_BACKEND, MODEL_BACKEND)


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0011_default_language"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
