from django.urls import path

from peergroups.goals import views

urlpatterns = [
    path("goals/", views.dashboard, name="goals-dashboard"),
    path("goals/new/", views.goal_create, name="goals-create"),
    path("goals/<int:goal_id>/", views.goal_detail, name="goals-detail"),
    path("goals/<int:goal_id>/progress/", views.goal_progress, name="goals-progress"),
    path("goals/reminders/", views.reminder_preferences, name="goals-reminders"),
    path("commitments/", views.commitments, name="goals-commitments"),
    path(
        "commitments/<int:commitment_id>/check-in/",
        views.commitment_check_in,
        name="goals-check-in",
    ),
    path("groups/<int:group_id>/commitments/", views.group_commitments, name="goals-group"),
    path("groups/<int:group_id>/partners/", views.partners, name="goals-partners"),
    path(
        "groups/<int:group_id>/meetings/<int:meeting_id>/commitments/",
        views.meeting_commitments,
        name="goals-meeting-commitments",
    ),
    path(
        "groups/<int:group_id>/issues/<int:issue_id>/commitments/",
        views.issue_commitments,
        name="goals-issue-commitments",
    ),
    path("check-in/<str:token>/", views.token_check_in, name="goals-token-check-in"),
    path("insights/goals/", views.insights, name="goals-insights"),
]
