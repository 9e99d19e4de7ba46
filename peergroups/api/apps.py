from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "peergroups.api"

    def ready(self) -> None:
        from peergroups.accounts.signals import credentials_reset
        from peergroups.api.services import tokens_revoke_all

        credentials_reset.connect(tokens_revoke_all, dispatch_uid="api-tokens-revoke-all")
