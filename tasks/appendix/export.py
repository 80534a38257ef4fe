"""The plan appendix out of the product: its tasks as an Excel workbook.

The first eight columns are the appendix's own (docs/appendix.md: STT, Nhiệm vụ, Cơ
quan chủ trì, Cơ quan phối hợp, Thời gian hoàn thành, Sản phẩm dự kiến, then
Lĩnh vực and Tiêu chí), in that order under one header row, so that the file
can be filled in or imported as an appendix; what the work became follows
(assignees, the original deadline, status, completion day, the evidence's
document numbers). STT numbers the top-level tasks 1, 2, … and their
subtasks 1.1, 1.2, ….
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kit.workbooks import fill_sheet, new_workbook, to_bytes
from plans.models import Official, Plan, Unit
from tasks.models import Evidence, Status, Task


def appendix_header() -> list[str]:
    return [
        _("No."),  # STT
        _("Task"),
        _("Lead unit"),
        _("Cooperating units"),
        _("Deadline"),
        _("Expected deliverable"),
        _("Area"),
        _("Sub-criterion"),
        _("Assignees"),
        _("Original deadline"),
        _("Status"),
        _("Completed on"),
        _("Evidence documents"),
    ]


def numbered(tasks: list[Task]) -> list[tuple[str, Task]]:
    """Each task with its STT, subtasks right after their parent (an orphan, its parent
    not among `tasks`, is numbered as a top-level task)."""
    present = {t.pk for t in tasks}
    children: dict[int, list[Task]] = defaultdict(list)
    tops = []
    for t in tasks:
        if t.parent_id is not None and t.parent_id in present:
            children[t.parent_id].append(t)
        else:
            tops.append(t)
    found: list[tuple[str, Task]] = []

    def walk(task: Task, number: str) -> None:
        found.append((number, task))
        for n, child in enumerate(children.get(task.pk, []), start=1):
            walk(child, f"{number}.{n}")

    for n, task in enumerate(tops, start=1):
        walk(task, str(n))
    return found


def with_appendix_relations(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """What a row shows, in a fixed number of queries."""
    return tasks.select_related("lead_unit", "area").prefetch_related(
        Prefetch("partner_units", queryset=Unit.objects.only("id", "name")),
        Prefetch("assignees", queryset=Official.objects.only("id", "full_name")),
        Prefetch("evidence", queryset=Evidence.objects.only("id", "task_id", "document_number")),
    )


def tasks_workbook(
    plan: Plan,
    tasks: QuerySet[Task],
    what: str = "",
    with_cancelled: bool = False,
    overdue_on: dt.date | None = None,
) -> bytes:
    """The tasks as an appendix workbook, titled with the plan, `what` they are and the day.

    Cancelled tasks are left out unless asked for: imported again, they would
    come back as work to do. `overdue_on`: an overdue list, with each task's
    days overdue on that day in a last column.
    """
    if not with_cancelled:
        tasks = tasks.exclude(status=Status.CANCELLED)
    ordered = list(with_appendix_relations(tasks).order_by("area__number", "due_date", "id"))
    statuses = dict(Status.choices)
    rows: list[list[Any]] = []
    for number, t in numbered(ordered):
        rows.append(
            [
                number,
                t.title,
                t.lead_unit.name,
                "; ".join(u.name for u in t.partner_units.all()),
                t.due_date,
                t.deliverable,
                t.area.number,
                t.subcriterion,
                ", ".join(p.full_name for p in t.assignees.all()),
                t.original_due_date,
                str(statuses.get(t.status, t.status)),
                t.completed_on,
                "; ".join(e.document_number for e in t.evidence.all() if e.document_number),
                *([(overdue_on - t.due_date).days] if overdue_on else []),
            ]
        )
    title = _("%(plan)s (%(number)s): %(what)s, as of %(date)s") % {
        "plan": plan.title,
        "number": plan.document_number,
        "what": what or _("tasks"),
        "date": timezone.localdate().strftime("%d/%m/%Y"),
    }
    book, sheet = new_workbook()
    sheet.title = _("Tasks")
    widths = [7, 60, 28, 28, 13, 28, 8, 9, 28, 13, 16, 13, 24, 12]
    header = appendix_header() + ([_("Days overdue")] if overdue_on else [])
    fill_sheet(sheet, title, header, rows, widths, frozen_columns=2)
    return to_bytes(book)
