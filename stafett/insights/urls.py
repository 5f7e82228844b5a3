from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("ledelse.csv", views.download, {"fmt": "csv"}, name="csv"),
    path("ledelse.xlsx", views.download, {"fmt": "xlsx"}, name="xlsx"),
    path("ledelse.pdf", views.download, {"fmt": "pdf"}, name="pdf"),
]
