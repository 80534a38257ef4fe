"""Scoring decisions as provinces write them: Cà Mau 1880/QĐ-UBND's area 1 as a three-level
set (by JSON and by the workbook), scored for four departments as computed by hand, with
each rule the decision needs (a required count, the unit's own plan, several codes, a
deadline relative to the province plan, caps) checked against a hand computation.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from openpyxl import Workbook, load_workbook

from assessments.council import results_of
from assessments.services import open_assessment
from kit.errors import Invalid
from plans import planning, rules
from plans.indexbooks import import_index_set_workbook, index_set_workbook
from plans.indexsets import export_index_set, import_index_set
from plans.models import IndexSet, Plan, Unit
from plans.scoring import Counts
from tasks.scores.days import enter_manual_score
from tasks.scores.rollup import rollup
from tests.factories import Province, make_province, make_unit, sign_in
from tests.factories import task_in_state as task

pytestmark = pytest.mark.django_db

d = dt.date
YEAR_END = d(2026, 12, 31)  # the appraisal looks at the whole year
STEPS = [{"from": 90, "points": 2}, {"from": 70, "points": 1}, {"from": 0, "points": 0}]
BANDS = [
    {"from": 100, "points": "full"},
    {"from": 80, "points": "proportional"},
    {"from": 0, "points": "zero"},
]


def leaf(code: str, name: str, top: str, rule: str, **params: Any) -> dict[str, Any]:
    return {"code": code, "name": name, "max_points": top, "rule": rule, "params": params}


# Cà Mau 1880/QĐ-UBND (2013), sở level, area 1 as its table reads (1.3's rows, not
# legible, scored here as an inspection rate).
CA_MAU: dict[str, Any] = {
    "year": None,
    "level": "department",
    "name": "Cà Mau: lĩnh vực 1, sở, ban, ngành",
    "source_document": "Quyết định 1880/QĐ-UBND của UBND tỉnh Cà Mau",
    "groups": [{"code": "Tốt", "from_pct": 90}, {"code": "Khá", "from_pct": 60}],
    "items": [
        {
            "code": "1",
            "name": "Công tác chỉ đạo, điều hành CCHC",
            "items": [
                {
                    "code": "1.1",
                    "name": "Kế hoạch CCHC năm",
                    "max_points": "5",
                    "items": [
                        leaf(
                            "1.1.1",
                            "Ban hành KH CCHC năm",
                            "1",
                            "plan_issued_on_time",
                            days_after_parent=15,
                            late_points=0.5,
                        ),
                        leaf("1.1.2", "Xác định đầy đủ nhiệm vụ, kinh phí", "1", "manual"),
                        leaf("1.1.3", "Kết quả, trách nhiệm rõ ràng", "1", "manual"),
                        leaf(
                            "1.1.4",
                            "Mức độ thực hiện KH",
                            "2",
                            "step_bands",
                            tasks="all",
                            plan="own",
                            bands=STEPS,
                        ),
                    ],
                },
                {
                    "code": "1.2",
                    "name": "Báo cáo CCHC",
                    "max_points": "2",
                    "items": [
                        leaf(
                            "1.2.1",
                            "Báo cáo quý I, 6 tháng, quý III, năm đúng hạn",
                            "1",
                            "on_time",
                            required=4,
                        ),
                        leaf("1.2.2", "Nội dung báo cáo", "1", "manual"),
                    ],
                },
                leaf("1.3", "Kiểm tra CCHC", "3", "completion_bands", bands=BANDS),
            ],
        }
    ],
}


@dataclass
class Scene:
    p: Province
    units: list[Unit]  # four departments

    @property
    def plan(self) -> Plan:
        return self.p.plan


def own_plan(p: Province, unit: Unit, issued: dt.date) -> Plan:
    return planning.create_plan(
        p.admin,
        unit_id=unit.pk,
        parent_id=p.plan.pk,
        year=2026,
        title=f"Kế hoạch CCHC năm 2026 của {unit.name}",
        issued_on=issued,
        status="issued",
    )


def scene_with(p: Province, index_set: IndexSet) -> Scene:
    """Four departments, their plans, tasks and appraisers' points, as the table below says."""
    d1, d2 = p.lead, p.other
    d3, d4 = make_unit("Sở Tài chính", parent=p.province), make_unit("Sở Y tế", parent=p.province)
    use(p, index_set)
    # The province plan was issued on 15/01/2026: the units' plans are due by 30/01.
    plans = {d1: own_plan(p, d1, d(2026, 1, 20)), d2: own_plan(p, d2, d(2026, 2, 10))}
    plans[d4] = own_plan(p, d4, d(2026, 1, 30))
    # 1.1.4 reads the unit's own plan: d1 2 of 2, d2 3 of 4, d4 0 of 2 (d3 has none).
    for unit, done, open_ in ((d1, 2, 0), (d2, 3, 1), (d4, 0, 2)):
        for n in range(done):
            task(plans[unit], unit, d(2026, 5, 1 + n), done=d(2026, 4, 20))
        for n in range(open_):
            task(plans[unit], unit, d(2026, 6, 1 + n))
    task(p.plan, d1, d(2026, 6, 1))  # in the province plan: not 1.1.4's
    # 1.2.1: four periodic reports required, on time.
    reports = [d(2026, 3, 20), d(2026, 6, 20), d(2026, 9, 20), d(2026, 12, 20)]
    for due in reports:
        task(p.plan, d1, due, tag="1.2.1", done=due)
    for due in reports[:2]:
        task(p.plan, d2, due, tag="1.2.1", done=due)
    for n, due in enumerate(reports):
        task(p.plan, d3, due, tag="1.2.1", done=due + dt.timedelta(days=n == 3))
    task(p.plan, d4, reports[0], tag="x")  # cancelled
    # 1.3: inspections d1 4 of 5, d2 2 of 2, d4 1 of 2.
    for unit, done, open_ in ((d1, 4, 1), (d2, 2, 0), (d4, 1, 1)):
        for n in range(done + open_):
            task(
                p.plan,
                unit,
                d(2026, 10, 1 + n),
                tag="1.3",
                done=d(2026, 9, 1) if n < done else None,
            )
    judged = {
        d1: ("1", "1", "1"),
        d2: ("0.5", "1", "0.5"),
        d3: ("1", "0.5", "1"),
        d4: ("1", "1", "0"),
    }
    for unit, points in judged.items():
        for code, given in zip(("1.1.2", "1.1.3", "1.2.2"), points, strict=True):
            enter_manual_score(
                p.committee,
                p.plan,
                unit_id=unit.pk,
                code=code,
                points=Decimal(given),
                justification="Theo hồ sơ",
            )
    return Scene(p, [d1, d2, d3, d4])


# By hand, as of 31/12/2026 (points of each node, "NA" where it does not apply):
# d1: 1.1 = 1 + 1 + 1 + 2 = 5; 1.2 = 1 + 1 = 2; 1.3 = 3 × 4/5 = 2.40 -> 9.40 of 10
# d2: 1.1 = 0.5 (late) + 0.5 + 1 + 1 (75%) = 3; 1.2 = 0 (2 of 4) + 0.5; 1.3 = 3 -> 6.50 of 10
# d3: 1.1 = 0 (no plan) + 1 + 0.5 + NA = 1.50 of 3; 1.2 = 0 (one late) + 1; 1.3 NA -> 2.50 of 5
# d4: 1.1 = 1 + 1 + 1 + 0 (0%) = 3; 1.2 = 0 (none: still required) + 0; 1.3 = 0 (50%) -> 3 of 10
EXPECTED = [
    ("9.40", "10.00", "94.00", "Tốt", 1, {"1.1": "5.00", "1.1.1": "1.00", "1.1.2": "1.00", "1.1.3": "1.00", "1.1.4": "2.00", "1.2": "2.00", "1.2.1": "1.00", "1.2.2": "1.00", "1.3": "2.40"}),  # noqa: E501
    ("6.50", "10.00", "65.00", "Khá", 2, {"1.1": "3.00", "1.1.1": "0.50", "1.1.2": "0.50", "1.1.3": "1.00", "1.1.4": "1.00", "1.2": "0.50", "1.2.1": "0.00", "1.2.2": "0.50", "1.3": "3.00"}),  # noqa: E501
    ("2.50", "5.00", "50.00", "", 3, {"1.1": "1.50", "1.1.1": "0.00", "1.1.2": "1.00", "1.1.3": "0.50", "1.1.4": "NA", "1.2": "1.00", "1.2.1": "0.00", "1.2.2": "1.00", "1.3": "NA"}),  # noqa: E501
    ("3.00", "10.00", "30.00", "", 4, {"1.1": "3.00", "1.1.1": "1.00", "1.1.2": "1.00", "1.1.3": "1.00", "1.1.4": "0.00", "1.2": "0.00", "1.2.1": "0.00", "1.2.2": "0.00", "1.3": "0.00"}),  # noqa: E501
]  # fmt: skip


def check_scores(scene: Scene) -> None:
    scored = {s.unit_id: s for s in rollup(scene.plan, YEAR_END)}
    for unit, (points, top, index, group, rank, parts) in zip(scene.units, EXPECTED, strict=True):
        s = scored[unit.pk]
        got = {p["code"]: p["points"] if p["applicable"] else "NA" for p in s.parts}
        assert (str(s.points), str(s.applicable_max), str(s.index_pct)) == (points, top, index)
        assert (s.group, s.rank, got) == (group, rank, parts), unit.name
        assert s.max_points == Decimal("10.00")


def test_ca_mau_area_one_loads_as_three_levels_and_scores_as_by_hand() -> None:
    p = make_province()
    index_set = import_index_set(p.admin, CA_MAU)
    assert index_set.year is None and index_set.cap_total
    assert export_index_set(index_set)["items"][0]["items"][0]["max_points"] == "5.00"
    scene = scene_with(p, index_set)
    check_scores(scene)
    # A group's why names its items; it follows the sub-criteria of its code.
    [first] = [s for s in rollup(scene.plan, YEAR_END) if s.unit_id == scene.units[0].pk]
    codes = [part["code"] for part in first.parts]
    assert codes == ["1.1", "1.1.1", "1.1.2", "1.1.3", "1.1.4", "1.2", "1.2.1", "1.2.2", "1.3"]
    group = first.parts[0]
    assert group["group"] and group["why"]["items"] == ["1.1.1", "1.1.2", "1.1.3", "1.1.4"]
    with translation.override("en"):
        assert rules.explain(group["why"]) == "The sum of 1.1.1, 1.1.2, 1.1.3, 1.1.4."


def test_the_api_and_the_pages_show_each_group_with_its_subtotal(client: Client) -> None:
    p = make_province()
    scene = scene_with(p, import_index_set(p.admin, CA_MAU))
    rollup(scene.plan, YEAR_END)
    sign_in(client, p.committee)
    body = client.get(f"/api/v1/plans/{p.plan.pk}/scores?as_of={YEAR_END}").json()
    first = next(u for u in body["units"] if u["unit_id"] == scene.units[0].pk)
    group = first["subcriteria"][0]
    assert (group["code"], group["group"], group["points"]) == ("1.1", True, "5.00")
    assert group["name"] == "Kế hoạch CCHC năm" and "1.1.4" in group["why"]
    page = client.get(f"/plans/{p.plan.pk}/scores/?as_of=31/12/2026").content.decode()
    assert 'title="Kế hoạch CCHC năm" class="subtotal"' in page
    workbook = client.get(f"/api/v1/plans/{p.plan.pk}/scores.xlsx?as_of={YEAR_END}")
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    header = [c.value for c in sheet[2]]
    assert header[3:12] == [
        "1.1",
        "1.1.1",
        "1.1.2",
        "1.1.3",
        "1.1.4",
        "1.2",
        "1.2.1",
        "1.2.2",
        "1.3",
    ]


def test_ca_mau_by_its_workbook_scores_the_same(client: Client) -> None:
    p = make_province()
    sign_in(client, p.admin)
    # A province official fills the template from the decision's table.
    template = client.get("/api/v1/index-sets/template.xlsx")
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.content))
    sheet, info = book["Bộ chỉ số"], book["Thông tin"]
    header = [c.value for c in sheet[2]]
    column = {str(h).rsplit("(", 1)[-1].rstrip(")"): i for i, h in enumerate(header) if h}
    rows: list[tuple[str, str, int | None, str, dict[str, Any]]] = [
        ("1", "Công tác chỉ đạo, điều hành CCHC", None, "", {}),
        ("1.1", "Kế hoạch CCHC năm", 5, "", {}),
        ("1.1.1", "Ban hành KH CCHC năm", 1, "plan_issued_on_time", {"days_after_parent": 15, "late_points": 0.5}),  # noqa: E501
        ("1.1.2", "Xác định đầy đủ nhiệm vụ, kinh phí", 1, "manual", {}),
        ("1.1.3", "Kết quả, trách nhiệm rõ ràng", 1, "manual", {}),
        ("1.1.4", "Mức độ thực hiện KH", 2, "step_bands", {"tasks": "all", "plan": "own", "bands": "90: 2; 70: 1; 0: 0"}),  # noqa: E501
        ("1.2", "Báo cáo CCHC", 2, "", {}),
        ("1.2.1", "Báo cáo quý I, 6 tháng, quý III, năm đúng hạn", 1, "on_time", {"required": 4}),
        ("1.2.2", "Nội dung báo cáo", 1, "manual", {}),
        ("1.3", "Kiểm tra CCHC", 3, "completion_bands", {"bands": "100: full; 80: proportional; 0: zero"}),  # noqa: E501
    ]  # fmt: skip
    for n, (code, name, top, rule, params) in enumerate(rows, start=3):
        sheet.cell(n, 1, code)
        sheet.cell(n, 2, name)
        sheet.cell(n, 3, top)
        sheet.cell(n, 4, rule)
        for key, value in params.items():
            sheet.cell(n, column[key] + 1, value)
    fields = {str(r[0].value).rsplit("(", 1)[-1].rstrip(")"): r[1] for r in info.iter_rows(3)}
    fields["name"].value = CA_MAU["name"]
    fields["level"].value = "department"
    fields["groups"].value = "Tốt: 90; Khá: 60"
    fields["source_document"].value = CA_MAU["source_document"]
    out = io.BytesIO()
    book.save(out)
    loaded = client.post(
        "/api/v1/index-sets", {"file": SimpleUploadedFile("ca-mau.xlsx", out.getvalue())}
    )
    assert loaded.status_code == 201, loaded.content
    made = IndexSet.objects.get(pk=loaded.json()["id"])
    expected = {
        k: v
        for k, v in export_index_set(import_index_set(p.admin, {**CA_MAU, "name": "x"})).items()
        if k not in ("id", "name")
    }
    assert {k: v for k, v in export_index_set(made).items() if k not in ("id", "name")} == expected
    check_scores(scene_with(p, made))


def test_a_set_exported_as_a_workbook_loads_back_and_faults_name_their_row(
    client: Client,
) -> None:
    p = make_province()
    original = import_index_set(p.admin, CA_MAU)
    sign_in(client, p.admin)
    answer = client.get(f"/api/v1/index-sets/{original.pk}.xlsx")
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.content))
    assert [c.value for c in book["Bộ chỉ số"]["A"]][2:5] == ["1", "1.1", "1.1.1"]
    book["Thông tin"]["B3"] = "Cà Mau: bản sao"  # the name's row
    out = io.BytesIO()
    book.save(out)
    copy_set = import_index_set_workbook(p.admin, out.getvalue())
    mine, theirs = export_index_set(copy_set), export_index_set(original)
    assert mine["items"] == theirs["items"] and mine["name"] == "Cà Mau: bản sao"
    # A bad band in row 8 (1.1.4) is named by its row; nothing is stored.
    book["Bộ chỉ số"].cell(8, 1).value = "1.1.4"
    bands = [c.value for c in book["Bộ chỉ số"][2]].index("bands") + 1
    book["Bộ chỉ số"].cell(8, bands).value = "90: 2; 90: 1"
    book["Thông tin"]["B3"] = "Cà Mau: bản lỗi"
    out = io.BytesIO()
    book.save(out)
    before = IndexSet.objects.count()
    with pytest.raises(Invalid) as refused, translation.override("vi"):
        import_index_set_workbook(p.admin, out.getvalue())
    assert "dòng 8.params.bands" in (refused.value.errors or {})
    assert IndexSet.objects.count() == before


def test_the_manage_command_loads_a_workbook_into_a_plans_level(tmp_path: Any) -> None:
    p = make_province()
    path = tmp_path / "ca-mau.xlsx"
    path.write_bytes(index_set_workbook(import_index_set(p.admin, CA_MAU)))
    # The same set again under another name, as a province loads its own file.
    book = load_workbook(path)
    book["Thông tin"]["B3"] = "Cà Mau: từ tệp"
    book.save(path)
    out = io.StringIO()
    call_command(
        "load_index_set",
        str(path),
        "--plan",
        str(p.plan.pk),
        "--as",
        p.admin.user.username,
        stdout=out,
    )
    made = IndexSet.objects.get(name="Cà Mau: từ tệp")
    assert f"Index set {made.pk} loaded" in out.getvalue()
    levels = {s.level: s for s in p.plan.index_sets.all()}
    assert levels["department"] == made and "commune" in levels  # the other level kept


# ---------------------------------------------------------------- each rule by hand


def counts(due: int, accepted: int, on_time: int) -> Counts:
    return Counts(due, accepted, on_time)


@pytest.mark.parametrize(
    ("rule", "params", "read", "points", "applicable"),
    [
        # Every report task on time, but two of the four required: nothing.
        ("on_time", {"required": 4}, counts(2, 2, 2), "0.00", True),
        ("on_time", {"required": 4}, counts(4, 4, 4), "1.00", True),
        ("on_time", {"required": 4}, counts(5, 5, 4), "1.00", True),
        # None due (the only one cancelled): still judged, as nothing done.
        ("on_time", {"required": 4}, counts(0, 0, 0), "0.00", True),
        ("on_time", {}, counts(0, 0, 0), "0.00", False),
        # Required 5, 4 done: 80% -> proportional, 1 × 4/5.
        ("completion_bands", {"required": 5, "bands": BANDS}, counts(4, 4, 4), "0.80", True),
        ("step_bands", {"required": 10, "bands": STEPS}, counts(8, 8, 8), "1.00", True),
    ],
)
def test_a_required_count_judges_against_the_number_required(
    rule: str, params: dict[str, Any], read: Counts, points: str, applicable: bool
) -> None:
    got = rules.apply(rules.Rule("1.2.1", rule, Decimal(1), params), read, YEAR_END)
    assert (str(got.points), got.applicable) == (points, applicable)
    if params.get("required"):
        assert got.why["required"] == params["required"]


def small_set(p: Province, name: str, items: list[dict[str, Any]], **more: Any) -> IndexSet:
    return import_index_set(
        p.admin,
        {
            "year": 2026,
            "level": "department",
            "name": name,
            "items": [{"code": "1", "name": "Lĩnh vực 1", "items": items}],
            **more,
        },
    )


def use(p: Province, index_set: IndexSet) -> None:
    """The plan's departments scored by `index_set` (its communes keep theirs)."""
    planning.set_index_set(p.admin, p.plan, index_set.level, index_set.pk)


def scored(p: Province, index_set: IndexSet, unit: Unit, as_of: dt.date = YEAR_END) -> Any:
    use(p, index_set)
    return next(s for s in rollup(p.plan, as_of) if s.unit_id == unit.pk)


def test_own_province_and_any_plan_count_their_own_tasks() -> None:
    p = make_province()
    unit_plan = own_plan(p, p.lead, d(2026, 1, 20))
    task(unit_plan, p.lead, d(2026, 3, 1), done=d(2026, 2, 1))  # own: 1 of 1
    task(p.plan, p.lead, d(2026, 3, 1))  # province: 0 of 2
    task(p.plan, p.lead, d(2026, 3, 2))
    steps = {"tasks": "all", "bands": [{"from": 100, "points": 3}, {"from": 0, "points": 0}]}
    index_set = small_set(
        p,
        "Theo kế hoạch",
        [
            leaf("1.1", "Kế hoạch của đơn vị", "3", "step_bands", plan="own", **steps),
            leaf("1.2", "Kế hoạch của tỉnh", "3", "step_bands", plan="province", **steps),
            leaf("1.3", "Mọi kế hoạch", "3", "completion_bands", tasks="all", bands=BANDS),
        ],
    )
    parts = {x["code"]: x for x in scored(p, index_set, p.lead).parts}
    assert (parts["1.1"]["points"], parts["1.1"]["why"]["due"]) == ("3.00", 1)
    assert (parts["1.2"]["points"], parts["1.2"]["why"]["due"]) == ("0.00", 2)
    # Any plan: 1 of 3 accepted, 33% -> below 80%, nothing.
    assert (parts["1.3"]["points"], parts["1.3"]["why"]["accepted"]) == ("0.00", 1)


def test_one_task_feeds_every_item_naming_its_code() -> None:
    p = make_province()
    task(p.plan, p.lead, d(2026, 3, 1), tag="1.2.1", done=d(2026, 2, 1))
    task(p.plan, p.lead, d(2026, 3, 2), tag="1.2.2", done=d(2026, 4, 1))  # late
    task(p.plan, p.lead, d(2026, 3, 3), tag="1.2.2")  # open
    index_set = small_set(
        p,
        "Nhiều mã",
        [
            leaf("1.2.1", "Báo cáo đúng hạn", "1", "on_time"),
            leaf("1.2.2", "Báo cáo chuyên đề", "1", "completion_bands", bands=BANDS),
            # 1.2.9 reads both tags: 2 of 3 accepted, 1 of 3 on time.
            leaf(
                "1.2.9",
                "Mọi báo cáo",
                "3",
                "completion_bands",
                codes=["1.2.1", "1.2.2"],
                bands=BANDS,
            ),
            leaf("1.2.8", "Mọi báo cáo đúng hạn", "1", "on_time", codes=["1.2.1", "1.2.2"]),
        ],
    )
    parts = {x["code"]: x for x in scored(p, index_set, p.lead).parts}
    assert parts["1.2.1"]["points"] == "1.00"  # its one task, on time
    assert (parts["1.2.2"]["why"]["due"], parts["1.2.2"]["why"]["accepted"]) == (2, 1)
    assert (parts["1.2.9"]["why"]["due"], parts["1.2.9"]["why"]["accepted"]) == (3, 2)
    assert parts["1.2.9"]["points"] == "0.00"  # 67%: below 80%
    assert (parts["1.2.8"]["why"]["on_time"], parts["1.2.8"]["points"]) == (1, "0.00")


def test_a_deadline_relative_to_the_province_plan() -> None:
    p = make_province()  # the province plan issued on 15/01/2026: due by 30/01
    own_plan(p, p.lead, d(2026, 1, 30))
    own_plan(p, p.other, d(2026, 1, 31))
    index_set = small_set(
        p,
        "Hạn theo kế hoạch tỉnh",
        [
            leaf(
                "1.1",
                "Ban hành kế hoạch",
                "1",
                "plan_issued_on_time",
                days_after_parent=15,
                late_points=0.25,
            )
        ],
    )
    on_time = scored(p, index_set, p.lead).parts[0]
    late = next(s for s in rollup(p.plan, YEAR_END) if s.unit_id == p.other.pk).parts[0]
    assert (on_time["points"], on_time["why"]["deadline"]) == ("1.00", "2026-01-30")
    assert (late["points"], late["why"]["deadline"]) == ("0.25", "2026-01-30")
    # A province plan not issued yet: no deadline, nothing to judge.
    rule = rules.kind_of("plan_issued_on_time").for_plan(
        rules.Rule("1.1", "plan_issued_on_time", Decimal(1), {"days_after_parent": 15}), None
    )
    assert not rules.apply(rule, d(2026, 1, 20), YEAR_END).applicable
    with pytest.raises(Invalid):  # a date and days together are one too many
        small_set(
            p,
            "Hai hạn",
            [
                leaf(
                    "1.1",
                    "x",
                    "1",
                    "plan_issued_on_time",
                    deadline="2026-01-31",
                    days_after_parent=15,
                )
            ],
        )


def test_a_group_caps_its_items_and_a_bonus_never_lifts_past_the_maximum() -> None:
    p = make_province()
    for n in range(2):
        task(p.plan, p.lead, d(2026, 3, 1 + n), tag="1.1.1", done=d(2026, 2, 1))
        task(p.plan, p.lead, d(2026, 3, 1 + n), tag="1.1.2", done=d(2026, 2, 1))
        task(p.plan, p.lead, d(2026, 3, 1 + n), tag="1.2")  # 1.2: nothing done
    items = [
        {
            "code": "1.1",
            "name": "Hai việc, tối đa 2 điểm",
            "max_points": "2",
            "items": [
                leaf("1.1.1", "Việc một", "1.5", "on_time"),
                leaf("1.1.2", "Việc hai", "1.5", "on_time"),
            ],
        },
        leaf("1.2", "Việc ba", "2", "on_time"),
        leaf("1.3", "Điểm thưởng", "1", "bonus"),
    ]
    capped = small_set(p, "Có trần", items)
    use(p, capped)
    enter_manual_score(
        p.committee,
        p.plan,
        unit_id=p.lead.pk,
        code="1.3",
        points=Decimal("1"),
        justification="Sáng kiến",
    )
    # 1.1: 1.5 + 1.5 = 3, capped at 2; 1.2: 0; bonus 1 -> 3 of 4 (the maximum: 2 + 2).
    s = scored(p, capped, p.lead)
    parts = {x["code"]: x for x in s.parts}
    assert (parts["1.1"]["points"], parts["1.1"]["why"].get("capped")) == ("2.00", True)
    assert (str(s.points), str(s.applicable_max), str(s.index_pct)) == ("3.00", "4.00", "75.00")
    # 1.2 on time as well: 2 + 2 + 1 = 5 of 4, capped at the maximum: 100%, not 125%.
    for t in p.plan.tasks.filter(subcriterion="1.2"):
        t.status, t.completed_at = "done", dt.datetime(2026, 2, 1, 8, tzinfo=dt.UTC)
        t.save()
    s = scored(p, capped, p.lead)
    assert (str(s.points), str(s.index_pct)) == ("4.00", "100.00")
    # Unless the set says otherwise.
    uncapped = small_set(p, "Không trần tổng", copy.deepcopy(items), cap_total=False)
    s = scored(p, uncapped, p.lead)
    assert (str(s.points), str(s.index_pct)) == ("5.00", "125.00")


def test_a_set_of_any_year_and_one_level_changed_at_a_time(client: Client) -> None:
    p = make_province()
    sign_in(client, p.admin)
    any_year = import_index_set(p.admin, {**CA_MAU, "name": "Dùng nhiều năm"})
    before = {s.level: s.pk for s in p.plan.index_sets.all()}
    put = client.put(
        f"/api/v1/plans/{p.plan.pk}/index-sets/department",
        json.dumps({"index_set_id": any_year.pk}),
        "application/json",
    )
    assert put.status_code == 200, put.content
    assert sorted(put.json()["index_set_ids"]) == sorted([any_year.pk, before["commune"]])
    wrong = client.put(
        f"/api/v1/plans/{p.plan.pk}/index-sets/commune",
        json.dumps({"index_set_id": any_year.pk}),
        "application/json",
    )
    assert wrong.status_code == 422 and "index_set_id" in str(wrong.json())
    # PATCH with one level's set keeps the other level's.
    patched = client.patch(
        f"/api/v1/plans/{p.plan.pk}",
        json.dumps({"index_set_ids": [before["department"]]}),
        "application/json",
    )
    assert sorted(patched.json()["index_set_ids"]) == sorted(before.values())
    # A year-less set serves next year's plan too; the listing of a year shows it.
    assert any(
        s["id"] == any_year.pk for s in client.get("/api/v1/index-sets?year=2031").json()["items"]
    )
    following = make_province(2027)
    planning.set_index_set(following.admin, following.plan, "department", any_year.pk)
    assert any_year in following.plan.index_sets.all()
    # Only the plan's manager chooses.
    sign_in(client, p.lead_head)
    refused = client.put(
        f"/api/v1/plans/{p.plan.pk}/index-sets/department",
        json.dumps({"index_set_id": any_year.pk}),
        "application/json",
    )
    assert refused.status_code == 403


def test_a_workbook_that_is_not_one_is_refused_clearly(client: Client) -> None:
    p = make_province()
    sign_in(client, p.admin)
    empty = Workbook()
    out = io.BytesIO()
    empty.save(out)
    answer = client.post(
        "/api/v1/index-sets", {"file": SimpleUploadedFile("a.xlsx", out.getvalue())}
    )
    assert answer.status_code == 422 and "code" in answer.json()["detail"]
    answer = client.post("/api/v1/index-sets", {"file": SimpleUploadedFile("a.txt", b"hello")})
    assert answer.status_code == 422 and "JSON" in answer.json()["detail"]
    answer = client.post("/api/v1/index-sets", "{not json", "application/json")
    assert answer.status_code == 400


def test_the_assessment_adds_groups_up_as_the_set_does(client: Client) -> None:
    p = make_province()
    capped = small_set(
        p,
        "Có trần, tự đánh giá",
        [
            {
                "code": "1.1",
                "name": "Hai việc, tối đa 2 điểm",
                "max_points": "2",
                "items": [
                    leaf("1.1.1", "Việc một", "1.5", "manual"),
                    leaf("1.1.2", "Việc hai", "1.5", "manual"),
                ],
            },
            leaf("1.2", "Việc ba", "1", "manual"),
        ],
    )
    use(p, capped)
    for code, points in (("1.1.1", "1.5"), ("1.1.2", "1.5"), ("1.2", "0.5")):
        enter_manual_score(
            p.committee,
            p.plan,
            unit_id=p.lead.pk,
            code=code,
            points=Decimal(points),
            justification="Theo hồ sơ",
        )
    a = open_assessment(
        p.committee, p.plan, self_closes_on=d(2026, 12, 10), appraisal_closes_on=d(2026, 12, 20)
    )
    sheet = a.sheets.get(unit=p.lead)
    # A group is no line to self-assess: its subtotal follows from its items.
    assert [i.code for i in sheet.items.order_by("position")] == ["1.1.1", "1.1.2", "1.2"]
    sign_in(client, p.lead_head)
    html = client.get(f"/assessments/{a.pk}/units/{p.lead.pk}/").content.decode()
    # 1.1: 1.5 + 1.5 capped at 2; the total 2 + 0.5 of 3.
    assert 'class="subtotal"' in html and "Hai việc, tối đa 2 điểm" in html
    assert "2,50 / 3,00" in html
    sheet_api = client.get(f"/api/v1/assessments/{a.pk}/units/{p.lead.pk}").json()
    assert sheet_api["groups"] == [
        {
            "code": "1.1",
            "name": "Hai việc, tối đa 2 điểm",
            "computed_points": "2.00",
            "self_points": "2.00",
            "appraised_points": "2.00",
            "applicable_max": "2.00",
        }
    ]
    [result] = [r for r in results_of(a, d(2026, 12, 1)) if r.unit_id == p.lead.pk]
    assert (result.self_total, result.lines["1.1"]) == (Decimal("2.50"), ["2.00", "2.00"])


def test_what_a_set_cannot_say_is_refused_naming_it() -> None:
    p = make_province()
    bad = {
        "any-year date": {**CA_MAU, "name": "a"},
        "codes twice": small_doc([leaf("1.1", "x", "1", "on_time", codes=["1.1", "1.1"])]),
        "top-level leaf": {**small_doc([]), "items": [leaf("1.3", "Kiểm tra", "3", "manual")]},
    }
    bad["any-year date"]["items"] = copy.deepcopy(CA_MAU["items"])
    first = bad["any-year date"]["items"][0]["items"][0]["items"][0]
    first["params"] = {"deadline": "2026-01-31"}
    expected = {
        "any-year date": "items[0].items[0].items[0].params.deadline",
        "codes twice": "items[0].items[0].params.codes",
        "top-level leaf": "items[0]",
    }
    for name, doc in bad.items():
        with pytest.raises(Invalid) as refused:
            import_index_set(p.admin, doc)
        assert expected[name] in (refused.value.errors or {}), name


def small_doc(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "year": 2026,
        "level": "department",
        "name": "Bộ nhỏ",
        "items": [{"code": "1", "name": "Lĩnh vực 1", "items": items}],
    }


def test_a_tag_no_item_reads_is_refused() -> None:
    p = make_province()
    use(p, import_index_set(p.admin, CA_MAU))
    for tag in ("1", "9.9"):  # a group's code; no code at all
        with pytest.raises(Invalid):
            p.task(subcriterion=tag)
    assert p.task(subcriterion="1.2.1").subcriterion == "1.2.1"


def test_another_year_keeps_the_sets_of_any_year() -> None:
    p = make_province()
    any_year = import_index_set(p.admin, CA_MAU)
    use(p, any_year)
    planning.update_plan(p.admin, p.plan, year=2027)
    sets = {s.level: s for s in p.plan.index_sets.all()}
    assert sets["department"] == any_year and sets["commune"].year == 2027


def test_the_workbooks_rows_say_what_is_wrong_with_them() -> None:
    p = make_province()
    book = load_workbook(io.BytesIO(index_set_workbook(None)))
    sheet = book["Bộ chỉ số"]
    column = {
        str(h).rsplit("(", 1)[-1].rstrip(")"): i + 1
        for i, h in enumerate(c.value for c in sheet[2])
    }
    rows = [
        ("1", "Lĩnh vực 1", None, ""),
        ("1.1", "Ban hành kế hoạch", 1, "plan_issued_on_time"),
        ("1.1.1", "Dưới một tiêu chí có quy tắc", 1, "manual"),
        ("1.2", "Không quy tắc, không mục con", 1, ""),
        ("Một", "Không phải mã", 1, "manual"),
    ]
    for n, (code, name, top, rule) in enumerate(rows, start=3):
        for key, value in (("code", code), ("name", name), ("max_points", top), ("rule", rule)):
            sheet.cell(n, column[key], value)
    sheet.cell(4, column["deadline"], dt.date(2026, 1, 31))  # typed as a date in Excel
    book["Thông tin"]["B3"] = "Bộ có lỗi"
    book["Thông tin"]["B4"] = 2026  # a date of one year needs a set of that year
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(Invalid) as refused, translation.override("en"):
        import_index_set_workbook(p.admin, out.getvalue())
    errors = refused.value.errors or {}
    assert set(errors) == {"row 5", "row 6", "row 7"}
    assert "1.1.1 lies under 1.1" in errors["row 5"]
    assert "no rule and nothing under it" in errors["row 6"]
    assert "not a code" in errors["row 7"]
    # Without the faulty rows, the typed date is the deadline.
    for n in (5, 6, 7):
        for key in ("code", "name", "max_points", "rule"):
            sheet.cell(n, column[key]).value = None
    out = io.BytesIO()
    book.save(out)
    made = import_index_set_workbook(p.admin, out.getvalue())
    [leaf_row] = export_index_set(made)["items"][0]["items"]
    assert leaf_row["params"] == {"deadline": "2026-01-31"}


def test_the_workbooks_guide_speaks_the_readers_language() -> None:
    with translation.override("vi"):
        guide = load_workbook(io.BytesIO(index_set_workbook(None)))["Quy tắc"]
    said = {row[2].value: row[3].value for row in guide.iter_rows(min_row=3) if row[2].value}
    assert said["required"].startswith("Số nhiệm vụ phải hoàn thành")
    assert said["days_after_parent"].startswith("Hoặc: hạn là số ngày")
