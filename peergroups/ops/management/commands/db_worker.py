"""`manage.py db_worker` is `manage.py worker` in this project.

A plain django-tasks-db `db_worker` runs tasks but leaves no trace while it waits, so
`/readyz` could not tell it from no worker at all. This command takes its name (ops comes
before django_tasks_db in INSTALLED_APPS, and Django lets the earlier app's command win),
so whichever name an operator runs, the worker beats and warms the engine.
"""

from peergroups.ops.management.commands.worker import Command as WorkerCommand


class Command(WorkerCommand):
    pass
