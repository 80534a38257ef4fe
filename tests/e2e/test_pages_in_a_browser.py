"""Sign in and read the pages in Chromium, as each role would."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.conftest import PASSWORD

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
    expect(page.get_by_role("heading", name="Kế hoạch cải cách hành chính")).to_be_visible()
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
