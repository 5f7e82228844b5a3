"""The public catalogue; mounted at k/<str:municipality_number>/tiltak/."""

from django.urls import path

from . import views_public as views

app_name = "catalog_public"
urlpatterns = [
    path("", views.catalog_list, name="list"),
    path("<slug:key>/", views.detail, name="detail"),
]
