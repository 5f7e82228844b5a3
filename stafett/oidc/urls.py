from django.urls import path

from . import views, views_staff

app_name = "oidc"

urlpatterns = [
    path("familie/logg-inn/", views.idporten_login, name="idporten_login"),
    path("familie/logg-inn/start/", views.idporten_start, name="idporten_start"),
    path("familie/logg-inn/svar/", views.idporten_callback, name="idporten_callback"),
    path("familie/logg-ut/", views.logout, name="logout"),
    path("familie/logget-ut/", views.logged_out, name="logged_out"),
    path("konto/innlogging/<str:number>/", views_staff.staff_start, name="staff_start"),
    path("konto/innlogging/<str:number>/svar/", views_staff.staff_callback, name="staff_callback"),
]
