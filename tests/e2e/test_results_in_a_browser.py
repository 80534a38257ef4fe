"""Task results and the periodic report in Chromium: a head grades and excuses, an official
reads their own, the committee prints and downloads the report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from playwright.sync_api import Page, expect

from plans.models import AuditEvent, Plan
from tasks.models import Status, Task
from tests.conftest import official
from tests.e2e.test_pages_in_a_browser import sign_in
from tracker.demo.data import PLAN_NUMBER

pytestmark = pytest.mark.usefixtures("demo_live")

PAGE_WIDTH = "() => document.documentElement.scrollWidth"
OCTOBER = "2026-10"


def late_october_task() -> Task:
    """A task of snv.cv1 due on 10/10/2026, returned once, accepted on 15/10: late."""
    person = official("snv.cv1")
    sample = Task.objects.filter(plan__document_number=PLAN_NUMBER).first()
    assert sample is not None and person.unit is not None
    task = Task.objects.create(
        plan=sample.plan,
        area=sample.area,
        lead_unit=person.unit,
        title="Rà soát hồ sơ tháng Mười",
        due_date=dt.date(2026, 10, 10),
        original_due_date=dt.date(2026, 10, 10),
        status=Status.DONE,
        completed_at=dt.datetime(2026, 10, 15, 9, tzinfo=dt.timezone(dt.timedelta(hours=7))),
    )
    task.assignees.set([person])
    AuditEvent.objects.create(
        action="returned",
        content_type=ContentType.objects.get_for_model(Task),
        object_id=task.pk,
        actor=official("snv.head"),
    )
    return task


def test_a_head_grades_and_excuses_and_the_official_reads_their_own(
    page: Page, live_server: object
) -> None:
    task = late_october_task()
    person = official("snv.cv1")
    unit = person.unit_id
    base = str(live_server)
    page.set_viewport_size({"width": 1280, "height": 900})
    errors = sign_in(page, base, "snv.head")
    page.goto(f"{base}/units/{unit}/task-results/?period={OCTOBER}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("tháng 10/2026")
    row = page.locator("table.results tbody tr", has_text=person.full_name)
    row.get_by_role("textbox").fill("28")
    row.get_by_role("button", name="Lưu").click()
    expect(page.locator(".messages")).to_contain_text("Đã lưu điểm tiêu chí chung.")
    row = page.locator("table.results tbody tr", has_text=person.full_name)
    expect(row.get_by_role("textbox")).to_have_value("28")

    row.get_by_role("link", name=person.full_name).click()
    line = page.locator("table.tasks tbody tr", has_text=task.title)
    expect(line).to_contain_text("0,75")  # one return: quality 0.75; late: progress 0.75
    line.get_by_placeholder("lý do").first.fill("Thay đổi quy định giữa chừng")
    line.get_by_role("button", name="Trả lại: khách quan").click()
    expect(page.locator(".messages")).to_contain_text("Đã ghi nhận nguyên nhân khách quan.")
    line = page.locator("table.tasks tbody tr", has_text=task.title)
    expect(line).to_contain_text("Thay đổi quy định giữa chừng")
    assert task.objective_marks.filter(kind="return").exists()

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/units/{unit}/task-results/?period={OCTOBER}")
    assert page.evaluate(PAGE_WIDTH) <= 390
    assert errors == []

    page.context.clear_cookies()
    errors = sign_in(page, base, "snv.cv1")
    page.get_by_role("link", name="Kết quả thực hiện nhiệm vụ của tôi").click()
    page.locator("select[name=period]").select_option(OCTOBER)  # the picker sends itself
    expect(page.get_by_role("heading", level=1)).to_contain_text("tháng 10/2026")
    expect(page.locator("table.tasks")).to_contain_text(task.title)
    expect(page.locator("table.tasks")).not_to_contain_text("Trả lại: khách quan")
    assert errors == []


def test_the_committee_prints_and_downloads_the_report(page: Page, live_server: object) -> None:
    plan = Plan.objects.get(document_number=PLAN_NUMBER)
    base = str(live_server)
    errors = sign_in(page, base, "bcd1")
    page.goto(f"{base}/dashboard/")
    page.locator(".report-links").get_by_role("link", name="quý III năm 2026").click()
    expect(page.locator("article.report")).to_contain_text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    expect(page.locator("article.report figure img").first).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.locator(".report-tools")).to_be_hidden()
    page.emulate_media(media="screen")
    for name, suffix in (("Tải Word (.docx)", ".docx"), ("Tải PDF", ".pdf")):
        with page.expect_download() as download:
            page.get_by_role("link", name=name).click()
        assert download.value.suggested_filename.endswith(f"2026-q3-{plan.pk}{suffix}")
    assert errors == []
