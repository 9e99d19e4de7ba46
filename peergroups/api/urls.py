from django.urls import path

from peergroups.api import views

urlpatterns = [
    path("", views.token_list, name="api-tokens"),
    path("<int:token_id>/revoke/", views.token_revoke, name="api-token-revoke"),
]
