from django.urls import path

from peergroups.network import views

Q = "network/questions/<int:question_id>/"

urlpatterns = [
    path("directory/", views.directory, name="network-directory"),
    path("directory/me/", views.directory_me, name="network-directory-me"),
    path("network/questions/", views.questions, name="network-questions"),
    path("network/ask/", views.ask, name="network-ask"),
    path(Q, views.question, name="network-question"),
    path(Q + "answer/", views.answer, name="network-answer"),
    path(Q + "decline/", views.decline, name="network-decline"),
    path(Q + "close/", views.close, name="network-close"),
]
