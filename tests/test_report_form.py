"""The periodic report as an administrative document (Decree 30/2020/NĐ-CP), read back from
its Word file: the issuing body in full, its number, place and date, the Ministry's
outline, the recipients and the signature block, by the unit's kind and its letterhead."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import docx
import pytest
import time_machine
from django.test import Client
from docx.shared import Cm, Pt

from plans.models import Plan, Unit, UnitLetterhead
from tasks import services
from tests.conftest import login
from tests.factories import make_province
from tracker.reports.figures import build_report, parse_period

pytestmark = pytest.mark.django_db


def word(client: Client, plan: Plan, unit: Unit | None = None) -> Any:
    query = f"?unit={unit.pk}" if unit is not None else ""
    answer = client.get(
        f"/api/v1/plans/{plan.pk}/reports/2026-q3.docx{query}", HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert answer.status_code == 200, answer.content[:300]
    return docx.Document(io.BytesIO(answer.content))


def cell_lines(cell: Any) -> list[tuple[str, bool]]:
    """A cell's lines and whether each is bold."""
    return [(p.text, any(r.bold for r in p.runs)) for p in cell.paragraphs if p.text.strip()]


def test_the_province_reports_as_its_peoples_committee(client: Client, plan: Plan) -> None:
    login(client, "bcd1")
    document = word(client, plan)
    left, right = document.tables[0].rows[0].cells
    assert cell_lines(left) == [
        ("ỦY BAN NHÂN DÂN", True),
        ("TỈNH LÂM ĐỒNG", True),
        ("Số: ……/BC-UBND", False),
    ]
    assert cell_lines(right) == [
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True),
        ("Độc lập - Tự do - Hạnh phúc", True),
        ("Lâm Đồng, ngày …… tháng …… năm 2026", False),
    ]
    body = [p.text for p in document.paragraphs]
    assert "BÁO CÁO" in body
    headings = [t for t in body if t[:3] in ("I. ", "II.", "III", "IV.", "V. ")]
    assert headings == [
        "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH",
        "II. KẾT QUẢ THỰC HIỆN NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH",
        "III. ĐÁNH GIÁ CHUNG",
        "IV. NHIỆM VỤ TRỌNG TÂM KỲ TỚI",
        "V. ĐỀ XUẤT, KIẾN NGHỊ",
    ]
    for part in ("1. Ưu điểm", "2. Tồn tại, hạn chế", "3. Nguyên nhân", "3. Nhiệm vụ quá hạn"):
        assert part in body, part
    recipients, signature = document.tables[-1].rows[0].cells
    assert [t for t, _bold in cell_lines(recipients)] == [
        "Nơi nhận:",
        "- Bộ Nội vụ;",
        "- Thường trực Tỉnh ủy;",
        "- Thường trực HĐND tỉnh;",
        "- Lưu: VT, UBND.",
    ]
    head = Unit.objects.get(code="ubnd-tinh").head
    assert head is not None
    assert cell_lines(signature) == [
        ("TM. ỦY BAN NHÂN DÂN", True),
        ("KT. CHỦ TỊCH", True),
        ("PHÓ CHỦ TỊCH", True),
        (head.full_name, True),
    ]
    section = document.sections[0]
    # A4, and the margins of an administrative document, to Word's twentieths of a point.
    for got, wanted in (
        (section.page_width, 21),
        (section.page_height, 29.7),
        (section.left_margin, 3),
        (section.right_margin, 2),
        (section.top_margin, 2),
        (section.bottom_margin, 2),
    ):
        assert got is not None and abs(got - Cm(wanted)) < Cm(0.01)
    normal = document.styles["Normal"].font
    assert (normal.name, normal.size) == ("Times New Roman", Pt(13))


def test_a_department_reports_under_its_superior_and_signs_as_its_director(
    client: Client, plan: Plan
) -> None:
    login(client, "bcd1")
    department = Unit.objects.get(code="snv")
    document = word(client, plan, department)
    left, right = document.tables[0].rows[0].cells
    assert cell_lines(left) == [
        ("UBND TỈNH LÂM ĐỒNG", False),
        ("SỞ NỘI VỤ", True),
        ("Số: ……/BC-SNV", False),
    ]
    assert cell_lines(right)[-1] == ("Lâm Đồng, ngày …… tháng …… năm 2026", False)
    recipients, signature = document.tables[-1].rows[0].cells
    assert [t for t, _b in cell_lines(recipients)][1:] == [
        "- UBND tỉnh Lâm Đồng;",
        "- Lưu: VT, SNV.",
    ]
    assert cell_lines(signature)[0] == ("GIÁM ĐỐC", True)


def test_a_units_letterhead_says_what_differs(client: Client, plan: Plan) -> None:
    login(client, "bcd1")
    department = Unit.objects.get(code="snv")
    UnitLetterhead.objects.create(
        unit=department,
        abbreviation="SNV-CCHC",
        place="Đà Lạt",
        signer_position="KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
        signer_name="Trần Văn Ký",
        recipients="UBND tỉnh;\nBan Chỉ đạo CCHC tỉnh;",
    )
    document = word(client, plan, department)
    left, right = document.tables[0].rows[0].cells
    assert ("Số: ……/BC-SNV-CCHC", False) in cell_lines(left)
    assert cell_lines(right)[-1] == ("Đà Lạt, ngày …… tháng …… năm 2026", False)
    recipients, signature = document.tables[-1].rows[0].cells
    assert [t for t, _b in cell_lines(recipients)][1:] == [
        "- UBND tỉnh;",
        "- Ban Chỉ đạo CCHC tỉnh;",
        "- Lưu: VT, SNV-CCHC.",
    ]
    assert [t for t, _b in cell_lines(signature)] == [
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Trần Văn Ký",
    ]


def test_a_closed_windows_report_reads_the_same_when_written_again() -> None:
    """Q1's report, written in November: the tasks as they stood on 14/03."""
    hanoi = dt.timezone(dt.timedelta(hours=7))
    with time_machine.travel(dt.datetime(2026, 2, 2, 9, tzinfo=hanoi), tick=False):
        p = make_province()
        p.task(title="Báo cáo quý I", due_date=dt.date(2026, 3, 10))
        withdrawn = p.task(title="Rà soát quy trình", due_date=dt.date(2026, 3, 12))
    today = dt.date(2026, 11, 22)
    period = parse_period("2026-q1", p.plan, today)
    before = build_report(p.plan, period, today, charts=False)
    assert (before.headline.total, before.headline.overdue) == (2, 2)
    # Later: a task imported with a March deadline; one of March's withdrawn.
    p.task(title="Nhập sau từ phụ lục", due_date=dt.date(2026, 3, 31))
    services.cancel_task(p.plan_head, withdrawn, reason="Không còn phù hợp")
    after = build_report(p.plan, period, today, charts=False)
    assert after.headline == before.headline
    assert [r.task.title for r in after.overdue] == [r.task.title for r in before.overdue]
    # The window still open counts today's tasks.
    year = build_report(p.plan, parse_period("2026-year", p.plan, today), today, charts=False)
    assert year.headline.total == 2  # the March one imported later; the withdrawn one gone
