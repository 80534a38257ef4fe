"""Importing a plan appendix from Excel, Word and CSV, written here as provinces write them."""

from __future__ import annotations

import datetime as dt
import io
import tracemalloc
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from docx import Document
from openpyxl import Workbook

from kit.errors import Invalid
from kit.text import fold
from plans import planning
from plans.models import AuditEvent, Plan, PlanStatus
from tasks.appendix.deadlines import deadline
from tasks.appendix.load import import_appendix
from tasks.appendix.read import read_table
from tests.api.test_tasks_api import Api
from tests.factories import Province

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_vietnamese() -> Iterator[None]:
    """Row errors name their columns in the reader's language: here Vietnamese."""
    with translation.override("vi"):
        yield


HEADER = [
    "STT",
    "Nhiệm vụ",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Thời gian hoàn thành",
    "Sản phẩm dự kiến",
]


@pytest.mark.parametrize(
    ("phrase", "day"),
    [
        ("30/6/2026", dt.date(2026, 6, 30)),
        ("30/6", dt.date(2026, 6, 30)),
        ("Tháng 6", dt.date(2026, 6, 30)),
        ("tháng 2/2026", dt.date(2026, 2, 28)),
        ("Quý II", dt.date(2026, 6, 30)),
        ("Quý 4", dt.date(2026, 12, 31)),
        ("6 tháng đầu năm", dt.date(2026, 6, 30)),
        ("6 tháng cuối năm", dt.date(2026, 12, 31)),
        ("Năm 2026", dt.date(2026, 12, 31)),
        ("Cả năm", dt.date(2026, 12, 31)),
        ("Thường xuyên", dt.date(2026, 12, 31)),
        ("Trước 15/3", dt.date(2026, 3, 15)),
        ("  TRƯỚC  15/3/2026 ", dt.date(2026, 3, 15)),
    ],
)
def test_every_deadline_phrase_of_the_appendix(phrase: str, day: dt.date) -> None:
    assert deadline(phrase, 2026) == day


@pytest.mark.parametrize("phrase", ["", "sớm", "31/2", "99/99/9999", "Quý V", "tháng 13"])
def test_a_phrase_that_is_no_deadline_is_a_row_error(phrase: str) -> None:
    with pytest.raises(ValueError):
        deadline(phrase, 2026)


def xlsx(rows: list[list[Any]], title_rows: int = 2) -> bytes:
    """An appendix as provinces send it: merged title rows above the header."""
    book = Workbook()
    sheet = book.active
    for n in range(title_rows):
        sheet.append([f"PHỤ LỤC {n + 1}: KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"])
        sheet.merge_cells(start_row=n + 1, start_column=1, end_row=n + 1, end_column=6)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def appendix_rows(p: Province) -> list[list[Any]]:
    return [
        [
            "  stt ",
            "NHIỆM VỤ",
            "Cơ quan  chủ trì",
            "co quan phoi hop",
            "Thời gian hoàn thành",
            "Sản phẩm dự kiến",
        ],
        ["I", "Công tác chỉ đạo, điều hành CCHC", "", "", "", ""],
        [
            "1",
            "Ban hành Kế hoạch kiểm tra CCHC",
            fold(p.lead.name).upper(),  # no accents, other case
            f"{p.other.name}; {p.province.name.upper()}",
            "Quý I",
            "Kế hoạch",
        ],
        ["1.1", "Kiểm tra tại các sở", p.lead.code.upper(), "", "30/6", "Báo cáo"],
        ["II", "Cải cách thủ tục hành chính", "", "", "", ""],
        ["2", "Rà soát thủ tục hành chính", p.lead.name, "", dt.date(2026, 9, 30), ""],
        [
            "3",
            "Số hoá hồ sơ",
            p.lead.name,
            p.other.name + "\n" + p.province.name,
            "Thường xuyên",
            "Hồ sơ số",
        ],
    ]


def test_an_excel_appendix_with_headings_and_subtasks(province: Province) -> None:
    p = province
    data = xlsx(appendix_rows(p))
    dry = import_appendix(p.plan_head, p.plan, data, "phu-luc.xlsx")
    assert dry.errors == [] and len(dry.created) == 4 and not p.plan.tasks.exists()
    done = import_appendix(
        p.plan_head, p.plan, data, "phu-luc.xlsx", dry_run=False, confirm_warnings=True
    )
    assert done.errors == []
    tasks = {t.title: t for t in p.plan.tasks.select_related("area", "parent")}
    assert len(tasks) == 4
    first = tasks["Ban hành Kế hoạch kiểm tra CCHC"]
    assert (first.area.number, first.due_date, first.lead_unit_id) == (
        1,
        dt.date(2026, 3, 31),
        p.lead.pk,
    )
    assert set(first.partner_units.all()) == {p.other, p.province}
    sub = tasks["Kiểm tra tại các sở"]
    assert sub.parent == first and sub.due_date == dt.date(2026, 6, 30)
    # Under heading II, which names area 3 (the numeral is the order, not the number).
    assert tasks["Rà soát thủ tục hành chính"].area.number == 3
    assert tasks["Rà soát thủ tục hành chính"].due_date == dt.date(2026, 9, 30)
    assert set(tasks["Số hoá hồ sơ"].partner_units.all()) == {p.other, p.province}
    created = AuditEvent.objects.filter(action="created", object_id=first.pk).get()
    assert created.changes["imported_from"] == "phu-luc.xlsx"
    assert "đã nhập từ phu-luc.xlsx" in created.detail


def test_one_bad_row_creates_nothing_and_each_error_is_named(province: Province) -> None:
    p = province
    rows = [
        HEADER,
        ["1", "Việc đúng", p.lead.name, "", "30/6", ""],
        ["2", "Việc sai đơn vị", "Sở Nôi vu lạ", "", "30/6", ""],
        ["3", "Việc sai hạn", p.lead.name, "", "sớm nhất có thể", ""],
        ["4", "", p.lead.name, "Sở Không Có", "30/6", ""],
        ["5.1", "Việc con mồ côi", p.lead.name, "", "30/6", ""],
    ]
    result = import_appendix(
        p.plan_head, p.plan, xlsx(rows, 0), "a.xlsx", dry_run=False, confirm_warnings=True
    )
    assert not p.plan.tasks.exists() and result.created == []
    found = {(e.row, e.column) for e in result.errors}
    assert found == {
        (3, "Cơ quan chủ trì"),
        (4, "Thời hạn"),
        (5, "Nhiệm vụ"),
        (5, "Cơ quan phối hợp"),
        (6, "STT"),
    }
    lead_error = next(e for e in result.errors if e.row == 3).message
    assert "Sở Nôi vu lạ" in lead_error and p.lead.name in lead_error  # the closest named


def test_a_word_appendix_reads_its_first_table(province: Province) -> None:
    p = province
    document = Document()
    document.add_paragraph("PHỤ LỤC KẾ HOẠCH CCHC NĂM 2026")
    table = document.add_table(rows=0, cols=6)
    for row in [HEADER, ["1", "Tuyên truyền CCHC", p.lead.name, "", "Tháng 10", "Tin bài"]]:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value
    out = io.BytesIO()
    document.save(out)
    result = import_appendix(
        p.plan_head, p.plan, out.getvalue(), "pl.docx", dry_run=False, confirm_warnings=True
    )
    assert result.errors == []
    assert p.plan.tasks.get().due_date == dt.date(2026, 10, 31)


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_csv_appendix_with_or_without_bom(province: Province, bom: bytes) -> None:
    p = province
    text = ";".join(HEADER) + "\n" + f"1;Báo cáo quý;{p.lead.name};;Quý 3;Báo cáo\n"
    result = import_appendix(
        p.plan_head, p.plan, bom + text.encode(), "pl.csv", dry_run=False, confirm_warnings=True
    )
    assert result.errors == [] and p.plan.tasks.get().due_date == dt.date(2026, 9, 30)


def test_an_export_imported_into_next_years_empty_plan_recreates_the_tasks(
    client: Client, province: Province
) -> None:
    p = province
    first = p.task(
        title="Kiểm tra CCHC",
        due_date=dt.date(2026, 6, 30),
        partners=(p.other,),
        subcriterion="1.4",
    )
    from tasks import services

    services.create_task(
        p.plan_head,
        p.plan,
        title="Kiểm tra đợt 1",
        area=1,
        lead_unit_id=p.lead.pk,
        due_date=dt.date(2026, 5, 31),
        parent=first,
        confirm_past_deadline=True,
    )
    p.task(title="Rà soát TTHC", due_date=dt.date(2026, 9, 30), area=3)
    api = Api(client, p.plan_head)
    exported = api.get(f"/plans/{p.plan.pk}/export.xlsx").content
    following = planning.create_plan(
        p.admin,
        unit_id=p.province.pk,
        year=2027,
        title="Kế hoạch CCHC năm 2027",
        document_number="9/KH-UBND",
        issued_on=dt.date(2027, 1, 10),
        status=PlanStatus.ISSUED,
    )
    result = api.client.post(
        f"/api/v1/plans/{following.pk}/import?dry_run=false&confirm_warnings=true",
        {"file": SimpleUploadedFile("export.xlsx", exported)},
        headers=api.headers,
    )
    assert result.status_code == 200, result.content
    assert result.json()["errors"] == []

    def shape(plan: Plan) -> set[tuple[Any, ...]]:
        return {
            (
                t.title,
                t.area.number,
                t.lead_unit_id,
                t.due_date,  # real dates: kept as the file gives them
                t.subcriterion,
                t.parent.title if t.parent else None,
                tuple(sorted(u.pk for u in t.partner_units.all())),
            )
            for t in plan.tasks.select_related("area", "parent")
        }

    assert shape(following) == {
        (title, area, lead, due, sub, parent, partners)
        for (title, area, lead, due, sub, parent, partners) in shape(p.plan)
    }


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        ("a.xlsx", b"", 422),
        ("a.pdf", b"%PDF-1.4 not an appendix" + b"\x00" * 10, 415),
        ("a.csv", "Tiêu đề;Khác\n1;2\n".encode(), 422),
        ("a.xlsx", b"PK\x03\x04 broken", 415),
    ],
)
def test_a_file_that_is_no_appendix_is_refused_by_the_api(
    client: Client, province: Province, name: str, data: bytes, status: int
) -> None:
    api = Api(client, province.plan_head)
    answer = api.client.post(
        f"/api/v1/plans/{province.plan.pk}/import",
        {"file": SimpleUploadedFile(name, data)},
        headers=api.headers,
    )
    assert answer.status_code == status, answer.content
    assert answer.json()["detail"] and not province.plan.tasks.exists()


def test_more_than_5000_rows_is_refused(province: Province) -> None:
    p = province
    rows = [HEADER] + [[str(n), f"Việc {n}", p.lead.name, "", "30/6", ""] for n in range(1, 5002)]
    data = ";".join(HEADER).encode() + b"\n" + b"\n".join(";".join(r).encode() for r in rows[1:])
    from kit.errors import Invalid

    with pytest.raises(Invalid, match="5000"):
        import_appendix(p.plan_head, p.plan, data, "big.csv")


def test_only_the_plans_head_imports(client: Client, province: Province) -> None:
    api = Api(client, province.lead_head)
    answer = api.client.post(
        f"/api/v1/plans/{province.plan.pk}/import",
        {"file": SimpleUploadedFile("a.xlsx", xlsx([HEADER], 0))},
        headers=api.headers,
    )
    assert answer.status_code == 403


def test_a_unit_merged_across_rows_and_a_formula_without_a_value(province: Province) -> None:
    p = province
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["1", "Việc một", p.lead.name, "", "30/6", ""])
    sheet.append(["2", "Việc hai", None, "", "31/7", ""])
    sheet.merge_cells("C2:C3")  # one lead unit for both rows
    sheet.append(["3", "Việc ba", p.lead.name, "", "=DATE(2026,8,31)", ""])  # never computed
    out = io.BytesIO()
    book.save(out)
    result = import_appendix(p.plan_head, p.plan, out.getvalue(), "a.xlsx")
    assert [c["title"] for c in result.created] == ["Việc một", "Việc hai"]
    assert [(e.row, e.column) for e in result.errors] == [(4, "Thời hạn")]


def test_files_and_rows_that_once_broke_the_import(client: Client, province: Province) -> None:
    """A huge CSV cell, a damaged zip: refused with a reason. Letters as list markers stay
    task rows; a heading naming no single area, a duplicated STT: row errors."""
    p = province
    api = Api(client, p.plan_head)

    def post(name: str, data: bytes) -> Any:
        return api.client.post(
            f"/api/v1/plans/{p.plan.pk}/import",
            {"file": SimpleUploadedFile(name, data)},
            headers=api.headers,
        )

    huge = (";".join(HEADER) + "\n1;" + "x" * 200_000 + ";a;;30/6;\n").encode()
    assert post("a.csv", huge).status_code == 422
    broken = xlsx([HEADER], 0)
    assert post("a.xlsx", broken[:200] + b"\x00" * 50 + broken[250:]).status_code in (415, 422)
    rows = [
        HEADER,
        ["c", "Cải cách thể chế: rà soát văn bản", p.lead.name, "", "30/6", ""],
        ["I", "Cải cách", "", "", "", ""],
        ["1", "Việc một", p.lead.name, "", "Trước ngày 15/3", ""],
        ["1", "Việc trùng số", p.lead.name, "", "30/6", ""],
    ]
    with translation.override("vi"):  # the API calls above left the language as they set it
        result = import_appendix(p.plan_head, p.plan, xlsx(rows, 0), "a.xlsx")
    assert [c["title"] for c in result.created] == [
        "Cải cách thể chế: rà soát văn bản",
        "Việc một",
    ]
    assert result.created[1]["due_date"] == dt.date(2026, 3, 15)
    assert [(e.row, e.column) for e in result.errors] == [(3, "Nhiệm vụ"), (5, "STT")]


def test_an_export_with_control_characters_and_a_formula_title(
    client: Client, province: Province
) -> None:
    p = province
    p.plan.title = "=1+1 kế hoạch"
    p.plan.save(update_fields=["title"])
    p.task(title="Báo cáo\x07 quý")
    api = Api(client, p.plan_head)
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(api.get(f"/plans/{p.plan.pk}/export.xlsx").content))
    assert book.active["A1"].data_type == "s"
    assert book.active["B3"].value == "Báo cáo quý"


OOXML = "http://schemas.openxmlformats.org"
RELS = f"{OOXML}/officeDocument/2006/relationships"
KIND = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def raw_xlsx(sheet_rows: str, shared: str = "") -> bytes:
    """A workbook written part by part, as any program may write one (openpyxl would
    take minutes to write 400,000 rows)."""
    head = '<?xml version="1.0" encoding="UTF-8"?>'
    parts = {
        "[Content_Types].xml": (
            f'{head}<Types xmlns="{OOXML}/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{KIND}.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{KIND}.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            f'ContentType="{KIND}.sharedStrings+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'{head}<Relationships xmlns="{OOXML}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'{head}<workbook xmlns="{OOXML}/spreadsheetml/2006/main" xmlns:r="{RELS}">'
            '<sheets><sheet name="Phụ lục" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{head}<Relationships xmlns="{OOXML}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'{head}<worksheet xmlns="{OOXML}/spreadsheetml/2006/main">'
            f"<sheetData>{sheet_rows}</sheetData></worksheet>"
        ),
        "xl/sharedStrings.xml": (
            f'{head}<sst xmlns="{OOXML}/spreadsheetml/2006/main">{shared}</sst>'
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def test_a_sheet_of_400000_rows_is_refused_after_reading_the_limit(province: Province) -> None:
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 400_001))
    data = raw_xlsx(rows)
    assert len(data) < 10 * 1024 * 1024  # within the upload limit
    tracemalloc.start()
    try:
        with pytest.raises(Invalid, match="5000"):
            read_table(data, "phu-luc.xlsx")
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40 * 1024 * 1024  # the first rows only, never the sheet
    api = Api(Client(), province.plan_head)
    refused = api.upload(f"/plans/{province.plan.pk}/import", "phu-luc.xlsx", data)
    assert refused.status_code == 422 and "5000" in refused.json()["detail"]


def test_a_cell_over_excels_limit_is_refused_without_reading_it_whole(province: Province) -> None:
    huge = "<si><t>" + "x" * 90_000_000 + "</t></si>"  # 90 MB, under the unpacked limit
    data = raw_xlsx('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', f"{huge}")
    tracemalloc.start()
    try:
        with pytest.raises(Invalid, match=r"32\.767"):
            read_table(data, "phu-luc.xlsx")
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40 * 1024 * 1024


def test_a_cell_just_under_the_limit_is_read_and_one_over_it_is_told_by_its_row() -> None:
    header = "".join(
        f'<c r="{col}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for col, name in zip(
            "ABCD", ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời hạn"], strict=True
        )
    )
    long_title = "x" * 32_767
    cell = f'<c r="B2" t="inlineStr"><is><t>{long_title}</t></is></c>'
    row = f'<row r="2"><c r="A2"><v>1</v></c>{cell}</row>'
    table = read_table(raw_xlsx(f'<row r="1">{header}</row>{row}'), "a.xlsx")
    assert table.rows[1][1][1] == long_title
    over = row.replace(long_title, long_title + "x")
    with pytest.raises(Invalid, match="Dòng 2"):
        read_table(raw_xlsx(f'<row r="1">{header}</row>{over}'), "a.xlsx")
