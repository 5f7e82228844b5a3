from django.urls import path

from . import views

app_name = "relay"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("ny/", views.new, name="new"),
    path("fra-bekymring/<int:concern_pk>/", views.start_from_concern, name="start_from_concern"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/akutt/", views.acute, name="acute"),
    path("<int:pk>/foresatte/", views.guardians, name="guardians"),
    path("<int:pk>/samtykke/", views.consent, name="consent"),
    path("<int:pk>/samtykke/utvid/", views.consent, {"extend": True}, name="extend_consent"),
    path("<int:pk>/samtykke/digitalt/", views.ask_consent, name="ask_consent"),
    path("<int:pk>/samtykke/trekk-tilbake/", views.withdraw_consent, name="withdraw_consent"),
    path("<int:pk>/samtykke/<int:consent_pk>/skjema/", views.consent_scan, name="consent_scan"),
    path("<int:pk>/deltakere/", views.participants, name="participants"),
    path("<int:pk>/deltakere/<int:participant_pk>/fjern/", views.remove_participant,
         name="remove_participant"),
    path("<int:pk>/overforing/", views.handover, name="handover"),
    path("<int:pk>/overforing/<int:handover_pk>/", views.respond_to_handover,
         name="respond_to_handover"),
    path("<int:pk>/overforing/<int:handover_pk>/avbryt/", views.cancel_handover,
         name="cancel_handover"),
    path("<int:pk>/ny-holder/", views.appoint, name="appoint"),
    path("<int:pk>/inkludering/<int:inclusion_pk>/familien-sa-nei/", views.decline_inclusion,
         name="decline_inclusion"),
    path("<int:pk>/avslutt/", views.close, name="close"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
    path("<int:pk>/foresattes-kopi/", views.guardian_copy, name="guardian_copy"),
]
