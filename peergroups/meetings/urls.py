from django.urls import path

from peergroups.meetings import views

G = "groups/<int:group_id>/"
M = G + "meetings/<int:meeting_id>/"

urlpatterns = [
    path(G + "agreement/", views.agreement, name="meetings-agreement"),
    path(G + "meetings/", views.meeting_list, name="meetings-list"),
    path(G + "schedule/", views.schedule, name="meetings-schedule"),
    path(G + "agenda/", views.agenda_template, name="meetings-agenda-template"),
    path(M, views.meeting_detail, name="meetings-detail"),
    path(M + "edit/", views.meeting_edit, name="meetings-edit"),
    path(M + "meeting.ics", views.meeting_ics, name="meetings-ics"),
    path(M + "agenda/", views.agenda_pick, name="meetings-agenda-pick"),
    path(M + "check-in/", views.check_in, name="meetings-check-in"),
    path(M + "run/", views.run, name="meetings-run"),
    path(G + "issues/", views.issue_list, name="meetings-issues"),
    path(G + "issues/new/", views.issue_create, name="meetings-issue-create"),
    path(G + "issues/<int:issue_id>/", views.issue_detail, name="meetings-issue-detail"),
    path(G + "issues/<int:issue_id>/vote/", views.issue_vote, name="meetings-issue-vote"),
    path("calendar/", views.calendar, name="meetings-calendar"),
    path("calendar/<str:token>.ics", views.feed, name="meetings-feed"),
    path("insights/meetings/", views.insights, name="meetings-insights"),
]
