"""Text as people type it: Vietnamese without accents, in any case.

Most officials search without diacritics ("ke hoach" for "kế hoạch"), and
appendices spell a unit's name with or without them. `fold` gives every
spelling one form: lower case, no combining marks, đ as d.
"""

from __future__ import annotations

import unicodedata

# đ/Đ are letters of their own, not d with a mark: NFD leaves them whole.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})


def fold(value: str) -> str:
    """`value` lower-cased, without accents and with its spaces collapsed."""
    decomposed = unicodedata.normalize("NFD", value.translate(_LETTERS))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(bare.casefold().split())
