from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("start/", views.home, name="home"),
    path("akutt/", views.acute, name="acute"),
    path("sprak/", views.set_language, name="set_language"),
]
