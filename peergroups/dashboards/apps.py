from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "peergroups.dashboards"
    verbose_name = "Dashboards"
