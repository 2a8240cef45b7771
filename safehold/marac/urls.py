"""The MARAC meeting pages, included from safehold/urls.py under /marac/."""

from django.urls import path

from safehold.marac import views

urlpatterns = [
    path("meetings/", views.meetings, name="marac-meetings"),
    path("meetings/new", views.meeting_new, name="marac-meeting-new"),
    path("meetings/<str:meeting_id>/", views.meeting, name="marac-meeting"),
    path(
        "meetings/<str:meeting_id>/build",
        views.meeting_list_build,
        name="marac-meeting-build",
    ),
    path(
        "hearings/<str:hearing_id>/decisions",
        views.hearing_decisions,
        name="marac-hearing-decisions",
    ),
    path(
        "hearings/<str:hearing_id>/survivor-discussion",
        views.survivor_discussion,
        name="marac-survivor-discussion",
    ),
    path("hearings/<str:hearing_id>/remove", views.hearing_remove, name="marac-hearing-remove"),
    path("actions/<str:action_id>/status", views.action_status, name="marac-action-status"),
]
