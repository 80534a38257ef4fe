"""A day's use in Chromium: what an official and a head see and click, desktop and phone."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import Dialog, Page, expect
from pytest_django.fixtures import Settings

from plans.models import Plan
from tasks import services
from tasks.models import Evidence, Task
from tests.conftest import PDF, TODAY, new_task, official, upload
from tests.e2e.test_pages_in_a_browser import sign_in
from tracker.demo.data import PLAN_NUMBER

pytestmark = pytest.mark.usefixtures("demo_live")

PAGE_WIDTH = "() => document.documentElement.scrollWidth"


def demo_plan() -> Plan:
    return Plan.objects.get(document_number=PLAN_NUMBER)


def test_the_score_page_keeps_its_shape_and_its_width(page: Page, live_server: object) -> None:
    plan = demo_plan()
    page.set_viewport_size({"width": 1280, "height": 900})
    errors = sign_in(page, str(live_server), "bcd1")
    page.goto(f"{live_server}/plans/{plan.pk}/scores/")
    shown = re.search(r"Điểm tính đến ngày (\d\d/\d\d/\d{4})", page.locator("main").inner_text())
    assert shown is not None
    expect(page.get_by_label("Tính đến ngày")).to_have_value(shown.group(1))
    table = page.locator("table.scores").first
    before = table.bounding_box()
    page.locator("table.scores details summary").first.click()
    expect(page.locator("table.scores details[open] .why").first).to_be_visible()
    assert table.bounding_box() == before  # the why opens over the table
    unit = page.locator("table.scores tbody tr td a").first
    name = unit.inner_text()
    unit.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/plans/{plan.pk}/scores/")
    assert page.evaluate(PAGE_WIDTH) <= 390
    box = page.locator("div.scroll").first
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")  # the table scrolls in its box
    assert errors == []


def test_the_task_page_with_evidence_stays_390_px_wide(page: Page, live_server: object) -> None:
    task = Evidence.objects.filter(task__assignees__user__username="snv.cv1").first()
    assert task is not None
    page.set_viewport_size({"width": 390, "height": 844})
    errors = sign_in(page, str(live_server), "snv.cv1")
    page.goto(f"{live_server}/tasks/{task.task_id}/")
    expect(page.get_by_role("heading", name="Tài liệu kiểm chứng")).to_be_visible()
    assert page.evaluate(PAGE_WIDTH) <= 390
    assert errors == []


def test_removing_evidence_asks_and_an_oversized_file_never_leaves_the_browser(
    page: Page, live_server: object, settings: Settings, tmp_path: Path
) -> None:
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    task = new_task(demo_plan())
    services.add_evidence(official("snv.cv1"), task, file=upload(), filename="bao-cao.pdf")
    errors = sign_in(page, str(live_server), "snv.cv1")
    page.goto(f"{live_server}/tasks/{task.pk}/")

    answers = iter([False, True])
    asked: list[str] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept() if next(answers) else dialog.dismiss()

    page.on("dialog", answer)
    page.get_by_role("button", name="Gỡ").click()
    expect(page.get_by_role("link", name="bao-cao.pdf")).to_be_visible()
    assert Evidence.objects.filter(task=task).count() == 1  # "Cancel" keeps it
    page.get_by_role("button", name="Gỡ").click()
    expect(page.get_by_text("Đã gỡ tài liệu kiểm chứng")).to_be_visible()
    assert not Evidence.objects.filter(task=task).exists()
    assert asked == ["Gỡ tài liệu kiểm chứng “bao-cao.pdf”? Tệp sẽ bị xoá."] * 2

    big = tmp_path / "ban-chup.pdf"
    big.write_bytes(PDF + b"0" * (2 * 1024 * 1024))
    page.get_by_label("Số, ký hiệu văn bản").fill("21/BC-SNV")
    page.locator("#evidence-form input[type=file]").set_input_files(str(big))
    expect(page.locator("#evidence-form .error.size")).to_have_text(
        "Tệp có dung lượng 2,0 MB; giới hạn là 1 MB."
    )
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    page.get_by_role("button", name="Tải lên").click()
    page.wait_for_timeout(300)
    assert sent == []
    expect(page.get_by_label("Số, ký hiệu văn bản")).to_have_value("21/BC-SNV")
    assert errors == []


def test_a_returned_official_sees_why_and_a_head_opens_the_inbox_in_a_new_tab(
    page: Page, live_server: object
) -> None:
    task = new_task(demo_plan(), due_date=TODAY + dt.timedelta(days=10))
    worker, head = official("snv.cv1"), official("snv.head")
    services.add_evidence(worker, task, file=upload(), filename="bao-cao.pdf")
    services.submit_task(worker, task)
    errors = sign_in(page, str(live_server), "snv.head")
    page.goto(f"{live_server}/inbox/")
    with page.context.expect_page() as opened:
        page.get_by_role("link", name=re.compile(re.escape(task.title))).first.click()
    tab = opened.value
    expect(tab.get_by_role("heading", level=1)).to_have_text(task.title)
    tab.get_by_label("Trả lại để hoàn thiện").check()
    tab.locator("#review textarea[name=comment]").fill("Thiếu biên bản họp")
    tab.get_by_role("button", name="Ghi nhận quyết định").click()
    page.reload()
    expect(page.locator("ul.inbox li").filter(has_text=task.title).first).to_contain_text(
        "Đã xử lý"
    )
    page.get_by_role("button", name="Đăng xuất").click()

    errors += sign_in(page, str(live_server), "snv.cv1")
    page.goto(f"{live_server}/tasks/{task.pk}/")
    banner = page.get_by_role("alert").filter(has_text="đã trả lại")
    expect(banner).to_contain_text(head.full_name)
    expect(banner).to_contain_text("Thiếu biên bản họp")
    assert errors == []


def test_a_deadline_outside_the_plans_year_is_confirmed(page: Page, live_server: object) -> None:
    plan = demo_plan()
    errors = sign_in(page, str(live_server), "ubnd-tinh.head")
    page.goto(f"{live_server}/plans/{plan.pk}/tasks/new/")
    page.get_by_label("Nhiệm vụ").fill("Tổng kết CCHC giai đoạn")
    page.get_by_label("Lĩnh vực").select_option("1")
    page.get_by_label("Cơ quan chủ trì").select_option(label="Sở Nội vụ")
    page.get_by_label("Thời hạn").fill("15/01/2027")
    page.get_by_role("button", name="Tạo nhiệm vụ").click()
    expect(page.get_by_text("nằm ngoài năm của kế hoạch (2026)")).to_be_visible()
    expect(page.get_by_label("Nhiệm vụ")).to_have_value("Tổng kết CCHC giai đoạn")
    page.get_by_label("Vẫn giữ hạn này").check()
    page.get_by_role("button", name="Tạo nhiệm vụ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tổng kết CCHC giai đoạn")
    made = Task.objects.get(title="Tổng kết CCHC giai đoạn")
    assert made.due_date == dt.date(2027, 1, 15)
    # The browser logs the form's answer asking for confirmation (422), nothing else.
    assert [e for e in errors if "status of 422" not in e] == []
