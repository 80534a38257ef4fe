"""The roll-up: counts per unit and sub-criterion, points, ranks, snapshots, three ways in."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from plans.indexsets import standard_index_sets
from plans.models import Level, ManualScore, Plan, PlanStatus, ScoreSnapshot, SubCriterion, Unit
from tasks.models import Status, Task
from tasks.scores.rollup import UnitScore, rollup, rollup_issued_plans
from tests.conftest import TODAY, official
from tests.factories import Province

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 6, 30)
_codes = itertools.count(1)


def unit(level: str = Level.DEPARTMENT) -> Unit:
    n = next(_codes)
    return Unit.objects.create(code=f"t-{n}", name=f"Đơn vị thử {n}", level=level)


@pytest.fixture
def test_plan(db: None) -> Plan:
    """A plan of its own, issued 18/01/2026, scored by the demo index sets."""
    issuer = unit(Level.PROVINCE)
    plan = Plan.objects.create(
        unit=issuer,
        year=2026,
        title="Kế hoạch thử",
        issued_on=dt.date(2026, 1, 18),
        status=PlanStatus.ISSUED,
    )
    plan.index_sets.set(standard_index_sets(2026))
    plan.areas.create(number=1, name="Chỉ đạo, điều hành")
    return plan


def own_plan(plan: Plan, u: Unit, issued: dt.date | None) -> Plan:
    """The unit's own plan implementing `plan`, issued that day (None: a draft)."""
    return Plan.objects.create(
        unit=u,
        parent=plan,
        year=plan.year,
        title=f"Kế hoạch của {u.name}",
        issued_on=issued,
        status=PlanStatus.ISSUED if issued else PlanStatus.DRAFT,
    )


def done_at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(16, 30)))


def task(
    plan: Plan,
    lead: Unit,
    due: dt.date,
    status: str = Status.TODO,
    *,
    tag: str = "",
    done: dt.date | None = None,
    original: dt.date | None = None,
    parent: Task | None = None,
) -> Task:
    return Task.objects.create(
        plan=plan,
        area=plan.areas.get(number=1),
        lead_unit=lead,
        title="Nhiệm vụ thử",
        due_date=due,
        original_due_date=original or due,
        status=status,
        completed_at=done_at(done) if done else None,
        subcriterion=tag,
        parent=parent,
    )


def parts(snapshot: UnitScore | ScoreSnapshot) -> dict[str, dict[str, Any]]:
    return {p["code"]: p for p in snapshot.parts}


def points(snapshot: UnitScore | ScoreSnapshot) -> dict[str, str]:
    return {p["code"]: p["points"] for p in snapshot.parts}


def scored(plan: Plan, as_of: dt.date = AS_OF) -> dict[int, UnitScore]:
    return {s.unit_id: s for s in rollup(plan, as_of)}


def test_a_unit_is_scored_by_hand_computation(test_plan: Plan) -> None:
    u = unit()
    d = dt.date
    # 1.2 counts every top-level task the unit leads. Due by 30/06: five (one
    # cancelled, left out) -> 4 due; accepted by 30/06: three (one of them late,
    # still accepted by then) -> 3/4 = 75% < 80% -> 0.
    task(test_plan, u, d(2026, 3, 31), Status.DONE, done=d(2026, 3, 30))
    task(test_plan, u, d(2026, 4, 30), Status.DONE, done=d(2026, 5, 10))  # late
    task(test_plan, u, d(2026, 5, 31), Status.IN_PROGRESS)  # returned: in progress again
    task(test_plan, u, d(2026, 6, 1), Status.CANCELLED)
    # 1.3: two reports due, both on time -> full; one due later does not count.
    task(test_plan, u, d(2026, 3, 15), Status.DONE, tag="1.3", done=d(2026, 3, 15))
    task(test_plan, u, d(2026, 12, 15), Status.TODO, tag="1.3")
    # 1.4: nothing tagged -> nothing due -> not applicable.
    # 1.5: one of one accepted -> full.
    task(test_plan, u, d(2026, 1, 31), Status.DONE, tag="1.5", done=d(2026, 1, 20))
    # Accepted after as-of: due by then but not accepted by then.
    task(test_plan, u, d(2026, 6, 15), Status.DONE, done=d(2026, 7, 2))

    snap = scored(test_plan)[u.pk]
    # 1.2 over all the unit's tasks due by 30/06 and not cancelled: the 4 untagged
    # minus the cancelled = 3, + 1.3's first, + 1.5's, + the one accepted in July = 6;
    # accepted by 30/06: 30/03, 10/05, 15/03, 20/01 = 4 -> 4/6 = 66.67% -> 0.
    assert parts(snap)["1.2"]["why"] == {
        "rule": "completion_bands",
        "as_of": "2026-06-30",
        "due": 6,
        "accepted": 4,
        "pct": "66.67",
        "band": {"from": 0, "to": 80, "points": "zero"},
    }
    assert points(snap) == {
        "1.1": "0.00",  # no plan of its own, and 31/01 has passed
        "1.2": "0.00",
        "1.3": "1.00",
        "1.4": "0.00",  # not applicable
        "1.5": "1.00",
        "1.6": "0.00",  # manual, not yet scored
    }
    assert not parts(snap)["1.4"]["applicable"] and parts(snap)["1.4"]["why"]["due"] == 0
    # 2 points of the 7 that apply (8 less 1.4): 28.57%, group D.
    assert (snap.points, snap.max_points, snap.applicable_max) == (
        Decimal("2.00"),
        Decimal("8.00"),
        Decimal("7.00"),
    )
    assert (snap.index_pct, snap.group, snap.rank) == (Decimal("28.57"), "D", 1)


def test_a_report_accepted_after_its_deadline_loses_on_time(test_plan: Plan) -> None:
    u = unit()
    task(test_plan, u, dt.date(2026, 3, 15), Status.DONE, tag="1.3", done=dt.date(2026, 3, 16))
    task(test_plan, u, dt.date(2026, 6, 15), Status.DONE, tag="1.3", done=dt.date(2026, 6, 15))
    assert parts(scored(test_plan)[u.pk])["1.3"]["why"]["on_time"] == 1
    assert points(scored(test_plan)[u.pk])["1.3"] == "0.00"


def test_accepted_late_in_the_evening_of_the_deadline_is_on_time(test_plan: Plan) -> None:
    # 23:30 on the deadline in Hà Nội time is 16:30 UTC the same day: still on time.
    u = unit()
    t = task(test_plan, u, dt.date(2026, 3, 15), Status.DONE, tag="1.3", done=dt.date(2026, 3, 15))
    t.completed_at = dt.datetime(2026, 3, 15, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    t.save()
    assert points(scored(test_plan)[u.pk])["1.3"] == "1.00"
    t.completed_at = dt.datetime(2026, 3, 16, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    t.save()
    assert points(scored(test_plan)[u.pk])["1.3"] == "0.00"


def test_an_extension_past_as_of_takes_the_task_out(test_plan: Plan) -> None:
    u = unit()
    # Five campaigns due by 30/06, four accepted: 80% -> 1 x 0.8 = 0.80.
    for day in (10, 11, 12, 13):
        task(test_plan, u, dt.date(2026, 6, day), Status.DONE, tag="1.5", done=dt.date(2026, 6, 1))
    late = task(test_plan, u, dt.date(2026, 6, 20), Status.IN_PROGRESS, tag="1.5")
    assert points(scored(test_plan)[u.pk])["1.5"] == "0.80"
    # An approved extension moves its deadline to 31/07: 4 of 4 -> full.
    late.due_date = dt.date(2026, 7, 31)
    late.save()
    assert points(scored(test_plan)[u.pk])["1.5"] == "1.00"
    assert parts(scored(test_plan)[u.pk])["1.5"]["why"]["due"] == 4


def test_inspections_score_in_steps(test_plan: Plan) -> None:
    # 1.4 of the sở set: 100% 1; from 70% 0.5; below 0. 7 of 10 -> 0.50.
    u = unit()
    for i in range(10):
        done = dt.date(2026, 6, 1) if i < 7 else None
        status = Status.DONE if done else Status.IN_PROGRESS
        task(test_plan, u, dt.date(2026, 6, 10), status, tag="1.4", done=done)
    assert points(scored(test_plan)[u.pk])["1.4"] == "0.50"


def test_a_unit_whose_tasks_are_all_cancelled_has_nothing_applicable_for_them(
    test_plan: Plan,
) -> None:
    u = unit()
    own_plan(test_plan, u, dt.date(2026, 1, 20))
    task(test_plan, u, dt.date(2026, 3, 1), Status.CANCELLED, tag="1.3")
    task(test_plan, u, dt.date(2026, 4, 1), Status.CANCELLED)
    snap = scored(test_plan)[u.pk]
    applies = {p["code"]: p["applicable"] for p in snap.parts}
    assert applies == {
        "1.1": True,
        "1.2": False,
        "1.3": False,
        "1.4": False,
        "1.5": False,
        "1.6": True,
    }
    # 1.1 on time (1) of 1.1 and 1.6 (2): 50%.
    assert (snap.points, snap.applicable_max, snap.index_pct) == (
        Decimal("1.00"),
        Decimal("2.00"),
        Decimal("50.00"),
    )


def test_only_top_level_tasks_count_unless_the_index_set_says_so(test_plan: Plan) -> None:
    u, only_sub = unit(), unit()
    parent = task(test_plan, u, dt.date(2026, 6, 1), Status.DONE, done=dt.date(2026, 5, 1))
    task(test_plan, u, dt.date(2026, 3, 1), Status.TODO, parent=parent)
    task(test_plan, only_sub, dt.date(2026, 3, 1), Status.TODO, parent=parent)
    result = scored(test_plan)
    assert only_sub.pk not in result  # leads no top-level task: not scored
    assert parts(result[u.pk])["1.2"]["why"]["due"] == 1
    assert points(result[u.pk])["1.2"] == "3.00"

    test_plan.index_sets.update(include_subtasks=True)
    result = scored(test_plan)
    # Now u has 2 due, 1 accepted (50% -> 0); only_sub has 1 due, 0 accepted.
    why = parts(result[u.pk])["1.2"]["why"]
    assert (why["due"], why["accepted"]) == (2, 1)
    assert points(result[u.pk])["1.2"] == "0.00"
    assert points(result[only_sub.pk])["1.2"] == "0.00"


def test_a_unit_leading_no_task_is_not_scored(test_plan: Plan) -> None:
    leads, idle = unit(), unit()
    task(test_plan, leads, dt.date(2026, 3, 1))
    assert set(scored(test_plan)) == {leads.pk}
    assert not ScoreSnapshot.objects.filter(unit=idle).exists()


def test_ties_share_a_rank_within_a_level_and_levels_rank_apart(test_plan: Plan) -> None:
    a, b, c = unit(), unit(), unit()
    commune = unit(Level.COMMUNE)
    d = dt.date(2026, 3, 1)
    for u in (a, b, commune):
        task(test_plan, u, d, Status.DONE, done=d)  # 1.2 full
    task(test_plan, c, d, Status.TODO)  # 1.2 zero
    result = scored(test_plan)
    assert [result[x.pk].rank for x in (a, b, c)] == [1, 1, 3]
    assert result[commune.pk].rank == 1
    assert result[commune.pk].level == Level.COMMUNE


def test_1_1_reads_each_units_own_plan(test_plan: Plan) -> None:
    on_time, late, draft, none = unit(), unit(), unit(), unit()
    for u in (on_time, late, draft, none):
        task(test_plan, u, dt.date(2026, 3, 1))
    own_plan(test_plan, on_time, dt.date(2026, 1, 31))
    own_plan(test_plan, late, dt.date(2026, 2, 5))
    own_plan(test_plan, draft, None)
    result = scored(test_plan)
    assert [points(result[u.pk])["1.1"] for u in (on_time, late, draft, none)] == [
        "1.00",
        "0.50",  # the late points
        "0.00",
        "0.00",
    ]
    assert parts(result[late.pk])["1.1"]["why"]["issued_on"] == "2026-02-05"
    # Before the deadline, a plan not yet issued is not applicable; a unit with
    # nothing due and no plan of its own outside the plan's tree is not scored.
    early = scored(test_plan, dt.date(2026, 1, 25))
    assert not parts(early[draft.pk])["1.1"]["applicable"]
    assert none.pk not in early
    assert parts(early[on_time.pk])["1.1"]["applicable"] is False  # issued after 25/01


def test_the_latest_manual_score_entered_by_as_of_counts(test_plan: Plan) -> None:
    u = unit()
    task(test_plan, u, dt.date(2026, 3, 1))
    sub = SubCriterion.objects.get(
        criterion__index_set__in=test_plan.index_sets.all(),
        criterion__index_set__level=Level.DEPARTMENT,
        code="1.6",
    )
    judge = official("bcd1")
    for points_, day in (("0.50", 10), ("0.75", 20)):
        ManualScore.objects.create(
            plan=test_plan,
            unit=u,
            subcriterion=sub,
            points=Decimal(points_),
            justification=f"lần {day}",
            entered_by=judge,
            entered_at=done_at(dt.date(2026, 6, day)),
        )
    assert points(scored(test_plan, dt.date(2026, 6, 15))[u.pk])["1.6"] == "0.50"
    why = parts(scored(test_plan)[u.pk])["1.6"]["why"]
    assert (why["justification"], why["by"]) == ("lần 20", judge.full_name)
    assert points(scored(test_plan, dt.date(2026, 6, 1))[u.pk])["1.6"] == "0.00"


def test_a_justification_is_stored_as_written(test_plan: Plan) -> None:
    # Quotes, backslashes, tabs, line breaks and Vietnamese survive the write
    # (on PostgreSQL the snapshots are streamed with COPY).
    u = unit()
    task(test_plan, u, dt.date(2026, 3, 1))
    written = 'Đã ban hành "Quy chế" số 12\\QĐ;\tbổ sung\r\ndòng hai \\N \u00a0✓'
    ManualScore.objects.create(
        plan=test_plan,
        unit=u,
        subcriterion=SubCriterion.objects.get(
            criterion__index_set__in=test_plan.index_sets.all(),
            criterion__index_set__level=Level.DEPARTMENT,
            code="1.6",
        ),
        points=Decimal("0.5"),
        justification=written,
        entered_by=official("bcd1"),
        entered_at=done_at(dt.date(2026, 6, 1)),
    )
    rollup(test_plan, AS_OF)
    stored = ScoreSnapshot.objects.get(plan=test_plan, unit=u, as_of=AS_OF)
    assert parts(stored)["1.6"]["why"]["justification"] == written
    # 1.1 none issued (0), 1.2 0 of 1 (0), 1.6 0.5: 0.50 of 5 points that apply.
    assert (stored.points, parts(stored)["1.6"]["points"]) == (Decimal("0.50"), "0.50")


def test_rerunning_a_day_replaces_it_and_other_days_stay(test_plan: Plan) -> None:
    u = unit()
    t = task(test_plan, u, dt.date(2026, 3, 1))
    rollup(test_plan, AS_OF)
    rollup(test_plan, dt.date(2026, 5, 31))
    t.status, t.completed_at = Status.DONE, done_at(dt.date(2026, 3, 1))
    t.save()
    rollup(test_plan, AS_OF)
    snaps = ScoreSnapshot.objects.filter(plan=test_plan, unit=u).order_by("as_of")
    assert [(s.as_of, s.points) for s in snaps] == [
        (dt.date(2026, 5, 31), Decimal("0.00")),
        (AS_OF, Decimal("3.00")),
    ]


@pytest.mark.parametrize("size", [(3, 5), (40, 400)])
def test_the_rollup_runs_a_fixed_number_of_queries(
    test_plan: Plan, size: tuple[int, int], django_assert_num_queries: Any
) -> None:
    units_, tasks_per_unit = size
    area = test_plan.areas.get(number=1)
    made = [unit() for _ in range(units_)]
    Task.objects.bulk_create(
        Task(
            plan=test_plan,
            area=area,
            lead_unit=u,
            title="t",
            due_date=dt.date(2026, 1 + i % 12, 1),
            original_due_date=dt.date(2026, 1 + i % 12, 1),
            subcriterion=["", "1.3", "1.4", "1.5"][i % 4],
        )
        for u in made
        for i in range(tasks_per_unit // units_)
    )
    # Savepoint, lock the plan, its index sets, their rules, their groups,
    # the units' own plans, the task counts, the units, the manual scores,
    # the indicators (this plan has none: their targets and figures are not
    # asked for), delete the day, insert the day, release. (In a transaction
    # of its own, as the nightly job runs it, PostgreSQL adds one: the commit
    # mode of the write; inside the test's, it is left alone.)
    with django_assert_num_queries(13):
        assert len(rollup(test_plan, AS_OF)) == units_


def test_the_command_scores_issued_plans_and_says_so(test_plan: Plan) -> None:
    task(test_plan, unit(), dt.date(2026, 3, 1))
    out = io.StringIO()
    call_command("rollup", "--plan", str(test_plan.pk), "--as-of", "2026-06-30", stdout=out)
    assert "1 units scored as of 30/06/2026" in out.getvalue()
    assert ScoreSnapshot.objects.filter(plan=test_plan, as_of=AS_OF).count() == 1
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("rollup", "--as-of", "30/06/2026", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No plan with id 999999"):
        call_command("rollup", "--plan", "999999", stdout=io.StringIO())


def test_the_command_with_no_argument_rolls_every_province_plan_of_the_demo(plan: Plan) -> None:
    """The units' own plans are read through the province plan they implement."""
    assert Plan.objects.filter(parent=plan, status=PlanStatus.ISSUED).exists()
    out = io.StringIO()
    call_command("rollup", stdout=out)
    said = out.getvalue().splitlines()
    provinces = Plan.objects.filter(parent__isnull=True, status=PlanStatus.ISSUED)
    assert len(said) == provinces.count() and f"({plan.pk}):" in out.getvalue()
    # A unit's plan named with --plan rolls its province plan.
    unit_plan = Plan.objects.filter(parent=plan).first()
    assert unit_plan is not None
    again = io.StringIO()
    call_command("rollup", "--plan", str(unit_plan.pk), stdout=again)
    assert f"({plan.pk}):" in again.getvalue()


def test_the_nightly_job_scores_every_issued_plan_for_today(plan: Plan, test_plan: Plan) -> None:
    task(test_plan, unit(), dt.date(2026, 3, 1))
    draft = Plan.objects.create(unit=test_plan.unit, year=2026, title="Nháp")
    draft.index_sets.set(test_plan.index_sets.all())
    draft.areas.create(number=1, name="Chỉ đạo, điều hành")
    task(draft, unit(), dt.date(2026, 3, 1))
    done = rollup_issued_plans(timezone.now())
    assert set(done) >= {plan.pk, test_plan.pk}
    assert draft.pk not in done
    assert ScoreSnapshot.objects.filter(plan=test_plan, as_of=TODAY).count() == 1


def test_the_api_runs_it_for_the_committee_only(client: Client, test_plan: Plan) -> None:
    u = unit()
    task(test_plan, u, dt.date(2026, 3, 1), Status.DONE, done=dt.date(2026, 3, 1))
    client.login(request=HttpRequest(), username="snv.head", password="cchc2026")
    url = f"/api/v1/plans/{test_plan.pk}/rollup?as_of=2026-06-30"
    assert client.post(url).status_code == 403
    assert not ScoreSnapshot.objects.filter(plan=test_plan).exists()
    client.login(request=HttpRequest(), username="bcd1", password="cchc2026")
    body = client.post(url).json()
    assert body["as_of"] == "2026-06-30"
    [row] = body["units"]
    # 1.1 none issued (0), 1.2 1 of 1 (3), 1.6 not yet scored (0) of 5 applicable: 60%.
    assert (row["unit_id"], row["points"], row["max_points"], row["rank"]) == (
        u.pk,
        "3.00",
        "8.00",
        1,
    )
    assert (row["applicable_max"], row["index_pct"], row["group"]) == ("5.00", "60.00", "D")
    assert [s["code"] for s in row["subcriteria"]] == ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6"]
    assert row["subcriteria"][1]["why"].startswith("1 of 1 tasks due by 30/06/2026")
    why = row["subcriteria"][1]["why_data"]
    assert (why["rule"], why["due"], why["accepted"]) == ("completion_bands", 1, 1)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query planner")
def test_the_rollups_count_reads_one_covering_index_in_group_by_order(province: Province) -> None:
    """At 300,000 tasks the count took 1.3 s when SQLite visited the table and sorted."""
    province.task(subcriterion="1.3")
    with CaptureQueriesContext(connection) as queries:
        rollup(province.plan, TODAY)
    counts = [q["sql"] for q in queries if "FILTER (WHERE" in q["sql"] and "GROUP BY" in q["sql"]]
    assert counts
    for sql in counts:
        with connection.cursor() as cursor:
            plan = [row[3] for row in cursor.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()]
        assert any("USING COVERING INDEX task_plan_rollup" in step for step in plan), plan
        assert not any("TEMP B-TREE" in step for step in plan), plan
