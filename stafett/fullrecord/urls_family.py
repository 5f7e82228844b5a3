from django.urls import path

from . import views_family

app_name = "fullrecord_family"

urlpatterns = [
    path("", views_family.family_list, name="list"),
    path("<int:pk>/innsyn.pdf", views_family.family_pdf, name="pdf"),
    path("<int:pk>/innsyn.json", views_family.family_json, name="json"),
]
