"""The project's URLs plus one view that fails, to see what a 500 leaves in the log."""

from django.contrib.auth.decorators import login_required
from django.urls import path

from peergroups.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


@login_required
def boom(request):
    raise RuntimeError("the kind of bug a test can only plant")


urlpatterns = [path("boom/", boom), path("api/boom/", boom), *urlpatterns]
