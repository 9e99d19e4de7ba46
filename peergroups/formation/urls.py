from django.urls import path

from peergroups.formation import views

urlpatterns = [
    path("programs/<int:program_id>/formation/", views.formation_start, name="formation-start"),
    path(
        "programs/<int:program_id>/placement/<int:user_id>/",
        views.formation_placement,
        name="formation-placement",
    ),
    path("formation/<int:run_id>/", views.formation_run, name="formation-run"),
    path("formation/<int:run_id>/progress/", views.formation_progress, name="formation-progress"),
    path("formation/<int:run_id>/cancel/", views.formation_cancel, name="formation-cancel"),
    path("formation/<int:run_id>/rerun/", views.formation_rerun, name="formation-rerun"),
    path("formation/<int:run_id>/remedy/", views.formation_remedy, name="formation-remedy"),
    path("formation/<int:run_id>/move/", views.formation_move, name="formation-move"),
    path("formation/<int:run_id>/swap/", views.formation_swap, name="formation-swap"),
    path("formation/<int:run_id>/undo/", views.formation_undo, name="formation-undo"),
    path(
        "formation/<int:run_id>/facilitator/",
        views.formation_facilitator,
        name="formation-facilitator",
    ),
    path("formation/<int:run_id>/publish/", views.formation_publish, name="formation-publish"),
    path("formation/<int:run_id>/welcome/", views.formation_welcome, name="formation-welcome"),
]
