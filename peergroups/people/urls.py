from django.urls import path

from peergroups.people import import_views, views

urlpatterns = [
    path("intake/", views.intake, name="people-intake"),
    path("intake/people/", views.intake_people_search, name="people-intake-search"),
    path("facilitator/apply/", views.facilitator_apply, name="people-facilitator-apply"),
    path("facilitators/", views.facilitator_list, name="people-facilitators"),
    path(
        "facilitators/<int:profile_id>/review/",
        views.facilitator_review,
        name="people-facilitator-review",
    ),
    # Named for the page it began as; the member list is people, not organizations.
    path("members/", views.member_list, name="organizations-members"),
    path("members/lists/", views.category_list, name="people-categories"),
    path("members/import/", import_views.member_import, name="people-import"),
    path("members/export.csv", import_views.member_export, name="people-export"),
]
