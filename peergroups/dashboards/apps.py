from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "peergroups.dashboards"
    verbose_name = "Dashboards"

    def ready(self):
        # The audit log's names for each kind of object (registered with peergroups.audit).
        from peergroups.dashboards import audit_names  # noqa: F401
