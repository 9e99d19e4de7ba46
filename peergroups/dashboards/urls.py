from django.urls import path

from peergroups.dashboards import views

# The names keep the organizations- prefix they were born with: links and tests use them.
urlpatterns = [
    path("", views.dashboard, name="organizations-dashboard"),
    path("programs/<int:program_id>/", views.program_detail, name="organizations-program"),
    path(
        "programs/<int:program_id>/roster.csv",
        views.program_roster_export,
        name="dashboards-roster-export",
    ),
    path("board/", views.operations_board, name="dashboards-board"),
    path("people/<int:user_id>/", views.person_detail, name="dashboards-person"),
    path("invitations/funnel/", views.invitation_funnel_page, name="dashboards-funnel"),
    path("my-data.zip", views.my_data, name="dashboards-my-data-export"),
]
