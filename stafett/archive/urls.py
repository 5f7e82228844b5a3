from django.urls import path

from stafett.archive import views

app_name = "archive"

urlpatterns = [
    path("innstillinger/", views.settings, name="settings"),
]
