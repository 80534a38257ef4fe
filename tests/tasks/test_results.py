"""Officials' task results (Decree 335/2025): hand-computed figures, freezing, bad input."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kit.errors import DomainError
from plans.models import AuditEvent, Official
from tasks import services
from tasks.models import Task
from tasks.models.results import MarkKind, PeriodResult
from tasks.results import services as result_services
from tasks.results.periods import Figures, OfficialResult, excellent_over_cap, parse_period
from tests.conftest import upload
from tests.factories import Province, make_official, make_province, sign_in

pytestmark = pytest.mark.django_db

HCM = dt.timezone(dt.timedelta(hours=7))
AFTER_MARCH = dt.datetime(2026, 4, 2, 9, 0, tzinfo=HCM)


def at(day: int, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, 10, 0, tzinfo=HCM)


def hand_in(p: Province, task: Task, day: dt.datetime) -> None:
    with time_machine.travel(day, tick=False):
        services.add_evidence(p.assignee, task, file=upload(), filename="bc.pdf")
        services.submit_task(p.assignee, task)


def review(p: Province, task: Task, day: dt.datetime, decision: str = "accept") -> None:
    with time_machine.travel(day, tick=False):
        services.review_task(p.lead_head, task, decision=decision, comment="Bổ sung")


@pytest.fixture
def march() -> dict[str, Any]:
    """March 2026 of Nguyễn Văn A, weights 1 unless said:
    on time; returned once then accepted; late once; still open at the month's end;
    weight 2 on time; returned twice with the returns marked objective."""
    p = make_province()
    with time_machine.travel(at(1), tick=False):
        on_time = p.task(title="Đúng hạn", due_date=dt.date(2026, 3, 10))
        returned = p.task(title="Trả lại một lần", due_date=dt.date(2026, 3, 15))
        late = p.task(title="Chậm một lần", due_date=dt.date(2026, 3, 20))
        p.task(title="Quá hạn cuối tháng", due_date=dt.date(2026, 3, 25))
        heavy = p.task(title="Nặng gấp đôi", due_date=dt.date(2026, 3, 28))
        services.update_task(p.lead_head, heavy, weight=Decimal(2))
        excused = p.task(title="Trả lại vì lý do khách quan", due_date=dt.date(2026, 3, 30))
        p.task(title="Tháng sau", due_date=dt.date(2026, 4, 20))
    hand_in(p, on_time, at(8))
    review(p, on_time, at(8))
    hand_in(p, returned, at(9))
    review(p, returned, at(10), "return")
    hand_in(p, returned, at(13))
    review(p, returned, at(14))
    hand_in(p, late, at(25))
    review(p, late, at(25))
    hand_in(p, heavy, at(27))
    review(p, heavy, at(27))
    for day in (5, 7):
        hand_in(p, excused, at(day))
        review(p, excused, at(day + 1), "return")
    hand_in(p, excused, at(11))
    review(p, excused, at(12))
    result_services.mark_objective(p.lead_head, excused, MarkKind.RETURN, "Đổi quy định")
    return {"p": p, "late": late}


# Weights 1+1+1+1+2+1 = 7.
# quantity (1+1+1+0+2+1)/7 = 85.71%; quality (1+0.75+1+0+2+1)/7 = 82.14%;
# progress (1+1+0.75+0+2+1)/7 = 82.14%; task part 70 x (6+5.75+5.75)/21 = 58.33;
# on the task part alone 58.33/70 = 83.33 of 100: good (provisional).
EXPECTED = {
    "assigned": 6,
    "completed": 5,
    "quantity_pct": "85.71",
    "quality_pct": "82.14",
    "progress_pct": "82.14",
    "points": "58.33",
    "grade": "good",
    "grade_provisional": True,
    "frozen": False,
}


def row_of(rows: list[dict[str, Any]], official: Official) -> dict[str, Any]:
    return next(r for r in rows if r["official_id"] == official.pk)


@time_machine.travel(AFTER_MARCH, tick=False)
def test_the_figures_computed_by_hand_in_the_api_page_and_export(
    client: Client, march: dict[str, Any]
) -> None:
    p = march["p"]
    sign_in(client, p.lead_head)
    answer = client.get(f"/api/v1/units/{p.lead.pk}/task-results", {"period": "2026-03"})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["period"] == "2026-03"
    mine = row_of(body["officials"], p.assignee)
    assert {k: mine[k] for k in EXPECTED} == EXPECTED
    assert row_of(body["officials"], p.colleague)["assigned"] == 0

    page = client.get(f"/units/{p.lead.pk}/task-results/", {"period": "2026-03"})
    html = page.content.decode()
    for text in ("85,71%", "82,14%", "58,33", "Hoàn thành tốt"):
        assert text in html, text

    detail = client.get(f"/units/{p.lead.pk}/task-results/{p.assignee.pk}/?period=2026-03")
    lines = {x.title: x for x in detail.context["result"].figures.lines}
    assert (lines["Trả lại một lần"].returns, lines["Trả lại một lần"].quality) == (
        1,
        Decimal("0.75"),
    )
    assert (lines["Chậm một lần"].delays, lines["Chậm một lần"].progress) == (1, Decimal("0.75"))
    assert lines["Trả lại vì lý do khách quan"].quality == 1
    assert lines["Quá hạn cuối tháng"].quantity == 0
    assert "Tháng sau" not in lines

    workbook = client.get(f"/units/{p.lead.pk}/task-results/?period=2026-03&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
    values = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert values[p.assignee.full_name][1:7] == (6, 5, 85.71, 82.14, 82.14, 58.33)

    # The general points make the grade whole: 58.33 + 30 = 88.33, good.
    done = client.post(
        f"/units/{p.lead.pk}/task-results/do/",
        {"what": "general", "official": p.assignee.pk, "period": "2026-03", "points": "30"},
    )
    assert done.status_code == 302
    sign_in(client, p.assignee)
    me = client.get("/api/v1/me/task-results?period=2026-03").json()
    assert (me["total"], me["grade"], me["grade_provisional"]) == ("88.33", "good", False)
    assert me["official_id"] == p.assignee.pk and me["period"] == "2026-03"


@time_machine.travel(AFTER_MARCH, tick=False)
def test_a_frozen_month_stays_put_until_the_head_recomputes_it_with_a_reason(
    client: Client, march: dict[str, Any]
) -> None:
    p = march["p"]
    assert result_services.freeze_task_results(AFTER_MARCH) >= 3  # three people, month (+ Q1)
    assert result_services.freeze_task_results(AFTER_MARCH) == 0  # nothing twice
    # A later change: the late task's delay is marked objective.
    result_services.mark_objective(p.lead_head, march["late"], MarkKind.DELAY, "Mưa bão")
    sign_in(client, p.lead_head)
    url = f"/api/v1/units/{p.lead.pk}/task-results?period=2026-03"
    frozen = row_of(client.get(url).json()["officials"], p.assignee)
    assert (frozen["progress_pct"], frozen["frozen"]) == ("82.14", True)
    # The quarter too was frozen with March.
    assert PeriodResult.objects.filter(official=p.assignee, period="2026-q1").exists()

    refused = client.post(
        f"/units/{p.lead.pk}/task-results/do/",
        {"what": "recompute", "period": "2026-03", "reason": "  "},
        follow=True,
    )
    assert "Hãy nêu lý do." in [str(m) for m in refused.context["messages"]]
    assert row_of(client.get(url).json()["officials"], p.assignee)["progress_pct"] == "82.14"

    client.post(
        f"/units/{p.lead.pk}/task-results/do/",
        {"what": "recompute", "period": "2026-03", "reason": "Bão số 3 làm chậm"},
    )
    moved = row_of(client.get(url).json()["officials"], p.assignee)
    assert moved["progress_pct"] == "85.71"  # (1+1+1+0+2+1)/7
    event = AuditEvent.objects.history_of(p.lead).get(action="results_recomputed")
    assert event.changes["reason"] == "Bão số 3 làm chậm"
    assert event.changes["period"] == "2026-03"
    assert event.actor == p.lead_head


@time_machine.travel(AFTER_MARCH, tick=False)
@pytest.mark.parametrize("period", ["2026-05", "2026-13", "2026-q5", "march", "2026-3"])
def test_a_future_or_malformed_period_is_refused(client: Client, period: str) -> None:
    p = make_province()
    sign_in(client, p.lead_head)
    answer = client.get(f"/api/v1/units/{p.lead.pk}/task-results", {"period": period})
    assert answer.status_code == 422
    assert answer.json()["detail"]
    assert client.get("/api/v1/me/task-results", {"period": period}).status_code == 422


@time_machine.travel(AFTER_MARCH, tick=False)
def test_bad_weights_marks_and_people_are_refused_and_nothing_is_written(client: Client) -> None:
    p = make_province()
    task = p.task(due_date=dt.date(2026, 3, 30))
    sign_in(client, p.lead_head)
    for weight in ("11", "-1"):
        answer = client.patch(
            f"/api/v1/tasks/{task.pk}", {"weight": weight}, content_type="application/json"
        )
        assert answer.status_code == 422, weight
    task.refresh_from_db()
    assert task.weight == 1
    assert (
        client.patch(
            f"/api/v1/tasks/{task.pk}", {"weight": "2.5"}, content_type="application/json"
        ).json()["weight"]
        == "2.50"
    )
    with translation.override("en"), pytest.raises(DomainError, match="reason"):
        result_services.mark_objective(p.lead_head, task, MarkKind.RETURN, " ")
    with pytest.raises(DomainError):  # another unit's head
        result_services.mark_objective(p.other_head, task, MarkKind.RETURN, "Lý do")
    with pytest.raises(DomainError):  # an official of another unit
        result_services.set_general_points(
            p.lead_head, p.outsider, parse_period("2026-03", AFTER_MARCH.date()), 20
        )
    with pytest.raises(DomainError):
        result_services.set_general_points(
            p.lead_head, p.assignee, parse_period("2026-03", AFTER_MARCH.date()), 31
        )
    assert not PeriodResult.objects.filter(official__in=[p.outsider, p.assignee]).exists()
    assert not task.objective_marks.exists()
    # Another unit's head reads neither the unit's results nor an official's.
    sign_in(client, p.other_head)
    assert client.get(f"/api/v1/units/{p.lead.pk}/task-results").status_code == 403
    assert client.get(f"/units/{p.lead.pk}/task-results/").status_code == 403
    sign_in(client, p.assignee)
    assert client.get(f"/api/v1/units/{p.lead.pk}/task-results").status_code == 403


def result(grade_points: str) -> OfficialResult:
    figures = Figures(1, 1, Decimal(1), None, None, None, Decimal(grade_points))
    return OfficialResult(Official(), figures, Decimal(30), None)


def test_more_than_a_fifth_of_the_good_excellent_is_flagged() -> None:
    # 64 + 30 = 94: excellent; 50 + 30 = 80: good.
    one_in_five = [result("64")] + [result("50")] * 4
    assert not excellent_over_cap(one_in_five)
    assert excellent_over_cap([result("64"), result("64")] + [result("50")] * 3)


@time_machine.travel(AFTER_MARCH, tick=False)
def test_the_head_page_answers_in_a_fixed_number_of_queries(client: Client) -> None:
    p = make_province()
    sign_in(client, p.lead_head)

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert client.get(f"/units/{p.lead.pk}/task-results/?period=2026-03").status_code == 200
        return len(seen)

    queries()  # the first visit fills Django's caches (content types)
    few = queries()
    people = [make_official(p.lead) for _n in range(4)]
    for n in range(12):
        p.task(title=f"Việc {n}", due_date=dt.date(2026, 3, 10 + n), assignees=tuple(people))
    assert queries() == few


@time_machine.travel(AFTER_MARCH, tick=False)
def test_the_units_own_figures_stand_beside_its_score(
    client: Client, march: dict[str, Any]
) -> None:
    p = march["p"]
    sign_in(client, p.lead_head)
    page = client.get(f"/dashboard/units/{p.lead.pk}/", {"plan": str(p.plan.pk)})
    month, figures = page.context["unit_results"][0]
    assert month.text == "2026-03"
    assert (figures.assigned, figures.completed, str(figures.points)) == (6, 5, "58.33")
    assert f"/units/{p.lead.pk}/task-results/?period=2026-03" in page.content.decode()


def test_an_open_month_counts_what_is_due_or_done_by_today(march: dict[str, Any]) -> None:
    p = march["p"]
    with time_machine.travel(at(16), tick=False):
        period = parse_period("2026-03", at(16).date())
        assert period.until == dt.date(2026, 3, 16)
        (mine,) = result_services.results_of([p.assignee], period)
    # Due or done by 16/3: on time, returned once, the excused one; not the three due later.
    assert [x.title for x in mine.figures.lines] == [
        "Đúng hạn",
        "Trả lại một lần",
        "Trả lại vì lý do khách quan",
    ]
    f = mine.figures
    assert (f.quantity_pct, f.quality_pct, f.progress_pct) == (
        Decimal("100.00"),
        Decimal("91.67"),
        Decimal("100.00"),
    )


def test_each_piece_of_work_counts_once(march: dict[str, Any]) -> None:
    """Due 15/12 and accepted 20/11: November's work, and not December's. Due in March and
    still open: March's, April's and every month's after it, as not completed."""
    p = march["p"]
    with time_machine.travel(at(1, 11), tick=False):
        early = p.task(title="Xong sớm", due_date=dt.date(2026, 12, 15))
    hand_in(p, early, at(20, 11))
    review(p, early, at(20, 11))
    in_december = dt.date(2027, 1, 5)
    november = parse_period("2026-11", in_december)
    december = parse_period("2026-12", in_december)
    (nov,) = result_services.results_of([p.assignee], november)
    (dec,) = result_services.results_of([p.assignee], december)
    assert "Xong sớm" in [x.title for x in nov.figures.lines]
    assert "Xong sớm" not in [x.title for x in dec.figures.lines]
    # The task due 25/03 was never completed: it weighs in March, in April, and in December.
    open_one = "Quá hạn cuối tháng"
    for text in ("2026-03", "2026-04", "2026-12"):
        (mine,) = result_services.results_of([p.assignee], parse_period(text, in_december))
        line = next(x for x in mine.figures.lines if x.title == open_one)
        assert (line.quantity, line.completed_on) == (Decimal(0), None), text
    # Accepted on time in March: March's only.
    (april,) = result_services.results_of([p.assignee], parse_period("2026-04", in_december))
    assert "Đúng hạn" not in [x.title for x in april.figures.lines]
    # The late one (due 20/03, accepted 25/03) is March's, with its delay.
    (mar,) = result_services.results_of([p.assignee], parse_period("2026-03", in_december))
    late = next(x for x in mar.figures.lines if x.title == "Chậm một lần")
    assert late.progress == Decimal("0.75")
