from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("logg-inn/", views.login, name="login"),
    path("logg-ut/", views.logout, name="logout"),
    path("logg-ut-overalt/", views.logout_everywhere, name="logout_everywhere"),
    path("to-trinn/", views.verify, name="verify"),
    path("to-trinn/oppsett/", views.two_factor, name="two_factor"),
    path("to-trinn/fjern/", views.two_factor_remove, name="two_factor_remove"),
]
