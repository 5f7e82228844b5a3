from django.urls import path

from . import views, views_access_log, views_consent

app_name = "citizen"

urlpatterns = [
    path("", views.home, name="home"),
    path("logg/<int:pk>/samtykke/", views_consent.consent, name="consent"),
    path("logg/<int:pk>/samtykke/signer/<int:proposal_pk>/", views_consent.consent_sign,
         name="consent_sign"),
    path("logg/<int:pk>/samtykke/trekk-tilbake/", views_consent.consent_withdraw,
         name="consent_withdraw"),
    path("logg/<int:pk>/innsyn/", views_access_log.access_log, name="access_log"),
]
