"""Sign-in, the home redirect, and accepting an invitation."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from peergroups.accounts.forms import AcceptInvitationForm, SignInForm
from peergroups.organizations.models import Organization
from peergroups.organizations.services import (
    InvitationInvalid,
    invitation_accept,
    invitation_by_token,
    user_create_from_invitation,
)


class SignInView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


def home(request: HttpRequest) -> HttpResponse:
    """Send a signed-in person to the organization they used last (or their only one)."""
    if not request.user.is_authenticated:
        return redirect("login")
    organizations = list(
        Organization.objects.filter(roles__user=request.user).distinct().order_by("name")
    )
    slugs = {o.slug for o in organizations}
    last = request.session.get("last_org")
    if last in slugs:
        return redirect("organizations-dashboard", org_slug=last)
    if len(organizations) == 1:
        return redirect("organizations-dashboard", org_slug=organizations[0].slug)
    return render(request, "accounts/home.html", {"organizations": organizations})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For the load balancer: the process is up and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_by_token(token)
    problem = None
    if invitation is None:
        problem = "This invitation link is not valid. Check that you copied all of it."
    elif invitation.is_used:
        problem = "This invitation has already been used. Sign in instead."
    elif invitation.is_expired:
        problem = "This invitation has expired. Ask your program admin for a new one."
    if problem:
        return render(request, "accounts/invitation_invalid.html", {"problem": problem}, status=410)

    organization = invitation.organization
    if request.user.is_authenticated:
        if request.user.email.lower() != invitation.email:
            return render(
                request,
                "accounts/invitation_invalid.html",
                {
                    "problem": f"This invitation is for {invitation.email}, but you are signed in "
                    f"as {request.user.email}. Sign out and open the link again."
                },
                status=403,
            )
        if request.method == "POST":
            try:
                invitation_accept(token=token, user=request.user)
            except InvitationInvalid as error:
                return render(
                    request, "accounts/invitation_invalid.html", {"problem": str(error)}, status=410
                )
            messages.success(request, f"Welcome to {organization.name}.")
            return redirect(_after_accept(invitation))
        return render(request, "accounts/invitation_accept.html", {"invitation": invitation})

    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user, invitation = user_create_from_invitation(
                token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password"],
            )
        except InvitationInvalid as error:
            form.add_error(None, str(error))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to {organization.name}.")
            return redirect(_after_accept(invitation))
    return render(
        request, "accounts/invitation_signup.html", {"invitation": invitation, "form": form}
    )


def _after_accept(invitation) -> str:
    from django.urls import reverse

    slug = invitation.organization.slug
    if invitation.role == "member":
        return reverse("people-intake", kwargs={"org_slug": slug})
    if invitation.role == "facilitator":
        return reverse("people-facilitator-apply", kwargs={"org_slug": slug})
    return reverse("organizations-dashboard", kwargs={"org_slug": slug})
