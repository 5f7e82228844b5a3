"""The benchmark's URL conf (tests/load/bench_settings.py): the app's URLs
plus a bare authenticated view, and the middleware that counts queries."""

from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template import engines
from django.urls import path

from stafett.urls import urlpatterns as app_urlpatterns

BARE_URL = "/_bench/bare/"
_bare_template = engines["django"].from_string(
    "<!doctype html><title>Stafett</title><p>{{ user.get_full_name }} ({{ user.username }})</p>")


def bare(request):
    """Loads the session user and renders a tiny template: what any page costs
    before it does its own work (all middleware included)."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return HttpResponse(_bare_template.render({"user": request.user}, request))


urlpatterns = [path(BARE_URL.strip("/") + "/", bare), *app_urlpatterns]


class QueryCountMiddleware:
    """Sets `X-Queries` to the number of SQL statements the request ran."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Queries"] = str(count)
        return response
