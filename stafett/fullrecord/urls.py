from django.urls import path

from . import views

app_name = "fullrecord"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("ny/", views.register, name="register"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/produser/", views.produce, name="produce"),
    path("<int:pk>/lever/", views.deliver, name="deliver"),
    path("<int:pk>/din-del.pdf", views.part_pdf, name="part_pdf"),
    path("<int:pk>/din-del.json", views.part_json, name="part_json"),
]
