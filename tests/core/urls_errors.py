"""The real URL conf and its error handlers, plus two views that fail on
purpose: one refused (403), one that breaks and takes the database with it."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from stafett.access.views import staff
from stafett.urls import handler400, handler403, handler404, handler500  # noqa: F401
from stafett.urls import urlpatterns as real_patterns

# Set by `broken`: from then on the test's query blocker refuses every query.
DATABASE = {"down": False}


@staff
def refused(request):
    raise PermissionDenied


@staff
def broken(request):
    DATABASE["down"] = True
    raise RuntimeError("something broke")


urlpatterns = [
    *real_patterns,
    path("test/refused/", refused),
    path("test/broken/", broken),
]
