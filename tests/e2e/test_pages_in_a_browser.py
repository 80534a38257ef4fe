"""Sign in and read the pages in Chromium, as each role would."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, expect

from plans.models import Official, ScoreSnapshot
from tasks.models import Evidence, Status, Task
from tests.conftest import PASSWORD, PDF, TODAY

pytestmark = pytest.mark.usefixtures("demo_live")


def sign_in(page: Page, base: str, username: str) -> list[str]:
    """Sign in through the form; return the list that collects console errors."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if is_error(m) else None)
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    return errors


def is_error(message: ConsoleMessage) -> bool:
    return message.type == "error"


def test_an_official_reads_my_tasks_and_opens_one_on_a_phone(
    page: Page, live_server: object
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    errors = sign_in(page, str(live_server), "snv.cv1")
    expect(page.get_by_role("heading", name="Việc của tôi")).to_be_visible()
    expect(page.get_by_role("heading", name="Quá hạn")).to_be_visible()
    first = page.locator("table.tasks a").first
    title = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("heading", name="Lịch sử")).to_be_visible()
    assert errors == []


def test_the_committee_filters_the_plan_down_to_overdue_work(
    page: Page, live_server: object
) -> None:
    errors = sign_in(page, str(live_server), "bcd1")
    expect(page.get_by_role("heading", name="Tổng quan tỉnh")).to_be_visible()
    page.get_by_role("link", name="Tất cả nhiệm vụ quá hạn").click()
    expect(page.locator("table.tasks tbody tr").first).to_be_visible()
    statuses = page.locator("table.tasks tbody tr .s-overdue")
    assert statuses.count() == page.locator("table.tasks tbody tr").count() > 0
    page.get_by_label("Trạng thái").select_option("submitted")
    page.locator("form.filters").get_by_role("button", name="Lọc").click()
    expect(page).to_have_url(
        re.compile(r"overdue=yes.*status=submitted|status=submitted.*overdue=yes")
    )
    for cell in page.locator("table.tasks tbody tr .status:not(.s-overdue)").all():
        expect(cell).to_have_text("Chờ duyệt")
    assert errors == []


def test_english_can_be_chosen_and_sticks(page: Page, live_server: object) -> None:
    sign_in(page, str(live_server), "stp.head")
    expect(page.get_by_role("heading", name="Sở Tư pháp")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_text("Needs attention: awaiting review")).to_be_visible()
    page.reload()
    expect(page.get_by_role("button", name="Tiếng Việt")).to_be_visible()


def test_an_official_hands_in_work_and_the_head_accepts_it(
    page: Page, live_server: object, tmp_path: Path
) -> None:
    """The core loop in the browser: start, attach a PDF, submit; the head accepts."""
    task = Task.objects.filter(
        status=Status.TODO, assignees__user__username="snv.cv1", parent=None
    ).first()
    assert task is not None
    pdf = tmp_path / "Biên bản kiểm tra.pdf"
    pdf.write_bytes(PDF)

    errors = sign_in(page, str(live_server), "snv.cv1")
    page.goto(f"{live_server}/tasks/{task.pk}/")
    page.get_by_role("button", name="Bắt đầu thực hiện").click()
    expect(page.get_by_text("Đã bắt đầu thực hiện.")).to_be_visible()
    page.locator("#evidence-form input[type=file]").set_input_files(str(pdf))
    page.get_by_label("Số, ký hiệu văn bản").fill("15/BB-SNV")
    page.get_by_label("Ngày ban hành").fill("20/11/2026")
    page.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_text("Đã thêm tài liệu kiểm chứng: Biên bản kiểm tra.pdf.")).to_be_visible()
    page.get_by_role("button", name="Báo cáo hoàn thành").click()
    expect(page.locator(".messages")).to_contain_text("Đã báo cáo hoàn thành")
    page.get_by_role("button", name="Đăng xuất").click()

    errors += sign_in(page, str(live_server), "snv.head")
    page.get_by_role("link", name="Chờ duyệt").click()
    page.get_by_role("link", name=task.title).click()
    page.get_by_label("Chấp nhận").check()
    page.get_by_role("button", name="Ghi nhận quyết định").click()
    expect(page.get_by_text("Đã chấp nhận: nhiệm vụ hoàn thành.")).to_be_visible()
    assert Task.objects.get(pk=task.pk).status == Status.DONE
    issued_on = Evidence.objects.get(task=task, document_number="15/BB-SNV").issued_on
    assert issued_on is not None and issued_on.day == 20
    assert errors == []


def test_an_accepted_task_moves_the_units_score_on_its_page_by_itself(
    page: Page, live_server: object
) -> None:
    """No one presses "Tính lại ngay": the change asks the worker, the page says when."""
    task = (
        Task.objects.filter(
            status=Status.SUBMITTED,
            parent=None,
            due_date__lte=TODAY,
            plan__parent=None,
            lead_unit__level="department",
        )
        .select_related("lead_unit", "plan")
        .first()
    )
    assert task is not None
    unit, plan = task.lead_unit, task.plan
    before = ScoreSnapshot.objects.get(plan=plan, unit=unit, as_of=TODAY)
    completion = {p["code"]: p for p in before.parts}["1.2"]["why"]
    head = Official.objects.heads().get(unit=unit).user.username

    errors = sign_in(page, str(live_server), head)
    page.goto(f"{live_server}/tasks/{task.pk}/")
    page.get_by_label("Chấp nhận").check()
    page.get_by_role("button", name="Ghi nhận quyết định").click()
    expect(page.get_by_text("Đã chấp nhận: nhiệm vụ hoàn thành.")).to_be_visible()

    page.goto(f"{live_server}/dashboard/units/{unit.pk}/?plan={plan.pk}")
    accepted = completion["accepted"] + 1
    expect(page.locator("table.parts")).to_contain_text(
        f"{accepted}/{completion['due']} nhiệm vụ đến hạn"
    )
    after = ScoreSnapshot.objects.get(plan=plan, unit=unit, as_of=TODAY)
    assert after.computed_at > before.computed_at
    stamp = timezone.localtime(after.computed_at).strftime("%H:%M %d/%m/%Y")
    expect(page.locator("#score-computed")).to_contain_text(f"tính lúc {stamp}")
    assert errors == []


def test_the_api_documentation_draws_every_operation(page: Page, live_server: object) -> None:
    """The interactive docs render the whole OpenAPI document, with no console error."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if is_error(m) else None)
    page.goto(f"{live_server}/api/v1/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.get_by_text("/api/v1/evidence/{evidence_id}/download")).to_be_visible()
    assert page.locator(".opblock").count() > 40
    assert not page.get_by_text("duplicated mapping key").is_visible()
    assert errors == []
