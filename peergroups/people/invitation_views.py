"""The page behind an invitation link: create an account, or accept while signed in."""

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from peergroups.accounts.forms import AcceptInvitationForm
from peergroups.accounts.throttle import (
    INVITATION_ACCOUNT,
    INVITATION_ADDRESS,
    client_address,
    throttle_check,
    throttle_hit,
)
from peergroups.errors import Conflict, Gone
from peergroups.http import form_status
from peergroups.organizations.models import Invitation, Role
from peergroups.organizations.viewer import VIEWER_BACKEND
from peergroups.people.invitations import (
    invitation_accept,
    invitation_for_token,
    user_create_from_invitation,
)


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    address = client_address(request)
    throttle_check((INVITATION_ADDRESS, address))
    try:
        invitation = invitation_for_token(token=token, user=request.user)
    except Gone:
        throttle_hit((INVITATION_ADDRESS, address))  # guessing links counts against the caller
        raise  # Gone (used, expired, unknown) and Refused render as error pages
    organization = invitation.organization
    if request.method == "POST":
        throttle_check((INVITATION_ACCOUNT, invitation.email))
        throttle_hit((INVITATION_ADDRESS, address), (INVITATION_ACCOUNT, invitation.email))
    if request.user.is_authenticated:
        if request.method == "POST":
            invitation_accept(token=token, user=request.user)
            messages.success(
                request,
                gettext("Welcome to %(organization_name)s.")
                % {"organization_name": organization.name},
            )
            return redirect(_after_accept(invitation))
        return render(request, "people/invitation_accept.html", {"invitation": invitation})

    form = AcceptInvitationForm(
        request.POST or None, email=invitation.email, initial={"full_name": invitation.full_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user, invitation = user_create_from_invitation(
                token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password"],
            )
        except Conflict as conflict:  # an account exists: say so beside the form
            form.add_error(None, conflict.reason)
        else:
            login(request, user, backend=VIEWER_BACKEND)
            messages.success(
                request,
                gettext("Welcome to %(organization_name)s.")
                % {"organization_name": organization.name},
            )
            return redirect(_after_accept(invitation))
    return render(
        request,
        "people/invitation_signup.html",
        {"invitation": invitation, "form": form},
        status=form_status(request),
    )


def _after_accept(invitation: Invitation) -> str:
    slug = invitation.organization.slug
    if invitation.role == Role.MEMBER:
        return reverse("people-intake", kwargs={"org_slug": slug})
    if invitation.role == Role.FACILITATOR:
        return reverse("people-facilitator-apply", kwargs={"org_slug": slug})
    return reverse("organizations-dashboard", kwargs={"org_slug": slug})
