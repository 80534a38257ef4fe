"""Officials' task results per month or quarter (Decree 335/2025/NĐ-CP, docs/task-results.md).

For an official and a period, the tasks assigned to them that belong to it
(cancelled ones left out), each with its weight (quy đổi). A task belongs to
the period in which it was completed, and to no other; a task not completed by
a period's end belongs to every period from its deadline's on, as assigned and
not completed (`in_period`). Per task:

- quantity: 1 when completed by the period's end;
- quality: 1 when completed (accepted), less 25% for each return before it,
  unless the head marked the task's returns as of objective cause;
- progress: 1 when completed by its deadline, less 25% for each delay, unless
  the head marked its delays as of objective cause. A delay is a deadline
  missed: the task completed after its deadline, and each extension granted
  after the deadline it moved had passed;
- a task not completed by the period's end counts 0 in all three.

While a period is open, it counts up to today: the tasks due by today or
completed by today (a task due later in the month is not yet behind).

Quantity, quality and progress are the weighted sums over the weighted tasks,
as percentages. The 70-point task part combines them by
`settings.TASK_RESULT_FORMULA` (default the plain mean, scaled to 70: the
decree's appendix, which says how, is not at hand). The grade reads the 100
points (the task part and the 30 general points the head enters); until they
are entered it reads the task part scaled to 100, and says it is provisional.

Every figure comes from one query for the tasks of all the officials asked
(returns, late extensions and marks as subqueries), whatever their number.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import formats
from django.utils.translation import gettext as _

from kit.errors import Invalid
from plans.models import AuditEvent, Official, Unit
from tasks.models import ExtensionRequest, ExtensionStatus, Status, Task
from tasks.models.results import MarkKind, ObjectiveMark

PERIOD = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|q([1-4]))$")
STEP = Decimal("0.25")  # what each return or delay takes off
ONE = Decimal(1)
CENT = Decimal("0.01")
TASK_PART = Decimal(70)
GENERAL_PART = Decimal(30)
# The decree's grades on 100 points, highest first.
GRADES = (
    (Decimal(90), "excellent"),
    (Decimal(70), "good"),
    (Decimal(50), "completed"),
    (Decimal(0), "not_completed"),
)
EXCELLENT_SHARE = Decimal("0.2")  # at most 20% of a unit's good may be excellent


def grade_names() -> dict[str, str]:
    return {
        "excellent": _("Excellent"),
        "good": _("Good"),
        "completed": _("Completed"),
        "not_completed": _("Not completed"),
    }


@dataclass(frozen=True)
class Period:
    """A month (2026-03) or a quarter (2026-q1): its first and last days, and the last
    day counted: its end once it is over, today while it is open."""

    text: str
    start: dt.date
    end: dt.date
    until: dt.date

    @property
    def label(self) -> str:
        year, part = self.text.split("-")
        if part.startswith("q"):
            return _("quarter %(n)s/%(year)s") % {
                "n": ["I", "II", "III", "IV"][int(part[1]) - 1],
                "year": year,
            }
        return _("month %(month)s/%(year)s") % {"month": part, "year": year}

    def closed(self, today: dt.date) -> bool:
        return self.end < today


def month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)


def parse_period(text: str, today: dt.date) -> Period:
    """`2026-03` or `2026-q1`; refused when malformed or not begun by today (422)."""
    found = PERIOD.match((text or "").strip().lower())
    if not found:
        raise Invalid(
            _("The period is a month (2026-03) or a quarter (2026-q1)."),
            {"period": _("Write a month as 2026-03 or a quarter as 2026-q1.")},
        )
    year = int(found[1])
    if not 2000 <= year <= 2100:
        raise Invalid(_("No such year."), {"period": _("No such year.")})
    if found[2]:
        first = last = int(found[2])
    else:
        last = int(found[3]) * 3
        first = last - 2
    end = month_end(year, last)
    period = Period(
        f"{found[0][:4]}-{found[2] or 'q' + found[3]}",
        dt.date(year, first, 1),
        end,
        min(end, today),
    )
    if period.start > today:
        raise Invalid(
            _("The period %(period)s has not begun.") % {"period": period.text},
            {"period": _("A period in the future has no results yet.")},
        )
    return period


def last_closed_month(today: dt.date) -> Period:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return parse_period(f"{first:%Y-%m}", today)


@dataclass
class Line:
    """One task of an official (or a unit) in a period, with what it earns."""

    task_id: int
    title: str
    lead_unit_id: int
    due_date: dt.date
    completed_on: dt.date | None
    weight: Decimal
    returns: int
    delays: int
    returns_objective: bool
    delays_objective: bool
    quantity: Decimal = Decimal(0)
    quality: Decimal = Decimal(0)
    progress: Decimal = Decimal(0)

    def score(self, period: Period) -> Line:
        if self.completed_on is None or self.completed_on > period.until:
            self.quantity = self.quality = self.progress = Decimal(0)
            return self
        self.quantity = ONE
        self.quality = ONE if self.returns_objective else max(ONE - STEP * self.returns, Decimal(0))
        self.progress = ONE if self.delays_objective else max(ONE - STEP * self.delays, Decimal(0))
        return self


def pct(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part * 100 / whole).quantize(CENT, ROUND_HALF_UP) if whole else None


def task_points(
    quantity: Decimal | None, quality: Decimal | None, progress: Decimal | None
) -> Decimal | None:
    """The 70-point part from the three percentages, by the configured weights."""
    if quantity is None or quality is None or progress is None:
        return None
    weights = settings.TASK_RESULT_FORMULA
    total = sum(Decimal(str(w)) for w in weights.values())
    mixed = (
        Decimal(str(weights["quantity"])) * quantity
        + Decimal(str(weights["quality"])) * quality
        + Decimal(str(weights["progress"])) * progress
    ) / total
    return (mixed * TASK_PART / 100).quantize(CENT, ROUND_HALF_UP)


def grade_of(points: Decimal | None) -> str | None:
    if points is None:
        return None
    return next(name for floor, name in GRADES if points >= floor)


@dataclass
class Figures:
    """What a set of lines adds up to."""

    assigned: int
    completed: int
    weight: Decimal
    quantity_pct: Decimal | None
    quality_pct: Decimal | None
    progress_pct: Decimal | None
    points: Decimal | None  # out of 70
    lines: list[Line] = field(default_factory=list)

    @classmethod
    def of(cls, lines: list[Line]) -> Figures:
        weight = sum((x.weight for x in lines), Decimal(0))
        a = pct(sum((x.weight * x.quantity for x in lines), Decimal(0)), weight)
        b = pct(sum((x.weight * x.quality for x in lines), Decimal(0)), weight)
        c = pct(sum((x.weight * x.progress for x in lines), Decimal(0)), weight)
        return cls(
            assigned=len(lines),
            completed=sum(1 for x in lines if x.quantity),
            weight=weight,
            quantity_pct=a,
            quality_pct=b,
            progress_pct=c,
            points=task_points(a, b, c),
            lines=lines,
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return _jsonable(data)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figures:
        lines = [
            Line(
                **{
                    **x,
                    "due_date": dt.date.fromisoformat(x["due_date"]),
                    "completed_on": dt.date.fromisoformat(x["completed_on"])
                    if x["completed_on"]
                    else None,
                    **{k: Decimal(x[k]) for k in ("weight", "quantity", "quality", "progress")},
                }
            )
            for x in data.get("lines", [])
        ]
        dec = {
            k: Decimal(data[k]) if data.get(k) is not None else None
            for k in ("quantity_pct", "quality_pct", "progress_pct", "points")
        }
        return cls(
            assigned=data["assigned"],
            completed=data["completed"],
            weight=Decimal(data["weight"]),
            lines=lines,
            **dec,
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def in_period(period: Period, prefix: str = "") -> Q:
    """The tasks that belong to the period: each piece of work counts once.

    - a task completed in the period belongs to it, and to no other;
    - a task not completed by the period's end (or by today, while it is open)
      belongs to every period from its deadline's on, as assigned and not
      completed: a task due in March and still open in May weighs in March,
      April and May, and once completed, only in the period of its completion.
    """
    done = f"{prefix}completed_on"
    return Q(**{f"{done}__range": (period.start, period.until)}) | (
        Q(**{f"{prefix}due_date__lte": period.until})
        & (Q(**{f"{done}__isnull": True}) | Q(**{f"{done}__gt": period.until}))
    )


def _annotations(task_ref: str) -> dict[str, Any]:
    """Returns, late extensions and the marks of the task at `task_ref`, as subqueries."""
    returns = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Task),
            object_id=OuterRef(task_ref),
            action="returned",
        )
        .order_by()
        .values("object_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    late_extensions = (
        ExtensionRequest.objects.filter(
            task=OuterRef(task_ref),
            status=ExtensionStatus.APPROVED,
            decided_at__date__gt=F("current_due_date"),
        )
        .order_by()
        .values("task")
        .annotate(n=Count("pk"))
        .values("n")
    )
    marks = ObjectiveMark.objects.filter(task=OuterRef(task_ref))
    return {
        "returns": Coalesce(Subquery(returns, output_field=IntegerField()), Value(0)),
        "late_extensions": Coalesce(
            Subquery(late_extensions, output_field=IntegerField()), Value(0)
        ),
        "returns_objective": Exists(marks.filter(kind=MarkKind.RETURN)),
        "delays_objective": Exists(marks.filter(kind=MarkKind.DELAY)),
    }


def _line(row: dict[str, Any], prefix: str, period: Period) -> Line:
    due, done = row[f"{prefix}due_date"], row[f"{prefix}completed_on"]
    delays = row["late_extensions"] + (1 if done is not None and done > due else 0)
    return Line(
        task_id=row[f"{prefix}id"],
        title=row[f"{prefix}title"],
        lead_unit_id=row[f"{prefix}lead_unit_id"],
        due_date=due,
        completed_on=done,
        weight=row[f"{prefix}weight"],
        returns=row["returns"],
        delays=delays,
        returns_objective=row["returns_objective"],
        delays_objective=row["delays_objective"],
    ).score(period)


FIELDS = ("id", "title", "lead_unit_id", "due_date", "completed_on", "weight")


def lines_of_officials(official_ids: Iterable[int], period: Period) -> dict[int, list[Line]]:
    """Each official's lines for the period, in one query."""
    ids = list(official_ids)
    through = Task.assignees.through
    extra = _annotations("task_id")
    rows = (
        through.objects.filter(official_id__in=ids)
        .filter(in_period(period, "task__"))
        .exclude(task__status=Status.CANCELLED)
        .annotate(**extra)
        .order_by("task__due_date", "task_id")
        .values("official_id", *(f"task__{f}" for f in FIELDS), *extra)
    )
    found: dict[int, list[Line]] = {pk: [] for pk in ids}
    for row in rows:
        found[row["official_id"]].append(_line(row, "task__", period))
    return found


def lines_of_unit(unit: Unit, period: Period) -> list[Line]:
    """The lines of the tasks a unit leads in the period (its own figures), in one query."""
    extra = _annotations("pk")
    rows = (
        Task.objects.filter(lead_unit=unit)
        .filter(in_period(period))
        .exclude(status=Status.CANCELLED)
        .annotate(**extra)
        .order_by("due_date", "pk")
        .values(*FIELDS, *extra)
    )
    return [_line(row, "", period) for row in rows]


@dataclass
class OfficialResult:
    """An official's figures for a period: frozen, or as they stand today."""

    official: Official
    figures: Figures
    general_points: Decimal | None
    frozen_at: dt.datetime | None

    @property
    def total(self) -> Decimal | None:
        if self.figures.points is None or self.general_points is None:
            return None
        return self.figures.points + self.general_points

    @property
    def provisional(self) -> bool:
        """The grade reads the task part alone: the general points are not entered."""
        return self.general_points is None

    @property
    def grade(self) -> str | None:
        if self.total is not None:
            return grade_of(self.total)
        if self.figures.points is None:
            return None
        return grade_of((self.figures.points * 100 / TASK_PART).quantize(CENT, ROUND_HALF_UP))

    @property
    def grade_label(self) -> str:
        return grade_names().get(self.grade or "", "–")

    def as_api(self, period: Period) -> dict[str, Any]:
        f = self.figures
        return {
            "period": period.text,
            "official_id": self.official.pk,
            "assigned": f.assigned,
            "completed": f.completed,
            "quantity_pct": f.quantity_pct,
            "quality_pct": f.quality_pct,
            "progress_pct": f.progress_pct,
            "points": f.points,
            "general_points": self.general_points,
            "total": self.total,
            "grade": self.grade,
            "grade_provisional": self.provisional,
            "frozen": self.frozen_at is not None,
        }


def excellent_over_cap(results: Iterable[OfficialResult]) -> bool:
    """More excellent grades than 20% of the unit's good-or-better ones allow."""
    grades = [r.grade for r in results]
    excellent = grades.count("excellent")
    good_or_better = excellent + grades.count("good")
    return excellent > EXCELLENT_SHARE * good_or_better


def number(value: Decimal | None, places: int = 2) -> str:
    return "–" if value is None else formats.number_format(value, places, use_l10n=True)
