from django.urls import path

from peergroups.resources import views

R = "resources/<int:resource_id>/"

urlpatterns = [
    path("resources/", views.library, name="resources-library"),
    path("resources/new/", views.share, name="resources-share"),
    path(R, views.detail, name="resources-detail"),
    path(R + "edit/", views.edit, name="resources-edit"),
    path(R + "withdraw/", views.withdraw, name="resources-withdraw"),
    path(R + "vote/", views.vote, name="resources-vote"),
    path(R + "file/", views.download, name="resources-file"),
    path(
        "groups/<int:group_id>/meetings/<int:meeting_id>/resources/",
        views.meeting_share,
        name="resources-meeting-share",
    ),
]
