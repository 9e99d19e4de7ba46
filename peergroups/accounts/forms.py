from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from peergroups.accounts.models import ACCOUNT_KINDS, User
from peergroups.accounts.throttle import (
    SIGN_IN_ACCOUNT,
    SIGN_IN_ADDRESS,
    client_address,
    throttle_check,
    throttle_clear,
    throttle_hit,
)
from peergroups.languages import language_choices


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label=gettext_lazy("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean(self):
        """Past the limit of failures, even the right password waits (raises Throttled)."""
        email = (self.cleaned_data.get("username") or "").lower()
        address = client_address(self.request) if self.request else ""
        throttle_check((SIGN_IN_ACCOUNT, email), (SIGN_IN_ADDRESS, address))
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle_hit((SIGN_IN_ACCOUNT, email), (SIGN_IN_ADDRESS, address))
            raise
        throttle_clear(SIGN_IN_ACCOUNT, email)
        return cleaned


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the e-mail goes through the task queue (retried while
    the mail server is down) instead of being sent, or lost, inside the request."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        from peergroups.accounts.tasks import password_reset_send

        user_id = context["user"].pk
        transaction.on_commit(lambda: password_reset_send.enqueue(user_id))


class AcceptInvitationForm(forms.Form):
    """For a person who has no account yet: their name and a password."""

    full_name = forms.CharField(label=gettext_lazy("Your name"), max_length=150)
    password = forms.CharField(
        label=gettext_lazy("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        password_validation.validate_password(
            password, User(email=self.email, full_name=self.data.get("full_name", ""))
        )
        return password


class UserCreationForm(forms.ModelForm):
    """For the Django admin: create an account with an e-mail and a password."""

    password1 = forms.CharField(label=gettext_lazy("Password"), widget=forms.PasswordInput)
    password2 = forms.CharField(label=gettext_lazy("Password again"), widget=forms.PasswordInput)

    class Meta:
        model = User
        fields = ["email", "full_name"]

    def clean_password2(self) -> str:
        if self.cleaned_data.get("password1") != self.cleaned_data.get("password2"):
            raise forms.ValidationError(gettext("The two passwords differ."))
        return self.cleaned_data["password2"]

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.email = user.email.lower()
        user.set_password(self.cleaned_data["password1"])
        if commit:
            user.save()
        return user


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language of pages and e-mails"),
        choices=lambda: language_choices(blank=gettext("Your organization's default")),
        required=False,
        help_text=gettext_lazy("Dates and numbers are written the way this language writes them."),
    )


class NotificationsForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("E-mail me when"),
        choices=[(kind.value, kind.label) for kind in ACCOUNT_KINDS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
