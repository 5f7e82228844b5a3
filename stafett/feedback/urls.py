from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("", views.new, name="new"),
    path("mine/", views.mine, name="mine"),
    path("<int:pk>/", views.detail, name="detail"),
    path("spor/", views.track, name="track"),
    path("behandle/", views.handle_list, name="handle"),
    path("behandle/<int:pk>/", views.handle_detail, name="handle_detail"),
]
