"""The home page: what each role needs first when it signs in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from assessments.models import Assessment
from plans.access import Action, may_anywhere, may_on_unit
from plans.decorators import OfficialRequest, official_required
from plans.models import Official, Plan, PlanStatus
from tasks.models import CLOSED_STATUSES, Status, Task, open_q, overdue_q
from tasks.views import summarize, with_list_relations
from tracker.dashboards import overview_page

DUE_SOON_DAYS = 7  # the first before-deadline reminder (docs/reminders.md: D-7)


@official_required
def home(request: OfficialRequest) -> HttpResponse:
    """Officials see their tasks, heads their unit, the committee and admins the overview."""
    official = request.official
    today = timezone.localdate()
    if may_anywhere(official, Action.READ_OVERVIEW):
        return overview_page(request)
    if may_on_unit(official, Action.READ_UNIT_DASHBOARD, official.unit_id):
        return unit_home(request, official, today)
    return my_tasks(request, official, today)


def assessments_for(official: Official) -> list[dict[str, Any]]:
    """The annual assessments to show on a home page: each with the official's unit's sheet."""
    found = []
    for a in Assessment.objects.select_related("plan").order_by("-plan__year", "-pk")[:3]:
        sheet = a.sheets.filter(unit_id=official.unit_id).first() if official.unit_id else None
        found.append({"a": a, "sheet": sheet})
    return [x for x in found if x["sheet"] is not None or may_anywhere(official, Action.READ_SHEET)]


def my_tasks(request: OfficialRequest, official: Official, today: dt.date) -> HttpResponse:
    """'Việc của tôi': overdue first, then due within a week, then the rest."""
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    mine = with_list_relations(Task.objects.filter(assignees=official).select_related("plan"))
    open_tasks = list(mine.open().order_by("due_date", "id"))
    sections = [
        ("overdue", [t for t in open_tasks if t.due_date < today]),
        ("due_soon", [t for t in open_tasks if today <= t.due_date <= soon]),
        ("later", [t for t in open_tasks if t.due_date > soon]),
    ]
    recent = list(mine.filter(status__in=CLOSED_STATUSES).order_by("-updated_at")[:10])
    # The plans their tasks belong to, one click away (else the province's current plan).
    plans = list({t.plan_id: t.plan for t in [*open_tasks, *recent]}.values())
    if not plans:
        latest = (
            Plan.objects.filter(parent__isnull=True, status=PlanStatus.ISSUED)
            .order_by("-year", "-pk")
            .first()
        )
        plans = [latest] if latest is not None else []
    return render(
        request,
        "tracker/home_official.html",
        {
            "sections": sections,
            "recent": recent,
            "plans": sorted(plans, key=lambda p: (-p.year, p.pk)),
            "today": today,
            "soon_days": DUE_SOON_DAYS,
            "assessments": assessments_for(official),
        },
    )


def unit_home(request: OfficialRequest, official: Official, today: dt.date) -> HttpResponse:
    """A head's view of the unit: counts, what needs attention, the team's load."""
    unit = official.unit
    led = Task.objects.filter(lead_unit=unit)
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    attention = with_list_relations(
        led.filter(Q(status=Status.SUBMITTED) | (open_q() & Q(due_date__lte=soon))).select_related(
            "plan"
        )
    ).order_by("due_date", "id")
    team = (
        Official.objects.filter(unit=unit)
        .annotate(
            open_count=Count("assigned_tasks", filter=open_q("assigned_tasks__")),
            overdue_count=Count("assigned_tasks", filter=overdue_q(today, "assigned_tasks__")),
        )
        .order_by("-role", "full_name")
    )
    partner_count = Task.objects.filter(partner_units=unit).open().count()
    plans = Plan.objects.filter(tasks__lead_unit=unit).distinct().order_by("-year")
    return render(
        request,
        "tracker/home_head.html",
        {
            "unit": unit,
            "summary": summarize(led),
            "attention": attention[:100],
            "team": team,
            "partner_count": partner_count,
            "plans": plans,
            "today": today,
            "assessments": assessments_for(official),
        },
    )
