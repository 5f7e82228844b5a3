"""stafett.lib.rows: what a list's template would otherwise work out per row."""

import datetime as dt

from django.template import engines
from django.utils import timezone, translation

from stafett.lib.rows import day_label, local_time


def _filter(value, fmt):
    template = engines["django"].from_string("{{ value|date:fmt }}")
    return template.render({"value": value, "fmt": fmt})


def test_day_label_is_the_date_filter_in_local_time():
    # 23:30 UTC is already the next day in Oslo: both must say so.
    late = dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC)
    values = [late, late + dt.timedelta(hours=1), dt.date(2026, 12, 24), None]
    for language in ("nb", "nn", "en"):
        with translation.override(language):
            for fmt in ("j. F Y", "SHORT_DATE_FORMAT"):
                label = day_label(fmt)
                assert [label(v) for v in values] == [_filter(v, fmt) for v in values]
    with translation.override("nn"):
        assert day_label("j. F Y")(late) == "1. april 2026"


def test_local_time_is_template_localtime_with_the_zone_looked_up_once():
    late = dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC)
    values = [late, late.replace(tzinfo=None), dt.date(2026, 12, 24), None, "2026-03-31"]
    for zone in ("Europe/Oslo", "America/New_York"):
        with timezone.override(zone):
            to_local = local_time()
            assert [to_local(v) for v in values] == [timezone.template_localtime(v) for v in values]
    with timezone.override("Europe/Oslo"):
        assert local_time()(late).isoformat() == "2026-04-01T01:30:00+02:00"


def test_month_names_follow_the_active_translation_even_with_none_active():
    late = dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC)
    with translation.override("nb"):
        assert day_label("j. F Y")(late) == "1. april 2026"
    with translation.override(None):  # no translation: the names as written in the code
        assert day_label("j. F Y")(late) == _filter(late, "j. F Y") == "1. April 2026"
    with translation.override("nb"):
        assert day_label("j. F Y")(late) == "1. april 2026"
