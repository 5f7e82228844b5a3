from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("innstillinger/", views.report_settings, name="settings"),
    path("ny/bekymring/<int:pk>/", views.create_from_concern, name="create_from_concern"),
    path("ny/stafettlogg/<int:pk>/", views.create_from_relay, name="create_from_relay"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/rediger/", views.edit, name="edit"),
    path("<int:pk>/send-inn/", views.submit, name="submit"),
    path("<int:pk>/send-akutt/", views.send_acute, name="send_acute"),
    path("<int:pk>/trekk-tilbake/", views.withdraw, name="withdraw"),
    path("<int:pk>/godkjenning/", views.review, name="review"),
    path("<int:pk>/send-tilbake/", views.send_back, name="send_back"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
]
