from django.urls import path

from . import extract_views

app_name = "archive_extract"
urlpatterns = [
    path("", extract_views.index, name="index"),
    path("<int:pk>/last-ned/", extract_views.download, name="download"),
]
