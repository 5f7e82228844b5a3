from django.urls import path

from . import views, views_log, views_worry

app_name = "citizen"

urlpatterns = [
    path("", views.home, name="home"),
    path("logg/<int:pk>/", views_log.relay, name="relay"),
    path("logg/<int:pk>/skriv/", views_log.write, name="write"),
    path("logg/<int:pk>/mitt-syn/", views_log.child_view, name="child_view"),
    path("logg/<int:pk>/svar/", views_log.reply, name="reply"),
    path("bekymring/ny/", views_worry.worry_new, name="worry_new"),
    path("varsler/", views_log.alerts, name="alerts"),
]
