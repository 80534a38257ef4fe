"""The annual assessment over the API, from opening to publication, with figures by hand.

Two departments of the small province: Sở Nội vụ (`lead`) leads two tasks due
before the self-assessment closes, one accepted, one not (1.2: 1 of 2 = 50%,
under the 80% band: 0 of 3); Sở Tư pháp (`other`) leads one, accepted (1.2:
100%: 3 of 3). Neither has issued its own plan (1.1: 0 of 1, "chưa ban
hành"); 1.3 to 1.5 have no tagged task (not applicable); 1.6 is the
appraiser's (0 of 1 until entered). Each unit's applicable maximum: 5.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from assessments.jobs import advance_assessments
from assessments.models import Sheet
from tasks import services as task_services
from tasks.scores.rollup import rollup
from tests.api.test_tasks_api import Api
from tests.conftest import NOW
from tests.factories import Province

pytestmark = pytest.mark.django_db

SELF_CLOSES = "2026-11-30"
APPRAISAL_CLOSES = "2026-12-10"


def at(day: str) -> Any:
    """The clock moved to 10:00 of a later day."""
    date = dt.date.fromisoformat(day)
    return time_machine.travel(NOW.replace(year=date.year, month=date.month, day=date.day))


def line(sheet: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for i in sheet["items"] if i["code"] == code)


def test_an_assessment_from_opening_to_published_results(
    client: Client, province: Province, scene: dict[str, Any]
) -> None:
    p = province
    council = Api(client, p.committee)
    opened = council.send(
        "post",
        f"/plans/{p.plan.pk}/assessments",
        {"self_closes_on": SELF_CLOSES, "appraisal_closes_on": APPRAISAL_CLOSES},
    )
    assert opened.status_code == 201, opened.content
    a = opened.json()
    assert (a["status"], a["as_of"]) == ("self_assessment", SELF_CLOSES)
    base = f"/assessments/{a['id']}"
    lead, other = f"{base}/units/{p.lead.pk}", f"{base}/units/{p.other.pk}"
    assert (
        council.send(
            "post",
            f"/plans/{p.plan.pk}/assessments",
            {
                "self_closes_on": SELF_CLOSES,
                "appraisal_closes_on": APPRAISAL_CLOSES,
            },
        ).status_code
        == 409
    )

    # The lead unit's official reads the computed points and changes one.
    official = Api(Client(), p.assignee)
    sheet = official.get(lead).json()
    assert sheet["status"] == "draft"
    assert {i["code"]: (i["applicable"], i["computed_points"]) for i in sheet["items"]} == {
        "1.1": (True, "0.00"),
        "1.2": (True, "0.00"),
        "1.3": (False, "0.00"),
        "1.4": (False, "0.00"),
        "1.5": (False, "0.00"),
        "1.6": (True, "0.00"),
    }
    evidence_id = scene["accepted"].evidence.get().pk
    theirs_id = scene["theirs"].evidence.get().pk
    item = f"{lead}/items/1.2"
    refusals = [
        ({"self_points": "3.00"}, 422, "Explain why 1.2"),
        ({"self_points": "3.50", "explanation": "x"}, 422, "between 0"),
        ({"self_points": "-1", "explanation": "x"}, 422, "between 0"),
        (
            {"explanation": "x", "evidence": [{"evidence_id": theirs_id, "locator": "p1"}]},
            422,
            "not of a task your unit leads",
        ),
        (
            {"explanation": "x", "evidence": [{"evidence_id": evidence_id, "locator": "x" * 201}]},
            422,
            "at most 200",
        ),
    ]
    for body, status, message in refusals:
        answer = official.send("patch", item, body)
        assert answer.status_code == status, (body, answer.content)
        assert message in answer.json()["detail"], answer.json()
    untouched = line(official.get(lead).json(), "1.2")
    assert (untouched["self_points"], untouched["explanation"], untouched["evidence"]) == (
        "0.00",
        "",
        [],
    )
    changed = official.send(
        "patch",
        item,
        {
            "self_points": "3.00",
            "explanation": "Nhiệm vụ kiểm tra đã làm xong, chờ nghiệm thu",
            "evidence": [{"evidence_id": evidence_id, "locator": "trang 3, mục II"}],
        },
    )
    assert changed.status_code == 200, changed.content
    assert line(changed.json(), "1.2")["evidence"] == [
        {"evidence_id": evidence_id, "file_id": None, "locator": "trang 3, mục II"}
    ]
    # Only the head submits; then the sheet is fixed.
    assert official.send("post", f"{lead}/submit").status_code == 403
    head = Api(Client(), p.lead_head)
    submitted = head.send("post", f"{lead}/submit")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert head.send("post", f"{lead}/submit").status_code == 409
    assert official.send("patch", item, {"explanation": "thêm"}).status_code == 409
    assert official.send("patch", f"{lead}/items/9.9", {"explanation": "x"}).status_code == 409
    # Sở Tài chính submits its sheet as computed.
    finance = f"{base}/units/{scene['finance'].pk}"
    assert Api(Client(), scene["finance_head"]).send("post", f"{finance}/submit").status_code == 200

    # The other unit fills a line and misses its window.
    theirs = Api(Client(), p.outsider)
    assert theirs.get(lead).status_code == 404  # another unit's sheet
    assert (
        theirs.send(
            "patch", f"{other}/items/1.6", {"self_points": "1.00", "explanation": "Có sáng kiến"}
        ).status_code
        == 200
    )
    with at("2026-12-01"):
        assert advance_assessments() == 1  # Sở Tư pháp's, locked as it stood
        assert advance_assessments() == 0
        assert council.get(base).json()["status"] == "appraisal"
        locked = theirs.send("patch", f"{other}/items/1.6", {"explanation": "muộn"})
        assert locked.status_code == 409 and "locked" in locked.json()["detail"]
        assert Api(Client(), p.other_head).send("post", f"{other}/submit").status_code == 409
        # Cancelling Sở Nội vụ's open task would make its 1.2 full (1 of 1 due, accepted):
        # the roll-up moves, the fixed line does not.
        task_services.cancel_task(p.plan_head, scene["open"], reason="Không còn phù hợp")
        live = rollup(p.plan, dt.date(2026, 11, 30))
        assert (
            next(
                part["points"]
                for s in live
                if s.unit_id == p.lead.pk
                for part in s.parts
                if part["code"] == "1.2"
            )
            == "3.00"
        )
        assert line(council.get(lead).json(), "1.2")["computed_points"] == "0.00"

        # The council appraises, returns Sở Nội vụ once, the unit answers.
        assert (
            official.send("post", f"{lead}/items/1.2/appraise", {"points": "1"}).status_code == 403
        )
        scored = council.send(
            "post", f"{lead}/items/1.2/appraise", {"points": "1.50", "comment": "Một nửa"}
        )
        assert scored.status_code == 200
        assert council.send("post", f"{lead}/return", {"comment": ""}).status_code == 422
        back = council.send("post", f"{lead}/return", {"comment": "Bổ sung biên bản"})
        assert back.status_code == 200 and back.json()["status"] == "returned"
        assert (
            official.send(
                "patch", item, {"explanation": "Kèm biên bản kiểm tra ngày 20/11"}
            ).status_code
            == 200
        )
        assert head.send("post", f"{lead}/submit").status_code == 200
        assert council.send("post", f"{lead}/return", {"comment": "Lần nữa"}).status_code == 409
        for code, points in [("1.1", "0"), ("1.6", "0")]:
            assert (
                council.send(
                    "post", f"{lead}/items/{code}/appraise", {"points": points}
                ).status_code
                == 200
            )
        assert council.get(lead).json()["status"] == "appraised"
        assert (
            council.send(
                "post", f"{other}/items/1.6/appraise", {"points": "0.50", "comment": "Chưa áp dụng"}
            ).status_code
            == 200
        )
        assert (
            council.send("post", f"{finance}/items/1.6/appraise", {"points": "1.00"}).status_code
            == 200
        )
        assert (
            council.send("post", f"{lead}/items/1.6/appraise", {"points": "1e30"}).status_code
            == 422
        )

        # Publishing before the appraisal window closes asks for confirmation.
        early = council.send("post", f"{base}/publish", {})
        assert early.status_code == 422 and "confirm" in early.json()["detail"]
        assert official.get(f"{base}/results").status_code == 403
        assert council.send("post", f"{base}/publish", {"confirm": True}).status_code == 200
        assert council.send("post", f"{base}/publish", {"confirm": True}).status_code == 409

    # By hand: Sở Nội vụ claims 0 + 3 + 0 = 3.00 of 5, the council gives 0 + 1.50 + 0 = 1.50
    # (30.00%, group D); Sở Tư pháp claims 0 + 3 + 1 = 4.00, the council leaves 1.1 and 1.2
    # as claimed and gives 0.50 for 1.6: 3.50 of 5 (70.00%, group C); Sở Tài chính claims
    # 0 + 3 + 0 = 3.00, the council gives 1.00 for 1.6: 4.00 of 5 (80.00%, group B).
    # Ranks among the departments: Tài chính 1, Tư pháp 2, Nội vụ 3.
    results = {r["unit_id"]: r for r in official.get(f"{base}/results").json()["units"]}
    fin = results[scene["finance"].pk]
    assert (fin["self_total"], fin["appraised_total"], fin["index_pct"], fin["group"]) == (
        "3.00",
        "4.00",
        "80.00",
        "B",
    )
    ranks = {unit: results[unit]["rank"] for unit in (scene["finance"].pk, p.other.pk, p.lead.pk)}
    assert ranks == {scene["finance"].pk: 1, p.other.pk: 2, p.lead.pk: 3}
    assert {
        k: results[p.lead.pk][k]
        for k in ("self_total", "appraised_total", "applicable_max", "index_pct", "group")
    } == {
        "self_total": "3.00",
        "appraised_total": "1.50",
        "applicable_max": "5.00",
        "index_pct": "30.00",
        "group": "D",
    }
    assert {
        k: results[p.other.pk][k]
        for k in ("self_total", "appraised_total", "applicable_max", "index_pct", "group")
    } == {
        "self_total": "4.00",
        "appraised_total": "3.50",
        "applicable_max": "5.00",
        "index_pct": "70.00",
        "group": "C",
    }
    # Published results are frozen: a later change to the tasks moves the roll-up, not them.
    with at("2026-12-20"):
        task_services.create_task(
            p.plan_head,
            p.plan,
            title="Nhiệm vụ giao muộn",
            area=1,
            lead_unit_id=p.other.pk,
            due_date=dt.date(2026, 11, 1),
            confirm_past_deadline=True,
        )
        moved = {s.unit_id: s for s in rollup(p.plan, dt.date(2026, 11, 30))}[p.other.pk]
        assert next(x["points"] for x in moved.parts if x["code"] == "1.2") == "0.00"
        again = {r["unit_id"]: r for r in official.get(f"{base}/results").json()["units"]}
        assert again == results
        assert official.send("patch", item, {"explanation": "sau"}).status_code == 409
    assert Sheet.objects.filter(assessment_id=a["id"]).count() == len(results)
    # Every step, in the sheet's history: who changed which line from what to what.
    steps = official.get(f"{lead}/history").json()
    assert [s["action"] for s in steps] == [
        "assessment_opened",
        "line_changed",
        "sheet_submitted",
        "line_appraised",
        "sheet_returned",
        "line_changed",
        "sheet_submitted",
        "line_appraised",
        "line_appraised",
        "sheet_appraised",
        "assessment_published",
    ]
    changed = steps[1]
    assert changed["actor_id"] == p.assignee.pk
    assert changed["changes"]["self_points"] == ["0.00", "3.00"]
    assert changed["changes"]["evidence"] == [
        [],
        [{"evidence_id": evidence_id, "file_id": None, "locator": "trang 3, mục II"}],
    ]
    assert steps[4]["changes"]["comment"] == "Bổ sung biên bản"
    assert theirs.get(f"{lead}/history").status_code == 404
    locked = [s["action"] for s in theirs.get(f"{other}/history").json()]
    assert "sheet_locked" in locked
