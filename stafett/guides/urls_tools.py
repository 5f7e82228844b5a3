"""The tool library for staff; mounted at the site root, so the paths are full."""

from django.urls import path

from . import views_tools

app_name = "guides_tools"
urlpatterns = [
    path("veileder/verktoy/<slug:key>/", views_tools.tool, name="tool"),
    path("veileder/verktoy/<slug:key>/pdf/", views_tools.tool_pdf, name="tool_pdf"),
]
