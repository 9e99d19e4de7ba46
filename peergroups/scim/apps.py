from django.apps import AppConfig


class ScimConfig(AppConfig):
    name = "peergroups.scim"
    verbose_name = "SCIM provisioning"
