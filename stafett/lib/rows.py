"""Helpers for the context of list and timeline pages: what a template would
otherwise work out again on every row."""

import datetime as dt
from functools import lru_cache
from html import escape

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.dates import MONTHS
from django.utils.formats import get_format, localize
from django.utils.timezone import get_current_timezone
from django.utils.translation import get_language


def choice_labels(choices) -> dict:
    """{value: label} of a model's choices, each label translated once.
    `get_FOO_display()` rebuilds the choices and translates every label on
    each call: on a page of 25 rows that is most of what a row costs."""
    return {value: str(label) for value, label in choices}


def url_for_each(name: str, *args):
    """The URL `name` with `args` followed by one more id or slug, as a
    function of it: reversed once (with 0 in its place), not once per row.
    The last argument of the route must be an `<int:…>` or `<slug:…>`
    segment followed by fixed words (a slug needs no quoting)."""
    url = reverse(name, args=[*args, 0])
    cut = url.rindex("/0/")
    head, tail = url[:cut], url[cut + 3:]
    return lambda pk: f"{head}/{pk}/{tail}"


@lru_cache(maxsize=256)
def _route(name: str, prefix: str, urlconf: str):
    # Keyed by script prefix and URL conf too: a route's URL depends on both,
    # and on nothing of the person asking.
    return url_for_each(name)


@lru_cache(maxsize=256)
def _fixed(name: str, prefix: str, urlconf: str) -> str:
    return reverse(name)


def _key():
    return get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF


def id_url(name: str, pk) -> str:
    """`reverse(name, args=[pk])` for a route whose one argument is an id,
    made from a reverse() done once per route and process."""
    return _route(name, *_key())(int(pk))


def route_url(name: str) -> str:
    """`reverse(name)` for a route without arguments, reversed once."""
    return _fixed(name, *_key())


# Each code as a field of str.format: {0} the moment, {1} its month's name,
# {2} the moment in ISO 8601 (as DateFormat.c writes it).
_DATE_CODES = {
    "j": "{0.day}",
    "d": "{0.day:02d}",
    "m": "{0.month:02d}",
    "F": "{1}",
    "Y": "{0.year:04d}",
    "H": "{0.hour:02d}",
    "i": "{0.minute:02d}",
    "c": "{2}",
}


@lru_cache(maxsize=64)
def _date_template(format_string: str) -> str:
    """`format_string` as one str.format template (see _DATE_CODES)."""
    parts, escaped = [], False
    for char in format_string:
        if escaped:
            parts.append(char.replace("{", "{{").replace("}", "}}"))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in _DATE_CODES:
            parts.append(_DATE_CODES[char])
        elif char.isalpha():
            raise ValueError(f"date_formatter does not know the code {char!r}")
        else:
            parts.append(char.replace("{", "{{").replace("}", "}}"))
    return "".join(parts)


@lru_cache(maxsize=32)
def _month_names(language: str | None) -> tuple[str, ...]:
    """The months' names in `language`, the active one when called (None:
    no translation active, the names as the code writes them): a page makes
    several formatters, and each name was a catalogue lookup each time."""
    return tuple(str(MONTHS[n]) for n in range(1, 13))


def date_formatter(format_string: str, *, localize: bool = True):
    """`{{ value|date:format_string }}` as a function, for the moments of a
    page of rows: the format is parsed once into one str.format template and
    the month names translated once per language, not for every row (the
    filter builds a DateFormat and translates each name on each call). Takes
    the codes j d m F Y H i c, backslash escapes and literal characters; the
    value is shown in the current time zone, as the filter shows it
    (`localize=False`: the caller gives it so, once for several formats)."""
    template = _date_template(format_string)
    months = _month_names(get_language()) if "{1}" in template else None
    iso = "{2}" in template
    to_local = local_time() if localize else None

    def format_date(value) -> str:
        if value in (None, ""):
            return ""  # as the filter shows nothing
        if to_local:
            value = to_local(value)
        return template.format(value, months[value.month - 1] if months else "",
                               value.isoformat() if iso else "")

    return format_date


def local_time():
    """`template_localtime` as a function, for the moments of a page of rows:
    the current time zone looked up once (a context-local lookup), not once
    a row. Only aware datetimes change, as there."""
    if not settings.USE_TZ:
        return lambda value: value
    zone = get_current_timezone()

    def to_local(value):
        if (isinstance(value, dt.datetime) and value.utcoffset() is not None
                and getattr(value, "convert_to_local_time", True)):
            return value.astimezone(zone)
        return value

    return to_local


def day_label(fmt: str):
    """`value|date:fmt` as a function, for the rows of a page; `fmt` may name
    a format of the language (SHORT_DATE_FORMAT), as the filter's may."""
    return date_formatter(get_format(fmt) if fmt.isupper() else fmt)


def html_text(value) -> str:
    """What `{{ value }}` prints, for HTML written in Python: safe strings as
    they are, anything else localized when not a string, then escaped (the
    standard library's escape is Django's without its lazy-string wrapper,
    which cost more than the escaping, on a thousand table cells)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(value if isinstance(value, str) else str(localize(value)))


def csrf_input(context) -> str:
    """What `{% csrf_token %}` prints: the request's token (one per page,
    however many forms show it), nothing where there is none."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{html_text(str(token))}">'
