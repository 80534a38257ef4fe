"""The annual assessment in Chromium on the demo province, from opening to published results."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import time_machine
from openpyxl import load_workbook
from playwright.sync_api import Locator, Page, expect

from assessments.jobs import advance_assessments
from assessments.models import Assessment, Item, Result, Sheet
from plans.models import Plan, Unit
from tasks import services as task_services
from tests.conftest import NOW, official
from tests.e2e.test_pages_in_a_browser import sign_in
from tracker.demo.data import PLAN_NUMBER

pytestmark = pytest.mark.usefixtures("demo_live")

SELF_CLOSES, APPRAISAL_CLOSES = "30/11/2026", "10/12/2026"
APPRAISAL_DAY = NOW + dt.timedelta(days=9)  # 01/12/2026: the appraisal window


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()


def line(page: Page, code: str) -> Locator:
    return page.locator(f"[id='line-{code}']")


def test_an_assessment_from_opening_to_published_results(page: Page, live_server: object) -> None:
    base = str(live_server)
    plan = Plan.objects.get(document_number=PLAN_NUMBER)
    snv, stp = Unit.objects.get(code="snv"), Unit.objects.get(code="stp")
    page.on("dialog", lambda dialog: dialog.accept())  # "Gửi phiếu?" is answered yes

    # The committee opens the assessment from the overview.
    errors = sign_in(page, base, "bcd1")
    page.get_by_role("link", name="Mở đợt đánh giá hằng năm").click()
    page.get_by_label("Hạn tự đánh giá").fill(SELF_CLOSES)
    page.get_by_label("Hạn thẩm định").fill(APPRAISAL_CLOSES)
    page.get_by_role("button", name="Mở đợt đánh giá").click()
    expect(page.get_by_text("Đã mở đợt đánh giá.")).to_be_visible()
    a = Assessment.objects.get(plan=plan)
    sign_out(page)

    # An official of Sở Nội vụ changes 1.2 with an explanation and a task's evidence.
    errors += sign_in(page, base, "snv.cv1")
    page.get_by_role("link", name="phiếu của đơn vị").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(snv.name)
    form = page.locator("[id='line-1.2'] form.edit-line")
    computed = Item.objects.get(sheet__assessment=a, sheet__unit=snv, code="1.2")
    step = Decimal("0.5") if computed.computed_points < computed.max_points else Decimal("-0.5")
    claimed = computed.computed_points + step  # a figure other than the computed one
    form.get_by_label("Điểm tự đánh giá tiêu chí 1.2").fill(f"{claimed:.2f}".replace(".", ","))
    form.get_by_label("Giải trình tiêu chí 1.2").fill("Hai nhiệm vụ quá hạn do chờ văn bản của Bộ")
    details = form.locator("details")
    if details.count():
        details.locator("summary").click()
    pick = form.locator("input[name=pick]").first
    pick.check()
    key = pick.get_attribute("value")
    form.locator(f"input[name='loc-{key}']").fill("trang 2, mục I")
    form.get_by_role("button", name="Lưu tiêu chí 1.2").click()
    expect(page.get_by_text("Đã lưu tiêu chí 1.2.")).to_be_visible()
    expect(line(page, "1.2")).to_contain_text("trang 2, mục I")
    sign_out(page)
    errors += sign_in(page, base, "snv.head")
    page.goto(f"{base}/assessments/{a.pk}/units/{snv.pk}/")
    page.get_by_role("button", name="Gửi", exact=True).click()
    expect(page.get_by_text("Đã gửi phiếu.")).to_be_visible()
    sign_out(page)

    # Sở Tài chính's head submits its sheet as computed.
    stc = Unit.objects.get(code="stc")
    errors += sign_in(page, base, "stc.head")
    page.get_by_role("link", name="phiếu của đơn vị").click()
    page.get_by_role("button", name="Gửi", exact=True).click()
    expect(page.get_by_text("Đã gửi phiếu.")).to_be_visible()
    sign_out(page)

    # Sở Tư pháp fills a line but never submits: the window's end locks it.
    errors += sign_in(page, base, "stp.cv1")
    page.goto(f"{base}/assessments/{a.pk}/units/{stp.pk}/")
    form = page.locator("[id='line-1.6'] form.edit-line")
    form.get_by_label("Giải trình tiêu chí 1.6").fill("Sáng kiến số hoá hồ sơ")
    form.get_by_role("button", name="Lưu tiêu chí 1.6").click()
    expect(page.get_by_text("Đã lưu tiêu chí 1.6.")).to_be_visible()
    sign_out(page)

    with time_machine.travel(APPRAISAL_DAY):
        assert advance_assessments() >= 1
        assert Sheet.objects.get(assessment=a, unit=stp).fixed_at is not None
        errors += sign_in(page, base, "bcd1")
        page.goto(f"{base}/assessments/{a.pk}/?state=locked")
        expect(page.locator("table.sheets")).to_contain_text(stp.name)
        # The council appraises 1.2 beside the unit's figure and returns the sheet once.
        page.goto(f"{base}/assessments/{a.pk}/units/{snv.pk}/")
        expect(line(page, "1.2")).to_contain_text("Hai nhiệm vụ quá hạn")
        appraise = page.locator("[id='line-1.2'] form").first
        appraise.get_by_label("Điểm thẩm định tiêu chí 1.2").fill("1,00")
        appraise.get_by_role("button", name="Thẩm định").click()
        expect(page.get_by_text("Đã thẩm định tiêu chí 1.2.")).to_be_visible()
        page.get_by_label("Nội dung đơn vị cần giải trình").fill("Gửi công văn của Bộ")
        page.get_by_role("button", name="Trả lại", exact=True).click()
        expect(page.get_by_text("Đã trả phiếu về đơn vị.")).to_be_visible()
        sign_out(page)
        errors += sign_in(page, base, "snv.head")
        page.goto(f"{base}/assessments/{a.pk}/units/{snv.pk}/")
        expect(page.get_by_role("alert")).to_contain_text("Gửi công văn của Bộ")
        page.get_by_role("button", name="Gửi", exact=True).click()
        expect(page.get_by_text("Đã gửi phiếu.")).to_be_visible()
        sign_out(page)
        errors += sign_in(page, base, "bcd1")
        page.goto(f"{base}/assessments/{a.pk}/units/{snv.pk}/")
        expect(page.get_by_role("button", name="Trả lại", exact=True)).to_have_count(0)  # once
        page.goto(f"{base}/assessments/{a.pk}/")
        page.get_by_label(re.compile("Công bố trước hạn thẩm định")).check()
        page.get_by_role("button", name="Công bố", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Kết quả đánh giá")
        page.wait_for_function("() => document.querySelector('.chart svg.main-svg')")

    # The results, checked by hand from the sheet; the export holds the same numbers.
    result = Result.objects.get(assessment=a, unit=snv)
    sheet = Sheet.objects.get(assessment=a, unit=snv)
    own = sum((i.own_points for i in sheet.items.filter(applicable=True)), Decimal(0))
    judged = sum(
        (
            i.own_points if i.appraised_points is None else i.appraised_points
            for i in sheet.items.filter(applicable=True)
        ),
        Decimal(0),
    )
    assert (result.self_total, result.appraised_total) == (own, judged)
    assert judged == own - claimed + Decimal("1.00")
    # Index, rank and group by hand from the published totals of the departments.
    departments = list(Result.objects.filter(assessment=a, level="department"))
    index = (judged * 100 / result.applicable_max).quantize(Decimal("0.01"))
    assert result.index_pct == index
    assert result.rank == 1 + sum(1 for r in departments if (r.index_pct or 0) > index)
    bands = [(90, "A"), (80, "B"), (70, "C")]
    assert result.group == next((g for start, g in bands if index >= start), "D")
    assert Sheet.objects.get(assessment=a, unit=stc).status == "submitted"
    row = page.locator("table.results tbody tr").filter(has_text=snv.name)
    expect(row).to_contain_text(f"{judged:.2f}".replace(".", ","))
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải Excel").click()
    with open(download.value.path(), "rb") as saved:
        book = load_workbook(io.BytesIO(saved.read()))
    rows = list(book.active.iter_rows(values_only=True))
    header = rows[1]
    found = {r[0]: dict(zip(header, r, strict=True)) for r in rows[2:]}
    assert found[snv.name]["Tổng điểm thẩm định"] == float(judged)
    assert found[snv.name]["1.2"] == 1.0  # the council's points where it scored the line
    assert found[snv.name]["Hạng"] == result.rank and found[snv.name]["Nhóm"] == result.group
    assert found[snv.name]["Chỉ số (%)"] == float(result.index_pct or 0)

    # A later change to the tasks leaves the published results as they are.
    task = plan.tasks.filter(lead_unit=snv, status="todo").first()
    assert task is not None
    task_services.cancel_task(official("ubnd-tinh.head"), task, reason="Không còn phù hợp")
    page.reload()
    expect(page.locator("table.results tbody tr").filter(has_text=snv.name)).to_contain_text(
        f"{judged:.2f}".replace(".", ",")
    )
    assert Result.objects.get(assessment=a, unit=snv).appraised_total == judged
    assert errors == []
