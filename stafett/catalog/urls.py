from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.catalog_list, name="list"),
    path("nytt/", views.new, name="new"),
    path("fil/", views.import_, name="import"),
    path("fil/last-ned/", views.export, name="export"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/endre/", views.edit, name="edit"),
    path("<int:pk>/status/", views.status, name="status"),
]
