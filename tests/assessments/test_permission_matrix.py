"""Every assessment action × every role, through the API (which calls the services).

The sheet acted on is Sở Nội vụ's (`lead`). Each case puts the assessment in
the phase the action needs, lets one role try it, and checks the answer: the
council (committee, admin) runs the assessment, the unit's people fill in
their sheet and its head submits it, people of another unit do not even see
it (404), and nobody else may act (403).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client

from assessments import council, services
from assessments.models import Assessment, Item, ItemEvidence, Sheet, SheetFile
from plans.models import AuditEvent, Official
from tests.conftest import NOW, TODAY, upload
from tests.factories import Province, sign_in

pytestmark = pytest.mark.django_db

ROLES = ("admin", "committee", "plan_head", "lead_head", "assignee", "other_head", "outsider")
COUNCIL = {"admin", "committee"}
UNIT = {"lead_head", "assignee"}
SELF_CLOSES = TODAY + dt.timedelta(days=1)
APPRAISAL_CLOSES = TODAY + dt.timedelta(days=8)
LATER = NOW + dt.timedelta(days=3)  # in the appraisal window


def opened(p: Province) -> Assessment:
    return services.open_assessment(
        p.committee, p.plan, self_closes_on=SELF_CLOSES, appraisal_closes_on=APPRAISAL_CLOSES
    )


def lead_sheet(a: Assessment, p: Province) -> Sheet:
    return a.sheets.get(unit=p.lead)


def submitted(p: Province) -> Assessment:
    a = opened(p)
    services.submit_sheet(p.lead_head, lead_sheet(a, p), now=NOW)
    return a


def with_file(p: Province) -> Assessment:
    a = opened(p)
    services.add_sheet_file(p.assignee, lead_sheet(a, p), file=upload(), filename="bb.pdf")
    return a


def fingerprint(a: Assessment | None) -> Any:
    """Everything a write of the assessment could change."""
    if a is None:
        return Assessment.objects.count()
    a.refresh_from_db()
    items = Item.objects.filter(sheet__assessment=a).order_by("pk")
    return (
        a.status,
        a.self_closes_on,
        a.appraisal_closes_on,
        list(a.sheets.order_by("pk").values_list("status", "fixed_at", "open_until")),
        list(items.values_list("self_points", "explanation", "appraised_points")),
        ItemEvidence.objects.filter(item__sheet__assessment=a).count(),
        SheetFile.objects.filter(sheet__assessment=a).count(),
        a.results.count(),
        AuditEvent.objects.count(),
    )


def call(client: Client, method: str, url: str, body: Any = None) -> int:
    """The answer's status, the answer closed (a file's answer holds its file open); closed
    as the test client closes its own, without ending the test's database connection."""
    if method == "page":
        response = client.get(url)
    elif method == "get":
        response = client.get("/api/v1" + url)
    elif method == "upload":
        response = client.post("/api/v1" + url, {"file": upload()})
    else:
        response = getattr(client, method)(
            "/api/v1" + url, json.dumps(body or {}), content_type="application/json"
        )
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    return int(response.status_code)


# action -> (setup, when, method, url, body, expected answer per group)
Case = tuple[Callable[[Province], Assessment | None], Any, str, str, Any, dict[str, int]]


def expect(council: int, unit: int, head: int | None = None, others: int = 404) -> dict[str, int]:
    """The answer for each role: the council, the unit's people (its head apart), others."""
    found = {r: others for r in ROLES}
    found.update({r: council for r in COUNCIL})
    found.update({r: unit for r in UNIT})
    if head is not None:
        found["lead_head"] = head
    return found


CASES: dict[str, Case] = {
    "open": (
        lambda p: None,
        NOW,
        "post",
        "/plans/{plan}/assessments",
        {"self_closes_on": str(SELF_CLOSES), "appraisal_closes_on": str(APPRAISAL_CLOSES)},
        expect(201, 403, others=403),
    ),
    "change dates": (
        opened,
        NOW,
        "patch",
        "/assessments/{a}",
        {"appraisal_closes_on": str(APPRAISAL_CLOSES + dt.timedelta(days=2))},
        expect(200, 403, others=403),
    ),
    "read the sheet": (opened, NOW, "get", "/assessments/{a}/units/{lead}", None, expect(200, 200)),
    "change a line": (
        opened,
        NOW,
        "patch",
        "/assessments/{a}/units/{lead}/items/1.6",
        {"explanation": "Có sáng kiến"},
        expect(403, 200),
    ),
    "upload to the sheet": (
        opened,
        NOW,
        "upload",
        "/assessments/{a}/units/{lead}/evidence",
        None,
        expect(403, 201),
    ),
    "submit": (
        opened,
        NOW,
        "post",
        "/assessments/{a}/units/{lead}/submit",
        None,
        expect(403, 403, head=200),
    ),
    "appraise": (
        submitted,
        LATER,
        "post",
        "/assessments/{a}/units/{lead}/items/1.6/appraise",
        {"points": "0.50"},
        expect(200, 403),
    ),
    "return": (
        submitted,
        LATER,
        "post",
        "/assessments/{a}/units/{lead}/return",
        {"comment": "Bổ sung"},
        expect(200, 403),
    ),
    "reopen": (
        opened,
        LATER,
        "post",
        "/assessments/{a}/units/{lead}/reopen",
        {"reason": "Mất điện", "until": str(APPRAISAL_CLOSES)},
        expect(200, 403),
    ),
    "read the assessment": (
        opened,
        NOW,
        "get",
        "/assessments/{a}",
        None,
        expect(200, 200, others=200),
    ),
    "the sheet's history": (
        opened,
        NOW,
        "get",
        "/assessments/{a}/units/{lead}/history",
        None,
        expect(200, 200),
    ),
    "the sheet's page": (
        opened,
        NOW,
        "page",
        "/assessments/{a}/units/{lead}/",
        None,
        expect(200, 200),
    ),
    "a sheet's file": (
        with_file,
        NOW,
        "page",
        "/assessments/files/{file}/",
        None,
        expect(200, 200),
    ),
    "the results page before publication": (
        submitted,
        LATER,
        "page",
        "/assessments/{a}/results/",
        None,
        expect(200, 403, others=403),
    ),
    "the Excel export before publication": (
        submitted,
        LATER,
        "page",
        "/assessments/{a}/results.xlsx",
        None,
        expect(200, 403, others=403),
    ),
    "publish": (
        submitted,
        LATER,
        "post",
        "/assessments/{a}/publish",
        {"confirm": True},
        expect(200, 403, others=403),
    ),
    "results before publication": (
        submitted,
        LATER,
        "get",
        "/assessments/{a}/results",
        None,
        expect(200, 403, others=403),
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(CASES))
def test_each_action_for_each_role(province: Province, action: str, role: str) -> None:
    setup, when, method, url, body, answers = CASES[action]
    p = province
    a = setup(p)
    person: Official = getattr(p, role)
    client = Client()
    sign_in(client, person)
    stored = SheetFile.objects.first()
    ids = {
        "plan": p.plan.pk,
        "a": a.pk if a else 0,
        "lead": p.lead.pk,
        "file": stored.pk if stored else 0,
    }
    before = fingerprint(a)
    with time_machine.travel(when):
        got = call(client, method, url.format(**ids), body)
    assert got == answers[role], (action, role, got)
    if got >= 400 or method in ("get", "page"):
        assert fingerprint(a) == before  # a refusal, or a read, changed nothing


def test_published_results_are_for_everyone(province: Province) -> None:
    p = province
    a = submitted(p)
    with time_machine.travel(LATER):
        council.publish(p.committee, a, confirm=True)
    for role in ROLES:
        client = Client()
        sign_in(client, getattr(p, role))
        assert call(client, "get", f"/assessments/{a.pk}/results") == 200, role
