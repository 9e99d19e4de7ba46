from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo organization. The top of the layers: it may use every app, none uses it."""

    name = "peergroups.demo"
    verbose_name = "Demo data"
