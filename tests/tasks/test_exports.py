"""Excel out: the plan's tasks (the appendix's columns), the overdue list, the score table."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from tasks import services
from tasks.models import Task
from tasks.scores.rollup import rollup
from tests.api.test_tasks_api import Api
from tests.conftest import TODAY, upload
from tests.factories import Province, sign_in

pytestmark = pytest.mark.django_db

HEADER = [
    "STT",
    "Nhiệm vụ",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Thời hạn",
    "Sản phẩm dự kiến",
    "Lĩnh vực",
    "Tiêu chí thành phần",
    "Người thực hiện",
    "Thời hạn ban đầu",
    "Trạng thái",
    "Ngày hoàn thành",
    "Văn bản kiểm chứng",
]


def workbook(response: Any) -> Any:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def rows_of(book: Any) -> tuple[str, list[str], list[tuple[Any, ...]]]:
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    return str(rows[0][0]), [str(c) for c in rows[1]], rows[2:]


@pytest.fixture
def plan_tasks(province: Province) -> dict[str, Task]:
    p = province
    report = p.task(
        title="Báo cáo CCHC quý IV",
        due_date=dt.date(2026, 12, 15),
        area=1,
        subcriterion="1.3",
        partners=(p.other,),
    )
    sub = services.create_task(
        p.lead_head,
        p.plan,
        title="Tổng hợp số liệu",
        area=1,
        lead_unit_id=p.lead.pk,
        due_date=dt.date(2026, 12, 10),
        parent=report,
        assignee_ids=[p.colleague.pk],
        confirm_past_deadline=True,
    )
    late = p.task(title="Rà soát thủ tục", due_date=dt.date(2026, 10, 1), area=3)
    done = p.task(title="Kiểm tra nội bộ", due_date=dt.date(2026, 11, 1), area=1)
    services.add_evidence(
        p.assignee, done, file=upload(), filename="bb.pdf", document_number="45/BB-SNV"
    )
    services.submit_task(p.assignee, done)
    services.review_task(p.lead_head, done, decision="accept")
    return {"report": report, "sub": sub, "late": late, "done": done}


def test_the_plans_tasks_as_an_appendix_workbook(
    client: Client, province: Province, plan_tasks: dict[str, Task]
) -> None:
    p = province
    sign_in(client, p.plan_head)
    book = workbook(client.get(f"/plans/{p.plan.pk}/export.xlsx"))
    title, header, rows = rows_of(book)
    assert p.plan.document_number in title and TODAY.strftime("%d/%m/%Y") in title
    assert header == HEADER
    by_title = {r[1]: r for r in rows}
    assert set(by_title) == {t.title for t in plan_tasks.values()}
    report = by_title["Báo cáo CCHC quý IV"]
    assert report[:8] == (
        report[0],
        "Báo cáo CCHC quý IV",
        p.lead.name,
        p.other.name,
        dt.datetime(2026, 12, 15),  # noqa: DTZ001 - a spreadsheet date has no zone
        "Báo cáo",
        1,
        "1.3",
    )
    assert by_title["Tổng hợp số liệu"][0] == f"{report[0]}.1"  # the subtask under its task
    assert by_title["Tổng hợp số liệu"][8] == "Trần Thị B"
    done = by_title["Kiểm tra nội bộ"]
    assert (done[10], done[11], done[12]) == ("Hoàn thành", dt.datetime(2026, 11, 22), "45/BB-SNV")  # noqa: DTZ001
    assert by_title["Rà soát thủ tục"][6] == 3
    sheet = book.active
    assert sheet.freeze_panes == "C3" and sheet.column_dimensions["B"].width == 60
    assert sheet["E3"].number_format == "DD/MM/YYYY"


def test_the_filtered_list_and_the_overdue_list_download_as_shown(
    client: Client, province: Province, plan_tasks: dict[str, Task]
) -> None:
    p = province
    sign_in(client, p.plan_head)
    page = client.get(f"/plans/{p.plan.pk}/?area=1&q=kiem").content.decode()
    assert f'href="/plans/{p.plan.pk}/export.xlsx?area=1&amp;q=kiem"' in page
    _t, _h, rows = rows_of(workbook(client.get(f"/plans/{p.plan.pk}/export.xlsx?area=1&q=kiem")))
    assert [r[1] for r in rows] == ["Kiểm tra nội bộ"]
    title, header, rows = rows_of(
        workbook(client.get(f"/plans/{p.plan.pk}/export.xlsx?overdue=yes"))
    )
    assert "quá hạn" in title and [r[1] for r in rows] == ["Rà soát thủ tục"]
    assert header[-1] == "Số ngày quá hạn" and rows[0][-1] == (TODAY - dt.date(2026, 10, 1)).days
    committee = Client()
    sign_in(committee, p.committee)
    overview = committee.get("/dashboard/").content.decode()
    assert f"/plans/{p.plan.pk}/export.xlsx?overdue=yes" in overview


def test_the_api_export_holds_what_the_caller_may_see(
    client: Client, province: Province, plan_tasks: dict[str, Task]
) -> None:
    p = province
    mine = Api(client, p.plan_head)
    _t, _h, rows = rows_of(workbook(mine.get(f"/plans/{p.plan.pk}/export.xlsx")))
    assert len(rows) == 4
    outsider = Api(Client(), p.outsider)  # another unit's official: only what it cooperates on
    _t, _h, rows = rows_of(workbook(outsider.get(f"/plans/{p.plan.pk}/export.xlsx")))
    assert [r[1] for r in rows] == ["Báo cáo CCHC quý IV"]
    assert mine.get("/plans/999999/export.xlsx").status_code == 404


def test_the_score_table_as_a_workbook_holds_the_apis_figures(
    client: Client, province: Province, plan_tasks: dict[str, Task]
) -> None:
    p = province
    rollup(p.plan, TODAY)
    api = Api(client, p.committee)
    scores = api.get(f"/plans/{p.plan.pk}/scores").json()
    assert workbook(api.get(f"/plans/{p.plan.pk}/scores.xlsx")).active.max_row == 2 + len(
        scores["units"]
    )
    sign_in(client, p.committee)  # the page's download, in the reader's language
    title, header, rows = rows_of(workbook(client.get(f"/plans/{p.plan.pk}/scores.xlsx")))
    assert TODAY.strftime("%d/%m/%Y") in title and header[:3] == ["Hạng", "Đơn vị", "Cấp"]
    by_unit = {r[1]: dict(zip(header, r, strict=True)) for r in rows}
    for unit in scores["units"]:
        row = by_unit[unit["name"]]
        assert row["Hạng"] == unit["rank"]
        assert row["Tổng"] == float(unit["points"])
        for part in unit["subcriteria"]:
            expected = float(part["points"]) if part["applicable"] else None
            assert row[part["code"]] == expected, (unit["name"], part["code"])
    page = client.get(f"/plans/{p.plan.pk}/scores/").content.decode()
    assert f"/plans/{p.plan.pk}/scores.xlsx?as_of={TODAY:%d/%m/%Y}" in page
    assert client.get(f"/plans/{p.plan.pk}/scores.xlsx?as_of=01/01/2020").status_code == 404


def test_a_title_that_looks_like_a_formula_is_exported_as_text(
    client: Client, province: Province
) -> None:
    p = province
    p.task(title='=HYPERLINK("http://example.invalid","Bấm vào đây")')
    sign_in(client, p.plan_head)
    book = workbook(client.get(f"/plans/{p.plan.pk}/export.xlsx"))
    cell = book.active["B3"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
