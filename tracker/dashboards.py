"""The steering committee's dashboards: the province overview and each unit's page.

- The committee and administrators see every unit; a head sees the page of
  the unit they head; officials see neither.
- Filters (plan or year, level, area, as-of date) travel in the URL, so that a
  view can be shared.
- Every figure comes from a fixed number of queries (tasks.progress); every
  chart has a table with the same figures under it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import plotly.graph_objects as go
from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Max, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.models import Assessment
from assessments.sheets import is_council
from kit import charts
from kit.charts import figure, separators
from plans.access import Action, may_anywhere, may_on_unit
from plans.attainment import LEVEL_ORDER, plan_attainment
from plans.decorators import OfficialRequest, official_required
from plans.forms import choice_field
from plans.models import (
    Area,
    Level,
    Official,
    Plan,
    PlanStatus,
    ScoreSnapshot,
    Unit,
    levels_in_use,
)
from plans.rules import explain
from tasks import progress
from tasks.models import TaskQuerySet
from tasks.progress import Progress, state_labels
from tasks.results import periods as results
from tasks.scores.days import indicator_names, score_label, subcriterion_names
from tracker.reports.figures import report_links
from tracker.routers import replica_reads

UNIT_OVERDUE_LIST = 50
AREA_UNITS = 20  # an area's page lists its lead units, those furthest behind first


class DashboardFilters(forms.Form):
    """The filters a dashboard URL carries; a bad value is shown and left out."""

    plan = forms.TypedChoiceField(
        label=gettext_lazy("Plan"), required=False, coerce=int, empty_value=None
    )
    year = forms.IntegerField(
        label=gettext_lazy("Year"), required=False, min_value=2000, max_value=2100
    )
    level = forms.ChoiceField(label=gettext_lazy("Level"), required=False)
    area = forms.TypedChoiceField(
        label=gettext_lazy("Area"), required=False, coerce=int, empty_value=None
    )
    as_of = forms.DateField(label=gettext_lazy("As of"), required=False)

    def __init__(self, data: Any, plans: list[Plan]) -> None:
        super().__init__(data)
        self.plans = plans
        choice_field(self, "plan").choices = [
            (p.pk, f"{p.document_number} ({p.year})") for p in plans
        ]
        choice_field(self, "level").choices = [("", gettext_lazy("All")), *levels_in_use()]
        self.chosen_plan = self.pick_plan()
        self.areas = progress.areas_of(self.chosen_plan) if self.chosen_plan else {}
        choice_field(self, "area").choices = [("", gettext_lazy("All"))] + [
            (a.number, str(a)) for a in self.areas.values()
        ]

    def pick_plan(self) -> Plan | None:
        """The plan asked for; else the year's; else the newest issued plan."""
        by_id = {p.pk: p for p in self.plans}
        wanted = self.data.get("plan")
        if wanted and str(wanted).isdigit() and int(wanted) in by_id:
            return by_id[int(wanted)]
        year = self.data.get("year")
        if year and str(year).isdigit():
            of_year = [p for p in self.plans if p.year == int(year)]
            if of_year:
                return of_year[0]
        return self.plans[0] if self.plans else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year = data.get("year")
        if year and not data.get("plan") and not any(p.year == year for p in self.plans):
            self.add_error("year", _("No plan for %(year)s.") % {"year": year})
        return data

    def value(self, name: str) -> Any:
        """A field's valid value, or None when it is empty or wrong."""
        if not self.is_bound or name in self.errors:
            return None
        self.is_valid()
        return self.cleaned_data.get(name)

    def chosen_as_of(self) -> dt.date:
        """The as-of date asked for; else today, or the plan year's last day once it is over."""
        chosen = self.value("as_of")
        if chosen:
            return chosen
        today = timezone.localdate()
        if self.chosen_plan is not None and self.chosen_plan.year < today.year:
            return dt.date(self.chosen_plan.year, 12, 31)
        return today

    def chosen_area(self) -> Area | None:
        number = self.value("area")
        return next((a for a in self.areas.values() if a.number == number), None)


def dashboard_plans() -> list[Plan]:
    """The province plans (without parent): this year's issued one first, then by year.

    A unit's own plan is scored under the province plan it implements, so it
    has no dashboard of its own.
    """
    this_year = timezone.localdate().year
    return list(
        Plan.objects.filter(parent__isnull=True)
        .select_related("unit")
        .order_by(
            Case(
                When(status=PlanStatus.ISSUED, year=this_year, then=Value(0)),
                When(status=PlanStatus.ISSUED, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            "-year",
            "-pk",
        )
    )


def link(name: str, *args: Any, **query: Any) -> str:
    """A URL with the query parameters that are set."""
    url = reverse(name, args=args)
    params = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{url}?{urlencode(params)}" if params else url


def bars(rows: Iterable[tuple[str, str, Progress]]) -> list[charts.Bar]:
    return [charts.Bar(label, url, dict(p.states)) for label, url, p in rows]


@official_required
def overview(request: OfficialRequest) -> HttpResponse:
    """The province overview; a head is taken to their unit's page."""
    official = request.official
    if not may_anywhere(official, Action.READ_OVERVIEW) and may_on_unit(
        official, Action.READ_UNIT_DASHBOARD, official.unit_id
    ):
        target = reverse("unit_dashboard", args=[official.unit_id])
        query = request.GET.urlencode()
        return redirect(f"{target}?{query}" if query else target)
    return overview_page(request)


def refuse_officials(official: Official) -> None:
    """403 for whoever has no dashboard at all (neither the overview nor their unit's)."""
    if not may_anywhere(official, Action.READ_OVERVIEW) and not may_on_unit(
        official, Action.READ_UNIT_DASHBOARD, official.unit_id
    ):
        raise PermissionDenied(
            _("The dashboards are for the steering committee and the heads of units.")
        )


@dataclass(frozen=True)
class View:
    """What the overview shows: a plan as of a day, maybe narrowed to a level or an area."""

    plan: Plan
    as_of: dt.date
    level: str | None
    area: Area | None

    @property
    def keep(self) -> dict[str, Any]:
        """The query every link of the page carries on."""
        return {"plan": self.plan.pk, "as_of": f"{self.as_of:%d/%m/%Y}"}


Rows = list[tuple[str, str, Progress]]


def progress_sections(view: View, tasks: TaskQuerySet, areas: Iterable[Area]) -> dict[str, Any]:
    """The headline and completion by level, by area, and an area's units furthest behind."""
    keep = view.keep
    units = {pk: (name, lvl) for pk, name, lvl in Unit.objects.values_list("id", "name", "level")}
    grid = progress.progress_by(tasks, view.as_of, "lead_unit_id", "area_id")
    per_level: dict[str, Progress] = {}
    per_area: dict[int, Progress] = {}
    per_unit: dict[int, Progress] = {}
    for (unit_id, area_id), counts in grid.items():
        lvl = units[unit_id][1]
        per_level[lvl] = per_level.get(lvl, progress.NO_PROGRESS) + counts
        per_area[area_id] = per_area.get(area_id, progress.NO_PROGRESS) + counts
        per_unit[unit_id] = per_unit.get(unit_id, progress.NO_PROGRESS) + counts
    labels = dict(Level.choices)
    level_rows: Rows = [
        (str(labels[lvl]), link("overview", **{**keep, "level": lvl}), per_level[lvl])
        for lvl in LEVEL_ORDER
        if lvl in per_level
    ]
    area_rows: Rows = [
        (
            str(a),
            link("overview", **{**keep, "level": view.level, "area": a.number}),
            per_area.get(a.pk, progress.NO_PROGRESS),
        )
        for a in areas
        if view.area is None or a.pk == view.area.pk
    ]
    unit_rows: Rows = []
    if view.area is not None:
        behind = sorted(
            per_unit.items(),
            key=lambda item: (-item[1].overdue, item[1].done_pct or 0, units[item[0]][0]),
        )[:AREA_UNITS]
        unit_rows = [
            (units[pk][0], link("unit_dashboard", pk, **keep), counts) for pk, counts in behind
        ]
    names, sep, share = state_labels(), separators(), _("Share of tasks")
    return {
        "headline": progress.total(grid),
        "states": names,
        "level_rows": level_rows,
        "area_rows": area_rows,
        "unit_rows": unit_rows,
        "progress_charts": {
            "levels": figure("levels", charts.progress_bars(bars(level_rows), names, sep, share)),
            "areas": figure("areas", charts.progress_bars(bars(area_rows), names, sep, share)),
            "units": figure("units", charts.progress_bars(bars(unit_rows), names, sep, share))
            if unit_rows
            else None,
        },
    }


def ranking_section(view: View) -> dict[str, Any]:
    """Each level's units ranked by the latest roll-up on or before the day."""
    day, ranking = progress.ranking(view.plan, view.as_of, view.level)
    sep = separators()

    def unit_link(unit_id: int) -> str:
        return link("unit_dashboard", unit_id, **view.keep)

    return {
        "score_day": day,
        "score_label": score_label(view.plan),
        "score_computed_at": ScoreSnapshot.objects.filter(plan=view.plan, as_of=day).aggregate(
            at=Max("computed_at")
        )["at"]
        if day
        else None,
        "ranking": [
            {
                "r": r,
                "chart": figure(
                    f"ranking-{r.level}",
                    charts.ranking_bars(
                        [
                            (row.name, unit_link(row.unit_id), row.index_pct, row.rank)
                            for row in r.rows
                            if row.index_pct is not None and row.rank is not None
                        ],
                        sep,
                        _("Index (%)"),
                        _("Rank"),
                    ),
                ),
            }
            for r in ranking
        ],
    }


def indicator_section(view: View) -> dict[str, Any]:
    """Each indicator's figure per level against its target."""
    sep = separators()
    return {
        "indicators": [
            {
                "figures": f,
                "chart": figure(
                    f"indicator-{f.indicator.pk}",
                    charts.indicator_bars(
                        [(x.level_label, x.actual_pct, x.target_pct) for x in f.levels],
                        sep,
                        _("Actual"),
                        _("Target"),
                    ),
                ),
            }
            for f in plan_attainment(view.plan, view.as_of, level=view.level)
        ]
    }


def trend_section(trend: list[progress.TrendPoint]) -> dict[str, Any]:
    """Completion of the tasks due and each level's average index over time."""
    chart = figure("trend", trend_chart(trend, separators())) if trend else None
    return {**trend_table(trend), "trend_chart": chart}


def overdue_section(view: View, tasks: TaskQuerySet) -> dict[str, Any]:
    """The oldest overdue tasks, and the plan page's lists behind them."""
    area = view.area.number if view.area else None
    return {
        "overdue": progress.overdue_list(tasks, view.as_of, progress.OVERDUE_LIST),
        "tasks_url": link("tasks:plan_detail", view.plan.pk, area=area),
        "overdue_url": link("tasks:plan_detail", view.plan.pk, area=area, overdue="yes"),
        "overdue_xlsx": link("tasks:plan_export", view.plan.pk, area=area, overdue="yes"),
    }


@replica_reads
def overview_page(request: OfficialRequest) -> HttpResponse:
    """Where the plan stands as of a day, across units, levels and areas: one builder a section."""
    refuse_officials(request.official)
    if not may_anywhere(request.official, Action.READ_OVERVIEW):
        raise Http404
    filters = DashboardFilters(request.GET, dashboard_plans())
    plan = filters.chosen_plan
    context: dict[str, Any] = {"filters": filters, "plan": plan}
    if plan is None:
        return render(request, "tracker/overview.html", context)
    view = View(plan, filters.chosen_as_of(), filters.value("level") or None, filters.chosen_area())
    tasks = progress.counted_tasks(view.plan)
    if view.level:
        tasks = tasks.filter(lead_unit__level=view.level)
    if view.area is not None:
        tasks = tasks.filter(area=view.area)
    sections = {
        **progress_sections(view, tasks, filters.areas.values()),
        **ranking_section(view),
        **indicator_section(view),
        **trend_section(progress.trend(view.plan, view.as_of, level=view.level)),
        **overdue_section(view, tasks),
    }
    charts_ = {**sections.pop("progress_charts"), "trend": sections.pop("trend_chart")}
    context.update(
        as_of=view.as_of,
        level=view.level,
        level_label=dict(Level.choices).get(view.level, "") if view.level else "",
        area=view.area,
        keep=view.keep,
        keep_query=urlencode(view.keep),
        charts=charts_,
        assessment=Assessment.objects.filter(plan=view.plan).first(),
        report_links=report_links(view.plan, timezone.localdate()),
        may_assess=is_council(request.official) and view.plan.status == PlanStatus.ISSUED,
        **sections,
    )
    return render(request, "tracker/overview.html", context)


def unit_task_results(unit: Unit, today: dt.date) -> list[tuple[Any, Any]]:
    """The unit's own figures (the tasks it leads) for the month just closed and this quarter."""
    month = results.last_closed_month(today)
    quarter = results.parse_period(f"{today.year}-q{(today.month - 1) // 3 + 1}", today)
    return [(p, results.Figures.of(results.lines_of_unit(unit, p))) for p in (month, quarter)]


def trend_levels(trend: list[progress.TrendPoint]) -> list[tuple[str, str]]:
    """(level, label) of the levels the trend has scores for, in the usual order."""
    seen = {lvl for point in trend for lvl in point.points}
    labels = dict(Level.choices)
    return [(lvl, str(labels[lvl])) for lvl in LEVEL_ORDER if lvl in seen]


def trend_table(trend: list[progress.TrendPoint]) -> dict[str, Any]:
    """The trend's rows for its table: each day with the average score of each level."""
    levels = trend_levels(trend)
    return {
        "trend": trend,
        "trend_levels": levels,
        "trend_rows": [(p, [p.points.get(lvl) for lvl, _label in levels]) for p in trend],
    }


def trend_chart(trend: list[progress.TrendPoint], sep: str) -> go.Figure:
    levels = trend_levels(trend)
    return charts.trend_lines(
        [p.day for p in trend],
        [p.done_pct for p in trend],
        {label: [p.points.get(lvl) for p in trend] for lvl, label in levels},
        sep,
        _("Done of tasks due (%)"),
        _("Average index (%)"),
        Decimal(100),
    )


@official_required
@replica_reads
def unit_dashboard(request: OfficialRequest, pk: int) -> HttpResponse:
    """One unit's page: its tasks' progress, overdue list, score with the why, indicators."""
    official = request.official
    refuse_officials(official)
    if not may_on_unit(official, Action.READ_UNIT_DASHBOARD, pk):
        raise Http404
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise Http404
    filters = DashboardFilters(request.GET, dashboard_plans())
    plan = filters.chosen_plan
    context: dict[str, Any] = {
        "filters": filters,
        "plan": plan,
        "unit": unit,
        "head": Official.objects.head_of(unit.pk),
        "committee": may_anywhere(official, Action.READ_OVERVIEW),
    }
    if plan is None:
        return render(request, "tracker/unit_dashboard.html", context)
    as_of = filters.chosen_as_of()
    keep = {"plan": plan.pk, "as_of": f"{as_of:%d/%m/%Y}"}
    tasks = progress.counted_tasks(plan).filter(lead_unit=unit)
    per_area = progress.progress_by(tasks, as_of, "area_id")
    area_rows = [
        (
            str(a),
            link("tasks:plan_detail", plan.pk, lead_unit=unit.pk, area=a.number),
            per_area[a.pk],
        )
        for a in filters.areas.values()
        if a.pk in per_area
    ]
    snapshot = (
        ScoreSnapshot.objects.filter(plan=plan, unit=unit, as_of__lte=as_of)
        .select_related("index_set")
        .order_by("-as_of")
        .first()
    )
    parts = []
    peers = 0
    if snapshot is not None:
        names = subcriterion_names(plan).get(snapshot.index_set_id or 0, {})
        named = indicator_names(plan)
        parts = [
            {**part, "name": names.get(part["code"], ""), "why_text": explain(part["why"], named)}
            for part in snapshot.parts
        ]
        peers = ScoreSnapshot.objects.filter(
            plan=plan, as_of=snapshot.as_of, level=snapshot.level, rank__isnull=False
        ).count()
    trend = progress.trend(plan, as_of, unit=unit)
    sep = separators()
    names_of_states = state_labels()
    context.update(
        {
            "as_of": as_of,
            "keep": keep,
            "headline": progress.total(per_area),
            "states": names_of_states,
            "area_rows": area_rows,
            "snapshot": snapshot,
            "parts": parts,
            "peers": peers,
            **trend_table(trend),
            "keep_query": urlencode(keep),
            "indicators": [
                {"figures": f, "chart": None} for f in plan_attainment(plan, as_of, unit=unit)
            ],
            "overdue": progress.overdue_list(tasks, as_of, UNIT_OVERDUE_LIST),
            "tasks_url": link("tasks:plan_detail", plan.pk, lead_unit=unit.pk),
            "overdue_url": link("tasks:plan_detail", plan.pk, lead_unit=unit.pk, overdue="yes"),
            "overdue_xlsx": link("tasks:plan_export", plan.pk, lead_unit=unit.pk, overdue="yes"),
            "overview_url": link("overview", **keep, level=unit.level),
            "report_links": report_links(plan, timezone.localdate(), unit),
            "unit_results": unit_task_results(unit, timezone.localdate()),
            "charts": {
                "areas": figure(
                    "areas",
                    charts.progress_bars(
                        bars(area_rows), names_of_states, sep, _("Share of tasks")
                    ),
                )
                if area_rows
                else None,
                "trend": figure(
                    "trend",
                    trend_chart(trend, sep),
                )
                if trend
                else None,
            },
        }
    )
    return render(request, "tracker/unit_dashboard.html", context)
