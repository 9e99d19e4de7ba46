from django.urls import path

from peergroups.groups import views

urlpatterns = [
    path("groups/<int:group_id>/", views.group_detail, name="groups-detail"),
    path("groups/<int:group_id>/manage/", views.group_manage, name="groups-manage"),
]
