"""The import page: upload an appendix, read its preview (the rows as they will be
created, each error in place), confirm; and the blank template to fill in.

The uploaded file waits between the preview and the confirmation in
DATA_DIR/imports, under a random name bound to the person who sent it, for a
day at most.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from kit.errors import DomainError
from kit.filestore import write_whole
from kit.workbooks import fill_sheet, new_workbook, to_bytes, xlsx_response
from plans.access import Action, may_on_plan
from plans.decorators import OfficialRequest, official_required
from plans.models import Plan
from tasks.appendix.columns import column_names
from tasks.appendix.load import Imported, import_appendix
from tasks.appendix.read import MAX_BYTES
from tasks.files import clean_filename

KEEP_SECONDS = 24 * 3600


def _folder() -> Path:
    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _waiting(request: OfficialRequest, plan: Plan, token: str) -> tuple[Path, str] | None:
    """The file this person uploaded for this plan under `token`, if it still waits,
    and its name as uploaded."""
    if len(token) != 32 or not all(c in "0123456789abcdef" for c in token):
        return None
    found = list(_folder().glob(f"{request.official.pk}-{plan.pk}-{token}--*"))
    if not found:
        return None
    return found[0], found[0].name.split("--", 1)[1]


def _tidy() -> None:
    """Files that waited more than a day go (whoever looks first)."""
    for old in _folder().iterdir():
        try:
            if old.stat().st_mtime < time.time() - KEEP_SECONDS:
                old.unlink(missing_ok=True)
        except FileNotFoundError:
            continue  # another request tidied it


def _allowed(request: OfficialRequest, plan: Plan) -> None:
    if not may_on_plan(request.official, Action.CREATE_TASK, plan):
        raise PermissionDenied(_("Only the head of the plan's unit, or an administrator, imports."))


def preview_rows(result: Imported) -> list[dict[str, Any]]:
    """Every row of the file that matters, in order: the tasks it makes, or its errors.

    A row making several tasks (a group of units as lead, recurring work)
    shows as one line, "1 dòng → 27 nhiệm vụ", with its tasks listed under it.
    """
    rows: dict[int, dict[str, Any]] = {}

    def at(created: dict[str, Any] | None, number: int) -> dict[str, Any]:
        return rows.setdefault(
            number, {**(created or {"row": number}), "tasks": [], "errors": [], "warnings": []}
        )

    for created in result.created:
        at(created, created["row"])["tasks"].append(created)
    for error in result.errors:
        row = at(None, error.row)
        row["errors"].append(error)
        row.setdefault("number", error.number)
        row.setdefault("title", error.title)
    for warning in result.warnings:
        at(None, warning.row)["warnings"].append(warning)
    return [rows[n] for n in sorted(rows)]


@official_required
def import_page(request: OfficialRequest, pk: int) -> HttpResponse:
    """Upload (a dry run, previewed), then confirm (all or nothing)."""
    plan = get_object_or_404(Plan, pk=pk)
    _allowed(request, plan)
    areas = list(plan.areas.order_by("number"))
    context: dict[str, Any] = {"plan": plan, "max_mb": MAX_BYTES // 1048576, "areas": areas}
    if request.method != "POST":
        return render(request, "tasks/import.html", context)
    _tidy()
    area = int(request.POST.get("area") or 1) if (request.POST.get("area") or "1").isdigit() else 1
    context["area"] = area
    token = request.POST.get("token", "")
    if token:  # the confirmation of a previewed file
        found = _waiting(request, plan, token)
        if found is None:
            messages.error(request, _("The file waited too long: upload it again."))
            return redirect("tasks:plan_import", pk=plan.pk)
        waiting, name = found
        try:
            result = import_appendix(
                request.official,
                plan,
                waiting.read_bytes(),
                name,
                dry_run=False,
                default_area=area,
                confirm_warnings=request.POST.get("confirm_warnings") == "on",
            )
        except DomainError as exc:
            if "confirm_warnings" in (exc.errors or {}):  # the preview again, to confirm
                result = import_appendix(
                    request.official, plan, waiting.read_bytes(), name, default_area=area
                )
                messages.error(request, exc.message)
                context.update(result=result, rows=preview_rows(result), filename=name)
                context["token"] = token
                return render(request, "tasks/import.html", context, status=422)
            messages.error(request, exc.message)
            return redirect("tasks:plan_import", pk=plan.pk)
        waiting.unlink(missing_ok=True)
        if result.errors:
            context.update(result=result, rows=preview_rows(result), filename=name)
            return render(request, "tasks/import.html", context, status=422)
        messages.success(
            request,
            _("%(n)d tasks imported from %(file)s.") % {"n": len(result.created), "file": name},
        )
        return redirect("tasks:plan_detail", pk=plan.pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file."))
        return render(request, "tasks/import.html", context, status=422)
    name = upload.name or "phu-luc"
    if (upload.size or 0) > MAX_BYTES:
        messages.error(request, _("An appendix may be at most 10 MB."))
        return render(request, "tasks/import.html", context, status=413)
    data = upload.read()
    try:
        result = import_appendix(
            request.official, plan, data, name, dry_run=True, default_area=area
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return render(request, "tasks/import.html", context, status=exc.status)
    context.update(result=result, rows=preview_rows(result), filename=name)
    if not result.errors:  # only a file that can be imported waits for its confirmation
        token = uuid.uuid4().hex
        stem, ext = clean_filename(name)
        kept = f"{stem}.{ext}" if ext else stem
        write_whole(_folder() / f"{request.official.pk}-{plan.pk}-{token}--{kept}", data)
        context["token"] = token
    return render(request, "tasks/import.html", context, status=200)


@official_required
def import_template(request: OfficialRequest, pk: int) -> HttpResponse:
    """A blank appendix for the plan: its columns, and its areas as headings to fill under."""
    plan = get_object_or_404(Plan, pk=pk)
    names = column_names()
    header = [names[k] for k in ("stt", "title", "lead", "partners", "deadline", "deliverable")]
    header += [names["area"], names["subcriterion"], names["note"]]
    romans = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
    rows: list[list[Any]] = []
    for roman, area in zip(romans, plan.areas.order_by("number"), strict=False):
        rows.append([roman, area.name, "", "", "", "", "", "", ""])
    title = _(
        "Appendix of %(plan)s: one task a row; deadlines such as 30/6, Quý II, Tháng 9, "
        "Hằng quý; a lead unit or a group such as Các sở, ban, ngành"
    ) % {"plan": plan.title}
    book, sheet = new_workbook()
    sheet.title = _("Appendix")
    fill_sheet(sheet, title, header, rows, [7, 60, 28, 28, 16, 28, 8, 9, 24], frozen_columns=2)
    return xlsx_response(to_bytes(book), f"phu-luc-mau-{plan.year}.xlsx")
