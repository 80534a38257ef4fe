"""The score table, the roll-up button, manual scores and the indicator pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from plans.models import (
    Indicator,
    ManualScore,
    Measurement,
    Plan,
    ScoreSnapshot,
    SubCriterion,
    Unit,
)
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_the_score_table_ranks_units_and_shows_each_why(client: Client, plan: Plan) -> None:
    login(client, "bcd1")
    page = client.get(f"/plans/{plan.pk}/scores/").content.decode()
    assert "Điểm tính đến ngày 22/11/2026" in page
    snv = ScoreSnapshot.objects.get(plan=plan, as_of="2026-11-22", unit__code="snv")
    assert snv.unit.name in page
    # The why of 1.1 reads each unit's own plan: Sở Nội vụ's, issued by 31/01/2026.
    own = Plan.objects.get(parent=plan, unit=snv.unit)
    assert own.issued_on is not None
    assert f"ban hành ngày {own.issued_on:%d/%m/%Y}, trong hạn 31/01/2026" in page
    assert "Không áp dụng" in page and "Chỉ số" in page


def unit_lines(client: Client, plan: Plan) -> dict[str, str]:
    """Each unit's line on the score page, by unit name."""
    page = client.get(f"/plans/{plan.pk}/scores/").content.decode()
    lines = {}
    for unit in Unit.objects.filter(snapshots__plan=plan).distinct():
        start = page.find(f">{unit.name}<")
        if start >= 0:
            lines[unit.name] = page[start : page.find("</tr>", start)]
    return lines


def test_an_official_reads_their_own_units_parts_and_no_one_elses(
    client: Client, plan: Plan
) -> None:
    login(client, "snv.cv1")
    lines = unit_lines(client, plan)
    assert list(lines) == ["Sở Nội vụ"]  # the ranking is not public: other units are not listed
    assert 'class="why"' in lines["Sở Nội vụ"]
    page = client.get(f"/plans/{plan.pk}/scores/").content.decode()
    assert "Tính lại ngay" not in page and "Nhập điểm" not in page  # the committee's
    assert "Công khai xếp hạng" not in page
    assert "chưa được công khai" in page


def test_another_units_head_reads_neither_parts_nor_comments(client: Client, plan: Plan) -> None:
    ManualScore.objects.create(
        plan=plan,
        unit=Unit.objects.get(code="snv"),
        subcriterion=SubCriterion.objects.filter(criterion__index_set__plans=plan)[0],
        points=Decimal("0.5"),
        justification="Lý do của hội đồng thẩm định",
        entered_by=login(Client(), "bcd1"),
    )
    login(client, "stp.head")
    page = client.get(f"/plans/{plan.pk}/scores/").content.decode()
    assert "Sở Nội vụ" not in unit_lines(client, plan)
    assert "Lý do của hội đồng thẩm định" not in page
    api = client.get(f"/api/v1/plans/{plan.pk}/scores").json()
    assert {u["code"] for u in api["units"]} == {"stp"}
    entries = client.get(f"/api/v1/plans/{plan.pk}/manual-scores").json()["items"]
    assert all(e["unit_id"] != Unit.objects.get(code="snv").pk for e in entries)


def test_a_public_ranking_shows_every_units_line_without_its_parts(
    client: Client, plan: Plan
) -> None:
    committee = Client()
    login(committee, "bcd1")
    login(client, "snv.cv1")
    refused = client.put(
        f"/api/v1/plans/{plan.pk}/ranking-public",
        {"public": True},
        content_type="application/json",
    )
    assert refused.status_code == 403
    page = committee.get(f"/plans/{plan.pk}/scores/").content.decode()
    assert "Công khai xếp hạng" in page
    answer = committee.post(f"/plans/{plan.pk}/scores/ranking/", {"public": "1"}, follow=True)
    assert "Bảng xếp hạng đã được công khai." in answer.content.decode()
    plan.refresh_from_db()
    assert plan.ranking_public
    lines = unit_lines(client, plan)
    assert len(lines) > 5 and "Sở Nội vụ" in lines
    others = [line for name, line in lines.items() if name != "Sở Nội vụ"]
    assert all('class="why"' not in line for line in others)  # no parts, no whys
    assert 'class="why"' in lines["Sở Nội vụ"]
    api = client.get(f"/api/v1/plans/{plan.pk}/scores").json()
    snv = Unit.objects.get(code="snv").pk
    assert all(bool(u["subcriteria"]) == (u["unit_id"] == snv) for u in api["units"])
    assert all(u["rank"] is not None or u["index_pct"] is None for u in api["units"])
    closed = committee.put(
        f"/api/v1/plans/{plan.pk}/ranking-public",
        {"public": False},
        content_type="application/json",
    )
    assert closed.json() == {"plan_id": plan.pk, "ranking_public": False}
    assert list(unit_lines(client, plan)) == ["Sở Nội vụ"]


def test_an_earlier_day_and_a_day_before_any_rollup(client: Client, plan: Plan) -> None:
    login(client, "bcd1")
    page = client.get(f"/plans/{plan.pk}/scores/?as_of=15/07/2026").content.decode()
    assert "30/06/2026" in page
    empty = client.get(f"/plans/{plan.pk}/scores/?as_of=01/01/2026")
    assert empty.status_code == 200
    assert "Chưa có điểm" in empty.content.decode()


def test_the_committee_recomputes_a_day(client: Client, plan: Plan) -> None:
    login(client, "bcd1")
    page = client.get(f"/plans/{plan.pk}/scores/").content.decode()
    assert "Tính lại ngay" in page and "Nhập điểm thẩm định" in page
    ScoreSnapshot.objects.filter(plan=plan, as_of="2026-11-22").delete()
    response = client.post(f"/plans/{plan.pk}/scores/run/", {"as_of": "22/11/2026"})
    assert response.status_code == 302
    assert ScoreSnapshot.objects.filter(plan=plan, as_of="2026-11-22").exists()
    login(client, "snv.head")
    assert client.post(f"/plans/{plan.pk}/scores/run/").status_code == 403


def test_the_button_recomputes_the_day_asked_for_or_today(client: Client, plan: Plan) -> None:
    """Not the day last stored: after a change, "Tính lại ngay" brings today up to date."""
    login(client, "bcd1")
    ScoreSnapshot.objects.filter(plan=plan, as_of="2026-11-22").delete()
    page = client.get(f"/plans/{plan.pk}/scores/").content.decode()
    assert 'name="as_of" value="22/11/2026"' in page
    asked = client.get(f"/plans/{plan.pk}/scores/?as_of=15/07/2026").content.decode()
    assert 'name="as_of" value="15/07/2026"' in asked


def test_a_manual_score_form_keeps_what_was_typed_when_refused(
    client: Client, plan: Plan, django_capture_on_commit_callbacks: Any
) -> None:
    login(client, "bcd2")
    unit = Unit.objects.get(code="stc")
    before = ManualScore.objects.count()
    refused = client.post(
        f"/plans/{plan.pk}/scores/manual/",
        {
            "unit": unit.pk,
            "code": "department:1.6",
            "points": "1.5",
            "justification": "Giải pháp mới",
        },
    )
    assert refused.status_code == 422
    body = refused.content.decode()
    assert "Giải pháp mới" in body and "Cho từ 0 đến 1" in body
    # The xã set's 1.6 is a penalty: a sở cannot be given it by mistake.
    wrong_level = client.post(
        f"/plans/{plan.pk}/scores/manual/",
        {"unit": unit.pk, "code": "commune:1.6", "points": "0,5", "justification": "Nhầm"},
    )
    assert wrong_level.status_code == 422
    assert "bộ chỉ số của cấp khác" in wrong_level.content.decode()
    assert ManualScore.objects.count() == before
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(
            f"/plans/{plan.pk}/scores/manual/",
            {
                "unit": unit.pk,
                "code": "department:1.6",
                "points": "0,5",
                "justification": "Giải pháp mới",
            },
        )
    assert ok.status_code == 302
    snap = ScoreSnapshot.objects.get(plan=plan, unit=unit, as_of="2026-11-22")
    assert {p["code"]: p["points"] for p in snap.parts}["1.6"] == "0.50"
    assert ManualScore.objects.get(unit=unit).points == Decimal("0.5")


def test_the_indicator_pages_show_targets_actuals_and_missing_units(
    client: Client, plan: Plan
) -> None:
    login(client, "x-di-linh.cv1")
    overview = client.get(f"/plans/{plan.pk}/indicators/").content.decode()
    indicator = Indicator.objects.get(plan=plan, code="hscv-mang")
    assert indicator.name in overview and "40,00%" in overview
    detail = client.get(f"/indicators/{indicator.pk}/").content.decode()
    assert "Xã Di Linh" in detail and "40,00%" in detail
    # Reporting for one's own unit: a figure, then the same period corrected.
    unit = Unit.objects.get(code="x-di-linh")
    form = {
        "unit": unit.pk,
        "period_start": "01/10/2026",
        "period_end": "31/10/2026",
        "numerator": "41",
        "denominator": "40",
    }
    refused = client.post(f"/indicators/{indicator.pk}/", form)
    assert refused.status_code == 422 and "41" in refused.content.decode()
    assert (
        client.post(f"/indicators/{indicator.pk}/", {**form, "numerator": "20"}).status_code == 302
    )
    assert (
        client.post(f"/indicators/{indicator.pk}/", {**form, "numerator": "25"}).status_code == 302
    )
    m = Measurement.objects.get(indicator=indicator, unit=unit, period_end="2026-10-31")
    assert (m.numerator, m.denominator) == (25, 40)
    page = client.get(f"/indicators/{indicator.pk}/?period_end=2026-10-31").content.decode()
    assert "25 / 40" in page and "Chưa báo cáo" in page
    # Another unit is not offered and not accepted.
    other = Unit.objects.get(code="p-cam-ly")
    assert (
        client.post(f"/indicators/{indicator.pk}/", {**form, "unit": other.pk}).status_code == 422
    )
    assert not Measurement.objects.filter(unit=other, period_end="2026-10-31").exists()
