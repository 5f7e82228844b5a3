"""Set translations in the catalogues from a small Python table, clear their
fuzzy flags, and fill English with the source text.

    .venv/bin/python scripts/set_translations.py table.py

`table.py` defines TRANSLATIONS = {msgid: {"nb": ..., "nn": ...}}; for a plural
entry the key is its singular msgid and each value a list of both forms. Handy after
`makemessages` when a few source strings changed; bulk translation is done in
the .po files themselves.
"""

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def main(table_path: str) -> None:
    table = runpy.run_path(table_path)["TRANSLATIONS"]
    for lang in ("nb", "nn", "en"):
        path = ROOT / "locale" / lang / "LC_MESSAGES" / "django.po"
        with path.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if not message.id:
                continue
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            if lang == "en":
                message.string = message.id
            elif key in table:
                value = table[key][lang]
                message.string = tuple(value) if isinstance(value, list) else value
            else:
                continue
            message.flags.discard("fuzzy")
            message.previous_id = []
        with path.open("wb") as handle:
            write_po(handle, catalog, width=79)


if __name__ == "__main__":
    main(sys.argv[1])
