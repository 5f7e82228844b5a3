"""Compile locale/*/LC_MESSAGES/django.po to .mo with Babel (no GNU gettext needed).

Only recompiles a catalogue whose .po is newer than its .mo.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent

for po_path in sorted((ROOT / "locale").glob("*/LC_MESSAGES/django.po")):
    mo_path = po_path.with_suffix(".mo")
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        continue
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file)
    with mo_path.open("wb") as mo_file:
        write_mo(mo_file, catalog)
    print(f"compiled {mo_path.relative_to(ROOT)}")
