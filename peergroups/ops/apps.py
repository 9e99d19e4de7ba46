from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "peergroups.ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from peergroups.ops import checks  # noqa: F401 - registers the deployment checks
        from peergroups.ops.logs import install_record_factory

        install_record_factory()
