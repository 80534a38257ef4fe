"""The periodic CCHC report: a plan's figures over a reporting window (docs/reports.md).

Units report each quarter, half-year and year over data windows that are not
calendar quarters (letter 581/BNV-CCHC): Q1 15/12 to 14/3, six months 15/12
to 14/6, Q3 15/6 to 14/9, year 15/12 to 14/12, set in
`settings.CCHC_REPORT_WINDOWS`. A window that starts in December starts in
the year before the report's.

The report reads every floor below and counts as the dashboards do, as of
the window's last day (or today while the window is still open): the same
figures the overview shows for that day, plus the tasks completed within the
window. It is built once here and written out three ways: the print-styled
page and its PDF (tracker/reports/views.py) and the .docx (tracker/reports/docx.py).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from kit import chart_images
from kit.errors import Invalid, NotAllowed, NotFound
from plans.access import Action, may_anywhere, may_on_unit
from plans.attainment import LEVEL_ORDER, IndicatorFigures, plan_attainment
from plans.models import Level, Official, Plan, Unit
from tasks import progress
from tasks.models import TaskQuerySet
from tasks.progress import LevelRanking, OverdueRow, Progress, state_labels
from tasks.scores.days import score_label
from tracker.reports.frame import Frame, frame_of

KINDS = ("q1", "h1", "q3", "year")
PERIOD = re.compile(r"^(\d{4})-(q1|h1|q3|year)$")
OVERDUE_ROWS = (
    500  # the report lists this many overdue tasks, the oldest first, and counts the rest
)


def period_names() -> dict[str, str]:
    """How a report names its period, as the page's language says it ("quý I năm 2026")."""
    return {
        "q1": _("first quarter of %(year)s"),
        "h1": _("first six months of %(year)s"),
        "q3": _("third quarter of %(year)s"),
        "year": _("year %(year)s"),
    }


@dataclass(frozen=True)
class Period:
    """A reporting period of a year and its data window."""

    year: int
    kind: str  # one of KINDS
    start: dt.date
    end: dt.date

    @property
    def slug(self) -> str:
        return f"{self.year}-{self.kind}"

    @property
    def label(self) -> str:
        return period_names()[self.kind] % {"year": self.year}


def window(year: int, kind: str) -> tuple[dt.date, dt.date]:
    """The data window of a period: ((month, day), (month, day)) from the settings."""
    (start_month, start_day), (end_month, end_day) = settings.CCHC_REPORT_WINDOWS[kind]
    start_year = year - 1 if (start_month, start_day) > (end_month, end_day) else year
    return dt.date(start_year, start_month, start_day), dt.date(year, end_month, end_day)


def parse_period(text: str, plan: Plan, today: dt.date) -> Period:
    """`2026-q1`, `2026-h1`, `2026-q3` or `2026-year` of the plan's year, begun by today."""
    found = PERIOD.match(text.strip().lower())
    if not found:
        raise Invalid(_("The period must be written 2026-q1, 2026-h1, 2026-q3 or 2026-year."))
    year, kind = int(found[1]), found[2]
    if year != plan.year:
        raise Invalid(
            _("This plan is of %(year)s: its reports are of %(year)s.") % {"year": plan.year}
        )
    start, end = window(year, kind)
    if start > today:
        raise Invalid(
            _("The period has not begun: its data start on %(day)s.")
            % {"day": formats.date_format(start, "SHORT_DATE_FORMAT")}
        )
    return Period(year, kind, start, end)


def periods_of(plan: Plan, today: dt.date) -> list[Period]:
    """The plan's periods that have begun, in order: what the plan's pages offer."""
    begun = []
    for kind in KINDS:
        start, end = window(plan.year, kind)
        if start <= today:
            begun.append(Period(plan.year, kind, start, end))
    return begun


def report_links(plan: Plan, today: dt.date, unit: Unit | None = None) -> list[tuple[str, str]]:
    """(period, address) of the plan's reports begun by today, for the dashboards to offer."""
    query = f"?unit={unit.pk}" if unit is not None else ""
    return [
        (p.label, reverse("plan_report", args=[plan.pk, p.slug]) + query)
        for p in periods_of(plan, today)
    ]


@dataclass
class Row:
    """One line of a table by status: an area or a lead unit."""

    label: str
    counts: Progress
    completed_in_window: int
    level: str = ""


@dataclass
class Report:
    """Everything a report says, in the order it says it."""

    plan: Plan
    period: Period
    issuer: Unit  # the unit that reports: the plan's, or the one it is narrowed to
    unit: Unit | None  # narrowed to the tasks this unit leads; None: the whole plan
    as_of: dt.date  # the figures' day: the window's end, or today while it is open
    headline: Progress
    completed_in_window: int
    areas: list[Row]
    units: list[Row]
    overdue: list[OverdueRow]
    overdue_more: int  # overdue tasks beyond those listed
    indicators: list[IndicatorFigures]
    score_day: dt.date | None
    ranking: list[LevelRanking]
    score_label: str | None = None  # the index sets' name for the score, if they give one
    frame: Frame | None = None  # who issues and signs it (tracker.reports.frame)
    progress_charts: list[chart_images.Image] = field(default_factory=list)
    score_charts: list[chart_images.Image] = field(default_factory=list)

    @property
    def provisional(self) -> bool:
        """The window is still open: the figures are of today, not of its end."""
        return self.as_of < self.period.end

    @property
    def file_stem(self) -> str:
        narrowed = f"-{self.unit.code}" if self.unit is not None else ""
        return f"bao-cao-cchc-{self.period.slug}-{self.plan.pk}{narrowed}"

    @property
    def title(self) -> str:
        return _("Report on the administrative reform, %(period)s") % {"period": self.period.label}


def report_scope(official: Official, plan: Plan, unit_id: int | None) -> tuple[Plan, Unit | None]:
    """The province plan the report counts and the unit it is narrowed to, if the caller may.

    A unit's own plan reports that unit's share of the province plan. The
    whole plan's report is the steering committee's (and the administrators');
    a unit's report is also its head's. Others: 403.
    """
    unit: Unit | None = None
    if plan.parent_id is not None:
        unit = plan.unit
        plan = Plan.objects.select_related("unit").get(pk=plan.parent_id)
    elif unit_id is not None:
        unit = Unit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise NotFound(_("No such unit."))
    if may_anywhere(official, Action.READ_REPORT):
        return plan, unit
    if unit is not None and may_on_unit(official, Action.READ_UNIT_REPORT, unit.pk):
        return plan, unit
    if may_on_unit(official, Action.READ_UNIT_REPORT, official.unit_id):
        raise NotAllowed(_("A head of unit reports on their own unit's tasks."))
    raise NotAllowed(_("The reports are for the steering committee and the heads of units."))


def unit_rows(
    tasks: TaskQuerySet, as_of: dt.date, period: Period, stood: bool = False
) -> dict[str, Any]:
    """The counts per area and per lead unit (two GROUP BYs), plus those done within the window.

    `stood`: the tasks as they stood on as_of (a closed window)."""
    # By the area's number: a unit's own plan has areas of its own, numbered as the province's.
    grid = progress.progress_by(tasks, as_of, "lead_unit_id", "area__number", stood=stood)
    finished = (
        tasks.filter(completed_on__gte=period.start, completed_on__lte=as_of)
        .values_list("lead_unit_id", "area__number")
        .annotate(n=Count("pk"))
        .order_by()
    )
    in_window = {(lead, area): n for lead, area, n in finished}
    per_area: dict[int, list[Any]] = {}
    per_unit: dict[int, list[Any]] = {}
    for key, counts in grid.items():
        done = in_window.get(key, 0)
        unit_id, area_id = key
        for into, pk in ((per_area, area_id), (per_unit, unit_id)):
            sums = into.setdefault(pk, [progress.NO_PROGRESS, 0])
            sums[0] += counts
            sums[1] += done
    return {"per_area": per_area, "per_unit": per_unit, "headline": progress.total(grid)}


def build_report(
    plan: Plan, period: Period, today: dt.date, *, unit: Unit | None = None, charts: bool = True
) -> Report:
    """The report of a province plan (or one unit's share of it) for a period."""
    as_of = min(period.end, today)
    # A closed window reads the same whenever it is written again: its tasks as they stood.
    closed = period.end < today
    tasks = progress.counted_tasks_on(plan, as_of) if closed else progress.counted_tasks(plan)
    if unit is not None:
        tasks = tasks.filter(lead_unit=unit)
    counted = unit_rows(tasks, as_of, period, closed)
    areas = {a.number: a for a in progress.areas_of(plan).values()}
    area_rows = [
        Row(str(areas[n]) if n in areas else str(n), sums[0], sums[1])
        for n, sums in sorted(counted["per_area"].items())
    ]
    names = {
        u.pk: u
        for u in Unit.objects.filter(pk__in=counted["per_unit"])
        .in_order()
        .only("name", "level", "code")
    }
    lead_rows = [
        Row(u.name, counted["per_unit"][pk][0], counted["per_unit"][pk][1], u.level)
        for pk, u in names.items()
    ]
    overdue = progress.overdue_list(tasks, as_of, OVERDUE_ROWS, stood=closed)
    overdue_total = counted["headline"].overdue
    score_day, ranking = progress.ranking(plan, as_of, None, ends=None, unit=unit)
    issuer = unit or plan.unit
    report = Report(
        frame=frame_of(issuer),
        score_label=score_label(plan),
        plan=plan,
        period=period,
        issuer=issuer,
        unit=unit,
        as_of=as_of,
        headline=counted["headline"],
        completed_in_window=sum(row.completed_in_window for row in area_rows),
        areas=area_rows,
        units=lead_rows,
        overdue=overdue,
        overdue_more=max(overdue_total - len(overdue), 0),
        indicators=plan_attainment(plan, as_of, unit=unit),
        score_day=score_day,
        ranking=ranking,
    )
    if charts:
        report.progress_charts = progress_charts(report)
        report.score_charts = score_charts(report)
    return report


def progress_charts(report: Report) -> list[chart_images.Image]:
    """Tasks by status per area and, for the whole plan, per level of the lead unit."""
    labels = state_labels()
    images = []
    if report.areas:
        images.append(
            chart_images.progress_bars(
                _("Tasks by status, per area"),
                [(row.label, dict(row.counts.states)) for row in report.areas],
                labels,
            )
        )
    levels: dict[str, Progress] = {}
    for row in report.units:
        levels[row.level] = levels.get(row.level, progress.NO_PROGRESS) + row.counts
    level_names = dict(Level.choices)
    if report.unit is None and len(levels) > 1:
        images.append(
            chart_images.progress_bars(
                _("Tasks by status, per level of the lead unit"),
                [
                    (str(level_names[lvl]), dict(levels[lvl].states))
                    for lvl in LEVEL_ORDER
                    if lvl in levels
                ],
                labels,
            )
        )
    return images


def score_charts(report: Report) -> list[chart_images.Image]:
    """Each level's units by index, ranked (the whole plan's report only)."""
    images = []
    if report.unit is None:
        for level in report.ranking:
            ranked = [(r.name, r.index_pct) for r in level.rows if r.index_pct is not None]
            if ranked:
                images.append(
                    chart_images.index_bars(
                        progress.RANKING_ENDS,
                        _("Index of %(level)s units (%%)") % {"level": level.label.lower()},
                        ranked,
                    )
                )
    return images
