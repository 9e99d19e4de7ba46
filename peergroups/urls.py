from django.contrib import admin
from django.urls import include, path

from peergroups.api.api import api

urlpatterns = [
    path("", include("peergroups.accounts.urls")),
    path("o/<slug:org_slug>/", include("peergroups.organizations.urls")),
    path("o/<slug:org_slug>/", include("peergroups.people.urls")),
    path("o/<slug:org_slug>/", include("peergroups.groups.urls")),
    path("o/<slug:org_slug>/", include("peergroups.formation.urls")),
    path("o/<slug:org_slug>/", include("peergroups.meetings.urls")),
    path("o/<slug:org_slug>/", include("peergroups.goals.urls")),
    path("o/<slug:org_slug>/", include("peergroups.resources.urls")),
    path("o/<slug:org_slug>/", include("peergroups.network.urls")),
    path("account/tokens/", include("peergroups.api.urls")),
    path("api/", api.urls),
    path("django-admin/", admin.site.urls),
]

handler400 = "peergroups.http.handler400"
handler403 = "peergroups.http.handler403"
handler404 = "peergroups.http.handler404"
