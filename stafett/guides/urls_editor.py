from django.urls import path

from . import views_editor as views

app_name = "guides_editor"
urlpatterns = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("tittel/", views.edit_guide, name="guide"),
    path("niva/<int:number>/", views.edit_level, name="level"),
    path("niva/<int:number>/nytt-trinn/", views.add_step, name="add_step"),
    path("trinn/<int:pk>/", views.edit_step, name="step"),
    path("trinn/<int:pk>/fjern/", views.remove_step, name="remove_step"),
    path("publiser/", views.publish, name="publish"),
    path("forkast/", views.discard, name="discard"),
    path("historikk/", views.history, name="history"),
    path("historikk/sammenlign/", views.compare, name="compare"),
]
