import sys
from pathlib import Path

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class OpsConfig(AppConfig):
    name = "peergroups.ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        # Each app registers its periodic jobs in its own `jobs.py` (ops.scheduler), found
        # by name, so ops never imports the apps above it.
        autodiscover_modules("jobs")

        from peergroups.ops import checks  # noqa: F401 - registers the deployment checks
        from peergroups.ops.logs import install_record_factory
        from peergroups.ops.services import statement_timeout_lift

        install_record_factory()
        if Path(sys.argv[0]).name == "manage.py" and sys.argv[1:2] != ["runserver"]:
            # Commands (workers, migrate, imports, seeding) may run statements longer
            # than a web request's limit: they get WORKER_STATEMENT_TIMEOUT.
            statement_timeout_lift()
