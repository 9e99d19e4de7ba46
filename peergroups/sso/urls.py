from django.urls import path

from peergroups.sso import views

urlpatterns = [
    path("sso/", views.sign_on_find, name="sso-find"),
    path("sso/<slug:org_slug>/", views.sign_on_start, name="sso-start"),
    path("sso/<slug:org_slug>/callback/", views.sign_on_callback, name="sso-callback"),
]

# Under /o/<org_slug>/ (peergroups.urls), beside the organization's other settings.
organization_urlpatterns = [
    path("settings/sign-on/", views.sign_on_settings, name="sso-settings"),
]
