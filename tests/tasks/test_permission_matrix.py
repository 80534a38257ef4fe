"""Every task action × every role, through the API (which calls the services).

The task: in a small province's plan, led by `lead`, with a cooperating unit
`partner`, assigned to one official of `lead`. Each case puts the task in the
state the action needs, lets one role try it, and checks the answer and the
database: a success changed it, a refusal did not.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from kit.errors import Invalid, NotAllowed
from plans.access import PLAN_ACTIONS, UNIT_ACTIONS, WHO_MAY, Action
from plans.models import AuditEvent, Official, Role, Unit
from tasks import extensions, refusals, services
from tasks.access import TASK_ACTIONS
from tasks.models import Evidence, ExtensionRequest, Status, Task
from tests.conftest import PDF, TODAY, upload
from tests.factories import Province, make_official, make_province, make_unit, sign_in

pytestmark = pytest.mark.django_db

ROLES = (
    "admin",
    "committee",
    "plan_head",
    "lead_head",
    "partner_head",  # head of a cooperating unit
    "other_head",  # head of a unit with no part in the task
    "assignee",
    "colleague",  # same unit as the assignee, not assigned
    "partner_official",  # an official of the cooperating unit
    "outsider",  # an official of another unit
)
OK, FORBIDDEN, HIDDEN = 200, 403, 404

# Who sees the task at all: everyone else gets 404 for every action.
SEES = {
    "admin",
    "committee",
    "plan_head",
    "lead_head",
    "partner_head",
    "assignee",
    "colleague",
    "partner_official",
}
DUE = TODAY + dt.timedelta(days=30)


@dataclass
class World:
    """The province, the cooperating unit and its people, and the task."""

    province: Province
    partner: Unit
    partner_head: Official
    partner_official: Official
    task: Task

    def person(self, role: str) -> Official:
        if role in ("partner_head", "partner_official"):
            return getattr(self, role)
        return getattr(self.province, role)

    def ids(self) -> dict[str, Any]:
        p, task = self.province, self.task
        return {
            "id": task.pk,
            "plan": task.plan_id,
            "lead": p.lead.pk,
            "other": p.other.pk,
            "partner": self.partner.pk,
            "assignee": p.assignee.pk,
            "colleague": p.colleague.pk,
            "partner_official": self.partner_official.pk,
            "evidence": getattr(task.evidence.first(), "pk", 0),
            "extension": getattr(task.extension_requests.first(), "pk", 0),
        }


def allowed(*roles: str) -> dict[str, int]:
    """The expected status for every role: OK for these, 403 if they see it, else 404."""
    return {
        role: OK if role in roles else (FORBIDDEN if role in SEES else HIDDEN) for role in ROLES
    }


def in_progress(world: World) -> None:
    services.start_task(world.province.admin, world.task)


def with_evidence(world: World) -> None:
    in_progress(world)
    services.add_evidence(world.province.admin, world.task, file=upload(), filename="bien-ban.pdf")


def submitted(world: World) -> None:
    with_evidence(world)
    services.submit_task(world.province.admin, world.task)


def unassigned(world: World) -> None:
    """Nobody named yet: the task can go to another lead unit as it is."""
    services.update_task(world.province.admin, world.task, assignee_ids=[])


def extension_pending(world: World) -> None:
    extensions.request_extension(
        world.province.assignee,
        world.task,
        new_due_date=DUE + dt.timedelta(days=15),
        reason="Chờ số liệu",
    )


@dataclass(frozen=True)
class Case:
    """One action: how to prepare the task, the request, who may, what a success changes.

    In `path` and `body`, "{name}" stands for the id of World.ids()[name];
    "[name, …]" for a list of them.
    """

    method: str
    path: str
    expected: dict[str, int]
    changed: Callable[[Task], bool]
    body: dict[str, Any] | None = None
    prepare: Callable[[World], None] | None = None
    writes: bool = True
    action: Action | None = None  # the row of WHO_MAY it tries (reads have none)
    # What a refusal (403) says, where it is not the action's own refusal.
    refusal: dict[str, str] | None = None

    def refused_with(self, role: str) -> str:
        if self.refusal and role in self.refusal:
            return self.refusal[role]
        assert self.action is not None
        with translation.override("en"):
            return str(refusals.REFUSALS[self.action])


def assignees(task: Task) -> set[str]:
    return set(task.assignees.values_list("full_name", flat=True))


CASES: dict[str, Case] = {
    "read": Case("get", "/tasks/{id}", allowed(*SEES), lambda t: True, writes=False),
    "history": Case("get", "/tasks/{id}/history", allowed(*SEES), lambda t: True, writes=False),
    "edit": Case(
        "patch",
        "/tasks/{id}",
        allowed("admin", "plan_head", "lead_head"),
        lambda t: t.title == "Rà soát, đơn giản hóa quy trình nội bộ",
        body={"title": "Rà soát, đơn giản hóa quy trình nội bộ"},
        action=Action.EDIT,
    ),
    "move_deadline": Case(
        "patch",
        "/tasks/{id}",
        allowed("admin", "plan_head"),
        lambda t: t.due_date == DUE + dt.timedelta(days=10),
        body={"due_date": (DUE + dt.timedelta(days=10)).isoformat()},
        action=Action.MOVE_DEADLINE,
    ),
    "reassign": Case(
        "patch",
        "/tasks/{id}",
        allowed("admin", "plan_head"),
        lambda t: t.lead_unit.name.startswith("Sở Tư pháp"),
        body={"lead_unit_id": "{other}"},
        prepare=unassigned,
        action=Action.REASSIGN,
    ),
    "name_partners": Case(
        "patch",
        "/tasks/{id}",
        allowed("admin", "plan_head"),
        lambda t: t.partner_units.count() == 2,
        body={"partner_unit_ids": ["{partner}", "{other}"]},
        action=Action.NAME_PARTNERS,
    ),
    "assign_own_official": Case(
        "patch",
        "/tasks/{id}",
        allowed("admin", "plan_head", "lead_head"),
        lambda t: assignees(t) == {"Nguyễn Văn A", "Trần Thị B"},
        body={"assignee_ids": ["{assignee}", "{colleague}"]},
        # The cooperating unit's head may assign, but only its own people.
        refusal={
            "partner_head": (
                "You assign, or take off, officials of your own unit only; not Trần Thị B."
            )
        },
        action=Action.ASSIGN,
    ),
    "assign_partner_official": Case(
        "patch",
        "/tasks/{id}",
        allowed("admin", "plan_head", "partner_head"),
        lambda t: assignees(t) == {"Nguyễn Văn A", "Phạm Thị D"},
        body={"assignee_ids": ["{assignee}", "{partner_official}"]},
        # The lead unit's head may assign, but only the lead unit's own people.
        refusal={
            "lead_head": "You assign, or take off, officials of your own unit only; not Phạm Thị D."
        },
        action=Action.ASSIGN,
    ),
    "add_subtask": Case(
        "post",
        "/plans/{plan}/tasks",
        allowed("admin", "plan_head", "lead_head"),
        lambda t: t.subtasks.count() == 1,
        body={
            "title": "Xây dựng dự thảo quy trình",
            "area": 3,
            "lead_unit_id": "{lead}",
            "due_date": (TODAY + dt.timedelta(days=20)).isoformat(),
            "parent_id": "{id}",
        },
        action=Action.ADD_SUBTASK,
    ),
    "start": Case(
        "post",
        "/tasks/{id}/start",
        allowed("admin", "lead_head", "assignee"),
        lambda t: t.status == Status.IN_PROGRESS,
        action=Action.START,
    ),
    "add_evidence": Case(
        "upload",
        "/tasks/{id}/evidence",
        allowed("admin", "lead_head", "assignee"),
        lambda t: t.evidence.count() == 1,
        prepare=in_progress,
        action=Action.ADD_EVIDENCE,
    ),
    "remove_evidence": Case(
        "delete",
        "/evidence/{evidence}",
        allowed("admin", "lead_head", "assignee"),
        lambda t: t.evidence.count() == 0,
        prepare=with_evidence,
        action=Action.REMOVE_EVIDENCE,
    ),
    "submit": Case(
        "post",
        "/tasks/{id}/submit",
        allowed("admin", "lead_head", "assignee"),
        lambda t: t.status == Status.SUBMITTED,
        prepare=with_evidence,
        action=Action.SUBMIT,
    ),
    "accept": Case(
        "post",
        "/tasks/{id}/review",
        allowed("admin", "lead_head"),
        lambda t: t.status == Status.DONE and t.completed_at is not None,
        body={"decision": "accept", "comment": ""},
        prepare=submitted,
        action=Action.REVIEW,
    ),
    "return": Case(
        "post",
        "/tasks/{id}/review",
        allowed("admin", "lead_head"),
        lambda t: t.status == Status.IN_PROGRESS,
        body={"decision": "return", "comment": "Thiếu biên bản họp"},
        prepare=submitted,
        action=Action.REVIEW,
    ),
    "cancel": Case(
        "post",
        "/tasks/{id}/cancel",
        allowed("admin", "plan_head"),
        lambda t: t.status == Status.CANCELLED,
        body={"reason": "Nhiệm vụ đã được lồng ghép vào kế hoạch khác"},
        action=Action.CANCEL,
    ),
    "request_extension": Case(
        "post",
        "/tasks/{id}/extension-requests",
        allowed("admin", "assignee"),
        lambda t: t.extension_requests.filter(status="pending").count() == 1,
        body={"new_due_date": (DUE + dt.timedelta(days=30)).isoformat(), "reason": "Chờ số liệu"},
        action=Action.REQUEST_EXTENSION,
    ),
    "decide_extension": Case(
        "post",
        "/extension-requests/{extension}/decide",
        allowed("admin", "plan_head"),
        lambda t: t.due_date == DUE + dt.timedelta(days=15) and t.original_due_date == DUE,
        body={"approve": True, "comment": ""},
        prepare=extension_pending,
        action=Action.DECIDE_EXTENSION,
    ),
}


def fill(value: Any, ids: dict[str, Any]) -> Any:
    """Put the ids of this test's objects into a path or body template."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


def snapshot(task: Task) -> tuple[Any, ...]:
    task.refresh_from_db()
    return (
        task.version,
        task.status,
        task.title,
        task.due_date,
        task.lead_unit_id,
        sorted(task.partner_units.values_list("pk", flat=True)),
        sorted(task.assignees.values_list("pk", flat=True)),
        task.subtasks.count(),
        Evidence.objects.filter(task=task).count(),
        ExtensionRequest.objects.filter(task=task, status="pending").count(),
        AuditEvent.objects.history_of(task).count(),
    )


@pytest.fixture
def world() -> World:
    province = make_province()
    partner = make_unit("Sở Tài chính", parent=province.province)
    partner_head = make_official(partner, Role.HEAD, "Giám đốc Sở Tài chính")
    partner_official = make_official(partner, name="Phạm Thị D")
    task = province.task(due_date=DUE, partners=(partner,))
    return World(province, partner, partner_head, partner_official, task)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", CASES)
def test_permission_matrix(client: Client, world: World, action: str, role: str) -> None:
    case = CASES[action]
    if case.prepare:
        case.prepare(world)
    ids = world.ids()
    url = "/api/v1" + case.path.format(**ids)
    task = world.task
    before = snapshot(task)
    sign_in(client, world.person(role))
    if case.method == "upload":
        response = client.post(
            url, {"file": upload("to-trinh.pdf", PDF), "document_number": "12/TTr-SNV"}
        )
    elif case.method in ("get", "delete"):
        response = getattr(client, case.method)(url)
    else:
        response = getattr(client, case.method)(
            url, json.dumps(fill(case.body, ids) or {}), content_type="application/json"
        )
    want = case.expected[role]
    got = response.status_code
    if want == OK:
        assert got in (200, 201, 204), (action, role, response.content)
        task.refresh_from_db()
        assert case.changed(task), (action, role)
        if case.writes:
            assert snapshot(task) != before
    else:
        assert got == want, (action, role, response.content)
        detail = response.json()["detail"]
        if want == FORBIDDEN and case.action is not None:
            assert detail == case.refused_with(role), (action, role)
        assert detail
        assert snapshot(task) == before, (action, role)


def test_every_row_of_the_table_has_its_case() -> None:
    """A new row of WHO_MAY without a case would be a rule nobody tried.

    Each task action has a case here; the plan-level ones are tried by
    test_creating_a_task_… below, the organisation's and plans' API tests, the
    score tests (tests/jobs/test_score_writes.py) and the figures' tests; a
    unit's, by tests/test_unit_permissions.py.
    """
    assert set(WHO_MAY) == set(TASK_ACTIONS) | PLAN_ACTIONS | UNIT_ACTIONS
    assert not set(TASK_ACTIONS) & PLAN_ACTIONS
    assert {case.action for case in CASES.values() if case.action} == set(TASK_ACTIONS)


@pytest.mark.parametrize("role", ROLES)
def test_creating_a_task_is_for_the_plan_head_and_admin(
    client: Client, world: World, role: str
) -> None:
    sign_in(client, world.person(role))
    count = Task.objects.count()
    response = client.post(
        f"/api/v1/plans/{world.task.plan_id}/tasks",
        json.dumps(
            {
                "title": "Tổ chức hội nghị tập huấn nghiệp vụ CCHC",
                "area": 1,
                "lead_unit_id": world.province.lead.pk,
                "due_date": "2026-12-15",
            }
        ),
        content_type="application/json",
    )
    if role in ("admin", "plan_head"):
        assert response.status_code == 201, response.content
        assert Task.objects.count() == count + 1
    else:
        assert response.status_code == 403, response.content
        assert Task.objects.count() == count


def test_a_lead_head_subtask_names_no_cooperating_unit_and_no_one_else(
    client: Client, world: World
) -> None:
    """The plan's head names cooperating units; a lead head assigns only its own people."""
    sign_in(client, world.province.lead_head)
    body = {
        "title": "Xây dựng dự thảo quy trình",
        "area": 3,
        "lead_unit_id": world.province.lead.pk,
        "due_date": "2026-12-10",
        "parent_id": world.task.pk,
    }
    url = f"/api/v1/plans/{world.task.plan_id}/tasks"
    partners = client.post(
        url, json.dumps({**body, "partner_unit_ids": [world.partner.pk]}), "application/json"
    )
    assert partners.status_code == 403
    assert "cooperating units" in partners.json()["detail"]
    stranger = client.post(
        url,
        json.dumps({**body, "assignee_ids": [world.partner_official.pk]}),
        "application/json",
    )
    # A subtask a lead head adds has no cooperating unit: its people are the lead's.
    assert stranger.status_code == 422
    assert "Phạm Thị D" in stranger.json()["detail"]
    assert world.task.subtasks.count() == 0


def test_a_partner_made_lead_leaves_the_cooperating_units(world: World) -> None:
    task = services.update_task(world.province.admin, world.task, assignee_ids=[])
    task = services.update_task(world.province.plan_head, task, lead_unit_id=world.partner.pk)
    assert task.lead_unit_id == world.partner.pk
    assert list(task.partner_units.all()) == []


@pytest.mark.parametrize(
    ("role", "change", "refusal"),
    [
        ("partner_head", {"area": 99}, "may edit this task"),
        ("partner_head", {"lead_unit_id": 999999}, "hands a task to another unit"),
        ("lead_head", {"due_date": dt.date(1990, 1, 1)}, "moves a deadline"),
    ],
)
def test_permission_is_checked_before_the_values(
    world: World, role: str, change: dict[str, Any], refusal: str
) -> None:
    """Someone who may not change a field is told so, whatever value they sent."""
    with pytest.raises(NotAllowed, match=refusal):
        services.update_task(world.person(role), world.task, **change)


def test_a_subtasks_deadline_is_kept_by_the_head_leading_its_parent(world: World) -> None:
    """For a subtask, the lead unit's head decides; nobody decides their own request."""
    p = world.province
    sub = services.create_task(
        p.lead_head,
        p.plan,
        parent=world.task,
        title="Xây dựng dự thảo quy trình",
        area=1,
        lead_unit_id=p.lead.pk,
        due_date=DUE - dt.timedelta(days=5),
        assignee_ids=[p.colleague.pk, p.lead_head.pk],
        confirm_past_deadline=True,
    )
    asked = extensions.request_extension(
        p.colleague, sub, new_due_date=DUE, reason="Chờ ý kiến góp ý"
    )
    with pytest.raises(NotAllowed, match="issued the plan"):
        extensions.decide_extension(p.plan_head, asked, approve=True)
    extensions.decide_extension(p.lead_head, asked, approve=True)
    sub.refresh_from_db()
    assert sub.due_date == DUE
    own = extensions.request_extension(
        p.lead_head, sub, new_due_date=DUE + dt.timedelta(days=3), reason="Thêm thời gian"
    )
    with pytest.raises(NotAllowed, match="their own request"):
        extensions.decide_extension(p.lead_head, own, approve=True)
    extensions.decide_extension(p.admin, own, approve=False, comment="Đủ thời gian")
    sub.refresh_from_db()
    assert sub.due_date == DUE


def test_more_time_is_asked_only_before_the_deadline_passes(world: World) -> None:
    task, worker = world.task, world.province.assignee
    on_the_day = extensions.request_extension(
        worker, task, new_due_date=DUE + dt.timedelta(days=5), reason="Chờ số liệu", today=DUE
    )
    extensions.decide_extension(
        world.province.plan_head, on_the_day, approve=False, comment="Không"
    )
    with pytest.raises(Invalid, match="has passed"):
        extensions.request_extension(
            worker,
            task,
            new_due_date=DUE + dt.timedelta(days=5),
            reason="Chờ số liệu",
            today=DUE + dt.timedelta(days=1),
        )
    assert task.extension_requests.filter(status="pending").count() == 0
