"""Where a plan stands on a day: the figures the dashboards draw, counted in the database.

The Government Office's task-tracking vocabulary (docs/dashboards.md), as of a day D,
over the tasks the plan's index set counts (top-level ones unless it says
otherwise), cancelled tasks left out:

- done on time: accepted on or before D, and on or before its deadline;
- done late: accepted on or before D, after its deadline;
- not done, overdue: not accepted by D and its deadline is before D;
- not done, within term: the rest (deadline on D or later).

Every function runs a fixed number of queries whatever the number of tasks:
the counts come from one GROUP BY whose rows are bounded by units and areas.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from plans.attainment import LEVEL_ORDER, pct
from plans.models import (
    Area,
    AuditEvent,
    Level,
    Official,
    Plan,
    ScoreSnapshot,
    Unit,
)
from plans.scoring import round_points
from tasks.models import Status, Task, TaskQuerySet, not_done_by, overdue_q
from tasks.scores.days import latest_day

OVERDUE_LIST = 20  # the overview's overdue list; the plan page has them all
RANKING_ENDS = 10  # a level with more units shows its top and bottom ten in the chart


@dataclass(frozen=True)
class Progress:
    """Counts of one group of tasks as of a day (see the module's vocabulary)."""

    total: int = 0
    due: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0

    def __add__(self, other: Progress) -> Progress:
        return Progress(
            self.total + other.total,
            self.due + other.due,
            self.on_time + other.on_time,
            self.late + other.late,
            self.overdue + other.overdue,
        )

    @property
    def in_term(self) -> int:
        return self.total - self.on_time - self.late - self.overdue

    @property
    def done(self) -> int:
        return self.on_time + self.late

    def share(self, count: int) -> Decimal | None:
        """count out of all the tasks, in percent with two decimals."""
        return pct(count, self.total)

    @property
    def done_pct(self) -> Decimal | None:
        return self.share(self.done)

    @property
    def states(self) -> list[tuple[str, int]]:
        """(state, count) in the order the charts stack them."""
        return [
            ("on_time", self.on_time),
            ("late", self.late),
            ("in_term", self.in_term),
            ("overdue", self.overdue),
        ]


NO_PROGRESS = Progress()


def state_labels() -> dict[str, str]:
    """The Government Office's four states, as the page's language says them."""
    return {
        "on_time": _("Done on time"),
        "late": _("Done late"),
        "in_term": _("Not done, within term"),
        "overdue": _("Not done, overdue"),
    }


def counted_tasks(plan: Plan) -> TaskQuerySet:
    """The tasks the dashboards count, as the scores do: the plan's and its units' own plans'.

    Not cancelled; subtasks only when the index sets say so.
    """
    include_subtasks = plan.index_sets.filter(include_subtasks=True).exists()
    family = Plan.objects.filter(Q(pk=plan.pk) | Q(parent=plan)).values("pk")
    return (
        Task.objects.filter(plan_id__in=family)
        .scored(include_subtasks)
        .exclude(status=Status.CANCELLED)
    )


def counted_tasks_on(plan: Plan, day: dt.date) -> TaskQuerySet:
    """The tasks counted as they stood at the end of `day` (a closed reporting window).

    Those created later are left out; those cancelled later were still open
    that day and count (their cancellation is in their history). Whether a
    task was done that day is its completion date's (the counts ask it).
    """
    include_subtasks = plan.index_sets.filter(include_subtasks=True).exists()
    family = Plan.objects.filter(Q(pk=plan.pk) | Q(parent=plan)).values("pk")
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    cancelled_later = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Task),
        object_id=OuterRef("pk"),
        action="cancelled",
        at__gte=end,
    )
    return (
        Task.objects.filter(plan_id__in=family, created_at__lt=end)
        .scored(include_subtasks)
        .filter(~Q(status=Status.CANCELLED) | Exists(cancelled_later))
    )


def overdue_then(as_of: dt.date, stood: bool) -> Q:
    """Overdue on as_of; `stood`: among tasks as they stood that day, a task cancelled since
    being one still open then (tasks.progress.counted_tasks_on)."""
    return not_done_by(as_of) & Q(due_date__lt=as_of) if stood else overdue_q(as_of)


def progress_by(
    tasks: QuerySet[Task], as_of: dt.date, *fields: str, stood: bool = False
) -> dict[Any, Progress]:
    """The counts per value of fields (one GROUP BY); keys are values, or tuples of them.

    `stood`: `tasks` are as they stood on as_of (counted_tasks_on)."""
    done = Q(completed_on__lte=as_of)
    rows = (
        tasks.values_list(*fields)
        .annotate(
            total=Count("pk"),
            due=Count("pk", filter=Q(due_date__lte=as_of)),
            on_time=Count("pk", filter=done & Q(completed_on__lte=F("due_date"))),
            late=Count("pk", filter=done & Q(completed_on__gt=F("due_date"))),
            # Named apart from Task.overdue, the property.
            overdue_count=Count("pk", filter=overdue_then(as_of, stood)),
        )
        .order_by()
    )
    width = len(fields)
    return {
        (row[0] if width == 1 else row[:width]): Progress(*row[width:]) for row in rows.iterator()
    }


def total(parts: dict[Any, Progress]) -> Progress:
    return sum(parts.values(), NO_PROGRESS)


@dataclass
class RankRow:
    unit_id: int
    name: str
    points: Decimal
    applicable_max: Decimal
    index_pct: Decimal | None  # None: nothing applies yet, no rank
    group: str
    rank: int | None


@dataclass
class LevelRanking:
    level: str
    label: str
    rows: list[RankRow]  # what is shown: all, or the top and bottom RANKING_ENDS
    units: int  # how many units the level has in the roll-up
    hidden: int  # how many are left out of rows


def ranking(
    plan: Plan,
    as_of: dt.date,
    level: str | None,
    *,
    ends: int | None = RANKING_ENDS,
    unit: Unit | None = None,
) -> tuple[dt.date | None, list[LevelRanking]]:
    """The latest roll-up on or before as_of, per level: top and bottom units by index.

    Units with nothing applicable come last, unranked. `ends=None` keeps every
    unit; `unit` keeps that unit's row alone (its rank is still among its level).
    """
    day = latest_day(plan, as_of)
    if day is None:
        return None, []
    rows = ScoreSnapshot.objects.filter(plan=plan, as_of=day)
    if level:
        rows = rows.filter(level=level)
    if unit is not None:
        rows = rows.filter(unit=unit)
    found: dict[str, list[RankRow]] = {}
    ordered = rows.order_by(F("rank").asc(nulls_last=True), "unit__name").values_list(
        "unit_id", "unit__name", "level", "points", "applicable_max", "index_pct", "group", "rank"
    )
    for unit_id, name, lvl, points, applicable_max, index_pct, group, rank in ordered:
        row = RankRow(unit_id, name, points, applicable_max, index_pct, group, rank)
        found.setdefault(lvl, []).append(row)
    labels = dict(Level.choices)
    result = []
    peers: dict[str, int] = {}
    if unit is not None:  # its rank is among its level's ranked units
        peers = dict(
            ScoreSnapshot.objects.filter(plan=plan, as_of=day, rank__isnull=False)
            .values_list("level")
            .annotate(n=Count("pk"))
            .order_by()
        )
    for lvl in LEVEL_ORDER:
        if lvl not in found:
            continue
        every = found[lvl]
        shown = every
        if ends is not None and len(every) > 2 * ends:
            shown = every[:ends] + every[-ends:]
        result.append(
            LevelRanking(
                lvl, str(labels[lvl]), shown, peers.get(lvl, len(every)), len(every) - len(shown)
            )
        )
    return day, result


@dataclass
class TrendPoint:
    day: dt.date
    done_pct: Decimal | None  # done of tasks due, as the roll-up counted them
    on_time_pct: Decimal | None
    points: dict[str, Decimal] = field(default_factory=dict)  # level -> average index (%)


def trend(
    plan: Plan, as_of: dt.date, *, level: str | None = None, unit: Unit | None = None
) -> list[TrendPoint]:
    """Completion, on time, and each level's average index per roll-up day up to as_of.

    Units with no index (nothing applicable) are left out of the average.
    """
    snapshots = ScoreSnapshot.objects.filter(plan=plan, as_of__lte=as_of)
    if level:
        snapshots = snapshots.filter(level=level)
    if unit is not None:
        snapshots = snapshots.filter(unit=unit)
    rows = (
        snapshots.values_list("as_of", "level")
        .annotate(
            due=Sum("tasks_due"),
            done=Sum("tasks_done"),
            on_time=Sum("tasks_on_time"),
            points=Avg("index_pct"),
        )
        .order_by("as_of")
    )
    days: dict[dt.date, list[Any]] = {}
    for day, lvl, due, done, on_time, points in rows:
        sums = days.setdefault(day, [0, 0, 0, {}, False])
        if due is not None:
            sums[0] += due
            sums[1] += done
            sums[2] += on_time
            sums[4] = True
        sums[3][lvl] = round_points(Fraction(points)) if points is not None else None
    return [
        TrendPoint(
            day,
            pct(done, due) if counted else None,
            pct(on_time, due) if counted else None,
            points,
        )
        for day, (due, done, on_time, points, counted) in days.items()
    ]


@dataclass
class OverdueRow:
    task: Task
    days: int
    head_name: str | None
    head_phone: str | None


def overdue_list(
    tasks: QuerySet[Task], as_of: dt.date, limit: int, *, stood: bool = False
) -> list[OverdueRow]:
    """The oldest overdue tasks with their lead unit and its head, in one query (`stood`: as
    progress_by's)."""
    head = Official.objects.heads().filter(unit=OuterRef("lead_unit")).order_by("pk")
    # The oldest first, chosen from an index alone (thousands may be overdue), then
    # only those rows read whole, in the same query.
    oldest = (
        tasks.filter(overdue_then(as_of, stood)).order_by("due_date", "id").values("pk")[:limit]
    )
    late: QuerySet[Any] = (  # each task carries head_name and head_phone
        Task.objects.filter(pk__in=oldest)
        .select_related("lead_unit", "area")
        .annotate(
            head_name=Subquery(head.values("full_name")[:1]),
            head_phone=Subquery(head.values("phone")[:1]),
        )
        .order_by("due_date", "id")[:limit]
    )
    return [OverdueRow(t, (as_of - t.due_date).days, t.head_name, t.head_phone) for t in late]


def areas_of(plan: Plan) -> dict[int, Area]:
    return {a.pk: a for a in Area.objects.filter(plan=plan).order_by("number")}
