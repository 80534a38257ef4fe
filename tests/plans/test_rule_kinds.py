"""A scoring rule kind is one class: defined, it is checked, scored, explained and documented."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import resolve
from django.utils import translation

from plans import rules
from plans.indexsets import import_index_set
from plans.models import Level, Plan, PlanStatus, SubCriterion, Unit
from plans.rules import base
from plans.scoring import Counts, Score, round_points
from tasks.models import Status, Task
from tasks.scores.rollup import rollup
from tests.conftest import official

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def half_done() -> Iterator[type[rules.RuleKind]]:
    """A kind defined here and nowhere else: full points once half the tasks due are accepted."""
    resolve("/api/v1/")  # the API's OpenAPI document is built first, of the product's kinds
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(base, "_KINDS", dict(base._KINDS))  # forgotten after the test

        class HalfDone(rules.RuleKind):
            name = "half_done"
            label = "Half the tasks done"
            source = rules.Source.TASKS
            params = {"tasks": base.TASKS_PARAM, "share": {"type": "number", "minimum": 0}}

            def check(self, params: Mapping[str, Any], max_points: Decimal) -> dict[str, str]:
                share = params.get("share", 50)
                return {} if 0 <= share <= 100 else {"share": "A share is 0 to 100."}

            def part_key(self, read: Counts) -> tuple[int, int]:
                return (read.due, read.accepted)

            def score(self, rule: rules.Rule, read: Counts, as_of: dt.date) -> Score:
                why = {"rule": self.name, "due": read.due, "accepted": read.accepted}
                if read.due == 0:
                    return base.not_applicable(why)
                met = read.accepted * 100 >= rule.params.get("share", 50) * read.due
                return Score(round_points(rule.max_points if met else 0), why)

            def explain(self, why: Mapping[str, Any], indicator_names: Mapping[str, str]) -> str:
                return f"{why['accepted']} of {why['due']} accepted."

        yield HalfDone


def document(rule: str, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "year": 2026,
        "level": Level.DEPARTMENT,
        "name": "Bộ chỉ số thử một loại quy tắc mới",
        "criteria": [
            {
                "code": "1",
                "name": "Công tác chỉ đạo, điều hành",
                "subcriteria": [
                    {
                        "code": "1.1",
                        "name": "Một nửa",
                        "max_points": "2",
                        "rule": rule,
                        "params": params,
                    }
                ],
            }
        ],
    }


def test_a_new_kind_is_checked_stored_scored_and_explained(
    half_done: type[rules.RuleKind],
) -> None:
    admin = official("admin")
    with translation.override("vi"):
        refused = rules.check_params("half_done", {"share": 120, "colour": "red"}, Decimal(2))
    assert refused == {
        "share": "A share is 0 to 100.",
        "colour": "Quy tắc half_done không có tham số colour.",
    }
    index_set = import_index_set(admin, document("half_done", {"share": 50, "tasks": "all"}))
    sub = SubCriterion.objects.get(criterion__index_set=index_set)
    sub.full_clean()  # the rule field's choices know the new kind
    assert sub.get_rule_display() == "Half the tasks done"

    issuer = Unit.objects.create(code="t-rk-p", name="Tỉnh thử", level=Level.PROVINCE)
    department = Unit.objects.create(code="t-rk-d", name="Sở thử", level=Level.DEPARTMENT)
    plan = Plan.objects.create(
        unit=issuer,
        year=2026,
        title="Kế hoạch thử",
        issued_on=dt.date(2026, 1, 18),
        status=PlanStatus.ISSUED,
    )
    plan.index_sets.set([index_set])
    area = plan.areas.create(number=1, name="Chỉ đạo, điều hành")
    done = dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)
    for status, completed in [(Status.DONE, done), (Status.TODO, None)]:
        Task.objects.create(
            plan=plan,
            area=area,
            lead_unit=department,
            title="Nhiệm vụ",
            status=status,
            due_date=dt.date(2026, 6, 1),
            original_due_date=dt.date(2026, 6, 1),
            completed_at=completed,
        )

    [score] = [s for s in rollup(plan, AS_OF) if s.unit_id == department.pk]
    [part] = score.parts
    assert part["points"] == "2.00" and score.index_pct == Decimal("100.00")
    assert rules.explain(part["why"]) == "1 of 2 accepted."


def test_the_schema_offers_every_kind_with_its_parameters(
    client: Client, half_done: type[rules.RuleKind]
) -> None:
    client.force_login(official("admin").user)
    answer = client.get("/api/v1/index-sets/schema")
    assert answer.status_code == 200
    schema = answer.json()
    assert schema["properties"]["items"]["items"] == {"$ref": "#/$defs/group"}
    nodes = schema["$defs"]["node"]["oneOf"]
    assert nodes[0] == {"$ref": "#/$defs/group"}  # a group, or a sub-criterion of a kind
    by_rule = {s["properties"]["rule"]["const"]: s for s in nodes[1:]}
    assert set(by_rule) == {kind.name for kind in rules.kinds()}
    assert "half_done" in by_rule and "manual" in by_rule
    assert set(by_rule["half_done"]["properties"]["params"]["properties"]) == {"tasks", "share"}
    on_time = by_rule["on_time"]["properties"]["params"]["properties"]
    assert set(on_time) == {"tasks", "codes", "plan", "required"}
    bands = by_rule["completion_bands"]["properties"]["params"]
    assert bands["required"] == ["bands"]
    assert bands["properties"]["bands"]["items"]["properties"]["points"] == {
        "enum": ["full", "proportional", "zero"]
    }


def test_the_openapi_document_shows_the_index_set_schema(client: Client) -> None:
    client.force_login(official("admin").user)
    openapi = client.get("/api/v1/openapi.json").json()
    body = openapi["paths"]["/api/v1/index-sets"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    # Written out to a depth, with no reference the OpenAPI document could not resolve.
    assert "$ref" not in json.dumps(schema)
    top = schema["properties"]["items"]["items"]
    rules_offered = {
        s["properties"]["rule"]["const"]
        for s in top["properties"]["items"]["items"]["oneOf"]
        if "rule" in s["properties"]
    }
    assert rules_offered == {
        "completion_bands",
        "step_bands",
        "on_time",
        "plan_issued_on_time",
        "indicator_target",
        "manual",
        "bonus",
        "penalty",
    }


def test_every_kind_explains_itself_in_vietnamese() -> None:
    why = {"rule": "on_time", "as_of": "2026-06-30", "due": 3, "on_time": 3}
    with translation.override("vi"):
        assert rules.explain(why) == (
            "Cả 3 nhiệm vụ đến hạn tính đến ngày 30/06/2026 đều được nghiệm thu đúng hạn: "
            "đạt điểm tối đa."
        )
        assert rules.explain({"rule": "no_such_kind"}) == ""
