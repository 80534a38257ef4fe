"""Every write of the annual assessment: actor passed in, checked, atomic, audited.

The pages and the API call these; a refusal raises a kit.errors DomainError
(403 not allowed, 404 not visible, 409 wrong state, 422 bad values) and writes
nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import (
    LOCATOR_MAX,
    Assessment,
    Item,
    ItemEvidence,
    Phase,
    Sheet,
    SheetFile,
    SheetStatus,
)
from assessments.sheets import (
    closes_on,
    computed_day,
    editable,
    lines_of,
    require_council,
)
from kit.errors import Conflict, Invalid, NotAllowed, NotFound
from kit.filestore import atomic_with_files
from kit.filestore import stored as keep_if_committed
from plans.access import Action, may_on_unit
from plans.models import Official, Plan, PlanStatus, ScoreSnapshot, SubCriterion, record
from plans.rules import kind_of
from tasks.files import check_upload
from tasks.models import Evidence
from tasks.scores.days import latest_day
from tasks.scores.rollup import rollup


def today_or(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _dates(self_closes_on: Any, appraisal_closes_on: Any) -> None:
    if not isinstance(self_closes_on, dt.date) or not isinstance(appraisal_closes_on, dt.date):
        raise Invalid(_("Give both closing dates."))
    if appraisal_closes_on <= self_closes_on:
        message = _("The appraisal closes after the self-assessment.")
        raise Invalid(message, {"appraisal_closes_on": message})


# ---------------------------------------------------------------- opening


def ensure_scores(plan: Plan, day: dt.date) -> None:
    """The plan's roll-up of `day`, computed if that day was never scored."""
    if latest_day(plan, day) != day:
        rollup(plan, day)


@transaction.atomic
def open_assessment(
    actor: Official,
    plan: Plan,
    *,
    self_closes_on: dt.date,
    appraisal_closes_on: dt.date,
    today: dt.date | None = None,
) -> Assessment:
    """Open a plan's assessment: a sheet per scored unit, each line of its level's index set."""
    require_council(actor)
    _dates(self_closes_on, appraisal_closes_on)
    today = today_or(today)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)  # one opening at a time
    if plan.status != PlanStatus.ISSUED:
        raise Conflict(_("Only an issued plan is assessed."))
    if Assessment.objects.filter(plan=plan).exists():
        raise Conflict(_("This plan's assessment is already open."))
    if self_closes_on < today:
        message = _("The self-assessment cannot close in the past.")
        raise Invalid(message, {"self_closes_on": message})
    assessment = Assessment.objects.create(
        plan=plan,
        self_closes_on=self_closes_on,
        appraisal_closes_on=appraisal_closes_on,
        opened_by=actor,
    )
    day = computed_day(assessment, today)
    ensure_scores(plan, day)
    snapshots = list(ScoreSnapshot.objects.filter(plan=plan, as_of=day).select_related("unit"))
    names: dict[tuple[int | None, str], tuple[str, str]] = {
        (set_id, code): (name, rule)
        for set_id, code, name, rule in SubCriterion.objects.filter(
            criterion__index_set__plans=plan
        ).values_list("criterion__index_set_id", "code", "name", "rule")
    }
    sheets = Sheet.objects.bulk_create(
        Sheet(assessment=assessment, unit=s.unit, level=s.level, index_set_id=s.index_set_id)
        for s in snapshots
    )
    items = []
    for snap, sheet in zip(snapshots, sheets, strict=True):
        # A sheet's lines are the items a unit scores; a group's subtotal follows from them.
        lines = [part for part in snap.parts if not part.get("group")]
        for position, part in enumerate(lines):
            items.append(
                Item(
                    sheet=sheet,
                    position=position,
                    code=part["code"],
                    name=names.get((snap.index_set_id, part["code"]), ("", ""))[0],
                    rule=names.get((snap.index_set_id, part["code"]), ("", ""))[1],
                    max_points=Decimal(str(part["max_points"])),
                    applicable=bool(part.get("applicable", True)),
                    computed_points=Decimal(str(part["points"])),
                    computed_why=part.get("why") or {},
                )
            )
    Item.objects.bulk_create(items)
    record(
        actor,
        "assessment_opened",
        assessment,
        plan_id=plan.pk,
        self_closes_on=self_closes_on,
        appraisal_closes_on=appraisal_closes_on,
    )
    return assessment


@transaction.atomic
def change_dates(
    actor: Official,
    assessment: Assessment,
    *,
    self_closes_on: dt.date | None = None,
    appraisal_closes_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Assessment:
    """Extend or shorten a window; the phase follows the dates at once. Fixed lines stay."""
    require_council(actor)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status == Phase.PUBLISHED:
        raise Conflict(_("The results are published: the dates no longer change."))
    new_self = self_closes_on or assessment.self_closes_on
    new_appraisal = appraisal_closes_on or assessment.appraisal_closes_on
    _dates(new_self, new_appraisal)
    day = today_or(today)
    for field, old_day, new_day in (
        ("self_closes_on", assessment.self_closes_on, new_self),
        ("appraisal_closes_on", assessment.appraisal_closes_on, new_appraisal),
    ):
        if new_day != old_day and new_day < day:
            message = _("A window cannot be moved to close in the past.")
            raise Invalid(message, {field: message})
    old = [assessment.self_closes_on.isoformat(), assessment.appraisal_closes_on.isoformat()]
    assessment.self_closes_on, assessment.appraisal_closes_on = new_self, new_appraisal
    assessment.save(update_fields=["self_closes_on", "appraisal_closes_on", "updated_at"])
    record(
        actor,
        "assessment_dates",
        assessment,
        dates=[old, [new_self.isoformat(), new_appraisal.isoformat()]],
    )
    advance(assessment, timezone.now() if today is None else _noon(today))
    return assessment


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


# ---------------------------------------------------------------- the phases


def fix_sheets(sheets: list[Sheet], day: dt.date, now: dt.datetime) -> None:
    """Store the lines' computed points as of `day` (the roll-up's), once per sheet,
    in a fixed number of queries whatever the number of sheets."""
    sheets = [s for s in sheets if s.fixed_at is None]
    if not sheets:
        return
    plan = sheets[0].assessment.plan
    scored = latest_day(plan, day)
    parts: dict[int, dict[str, dict[str, Any]]] = {}
    if scored is not None:
        rows = ScoreSnapshot.objects.filter(
            plan=plan, as_of=scored, unit__in=[s.unit_id for s in sheets]
        ).values_list("unit_id", "parts")
        parts = {unit_id: {p["code"]: p for p in found} for unit_id, found in rows}
    units = {s.pk: s.unit_id for s in sheets}
    items = list(Item.objects.filter(sheet__in=sheets))
    for item in items:
        part = parts.get(units[item.sheet_id], {}).get(item.code)
        if part is not None:
            item.computed_points = Decimal(str(part["points"]))
            item.applicable = bool(part.get("applicable", True))
            item.computed_why = part.get("why") or {}
    Item.objects.bulk_update(items, ["computed_points", "applicable", "computed_why"])
    for sheet in sheets:
        sheet.fixed_at = now
        sheet.computed_on = scored if sheet.unit_id in parts else None
    Sheet.objects.bulk_update(sheets, ["fixed_at", "computed_on", "updated_at"])


def advance(assessment: Assessment, now: dt.datetime) -> list[Sheet]:
    """Move the assessment's phase to what the dates say; lock the sheets whose window closed.

    Idempotent: a second call at the same `now` changes nothing, and two runs at
    once take turns on the assessment's row (call it inside a transaction).
    The sheets locked are fixed as they stood at the window's end (the roll-up
    of that day, computed if it was never run).
    """
    Assessment.objects.select_for_update().filter(pk=assessment.pk).exists()
    assessment.refresh_from_db(fields=["status", "self_closes_on", "appraisal_closes_on"])
    today = timezone.localdate(now)
    locked: list[Sheet] = []
    if assessment.status == Phase.PUBLISHED:
        return locked
    phase = Phase.SELF_ASSESSMENT if today <= assessment.self_closes_on else Phase.APPRAISAL
    if phase != assessment.status:
        assessment.status = phase
        assessment.save(update_fields=["status", "updated_at"])
        record(None, "assessment_phase", assessment, status=phase)
    if phase == Phase.APPRAISAL:
        open_ones = assessment.sheets.filter(status=SheetStatus.DRAFT, fixed_at__isnull=True)
        waiting = [s for s in open_ones.select_related("assessment__plan", "unit")]
        waiting = [s for s in waiting if closes_on(s) < today]
        if waiting:
            ensure_scores(assessment.plan, assessment.self_closes_on)
        fix_sheets(waiting, assessment.self_closes_on, now)
        for sheet in waiting:
            record(None, "sheet_locked", sheet, unit_id=sheet.unit_id)
            locked.append(sheet)
    return locked


# ---------------------------------------------------------------- the unit's sheet


def lock_sheet(sheet: Sheet) -> Sheet:
    return (
        Sheet.objects.select_for_update()
        .select_related("assessment__plan", "unit")
        .get(pk=sheet.pk)
    )


def _writable(actor: Official, sheet: Sheet, today: dt.date) -> None:
    if not may_on_unit(actor, Action.EDIT_SHEET, sheet.unit_id):
        raise NotAllowed(_("Only the unit's own officials fill in its sheet."))
    if sheet.assessment.status == Phase.PUBLISHED:
        raise Conflict(_("The results are published: the sheet no longer changes."))
    if sheet.status in (SheetStatus.SUBMITTED, SheetStatus.APPRAISED):
        raise Conflict(_("The sheet is submitted: it no longer changes."))
    if not editable(sheet, today):
        raise Conflict(
            _("The sheet's window closed on %(date)s: it is locked as it stood.")
            % {"date": closes_on(sheet).strftime("%d/%m/%Y")}
        )


def checked_points(value: Any, item: Item, field: str) -> Decimal:
    try:
        points = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise Invalid(_("Points are a number."), {field: _("Points are a number.")}) from None
    if not points.is_finite():
        raise Invalid(_("Points are a number."), {field: _("Points are a number.")})
    low, high = Decimal(0), item.max_points
    if kind_of(item.rule).sign < 0:
        low, high = -item.max_points, Decimal(0)
    in_range = low <= points <= high
    if in_range and points != points.quantize(Decimal("0.01")):
        message = _("Points have at most two decimals.")
        raise Invalid(message, {field: message})
    if not in_range:
        message = _("Points of %(code)s lie between %(low)s and %(high)s.") % {
            "code": item.code,
            "low": low,
            "high": high,
        }
        raise Invalid(message, {field: message})
    return points


EvidenceRef = Mapping[str, Any]  # {"evidence_id": id} or {"file_id": id}, with "locator"


def _links(sheet: Sheet, item: Item, refs: Iterable[EvidenceRef]) -> list[ItemEvidence]:
    """The line's evidence as given, each the unit's own, with a locator of at most 200."""
    links = []
    for ref in refs:
        locator = str(ref.get("locator") or "").strip()
        if len(locator) > LOCATOR_MAX:
            message = _("Say where in it in at most %(n)d characters.") % {"n": LOCATOR_MAX}
            raise Invalid(message, {"evidence": message})
        evidence_id, file_id = ref.get("evidence_id"), ref.get("file_id")
        if (evidence_id is None) == (file_id is None):
            message = _("Name either a task's evidence or a file of the sheet.")
            raise Invalid(message, {"evidence": message})
        if evidence_id is not None:
            plan = sheet.assessment.plan
            found = Evidence.objects.filter(
                Q(task__plan=plan) | Q(task__plan__parent=plan),
                pk=int(evidence_id),
                task__lead_unit=sheet.unit_id,
            ).first()
            if found is None:
                message = _("Evidence %(id)s is not of a task your unit leads.") % {
                    "id": evidence_id
                }
                raise Invalid(message, {"evidence": message})
            links.append(ItemEvidence(item=item, evidence=found, locator=locator))
        else:
            own = SheetFile.objects.filter(pk=int(file_id or 0), sheet=sheet).first()
            if own is None:
                message = _("File %(id)s was not uploaded to this sheet.") % {"id": file_id}
                raise Invalid(message, {"evidence": message})
            links.append(ItemEvidence(item=item, sheet_file=own, locator=locator))
    return links


UNSET: Any = object()


@transaction.atomic
def edit_line(
    actor: Official,
    sheet: Sheet,
    code: str,
    *,
    self_points: Any = UNSET,
    explanation: Any = UNSET,
    evidence: Any = UNSET,
    today: dt.date | None = None,
) -> Item:
    """Change a line's points, explanation or evidence while the sheet is open to its unit.

    A figure other than the computed one needs an explanation (giải trình).
    """
    today = today_or(today)
    sheet = lock_sheet(sheet)
    _writable(actor, sheet, today)
    line = next((x for x in lines_of(sheet, today) if x.item.code == code), None)
    if line is None:
        raise NotFound(_("The sheet has no line %(code)s.") % {"code": code})
    item = line.item
    before = {"self_points": str(line.self_points), "explanation": item.explanation}
    if explanation is not UNSET:
        item.explanation = str(explanation or "").strip()
    if self_points is not UNSET and self_points is not None:
        points = checked_points(self_points, item, "self_points")
        if not line.applicable and points != 0:
            message = _("%(code)s does not apply to the unit: it scores nothing.") % {"code": code}
            raise Invalid(message, {"self_points": message})
        item.self_points = points
    changed = item.self_points is not None and item.self_points != line.computed_points
    if changed and not item.explanation:
        message = _("Explain why %(code)s differs from the computed %(computed)s points.") % {
            "code": code,
            "computed": line.computed_points,
        }
        raise Invalid(message, {"explanation": message})
    item.save(update_fields=["self_points", "explanation"])
    changes: dict[str, Any] = {"code": code}
    after = {"self_points": str(line.self_points if item.self_points is None else item.self_points)}
    after["explanation"] = item.explanation
    for key in ("self_points", "explanation"):
        if before[key] != after[key]:
            changes[key] = [before[key], after[key]]
    if evidence is not UNSET:
        links = _links(sheet, item, evidence or [])

        def listed(rows: Iterable[ItemEvidence]) -> list[dict[str, Any]]:
            return [
                {"evidence_id": x.evidence_id, "file_id": x.sheet_file_id, "locator": x.locator}
                for x in rows
            ]

        old = listed(item.evidence.all())
        new = listed(links)
        if old != new:
            item.evidence.all().delete()
            ItemEvidence.objects.bulk_create(links)
            changes["evidence"] = [old, new]
    record(actor, "line_changed", sheet, **changes)
    return item


@atomic_with_files
def add_sheet_file(
    actor: Official,
    sheet: Sheet,
    *,
    file: File,
    filename: str | None = None,
    today: dt.date | None = None,
) -> SheetFile:
    """A document uploaded to the sheet (checked as task evidence is)."""
    sheet = lock_sheet(sheet)
    _writable(actor, sheet, today_or(today))
    checked = check_upload(file, filename or file.name or "")
    stored = SheetFile(
        sheet=sheet,
        filename=checked.filename,
        size=checked.size,
        content_type=checked.content_type,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    stored.file.save(checked.filename, file, save=False)
    keep_if_committed(stored.file.storage, stored.file.name)
    try:
        stored.save()
        record(actor, "sheet_file_added", sheet, file_id=stored.pk, filename=stored.filename)
    except BaseException:
        stored.file.delete(save=False)
        raise
    return stored


@transaction.atomic
def submit_sheet(actor: Official, sheet: Sheet, *, now: dt.datetime | None = None) -> Sheet:
    """The unit's head submits: every line fixed as it stands."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sheet = lock_sheet(sheet)
    if not may_on_unit(actor, Action.SUBMIT_SHEET, sheet.unit_id):
        raise NotAllowed(_("The unit's head submits its sheet."))
    _writable(actor, sheet, today)
    if sheet.fixed_at is None:
        # The points as they stand at this moment, not as the last roll-up left them.
        day = computed_day(sheet.assessment, today)
        rollup(sheet.assessment.plan, day)
        fix_sheets([sheet], day, now)
    unexplained = [
        item.code
        for item in sheet.items.filter(self_points__isnull=False, explanation="")
        if item.self_points != item.computed_points
    ]
    if unexplained:
        raise Invalid(
            _("Explain the figures that differ from the computed points first: %(codes)s.")
            % {"codes": ", ".join(unexplained)}
        )
    old = sheet.status
    sheet.status = SheetStatus.SUBMITTED
    sheet.submitted_at, sheet.submitted_by = now, actor
    sheet.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    record(actor, "sheet_submitted", sheet, status=[old, sheet.status])
    return sheet
