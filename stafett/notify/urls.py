from django.urls import path

from stafett.notify import views

app_name = "notify"

urlpatterns = [
    path("", views.notices, name="list"),
    path("<int:pk>/lest/", views.mark_read, name="read"),
    path("alle-lest/", views.mark_all_read, name="read_all"),
]
