# Scaffold: the ID-porten login page and the family logout, built out in the
# identity work (OpenID Connect client, local provider).
from django.urls import path

from . import views

app_name = "oidc"

urlpatterns = [
    path("familie/logg-inn/", views.idporten_login, name="idporten_login"),
    path("familie/logg-ut/", views.logout, name="logout"),
]
