"""Helpers for the context of list and timeline pages: what a template would
otherwise work out again on every row."""

from django.urls import reverse


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
