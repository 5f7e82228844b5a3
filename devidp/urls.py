from django.urls import include, path
from oauth2_provider import urls as dot_urls

from . import views

devidp_patterns = (
    [
        path("login/", views.login_page, name="login"),
        path("logged-out/", views.logged_out, name="logged_out"),
    ],
    "devidp",
)

urlpatterns = [
    # Before DOT's own, so its authorization endpoint is ours.
    path("authorize/", views.Authorize.as_view(), name="authorize"),
    path("", include(devidp_patterns)),
    path("", include(dot_urls)),
]
