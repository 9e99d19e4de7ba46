from django.urls import path

from peergroups.organizations import views

urlpatterns = [
    path("settings/", views.organization_settings, name="organizations-settings"),
    path("invitations/", views.invitation_list, name="organizations-invitations"),
    path("audit/", views.audit_log, name="organizations-audit"),
    path("audit/export.csv", views.audit_export, name="organizations-audit-export"),
]
