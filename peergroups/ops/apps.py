from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "peergroups.ops"
    verbose_name = "Operations"
