"""Importing a plan appendix: a dry run that lists every row's errors, its warnings and
what would be created, then the import, all or nothing, each task recorded as imported
from its file. A file with warnings (a deadline outside the plan's year, or past) is
imported only once they are confirmed.

Both go through tasks.services.create_task row by row inside one transaction,
so the dry run checks exactly what the import would, and is rolled back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from kit.errors import DomainError, Invalid, NotAllowed
from plans.access import Action, may_on_plan
from plans.models import Official, Plan
from tasks import services
from tasks.appendix.columns import column_names
from tasks.appendix.parse import RowError, parse, rows_of
from tasks.appendix.read import read_table
from tasks.models import Task

# The service's field names, as the appendix's columns.
FIELD_COLUMNS = {
    "title": "title",
    "lead_unit_id": "lead",
    "partner_unit_ids": "partners",
    "due_date": "deadline",
    "deliverable": "deliverable",
    "area": "area",
    "subcriterion": "subcriterion",
    "description": "note",
}


@dataclass
class Imported:
    rows: int
    created: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    dry_run: bool = True


class _Undo(Exception):
    """Rolls the transaction back after a dry run or a row error."""


def import_appendix(
    actor: Official,
    plan: Plan,
    data: bytes,
    filename: str,
    *,
    dry_run: bool = True,
    default_area: int = 1,
    confirm_warnings: bool = False,
    today: dt.date | None = None,
) -> Imported:
    """Read, check and (unless `dry_run`, and only without any error) create the tasks.

    A file with warnings is refused whole unless `confirm_warnings`: the
    person importing has read them in the preview.
    """
    if not may_on_plan(actor, Action.CREATE_TASK, plan):
        raise NotAllowed(_("Only the head of the plan's unit, or an administrator, imports."))
    parsed = parse(read_table(data, filename), plan, default_area, today)
    result = Imported(
        rows=parsed.rows,
        errors=list(parsed.errors),
        warnings=list(parsed.warnings),
        dry_run=dry_run,
    )
    if not dry_run and parsed.warnings and not confirm_warnings:
        first = parsed.warnings[0]
        raise Invalid(
            _(
                "%(n)d rows have deadlines outside the plan's year or already past (row "
                "%(row)s: %(message)s): confirm them to import."
            )
            % {
                "n": len({w.row for w in parsed.warnings}),
                "row": first.row,
                "message": first.message,
            },
            {"confirm_warnings": _("Confirm the warnings of the preview.")},
        )
    names = column_names()
    prefetch_related_objects([plan], "areas")  # each task's area, without a query each
    try:
        with transaction.atomic():
            made: dict[str, Task] = {}
            done: list[Any] = []
            for spec in parsed.specs:
                parent = made.get(spec.parent_key or "")
                try:
                    task = services.create_task(
                        actor,
                        plan,
                        title=spec.title,
                        area=spec.area,
                        lead_unit_id=spec.lead_unit_id,
                        partner_unit_ids=spec.partner_unit_ids,
                        due_date=spec.due_date,
                        deliverable=spec.deliverable,
                        subcriterion=spec.subcriterion,
                        description=spec.description,
                        parent=parent,
                        imported_from=filename,
                        # The preview lists every deadline; confirming it is the confirmation.
                        confirm_past_deadline=True,
                    )
                except DomainError as exc:
                    for key, message in (exc.errors or {"": exc.message}).items():
                        column = names.get(FIELD_COLUMNS.get(key, ""), "")
                        result.errors.append(
                            RowError(spec.row, column, message, spec.number, spec.title)
                        )
                    continue
                made[spec.key] = task
                done.append(spec)
            result.created = rows_of(done)
            if dry_run or result.errors:
                raise _Undo
    except _Undo:
        pass
    # A row made into many tasks (one per unit of a group) says each fault once.
    once = {(e.row, e.column, e.message): e for e in result.errors}
    result.errors = sorted(once.values(), key=lambda e: e.row)
    if result.errors and not dry_run:
        result.created = []  # all or nothing: nothing was created
    return result
