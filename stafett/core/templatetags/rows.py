"""`{% load rows %}`: links on every row of a list without a reverse() per row."""

from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf

from stafett.lib.rows import url_for_each

register = template.Library()


@lru_cache(maxsize=256)
def _route(name: str, prefix: str, urlconf: str):
    # Keyed by script prefix and URL conf too: a route's URL depends on both,
    # and on nothing of the person asking.
    return url_for_each(name)


@register.filter
def id_url(name: str, pk) -> str:
    """`{{ "relay:detail"|id_url:relay.pk }}` is `{% url "relay:detail" relay.pk %}`
    for a route whose one argument is an id, made from a reverse() done once
    per route instead of once per row."""
    return _route(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)(int(pk))
