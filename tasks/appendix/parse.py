"""The appendix's rows understood: headings, tasks and subtasks, each with its errors.

- The header row is found under any title rows (tasks.appendix.columns); the
  table ends at its footer ("Nơi nhận:", "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ
  TỊCH", "Ghi chú:" as a row's first words), and rows of stray text with no
  task, unit or deadline are passed over.
- A heading is a row whose first filled cell is a Roman numeral, with the
  area's name after it in that cell or the next; the area is the plan's area
  whose name shares the most words with it.
- STT is unique under its heading; `1.1` under `1`, `a)` under the last
  numbered task and `-` (in STT or before the title) under the last task
  are subtasks. A subtask's empty lead unit or deadline is its parent's.
- A lead cell naming several units (a group phrase, or a list) makes one task
  per unit; recurring deadlines one task per period (tasks.appendix.deadlines).
- Each error names its row's STT and title and the cell; a row under a faulty
  one says so; a deadline outside the plan's year or already past is a
  warning the person importing confirms.

Nothing here writes; tasks.appendix.load creates the tasks.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kit.errors import Invalid
from kit.text import fold
from plans.models import Area, Plan, Unit
from tasks.appendix.columns import column_names, find_header
from tasks.appendix.deadlines import Deadline, Occurrence, read_deadline
from tasks.appendix.read import MAX_ROWS, Table
from tasks.appendix.units import Read, Units


@dataclass
class RowError:
    """A fault (or, as a warning, a doubt) of one row: where, and what."""

    row: int
    column: str
    message: str
    number: str = ""
    title: str = ""


@dataclass
class Spec:
    """A task as the appendix gives it, ready for tasks.services.create_task."""

    row: int
    key: str
    number: str
    title: str
    lead_unit_id: int
    partner_unit_ids: list[int]
    due_date: dt.date
    deliverable: str
    area: int
    subcriterion: str
    description: str = ""
    parent_key: str | None = None
    parent_number: str | None = None
    lead_name: str = ""
    period: int | None = None  # the position of its period, for recurring work


@dataclass
class Parsed:
    rows: int = 0
    specs: list[Spec] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)


# Upper-case Roman numerals (a heading's order); "c" or "i" in a list stays a task row.
# Upper-case Roman numerals up to XXXIX (a plan has a dozen areas at most): "C." or "L."
# opens a section, not a heading.
ROMAN = re.compile(r"^(?=[IVX]+$)X{0,3}(IX|IV|V?I{0,3})$")
HEADING = re.compile(r"^([IVX]+)(?:\s*[.):\-–]\s*|\s+|$)(.*)$", re.DOTALL)
NUMBERED = re.compile(r"^\d+(\.\d+)*$")
LETTERED = re.compile(r"^[a-zđ][).]$")
SECTION = re.compile(r"^[A-ZĐ][.)]?$")
# The row of column numbers under a header: (1) (2) (3)… or 1 2 3…
COLUMN_NUMBER = re.compile(r"^\(?\d{1,2}\)?$")
BULLETS = "-+•*–"
# A row starting with these words is the document's end: its recipients, signature, notes.
FOOTER = ("noi nhan", "tm.", "tm ", "kt.", "kt ", "chu tich", "giam doc")
NOTES = ("ghi chu", "luu y", "(*)")
# The abbreviations appendices use for the areas' words.
ABBREVIATIONS = {
    "cchc": "cai cach hanh chinh",
    "tthc": "thu tuc hanh chinh",
    "cqdt": "chinh quyen dien tu",
    "cqs": "chinh quyen so",
    "bmhc": "bo may hanh chinh",
}


def _words(text: str) -> set[str]:
    """A name's words: its pairs of syllables ("cải cách", "thể chế"), accents aside.

    A Vietnamese word is mostly two syllables, and one syllable alone says
    little ("vụ" of "nhiệm vụ" is also that of "công vụ").
    """
    spelled = " ".join(ABBREVIATIONS.get(w, w) for w in re.split(r"[\W_]+", fold(text)) if w)
    syllables = spelled.split()
    return {f"{a} {b}" for a, b in itertools.pairwise(syllables)}


def area_of(name: str, areas: Sequence[Area]) -> tuple[Area | None, str]:
    """The area a heading names (the most words in common), or None and why not."""
    wanted = _words(name)
    shared = sorted(((len(wanted & _words(a.name)), a) for a in areas), key=lambda s: -s[0])
    listed = "; ".join(f"{a.number}. {a.name}" for a in areas)
    if not shared or shared[0][0] == 0:
        return None, _("The heading “%(title)s” names no area of the plan (%(areas)s).") % {
            "title": name,
            "areas": listed,
        }
    best = [a for n, a in shared if n == shared[0][0]]
    if len(best) > 1:
        return None, _(
            "The heading “%(title)s” could be several areas (%(areas)s): write its name as "
            "the plan does."
        ) % {"title": name, "areas": "; ".join(f"{a.number}. {a.name}" for a in best)}
    return best[0], ""


def heading_of(cells: Sequence[str]) -> tuple[str, str] | None:
    """(Roman numeral, name) when the row's first filled cell opens with a numeral."""
    filled = [c for c in cells if c.strip()]
    if not filled:
        return None
    found = HEADING.match(filled[0].strip())
    if found is None or not ROMAN.match(found[1]):
        return None
    name = " ".join(found[2].split())
    if not name:
        later = [c for c in filled[1:] if c.strip() != filled[0].strip()]
        name = " ".join(later[0].split()) if later else ""
    return found[1], name


def _column_numbers(cells: Sequence[str]) -> bool:
    """The row numbering the header's columns: (1), (2), (3)… (or 1, 2, 3…)."""
    filled = [c.strip() for c in cells if c.strip()]
    if len(filled) < 3 or not all(COLUMN_NUMBER.match(c) for c in filled):
        return False
    numbers = [int(c.strip("()")) for c in filled]
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))


@dataclass
class _Row:
    """A task row as read, kept for the rows under it."""

    number: str
    title: str
    key: str
    cells: dict[str, str]
    specs: list[Spec]
    faulty: bool
    report: bool = False  # a periodic report: its recurring deadlines follow the calendar


class _Reader:
    """One pass over the body; holds what the rows under a heading share."""

    def __init__(
        self, plan: Plan, columns: dict[str, int], default_area: int, today: dt.date
    ) -> None:
        self.plan = plan
        self.columns = columns
        self.units = Units(plan)
        self.areas = list(Area.objects.filter(plan=plan).order_by("number"))
        self.names = column_names()
        self.today = today
        self.area = default_area
        self.parsed = Parsed()
        self.scope: dict[str, _Row] = {}  # numbered STT -> row, under the current heading
        self.last_numbered: _Row | None = None  # what a) b) rows are under
        self.last_task: _Row | None = None  # what "-" rows are under (not another "-" row)
        self.section = 0

    def get(self, cells: list[str], key: str) -> str:
        column = self.columns.get(key)
        return cells[column].strip() if column is not None and column < len(cells) else ""

    def footer(self, cells: list[str]) -> bool:
        """The document's end: its recipients, signature or notes ("Nơi nhận:", "TM. ỦY BAN
        NHÂN DÂN", "Ghi chú:"), opening the row; a task's title that happens to open so
        ("Chủ tịch UBND xã chỉ đạo…") has its lead unit."""
        first = next((i for i, c in enumerate(cells) if c.strip()), None)
        if first is None:
            return False
        opening = fold(cells[first])
        if not opening.startswith(FOOTER) and not opening.startswith(NOTES):
            return False
        return first != self.columns.get("title") or not self.get(cells, "lead")

    def heading(self, row: int, numeral: str, name: str) -> None:
        self.section += 1
        self.scope, self.last_numbered, self.last_task = {}, None, None
        area, problem = area_of(name, self.areas)
        if area is None:
            self.parsed.errors.append(RowError(row, self.names["title"], problem, numeral, name))
        else:
            self.area = area.number

    def row(self, row: int, cells: list[str]) -> None:  # noqa: C901 (each cell of a row is checked where it is read)
        stt = self.get(cells, "stt").strip()
        title = " ".join(self.get(cells, "title").split())
        raw = {k: self.get(cells, k) for k in ("lead", "partners", "deadline", "deliverable")}
        if not (stt or title or raw["lead"] or raw["deadline"]):
            return  # stray text beside the table: no task
        if SECTION.match(stt) and not (raw["lead"] or raw["deadline"]):
            return  # "A. NHIỆM VỤ TRỌNG TÂM": a section of the table, no task
        bullet = stt in tuple(BULLETS) or (not stt and title[:1] in BULLETS)
        if bullet:
            title = title.lstrip(BULLETS + " ")
        number = stt.rstrip(".") if NUMBERED.match(stt.rstrip(".")) else stt
        lettered = bool(LETTERED.match(stt))
        errors: list[str] = []
        columns: list[str] = []

        def fault(column: str, message: str) -> None:
            columns.append(self.names.get(column, column))
            errors.append(message)

        parent: _Row | None = None
        numbered = bool(NUMBERED.match(number))
        # The same STT and title as the row above: a cell merged down over rows
        # that differ in their unit or deadline, one more task of that line.
        above = self.scope.get(number) if numbered else None
        again = above is not None and above.title == title and self.last_task is above
        if numbered and "." in number:
            parent = self.scope.get(number.rsplit(".", 1)[0])
            if parent is None:
                fault(
                    "STT",
                    _("%(stt)s has no task %(parent)s above it.")
                    % {"stt": number, "parent": number.rsplit(".", 1)[0]},
                )
        elif lettered:
            parent = self.last_numbered
        elif bullet:
            parent = self.last_task
            number = ""
        if (lettered or bullet) and parent is None:
            fault("STT", _("A subtask row with no task above it."))
        if numbered and number in self.scope and not again:
            fault("STT", _("%(stt)s appears twice under this heading.") % {"stt": number})
        if parent is not None and parent.faulty:
            fault("STT", _("The parent row (STT %(stt)s) has an error.") % {"stt": parent.number})
        report = "bao cao" in fold(title)
        if parent is not None:  # a subtask's empty lead or deadline is its parent's
            raw["lead"] = raw["lead"] or parent.cells["lead"]
            if not raw["deadline"]:
                raw["deadline"], report = parent.cells["deadline"], parent.report
        if not title:
            fault("title", _("The task has no title."))
        note = self.get(cells, "note")
        leads = self.units.read(raw["lead"]) if raw["lead"] else Read()
        if not raw["lead"]:
            fault("lead", _("No lead unit."))
        for message in leads.errors:
            fault("lead", message)
        if raw["lead"] and not leads.errors and not leads.units:
            fault(
                "lead",
                _(
                    "“%(text)s” names no unit: name the lead unit, or list the group's units in "
                    "the admin."
                )
                % {"text": raw["lead"]},
            )
        partners = self.units.read(raw["partners"])
        for message in partners.errors:
            fault("partners", message)
        due: Deadline | None = None
        try:
            due = read_deadline(raw["deadline"], self.plan.year, report=report)
        except ValueError as error:
            fault("deadline", str(error))
        row_area = self.area
        area_text = self.get(cells, "area")
        if area_text:
            if area_text.isdigit() and any(a.number == int(area_text) for a in self.areas):
                row_area = int(area_text)
            else:
                fault(
                    "area",
                    _("“%(text)s” is not an area of the plan (1 to %(n)d).")
                    % {"text": area_text, "n": len(self.areas)},
                )
        kept = _Row(number, title, f"{self.section}:{row}", raw, [], bool(errors), report)
        if numbered and not again:
            self.scope[number] = kept
            self.last_numbered = kept
        if not bullet and not again:
            self.last_task = kept
        for column, message in zip(columns, errors, strict=True):
            self.parsed.errors.append(RowError(row, column, message, stt, title))
        if again and above is not None:  # the line's rows below go under its first row
            above.faulty = above.faulty or bool(errors)
        if errors or due is None:
            return
        description = "\n".join(
            text
            for text in (
                note,
                _("Ongoing work.") if due.ongoing else "",
                _("Also with: %(units)s.") % {"units": "; ".join(partners.vague)}
                if partners.vague
                else "",
            )
            if text
        )
        base = {
            "row": row,
            "number": number,
            "deliverable": " ".join(raw["deliverable"].split()),
            "area": row_area,
            "subcriterion": self.get(cells, "subcriterion"),
            "description": description,
            "parent_number": parent.number if parent else None,
        }
        made: list[Spec] = []
        for unit in leads.units:
            for period, occurrence in enumerate(due.occurrences):
                under = _copy_for(parent, unit.pk, period if due.recurring else None)
                made.append(
                    self.spec(base, kept, len(kept.specs) + len(made), unit, partners, occurrence)
                )
                made[-1].parent_key = under.key if under else None
                made[-1].period = period
        kept.specs += made
        if again and above is not None:
            above.specs += made
        self.parsed.specs += made
        if len(self.parsed.specs) > MAX_ROWS:
            raise Invalid(
                _("The appendix makes more than %(n)d tasks: split it.") % {"n": MAX_ROWS}
            )
        self.warn(row, stt, title, [s.due_date for s in made])

    def spec(
        self,
        base: dict[str, Any],
        kept: _Row,
        position: int,
        unit: Unit,
        partners: Read,
        occurrence: Occurrence,
    ) -> Spec:
        return Spec(
            **base,
            key=f"{kept.key}:{position}",
            title=f"{kept.title} ({occurrence.period})" if occurrence.period else kept.title,
            lead_unit_id=unit.pk,
            lead_name=unit.name,
            partner_unit_ids=[u.pk for u in partners.units if u.pk != unit.pk],
            due_date=occurrence.due,
        )

    def warn(self, row: int, stt: str, title: str, dates: list[dt.date]) -> None:
        """A deadline outside the plan's year, or already past, is confirmed before import."""
        column = self.names["deadline"]
        outside = sorted({d for d in dates if d.year != self.plan.year})
        past = sorted({d for d in dates if d < self.today and d.year == self.plan.year})
        if outside:
            self.parsed.warnings.append(
                RowError(
                    row,
                    column,
                    _("Deadline %(dates)s is outside the plan's year (%(year)s).")
                    % {"dates": _dates(outside), "year": self.plan.year},
                    stt,
                    title,
                )
            )
        if past:
            self.parsed.warnings.append(
                RowError(
                    row,
                    column,
                    _("Deadline %(dates)s has already passed: the task will be overdue at once.")
                    % {"dates": _dates(past)},
                    stt,
                    title,
                )
            )


def _copy_for(parent: _Row | None, unit_id: int, period: int | None) -> Spec | None:
    """Which of its parent's tasks a subtask goes under, when the parent row made several
    (one per unit of a group, one per period): the one of the same unit and period, else
    of the same unit, else of the same period, else the first."""
    if parent is None or not parent.specs:
        return None
    for wanted in (
        lambda s: s.lead_unit_id == unit_id and s.period == period,
        lambda s: s.lead_unit_id == unit_id,
        lambda s: s.period == period,
    ):
        found = next((s for s in parent.specs if wanted(s)), None)
        if found is not None:
            return found
    return parent.specs[0]


def _dates(dates: list[dt.date]) -> str:
    return ", ".join(formats.date_format(d, "SHORT_DATE_FORMAT") for d in dates)


def parse(table: Table, plan: Plan, default_area: int = 1, today: dt.date | None = None) -> Parsed:
    """Every row understood, or its errors (row, STT, title, column, message); deadlines
    before `today` (by default today) are warned of."""
    start, columns = find_header(table.rows)
    body = [(n, cells) for n, cells in table.rows[start + 1 :] if any(c for c in cells)]
    if not body:
        raise Invalid(_("The appendix has no rows under its header."))
    if len(body) > MAX_ROWS:
        raise Invalid(_("The appendix has more than %(n)d rows.") % {"n": MAX_ROWS})
    reader = _Reader(plan, columns, default_area, today or timezone.localdate())
    for number, cells in body:
        if reader.footer(cells):
            break
        if _column_numbers(cells):
            continue
        reader.parsed.rows += 1
        heading = heading_of(cells)
        if heading is not None:
            reader.heading(number, *heading)
        else:
            reader.row(number, cells)
    return reader.parsed


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
