"""Appendices as provinces publish them: numbering restarting under each heading, headings
in one merged cell with shortened names, group phrases as lead and cooperating units,
recurring and month or quarter deadlines, a signature block under the table.

Each layout is written here as .xlsx, .docx and .csv, and must import with no error
and exactly the tasks a person reading it would count.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from docx import Document
from openpyxl import Workbook

from kit.errors import Invalid
from plans.models import Level, Unit, UnitGroup
from tasks.appendix.deadlines import read_deadline
from tasks.appendix.load import import_appendix
from tests.api.test_tasks_api import Api
from tests.factories import Province, make_unit

pytestmark = pytest.mark.django_db

d = dt.date
WIDTH = 7  # TT, content, lead, deadline, partners, deliverable, note: not the usual order


@pytest.fixture(autouse=True)
def in_vietnamese() -> Iterator[None]:
    with translation.override("vi"):
        yield


@dataclass
class Layout:
    p: Province
    culture: Unit
    communes: list[Unit]

    @property
    def departments(self) -> list[Unit]:
        return [self.p.lead, self.p.other, self.culture]

    def titles(self) -> list[list[str]]:
        return [
            ["ỦY BAN NHÂN DÂN TỈNH", "", "", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
            ["PHỤ LỤC"],
            ["NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM 2026"],
            ["(Kèm theo Kế hoạch số 12/KH-UBND ngày 15/01/2026 của UBND tỉnh)"],
        ]

    def header(self) -> list[str]:
        return [
            "TT",
            "Nội dung công việc",
            "Cơ quan, đơn vị chủ trì",
            "Thời gian thực hiện",
            "Cơ quan phối hợp",
            "Sản phẩm",
            "Ghi chú",
        ]

    def body(self) -> list[list[str]]:
        lead, other, culture = self.p.lead.name, self.p.other.name, self.culture.name
        return [
            ["I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC"],
            [
                "1",
                "Ban hành Kế hoạch CCHC năm 2027",
                lead,
                "Tháng 12/2026",
                "Các sở, ban, ngành; UBND các xã, phường",
                "Kế hoạch",
                "",
            ],
            ["2", "Báo cáo CCHC định kỳ", "Các sở, ban, ngành", "Hằng quý", "", "Báo cáo", ""],
            [
                "3",
                "Kiểm tra công tác CCHC",
                lead,
                "Quý III/2026",
                "Các cơ quan, đơn vị liên quan",
                "Báo cáo kết quả",
                "Tối thiểu 30% đơn vị",
            ],
            ["a)", "Kiểm tra tại các sở", "", "30/9/2026", "", "", ""],
            ["b)", "Kiểm tra tại các xã", "", "Trước 30/11/2026", "", "", ""],
            ["II. CẢI CÁCH THỂ CHẾ"],
            ["1", "Rà soát văn bản quy phạm pháp luật", other, "Năm 2026", "Các sở, ban, ngành"],
            ["", "- Rà soát văn bản của các sở", "", "", "", "", ""],
            ["III. CẢI CÁCH TỔ CHỨC BỘ MÁY"],
            ["1", "Sắp xếp tổ chức bên trong", "UBND cấp xã", "Thường xuyên", lead, "Đề án"],
            ["IV. XÂY DỰNG CHÍNH QUYỀN SỐ"],
            ["1", "Số hóa hồ sơ", culture, "Quý IV", f"{lead}, {other}", "Hồ sơ số", ""],
        ]

    def signature(self) -> list[list[str]]:
        return [
            [],
            ["Nơi nhận:", "", "", "", "TM. ỦY BAN NHÂN DÂN"],
            ["- Như trên;", "", "", "", "KT. CHỦ TỊCH"],
            ["- Lưu: VT, NC.", "", "", "", "PHÓ CHỦ TỊCH"],
            ["", "", "", "", "Nguyễn Văn Ký"],
        ]


@pytest.fixture
def layout(province: Province) -> Layout:
    p = province
    return Layout(
        p,
        make_unit("Sở Văn hóa, Thể thao và Du lịch", parent=p.province),
        [
            make_unit("UBND xã Tân Hưng", Level.COMMUNE, p.province),
            make_unit("UBND phường An Xuyên", Level.COMMUNE, p.province),
        ],
    )


def padded(row: list[str]) -> list[str]:
    return [*row, *[""] * (WIDTH - len(row))]


def as_xlsx(layout: Layout) -> bytes:
    """Headings in one cell merged across the row, as Excel appendices have them."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [*layout.titles(), layout.header(), *layout.body(), *layout.signature()]:
        sheet.append(row)
        if len(row) == 1:
            sheet.merge_cells(
                start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=WIDTH
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_docx(layout: Layout) -> bytes:
    """A letterhead table above, the appendix table, a signature table below."""
    document = Document()
    top = document.add_table(rows=1, cols=2)
    top.rows[0].cells[0].text = "ỦY BAN NHÂN DÂN TỈNH"
    top.rows[0].cells[1].text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    document.add_paragraph("PHỤ LỤC: NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM 2026")
    table = document.add_table(rows=0, cols=WIDTH)
    for row in [layout.header(), *layout.body()]:
        cells = table.add_row().cells
        if len(row) == 1:  # a heading: one cell merged across the row
            merged = cells[0].merge(cells[WIDTH - 1])
            merged.text = row[0]
            continue
        for cell, value in zip(cells, padded(row), strict=True):
            cell.text = value
    sign = document.add_table(rows=2, cols=2)
    sign.rows[0].cells[0].text = "Nơi nhận:\n- Như trên;\n- Lưu: VT."
    sign.rows[0].cells[1].text = "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def as_csv(layout: Layout) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in [*layout.titles(), layout.header(), *layout.body(), *layout.signature()]:
        writer.writerow(padded(row))
    return out.getvalue().encode("utf-8-sig")


WRITERS = {"xlsx": as_xlsx, "docx": as_docx, "csv": as_csv}


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_an_appendix_as_provinces_write_it_imports_every_task_a_reader_counts(
    layout: Layout, kind: str
) -> None:
    p, lead, other = layout.p, layout.p.lead, layout.p.other
    data = WRITERS[kind](layout)
    dry = import_appendix(p.plan_head, p.plan, data, f"phu-luc.{kind}")
    assert dry.errors == []
    # 1 + 3 departments × 4 reports + 1 with its 2 subtasks + 1 with 1 + 2 communes + 1
    assert len(dry.created) == 21 and not p.plan.tasks.exists()
    # The quarterly reports of Q1 to Q3 (due the 20th) and 30/9 are past on 22/11/2026.
    assert {w.row for w in dry.warnings} and all(w.title for w in dry.warnings)
    with pytest.raises(Invalid, match="xác nhận"):
        import_appendix(p.plan_head, p.plan, data, f"phu-luc.{kind}", dry_run=False)
    assert not p.plan.tasks.exists()
    done = import_appendix(
        p.plan_head, p.plan, data, f"phu-luc.{kind}", dry_run=False, confirm_warnings=True
    )
    assert done.errors == [] and p.plan.tasks.count() == 21

    tasks = list(p.plan.tasks.select_related("area", "parent", "lead_unit"))
    by_title = {t.title: t for t in tasks}
    plan_task = by_title["Ban hành Kế hoạch CCHC năm 2027"]
    assert (plan_task.area.number, plan_task.due_date) == (1, dt.date(2026, 12, 31))
    # Both group phrases as cooperating units: every department and commune but the lead.
    assert set(plan_task.partner_units.all()) == {other, layout.culture, *layout.communes}

    reports = [t for t in tasks if t.title.startswith("Báo cáo CCHC định kỳ (")]
    assert Counter(t.lead_unit for t in reports) == {u: 4 for u in layout.departments}
    assert sorted({(t.title, t.due_date) for t in reports}) == [
        ("Báo cáo CCHC định kỳ (6 tháng năm 2026)", dt.date(2026, 6, 20)),
        ("Báo cáo CCHC định kỳ (năm 2026)", dt.date(2026, 12, 20)),
        ("Báo cáo CCHC định kỳ (quý I năm 2026)", dt.date(2026, 3, 20)),
        ("Báo cáo CCHC định kỳ (quý III năm 2026)", dt.date(2026, 9, 20)),
    ]

    check = by_title["Kiểm tra công tác CCHC"]
    assert "Tối thiểu 30% đơn vị" in check.description
    assert "Các cơ quan, đơn vị liên quan" in check.description  # kept as text
    assert not check.partner_units.exists()
    visits = by_title["Kiểm tra tại các sở"], by_title["Kiểm tra tại các xã"]
    assert [(t.parent, t.lead_unit, t.due_date) for t in visits] == [
        (check, lead, dt.date(2026, 9, 30)),
        (check, lead, dt.date(2026, 11, 30)),
    ]

    # Under II, numbering starts again at 1; the "-" row is the task's subtask.
    review = by_title["Rà soát văn bản quy phạm pháp luật"]
    assert (review.area.number, review.lead_unit, review.due_date) == (
        2,
        other,
        dt.date(2026, 12, 31),
    )
    assert set(review.partner_units.all()) == {lead, layout.culture}
    assert by_title["Rà soát văn bản của các sở"].parent == review

    # "UBND cấp xã" leads: one task per commune; "Thường xuyên" is the year's end, noted.
    arranged = [t for t in tasks if t.title == "Sắp xếp tổ chức bên trong"]
    assert {t.lead_unit for t in arranged} == set(layout.communes)
    assert all(t.area.number == 4 and t.due_date == dt.date(2026, 12, 31) for t in arranged)
    assert all("thường xuyên" in t.description.lower() for t in arranged)

    digital = by_title["Số hóa hồ sơ"]
    assert (digital.area.number, digital.lead_unit) == (7, layout.culture)
    assert set(digital.partner_units.all()) == {lead, other}


def test_the_preview_shows_one_row_making_many_tasks(client: Client, layout: Layout) -> None:
    p = layout.p
    from tests.factories import sign_in

    sign_in(client, p.plan_head)
    page = client.post(
        f"/plans/{p.plan.pk}/import/",
        {"file": SimpleUploadedFile("phu-luc.xlsx", as_xlsx(layout))},
    )
    html = page.content.decode()
    assert page.status_code == 200 and 'name="token"' in html
    assert "1 dòng → 12 nhiệm vụ" in html and "1 dòng → 2 nhiệm vụ" in html
    assert 'name="confirm_warnings"' in html


def test_each_error_names_its_stt_its_title_and_its_cell(layout: Layout) -> None:
    p = layout.p
    rows = [
        layout.header(),
        ["I. CẢI CÁCH"],  # could be any of six areas
        ["1", "Việc dưới tiêu đề mơ hồ", p.lead.name, "30/12/2026"],
        ["II. NHIỆM VỤ KHÁC"],  # no area at all
        ["III. CẢI CÁCH THỦ TỤC HÀNH CHÍNH"],
        ["1", "Rà soát thủ tục", "Sở Không Có", "30/12/2026"],
        ["1.1", "Rà soát thủ tục cấp tỉnh", p.lead.name, "30/12/2026"],
        ["a)", "Việc con của việc lỗi", p.lead.name, "30/12/2026"],
        ["2", "Việc của năm trước", p.lead.name, "Năm 2025"],
        ["2", "Số thứ tự trùng", p.lead.name, "30/12/2026"],
    ]
    data = as_csv_rows(rows)
    result = import_appendix(p.plan_head, p.plan, data, "a.csv")
    found = {(e.row, e.number, e.column) for e in result.errors}
    assert found == {
        (2, "I", "Nhiệm vụ"),
        (4, "II", "Nhiệm vụ"),
        (6, "1", "Cơ quan chủ trì"),
        (7, "1.1", "STT"),
        (8, "a)", "STT"),
        (10, "2", "STT"),
    }
    messages = {e.row: e for e in result.errors}
    assert "có thể là nhiều lĩnh vực" in messages[2].message
    assert "Cải cách thể chế" in messages[2].message  # the candidates are listed
    assert "không ứng với lĩnh vực nào" in messages[4].message
    assert "8. Tác động" in messages[4].message  # every area is listed
    assert messages[6].title == "Rà soát thủ tục"
    assert messages[7].message == "Dòng cha (STT 1) có lỗi."
    assert messages[8].message == "Dòng cha (STT 1.1) có lỗi."  # the last numbered row
    # A date of another year is a warning, not an error.
    assert [(w.row, w.number, w.title) for w in result.warnings] == [(9, "2", "Việc của năm trước")]
    assert "ngoài năm của kế hoạch (2026)" in result.warnings[0].message


def as_csv_rows(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(padded(r) for r in rows)
    return out.getvalue().encode()


def test_a_province_adds_its_own_group_phrase(layout: Layout) -> None:
    p = layout.p
    rows = [layout.header(), ["1", "Tự kiểm tra", "Các đơn vị sự nghiệp", "30/12/2026"]]
    refused = import_appendix(p.plan_head, p.plan, as_csv_rows(rows), "a.csv")
    assert [e.column for e in refused.errors] == ["Cơ quan chủ trì"]  # names no unit yet
    group = UnitGroup.objects.get(phrase="các đơn vị sự nghiệp")
    group.units.set([p.other, layout.culture])
    UnitGroup.objects.create(phrase="Khối văn hóa - xã hội").units.set([layout.culture])
    rows.append(["2", "Tuyên truyền", "Khối Văn hóa – Xã hội", "30/12/2026"])
    done = import_appendix(p.plan_head, p.plan, as_csv_rows(rows), "a.csv", dry_run=False)
    assert done.errors == [] and done.warnings == []
    assert sorted((t.title, t.lead_unit.pk) for t in p.plan.tasks.all()) == sorted(
        [
            ("Tự kiểm tra", p.other.pk),
            ("Tự kiểm tra", layout.culture.pk),
            ("Tuyên truyền", layout.culture.pk),
        ]
    )


def test_the_api_answers_warnings_and_refuses_them_unconfirmed(
    client: Client, layout: Layout
) -> None:
    p = layout.p
    api = Api(client, p.plan_head)
    data = as_xlsx(layout)
    path = f"/api/v1/plans/{p.plan.pk}/import"
    dry = api.client.post(
        path, {"file": SimpleUploadedFile("a.xlsx", data)}, headers=api.headers
    ).json()
    assert dry["errors"] == [] and len(dry["created"]) == 21
    warning = dry["warnings"][0]
    assert set(warning) == {"row", "number", "title", "column", "message"}
    refused = api.client.post(
        f"{path}?dry_run=false", {"file": SimpleUploadedFile("a.xlsx", data)}, headers=api.headers
    )
    assert refused.status_code == 422 and "confirm_warnings" in str(refused.json())
    assert not p.plan.tasks.exists()
    done = api.client.post(
        f"{path}?dry_run=false&confirm_warnings=true",
        {"file": SimpleUploadedFile("a.xlsx", data)},
        headers=api.headers,
    )
    assert done.status_code == 200 and p.plan.tasks.count() == 21


@pytest.mark.parametrize(
    ("phrase", "report", "first", "count"),
    [
        ("Hằng tháng", False, dt.date(2026, 1, 31), 12),
        ("Hàng tháng", True, dt.date(2026, 1, 20), 12),
        ("Định kỳ hằng quý", False, dt.date(2026, 3, 31), 4),
        ("Hằng quý", True, dt.date(2026, 3, 20), 4),
        ("6 tháng", False, dt.date(2026, 6, 30), 2),
        ("Định kỳ 6 tháng", True, dt.date(2026, 6, 20), 2),
        ("Tháng 6/2026", False, dt.date(2026, 6, 30), 1),
        ("Quý III/2026", False, dt.date(2026, 9, 30), 1),
        ("Trước 30/11/2026", False, dt.date(2026, 11, 30), 1),
        ("Năm 2026", False, dt.date(2026, 12, 31), 1),
    ],
)
def test_recurring_and_single_deadlines(
    phrase: str, report: bool, first: dt.date, count: int
) -> None:
    found = read_deadline(phrase, 2026, report=report)
    assert (found.occurrences[0].due, len(found.occurrences)) == (first, count)
    assert all(o.period for o in found.occurrences) == (count > 1)


def test_thuong_xuyen_is_the_years_end_and_ongoing() -> None:
    found = read_deadline("Thường xuyên", 2026)
    assert found.ongoing and [o.due for o in found.occurrences] == [dt.date(2026, 12, 31)]


def test_subtasks_as_appendices_list_them(layout: Layout) -> None:
    """a) b) under each task, "-" lists, a line merged down over two units, the column
    numbers under the header, a lettered section, notes under the table."""
    p, lead, other = layout.p, layout.p.lead, layout.p.other
    rows = [
        layout.header(),
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"],
        ["A.", "NHIỆM VỤ TRỌNG TÂM"],
        ["1", "Rà soát quy trình", lead.name, "30/12/2026"],
        ["a)", "Rà soát tại sở", "", ""],
        ["b)", "Rà soát tại xã", "", ""],
        ["", "- Lập danh sách", "", ""],
        ["", "- Gửi danh sách", "", ""],
        ["2", "Kiểm tra việc rà soát", lead.name, "30/12/2026"],
        ["2", "Kiểm tra việc rà soát", other.name, "30/12/2026"],  # merged down: one more unit
        ["a)", "Kiểm tra tại sở", "", ""],
        ["Ghi chú: các đơn vị gửi báo cáo về Sở Nội vụ."],
    ]
    result = import_appendix(
        p.plan_head, p.plan, as_csv_rows(rows), "a.csv", dry_run=False, today=d(2026, 1, 2)
    )
    assert result.errors == [] and result.warnings == []
    tasks = {(t.title, t.lead_unit_id): t for t in p.plan.tasks.select_related("parent")}
    assert len(tasks) == 8
    first = tasks["Rà soát quy trình", lead.pk]
    for title in ("Rà soát tại sở", "Rà soát tại xã"):
        assert tasks[title, lead.pk].parent == first, title
    for title in ("Lập danh sách", "Gửi danh sách"):  # under b), the second not under the first
        assert tasks[title, lead.pk].parent == tasks["Rà soát tại xã", lead.pk], title
    checks = tasks["Kiểm tra việc rà soát", lead.pk], tasks["Kiểm tra việc rà soát", other.pk]
    assert tasks["Kiểm tra tại sở", lead.pk].parent == checks[0]


def test_subtasks_under_a_row_made_into_many_tasks(layout: Layout) -> None:
    p, lead = layout.p, layout.p.lead
    rows = [
        layout.header(),
        ["1", "Báo cáo CCHC định kỳ", "Các sở, ban, ngành", "Hằng quý"],
        ["a)", "Tổng hợp số liệu", "", ""],  # each department, each quarter, as its report
        ["b)", "Tổng hợp báo cáo của tỉnh", lead.name, "15/12/2026"],  # once, under lead's
        ["c)", "Cập nhật phần mềm", "", "Hằng tháng"],  # each department, each month, once
    ]
    result = import_appendix(
        p.plan_head, p.plan, as_csv_rows(rows), "a.csv", dry_run=False, today=d(2026, 1, 2)
    )
    assert result.errors == []
    departments = len(layout.departments)
    tasks = list(p.plan.tasks.select_related("parent"))
    data = [t for t in tasks if t.title.startswith("Tổng hợp số liệu")]
    assert len(data) == 4 * departments
    for t in data:  # under its own department's report of the same period, due the same day
        assert t.parent is not None and t.parent.lead_unit_id == t.lead_unit_id
        assert t.due_date == t.parent.due_date and t.due_date.day == 20
    [province] = [t for t in tasks if t.title == "Tổng hợp báo cáo của tỉnh"]
    assert province.parent is not None and province.parent.lead_unit_id == lead.pk
    monthly = [t for t in tasks if t.title.startswith("Cập nhật phần mềm")]
    assert len(monthly) == 12 * departments
    assert all(t.parent is not None and t.parent.lead_unit_id == t.lead_unit_id for t in monthly)
    assert len(tasks) == 4 * departments * 2 + 1 + 12 * departments


def test_the_signature_ends_the_table_wherever_its_columns_fall(layout: Layout) -> None:
    p, lead = layout.p, layout.p.lead
    header = ["TT", "Nội dung", "Cơ quan chủ trì", "Thời gian hoàn thành"]
    rows = [
        header,
        ["1", "Chủ tịch UBND xã chỉ đạo rà soát", lead.name, "30/12/2026"],  # a task
        ["Nơi nhận:", "", "", "TM. ỦY BAN NHÂN DÂN"],  # under the deadline's column
        ["- Như trên;", "", "", "KT. CHỦ TỊCH"],
    ]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    result = import_appendix(p.plan_head, p.plan, out.getvalue().encode(), "a.csv")
    assert result.errors == [] and [c["title"] for c in result.created] == [
        "Chủ tịch UBND xã chỉ đạo rà soát"
    ]
