from django.contrib import admin
from django.urls import include, path

from peergroups.api.api import api
from peergroups.organizations.views import first_run, home
from peergroups.people.invitation_views import invitation
from peergroups.sso import urls as sso_urls

urlpatterns = [
    path("", home, name="home"),
    path("setup/", first_run, name="organizations-first-run"),
    path("", include("peergroups.accounts.urls")),
    path("", include("peergroups.ops.urls")),
    path("", include("peergroups.sso.urls")),
    # Named for where it began; the page lives with the people it brings in.
    path("invite/<str:token>/", invitation, name="accounts-invitation"),
    path("o/<slug:org_slug>/", include("peergroups.dashboards.urls")),
    path("o/<slug:org_slug>/", include("peergroups.organizations.urls")),
    path("o/<slug:org_slug>/", include("peergroups.people.urls")),
    path("o/<slug:org_slug>/", include(sso_urls.organization_urlpatterns)),
    path("o/<slug:org_slug>/", include("peergroups.groups.urls")),
    path("o/<slug:org_slug>/", include("peergroups.formation.urls")),
    path("o/<slug:org_slug>/", include("peergroups.meetings.urls")),
    path("o/<slug:org_slug>/", include("peergroups.goals.urls")),
    path("o/<slug:org_slug>/", include("peergroups.resources.urls")),
    path("o/<slug:org_slug>/", include("peergroups.network.urls")),
    path("o/<slug:org_slug>/", include("peergroups.outcomes.urls")),
    path("account/tokens/", include("peergroups.api.urls")),
    path("api/", api.urls),
    path("django-admin/", admin.site.urls),
]

handler400 = "peergroups.http.handler400"
handler403 = "peergroups.http.handler403"
handler404 = "peergroups.http.handler404"
handler500 = "peergroups.http.handler500"
