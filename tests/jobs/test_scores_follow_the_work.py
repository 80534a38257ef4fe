"""Scores follow the work: a change asks once, the worker recomputes today's scores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.signals import pre_delete
from django.utils import timezone

from plans import planning
from plans.models import Plan, PlanStatus, ScoreRequest, ScoreSnapshot
from plans.rescore import score_request_waiting, scores_may_move
from tasks import services
from tasks.scores.rescore import run_score_request, run_waiting_score_requests
from tests.conftest import PDF
from tests.factories import Province, make_province

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def asked() -> Iterator[list[int]]:
    """The plan ids the worker is told about, in order."""
    seen: list[int] = []

    def listen(plan_id: int, **_: Any) -> None:
        seen.append(plan_id)

    score_request_waiting.connect(listen, dispatch_uid="test-listen")
    yield seen
    score_request_waiting.disconnect(dispatch_uid="test-listen")


def hand_in(p: Province, due: dt.date) -> Any:
    """A task of the lead unit, handed in by its assignee, waiting for the head."""
    task = p.task(due_date=due, subcriterion="1.2")
    services.start_task(p.assignee, task)
    upload = SimpleUploadedFile("bien-ban.pdf", PDF, content_type="application/pdf")
    services.add_evidence(
        p.assignee, task, file=upload, document_number="1/BB", issued_on=due, issuer="Sở"
    )
    return services.submit_task(p.assignee, task)


def test_an_accepted_task_moves_todays_score_without_anyone_pressing_a_button(
    django_capture_on_commit_callbacks: Any, asked: list[int]
) -> None:
    p = make_province()
    with django_capture_on_commit_callbacks(execute=True):
        task = hand_in(p, dt.date(2026, 10, 31))
    before = ScoreSnapshot.objects.get(plan=p.plan, unit=p.lead, as_of=TODAY)
    part = {x["code"]: x for x in before.parts}["1.2"]
    assert (part["points"], part["why"]["accepted"]) == ("0.00", 0)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_task(p.lead_head, task, decision="accept")
    after = ScoreSnapshot.objects.get(plan=p.plan, unit=p.lead, as_of=TODAY)
    part = {x["code"]: x for x in after.parts}["1.2"]
    assert (part["points"], part["why"]["accepted"]) == ("3.00", 1)
    assert after.computed_at > before.computed_at
    assert not ScoreRequest.objects.filter(plan=p.plan).exists()
    assert asked and set(asked) == {p.plan.pk}


def test_many_changes_in_a_row_make_one_request(
    django_capture_on_commit_callbacks: Any, asked: list[int]
) -> None:
    p = make_province()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for n in range(5):
            p.task(title=f"Nhiệm vụ {n}", due_date=dt.date(2026, 3, 1))
    # One row, one message to the worker, however many changes.
    assert ScoreRequest.objects.filter(plan=p.plan).count() == 1
    for callback in callbacks:
        callback()
    assert asked == [p.plan.pk]


def test_the_worker_runs_a_request_once_and_drops_it() -> None:
    p = make_province()
    p.task(due_date=dt.date(2026, 3, 1))
    assert ScoreRequest.objects.filter(plan=p.plan).exists()
    assert run_score_request(p.plan.pk) == 1
    assert not ScoreRequest.objects.filter(plan=p.plan).exists()
    assert ScoreSnapshot.objects.filter(plan=p.plan, as_of=TODAY).count() == 2
    # Nothing left to do: a second run does nothing.
    assert run_score_request(p.plan.pk) == 0


def test_the_minute_job_runs_only_requests_no_worker_picked_up() -> None:
    p = make_province()
    p.task(due_date=dt.date(2026, 3, 1))
    now = timezone.now()
    ScoreRequest.objects.filter(plan=p.plan).update(requested_at=now - dt.timedelta(seconds=5))
    assert run_waiting_score_requests(now) == {}
    ScoreRequest.objects.filter(plan=p.plan).update(requested_at=now - dt.timedelta(minutes=2))
    assert run_waiting_score_requests(now) == {p.plan.pk: 1}
    assert not ScoreRequest.objects.filter(plan=p.plan).exists()


def test_a_plan_that_cannot_be_scored_drops_its_request() -> None:
    p = make_province()
    p.plan.index_sets.clear()
    p.task(due_date=dt.date(2026, 3, 1))
    assert run_score_request(p.plan.pk) == 0
    assert not ScoreRequest.objects.filter(plan=p.plan).exists()


def test_a_units_plan_issued_asks_for_the_province_plans_scores(
    django_capture_on_commit_callbacks: Any, asked: list[int]
) -> None:
    p = make_province()
    with django_capture_on_commit_callbacks(execute=True):
        own = planning.create_plan(
            p.lead_head,
            unit_id=p.lead.pk,
            parent_id=p.plan.pk,
            year=2026,
            title="Kế hoạch CCHC năm 2026 của Sở Nội vụ",
        )
    assert asked == []  # a draft moves nothing
    with django_capture_on_commit_callbacks(execute=True):
        planning.update_plan(
            p.lead_head, own, status=PlanStatus.ISSUED, issued_on=dt.date(2026, 1, 20)
        )
    assert asked == [p.plan.pk]
    snap = ScoreSnapshot.objects.get(plan=p.plan, unit=p.lead, as_of=TODAY)
    assert {x["code"]: x["points"] for x in snap.parts}["1.1"] == "1.00"
    assert Plan.objects.get(pk=own.pk).status == PlanStatus.ISSUED


def test_a_change_while_the_worker_runs_makes_it_run_once_more() -> None:
    p = make_province()
    p.task(due_date=dt.date(2026, 3, 1))
    run_score_request(p.plan.pk)  # today's snapshots exist: the next run replaces them
    p.task(title="Nhiệm vụ thứ hai", due_date=dt.date(2026, 3, 2))
    changed: list[int] = []

    def change_meanwhile(sender: Any, **kwargs: Any) -> None:
        if not changed:  # a change that lands while the scores are being replaced
            changed.append(1)
            scores_may_move(p.plan)

    pre_delete.connect(change_meanwhile, sender=ScoreSnapshot)
    try:
        assert run_score_request(p.plan.pk) == 2
    finally:
        pre_delete.disconnect(change_meanwhile, sender=ScoreSnapshot)
    assert not ScoreRequest.objects.filter(plan=p.plan).exists()


def test_changes_in_one_run_move_one_counter_and_a_draft_plan_drops_its_request() -> None:
    p = make_province()
    p.task(due_date=dt.date(2026, 3, 1))
    p.task(title="Nhiệm vụ thứ hai", due_date=dt.date(2026, 3, 2))
    request = ScoreRequest.objects.get(plan=p.plan)
    assert request.generation == 2
    Plan.objects.filter(pk=p.plan.pk).update(status=PlanStatus.DRAFT)
    assert run_score_request(p.plan.pk) == 0
    assert not ScoreRequest.objects.filter(plan=p.plan).exists()
    assert not ScoreSnapshot.objects.filter(plan=p.plan).exists()
