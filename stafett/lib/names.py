"""Names as a matching key: the same child typed by two people must give the
same key, without pretending that two different spellings are one.

The key is the name in Unicode NFKC form (so a composed and a decomposed "å"
are one letter), case-folded, with every kind of dash read as a space and runs
of whitespace collapsed to one space. Letters are never stripped of their
marks: "Ø" and "O", "Å" and "A" are different letters in Norwegian and in
different names. Word order and spelling are kept as typed: "Strandvik Ella"
and "Ella Strandvik", or "Ela" and "Ella", give different keys (see
docs/one-child.md for what that means and what a coordinator can do).
"""

from __future__ import annotations

import unicodedata


def name_key(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    text = "".join(" " if unicodedata.category(ch) == "Pd" else ch for ch in text)
    return " ".join(text.split())
