"""`{% load rows %}`: links on every row of a list, and the menu of every page,
without a reverse() each time."""

from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from stafett.lib.rows import url_for_each

register = template.Library()


@lru_cache(maxsize=256)
def _route(name: str, prefix: str, urlconf: str):
    # Keyed by script prefix and URL conf too: a route's URL depends on both,
    # and on nothing of the person asking.
    return url_for_each(name)


def _key():
    return get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF


@lru_cache(maxsize=256)
def _fixed(name: str, prefix: str, urlconf: str) -> str:
    return reverse(name)


@register.filter
def route_url(name: str) -> str:
    """`{{ "relay:mine"|route_url }}` is `{% url "relay:mine" %}` for a route
    without arguments, reversed once: the page frame's menu links, on every
    page."""
    return _fixed(name, *_key())


@register.filter
def id_url(name: str, pk) -> str:
    """`{{ "relay:detail"|id_url:relay.pk }}` is `{% url "relay:detail" relay.pk %}`
    for a route whose one argument is an id, made from a reverse() done once
    per route instead of once per row."""
    return _route(name, *_key())(int(pk))
