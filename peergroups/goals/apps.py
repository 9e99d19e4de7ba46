from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "peergroups.goals"
    verbose_name = "Goals and accountability"
