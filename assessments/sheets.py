"""Reading an assessment: who may see a sheet, what its lines say today, the results.

A sheet not yet fixed shows the roll-up's latest points of its unit as of
min(today, the self-assessment window's end); fixing stores them
(assessments.services). Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from assessments.models import Assessment, Item, ItemEvidence, Phase, Sheet, SheetStatus
from kit.errors import NotAllowed
from plans import scoring
from plans.access import Action, may_anywhere, may_on_unit
from plans.models import Criterion, Official, ScoreSnapshot
from plans.rules import kind_of
from tasks.scores.days import latest_day


def is_council(official: Official) -> bool:
    """The appraisal council: committee members and administrators (WHO_MAY, APPRAISE)."""
    return may_anywhere(official, Action.APPRAISE)


def get_assessment_for(official: Official, pk: int) -> Assessment:
    """Any official may know an assessment exists (its results are public once published)."""
    return get_object_or_404(Assessment.objects.select_related("plan"), pk=pk)


def get_sheet_for(official: Official, assessment: Assessment, unit_id: int) -> Sheet:
    """A unit's sheet for its own officials and the council; 404 to anyone else."""
    if not may_on_unit(official, Action.READ_SHEET, unit_id):
        raise Http404(_("No such sheet."))
    return get_object_or_404(
        Sheet.objects.select_related("assessment__plan", "unit", "submitted_by"),
        assessment=assessment,
        unit_id=unit_id,
    )


def require_council(official: Official) -> None:
    if not is_council(official):
        raise NotAllowed(_("Only the steering committee (the appraisal council) does this."))


def phase_on(assessment: Assessment, today: dt.date) -> str:
    """The phase the dates put the assessment in (publication aside)."""
    if assessment.status == Phase.PUBLISHED:
        return Phase.PUBLISHED
    return Phase.SELF_ASSESSMENT if today <= assessment.self_closes_on else Phase.APPRAISAL


def closes_on(sheet: Sheet) -> dt.date:
    """The last day the unit may change its sheet: its window (a returned sheet: appraisal's)."""
    a = sheet.assessment
    if sheet.status == SheetStatus.RETURNED:
        return a.appraisal_closes_on
    return sheet.open_until or a.self_closes_on


def editable(sheet: Sheet, today: dt.date) -> bool:
    """Whether the unit may still change its sheet today."""
    if sheet.assessment.status == Phase.PUBLISHED:
        return False
    if sheet.status not in (SheetStatus.DRAFT, SheetStatus.RETURNED):
        return False
    return today <= closes_on(sheet)


def computed_day(assessment: Assessment, today: dt.date) -> dt.date:
    return min(today, assessment.self_closes_on)


def snapshot_of(sheet: Sheet, day: dt.date) -> ScoreSnapshot | None:
    """The unit's latest roll-up on or before `day`."""
    return (
        ScoreSnapshot.objects.filter(plan=sheet.assessment.plan, unit=sheet.unit, as_of__lte=day)
        .order_by("-as_of")
        .first()
    )


@dataclass
class Line:
    """A sheet's line as shown and sent: the stored line, with live computed points if unfixed."""

    item: Item
    applicable: bool
    computed_points: Decimal
    why: dict[str, Any]
    evidence: list[ItemEvidence] = field(default_factory=list)

    @property
    def self_points(self) -> Decimal:
        own = self.item.self_points
        return self.computed_points if own is None else own

    @property
    def changed(self) -> bool:
        return self.item.self_points is not None and self.item.self_points != self.computed_points


def items_with_evidence(sheet: Sheet) -> QuerySet[Item]:
    return items_of(sheet.items.all())


def lines_of(sheet: Sheet, today: dt.date) -> list[Line]:
    """Every line of the sheet as it reads today."""
    items = list(items_with_evidence(sheet))
    live: dict[str, dict[str, Any]] = {}
    if sheet.fixed_at is None:
        snap = snapshot_of(sheet, computed_day(sheet.assessment, today))
        live = {p["code"]: p for p in (snap.parts if snap else [])}
    return _lines(items, live)


def lines_of_sheets(sheets: list[Sheet], today: dt.date) -> dict[int, list[Line]]:
    """Every sheet's lines (by sheet id) in a fixed number of queries, whatever their number."""
    if not sheets:
        return {}
    assessment = sheets[0].assessment
    items: dict[int, list[Item]] = {s.pk: [] for s in sheets}
    for item in items_of(Item.objects.filter(sheet__in=sheets)):
        items[item.sheet_id].append(item)
    live: dict[int, dict[str, dict[str, Any]]] = {}
    unfixed = [s.unit_id for s in sheets if s.fixed_at is None]
    day = latest_day(assessment.plan, computed_day(assessment, today)) if unfixed else None
    if day is not None:
        # The plan's latest roll-up scores every unit that day: one row per unit.
        latest = ScoreSnapshot.objects.filter(
            plan=assessment.plan, unit__in=unfixed, as_of=day
        ).values_list("unit_id", "parts")
        for unit_id, parts in latest:
            live[unit_id] = {p["code"]: p for p in parts}
    return {
        s.pk: _lines(items[s.pk], live.get(s.unit_id, {}) if s.fixed_at is None else {})
        for s in sheets
    }


def items_of(items: QuerySet[Item]) -> QuerySet[Item]:
    return items.prefetch_related(
        Prefetch(
            "evidence",
            queryset=ItemEvidence.objects.select_related("evidence__task", "sheet_file"),
        )
    ).order_by("sheet_id", "position")


def _lines(items: list[Item], live: dict[str, dict[str, Any]]) -> list[Line]:
    lines = []
    for item in items:
        part = live.get(item.code)
        if part is not None:
            line = Line(
                item,
                bool(part.get("applicable", True)),
                Decimal(str(part["points"])),
                dict(part.get("why") or {}),
            )
        else:
            line = Line(item, item.applicable, item.computed_points, dict(item.computed_why))
        line.evidence = list(item.evidence.all())
        lines.append(line)
    return lines


@dataclass(frozen=True)
class Totals:
    self_total: Decimal
    appraised_total: Decimal
    applicable_max: Decimal
    self_index_pct: Decimal | None
    index_pct: Decimal | None


def _values(lines: list[Line], points: Any) -> dict[str, tuple[int, int, bool]]:
    """The applicable lines' points (by `points(line)`) and shares of the maximum, by code."""
    return {
        line.item.code: (
            scoring.cents(points(line)),
            scoring.cents(line.item.max_points) if kind_of(line.item.rule).counts_in_maximum else 0,
            True,
        )
        for line in lines
        if line.applicable
    }


def _appraised(line: Line) -> Decimal:
    judged = line.item.appraised_points
    return line.self_points if judged is None else judged


def totals(lines: list[Line], tree: scoring.Tree | None = None) -> Totals:
    """A sheet's totals: an unappraised line keeps the unit's own points (docs/assessment.md),
    added up as the set adds its groups (each capped by its maximum) and its total."""
    tree = tree or scoring.Tree((), ())
    _groups, own, most = scoring.subtotals(tree, _values(lines, lambda x: x.self_points))
    _groups, appraised, _most = scoring.subtotals(tree, _values(lines, _appraised))
    own, appraised = max(own, 0), max(appraised, 0)
    self_t = scoring.total_of(own, most)
    appr_t = scoring.total_of(appraised, most)
    return Totals(
        self_t.points, appr_t.points, appr_t.applicable_max, self_t.index_pct, appr_t.index_pct
    )


def _points(hundredths: int) -> Decimal:
    return Decimal(hundredths).scaleb(-2)


@dataclass(frozen=True)
class GroupLine:
    """A group's subtotal on a sheet: computed, the unit's own, appraised, of its maximum."""

    code: str
    name: str
    computed: Decimal
    own: Decimal
    appraised: Decimal
    applicable_max: Decimal


def group_names(index_set_id: int | None) -> dict[str, str]:
    """Code -> name of the set's groups."""
    return dict(Criterion.objects.filter(index_set_id=index_set_id).values_list("code", "name"))


def group_lines(lines: list[Line], tree: scoring.Tree, names: dict[str, str]) -> list[GroupLine]:
    """Each group's subtotals, in code order (a lone top group is the total: left out)."""
    computed, _p, _t = scoring.subtotals(tree, _values(lines, lambda x: x.computed_points))
    own, _p, _t = scoring.subtotals(tree, _values(lines, lambda x: x.self_points))
    appraised, _p, _t = scoring.subtotals(tree, _values(lines, _appraised))
    shown = [i for i in range(len(tree.nodes)) if not (len(tree.roots) == 1 and i in tree.roots)]
    return sorted(
        (
            GroupLine(
                tree.nodes[i].code,
                names.get(tree.nodes[i].code, ""),
                _points(computed[i].points),
                _points(own[i].points),
                _points(appraised[i].points),
                _points(own[i].top),
            )
            for i in shown
        ),
        key=lambda g: scoring.code_key(g.code),
    )
