"""Units' own plans: who records them, the province plan's list of who is late."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from kit.errors import Invalid, NotAllowed
from plans import planning
from plans.models import AuditEvent, Level, Plan, PlanStatus, ScoreSnapshot
from plans.unitplans import LATE, MISSING, NOT_YET_DUE, ON_TIME, unit_plans
from tests.factories import make_province, make_unit, sign_in

pytestmark = pytest.mark.django_db


def test_a_date_to_come_and_a_unit_outside_the_province_are_refused() -> None:
    p = make_province()
    outside = make_unit("Sở của tỉnh khác")
    for unit_id, issued, field in (
        (p.lead.pk, dt.date(2026, 12, 1), "issued_on"),  # after today (22/11/2026)
        (p.lead.pk, dt.date(2026, 1, 10), "issued_on"),  # before the province plan (15/01)
        (outside.pk, dt.date(2026, 1, 20), "unit_id"),
    ):
        with pytest.raises(Invalid) as refused:
            planning.create_plan(
                p.admin,
                unit_id=unit_id,
                parent_id=p.plan.pk,
                year=2026,
                title="Kế hoạch",
                issued_on=issued,
                status=PlanStatus.ISSUED,
            )
        assert field in refused.value.errors
    assert not Plan.objects.filter(parent=p.plan).exists()


def test_the_province_plan_lists_who_issued_when_and_who_is_late(client: Client) -> None:
    p = make_province()
    commune = make_unit("Xã Một", Level.COMMUNE, parent=p.province)
    planning.create_plan(
        p.lead_head,
        unit_id=p.lead.pk,
        parent_id=p.plan.pk,
        year=2026,
        title="Kế hoạch CCHC 2026 của Sở Nội vụ",
        document_number="12/KH-SNV",
        issued_on=dt.date(2026, 1, 20),
        status=PlanStatus.ISSUED,
    )
    planning.create_plan(
        p.other_head,
        unit_id=p.other.pk,
        parent_id=p.plan.pk,
        year=2026,
        title="Kế hoạch CCHC 2026 của Sở Tư pháp",
        document_number="3/KH-STP",
        issued_on=dt.date(2026, 2, 9),
        status=PlanStatus.ISSUED,
    )
    states = {r.unit.pk: r.state for r in unit_plans(p.plan, dt.date(2026, 11, 22))}
    assert states == {p.lead.pk: ON_TIME, p.other.pk: LATE, commune.pk: MISSING}
    early = {r.unit.pk: r.state for r in unit_plans(p.plan, dt.date(2026, 1, 25))}
    assert early[commune.pk] == NOT_YET_DUE
    sign_in(client, p.committee)
    page = client.get(f"/plans/{p.plan.pk}/").content.decode()
    assert "2 trong 3 đơn vị đã ban hành kế hoạch; 1 chậm; 1 chưa ban hành dù đã quá hạn." in page
    assert "09/02/2026" in page and "Ban hành chậm" in page and "Chưa ban hành, đã quá hạn" in page
    # The unit's plan names what it implements.
    own = Plan.objects.get(parent=p.plan, unit=p.lead)
    assert p.plan.title in client.get(f"/plans/{own.pk}/").content.decode()


def test_a_head_records_the_units_plan_and_its_score_follows(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    p = make_province()
    sign_in(client, p.lead_head)
    url = f"/plans/{p.plan.pk}/unit-plan/"
    form = client.get(url)
    assert form.status_code == 200
    assert "Kế hoạch CCHC năm 2026 của Sở Nội vụ" in form.content.decode()
    # Bad input keeps what was typed and says why.
    refused = client.post(url, {"title": "Kế hoạch", "document_number": "12/KH-SNV"})
    assert refused.status_code == 422
    assert 'value="12/KH-SNV"' in refused.content.decode()
    assert not Plan.objects.filter(parent=p.plan).exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            url, {"title": "Kế hoạch", "document_number": "12/KH-SNV", "issued_on": "05/02/2026"}
        )
    assert done.status_code == 302
    own = Plan.objects.get(parent=p.plan, unit=p.lead)
    assert (own.status, own.issued_on) == (PlanStatus.ISSUED, dt.date(2026, 2, 5))
    snap = ScoreSnapshot.objects.get(plan=p.plan, unit=p.lead, as_of=dt.date(2026, 11, 22))
    assert {x["code"]: x["points"] for x in snap.parts}["1.1"] == "0.50"  # late
    # The unit's head cannot move the date that scores the unit afterwards...
    earlier = {"title": "Kế hoạch", "document_number": "12/KH-SNV", "issued_on": "30/01/2026"}
    locked = client.get(url).content.decode()
    assert 'name="issued_on"' in locked and "disabled" in locked  # shown, not editable
    assert "Thủ trưởng đơn vị ban hành kế hoạch của tỉnh" in locked
    # A date sent anyway (earlier, or to come) changes nothing; the number still may.
    client.post(url, {**earlier, "document_number": "12a/KH-SNV"})
    client.post(url, {**earlier, "document_number": "12a/KH-SNV", "issued_on": "01/12/2026"})
    kept = Plan.objects.get(pk=own.pk)
    assert (kept.issued_on, kept.document_number) == (dt.date(2026, 2, 5), "12a/KH-SNV")
    # Through the service (the API's way) the same change is refused, with the reason.
    with pytest.raises(NotAllowed):
        planning.update_plan(p.lead_head, own, issued_on=dt.date(2026, 1, 30))
    sign_in(client, p.plan_head)
    plan_page = client.get(f"/plans/{p.plan.pk}/").content.decode()
    correct = f"/plans/{p.plan.pk}/unit-plan/?unit={p.lead.pk}"
    assert correct.replace("&", "&amp;") in plan_page
    with django_capture_on_commit_callbacks(execute=True):
        corrected = client.post(correct, earlier)
    assert corrected.status_code == 302
    assert Plan.objects.get(pk=own.pk).issued_on == dt.date(2026, 1, 30)
    snap = ScoreSnapshot.objects.get(plan=p.plan, unit=p.lead, as_of=dt.date(2026, 11, 22))
    assert {x["code"]: x["points"] for x in snap.parts}["1.1"] == "1.00"
    assert AuditEvent.objects.history_of(own).filter(actor=p.plan_head, action="edited").exists()
    # Only heads record a plan, for their own unit; the province plan's head
    # corrects, and has no plan of their own to record here.
    sign_in(client, p.assignee)
    assert client.get(url).status_code == 403
    assert client.get(correct).status_code == 403
    sign_in(client, p.plan_head)
    assert client.get(url).status_code == 403
