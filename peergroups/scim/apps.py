from django.apps import AppConfig


class ScimConfig(AppConfig):
    name = "peergroups.scim"
    verbose_name = "SCIM provisioning"

    def ready(self):
        # The audit log's name for a SCIM token (registered with peergroups.audit).
        from peergroups.scim import audit_names  # noqa: F401
