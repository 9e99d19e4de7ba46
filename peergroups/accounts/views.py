"""Sign-in and notification settings. Pages about organizations live in the apps above."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext

from peergroups.accounts.forms import (
    LanguageForm,
    NotificationsForm,
    QueuedPasswordResetForm,
    SignInForm,
)
from peergroups.accounts.middleware import SESSION_ORGANIZATION_LANGUAGE
from peergroups.accounts.notifications import (
    notification_preferences_of,
    notification_preferences_save,
)
from peergroups.accounts.services import user_language_update
from peergroups.accounts.throttle import (
    PASSWORD_RESET_ACCOUNT,
    PASSWORD_RESET_ADDRESS,
    client_address,
    throttle_check,
    throttle_hit,
)
from peergroups.errors import Invalid
from peergroups.http import FORM_INVALID, form_add_invalid, form_status


class FormInvalidStatus:
    """Django's form views show a form with errors at 200; ours answer FORM_INVALID (422),
    as every page of the site does (`peergroups.http.form_status`)."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = FORM_INVALID
        return response


class SignInView(FormInvalidStatus, LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class PasswordResetView(FormInvalidStatus, auth_views.PasswordResetView):
    """Django's reset (an HMAC token, never stored), throttled per address and account."""

    template_name = "accounts/password_reset.html"
    form_class = QueuedPasswordResetForm  # the e-mail is a task: accounts.tasks

    def form_valid(self, form):
        email = form.cleaned_data["email"].lower()
        address = client_address(self.request)
        throttle_check((PASSWORD_RESET_ACCOUNT, email), (PASSWORD_RESET_ADDRESS, address))
        throttle_hit((PASSWORD_RESET_ACCOUNT, email), (PASSWORD_RESET_ADDRESS, address))
        return super().form_valid(form)


class PasswordResetConfirmView(FormInvalidStatus, auth_views.PasswordResetConfirmView):
    """Django's confirm step; a new password also revokes the person's API tokens
    (`accounts.signals.credentials_reset`), and the next page says so."""

    template_name = "accounts/password_reset_confirm.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        revoked = getattr(form.user, "credentials_revoked", None)
        if revoked:
            messages.info(
                self.request,
                " ".join(
                    [*revoked, gettext("Create a new one under API tokens where you need it.")]
                ),
            )
        return response


@login_required
def language_settings(request: HttpRequest) -> HttpResponse:
    """The person's language; the page answers in the new one at once."""
    form = LanguageForm(request.POST or None, initial={"language": request.user.language})
    if request.method == "POST" and form.is_valid():
        try:
            user_language_update(user=request.user, language=form.cleaned_data["language"])
        except Invalid as refusal:
            form_add_invalid(form, refusal)
        else:
            # Said in the new language (the middleware restores the thread's afterwards).
            translation.activate(
                request.user.language
                or request.session.get(SESSION_ORGANIZATION_LANGUAGE)
                or translation.get_language_from_request(request)
            )
            messages.success(request, gettext("Your language is saved."))
            return redirect("accounts-language")
    return render(request, "accounts/language.html", {"form": form}, status=form_status(request))


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Which e-mails a person receives: the same preferences for every organization."""
    current = notification_preferences_of(user=request.user)
    # A POST is bound even when empty: every box unticked turns every e-mail off.
    form = NotificationsForm(
        request.POST if request.method == "POST" else None,
        initial={"kinds": [kind for kind, on in current.items() if on]},
    )
    if request.method == "POST" and form.is_valid():
        notification_preferences_save(user=request.user, wanted=set(form.cleaned_data["kinds"]))
        messages.success(request, gettext("Your e-mail preferences are saved."))
        return redirect("accounts-notifications")
    return render(
        request, "accounts/notifications.html", {"form": form}, status=form_status(request)
    )
