from django.urls import path

from peergroups.groups import views

# Program administration lives here: its rules (size bounds that must fit the groups)
# are groups' (`services.program_create`, `services.program_update`). The paths are the
# ones the pages had under organizations and dashboards.
urlpatterns = [
    path("programs/new/", views.program_create, name="groups-program-create"),
    path("programs/<int:program_id>/edit/", views.program_edit, name="groups-program-edit"),
    path("groups/<int:group_id>/", views.group_detail, name="groups-detail"),
    path("groups/<int:group_id>/manage/", views.group_manage, name="groups-manage"),
]
