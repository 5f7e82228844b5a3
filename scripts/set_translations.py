"""Set translations in the catalogues from a small Python table, clear their
fuzzy flags, and fill English with the source text.

    .venv/bin/python scripts/set_translations.py table.py [table2.py ...]

`table.py` defines TRANSLATIONS = {msgid: {"nb": ..., "nn": ..., "pl": ...}}:
any language that has a catalogue under locale/ and a value in the table is
filled (the family languages pl, uk, ar, so, ti only for the strings on
family pages). For a plural entry the key is its singular msgid and each
value a list with the language's plural forms, in the order of its
Plural-Forms header (two for nb/nn/en/so/ti, three for pl and uk, six for ar).

English is filled with the source text (the msgids are English); the other
languages are filled only from the tables: an untranslated string keeps an
empty msgstr, so translators see it and Django falls back to bokmål.

The catalogue headers are set here too, as `makemessages` leaves a new
catalogue with placeholders: the language, and its plural forms: Babel's for
pl and uk (three), the usual six for Arabic, two for Somali and Tigrinya
(like Norwegian and English).

The month and weekday names of Django's date formats
(stafett/core/date_names.py) are filled as Django's own catalogue has them,
and from CLDR for a language Django has no catalogue for (Somali, Tigrinya),
so "j. F Y" does not show bokmål month names there.

Handy after `makemessages` when a few source strings changed; bulk
translation is done in the .po files themselves.
"""

import gettext
import re
import runpy
import sys
from io import BytesIO
from pathlib import Path

import django
from babel import Locale
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
DJANGO_LOCALE = Path(django.__file__).parent / "conf" / "locale"


# Babel's gettext table puts 100-102 in Arabic's "many" and 11-99 in "other";
# the usual Arabic rule (GNU gettext's, Django's own catalogue) is this one.
ARABIC = (6, "(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5)")


def plural_forms(language: str) -> tuple[int, str]:
    if language == "ar":
        return ARABIC
    plural = get_plural(language)  # so and ti: Babel's default, nplurals=2; plural=(n != 1)
    return plural.num_plurals, plural.plural_expr


def _fix_header(raw: bytes, language: str) -> bytes:
    """The header of a catalogue, made right: its language and the plural
    forms Babel gives it (makemessages leaves a new catalogue with
    "nplurals=INTEGER", which Babel cannot read, or copies Django's own,
    which may count the forms differently from our tables)."""
    count, expression = plural_forms(language)
    text = raw.decode("utf-8")
    head, sep, rest = text.partition("\n\n")
    comments = [line for line in head.splitlines() if line.startswith("#") and line != "#, fuzzy"]
    # The header's value: every quoted line after `msgstr ""`, joined (an
    # entry may be wrapped over several lines), one entry per "\n".
    value = "".join(re.findall(r'^"(.*)"$', head.split('msgstr ""', 1)[1], re.M))
    entries = [entry for entry in value.split("\\n") if entry]
    fixed = {
        "Project-Id-Version": "Stafett",
        "Language": language,
        "Plural-Forms": f"nplurals={count}; plural={expression};",
    }
    seen = set()
    for index, entry in enumerate(entries):
        name = entry.split(":", 1)[0]
        if name in fixed:
            entries[index] = f"{name}: {fixed[name]}"
            seen.add(name)
    entries += [f"{name}: {val}" for name, val in fixed.items() if name not in seen]
    lines = [*comments, 'msgid ""', 'msgstr ""', *(f'"{entry}\\n"' for entry in entries)]
    return ("\n".join(lines) + sep + rest).encode("utf-8")


def date_names(language: str) -> dict[tuple[str | None, str], str]:
    """The month and weekday names of Django's date formats (listed in
    stafett/core/date_names.py): as Django's own catalogue has them where
    there is one (so ours says the same, with nothing left empty or fuzzy),
    else from CLDR (Somali, Tigrinya)."""
    english = Locale.parse("en")
    keys = []  # (context, msgid, CLDR kind, width, month or None, lower)
    for context, kind, width, lower in [
        (None, "format", "wide", False), ("alt. month", "stand-alone", "wide", False),
        ("abbrev. month", "format", "abbreviated", False), (None, "format", "abbreviated", True),
    ]:
        for month in range(1, 13):
            key = english.months[kind][width][month] if width == "wide" else None
            if context == "abbrev. month":
                key = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.",
                       "Oct.", "Nov.", "Dec."][month - 1]
            elif lower:
                key = english.months["format"]["abbreviated"][month].lower()
            keys.append((context, key, kind, width, month, lower))
    for width in ("wide", "abbreviated"):
        for day in range(7):
            keys.append((None, english.days["format"][width][day], "format", width, None, day))
    django_mo = DJANGO_LOCALE / language / "LC_MESSAGES" / "django.mo"
    if django_mo.exists():
        with django_mo.open("rb") as handle:
            django_catalogue = gettext.GNUTranslations(handle)
        return {(context, key): (django_catalogue.pgettext(context, key) if context
                                 else django_catalogue.gettext(key))
                for context, key, *_rest in keys}
    locale = Locale.parse(language)
    names = {}
    for context, key, kind, width, month, extra in keys:
        if month is None:
            names[(context, key)] = locale.days["format"][width][extra]
        else:
            name = locale.months[kind][width][month]
            names[(context, key)] = name.lower() if extra else name
    return names


def catalogue_languages() -> list[str]:
    return sorted(p.parent.parent.name for p in (ROOT / "locale").glob("*/LC_MESSAGES/django.po"))


def main(table_paths: list[str]) -> None:
    table: dict = {}
    for table_path in table_paths:
        for msgid, values in runpy.run_path(table_path)["TRANSLATIONS"].items():
            table.setdefault(msgid, {}).update(values)
    for lang in catalogue_languages():
        path = ROOT / "locale" / lang / "LC_MESSAGES" / "django.po"
        catalog = read_po(BytesIO(_fix_header(path.read_bytes(), lang)), locale=lang)
        if "SOME DESCRIPTIVE TITLE" in catalog.header_comment:
            catalog.header_comment = f"# Stafett – {catalog.locale.english_name}.\n#"
        count, _expression = plural_forms(lang)
        names = date_names(lang)
        for message in catalog:
            if not message.id:
                continue
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            if lang == "en":
                message.string = message.id
            elif (message.context, key) in names:
                message.string = names[(message.context, key)]
            elif lang in table.get(key, {}):
                value = table[key][lang]
                if isinstance(message.id, tuple):
                    if not isinstance(value, list) or len(value) != count:
                        raise SystemExit(f"{lang}: {key!r} needs a list of {count} plural forms")
                    value = tuple(value)
                message.string = value
            elif "fuzzy" in message.flags:
                # makemessages' guess from a similar string is never compiled and
                # is usually wrong: empty, a translator sees it is missing.
                message.string = ("",) * count if isinstance(message.id, tuple) else ""
            else:
                continue
            message.flags.discard("fuzzy")
            message.previous_id = []
        with path.open("wb") as handle:
            write_po(handle, catalog, width=79)


if __name__ == "__main__":
    main(sys.argv[1:])
