"""The assessment's finer rules: what a page save pins, what a submission checks, what is
refused and how (a message, never a 500), and what a cited piece of evidence protects."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from assessments import council, services
from assessments.models import Assessment, Item, Sheet
from kit.errors import Conflict, Invalid
from tasks import services as task_services
from tasks.models import Evidence
from tests.assessments.conftest import done
from tests.conftest import NOW
from tests.factories import Province, sign_in

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(days=3)


@pytest.fixture
def assessment(province: Province, scene: dict[str, Any]) -> Assessment:
    return services.open_assessment(
        province.committee,
        province.plan,
        self_closes_on=dt.date(2026, 11, 23),
        appraisal_closes_on=dt.date(2026, 11, 30),
    )


def sheet_of(a: Assessment, p: Province) -> Sheet:
    return a.sheets.get(unit=p.lead)


def flashes(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_a_page_save_that_leaves_the_figure_keeps_it_following_the_roll_up(
    client: Client, province: Province, scene: dict[str, Any], assessment: Assessment
) -> None:
    p = province
    sign_in(client, p.assignee)
    url = f"/assessments/{assessment.pk}/units/{p.lead.pk}/items/1.2/"
    client.post(url, {"self_points": "0,00", "explanation": "Chưa có gì thêm"})
    item = Item.objects.get(sheet__unit=p.lead, code="1.2")
    assert item.self_points is None and item.explanation == "Chưa có gì thêm"
    done(p, scene["open"])  # 2 of 2 accepted: the computed figure moves to 3.00
    services.submit_sheet(p.lead_head, sheet_of(assessment, p), now=NOW)
    item.refresh_from_db()
    assert (item.computed_points, item.own_points) == (3, 3)


def test_a_submission_refuses_a_figure_left_behind_by_the_computed_one(
    province: Province, scene: dict[str, Any], assessment: Assessment
) -> None:
    p = province
    services.edit_line(p.assignee, sheet_of(assessment, p), "1.2", self_points="0")
    done(p, scene["open"])
    with pytest.raises(Invalid, match=r"1\.2"):
        services.submit_sheet(p.lead_head, sheet_of(assessment, p), now=NOW)
    sheet = sheet_of(assessment, p)
    assert (sheet.status, sheet.fixed_at) == ("draft", None)  # nothing half-written


@pytest.mark.parametrize("typed", ["1e30", "9e99", "abc", "NaN", "0.005"])
def test_bad_points_on_the_pages_are_told_never_a_500(
    client: Client, province: Province, assessment: Assessment, typed: str
) -> None:
    p = province
    sign_in(client, p.assignee)
    url = f"/assessments/{assessment.pk}/units/{p.lead.pk}/items/1.6/"
    answer = client.post(url, {"self_points": typed, "explanation": "x"}, follow=True)
    assert answer.status_code == 200
    assert any("Điểm" in m for m in flashes(answer)), flashes(answer)
    assert Item.objects.get(sheet__unit=p.lead, code="1.6").self_points is None


def test_evidence_cited_on_a_sheet_stays_on_its_task(
    province: Province, scene: dict[str, Any], assessment: Assessment
) -> None:
    p = province
    task = scene["open"]
    task_services.start_task(p.assignee, task)
    proof = task_services.add_evidence(p.assignee, task, file=_pdf(), filename="bb.pdf")
    services.edit_line(
        p.assignee,
        sheet_of(assessment, p),
        "1.2",
        evidence=[{"evidence_id": proof.pk, "locator": "trang 1"}],
    )
    with pytest.raises(Conflict, match=r"phiếu|sheet"):
        task_services.remove_evidence(p.assignee, proof)
    assert Evidence.objects.filter(pk=proof.pk).exists()


def test_evidence_of_another_plan_is_refused(
    province: Province, scene: dict[str, Any], assessment: Assessment
) -> None:
    p = province
    other_year = task_services.create_task(
        p.plan_head,
        p.plan,
        title="x",
        area=1,
        lead_unit_id=p.lead.pk,
        due_date=NOW.date(),
        confirm_past_deadline=True,
    )
    proof = task_services.add_evidence(p.lead_head, other_year, file=_pdf(), filename="a.pdf")
    services.edit_line(  # this plan's task: accepted
        p.assignee, sheet_of(assessment, p), "1.6", evidence=[{"evidence_id": proof.pk}]
    )
    from tests.factories import make_province

    elsewhere = make_province(2025)
    foreign = task_services.create_task(
        elsewhere.plan_head,
        elsewhere.plan,
        title="Năm trước",
        area=1,
        lead_unit_id=p.lead.pk,
        due_date=dt.date(2025, 12, 1),
        confirm_past_deadline=True,
    )
    old_proof = task_services.add_evidence(p.lead_head, foreign, file=_pdf(), filename="cu.pdf")
    with pytest.raises(Invalid, match=str(old_proof.pk)):
        services.edit_line(
            p.assignee, sheet_of(assessment, p), "1.6", evidence=[{"evidence_id": old_proof.pk}]
        )


def test_a_reopened_sheet_is_not_appraised_while_its_unit_has_it(
    province: Province, assessment: Assessment
) -> None:
    p = province
    sheet = sheet_of(assessment, p)
    council.reopen_sheet(
        p.committee, sheet, reason="Mất điện", until=dt.date(2026, 11, 28), today=LATER.date()
    )
    with pytest.raises(Conflict):
        council.appraise_line(p.committee, sheet_of(assessment, p), "1.6", points="1", now=LATER)
    assert Item.objects.get(sheet__unit=p.lead, code="1.6").appraised_points is None


def test_a_window_cannot_be_moved_into_the_past(province: Province, assessment: Assessment) -> None:
    with pytest.raises(Invalid):
        services.change_dates(province.committee, assessment, self_closes_on=dt.date(2026, 11, 20))


def _pdf() -> Any:
    from tests.conftest import upload

    return upload()


def _assessment_with(departments: int, year: int) -> Assessment:
    """A province plan of `year` whose departments each lead one task due, assessed."""
    from tests.factories import make_province, make_unit

    world = make_province(year)
    units = [world.lead, world.other] + [
        make_unit(f"Sở thử {year}-{n}", parent=world.province) for n in range(departments - 2)
    ]
    for unit in units:
        task_services.create_task(
            world.plan_head,
            world.plan,
            title=f"Nhiệm vụ của {unit.name}",
            area=1,
            lead_unit_id=unit.pk,
            due_date=dt.date(year, 3, 1),
            confirm_past_deadline=True,
        )
    return services.open_assessment(
        world.committee,
        world.plan,
        self_closes_on=dt.date(year, 12, 1),
        appraisal_closes_on=dt.date(year, 12, 20),
        today=dt.date(year, 11, 22),
    )


def test_the_results_read_in_a_fixed_number_of_queries() -> None:
    """The council's results before publication: as many queries for 2 units as for 6."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for departments, year in ((2, 2026), (6, 2027)):
        a = _assessment_with(departments, year)
        assert a.sheets.count() == departments
        with CaptureQueriesContext(connection) as queries:
            rows = council.results_of(a, dt.date(year, 11, 22))
        assert len(rows) == departments
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_council_reads_a_lines_evidence_in_the_browser_sandboxed(
    client: Client, province: Province, scene: dict[str, Any], assessment: Assessment
) -> None:
    p = province
    proof = scene["accepted"].evidence.get()
    services.edit_line(
        p.assignee, sheet_of(assessment, p), "1.2", evidence=[{"evidence_id": proof.pk}]
    )
    sign_in(client, p.committee)
    sheet = client.get(f"/assessments/{assessment.pk}/units/{p.lead.pk}/").content.decode()
    assert f'href="/evidence/{proof.pk}/download/?inline=1"' in sheet
    shown = client.get(f"/evidence/{proof.pk}/download/?inline=1")
    assert shown.status_code == 200 and shown["Content-Disposition"].startswith("inline")
    assert "sandbox" in shown["Content-Security-Policy"]
    saved = client.get(f"/evidence/{proof.pk}/download/")
    assert saved["Content-Disposition"].startswith("attachment")
