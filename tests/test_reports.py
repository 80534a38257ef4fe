"""The periodic CCHC report: its windows, its figures (those of the dashboard), its three forms."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator

import docx
import pytest
import time_machine
from django.test import Client
from django.utils import timezone, translation
from pypdf import PdfReader

from kit.errors import DomainError
from plans.models import Area, Level, Plan, Role, Unit
from tasks.models import Status, Task
from tasks.scores.rollup import rollup
from tests.factories import Province, make_official, make_province, make_unit, sign_in
from tracker.reports.docx import report_docx
from tracker.reports.figures import build_report, parse_period, window

pytestmark = pytest.mark.django_db

HANOI = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2026, 4, 2, 9, 0, tzinfo=HANOI)
Q1_END = dt.date(2026, 3, 14)


def make(
    p: Province,
    title: str,
    due: dt.date,
    done: dt.date | None = None,
    *,
    area: int = 1,
    lead: Unit | None = None,
) -> Task:
    return Task.objects.create(
        plan=p.plan,
        area=p.plan.areas.get(number=area),
        lead_unit=lead or p.lead,
        title=title,
        due_date=due,
        original_due_date=due,
        status=Status.DONE if done else Status.TODO,
        completed_at=timezone.make_aware(dt.datetime.combine(done, dt.time(15))) if done else None,
    )


@pytest.fixture
def scene() -> Iterator[Province]:
    """Q1 2026 as of 14/3: two done on time (one of them before the window), one late, two
    overdue, one within term; another department's task; a cancelled one left out. Made
    in January: a closed window counts the tasks as they stood on its last day."""
    with time_machine.travel(dt.datetime(2026, 1, 20, 9, tzinfo=HANOI), tick=False):
        p = make_province()
        made(p)
    rollup(p.plan, Q1_END)
    yield p


def made(p: Province) -> None:
    d = dt.date
    make(p, "Ban hành kế hoạch kiểm tra", d(2026, 1, 31), d(2026, 1, 20))
    make(p, "Rà soát thủ tục năm trước", d(2025, 12, 20), d(2025, 12, 10))
    make(p, "Công khai thủ tục hành chính", d(2026, 2, 15), d(2026, 3, 1))
    make(p, "Số hóa hồ sơ một cửa", d(2026, 2, 28))
    make(p, "Đánh giá mức độ hài lòng", d(2026, 3, 10), area=2)
    make(p, "Báo cáo cả năm", d(2026, 12, 15))
    make(p, "Tổ chức hội nghị pháp chế", d(2026, 3, 5), d(2026, 3, 5), lead=p.other)
    cancelled = make(p, "Nhiệm vụ đã hủy", d(2026, 2, 1))
    Task.objects.filter(pk=cancelled.pk).update(status=Status.CANCELLED)


def test_the_windows_are_domain_mds() -> None:
    assert window(2026, "q1") == (dt.date(2025, 12, 15), dt.date(2026, 3, 14))
    assert window(2026, "h1") == (dt.date(2025, 12, 15), dt.date(2026, 6, 14))
    assert window(2026, "q3") == (dt.date(2026, 6, 15), dt.date(2026, 9, 14))
    assert window(2026, "year") == (dt.date(2025, 12, 15), dt.date(2026, 12, 14))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-q2", "must be written 2026-q1"),
        ("q1", "must be written"),
        ("2025-q1", "of 2026"),
        ("2026-q3", "has not begun: its data start on 15/06/2026"),
    ],
)
def test_a_bad_period_is_refused_with_its_reason(text: str, message: str) -> None:
    plan = Plan(year=2026)
    with translation.override("en"), pytest.raises(DomainError) as refused:
        parse_period(text, plan, dt.date(2026, 4, 2))
    assert refused.value.status == 422
    assert message in refused.value.message


def figures_of_the_dashboard(client: Client, p: Province) -> dict[str, int]:
    sign_in(client, p.committee)
    page = client.get("/dashboard/", {"plan": str(p.plan.pk), "as_of": "14/03/2026"})
    assert page.status_code == 200
    h = page.context["headline"]
    return {
        "total": h.total,
        "on_time": h.on_time,
        "late": h.late,
        "in_term": h.in_term,
        "overdue": h.overdue,
    }


@time_machine.travel(NOW, tick=False)
def test_the_report_counts_as_the_dashboard_does_on_the_windows_last_day(
    client: Client, scene: Province
) -> None:
    p = scene
    dashboard = figures_of_the_dashboard(client, p)
    assert dashboard == {"total": 7, "on_time": 3, "late": 1, "in_term": 1, "overdue": 2}
    with translation.override("vi"):
        report = build_report(p.plan, parse_period("2026-q1", p.plan, NOW.date()), NOW.date())
    h = report.headline
    assert (h.total, h.on_time, h.late, h.in_term, h.overdue) == (7, 3, 1, 1, 2)
    assert report.as_of == Q1_END and not report.provisional
    # Done within 15/12/2025-14/03/2026: not the one done on 10/12/2025.
    assert report.completed_in_window == 3
    assert [(r.label, r.counts.total, r.completed_in_window) for r in report.units] == [
        (p.lead.name, 6, 2),
        (p.other.name, 1, 1),
    ]
    assert [(row.task.title, row.days) for row in report.overdue] == [
        ("Số hóa hồ sơ một cửa", 14),
        ("Đánh giá mức độ hài lòng", 4),
    ]
    assert {row.name for level in report.ranking for row in level.rows} >= {
        p.lead.name,
        p.other.name,
    }
    assert len(report.progress_charts) == 1 and report.progress_charts[0].png[:4] == b"\x89PNG"


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [para.text for para in document.paragraphs]
    for table in document.tables:
        parts += ["\t".join(cell.text for cell in row.cells) for row in table.rows]
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_the_word_and_pdf_reports_hold_the_dashboards_figures(
    client: Client, scene: Province, kind: str
) -> None:
    p = scene
    sign_in(client, p.committee)
    answer = client.get(
        f"/api/v1/plans/{p.plan.pk}/reports/2026-q1.{kind}", HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert answer.status_code == 200, answer.content[:300]
    assert f"bao-cao-cchc-2026-q1-{p.plan.pk}.{kind}" in answer["Content-Disposition"]
    text = docx_text(answer.content) if kind == "docx" else squeeze(pdf_text(answer.content))
    if kind == "docx":
        text = text.replace("\t", " ")
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BÁO CÁO",
        "quý I năm 2026",
        "15/12/2025",
        "14/03/2026",
        # A People's Committee in full, its number, its place (here its name's rest).
        "ỦY BAN NHÂN DÂN",
        p.province.name.upper().replace("UBND ", ""),
        "Số: ……/BC-UBND",
        "ngày …… tháng …… năm 2026",
        # The Ministry's outline, the figures in their sections.
        "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH",
        "II. KẾT QUẢ THỰC HIỆN NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH",
        "III. ĐÁNH GIÁ CHUNG",
        "IV. NHIỆM VỤ TRỌNG TÂM KỲ TỚI",
        "V. ĐỀ XUẤT, KIẾN NGHỊ",
        # the headline: 7 tasks, 3 on time, 1 late, 1 within term, 2 overdue, 57,1% done
        "Hoàn thành đúng hạn: 3",
        "Hoàn thành quá hạn: 1",
        "trong hạn: 1",
        "quá hạn: 2",
        "57,1%",
        # the lead units' rows: total, on time, late, in term, overdue, done, done in window
        f"{p.lead.name} 6 2 1 1 2 50,0% 2",
        f"{p.other.name} 1 1 0 0 0 100,0% 1",
        # the overdue list with its days
        "Số hóa hồ sơ một cửa",
        "Đánh giá mức độ hài lòng",
        "Nơi nhận:",
        "Bộ Nội vụ;",
        "Lưu: VT, UBND.",
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        p.plan_head.full_name,
    ]:
        assert expected in text, expected


@time_machine.travel(NOW, tick=False)
def test_the_page_is_laid_out_for_print_and_offers_the_begun_periods(
    client: Client, scene: Province
) -> None:
    p = scene
    sign_in(client, p.committee)
    page = client.get(f"/plans/{p.plan.pk}/reports/2026-q1/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html
    assert "@page" in html and "@media print" in html
    assert f"/plans/{p.plan.pk}/reports/2026-q1.docx" in html
    assert f"/plans/{p.plan.pk}/reports/2026-q1.pdf" in html
    assert "data:image/png;base64," in html
    # Q1 and H1 have begun by 2/4; Q3 has not.
    assert f"/plans/{p.plan.pk}/reports/2026-h1/" in html
    assert "2026-q3" not in html
    assert page.context["report"].headline.total == 7


@time_machine.travel(NOW, tick=False)
def test_an_open_period_is_counted_as_of_today_and_says_so(client: Client, scene: Province) -> None:
    p = scene
    sign_in(client, p.committee)
    page = client.get(f"/plans/{p.plan.pk}/reports/2026-h1/")
    report = page.context["report"]
    assert report.as_of == NOW.date() and report.provisional
    assert "kỳ chưa kết thúc: tính đến ngày 02/04/2026" in page.content.decode()


@time_machine.travel(NOW, tick=False)
def test_a_head_reports_their_own_units_share_and_nothing_else(
    client: Client, scene: Province
) -> None:
    p = scene
    sign_in(client, p.lead_head)
    mine = client.get(f"/plans/{p.plan.pk}/reports/2026-q1/", {"unit": p.lead.pk})
    assert mine.status_code == 200
    report = mine.context["report"]
    assert report.unit == p.lead and report.headline.total == 6
    assert p.lead.name.upper() in mine.content.decode()
    assert "Tổ chức hội nghị pháp chế" not in mine.content.decode()
    assert client.get(f"/plans/{p.plan.pk}/reports/2026-q1/").status_code == 403
    other = client.get(f"/api/v1/plans/{p.plan.pk}/reports/2026-q1.docx?unit={p.other.pk}")
    assert other.status_code == 403
    sign_in(client, p.assignee)
    refused = client.get(f"/api/v1/plans/{p.plan.pk}/reports/2026-q1.pdf")
    assert refused.status_code == 403
    assert "steering committee" in refused.json()["detail"]


@time_machine.travel(NOW, tick=False)
def test_a_units_own_plan_reports_that_unit(client: Client, scene: Province) -> None:
    p = scene
    with time_machine.travel(dt.datetime(2026, 2, 1, 9, tzinfo=HANOI), tick=False):
        own = Plan.objects.create(
            unit=p.lead,
            parent=p.plan,
            year=2026,
            title="Kế hoạch CCHC của Sở",
            status="issued",
            issued_on=dt.date(2026, 1, 20),
        )
        own_area = Area.objects.create(plan=own, number=2, name="Cải cách thể chế (của Sở)")
        Task.objects.create(
            plan=own,
            area=own_area,
            lead_unit=p.lead,
            title="Nhiệm vụ trong kế hoạch của Sở",
            due_date=dt.date(2026, 3, 1),
            original_due_date=dt.date(2026, 3, 1),
        )
    sign_in(client, p.lead_head)
    page = client.get(f"/plans/{own.pk}/reports/2026-q1/")
    assert page.status_code == 200
    report = page.context["report"]
    assert report.unit == p.lead and report.headline.total == 7
    # Its own plan's task counts under the province's area of the same number.
    assert [(row.label, row.counts.total) for row in report.areas][1][1] == 2
    # The downloads are of this unit's report, which its head may read.
    docx_link = page.context["downloads"]["docx"]
    assert docx_link.endswith(f"?unit={p.lead.pk}")
    assert client.get(docx_link).status_code == 200
    sign_in(client, p.other_head)
    assert client.get(f"/plans/{own.pk}/reports/2026-q1/").status_code == 403


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("2026-q2.pdf", 422),
        ("2025-year.docx", 422),
        ("2026-q3.docx", 422),
        ("2026-q1.docx?unit=999999", 404),
        ("2026-q1.docx?unit=%C2%B2", 422),
        ("2026-q1.pdf?unit=abc", 422),
    ],
)
def test_the_api_refuses_a_bad_period_or_unit_with_a_detail(
    client: Client, scene: Province, path: str, status: int
) -> None:
    sign_in(client, scene.committee)
    answer = client.get(f"/api/v1/plans/{scene.plan.pk}/reports/{path}")
    assert answer.status_code == status
    assert answer.json()["detail"]
    assert client.get("/api/v1/plans/999999/reports/2026-q1.pdf").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_the_plans_report_draws_levels_and_ranks_and_a_units_report_its_areas(
    scene: Province,
) -> None:
    p = scene
    with time_machine.travel(dt.datetime(2026, 1, 25, 9, tzinfo=HANOI), tick=False):
        district = make_unit("UBND huyện", Level.DISTRICT, p.province)
        make_official(district, Role.HEAD)
        make(p, "Nhiệm vụ cấp huyện", dt.date(2026, 3, 1), dt.date(2026, 2, 1), lead=district)
    rollup(p.plan, Q1_END)
    period = parse_period("2026-q1", p.plan, NOW.date())
    whole = build_report(p.plan, period, NOW.date())
    assert len(whole.progress_charts) == 2  # per area, per level of the lead unit
    assert len(whole.score_charts) == len(whole.ranking) >= 1
    share = build_report(p.plan, period, NOW.date(), unit=p.lead)
    assert len(share.progress_charts) == 1 and share.score_charts == []
    assert [row.name for level in share.ranking for row in level.rows] == [p.lead.name]
    # Its rank is counted among its level's ranked units, not among itself alone.
    assert share.ranking[0].units == whole.ranking[0].units == 2


@time_machine.travel(NOW, tick=False)
def test_the_dashboards_offer_the_begun_periods_reports(client: Client, scene: Province) -> None:
    p = scene
    sign_in(client, p.committee)
    overview = client.get("/dashboard/", {"plan": str(p.plan.pk)}).content.decode()
    assert f"/plans/{p.plan.pk}/reports/2026-q1/" in overview
    assert f"/plans/{p.plan.pk}/reports/2026-h1/" in overview
    assert "2026-q3" not in overview
    sign_in(client, p.lead_head)
    own = client.get(f"/dashboard/units/{p.lead.pk}/", {"plan": str(p.plan.pk)})
    assert f"/plans/{p.plan.pk}/reports/2026-q1/?unit={p.lead.pk}" in own.content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_word_report_numbers_its_pages_and_keeps_sub_headings_with_their_tables(
    scene: Province,
) -> None:
    p = scene
    with translation.override("vi"):
        report = build_report(p.plan, parse_period("2026-q1", p.plan, NOW.date()), NOW.date())
        document = docx.Document(io.BytesIO(report_docx(report)))
    footer = document.sections[0].footer._element.xml
    assert 'w:instr="PAGE"' in footer
    kept = [para.text for para in document.paragraphs if para.paragraph_format.keep_with_next]
    assert "1. Theo lĩnh vực" in kept and "2. Theo cơ quan chủ trì" in kept
    grid = [col.width for col in document.tables[0].columns]
    assert grid[0] < grid[1]  # the letterhead: issuing body narrower than the motto
