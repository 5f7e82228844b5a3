"""Stafett's own error pages: 400, 403, 404, 500 and a refused form (CSRF).

Each is in the page frame, in the person's language, with a way back and the
emergency numbers: the national ones always, the municipality's when the
person works in one.

- 404 answers for missing and forbidden alike (rule 3), so its body must not
  depend on the object or the address asked for: no current path, no CSRF
  token (its mask is random per request), nothing from the URL.
- 500 may be rendered while the database is down: no context processors, no
  queries; the municipality is shown only if the actor was already built
  (it lives in memory), and the language comes from the cookie alone.
"""

from __future__ import annotations

from django.http import (
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.template import loader
from django.utils import translation

from stafett.access.views import public
from stafett.core.middleware import family_path, language_for


def _frame(request) -> dict:
    """An error on a family page is shown in the family's frame (their
    language, right to left in Arabic, a way back to the family pages)."""
    return {"error_page": True, "family": request.path_info.startswith(family_path())}


def _render(request, template_name: str, response_class):
    # The full context (actor, municipality, badge): these pages are for
    # requests that reached the app, whose database answered a moment ago.
    body = loader.render_to_string(template_name, _frame(request), request)
    return response_class(body)


@public
def bad_request(request, exception=None):
    return _render(request, "400.html", HttpResponseBadRequest)


@public
def permission_denied(request, exception=None):
    return _render(request, "403.html", HttpResponseForbidden)


@public
def page_not_found(request, exception=None):
    # The exception's text is never shown: it could name the object.
    return _render(request, "404.html", HttpResponseNotFound)


@public
def csrf_failure(request, reason: str = ""):
    # `reason` is for developers; the person gets a plain explanation.
    return _render(request, "403_csrf.html", HttpResponseForbidden)


@public
def server_error(request):
    """No request context (its processors query), only what is in memory."""
    actor = getattr(request, "actor", None)
    context = _frame(request)
    if actor is not None and actor.municipality is not None:
        context |= {
            "actor": actor,
            "municipality": actor.municipality,
            "is_leader": bool(actor.led_service_ids),
        }
    with translation.override(language_for(request)):
        body = loader.get_template("500.html").render(context)
    return HttpResponseServerError(body)
