"""Sign-in and the health check. Pages about organizations live in the apps above."""

from django.contrib.auth.views import LoginView
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from peergroups.accounts.forms import SignInForm


class SignInView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For the load balancer: the process is up and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
