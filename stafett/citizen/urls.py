from django.urls import path

from . import views, views_access_log, views_consent, views_log, views_worry

app_name = "citizen"

urlpatterns = [
    path("", views.home, name="home"),
    path("logg/<int:pk>/", views_log.relay, name="relay"),
    path("logg/<int:pk>/skriv/", views_log.write, name="write"),
    path("logg/<int:pk>/mitt-syn/", views_log.child_view, name="child_view"),
    path("logg/<int:pk>/svar/", views_log.reply, name="reply"),
    path("bekymring/ny/", views_worry.worry_new, name="worry_new"),
    path("varsler/", views_log.alerts, name="alerts"),
    path("logg/<int:pk>/samtykke/", views_consent.consent, name="consent"),
    path("logg/<int:pk>/samtykke/signer/<int:proposal_pk>/", views_consent.consent_sign,
         name="consent_sign"),
    path("logg/<int:pk>/samtykke/trekk-tilbake/", views_consent.consent_withdraw,
         name="consent_withdraw"),
    path("logg/<int:pk>/innsyn/", views_access_log.access_log, name="access_log"),
]
