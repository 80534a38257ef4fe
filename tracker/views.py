"""The home page: what each role needs first when it signs in."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from plans.decorators import OfficialRequest, official_required
from plans.models import Level, Official, Plan, Role
from tasks.models import CLOSED_STATUSES, Status, Task, open_q, overdue_q
from tasks.views import summarize, with_list_relations

DUE_SOON_DAYS = 7  # the first before-deadline reminder (domain.md: D-7)


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@official_required
def home(request: OfficialRequest) -> HttpResponse:
    """Officials see their tasks, heads their unit, the committee and admins the plans."""
    official = request.official
    today = timezone.localdate()
    if official.role == Role.OFFICIAL:
        return my_tasks(request, official, today)
    if official.role == Role.HEAD:
        return unit_home(request, official, today)
    return plans_home(request, today)


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
    recent = mine.filter(status__in=CLOSED_STATUSES).order_by("-updated_at")[:10]
    return render(
        request,
        "tracker/home_official.html",
        {"sections": sections, "recent": recent, "today": today, "soon_days": DUE_SOON_DAYS},
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
        },
    )


def plans_home(request: OfficialRequest, today: dt.date) -> HttpResponse:
    """The committee's view: each plan's progress, by level, and its oldest overdue."""
    plans = list(
        Plan.objects.select_related("unit")
        .annotate(
            total=Count("tasks", filter=~Q(tasks__status=Status.CANCELLED)),
            done=Count("tasks", filter=Q(tasks__status=Status.DONE)),
            submitted=Count("tasks", filter=Q(tasks__status=Status.SUBMITTED)),
            overdue=Count("tasks", filter=overdue_q(today, "tasks__")),
        )
        .order_by("-year", "unit__name")
    )
    for plan in plans:
        plan.done_pct = percent(plan.done, plan.total)
    current = plans[0] if plans else None
    levels = []
    overdue = []
    if current is not None:
        rows = (
            Task.objects.filter(plan=current)
            .exclude(status=Status.CANCELLED)
            .values("lead_unit__level")
            .annotate(
                total=Count("id"),
                done=Count("id", filter=Q(status=Status.DONE)),
                overdue=Count("id", filter=overdue_q(today)),
                units=Count("lead_unit", distinct=True),
            )
        )
        by_level = {row["lead_unit__level"]: row for row in rows}
        for level in Level:
            if level in by_level:
                row = by_level[level]
                levels.append(
                    {"label": level.label, **row, "done_pct": percent(row["done"], row["total"])}
                )
        overdue = list(
            with_list_relations(Task.objects.filter(plan=current).overdue(today)).order_by(
                "due_date", "id"
            )[:20]
        )
    return render(
        request,
        "tracker/home_committee.html",
        {"plans": plans, "current": current, "levels": levels, "overdue": overdue, "today": today},
    )
