"""Form pieces shared by every app: native date and time inputs, the hidden
version field that turns a stale save into a conflict message, and the fields
every form uses for what a person (or anyone with a crafted request) sends.

Each kind of input meets one rule, in one place, and is refused with a message
in the person's language before it reaches a query or an action:

- ids (`ModelChoiceField`, `ModelMultipleChoiceField`): only positive whole
  numbers the database can hold, at most MAX_CHOSEN of them; anything else is
  "choose from the list", without a query;
- fixed choices (`ChoiceField`, `TypedChoiceField`): the same message, which
  never repeats what was sent;
- dates and times (`DateField`, `DateTimeField`): within a window around today
  that each form sets for what the date means (see WINDOWS);
- free text (`TextField` for text areas, `LineField` for one line): a limit,
  shown beside a text area; NUL characters refused; line breaks counted as one
  character, as the browser counts them.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import formats, timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .dates import add_years
from .national_id import InvalidNationalId, parse

# The largest id a database row can have (a signed 64-bit bigint).
MAX_ID = 2**63 - 1
# More ticked boxes than this in one field is no person's doing (and would
# exceed SQLite's limit of variables in one query).
MAX_CHOSEN = 500

# Free-text limits, in characters. A line is a name, a title or a place; a
# text is a description, a note, a reason; a long text is minutes, an agenda
# or a text of the action guide. Far beyond what anyone writes in one field,
# far below what would strain a page, a PDF or the database.
LINE_LIMIT = 200
TEXT_LIMIT = 10_000
LONG_TEXT_LIMIT = 20_000

CHOOSE_FROM_LIST = _("Choose one of the options in the list.")
TOO_MANY_CHOSEN = _("Too many options were sent. Choose at most %(limit)s.")
TOO_LONG = _("The text is too long: %(length)s characters, and at most %(limit)s are allowed. Shorten it.")
NUL_CHARACTER = _(
    "The text contains an invisible control character (NUL) that cannot be saved. "
    "Delete it, or write the text again instead of pasting it."
)
OUTSIDE_WINDOW = _("Give a date from %(earliest)s to %(latest)s.")
OUT_OF_DATE = _("The page is out of date. Reload it, and make your change again.")

_ID = re.compile(r"[0-9]{1,19}")


def is_id(value) -> bool:
    """A positive whole number that fits in a database id."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0 < value <= MAX_ID
    if isinstance(value, str) and _ID.fullmatch(value.strip()):
        return 0 < int(value) <= MAX_ID
    return False


def _number(value: int) -> str:
    return formats.number_format(value, force_grouping=True)


def _limit_text(limit: int) -> str:
    return gettext("At most %(limit)s characters.") % {"limit": _number(limit)}


limit_help = lazy(_limit_text, str)


# --- inputs ------------------------------------------------------------------------


class _Bounded:
    """An input that tells the browser its field's window (min and max),
    computed when the page is drawn, so the date picker offers only those."""

    window = None  # set by the field: a callable giving (earliest, latest)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if self.window is not None:
            earliest, latest = self.window()
            context["widget"]["attrs"] |= {"min": self.edge(earliest), "max": self.edge(latest)}
        return context


class DateInput(_Bounded, forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)

    def edge(self, value):
        return value.isoformat()


class DateTimeInput(_Bounded, forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)

    def edge(self, value):
        return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


# --- choices -------------------------------------------------------------------------


class ChoiceField(forms.ChoiceField):
    default_error_messages = {"invalid_choice": CHOOSE_FROM_LIST}


class TypedChoiceField(forms.TypedChoiceField):
    default_error_messages = {"invalid_choice": CHOOSE_FROM_LIST}


class ModelChoiceField(forms.ModelChoiceField):
    """One row chosen by its id; a value that cannot be an id is refused
    before it reaches the database (which would fail on an id beyond 64 bits)."""

    default_error_messages = {"invalid_choice": CHOOSE_FROM_LIST}

    def to_python(self, value):
        if (value not in self.empty_values and not isinstance(value, Model)
                and self.to_field_name is None and not is_id(value)):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several rows chosen by their ids, checked as ModelChoiceField does."""

    default_error_messages = {
        "invalid_choice": CHOOSE_FROM_LIST,
        "invalid_pk_value": CHOOSE_FROM_LIST,
        "invalid_list": CHOOSE_FROM_LIST,
        "too_many": TOO_MANY_CHOSEN,
    }

    def _check_values(self, value):
        values = list(value)
        if len(values) > MAX_CHOSEN:
            raise ValidationError(self.error_messages["too_many"], code="too_many",
                                  params={"limit": MAX_CHOSEN})
        if self.to_field_name is None and not all(is_id(v) for v in values):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super()._check_values(values)


# --- dates and times ---------------------------------------------------------------------

# The windows, as (back, ahead) in whole years or as a timedelta. Wide enough
# never to refuse a real date, narrow enough to catch a mistyped year (0025,
# 2205) and to keep every date one the database and the calendar can hold.
WINDOWS = {
    # Something that happened in the work with a child and is recorded soon
    # after; a worry on level 0 lasts weeks or months.
    "conversation": (2, 0),
    # A consent lasts at most three years, so one given earlier has run out.
    "consent_given": (3, 0),
    # Its end: at most three years after it was given (the form and the action check that).
    "consent_until": (3, 3),
    # Plans in a stafettlogg: a relay may run for years, so old dates stay
    # editable; nothing in BTI is planned more than five years ahead.
    "plan": (10, 5),
}


def _shift(base, spec, sign: int):
    """`base` moved by `spec` (whole years or a timedelta), back or ahead."""
    if isinstance(spec, dt.timedelta):
        return base + sign * spec
    day = add_years(base.date() if isinstance(base, dt.datetime) else base, sign * spec)
    return base.replace(year=day.year, month=day.month, day=day.day)


class _WindowMixin:
    """A date or time no earlier than `back` and no later than `ahead` from
    now (whole years or a timedelta), or within one of the WINDOWS by name.
    `error_messages` may give "too_early" and "too_late" their own wording."""

    def _init_window(self, window, back, ahead, kwargs):
        self.back, self.ahead = WINDOWS[window] if window else (back, ahead)
        messages = {"too_early": OUTSIDE_WINDOW, "too_late": OUTSIDE_WINDOW}
        messages.update(kwargs.pop("error_messages", None) or {})
        kwargs["error_messages"] = messages

    def widget_attrs(self, widget):
        if isinstance(widget, _Bounded):
            widget.window = self.window
        return super().widget_attrs(widget)

    def now(self):
        raise NotImplementedError

    def window(self):
        now = self.now()
        return _shift(now, self.back, -1), _shift(now, self.ahead, 1)

    def _check_window(self, value):
        if value is None:
            return
        earliest, latest = self.window()
        params = {"earliest": formats.date_format(_local_date(earliest), "SHORT_DATE_FORMAT"),
                  "latest": formats.date_format(_local_date(latest), "SHORT_DATE_FORMAT")}
        if value < earliest:
            raise ValidationError(self.error_messages["too_early"], code="too_early", params=params)
        if value > latest:
            raise ValidationError(self.error_messages["too_late"], code="too_late", params=params)


def _local_date(value):
    return timezone.localtime(value).date() if isinstance(value, dt.datetime) else value


class DateField(_WindowMixin, forms.DateField):
    widget = DateInput

    def __init__(self, *, window: str | None = None, back=None, ahead=None, **kwargs):
        self._init_window(window, back, ahead, kwargs)
        super().__init__(**kwargs)

    def now(self):
        return timezone.localdate()

    def validate(self, value):
        super().validate(value)
        self._check_window(value)


class DateTimeField(_WindowMixin, forms.DateTimeField):
    widget = DateTimeInput

    def __init__(self, *, window: str | None = None, back=None, ahead=None, **kwargs):
        self._init_window(window, back, ahead, kwargs)
        super().__init__(**kwargs)

    def now(self):
        return timezone.now()

    def to_python(self, value):
        try:
            return super().to_python(value)
        except OverflowError:  # a time the calendar cannot shift to the time zone
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def validate(self, value):
        super().validate(value)
        self._check_window(value)


# --- free text -----------------------------------------------------------------------


class _Limit:
    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, value):
        if len(value) > self.limit:
            raise ValidationError(TOO_LONG, code="max_length",
                                  params={"limit": _number(self.limit), "length": _number(len(value))})


def _no_nul(value):
    if "\x00" in value:
        raise ValidationError(NUL_CHARACTER, code="null_characters_not_allowed")


class LineField(forms.CharField):
    """One line of text (a name, a title, a place), at most `limit` characters.
    The input stops at the limit in the browser, so it is not repeated beside it."""

    show_limit = False

    def __init__(self, *, limit: int = LINE_LIMIT, **kwargs):
        kwargs.pop("max_length", None)
        if self.show_limit:
            help_text = kwargs.get("help_text")
            kwargs["help_text"] = (format_lazy("{} {}", help_text, limit_help(limit))
                                   if help_text else limit_help(limit))
        super().__init__(max_length=limit, **kwargs)
        # Stafett's own wording for both rules, in place of Django's.
        self.validators = [v for v in self.validators
                           if type(v).__name__ not in ("MaxLengthValidator", "ProhibitNullCharactersValidator")]
        self.validators += [_Limit(limit), _no_nul]


class TextField(LineField):
    """Free text in a text area, at most `limit` characters, the limit said
    beside the field. Line breaks count as one character, as in the browser."""

    widget = forms.Textarea
    show_limit = True

    def __init__(self, *, limit: int = TEXT_LIMIT, **kwargs):
        super().__init__(limit=limit, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class NationalIdField(LineField):
    """An optional national identity number (or D-number), checked and
    returned parsed (`NationalId`), or None when left empty. Synthetic test
    numbers are accepted only where settings allow (demo, tests)."""

    MESSAGES = {
        "length": _("A national identity number has 11 digits."),
        "checksum": _("This national identity number is not valid: check the digits."),
        "date": _("The national identity number does not contain a valid date of birth."),
        "synthetic": _("Synthetic test numbers are not accepted here."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
        super().__init__(limit=20, **kwargs)

    def clean(self, value):
        raw = super().clean(value).strip()
        if not raw:
            return None
        try:
            return parse(raw, accept_synthetic=settings.STAFETT_ACCEPT_SYNTHETIC_IDS)
        except InvalidNationalId as error:
            raise ValidationError(self.MESSAGES[error.code], code=error.code) from None


# --- versions ------------------------------------------------------------------------------


class VersionField(forms.IntegerField):
    """The version of the object the page was rendered from, hidden."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Version of the page"))
        kwargs.setdefault("error_messages", {
            key: OUT_OF_DATE for key in ("required", "invalid", "min_value", "max_value")
        })
        super().__init__(min_value=0, max_value=MAX_ID, **kwargs)


class VersionedForm(forms.Form):
    """Carries the version the page was rendered from, for conflict detection."""

    version = VersionField()


def with_version(post, version):
    """The person's own input with the version of what is saved now, so that
    saving again, after a conflict, is a deliberate choice."""
    data = post.copy()
    data["version"] = str(version)
    return data
