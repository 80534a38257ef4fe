"""The roll-up: a plan's tasks, units' plans, figures and entries scored into each unit's day.

- `rollup(plan, as_of)` counts the plan's tasks in one GROUP BY, scores each
  unit by its level's index set (the rule kinds of plans.rules) and stores a
  ScoreSnapshot per unit for the day, in a fixed number of queries;
- `rollup_issued_plans(now)` is the nightly job.

The stored days are read back, and the score writes made, in tasks.scores.days.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
from collections import defaultdict
from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import BooleanField, Count, F, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from kit.errors import Conflict
from plans import scoring
from plans.indexsets import group_tree
from plans.models import (
    Criterion,
    IndexSet,
    Indicator,
    IndicatorTarget,
    ManualScore,
    Measurement,
    Plan,
    PlanStatus,
    ScoreSnapshot,
    SubCriterion,
    Unit,
)
from plans.rules import Rule, RuleKind, Source, kind_of
from plans.unitplans import tree_of
from tasks.models import Status, Task

NO_TASKS = scoring.Counts()


def _day_end(day: dt.date) -> dt.datetime:
    """The first instant after the day, in Asia/Ho_Chi_Minh."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


# The key of a unit's counts over every task it leads, whatever its tag.
EVERY_TASK = "*"
# Where a counted task is: the province plan, the unit's own plan, another unit's plan.
PROVINCE, OWN, OTHER = "province", "own", "other"
# A rule's `plan` parameter -> the places it counts.
SCOPES = {"any": (PROVINCE, OWN, OTHER), "own": (OWN,), "province": (PROVINCE,)}

Key = tuple[str, str]  # (place, tag or EVERY_TASK)


def task_counts(
    plan_id: int,
    unit_plans: dict[int, int],
    as_of: dt.date,
    include_subtasks: bool,
    tags: Sequence[str] = (),
) -> dict[int, dict[Key, scoring.Counts]]:
    """Per lead unit, the counts the rules read, by place and tag: over every task it leads,
    and per tag, in the province plan, in its own plan and in other units' plans.

    - One GROUP BY per lead unit over the plan's tasks (its plain equality on
      the plan), and another per plan and lead unit over the tasks of the
      units' own plans (`unit_plans`: plan id -> its unit), only when there
      are such plans; each row holds the counts of every task and of each tag
      in `tags` (the tags a rule reads one by one), side by side.
    - Only tasks due by as_of are counted: every unit leading one appears,
      even when all of them are cancelled (a unit of the plan's tree is scored
      whether it appears here or not).
    - The filters say no more than they must, each is evaluated on every row:
      completed_on is set exactly when a task is done (a check constraint), so
      a completion date implies done, hence not cancelled.
    """
    keys = [EVERY_TASK, *tags]
    counts: dict[int, dict[Key, scoring.Counts]] = {}

    def add(unit_id: int, place: str, figures: Sequence[int]) -> None:
        mine = counts.setdefault(unit_id, {})
        for i, tag in enumerate(keys):
            found = scoring.Counts(*figures[3 * i : 3 * i + 3])
            known = mine.get((place, tag))
            mine[place, tag] = found if known is None else scoring.Counts.total((known, found))

    for unit_id, *figures in _grouped(Q(plan_id=plan_id), as_of, include_subtasks, tags):
        add(unit_id, PROVINCE, figures)
    if unit_plans:
        rows = _grouped(_among_plans(list(unit_plans)), as_of, include_subtasks, tags, True)
        for task_plan, unit_id, *figures in rows:
            add(unit_id, OWN if unit_plans[task_plan] == unit_id else OTHER, figures)
    return counts


def _among_plans(plan_ids: list[int]) -> Q | RawSQL:
    """Tasks of these plans: one array parameter on PostgreSQL, not thousands in a list."""
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        column = f"{quote(Task._meta.db_table)}.{quote('plan_id')}"
        return RawSQL(f"{column} = ANY(%s)", (plan_ids,), output_field=BooleanField())
    return Q(plan_id__in=plan_ids)


def _grouped(
    scope: Q | RawSQL,
    as_of: dt.date,
    include_subtasks: bool,
    tags: Sequence[str],
    by_plan: bool = False,
) -> list[tuple[Any, ...]]:
    """([plan,] lead unit, then due, accepted, on time of every task and of each tag): one
    GROUP BY."""
    # Only tasks due by as_of count at all: the rows are filtered once, and
    # the counts ask only what is left.
    due = ~Q(status=Status.CANCELLED)
    accepted = Q(completed_on__lte=as_of)
    on_time = Q(completed_on__lte=F("due_date"))
    columns: dict[str, Count] = {}
    for i, tag in enumerate([None, *tags]):
        only = Q() if tag is None else Q(subcriterion=tag)
        columns[f"due_{i}"] = Count("pk", filter=only & due)
        columns[f"accepted_{i}"] = Count("pk", filter=only & accepted)
        columns[f"on_time_{i}"] = Count("pk", filter=only & on_time)
    group = ("plan_id", "lead_unit_id") if by_plan else ("lead_unit_id",)
    rows = (
        Task.objects.filter(scope, due_date__lte=as_of)
        .scored(include_subtasks)
        .values(*group)
        .annotate(**columns)
        .order_by()
        .values_list(*group, *columns)
    )
    # Run through a plain cursor: the ORM's per-value converters are no-ops
    # for these columns and cost a tenth of a second over thousands of rows.
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _latest_entries(plan: Plan, as_of: dt.date) -> dict[tuple[int, str], scoring.ManualEntry]:
    """The latest entry entered by the end of as_of, per (unit, sub-criterion code).

    By code: an entry stays with its item when the plan's set is replaced by
    an edited one (the same code, another row).
    """
    entries = (
        ManualScore.objects.filter(plan=plan, entered_at__lt=_day_end(as_of))
        .select_related("entered_by", "subcriterion")
        .order_by("entered_at", "id")
    )
    return {
        (e.unit_id, e.subcriterion.code): scoring.ManualEntry(
            e.points, e.justification, e.entered_by.full_name, e.entered_at, e.not_applicable
        )
        for e in entries
    }


def _figures(
    plan: Plan, codes: set[str], as_of: dt.date
) -> tuple[dict[tuple[str, int], scoring.Figure], dict[tuple[str, str], Decimal]]:
    """Each unit's latest figure on or before as_of, and each level's target, per indicator code."""
    if not codes:
        return {}, {}
    indicators = dict(Indicator.objects.filter(plan=plan, code__in=codes).values_list("pk", "code"))
    targets = {
        (indicators[i], level): pct
        for i, level, pct in IndicatorTarget.objects.filter(
            indicator_id__in=indicators
        ).values_list("indicator_id", "level", "target_pct")
    }
    figures: dict[tuple[str, int], scoring.Figure] = {}
    rows = (
        Measurement.objects.filter(indicator_id__in=indicators, period_end__lte=as_of)
        .order_by("period_end", "id")
        .values_list("indicator_id", "unit_id", "numerator", "denominator", "period_end")
    )
    for indicator_id, unit_id, numerator, denominator, period_end in rows:
        figures[(indicators[indicator_id], unit_id)] = scoring.Figure(
            numerator, denominator, period_end
        )
    return figures, targets


class _Part(NamedTuple):
    """One scored reading of a sub-criterion, as stored and as JSON text.

    With its points and its share of the maximum (0 when it does not apply,
    or for a bonus or a penalty) in hundredths, for the unit's total.
    """

    stored: dict[str, Any]
    text: str
    cents: int
    max_cents: int


@dataclass(frozen=True)
class _SubRule:
    """A sub-criterion as the roll-up's loop reads it, with its parts by reading.

    Units that read the same for a sub-criterion get the same part: each
    distinct part is scored, and encoded to JSON for the snapshot, once.
    """

    pk: int
    code: str
    kind: RuleKind
    rule: Rule
    keys: tuple[Key, ...]  # what a rule over tasks adds up of a unit's counts
    max_points: str
    max_cents: int  # its share of the maximum when it applies (0: bonus, penalty)
    known: dict[Hashable, _Part]

    @classmethod
    def of(cls, sub: SubCriterion, parent_issued_on: dt.date | None) -> _SubRule:
        kind = kind_of(sub.rule)
        rule = kind.for_plan(sub.as_rule(), parent_issued_on)
        tags = (EVERY_TASK,) if rule.all_tasks else rule.codes
        keys = tuple((place, tag) for place in SCOPES[rule.plan_scope] for tag in tags)
        return cls(
            sub.pk,
            sub.code,
            kind,
            rule,
            keys if kind.source == Source.TASKS else (),
            str(scoring.round_points(sub.max_points)),
            scoring.cents(sub.max_points) if rule.counts_in_maximum else 0,
            {},
        )

    def counts(self, mine: dict[Key, scoring.Counts]) -> scoring.Counts:
        """The unit's counts this rule reads: its places and tags added up."""
        found = [mine[key] for key in self.keys if key in mine]
        if len(found) == 1:
            return found[0]
        return scoring.Counts.total(found) if found else NO_TASKS


@dataclass(frozen=True)
class _Node:
    """A group of the set as its part in a snapshot says it (its points added up by
    plans.scoring.subtotals over the book's tree, node for node)."""

    code: str
    items: tuple[str, ...]  # its items' and groups' codes, for its why
    max_points: str  # its nominal maximum
    shown: bool  # a part of its own in the snapshot (every group but a lone top one)
    known: dict[Hashable, _Part]


@dataclass(frozen=True)
class _Book:
    """An index set as the roll-up reads it: its rules in code order, groups, maximum."""

    index_set: IndexSet
    rules: list[_SubRule]
    nodes: list[_Node]
    # Where each part goes in a snapshot: ("rule" | "node", position), in code order.
    order: tuple[tuple[str, int], ...]
    max_points: Decimal
    groups: tuple[tuple[Decimal, str], ...]
    tree: scoring.Tree
    # The total is the sum of the sub-criteria, with no group part or cap to add.
    plain: bool


class _Scored(NamedTuple):
    unit_id: int
    level: str
    book: _Book
    total: scoring.Total
    parts: list[dict[str, Any]]
    tasks: scoring.Counts


class UnitScore(NamedTuple):
    """One unit's score of a roll-up, as stored in its ScoreSnapshot."""

    unit_id: int
    level: str
    index_set_id: int
    points: Decimal
    max_points: Decimal
    applicable_max: Decimal
    index_pct: Decimal | None
    group: str
    rank: int | None
    parts: list[dict[str, Any]]
    tasks: scoring.Counts  # all the unit's counted tasks, whatever their tag


def _books(plan: Plan) -> dict[str, _Book]:
    """The plan's index sets by the level they score ("" for every other level)."""
    sets = {s.pk: s for s in plan.index_sets.all()}
    if not sets:
        raise Conflict(_("This plan has no index set to be scored by."))
    subs: dict[int, list[SubCriterion]] = defaultdict(list)
    for sub in SubCriterion.objects.filter(criterion__index_set__in=sets).select_related(
        "criterion"
    ):
        subs[sub.criterion.index_set_id].append(sub)
    groups: dict[int, list[Criterion]] = defaultdict(list)
    for group in Criterion.objects.filter(index_set__in=sets):
        groups[group.index_set_id].append(group)
    issued = plan.issued_on if plan.status != PlanStatus.DRAFT else None
    return {
        index_set.level: _book(index_set, groups[pk], subs[pk], issued)
        for pk, index_set in sets.items()
    }


def _book(
    index_set: IndexSet,
    criteria: list[Criterion],
    subs: list[SubCriterion],
    parent_issued_on: dt.date | None,
) -> _Book:
    """One set's rules in code order and its groups in post-order, with its maximum."""
    rules = [
        _SubRule.of(s, parent_issued_on)
        for s in sorted(subs, key=lambda s: scoring.code_key(s.code))
    ]
    tree = group_tree(criteria, subs, index_set.cap_total)
    # The nominal maxima: every item applying, at its maximum.
    nominal, _points, top = scoring.subtotals(
        tree, {r.code: (r.max_cents, r.max_cents, True) for r in rules}
    )
    lone_top = len(tree.roots) == 1
    nodes = [
        _Node(
            node.code,
            tuple(
                sorted(
                    [*node.items, *(tree.nodes[i].code for i in node.groups)],
                    key=scoring.code_key,
                )
            ),
            str(Decimal(nominal[i].top).scaleb(-2)),
            not (lone_top and i in tree.roots),
            {},
        )
        for i, node in enumerate(tree.nodes)
    ]
    order = sorted(
        [(scoring.code_key(r.code), "rule", i) for i, r in enumerate(rules)]
        + [(scoring.code_key(n.code), "node", i) for i, n in enumerate(nodes) if n.shown]
    )
    return _Book(
        index_set,
        rules,
        nodes,
        tuple((what, i) for _key, what, i in order),
        Decimal(top).scaleb(-2),
        scoring.ordered_groups(index_set.groups),
        tree,
        not any(n.shown for n in nodes) and all(n.cap is None for n in tree.nodes),
    )


def _group_part(node: _Node, points: int, top: int, applicable: bool, capped: bool) -> _Part:
    """A group's subtotal as a part of the snapshot: the same for every unit adding up the same."""
    key = (points, top, applicable, capped)
    part = node.known.get(key)
    if part is None:
        why: dict[str, Any] = {
            "rule": "group",
            "items": list(node.items),
            "applicable_max": str(Decimal(top).scaleb(-2)),
        }
        if capped:
            why["capped"] = True
        stored = {
            "code": node.code,
            "points": str(Decimal(points).scaleb(-2)),
            "max_points": node.max_points,
            "applicable": applicable,
            "group": True,
            "why": why,
        }
        part = node.known[key] = _Part(stored, _json(stored), points, top)
    return part


def _scored_units(
    plan: Plan,
    units: Sequence[tuple[int, str, int | None]],
    leaders: set[int],
    books: dict[str, _Book],
) -> list[tuple[int, str]]:
    """The units a plan scores, if a set fits their level.

    Its unit's tree, and any other unit leading a task due or having a plan of
    its own under it (`leaders`).
    """
    levels = {pk: level for pk, level, _parent in units}
    tree = tree_of(plan.unit_id, ((pk, parent) for pk, _level, parent in units))
    return [
        (pk, levels[pk])
        for pk in sorted(tree | (leaders & levels.keys()))
        if levels[pk] in books or "" in books
    ]


def rollup(
    plan: Plan, as_of: dt.date, *, now: dt.datetime | None = None, batch: bool = False
) -> list[UnitScore]:
    """Score every unit of the plan by its level's index set, rank them per level, store the day.

    - A fixed number of queries whatever the number of tasks: the task counts
      come from one GROUP BY, the rules run on the counts.
    - The units scored: the plan's unit and every unit under it, and any unit
      leading one of its tasks due or with a plan of its own under it, when
      the plan has an index set for its level.
    - One snapshot per plan, unit and day: running again replaces that day's.
    - The plan row is locked so that two runs of one day take turns.
    - Its own transaction, committed without waiting for the disk on
      PostgreSQL (snapshots are derived data), but only when it is its own:
      inside a caller's transaction it changes nothing of how that commits.
    - `batch` (the nightly job, the command): the garbage collector is paused
      while it scores; never in a web request, whose process serves others.
    """
    now = now or timezone.now()
    own_transaction = not connection.in_atomic_block
    with transaction.atomic(), _collector_paused() if batch else nullcontext():
        plan = Plan.objects.select_for_update(of=("self",)).get(pk=plan.pk)
        if plan.parent_id is not None:
            raise Conflict(_("A unit's own plan is scored under the province plan it implements."))
        books = _books(plan)
        sources = {rule.kind.source for book in books.values() for rule in book.rules}
        # The units' own plans: 1.1 reads them; their tasks count with the plan's.
        issued: dict[int, dt.date | None] = {}
        plan_units: dict[int, int] = {}  # a unit's plan -> its unit
        for pk, unit_id, issued_on, status in Plan.objects.filter(parent=plan).values_list(
            "pk", "unit_id", "issued_on", "status"
        ):
            plan_units[pk] = unit_id
            issued[unit_id] = issued_on if status != PlanStatus.DRAFT else None
        issued[plan.unit_id] = plan.issued_on if plan.status != PlanStatus.DRAFT else None
        include_subtasks = any(b.index_set.include_subtasks for b in books.values())
        tagged = sorted(
            {tag for b in books.values() for r in b.rules for _place, tag in r.keys} - {EVERY_TASK}
        )
        counts = task_counts(plan.pk, plan_units, as_of, include_subtasks, tagged)
        units = list(Unit.objects.values_list("id", "level", "parent_id"))
        entries = _latest_entries(plan, as_of) if Source.ENTRY in sources else {}
        codes = {
            r.rule.indicator
            for b in books.values()
            for r in b.rules
            if r.kind.source == Source.INDICATOR
        }
        figures, targets = _figures(plan, codes, as_of)

        scored: list[_Scored] = []
        encoded: dict[int, str] = {}
        members = set(counts) | set(issued)
        for unit_id, level in _scored_units(plan, units, members, books):
            book = books.get(level) or books[""]
            mine = counts.get(unit_id, {})
            every_task = scoring.Counts.total(
                mine[key]
                for key in ((PROVINCE, EVERY_TASK), (OWN, EVERY_TASK), (OTHER, EVERY_TASK))
                if key in mine
            )
            parts: list[_Part] = []
            for sub in book.rules:
                kind = sub.kind
                source = kind.source
                read: Any
                if source == Source.TASKS:
                    read = sub.counts(mine)
                elif source == Source.PLAN:
                    read = issued.get(unit_id)
                elif source == Source.INDICATOR:
                    indicator = sub.rule.indicator
                    read = (figures.get((indicator, unit_id)), targets.get((indicator, level)))
                else:
                    read = entries.get((unit_id, sub.code))
                # What the kind reads of its source, and no more: more units share a part.
                key = kind.part_key(read)
                part = sub.known.get(key)
                if part is None:
                    score = kind.score(sub.rule, read, as_of)
                    stored = {
                        "code": sub.code,
                        "points": str(score.points),
                        "max_points": sub.max_points,
                        "applicable": score.applicable,
                        "why": score.why,
                    }
                    part = sub.known[key] = _Part(
                        stored,
                        _json(stored),
                        scoring.cents(score.points),
                        sub.max_cents if score.applicable else 0,
                    )
                parts.append(part)
            if book.plain:
                shown = parts
                points = sum(p.cents for p in parts)
                top = sum(p.max_cents for p in parts)
                if book.tree.cap_total:
                    points = min(points, top)  # a bonus recovers lost points, never more
            else:
                shown, points, top = _added_up(book, parts)
            total = scoring.total_of(points, top)
            scored.append(
                _Scored(unit_id, level, book, total, [p.stored for p in shown], every_task)
            )
            encoded[unit_id] = "[" + ",".join(p.text for p in shown) + "]"

        by_level: dict[str, dict[int, Decimal | None]] = defaultdict(dict)
        for row in scored:
            by_level[row.level][row.unit_id] = row.total.index_pct
        ranks: dict[int, int | None] = {}
        for same_level in by_level.values():
            ranks.update(scoring.competition_ranks(same_level))
        day = [
            UnitScore(
                row.unit_id,
                row.level,
                row.book.index_set.pk,
                row.total.points,
                row.book.max_points,
                row.total.applicable_max,
                row.total.index_pct,
                scoring.group_in(row.total.index_pct, row.book.groups),
                ranks[row.unit_id],
                row.parts,
                row.tasks,
            )
            for row in scored
        ]

        if own_transaction and connection.vendor == "postgresql":
            # Snapshots are derived data, recomputed at will: a crash in the
            # instant after commit may lose this run, never leave half of it.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        ScoreSnapshot.objects.filter(plan=plan, as_of=as_of).delete()
        _insert(plan, as_of, now, day, encoded)
        return day


def _added_up(book: _Book, leaves: list[_Part]) -> tuple[list[_Part], int, int]:
    """The set's groups added up from their items (plans.scoring.subtotals): the parts to
    store (sub-criteria and groups, in code order), the points and the applicable maximum."""
    values = {
        rule.code: (part.cents, part.max_cents, bool(part.stored["applicable"]))
        for rule, part in zip(book.rules, leaves, strict=True)
    }
    found, points, top = scoring.subtotals(book.tree, values)
    shown = [
        leaves[i] if what == "rule" else _group_part(book.nodes[i], *found[i])
        for what, i in book.order
    ]
    return shown, points, top


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold off the cyclic garbage collector while the roll-up builds its scores.

    It allocates tens of thousands of small dicts and lists, none in a cycle
    (reference counting frees them); the collector's passes over them cost a
    sixth of a 3,400-unit roll-up.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _json(value: Any) -> str:
    return _ENCODER.encode(value)


def _insert(
    plan: Plan, as_of: dt.date, now: dt.datetime, day: list[UnitScore], encoded: dict[int, str]
) -> None:
    """Write a day's snapshots in one statement.

    On PostgreSQL the rows are streamed with COPY, each row's parts as the JSON
    text assembled from the parts encoded once each: Django's bulk insert sends
    each row's JSON inside an array literal whose quotes are escaped one by one
    in Python, which took most of a 3,400-unit roll-up. Elsewhere (SQLite)
    bulk_create is fast enough.
    """
    if not day:
        return
    if connection.vendor != "postgresql":
        ScoreSnapshot.objects.bulk_create(
            ScoreSnapshot(
                plan=plan,
                unit_id=s.unit_id,
                as_of=as_of,
                level=s.level,
                index_set_id=s.index_set_id,
                points=s.points,
                max_points=s.max_points,
                applicable_max=s.applicable_max,
                index_pct=s.index_pct,
                group=s.group,
                rank=s.rank,
                parts=s.parts,
                tasks_due=s.tasks.due,
                tasks_done=s.tasks.accepted,
                tasks_on_time=s.tasks.on_time,
                computed_at=now,
            )
            for s in day
        )
        return
    meta, quote = ScoreSnapshot._meta, connection.ops.quote_name
    column_of = {f.name: f.column for f in meta.concrete_fields}
    columns = ", ".join(quote(column_of[name]) for name in _SNAPSHOT_COLUMNS)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for s in day:
            copy.write_row(
                (
                    plan.pk,
                    s.unit_id,
                    as_of,
                    s.level,
                    s.index_set_id,
                    s.points,
                    s.max_points,
                    s.applicable_max,
                    s.index_pct,
                    s.group,
                    s.rank,
                    encoded[s.unit_id],
                    s.tasks.due,
                    s.tasks.accepted,
                    s.tasks.on_time,
                    now,
                )
            )


# The order of the values _insert writes.
_SNAPSHOT_COLUMNS = (
    "plan",
    "unit",
    "as_of",
    "level",
    "index_set",
    "points",
    "max_points",
    "applicable_max",
    "index_pct",
    "group",
    "rank",
    "parts",
    "tasks_due",
    "tasks_done",
    "tasks_on_time",
    "computed_at",
)


def rollup_issued_plans(now: dt.datetime | None = None) -> dict[int, int]:
    """The nightly run: today's scores for every issued plan; answers {plan id: units scored}."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    done = {}
    plans = Plan.objects.filter(
        status=PlanStatus.ISSUED, parent__isnull=True, index_sets__isnull=False
    ).distinct()
    for plan in plans:
        done[plan.pk] = len(rollup(plan, today, now=now, batch=True))
    return done
