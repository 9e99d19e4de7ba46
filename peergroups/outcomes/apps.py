from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "peergroups.outcomes"
    verbose_name = "Outcomes"
