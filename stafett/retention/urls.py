from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("", views.schedule, name="schedule"),
    path("stafettlogg/<int:pk>/", views.relay_hold, name="relay_hold"),
    path("bekymring/<int:pk>/", views.concern_hold, name="concern_hold"),
]
