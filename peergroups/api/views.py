"""A person's API tokens: create one (its key is shown once), see when each was used, revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from peergroups.api import selectors, services
from peergroups.api.forms import ApiTokenForm
from peergroups.http import form_status


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.token_create(user=request.user, name=form.cleaned_data["name"])
        # Rendered here rather than redirected: the key must not travel through the
        # session or a message store, and this page is the only time it is shown.
        form = ApiTokenForm()
    status = form_status(request) if new_key is None else 200
    response = render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": selectors.tokens_of_user(user=request.user), "new_key": new_key},
        status=status,
    )
    if new_key:
        response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = selectors.token_for_user(user=request.user, token_id=token_id)
    services.token_revoke(token=token, acting_user=request.user)
    messages.success(
        request,
        gettext("Token “%(token_name)s” revoked. Programs using it lose access now.")
        % {"token_name": token.name},
    )
    return redirect("api-tokens")
