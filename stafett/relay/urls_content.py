"""The content of a stafettlogg: goals, measures, evaluations, meetings,
notes, corrections and withholdings (mounted at /stafettlogg/)."""

from django.urls import path

from . import views_content as views

app_name = "relay_content"
urlpatterns = [
    path("<int:pk>/mal/ny/", views.goal_new, name="goal_new"),
    path("<int:pk>/mal/<int:goal_id>/", views.goal_edit, name="goal"),
    path("<int:pk>/mal/<int:goal_id>/oppnadd/", views.goal_achieved, name="goal_achieved"),
    path("<int:pk>/tiltak/ny/", views.measure_new, name="measure_new"),
    path("<int:pk>/tiltak/<int:measure_id>/", views.measure_edit, name="measure"),
    path("<int:pk>/evaluering/ny/", views.evaluation_new, name="evaluation_new"),
    path("<int:pk>/mote/ny/", views.meeting_new, name="meeting_new"),
    path("<int:pk>/mote/<int:meeting_id>/", views.meeting_detail, name="meeting"),
    path("<int:pk>/mote/<int:meeting_id>/referat/", views.meeting_minutes, name="meeting_minutes"),
    path("<int:pk>/notat/ny/", views.entry_new, name="entry_new"),
    path("<int:pk>/innslag/<int:entry_id>/rett/", views.entry_correct, name="entry_correct"),
    path("<int:pk>/innslag/<int:entry_id>/hold-tilbake/", views.entry_withhold, name="entry_withhold"),
]
