"""Create an organization and its first program admin: how a self-hosted install starts."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from peergroups.errors import DomainError
from peergroups.organizations.services import organization_start


def set_password_link(user) -> str:
    """A one-time link to choose a password (Django's reset link: it stops working once
    the password is set, and after PASSWORD_RESET_TIMEOUT)."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{settings.BASE_URL}{path}"


class Command(BaseCommand):
    help = "Create an organization and its first program admin (creating the account if new)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="the organization's name")
        parser.add_argument(
            "--slug", default="", help="its address, /o/<slug>/ (default: made from the name)"
        )
        parser.add_argument("--admin-email", required=True, help="the first program admin")
        parser.add_argument("--admin-name", default="", help="the admin's name, for a new account")

    def handle(self, *args, name: str, slug: str, admin_email: str, admin_name: str, **options):
        try:
            organization, admin, created = organization_start(
                name=name, slug=slug, admin_email=admin_email, admin_name=admin_name
            )
        except DomainError as refusal:
            raise CommandError(refusal.reason) from None
        self.stdout.write(
            f"Created “{organization.name}” at {settings.BASE_URL}/o/{organization.slug}/"
        )
        if created:
            self.stdout.write(
                f"{admin.email} is its program admin. Send them this one-time link to choose "
                f"a password (valid {settings.PASSWORD_RESET_TIMEOUT // 3600} hours):\n"
                f"{set_password_link(admin)}"
            )
        else:
            self.stdout.write(
                f"{admin.email} had an account already and is now its program admin; they "
                "sign in with their password."
            )
