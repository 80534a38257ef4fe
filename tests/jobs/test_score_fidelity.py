"""The score as the province is judged by, computed by hand for a small province.

Six units of a province plan, scored on 22/11/2026 (and on 25/01/2026, before
the units' plans are due), each figure checked to 0.01 against the API, the
score page and the dashboard:

- departments, by a set the province loaded as a JSON document (max 6):
  1.1 own plan (1; late 0.5), 1.2 every task led (3), 1.3 reports on time (1),
  1.4 inspections in steps (1: 100% 1, from 70% 0.5), 1.5 a penalty (cap 1);
- communes, by the demo set of xã, phường (max 8): 1.1, 1.2, 1.3 as above,
  1.4 the work-records figure against the commune target of 40% (2,
  proportional below), 1.5 judged (1), 1.6 a penalty (cap 1).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from plans import planning
from plans.indexsets import import_index_set, standard_documents, standard_index_sets
from plans.models import IndexSet, Level, Plan, ScoreSnapshot, Unit
from tasks.scores.days import enter_manual_score, recompute_scores
from tasks.scores.rollup import rollup
from tests.factories import Province, make_province, make_unit, sign_in
from tests.factories import task_in_state as task

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 22)
EARLY = dt.date(2026, 1, 25)
d = dt.date

DEPARTMENT_SET: dict[str, Any] = {
    "year": 2026,
    "level": "department",
    "name": "Bộ chỉ số thử của tỉnh: sở, ban, ngành",
    "label": "Lĩnh vực 1 — Công tác chỉ đạo, điều hành CCHC",
    "source_document": "Quyết định 1187/QĐ-BNV",
    "groups": [
        {"code": "A", "from_pct": 90},
        {"code": "B", "from_pct": 80},
        {"code": "C", "from_pct": 70},
        {"code": "D", "from_pct": 0},
    ],
    "criteria": [
        {
            "code": "1",
            "name": "Công tác chỉ đạo, điều hành CCHC",
            "subcriteria": [
                {
                    "code": "1.1",
                    "name": "Kế hoạch CCHC năm ban hành kịp thời",
                    "max_points": "1.00",
                    "rule": "plan_issued_on_time",
                    "params": {"deadline": "2026-01-31", "late_points": "0.50"},
                },
                {
                    "code": "1.2",
                    "name": "Mức độ hoàn thành kế hoạch CCHC",
                    "max_points": "3.00",
                    "rule": "completion_bands",
                    "params": {
                        "tasks": "all",
                        "bands": [
                            {"from": 100, "points": "full"},
                            {"from": 80, "points": "proportional"},
                            {"from": 0, "points": "zero"},
                        ],
                    },
                },
                {
                    "code": "1.3",
                    "name": "Báo cáo CCHC định kỳ",
                    "max_points": "1.00",
                    "rule": "on_time",
                    "params": {"tasks": "tagged"},
                },
                {
                    "code": "1.4",
                    "name": "Kiểm tra CCHC",
                    "max_points": "1.00",
                    "rule": "step_bands",
                    "params": {
                        "tasks": "tagged",
                        "bands": [
                            {"from": 100, "points": 1},
                            {"from": 70, "points": 0.5},
                            {"from": 0, "points": 0},
                        ],
                    },
                },
                {
                    "code": "1.5",
                    "name": "Vi phạm kỷ luật, kỷ cương hành chính (điểm trừ)",
                    "max_points": "1.00",
                    "rule": "penalty",
                    "params": {},
                },
            ],
        }
    ],
}


@dataclass
class Scene:
    p: Province
    lead: Unit  # 1.2 80%, 1.3 on time, 1.4 two of three: 4.40 of 6
    other: Unit  # plan late, all done, penalty: 3.25 of 4
    tie: Unit  # the same as `other`
    cancelled: Unit  # every task cancelled, no plan of its own
    c1: Unit  # figure 30% of a 40% target
    c2: Unit  # figure 45%, judged 0.75, no task due

    @property
    def plan(self) -> Plan:
        return self.p.plan


@pytest.fixture
def scene() -> Scene:
    p = make_province()
    lead, other = p.lead, p.other
    cancelled = make_unit("Sở Xây dựng", parent=p.province)
    tie = make_unit("Sở Y tế", parent=p.province)
    c1 = make_unit("Xã Một", Level.COMMUNE, parent=p.province)
    c2 = make_unit("Xã Hai", Level.COMMUNE, parent=p.province)
    departments = import_index_set(p.admin, DEPARTMENT_SET)
    [_demo_department, communes] = standard_index_sets(2026)
    planning.update_plan(p.admin, p.plan, index_set_ids=[departments.pk, communes.pk])
    for unit, issued in ((lead, 20), (other, 41), (tie, 36), (c1, 25), (c2, 31)):
        planning.create_plan(
            p.admin,
            unit_id=unit.pk,
            parent_id=p.plan.pk,
            year=2026,
            title=f"Kế hoạch CCHC năm 2026 của {unit.name}",
            issued_on=d(2026, 1, 1) + dt.timedelta(days=issued - 1),
            status="issued",
        )
    indicator = planning.create_indicator(
        p.admin,
        p.plan,
        code="hscv-mang",
        name="Hồ sơ công việc xử lý trên môi trường mạng",
        targets=[{"level": "commune", "target_pct": Decimal(40)}],
    )
    for unit, numerator in ((c1, 60), (c2, 90)):
        planning.report_measurement(
            p.admin,
            indicator,
            unit_id=unit.pk,
            period_start=d(2026, 4, 1),
            period_end=d(2026, 6, 30),
            numerator=numerator,
            denominator=200,
        )
    plan = p.plan
    for n in range(5):  # four of five done on time
        task(plan, lead, d(2026, 3, 10 + n), done=d(2026, 3, 1) if n < 4 else None)
    for n in range(2):
        task(plan, lead, d(2026, 4, 15 + n), tag="1.3", done=d(2026, 4, 10))
    for n in range(3):  # inspections: two of three
        task(plan, lead, d(2026, 5, 10 + n), tag="1.4", done=d(2026, 5, 1) if n < 2 else None)
    for unit in (other, tie):
        for n in range(2):
            task(plan, unit, d(2026, 6, 1 + n), done=d(2026, 5, 20))
        enter_manual_score(
            p.committee,
            plan,
            unit_id=unit.pk,
            code="1.5",
            points=Decimal("0.25"),
            justification="01 hồ sơ trễ hạn không có văn bản xin lỗi",
        )
    task(plan, cancelled, d(2026, 3, 1), tag="x")
    task(plan, cancelled, d(2026, 4, 1), tag="x")
    task(plan, c1, d(2026, 6, 1), done=d(2026, 5, 30))
    enter_manual_score(
        p.committee,
        plan,
        unit_id=c2.pk,
        code="1.5",
        points=Decimal("0.75"),
        justification="Mô hình một cửa số được công nhận",
    )
    return Scene(p, lead, other, tie, cancelled, c1, c2)


# unit -> (points, applicable maximum, index, group, rank, {code: points or "NA"})
EXPECTED = {
    "lead": ("4.40", "6.00", "73.33", "C", 3, {"1.1": "1.00", "1.2": "2.40", "1.3": "1.00", "1.4": "0.00", "1.5": "0.00"}),  # noqa: E501
    "other": ("3.25", "4.00", "81.25", "B", 1, {"1.1": "0.50", "1.2": "3.00", "1.3": "NA", "1.4": "NA", "1.5": "-0.25"}),  # noqa: E501
    "tie": ("3.25", "4.00", "81.25", "B", 1, {"1.1": "0.50", "1.2": "3.00", "1.3": "NA", "1.4": "NA", "1.5": "-0.25"}),  # noqa: E501
    "cancelled": ("0.00", "1.00", "0.00", "D", 4, {"1.1": "0.00", "1.2": "NA", "1.3": "NA", "1.4": "NA", "1.5": "0.00"}),  # noqa: E501
    "c1": ("5.50", "7.00", "78.57", "C", 2, {"1.1": "1.00", "1.2": "3.00", "1.3": "NA", "1.4": "1.50", "1.5": "0.00", "1.6": "0.00"}),  # noqa: E501
    "c2": ("3.75", "4.00", "93.75", "A", 1, {"1.1": "1.00", "1.2": "NA", "1.3": "NA", "1.4": "2.00", "1.5": "0.75", "1.6": "0.00"}),  # noqa: E501
}  # fmt: skip


def api_scores(client: Client, scene: Scene, as_of: dt.date) -> dict[int, dict[str, Any]]:
    sign_in(client, scene.p.committee)
    body = client.get(
        f"/api/v1/plans/{scene.plan.pk}/scores?as_of={as_of}", HTTP_ACCEPT_LANGUAGE="vi"
    ).json()
    return {u["unit_id"]: u for u in body["units"]}


def test_each_unit_is_scored_as_computed_by_hand(client: Client, scene: Scene) -> None:
    recompute_scores(scene.p.committee, scene.plan, TODAY)
    units = api_scores(client, scene, TODAY)
    # The province-level unit has no set of its level: it is not scored.
    assert set(units) == {getattr(scene, name).pk for name in EXPECTED}
    for name, (points, top, index, group, rank, parts) in EXPECTED.items():
        row = units[getattr(scene, name).pk]
        got = {s["code"]: s["points"] if s["applicable"] else "NA" for s in row["subcriteria"]}
        assert (row["points"], row["applicable_max"], row["index_pct"]) == (points, top, index)
        assert (row["group"], row["rank"], got) == (group, rank, parts), name
    # The late plan's why; the commune's figure below its target.
    other = {s["code"]: s for s in units[scene.other.pk]["subcriteria"]}
    assert other["1.1"]["why"] == (
        "Kế hoạch của đơn vị ban hành ngày 10/02/2026, sau hạn 31/01/2026: 0,5 điểm."
    )
    c1 = {s["code"]: s for s in units[scene.c1.pk]["subcriteria"]}
    assert c1["1.4"]["why_data"]["actual_pct"] == "30.00"
    assert c1["1.3"]["why"].startswith("Không áp dụng: không có nhiệm vụ đến hạn")
    cancelled = {s["code"]: s for s in units[scene.cancelled.pk]["subcriteria"]}
    assert cancelled["1.1"]["why"] == (
        "Đơn vị chưa ban hành kế hoạch (hạn 31/01/2026): không có điểm."
    )


def test_before_the_plans_are_due_nothing_applies_to_the_unit_with_everything_cancelled(
    client: Client, scene: Scene
) -> None:
    rollup(scene.plan, EARLY)
    units = api_scores(client, scene, EARLY)
    # Only the lead department has anything to judge on 25/01: its plan, on time.
    lead = units[scene.lead.pk]
    assert (lead["points"], lead["applicable_max"], lead["index_pct"], lead["rank"]) == (
        "1.00",
        "1.00",
        "100.00",
        1,
    )
    for unit in (scene.cancelled, scene.other, scene.tie):
        row = units[unit.pk]
        assert (row["index_pct"], row["group"], row["rank"]) == (None, None, None)
        assert not any(s["applicable"] for s in row["subcriteria"] if s["code"] != "1.5")
    # Not issued yet, not yet due: 1.1 does not apply (and says why).
    first = units[scene.cancelled.pk]["subcriteria"][0]
    assert first["why"] == (
        "Không áp dụng: chưa đến hạn ban hành kế hoạch của đơn vị (31/01/2026)."
    )
    # The dashboard ranks the one unit with an index and lists the others unranked.
    sign_in(client, scene.p.committee)
    page = client.get(f"/?plan={scene.plan.pk}&as_of=25/01/2026").content.decode()
    assert "100,00%" in page and "chưa có cơ sở chấm điểm" in page


def test_the_score_page_and_the_dashboard_show_the_same_figures(
    client: Client, scene: Scene
) -> None:
    recompute_scores(scene.p.committee, scene.plan, TODAY)
    sign_in(client, scene.p.committee)
    table = client.get(f"/plans/{scene.plan.pk}/scores/").content.decode()
    overview = client.get(f"/?plan={scene.plan.pk}").content.decode()
    assert "Lĩnh vực 1 — Công tác chỉ đạo, điều hành CCHC" in table
    assert "Quyết định 1187/QĐ-BNV" in table
    for points, top, index, _group, _rank, _parts in EXPECTED.values():
        comma = index.replace(".", ",") + "%"
        assert comma in table and comma in overview, index
        assert f"{points.replace('.', ',')}</strong>" in table
        assert top.replace(".", ",") in table
    unit_page = client.get(
        f"/dashboard/units/{scene.other.pk}/?plan={scene.plan.pk}"
    ).content.decode()
    assert "81,25%" in unit_page and "nhóm B" in unit_page and "hạng 1/4" in unit_page
    assert "tính lúc" in unit_page
    # The indicator is named in words, not by its code.
    commune = client.get(f"/dashboard/units/{scene.c1.pk}/?plan={scene.plan.pk}").content.decode()
    assert "Hồ sơ công việc xử lý trên môi trường mạng: 30% tại ngày 30/06/2026" in commune


def test_a_round_trip_export_edit_import_assign_recompute(client: Client, scene: Scene) -> None:
    """Export a set, raise 1.2's maximum to 4, load it as a new set, score by it."""
    sign_in(client, scene.p.admin)
    [departments] = [s for s in scene.plan.index_sets.all() if s.level == Level.DEPARTMENT]
    exported = client.get(f"/api/v1/index-sets/{departments.pk}").json()
    assert exported["items"][0]["items"][1]["max_points"] == "3.00"
    changed = copy.deepcopy(exported)
    del changed["id"]
    changed["name"] = "Bộ chỉ số thử của tỉnh: sở, ban, ngành (sửa đổi)"
    changed["items"][0]["items"][1]["max_points"] = "4.00"
    loaded = client.post("/api/v1/index-sets", json.dumps(changed), "application/json")
    assert loaded.status_code == 201, loaded.content
    assert loaded.json()["items"] == changed["items"]
    new_id = loaded.json()["id"]
    communes = [s.pk for s in scene.plan.index_sets.all() if s.level == Level.COMMUNE]
    patched = client.patch(
        f"/api/v1/plans/{scene.plan.pk}",
        json.dumps({"index_set_ids": [new_id, *communes]}),
        "application/json",
    )
    assert patched.status_code == 200, patched.content
    ran = client.post(f"/api/v1/plans/{scene.plan.pk}/rollup?as_of={TODAY}").json()
    units = {u["unit_id"]: u for u in ran["units"]}
    # The lead: 1.2 = 4 x 80% = 3.20; 1 + 3.20 + 1 + 0 = 5.20 of 7 = 74.29%.
    lead = units[scene.lead.pk]
    assert (lead["points"], lead["applicable_max"], lead["index_pct"]) == (
        "5.20",
        "7.00",
        "74.29",
    )
    # The others: 0.5 + 4 - 0.25 = 4.25 of 5 = 85%; the communes do not move.
    assert units[scene.other.pk]["index_pct"] == "85.00"
    assert units[scene.c1.pk]["index_pct"] == "78.57"
    assert {units[u.pk]["index_set_id"] for u in (scene.lead, scene.tie)} == {new_id}


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda doc: doc["criteria"][0]["subcriteria"][1].update(rule="magic"), "rule"),
        (lambda doc: doc["criteria"][0]["subcriteria"][2].update(max_points="-1"), "max_points"),
        (
            lambda doc: doc["criteria"][0]["subcriteria"][3]["params"]["bands"].append(
                {"from": 70, "points": 1}
            ),
            "params.bands",
        ),
        (
            lambda doc: doc["criteria"][0]["subcriteria"][1]["params"]["bands"].pop(),
            "params.bands",
        ),
        (lambda doc: doc["criteria"][0]["subcriteria"][4].update(code="1.2"), "code"),
        (lambda doc: doc.update(groups=[{"code": "A", "from_pct": 120}]), "groups"),
    ],
    ids=[
        "unknown-rule",
        "negative-maximum",
        "bands-overlap",
        "bands-gap",
        "duplicate-code",
        "group",
    ],
)
def test_a_bad_index_set_is_refused_whole_naming_the_item(
    client: Client, change: Any, named: str
) -> None:
    p = make_province()
    sign_in(client, p.admin)
    doc = copy.deepcopy(DEPARTMENT_SET)
    doc["name"] = "Bộ chỉ số có lỗi"
    change(doc)
    before = IndexSet.objects.count()
    response = client.post("/api/v1/index-sets", json.dumps(doc), "application/json")
    assert response.status_code == 422, response.content
    body = response.json()
    assert any(named in e["loc"][-1] for e in body["errors"]), body
    assert "criteria[0]" in json.dumps(body) or named == "groups"
    assert IndexSet.objects.count() == before
    # Only an administrator loads a set.
    sign_in(client, p.plan_head)
    good = {**DEPARTMENT_SET, "name": "Bộ chỉ số khác"}
    assert (
        client.post("/api/v1/index-sets", json.dumps(good), "application/json").status_code == 403
    )


def test_the_standard_documents_load_back_as_they_are_exported(client: Client) -> None:
    p = make_province()
    sign_in(client, p.admin)
    listed = client.get("/api/v1/index-sets?year=2026").json()["items"]
    by_level = {s["level"]: s for s in listed if s["name"].startswith("Bộ chỉ số mẫu")}
    for doc in standard_documents(2026):
        exported = {k: v for k, v in by_level[doc["level"]].items() if k != "id"}
        assert exported == json.loads(json.dumps(doc)), doc["level"]


def test_snapshots_keep_the_index_and_the_group(scene: Scene) -> None:
    rollup(scene.plan, TODAY)
    snap = ScoreSnapshot.objects.get(plan=scene.plan, unit=scene.c2, as_of=TODAY)
    assert (snap.points, snap.applicable_max, snap.index_pct, snap.group, snap.rank) == (
        Decimal("3.75"),
        Decimal("4.00"),
        Decimal("93.75"),
        "A",
        1,
    )
    assert snap.max_points == Decimal("8.00")
