from django.urls import path

from peergroups.outcomes import views

urlpatterns = [
    path("outcomes/", views.member, name="outcomes-member"),
    path("outcomes/baseline/", views.baseline, name="outcomes-baseline"),
    path("outcomes/pulse/", views.pulse, name="outcomes-pulse"),
    path("pulse/<str:token>/", views.pulse_link, name="outcomes-pulse-link"),
    path("groups/<int:group_id>/health/", views.group_health, name="outcomes-group-health"),
    path("insights/outcomes/", views.program_outcomes, name="outcomes-program"),
    path("insights/outcomes.csv", views.program_outcomes_csv, name="outcomes-program-csv"),
]
