"""The public action guide; mounted at k/<str:municipality_number>/veileder/,
so every view receives `municipality_number`."""

from django.urls import path

from . import views_public as views

app_name = "guides_public"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("niva/<int:number>/", views.level, name="level"),
    path("niva/<int:level>/trinn/<int:number>/", views.step, name="step"),
    path("verktoy/", views.tools, name="tools"),
    path("verktoy/<slug:key>/", views.tool, name="tool"),
    path("verktoy/<slug:key>/pdf/", views.tool_pdf, name="tool_pdf"),
    path("sok/", views.search, name="search"),
    path("skriv-ut/", views.print_view, name="print"),
    path("pdf/", views.guide_pdf, name="pdf"),
]
