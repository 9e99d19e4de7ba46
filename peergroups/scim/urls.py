from django.urls import path

from peergroups.scim import views

# Under /o/<org_slug>/ (the admins' page); the protocol's own routes are in peergroups.urls.
urlpatterns = [
    path("settings/scim/", views.token_list, name="scim-tokens"),
    path("settings/scim/<int:token_id>/revoke/", views.token_revoke, name="scim-token-revoke"),
]
