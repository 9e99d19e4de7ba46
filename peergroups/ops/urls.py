from django.urls import path

from peergroups.ops import views

# ProbeMiddleware answers GET and HEAD of both first (any Host, plain HTTP); these routes
# name them and answer the other methods (405).
urlpatterns = [
    path("healthz", views.healthz, name="ops-healthz"),
    path("readyz", views.readyz, name="ops-readyz"),
    path("metrics", views.metrics, name="ops-metrics"),
    path("dev/outbox", views.outbox, name="ops-outbox"),
]
