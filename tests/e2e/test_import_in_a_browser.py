"""The appendix import in Chromium: a province's file, its preview, the warnings confirmed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.sync_api import Page, expect

from plans.models import Level, Plan, Unit
from plans.unitplans import units_under
from tests.e2e.test_pages_in_a_browser import sign_in
from tracker.demo.data import PLAN_NUMBER

pytestmark = pytest.mark.usefixtures("demo_live")


def appendix(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["PHỤ LỤC: NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH BỔ SUNG"])
    sheet.append(["TT", "Nội dung công việc", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian"])
    sheet.append(["I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC"])
    sheet.merge_cells("A3:E3")
    sheet.append(["1", "Tự kiểm tra công tác CCHC", "Các sở, ban, ngành", "", "Quý III/2026"])
    sheet.append(["Nơi nhận:", "", "", "", "TM. ỦY BAN NHÂN DÂN"])
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())
    return path


def test_a_group_lead_is_previewed_then_confirmed_with_its_warning(
    page: Page, live_server: object, tmp_path: Path
) -> None:
    plan = Plan.objects.get(document_number=PLAN_NUMBER)
    departments = Unit.objects.filter(
        pk__in=units_under(plan.unit_id), level=Level.DEPARTMENT
    ).count()
    before = plan.tasks.count()
    errors = sign_in(page, str(live_server), "admin")
    page.goto(f"{live_server}/plans/{plan.pk}/import/")
    page.get_by_label("Tệp").set_input_files(str(appendix(tmp_path / "phu-luc.xlsx")))
    page.get_by_role("button", name="Xem trước").click()
    expect(page.get_by_text(f"1 dòng → {departments} nhiệm vụ")).to_be_visible()
    expect(page.get_by_text("Thời hạn 30/09/2026 đã qua")).to_be_visible()
    create = page.get_by_role("button", name=f"Tạo {departments} nhiệm vụ")
    create.click()  # the box is required: the browser keeps the form
    assert plan.tasks.count() == before
    page.get_by_label("Tôi đã xem 1 cảnh báo", exact=False).check()
    create.click()
    expect(page.get_by_text(f"Đã nhập {departments} nhiệm vụ từ phu-luc.xlsx.")).to_be_visible()
    assert plan.tasks.filter(title="Tự kiểm tra công tác CCHC").count() == departments
    assert errors == []
