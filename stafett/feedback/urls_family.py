from django.urls import path

from . import views_family

app_name = "feedback_family"

urlpatterns = [
    path("", views_family.new, name="new"),
    path("mine/", views_family.mine, name="mine"),
    path("<int:pk>/", views_family.detail, name="detail"),
    path("spor/", views_family.track, name="track"),
]
