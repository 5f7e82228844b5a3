"""Deny by default: every view in the URL conf declares its access rule."""

from django.urls import URLPattern, URLResolver, get_resolver

from stafett.access.views import ACCESS_ATTR

# Views of the Django admin guard themselves (and admin.site.has_permission is
# narrowed to system operators in stafett/urls.py).
EXEMPT_NAMESPACES = {"admin"}


def _walk(patterns, namespace=None, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            yield from _walk(pattern.url_patterns, ns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield namespace, prefix + str(pattern.pattern), pattern.callback


def test_every_view_declares_an_access_rule():
    undeclared = [
        route for namespace, route, view in _walk(get_resolver().url_patterns)
        if namespace not in EXEMPT_NAMESPACES and not hasattr(view, ACCESS_ATTR)
    ]
    assert undeclared == []


def test_the_walk_finds_the_views():
    routes = [route for _, route, _ in _walk(get_resolver().url_patterns)]
    assert any("bekymringer/" in r for r in routes)
    assert len(routes) > 10


def test_admin_is_for_operators_only(world):
    assert world.client_for(world.coordinator).get("/admin/").status_code == 302
    assert world.client_for(world.operator).get("/admin/").status_code == 200


def test_admin_shows_no_childrens_data(world):
    from django.contrib import admin

    registered = {model._meta.app_label for model in admin.site._registry}
    assert "concerns" not in registered and "audit" not in registered
    client = world.client_for(world.operator)
    for url in ("/admin/tenancy/municipality/", "/admin/tenancy/service/",
                "/admin/tenancy/membership/", "/admin/accounts/user/"):
        assert client.get(url).status_code == 200, url
