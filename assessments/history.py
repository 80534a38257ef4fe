"""A sheet's history: every step, from the sheet's and its assessment's audit events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.models import Assessment, Sheet
from plans.models import AuditEvent, Official

# The assessment's own events that concern every sheet.
ASSESSMENT_STEPS = ("assessment_opened", "assessment_dates", "assessment_published")

LABELS = {
    "assessment_opened": gettext_lazy("opened the assessment"),
    "assessment_dates": gettext_lazy("changed the dates"),
    "assessment_published": gettext_lazy("published the results"),
    "line_changed": gettext_lazy("changed a line"),
    "line_appraised": gettext_lazy("appraised a line"),
    "sheet_file_added": gettext_lazy("uploaded a document"),
    "sheet_submitted": gettext_lazy("submitted the sheet"),
    "sheet_locked": gettext_lazy("locked the sheet as it stood (window closed)"),
    "sheet_returned": gettext_lazy("returned the sheet"),
    "sheet_reopened": gettext_lazy("reopened the sheet"),
}


def events_of(sheet: Sheet) -> QuerySet[AuditEvent]:
    """The sheet's events and the assessment's steps, oldest first."""
    of_sheet = Q(content_type=ContentType.objects.get_for_model(Sheet), object_id=sheet.pk)
    of_assessment = Q(
        content_type=ContentType.objects.get_for_model(Assessment),
        object_id=sheet.assessment_id,
        action__in=ASSESSMENT_STEPS,
    )
    return AuditEvent.objects.filter(of_sheet | of_assessment).order_by("at", "id")


def _day(value: Any) -> str:
    try:
        return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


def describe(event: AuditEvent) -> str:
    """What changed, in words: the line, its figures from what to what, the comment."""
    c = event.changes
    parts: list[str] = []
    if c.get("code"):
        parts.append(str(c["code"]))
    for key, label in (("self_points", _("points")), ("points", _("points"))):
        value = c.get(key)
        if isinstance(value, list) and len(value) == 2:
            parts.append(f"{label} {value[0] or '—'} → {value[1]}")
    explanation = c.get("explanation")
    if isinstance(explanation, list) and len(explanation) == 2:
        parts.append(f"{_('explanation')}: {explanation[1] or '—'}")
    if "evidence" in c:
        parts.append(_("%(n)d pieces of evidence") % {"n": len(c["evidence"] or [])})
    for key in ("comment", "reason", "filename"):
        if c.get(key):
            parts.append(str(c[key]))
    if c.get("until"):
        parts.append(_("until %(date)s") % {"date": _day(c["until"])})
    return " · ".join(parts)


@dataclass(frozen=True)
class Step:
    at: dt.datetime
    actor: Official | None
    action: str
    label: str
    detail: str


def history(sheet: Sheet) -> list[Step]:
    return [
        Step(e.at, e.actor, e.action, str(LABELS.get(e.action, e.action)), describe(e))
        for e in events_of(sheet).select_related("actor")
    ]
