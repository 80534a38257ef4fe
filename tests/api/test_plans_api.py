"""Plans, indicators, measurements, attainment and scores through the API."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from typing import Any

import pytest
from django.http import HttpRequest
from django.test import Client

from plans.models import (
    AuditEvent,
    Indicator,
    Level,
    ManualScore,
    Measurement,
    Plan,
    ScoreSnapshot,
    Unit,
)
from tests.conftest import home_unit, official, unit_of

pytestmark = pytest.mark.django_db


def send(client: Client, method: str, path: str, body: Any = None) -> Any:
    if method == "get":
        return client.get("/api/v1" + path)
    return getattr(client, method)(
        "/api/v1" + path, json.dumps(body or {}), content_type="application/json"
    )


def as_user(client: Client, username: str) -> Client:
    assert client.login(request=HttpRequest(), username=username, password="cchc2026")
    return client


# ---------------------------------------------------------------- plans


def test_the_head_of_a_unit_creates_its_own_plan_under_the_province_plan(
    client: Client, plan: Plan
) -> None:
    head = official("snv.head")
    as_user(client, "snv.head")
    body = {
        "unit_id": head.unit_id,
        "year": 2026,
        "title": "Kế hoạch CCHC năm 2026 của Sở Nội vụ",
        "document_number": "12/KH-SNV",
        "parent_id": plan.pk,
    }
    assert head.unit_id is not None
    Plan.objects.filter(parent=plan, unit_id=head.unit_id).delete()
    response = send(client, "post", "/plans", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "draft" and created["issued_on"] is None
    assert created["parent_id"] == plan.pk and created["index_set_ids"] == []
    made = Plan.objects.get(pk=created["id"])
    assert made.areas.count() == 8
    assert AuditEvent.objects.filter(action="created", object_id=made.pk).exists()
    # A second plan of the unit under the same province plan: 422.
    again = send(client, "post", "/plans", body)
    assert again.status_code == 422 and "unit_id" in json.dumps(again.json()["errors"])
    # Another unit's plan: 403. A plan without parent from a sở's head: 403.
    assert (
        send(client, "post", "/plans", {**body, "unit_id": unit_of("stp.head")}).status_code == 403
    )
    top = send(client, "post", "/plans", {**body, "parent_id": None, "title": "Kế hoạch (giả mạo)"})
    assert top.status_code == 403
    assert "province-level" in top.json()["detail"] or "cấp tỉnh" in top.json()["detail"]
    assert not Plan.objects.filter(title="Kế hoạch (giả mạo)").exists()


def test_the_province_plan_gets_the_demo_sets_of_its_year_one_per_level(client: Client) -> None:
    as_user(client, "ubnd-tinh.head")
    body = {"unit_id": unit_of("ubnd-tinh.head"), "year": 2027, "title": "Kế hoạch CCHC 2027"}
    response = send(client, "post", "/plans", body)
    assert response.status_code == 201, response.content
    plan = Plan.objects.get(pk=response.json()["id"])
    sets = {s.level: s for s in plan.index_sets.all()}
    assert set(sets) == {Level.DEPARTMENT, Level.COMMUNE}
    assert all(s.year == 2027 and s.label.startswith("Lĩnh vực 1") for s in sets.values())
    assert sorted(response.json()["index_set_ids"]) == sorted(s.pk for s in sets.values())


def test_a_unit_plan_under_a_unit_plan_or_of_another_year_is_refused(
    client: Client, plan: Plan
) -> None:
    unit_plan = Plan.objects.filter(parent=plan).select_related("unit").first()
    assert unit_plan is not None
    as_user(client, "admin")
    body = {"unit_id": unit_of("snv.head"), "year": 2026, "title": "Kế hoạch"}
    nested = send(client, "post", "/plans", {**body, "parent_id": unit_plan.pk})
    assert nested.status_code == 422 and "parent_id" in json.dumps(nested.json()["errors"])
    other_year = send(client, "post", "/plans", {**body, "year": 2027, "parent_id": plan.pk})
    assert other_year.status_code == 422 and "parent_id" in json.dumps(other_year.json()["errors"])
    assert not Plan.objects.filter(title="Kế hoạch").exists()


def test_issuing_a_plan_needs_its_date_and_bad_values_get_422(client: Client, plan: Plan) -> None:
    as_user(client, "ubnd-tinh.head")
    draft = send(
        client, "post", "/plans", {"unit_id": plan.unit_id, "year": 2027, "title": "Nháp"}
    ).json()
    refused = send(client, "patch", f"/plans/{draft['id']}", {"status": "issued"})
    assert refused.status_code == 422
    assert "issued_on" in json.dumps(refused.json()["errors"])
    ok = send(
        client, "patch", f"/plans/{draft['id']}", {"status": "issued", "issued_on": "2027-01-20"}
    )
    assert ok.status_code == 200 and ok.json()["status"] == "issued"
    for bad in ({"year": 1999}, {"year": "2027"}, {"title": ""}, {"index_set_ids": [999999]}):
        assert send(client, "patch", f"/plans/{draft['id']}", bad).status_code == 422, bad
    assert Plan.objects.get(pk=draft["id"]).year == 2027
    assert send(client, "get", "/plans/999999").status_code == 404


def test_a_committee_member_reads_plans_but_does_not_edit_them(client: Client, plan: Plan) -> None:
    as_user(client, "bcd1")
    listed = send(client, "get", "/plans?year=2026").json()
    assert plan.pk in [p["id"] for p in listed["items"]]
    assert send(client, "patch", f"/plans/{plan.pk}", {"title": "Khác"}).status_code == 403
    sets = send(client, "get", "/index-sets?year=2026").json()["items"]
    ids = set(plan.index_sets.values_list("pk", flat=True))
    demo = {s["level"]: s for s in sets if s["id"] in ids}
    assert set(demo) == {"department", "commune"}
    rules = [s["rule"] for s in demo["commune"]["items"][0]["items"]]
    assert rules == [
        "plan_issued_on_time",
        "completion_bands",
        "on_time",
        "indicator_target",
        "manual",
        "penalty",
    ]


# ---------------------------------------------------------------- indicators


def test_an_indicator_is_created_with_a_target_per_level(client: Client, plan: Plan) -> None:
    as_user(client, "ubnd-tinh.head")
    body = {
        "code": "dvc-toan-trinh",
        "name": "Tỷ lệ hồ sơ trực tuyến toàn trình",
        "targets": [
            {"level": "province", "target_pct": 70},
            {"level": "district", "target_pct": 60},
            {"level": "commune", "target_pct": 40.5},
        ],
    }
    response = send(client, "post", f"/plans/{plan.pk}/indicators", body)
    assert response.status_code == 201, response.content
    targets = {t["level"]: t["target_pct"] for t in response.json()["targets"]}
    assert targets == {"province": 70.0, "district": 60.0, "commune": 40.5}
    # Same code again, a target over 100, a level twice: 422, nothing written.
    assert send(client, "post", f"/plans/{plan.pk}/indicators", body).status_code == 422
    over = {**body, "code": "x", "targets": [{"level": "commune", "target_pct": 101}]}
    assert send(client, "post", f"/plans/{plan.pk}/indicators", over).status_code == 422
    twice = {**body, "code": "y", "targets": [body["targets"][0], body["targets"][0]]}
    assert send(client, "post", f"/plans/{plan.pk}/indicators", twice).status_code == 422
    assert plan.indicators.filter(code__in=["x", "y"]).count() == 0
    as_user(client, "snv.head")
    body["code"] = "z"
    assert send(client, "post", f"/plans/{plan.pk}/indicators", body).status_code == 403


@pytest.fixture
def indicator(plan: Plan) -> Indicator:
    """A fresh indicator: province 70%, commune 40%, with no figures yet."""
    made = Indicator.objects.create(plan=plan, code="thu", name="Chỉ tiêu thử")
    made.targets.create(level=Level.PROVINCE, target_pct=Decimal(70))
    made.targets.create(level=Level.COMMUNE, target_pct=Decimal(40))
    return made


def report(client: Client, indicator: Indicator, unit: Unit, n: int, d: int, end: str) -> Any:
    return send(
        client,
        "post",
        f"/indicators/{indicator.pk}/measurements",
        {
            "unit_id": unit.pk,
            "period_start": end[:8] + "01",
            "period_end": end,
            "numerator": n,
            "denominator": d,
        },
    )


def test_a_unit_reports_its_own_figure_and_corrects_it(
    client: Client, indicator: Indicator
) -> None:
    commune = home_unit("x-di-linh.cv1")
    as_user(client, "x-di-linh.cv1")
    first = report(client, indicator, commune, 30, 100, "2026-09-30")
    assert first.status_code == 201, first.content
    assert first.json()["actual_pct"] == 30.0
    again = report(client, indicator, commune, 45, 100, "2026-09-30")
    assert again.status_code == 200
    m = Measurement.objects.get(indicator=indicator, unit=commune)
    assert (m.numerator, m.denominator, m.reported_by) == (45, 100, official("x-di-linh.cv1"))
    assert AuditEvent.objects.filter(action="edited", object_id=m.pk).exists()
    # Not for another unit; the committee does not report either.
    other = home_unit("p-cam-ly.head")
    assert report(client, indicator, other, 1, 2, "2026-09-30").status_code == 403
    as_user(client, "bcd1")
    assert report(client, indicator, commune, 1, 2, "2026-09-30").status_code == 403


@pytest.mark.parametrize(
    ("n", "d", "start", "end", "field"),
    [
        (5, 4, "2026-09-01", "2026-09-30", "numerator"),
        (0, 0, "2026-09-01", "2026-09-30", "denominator"),
        (-1, 4, "2026-09-01", "2026-09-30", "numerator"),
        (1, 4, "2026-10-01", "2026-09-30", "period_end"),
        (1, 4, "2026-09-01", "30/09/2026", "period_end"),
    ],
)
def test_impossible_figures_get_422_and_nothing_is_stored(
    client: Client, indicator: Indicator, n: int, d: int, start: str, end: str, field: str
) -> None:
    admin = as_user(client, "admin")
    body = {
        "unit_id": unit_of("snv.head"),
        "period_start": start,
        "period_end": end,
        "numerator": n,
        "denominator": d,
    }
    response = send(admin, "post", f"/indicators/{indicator.pk}/measurements", body)
    assert response.status_code == 422
    assert field in json.dumps(response.json())
    assert not indicator.measurements.exists()


def test_attainment_counts_levels_from_raw_counts_and_shows_who_is_missing(
    client: Client, indicator: Indicator
) -> None:
    as_user(client, "admin")
    province = Unit.objects.get(code="ubnd-tinh")
    communes = list(Unit.objects.filter(level=Level.COMMUNE).order_by("code"))
    a, b, c = communes[:3]
    report(client, indicator, province, 140, 200, "2026-09-30")  # 70%: meets 70
    report(client, indicator, a, 10, 100, "2026-09-30")  # 10%: misses 40
    report(client, indicator, b, 290, 300, "2026-09-30")  # 96.67%: meets
    report(client, indicator, c, 1, 3, "2026-06-30")  # 33.33%, earlier period
    body = send(client, "get", f"/indicators/{indicator.pk}/attainment").json()
    levels = {row["level"]: row for row in body["levels"]}
    # Commune level, each unit's latest: (10 + 290 + 1) / (100 + 300 + 3) = 301/403 = 74.69%
    assert levels["commune"] == {
        "level": "commune",
        "numerator": 301,
        "denominator": 403,
        "actual_pct": 74.69,
        "target_pct": 40.0,
        "met": True,
        "units_meeting": 1,
        "units_reported": 3,
        "units_missing": len(communes) - 3,
    }
    assert levels["province"]["units_meeting"] == 1
    assert "department" not in levels  # no target for departments, none reported
    units = {row["unit_id"]: row for row in body["units"]}
    missing = units[communes[3].pk]
    assert (missing["actual_pct"], missing["met"], missing["target_pct"]) == (None, None, 40.0)
    assert units[c.pk]["actual_pct"] == 33.33 and units[c.pk]["met"] is False
    # One period: c did not report for 30/09, so it is missing there.
    sept = send(client, "get", f"/indicators/{indicator.pk}/attainment?period_end=2026-09-30")
    sept_levels = {row["level"]: row for row in sept.json()["levels"]}
    assert sept_levels["commune"]["units_reported"] == 2
    assert sept_levels["commune"]["actual_pct"] == round(300 / 400 * 100, 2)


# ---------------------------------------------------------------- scores


def test_scores_answer_the_latest_rollup_on_or_before_as_of(client: Client, plan: Plan) -> None:
    as_user(client, "bcd1")  # the committee reads every unit (tests/tasks/test_score_pages.py)
    latest = send(client, "get", f"/plans/{plan.pk}/scores").json()
    assert latest["as_of"] == "2026-11-22"
    units = latest["units"]
    assert len(units) == ScoreSnapshot.objects.filter(plan=plan, as_of="2026-11-22").count()
    # Ranked within each level by index: ranks start at 1 and never rise as
    # the index falls; the points are the sum of the parts, the applicable
    # maximum that of the parts that apply.
    for level in {u["level"] for u in units}:
        same = [u for u in units if u["level"] == level]
        assert same[0]["rank"] == 1
        ranked = [u for u in same if u["rank"] is not None]
        assert all(
            Decimal(x["index_pct"]) >= Decimal(y["index_pct"])
            for x, y in itertools.pairwise(ranked)
        )
        for u in same:
            parts = u["subcriteria"]
            assert max(sum(Decimal(s["points"]) for s in parts), Decimal(0)) == Decimal(u["points"])
            applies = [s for s in parts if s["applicable"] and s["why_data"]["rule"] != "penalty"]
            assert sum(Decimal(s["max_points"]) for s in applies) == Decimal(u["applicable_max"])
    mid = send(client, "get", f"/plans/{plan.pk}/scores?as_of=2026-07-15").json()
    assert mid["as_of"] == "2026-06-30"
    before = send(client, "get", f"/plans/{plan.pk}/scores?as_of=2026-01-01")
    assert before.status_code == 404
    assert "roll-up" in before.json()["detail"]


def test_a_committee_member_enters_a_manual_score_with_a_reason(
    client: Client, plan: Plan, django_capture_on_commit_callbacks: Any
) -> None:
    unit = Unit.objects.get(code="stp")
    as_user(client, "bcd2")
    path = f"/plans/{plan.pk}/manual-scores"
    refused = send(
        client, "post", path, {"unit_id": unit.pk, "code": "1.6", "points": 2, "justification": "x"}
    )
    assert refused.status_code == 422 and "points" in json.dumps(refused.json()["errors"])
    not_manual = send(
        client, "post", path, {"unit_id": unit.pk, "code": "1.2", "points": 1, "justification": "x"}
    )
    assert not_manual.status_code == 422
    no_points = send(
        client, "post", path, {"unit_id": unit.pk, "code": "1.6", "justification": "x"}
    )
    assert no_points.status_code == 422 and "points" in json.dumps(no_points.json()["errors"])
    # Today's scores are recomputed once the entry is committed.
    with django_capture_on_commit_callbacks(execute=True) as after_commit:
        ok = send(
            client,
            "post",
            path,
            {"unit_id": unit.pk, "code": "1.6", "points": 0.75, "justification": "Có sáng kiến"},
        )
    assert ok.status_code == 201, ok.content
    assert len(after_commit) == 1
    assert ManualScore.objects.filter(plan=plan, unit=unit).count() == 1
    scores = send(client, "get", f"/plans/{plan.pk}/scores").json()
    [row] = [u for u in scores["units"] if u["unit_id"] == unit.pk]
    [part] = [s for s in row["subcriteria"] if s["code"] == "1.6"]
    assert part["points"] == "0.75" and "Có sáng kiến" in part["why"]
    history = send(client, "get", f"{path}?unit_id={unit.pk}").json()
    assert history["count"] == 1
    as_user(client, "stp.head")
    assert (
        send(
            client,
            "post",
            path,
            {"unit_id": unit.pk, "code": "1.6", "points": 1, "justification": "tự chấm"},
        ).status_code
        == 403
    )
    assert ManualScore.objects.filter(plan=plan, unit=unit).count() == 1


def test_a_task_tagged_with_an_unknown_sub_criterion_is_refused(client: Client, plan: Plan) -> None:
    as_user(client, "ubnd-tinh.head")
    body = {
        "title": "Nhiệm vụ gắn tiêu chí lạ",
        "area": 1,
        "subcriterion": "9.9",
        "lead_unit_id": unit_of("snv.head"),
        "due_date": "2026-12-31",
    }
    refused = send(client, "post", f"/plans/{plan.pk}/tasks", body)
    assert refused.status_code == 422
    assert "1.1, 1.2, 1.3, 1.4, 1.5, 1.6" in json.dumps(refused.json(), ensure_ascii=False)
    assert not plan.tasks.filter(title=body["title"]).exists()
    ok = send(client, "post", f"/plans/{plan.pk}/tasks", {**body, "subcriterion": "1.4"})
    assert ok.status_code == 201 and ok.json()["subcriterion"] == "1.4"
