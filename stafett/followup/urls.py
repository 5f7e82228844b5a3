from django.urls import path

from stafett.followup import views

app_name = "followup"

urlpatterns = [
    path("", views.needs_attention, name="list"),
    path("<int:pk>/lest/", views.mark_read, name="read"),
    path("innstillinger/", views.settings, name="settings"),
]
