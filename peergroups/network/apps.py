from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "peergroups.network"
    verbose_name = "Network"
