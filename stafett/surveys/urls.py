from django.urls import path

from stafett.surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.index, name="index"),
    path("sporsmal/", views.bank, name="bank"),
    path("sporsmal/<int:pk>/", views.question, name="question"),
    path("sporsmal/<int:pk>/flytt/", views.question_move, name="question_move"),
    path("sporsmal/<int:pk>/i-bruk/", views.question_active, name="question_active"),
    path("runder/ny/", views.wave_new, name="wave_new"),
    path("runder/<int:pk>/", views.wave, name="wave"),
    path("runder/<int:pk>/rediger/", views.wave_edit, name="wave_edit"),
    path("runder/<int:pk>/apne/", views.wave_open, name="wave_open"),
    path("runder/<int:pk>/paminn/", views.wave_remind, name="wave_remind"),
    path("runder/<int:pk>/lukk/", views.wave_close, name="wave_close"),
    path("runder/<int:pk>/svar/", views.answer, name="answer"),
    path("runder/<int:pk>/resultater/", views.wave_results, name="results"),
    path("runder/<int:pk>/resultater.csv", views.results_export, {"fmt": "csv"}, name="results_csv"),
    path("runder/<int:pk>/resultater.xlsx", views.results_export, {"fmt": "xlsx"}, name="results_xlsx"),
    path("runder/<int:pk>/resultater.pdf", views.results_export, {"fmt": "pdf"}, name="results_pdf"),
]
