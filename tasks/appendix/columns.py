"""The appendix's columns: found by the names provinces give them, in any order.

A header cell is compared folded (no case, no accents, spaces collapsed,
punctuation at its ends dropped): first by the exact names, then by the words
that mark a column whatever else the cell says ("Cơ quan, đơn vị chủ trì
thực hiện" is the lead unit; "Thời gian thực hiện" the deadline). The
English names are the product's own export in English.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from kit.errors import Invalid
from kit.text import fold

# Column -> the header names that mean it exactly (folded).
EXACT: dict[str, tuple[str, ...]] = {
    "stt": ("stt", "so thu tu", "tt", "no", "so tt"),
    "title": (
        "nhiem vu",
        "ten nhiem vu",
        "noi dung",
        "noi dung nhiem vu",
        "noi dung cong viec",
        "task",
    ),
    "lead": ("chu tri", "lead unit"),
    "partners": ("phoi hop", "cooperating units"),
    "deadline": ("thoi han", "han hoan thanh", "deadline"),
    "deliverable": ("san pham", "ket qua", "expected deliverable"),
    "note": ("ghi chu", "note"),
    "area": ("linh vuc", "area"),
    "subcriterion": ("tieu chi", "tieu chi thanh phan", "sub-criterion"),
}
# Column -> words that mark it inside a longer name, in the order they are tried.
MARKS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    # (column, the name contains one of, or starts with one of)
    ("lead", ("chu tri",), ()),
    ("partners", ("phoi hop",), ()),
    ("deliverable", ("san pham",), ("ket qua",)),
    ("deadline", (), ("thoi gian", "thoi han", "han ", "tien do")),
    ("note", (), ("ghi chu",)),
    ("title", (), ("noi dung", "nhiem vu", "ten nhiem vu")),
)
REQUIRED = ("stt", "title", "lead", "deadline")
HEADER_ROWS = 30  # the header is looked for among the first rows only


def column_names() -> dict[str, str]:
    """Each column as the appendix names it, for messages."""
    return {
        "stt": "STT",
        "title": _("Task"),
        "lead": _("Lead unit"),
        "partners": _("Cooperating units"),
        "deadline": _("Deadline"),
        "deliverable": _("Expected deliverable"),
        "note": _("Note"),
        "area": _("Area"),
        "subcriterion": _("Sub-criterion"),
    }


def column_of(cell: str) -> str | None:
    """The column a header cell names, or None."""
    name = fold(cell).strip(" .:*")
    for key, spellings in EXACT.items():
        if name in spellings:
            return key
    for key, inside, starts in MARKS:
        if any(word in name for word in inside) or name.startswith(starts):
            return key
    return None


def _columns(cells: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for position, cell in enumerate(cells):
        key = column_of(cell) if cell else None
        if key is not None and key not in found:
            found[key] = position
    return found


def header_in(rows: Sequence[tuple[int, list[str]]]) -> tuple[int, dict[str, int]] | None:
    """The header's last row (its index among `rows`) and each column's position, if any.

    The first cell naming a column is that column (an export's "Thời hạn ban
    đầu" after its "Thời hạn" stays out). A header of two rows ("Cơ quan thực
    hiện" merged above "Chủ trì" and "Phối hợp") is read as one, each
    column's two cells together.
    """
    for index, (_number, cells) in enumerate(rows[:HEADER_ROWS]):
        found = _columns(cells)
        if all(key in found for key in REQUIRED):
            return index, found
        if index + 1 < len(rows):
            below = rows[index + 1][1]
            width = max(len(cells), len(below))
            joined = [
                " ".join(
                    dict.fromkeys(  # a cell merged down the two rows says it once
                        part
                        for part in (
                            cells[i] if i < len(cells) else "",
                            below[i] if i < len(below) else "",
                        )
                        if part
                    )
                )
                for i in range(width)
            ]
            found = _columns(joined)
            if all(key in found for key in REQUIRED):
                return index + 1, found
    return None


def find_header(rows: Sequence[tuple[int, list[str]]]) -> tuple[int, dict[str, int]]:
    """The header row's index and columns, or the message naming the columns needed."""
    found = header_in(rows)
    if found is None:
        names = ", ".join(column_names()[k] for k in REQUIRED)
        raise Invalid(
            _("No header row found: the appendix needs the columns %(names)s.") % {"names": names},
            {"file": _("No header row found.")},
        )
    return found
