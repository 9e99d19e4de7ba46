from django.contrib import admin
from django.urls import include, path

from peergroups.api.api import api
from peergroups.organizations.views import first_run, home
from peergroups.people.invitation_views import invitation
from peergroups.scim.views import scim_endpoint
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
    path("o/<slug:org_slug>/", include("peergroups.scim.urls")),
    path("account/tokens/", include("peergroups.api.urls")),
    path("api/", api.urls),
    # SCIM 2.0 provisioning: one base URL; the bearer token says which organization.
    path("scim/v2/", scim_endpoint, name="scim-root"),
    path("scim/v2/<path:path>", scim_endpoint, name="scim-endpoint"),
    path("django-admin/", admin.site.urls),
]

handler400 = "peergroups.http.handler400"
handler403 = "peergroups.http.handler403"
handler404 = "peergroups.http.handler404"
handler500 = "peergroups.http.handler500"
