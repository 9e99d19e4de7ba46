from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "peergroups.resources"
    verbose_name = "Resources"
