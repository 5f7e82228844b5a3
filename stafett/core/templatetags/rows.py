"""`{% load rows %}`: links on every row of a list, and the menu of every page,
without a reverse() each time."""

from django import template

from stafett.lib import rows

register = template.Library()


@register.filter
def route_url(name: str) -> str:
    """`{{ "relay:mine"|route_url }}` is `{% url "relay:mine" %}` for a route
    without arguments, reversed once: the page frame's menu links, on every
    page."""
    return rows.route_url(name)


@register.filter
def id_url(name: str, pk) -> str:
    """`{{ "relay:detail"|id_url:relay.pk }}` is `{% url "relay:detail" relay.pk %}`
    for a route whose one argument is an id, made from a reverse() done once
    per route instead of once per row."""
    return rows.id_url(name, pk)
