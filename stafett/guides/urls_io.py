from django.urls import path

from . import views_io as views

app_name = "guides_io"
urlpatterns = [
    path("", views.import_, name="import"),
    path("last-ned/", views.export, name="export"),
    path("mal/", views.from_template, name="from_template"),
]
