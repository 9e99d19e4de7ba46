from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "peergroups.sso"
    verbose_name = "Single sign-on"
