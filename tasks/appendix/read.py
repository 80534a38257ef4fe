"""The plan appendix into the product: a file's rows read, understood and checked.

- `read_table`: an .xlsx (its first sheet; formulas read as their last computed
  value; a cell merged across rows read in each row it covers), a .docx (its
  first table) or a .csv (UTF-8, with or without BOM) as rows of text, each
  with the row number a spreadsheet program or Word shows.
- `parse`: the header row found under any title rows (names matched ignoring
  case, accents and extra spaces), then each row: a Roman numeral in STT is an
  area heading, `1.2` under `1` a subtask, a deadline phrase read in the plan's
  year, units matched by code or name ignoring case and accents.

Nothing here writes; tasks.appendix.load creates the tasks.
"""

from __future__ import annotations

import calendar
import contextlib
import csv
import datetime as dt
import difflib
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl.reader.excel import ExcelReader
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from kit.errors import Invalid, TooLarge, UnsupportedType
from kit.text import fold
from plans.models import Area, Plan, Unit

MAX_BYTES = 10 * 1024 * 1024
MAX_UNPACKED = 100 * 1024 * 1024
MAX_ROWS = 5000
MAX_CELL = 32767  # characters in a cell: Excel's own limit
HEADER_SLACK = 50  # title rows above the table and notes below it, beyond MAX_ROWS tasks

# Column -> the header names that mean it (folded).
# The English names are the product's own export in English.
COLUMNS: dict[str, tuple[str, ...]] = {
    "stt": ("stt", "so thu tu", "tt", "no"),
    "title": (
        "nhiem vu",
        "ten nhiem vu",
        "noi dung",
        "noi dung nhiem vu",
        "noi dung cong viec",
        "task",
    ),
    "lead": ("co quan chu tri", "don vi chu tri", "chu tri", "lead unit"),
    "partners": ("co quan phoi hop", "don vi phoi hop", "phoi hop", "cooperating units"),
    "deadline": (
        "thoi gian hoan thanh",
        "thoi han",
        "thoi han hoan thanh",
        "han hoan thanh",
        "deadline",
    ),
    "deliverable": ("san pham du kien", "san pham", "ket qua du kien", "expected deliverable"),
    "area": ("linh vuc", "area"),
    "subcriterion": ("tieu chi", "tieu chi thanh phan", "sub-criterion"),
}
REQUIRED = ("stt", "title", "lead", "deadline")


def column_names() -> dict[str, str]:
    """Each column as the appendix names it, for messages."""
    return {
        "stt": "STT",
        "title": _("Task"),
        "lead": _("Lead unit"),
        "partners": _("Cooperating units"),
        "deadline": _("Deadline"),
        "deliverable": _("Expected deliverable"),
        "area": _("Area"),
        "subcriterion": _("Sub-criterion"),
    }


@dataclass
class Table:
    rows: list[tuple[int, list[str]]]  # (row number as shown, cells as text)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(data: bytes, name: str) -> Table:
    """The file's rows as text; refuses what is not a spreadsheet or document."""
    if len(data) > MAX_BYTES:
        raise TooLarge(
            _("The file is %(size)s MB; an appendix may be at most 10 MB.")
            % {"size": round(len(data) / 1048576, 1)}
        )
    if not data.strip():
        raise Invalid(_("The file is empty."), {"file": _("The file is empty.")})
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if data[:2] == b"PK" and zipfile.is_zipfile(io.BytesIO(data)):
        try:
            members = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            raise UnsupportedType(_("The file is damaged: it cannot be opened.")) from None
        if sum(m.file_size for m in members) > MAX_UNPACKED:
            raise TooLarge(_("The file unpacks to more than 100 MB: it is no appendix."))
        names = [m.filename for m in members]
        if any(n.startswith("xl/") for n in names):
            return _xlsx(data)
        if any(n.startswith("word/") for n in names):
            return _docx(data)
    elif suffix == "csv" or (suffix in ("", "txt") and b"\x00" not in data[:4096]):
        return _csv(data)
    raise UnsupportedType(
        _(
            "This is not an appendix the product reads: send an Excel (.xlsx), Word (.docx) "
            "or CSV file."
        )
    )


def _too_many_rows() -> Invalid:
    return Invalid(_("The appendix has more than %(n)d rows.") % {"n": MAX_ROWS})


def _cell_too_long(row: int | None = None) -> Invalid:
    message = _("A cell holds more than %(n)s characters (Excel's own limit).") % {
        "n": f"{MAX_CELL:,}".replace(",", ".")
    }
    if row is not None:
        message = _("Row %(row)s: %(message)s") % {"row": row, "message": message}
    return Invalid(message, {"file": message})


# A text run longer than this many bytes holds more than MAX_CELL characters
# whatever its encoding (a character is at most 9 bytes, as an entity &#x10FFFF;).
TEXT_OPENS = re.compile(rb"<t(?:\s[^>]*)?>")


def _check_text_runs(stream: IO[bytes]) -> None:
    """Refuse a shared-strings part with an over-long text, reading it a block at a time.

    openpyxl reads the whole shared-strings part when it opens a workbook, even
    read-only: one 90 MB cell took 1.27 GB. Here no more than a block is held.
    """
    limit, run, inside, carry = MAX_CELL * 9, 0, False, b""
    while block := stream.read(1 << 16):
        data, carry, position = carry + block, b"", 0
        while True:
            if inside:
                end = data.find(b"</t>", position)
                run += (len(data) if end < 0 else end) - position
                if run > limit:
                    raise _cell_too_long()
                if end < 0:
                    break
                inside, position = False, end + 4
            else:
                opening = TEXT_OPENS.search(data, position)
                if opening is None:
                    carry = data[-32:]  # a tag cut between two blocks
                    break
                inside, run, position = True, 0, opening.end()


def _merged_ranges(book: Any, sheet: Any) -> list[tuple[int, int, int, int]]:
    """The merged blocks of a read-only sheet, from its part's <mergeCell> elements,
    read a block at a time (read-only sheets do not list them)."""
    from openpyxl.utils.cell import range_boundaries

    found: list[tuple[int, int, int, int]] = []
    pattern = re.compile(rb'<mergeCell ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')
    tail = b""
    with book._archive.open(sheet._worksheet_path) as part:
        while block := part.read(1 << 16):
            text = tail + block
            for match in pattern.finditer(text):
                min_col, min_row, max_col, max_row = range_boundaries(match[1].decode())
                found.append((min_row, min_col, max_row, max_col))
            tail = text[-64:]
    return sorted(set(found))


class _StreamedSheet(ReadOnlyWorksheet):
    """A read-only sheet that does not read its whole part to learn its size first.

    openpyxl's own reads the part from end to end when it has no <dimension>
    element (which any writer may leave out) before giving the first row: a
    400,000-row sheet then took seconds before the row limit could apply.
    """

    def _get_size(self) -> None:
        return None


class _FirstSheetReader(ExcelReader):
    """openpyxl's reader, read-only, giving the first worksheet as a _StreamedSheet."""

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                self.wb._sheets.append(
                    _StreamedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
                )
                return


def _xlsx(data: bytes) -> Table:  # noqa: C901 (one pass over the sheet's XML events)
    """The first sheet's rows, read a row at a time (openpyxl's read-only mode).

    - more than MAX_ROWS filled rows (or 20 times that with formatted empty
      ones) stops the reading at once: 422;
    - a cell over MAX_CELL characters (32,767, Excel's own) stops it too, and a
      shared-strings part holding one is refused before openpyxl reads it.
    A 400,000-row sheet is refused after its first few thousand rows, with
    the memory of those rows only.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.infolist():
            if member.filename.lower().endswith("sharedstrings.xml"):
                with archive.open(member) as stream:
                    _check_text_runs(stream)
    try:
        reader = _FirstSheetReader(io.BytesIO(data), read_only=True, data_only=True)
        reader.read()
        book = reader.wb
        sheet = book.worksheets[0]
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise UnsupportedType(_("The Excel file cannot be opened: %(e)s") % {"e": error}) from None
    try:
        rows: list[tuple[int, list[Any]]] = []
        filled = 0
        for r, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if r > 20 * MAX_ROWS:
                raise _too_many_rows()
            values = list(row)
            if any(v not in (None, "") for v in values):
                filled += 1
                if filled > MAX_ROWS + HEADER_SLACK:
                    raise _too_many_rows()
            for value in values:
                if isinstance(value, str) and len(value) > MAX_CELL:
                    raise _cell_too_long(r)
            rows.append((r, values))
        merges = _merged_ranges(book, sheet)
    except (Invalid, TooLarge):
        raise
    except Exception as error:  # a damaged part shows only once it is read
        raise UnsupportedType(_("The Excel file cannot be opened: %(e)s") % {"e": error}) from None
    finally:
        book.close()
    # A value merged across rows stands in each row it covers.
    merged: dict[tuple[int, int], Any] = {}
    by_row = {r: values for r, values in rows}
    width = max((len(values) for _r, values in rows), default=0)
    last = rows[-1][0] if rows else 0
    covered = 0
    for min_row, min_col, found_max_row, found_max_col in merges:
        # Clipped to the rows read and the table's width: one merged block written
        # as A1:XFD1048576 would otherwise stand for seventeen billion cells.
        max_row, max_col = min(found_max_row, last), min(found_max_col, width)
        covered += max(0, max_row - min_row + 1) * max(0, max_col - min_col + 1)
        if covered > 2 * width * last:  # merged blocks overlapping each other: no table
            message = _("The sheet's merged cells overlap: it cannot be read as a table.")
            raise Invalid(message, {"file": message})
        first = by_row.get(min_row, [])
        value = first[min_col - 1] if min_col - 1 < len(first) else None
        for r in range(min_row, max_row + 1):
            for c in range(min_col, max_col + 1):
                merged[(r, c)] = value if c == min_col else None
    table = []
    for r, values in rows:
        padded = [*values, *[None] * (width - len(values))]
        cells = [_text(merged.get((r, c), v)) for c, v in enumerate(padded, start=1)]
        table.append((r, cells))
    return Table(table)


def _docx(data: bytes) -> Table:
    from docx import Document

    try:
        document = Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises many kinds for a damaged file
        raise UnsupportedType(_("The Word file cannot be opened: %(e)s") % {"e": error}) from None
    if not document.tables:
        raise Invalid(_("The Word file holds no table."), {"file": _("No table.")})
    rows = []
    for r, row in enumerate(document.tables[0].rows, start=1):
        rows.append((r, [cell.text.strip() for cell in row.cells]))
    return Table(rows)


def _csv(data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnsupportedType(_("The CSV file is not UTF-8 text.")) from None
    dialect: Any = csv.excel
    with contextlib.suppress(csv.Error):
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    try:
        rows = [
            (r, [c.strip() for c in cells])
            for r, cells in enumerate(csv.reader(io.StringIO(text), dialect), start=1)
        ]
    except csv.Error as error:
        raise Invalid(
            _("The CSV file cannot be read: %(e)s") % {"e": error}, {"file": str(error)}
        ) from None
    return Table(rows)


# ---------------------------------------------------------------- understanding


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class Spec:
    """A task as the appendix gives it, ready for tasks.services.create_task."""

    row: int
    number: str
    title: str
    lead_unit_id: int
    partner_unit_ids: list[int]
    due_date: dt.date
    deliverable: str
    area: int
    subcriterion: str
    parent_number: str | None = None
    lead_name: str = ""


@dataclass
class Parsed:
    rows: int = 0
    specs: list[Spec] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


# Upper-case Roman numerals (a heading's order); "c" or "i" in a list stays a task row.
ROMAN = re.compile(r"^(?=[IVXLC]+$)(C[D]|D?C{0,3})(X[CL]|L?X{0,3})(I[XV]|V?I{0,3})$")


def find_header(table: Table) -> tuple[int, dict[str, int]]:
    """The header row's index in the table and the column of each known name."""
    for index, (_number, cells) in enumerate(table.rows[:30]):
        found: dict[str, int] = {}
        for column, cell in enumerate(cells):
            name = fold(cell).strip(" .:*")
            for key, spellings in COLUMNS.items():
                if name in spellings and key not in found:
                    found[key] = column
        if all(key in found for key in REQUIRED):
            return index, found
    names = ", ".join(column_names()[k] for k in REQUIRED)
    raise Invalid(
        _("No header row found: the appendix needs the columns %(names)s.") % {"names": names},
        {"file": _("No header row found.")},
    )


def parse(table: Table, plan: Plan, default_area: int = 1) -> Parsed:  # noqa: C901 (each column of a row is checked where it is read)
    """Every row understood, or its errors (row, column, message)."""
    start, columns = find_header(table)
    body = [(n, cells) for n, cells in table.rows[start + 1 :] if any(c for c in cells)]
    if not body:
        raise Invalid(_("The appendix has no rows under its header."))
    if len(body) > MAX_ROWS:
        raise Invalid(_("The appendix has more than %(n)d rows.") % {"n": MAX_ROWS})
    units = Units()
    areas = list(Area.objects.filter(plan=plan).order_by("number"))
    names = column_names()
    parsed = Parsed(rows=len(body))
    area = default_area
    seen: set[str] = set()

    def get(cells: list[str], key: str) -> str:
        column = columns.get(key)
        return cells[column].strip() if column is not None and column < len(cells) else ""

    for number, cells in body:
        stt = get(cells, "stt").rstrip(".")
        title = " ".join(get(cells, "title").split())
        errors: list[RowError] = []
        if stt and ROMAN.match(stt):
            heading = area_of(title, areas)
            if heading is None:
                errors.append(
                    RowError(
                        number,
                        names["title"],
                        _("The heading “%(title)s” names no area of the plan.") % {"title": title},
                    )
                )
            else:
                area = heading.number
            parsed.errors += errors
            continue
        if not title:
            errors.append(RowError(number, names["title"], _("The task has no title.")))
        lead_text = get(cells, "lead")
        lead = units.find(lead_text) if lead_text else None
        if not lead_text:
            errors.append(RowError(number, names["lead"], _("No lead unit.")))
        elif lead is None:
            errors.append(RowError(number, names["lead"], units.not_found(lead_text)))
        partner_ids = []
        for name in units.split(get(cells, "partners")):
            found = units.find(name)
            if found is None:
                errors.append(RowError(number, names["partners"], units.not_found(name)))
            else:
                partner_ids.append(found.pk)
        due = None
        try:
            due = deadline(get(cells, "deadline"), plan.year)
        except ValueError as error:
            errors.append(RowError(number, names["deadline"], str(error)))
        row_area = area
        if "area" in columns and get(cells, "area"):
            text = get(cells, "area")
            if text.isdigit() and any(a.number == int(text) for a in areas):
                row_area = int(text)
            else:
                errors.append(
                    RowError(
                        number,
                        names["area"],
                        _("“%(text)s” is not an area of the plan (1 to %(n)d).")
                        % {"text": text, "n": len(areas)},
                    )
                )
        parent = None
        if "." in stt:
            parent = stt.rsplit(".", 1)[0]
            if parent not in seen:
                errors.append(
                    RowError(
                        number,
                        "STT",
                        _("%(stt)s has no task %(parent)s above it.")
                        % {"stt": stt, "parent": parent},
                    )
                )
        if stt in seen:
            errors.append(RowError(number, "STT", _("%(stt)s appears twice.") % {"stt": stt}))
        if stt and not errors:
            seen.add(stt)
        if errors:
            parsed.errors += errors
            continue
        assert lead is not None and due is not None
        parsed.specs.append(
            Spec(
                row=number,
                number=stt,
                title=title,
                lead_unit_id=lead.pk,
                lead_name=lead.name,
                partner_unit_ids=[pk for pk in partner_ids if pk != lead.pk],
                due_date=due,
                deliverable=" ".join(get(cells, "deliverable").split()),
                area=row_area,
                subcriterion=get(cells, "subcriterion"),
                parent_number=parent,
            )
        )
    return parsed


# The abbreviations appendices use for the areas' words.
ABBREVIATIONS = {
    "cchc": "cai cach hanh chinh",
    "tthc": "thu tuc hanh chinh",
    "cqdt": "chinh quyen dien tu",
    "cqs": "chinh quyen so",
}


def _spelled(text: str) -> str:
    words = fold(text).replace(",", " ").split()
    return " ".join(ABBREVIATIONS.get(w, w) for w in words)


def area_of(title: str, areas: Sequence[Area]) -> Area | None:
    """The area a heading names, its number, punctuation and abbreviations aside."""
    wanted = _spelled(re.sub(r"^[\s\dIVXLC]+[.)\-:]\s*", "", title)).strip(" .:")
    if not wanted:
        return None
    exact = [a for a in areas if _spelled(a.name) == wanted]
    # A heading may say more than the area's name ("… của tỉnh"), never less.
    found = exact or [a for a in areas if _spelled(a.name) in wanted]
    return found[0] if len(found) == 1 else None


class Units:
    """Units by folded code and name; a name used twice is a row error, not a guess."""

    def __init__(self) -> None:
        self.by_key: dict[str, Unit] = {}
        self.twice: set[str] = set()
        self.names: list[str] = []
        for unit in Unit.objects.all():
            for key in {fold(unit.code), fold(unit.name)}:
                if key in self.by_key and self.by_key[key].pk != unit.pk:
                    self.twice.add(key)
                self.by_key[key] = unit
            self.names.append(unit.name)

    def find(self, text: str) -> Unit | None:
        key = fold(text)
        return None if key in self.twice else self.by_key.get(key)

    def split(self, text: str) -> list[str]:
        """Unit names split on ";", "," or new lines; a comma inside a unit's own name
        ("Sở Văn hóa, Thể thao và Du lịch") stays in it."""
        names: list[str] = []
        for piece in re.split(r"[;\n]", text):
            parts = [p.strip(" -•") for p in piece.split(",")]
            parts = [p for p in parts if p]
            start = 0
            while start < len(parts):
                # The longest run of parts that is a unit's name, else the one part.
                end = next(
                    (
                        e
                        for e in range(len(parts), start, -1)
                        if self.find(", ".join(parts[start:e])) is not None
                    ),
                    start + 1,
                )
                names.append(", ".join(parts[start:end]))
                start = end
        return names

    def not_found(self, text: str) -> str:
        if fold(text) in self.twice:
            return _("“%(text)s” names more than one unit: write its code.") % {"text": text}
        close = difflib.get_close_matches(
            fold(text), [fold(n) for n in self.names], n=3, cutoff=0.5
        )
        by_fold = {fold(n): n for n in self.names}
        if close:
            return _("No unit “%(text)s”; did you mean %(close)s?") % {
                "text": text,
                "close": ", ".join(f"“{by_fold[c]}”" for c in close),
            }
        return _("No unit “%(text)s”.") % {"text": text}


# ---------------------------------------------------------------- deadlines

QUARTER = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
DAY_MONTH = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{4}))?$")


def _end_of(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def deadline(text: str, year: int) -> dt.date:
    """A deadline phrase (docs/appendix.md) as a date, in the plan's year unless it names one."""
    phrase = " ".join(fold(text).split())
    if not phrase:
        raise ValueError(_("No deadline."))
    for prefix in ("truoc ngay ", "truoc ", "ngay "):
        if phrase.startswith(prefix):
            phrase = phrase[len(prefix) :]
            break
    found = DAY_MONTH.match(phrase)
    if found:
        day, month, in_year = int(found[1]), int(found[2]), int(found[3] or year)
        try:
            return dt.date(in_year, month, day)
        except ValueError:
            raise ValueError(_("“%(text)s” is not a date.") % {"text": text}) from None
    found = re.match(r"^thang (\d{1,2})(?:[/\- ](?:nam )?(\d{4}))?$", phrase)
    if found and 1 <= int(found[1]) <= 12:
        return _end_of(int(found[2] or year), int(found[1]))
    found = re.match(r"^quy (iv|iii|ii|i|[1-4])(?:[/\- ](?:nam )?(\d{4}))?$", phrase)
    if found:
        return _end_of(int(found[2] or year), 3 * QUARTER[found[1]])
    if re.match(r"^6 thang dau nam(?: \d{4})?$", phrase):
        return dt.date(_year_in(phrase, year), 6, 30)
    if re.match(r"^6 thang cuoi nam(?: \d{4})?$", phrase):
        return dt.date(_year_in(phrase, year), 12, 31)
    found = re.match(r"^nam (\d{4})$", phrase)
    if found:
        return dt.date(int(found[1]), 12, 31)
    if phrase in ("ca nam", "thuong xuyen", "hang nam", "trong nam"):
        return dt.date(year, 12, 31)
    raise ValueError(_("“%(text)s” is not a deadline the appendix may give.") % {"text": text})


def _year_in(phrase: str, year: int) -> int:
    found = re.search(r"(\d{4})$", phrase)
    return int(found[1]) if found else year


def rows_of(specs: Iterable[Spec]) -> list[dict[str, Any]]:
    """What would be created, as the API and the preview show it."""
    return [
        {
            "row": s.row,
            "number": s.number,
            "title": s.title,
            "lead_unit": s.lead_name,
            "due_date": s.due_date,
            "area": s.area,
            "parent": s.parent_number,
        }
        for s in specs
    ]
