from django.urls import path

from . import views, views_tools

app_name = "concerns"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("innboks/", views.inbox, name="inbox"),
    path("ny/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/trinn/<slug:code>/", views.step, name="step"),
    path("<int:pk>/kommentar/", views.comment, name="comment"),
    path("<int:pk>/akutt/", views.acute, name="acute"),
    path("<int:pk>/historikk/", views.history, name="history"),
    path("<int:pk>/ny-ansvarlig/", views.reassign, name="reassign"),
    path("<int:pk>/verktoy/<slug:key>/", views_tools.concern_tool, name="tool"),
    path("<int:pk>/verktoy/<slug:key>/pdf/", views_tools.concern_tool_pdf, name="tool_pdf"),
]
