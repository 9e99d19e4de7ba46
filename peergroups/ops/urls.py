from django.urls import path

from peergroups.ops import views

urlpatterns = [
    path("readyz", views.readyz, name="ops-readyz"),
]
