"""Helpers for the context of list and timeline pages: what a template would
otherwise work out again on every row."""

import datetime as dt

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import template_localtime


def choice_labels(choices) -> dict:
    """{value: label} of a model's choices, each label translated once.
    `get_FOO_display()` rebuilds the choices and translates every label on
    each call: on a page of 25 rows that is most of what a row costs."""
    return {value: str(label) for value, label in choices}


def url_for_each(name: str, *args):
    """The URL `name` with `args` followed by one more id, as a function of
    that id: reversed once (with 0 in its place), not once per row. The last
    argument of the route must be an `<int:…>` segment followed by fixed words."""
    url = reverse(name, args=[*args, 0])
    cut = url.rindex("/0/")
    head, tail = url[:cut], url[cut + 3:]
    return lambda pk: f"{head}/{pk}/{tail}"


def day_label(fmt: str):
    """`value|date:fmt` as a function, for a format of the day alone (no
    time of day): each day on the page is formatted once, not once per row.
    The value is first turned to local time, as the template filter does."""
    labels: dict = {}

    def label(value) -> str:
        if value in (None, ""):
            return ""
        value = template_localtime(value)
        day = value.date() if isinstance(value, dt.datetime) else value
        if day not in labels:
            labels[day] = date_format(value, fmt)
        return labels[day]

    return label
