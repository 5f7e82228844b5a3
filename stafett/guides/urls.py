from django.urls import path

from . import views

app_name = "guides"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("niva/<int:number>/", views.level, name="level"),
    path("niva/<int:level>/trinn/<int:number>/", views.step, name="step"),
    path("verktoy/", views.tools, name="tools"),
]
