from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "peergroups.people"

    def ready(self) -> None:
        from peergroups.people import signals

        signals.connect()
