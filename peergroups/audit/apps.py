from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "peergroups.audit"
    verbose_name = "Audit log"
