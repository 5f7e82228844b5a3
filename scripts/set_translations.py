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
catalogue with placeholders: the language, and the plural forms Babel knows
(Somali and Tigrinya: two forms, like Norwegian and English).

Handy after `makemessages` when a few source strings changed; bulk
translation is done in the .po files themselves.
"""

import re
import runpy
import sys
from io import BytesIO
from pathlib import Path

from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def plural_forms(language: str) -> tuple[int, str]:
    plural = get_plural(language)  # so and ti: Babel's default, nplurals=2; plural=(n != 1)
    return plural.num_plurals, plural.plural_expr


def _fix_header(raw: bytes, language: str) -> bytes:
    """The header makemessages leaves on a new catalogue, made valid: the
    language and its plural forms (Babel cannot read "nplurals=INTEGER")."""
    count, expression = plural_forms(language)
    text = raw.decode("utf-8")
    head, sep, rest = text.partition('\n\n')
    head = re.sub(r'"Plural-Forms: [^"]*\\n"',
                  f'"Plural-Forms: nplurals={count}; plural={expression};\\\\n"', head)
    head = re.sub(r'"Language: [^"]*\\n"', f'"Language: {language}\\\\n"', head)
    head = head.replace('"Project-Id-Version: PACKAGE VERSION\\n"', '"Project-Id-Version: Stafett\\n"')
    head = head.replace("#, fuzzy\n", "")
    return (head + sep + rest).encode("utf-8")


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
        for message in catalog:
            if not message.id:
                continue
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            if lang == "en":
                message.string = message.id
            elif lang in table.get(key, {}):
                value = table[key][lang]
                if isinstance(message.id, tuple):
                    if not isinstance(value, list) or len(value) != count:
                        raise SystemExit(f"{lang}: {key!r} needs a list of {count} plural forms")
                    value = tuple(value)
                message.string = value
            else:
                continue
            message.flags.discard("fuzzy")
            message.previous_id = []
        with path.open("wb") as handle:
            write_po(handle, catalog, width=79)


if __name__ == "__main__":
    main(sys.argv[1:])
