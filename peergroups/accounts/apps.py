from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "peergroups.accounts"
    verbose_name = "Accounts"
