from django.urls import path

from . import views

app_name = "onboarding"
urlpatterns = [
    path("", views.index, name="index"),
    path("status/", views.status, name="status"),
    path("<slug:slug>/", views.part, name="part"),
]
