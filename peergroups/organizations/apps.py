from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "peergroups.organizations"
