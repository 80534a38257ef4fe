"""The appraisal council's writes: appraising lines, returning a sheet once, reopening a
locked one, publishing the results; and the results as they stand.

Actor passed in, checked, atomic, audited, as every write (assessments.services
holds the opening, the phases and the unit's own writes).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Assessment, Item, Phase, Result, Sheet, SheetStatus
from assessments.services import advance, checked_points, fix_sheets, lock_sheet, today_or
from assessments.sheets import editable, group_lines, lines_of_sheets, require_council, totals
from kit.errors import Conflict, Invalid, NotFound
from plans import scoring
from plans.indexsets import scoring_tree
from plans.models import Official, record


def _appraising(actor: Official, sheet: Sheet, today: dt.date) -> None:
    require_council(actor)
    a = sheet.assessment
    if a.status == Phase.PUBLISHED:
        raise Conflict(_("The results are published: the sheet no longer changes."))
    if today <= a.self_closes_on:
        raise Conflict(_("The appraisal starts when the self-assessment closes."))
    if today > a.appraisal_closes_on:
        raise Conflict(_("The appraisal window closed: publish the results."))


@transaction.atomic
def appraise_line(
    actor: Official,
    sheet: Sheet,
    code: str,
    *,
    points: Any,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Item:
    """A council member's points for a line, with a comment; all lines scored: appraised."""
    now = now or timezone.now()
    sheet = lock_sheet(sheet)
    _appraising(actor, sheet, timezone.localdate(now))
    advance(sheet.assessment, now)
    sheet.refresh_from_db()
    if sheet.status == SheetStatus.RETURNED or editable(sheet, timezone.localdate(now)):
        raise Conflict(_("The sheet is back with its unit: appraise it once resubmitted."))
    item = sheet.items.filter(code=code).first()
    if item is None:
        raise NotFound(_("The sheet has no line %(code)s.") % {"code": code})
    value = checked_points(points, item, "points")
    old = None if item.appraised_points is None else str(item.appraised_points)
    item.appraised_points = value
    item.appraisal_comment = (comment or "").strip()
    item.appraised_by, item.appraised_at = actor, now
    item.save(
        update_fields=["appraised_points", "appraisal_comment", "appraised_by", "appraised_at"]
    )
    record(
        actor,
        "line_appraised",
        sheet,
        code=code,
        points=[old, str(value)],
        comment=item.appraisal_comment,
    )
    complete = not sheet.items.filter(applicable=True, appraised_points__isnull=True).exists()
    if complete and sheet.status != SheetStatus.APPRAISED:
        old_status = sheet.status
        sheet.status = SheetStatus.APPRAISED
        sheet.save(update_fields=["status", "updated_at"])
        record(actor, "sheet_appraised", sheet, status=[old_status, sheet.status])
    return item


@transaction.atomic
def return_sheet(
    actor: Official, sheet: Sheet, *, comment: str, now: dt.datetime | None = None
) -> Sheet:
    """Back to the unit for more explanation, once; it resubmits within the appraisal window."""
    now = now or timezone.now()
    sheet = lock_sheet(sheet)
    _appraising(actor, sheet, timezone.localdate(now))
    comment = (comment or "").strip()
    if not comment:
        message = _("Say what the unit must explain.")
        raise Invalid(message, {"comment": message})
    if sheet.returned_at is not None:
        raise Conflict(_("A sheet is returned once only."))
    if sheet.status != SheetStatus.SUBMITTED:
        raise Conflict(_("Only a submitted sheet is returned."))
    sheet.status = SheetStatus.RETURNED
    sheet.returned_at, sheet.return_comment = now, comment
    sheet.save(update_fields=["status", "returned_at", "return_comment", "updated_at"])
    record(actor, "sheet_returned", sheet, comment=comment)
    return sheet


@transaction.atomic
def reopen_sheet(
    actor: Official,
    sheet: Sheet,
    *,
    reason: str,
    until: dt.date,
    today: dt.date | None = None,
) -> Sheet:
    """The committee lets a locked unit finish its sheet, until a day within the appraisal."""
    today = today_or(today)
    require_council(actor)
    sheet = lock_sheet(sheet)
    a = sheet.assessment
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give the reason for reopening."), {"reason": _("Give the reason.")})
    if a.status == Phase.PUBLISHED:
        raise Conflict(_("The results are published: the sheet no longer changes."))
    if sheet.status != SheetStatus.DRAFT or editable(sheet, today):
        raise Conflict(_("Only a sheet locked unsubmitted is reopened."))
    if not today <= until <= a.appraisal_closes_on:
        message = _("Reopen it until a day from today to the appraisal's end (%(date)s).") % {
            "date": a.appraisal_closes_on.strftime("%d/%m/%Y")
        }
        raise Invalid(message, {"until": message})
    sheet.open_until = until
    sheet.save(update_fields=["open_until", "updated_at"])
    record(actor, "sheet_reopened", sheet, reason=reason, until=until.isoformat())
    return sheet


@transaction.atomic
def publish(
    actor: Official,
    assessment: Assessment,
    *,
    confirm: bool = False,
    now: dt.datetime | None = None,
) -> Assessment:
    """Freeze every unit's results: totals, index, rank in its level, group."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    require_council(actor)
    assessment = Assessment.objects.select_for_update().select_related("plan").get(pk=assessment.pk)
    if assessment.status == Phase.PUBLISHED:
        raise Conflict(_("The results are already published."))
    if today <= assessment.self_closes_on:
        raise Conflict(_("The self-assessment is still open."))
    if today <= assessment.appraisal_closes_on and not confirm:
        message = _(
            "The appraisal window is open until %(date)s: confirm to publish before it closes."
        ) % {"date": assessment.appraisal_closes_on.strftime("%d/%m/%Y")}
        raise Invalid(message, {"confirm": message})
    advance(assessment, now)
    unfixed = assessment.sheets.filter(fixed_at__isnull=True).select_related("assessment__plan")
    fix_sheets(list(unfixed), assessment.self_closes_on, now)
    results = results_of(assessment, today)
    Result.objects.bulk_create(results)
    assessment.status = Phase.PUBLISHED
    assessment.published_at, assessment.published_by = now, actor
    assessment.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    record(actor, "assessment_published", assessment, units=len(results))
    return assessment


def results_of(assessment: Assessment, today: dt.date) -> list[Result]:
    """Each unit's results as they stand (unsaved): appraised points where scored, else its own."""
    sheets = list(assessment.sheets.select_related("unit", "index_set", "assessment__plan"))
    all_lines = lines_of_sheets(sheets, today)
    found: list[Result] = []
    trees = {pk: scoring_tree(pk) for pk in {s.index_set_id for s in sheets}}
    for sheet in sheets:
        lines = all_lines[sheet.pk]
        t = totals(lines, trees[sheet.index_set_id])
        groups = sheet.index_set.groups if sheet.index_set else []
        found.append(
            Result(
                assessment=assessment,
                unit=sheet.unit,
                level=sheet.level,
                self_total=t.self_total,
                appraised_total=t.appraised_total,
                applicable_max=t.applicable_max,
                self_index_pct=t.self_index_pct,
                index_pct=t.index_pct,
                group=scoring.group_of(t.index_pct, groups),
                lines={
                    **{
                        x.item.code: [
                            str(x.self_points),
                            None
                            if x.item.appraised_points is None
                            else str(x.item.appraised_points),
                        ]
                        for x in lines
                    },
                    # Each group's subtotals, as the published tables show them.
                    **{
                        g.code: [str(g.own), str(g.appraised)]
                        for g in group_lines(lines, trees[sheet.index_set_id], {})
                    },
                },
            )
        )
    for level in {r.level for r in found}:
        same = [r for r in found if r.level == level]
        ranks = scoring.competition_ranks({id(r): r.index_pct for r in same})
        for r in same:
            r.rank = ranks[id(r)]
    return sorted(found, key=lambda r: (r.level, r.rank or 10**6, r.unit.name))
