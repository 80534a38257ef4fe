"""Every task action × every role, through the API (which calls the services).

The task: in the province's plan, led by Sở Nội vụ (snv), assigned to snv.cv1.
Each case puts the task in the state the action needs, lets one role try it,
and checks the answer and the database: a success changed it, a refusal did not.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from plans.models import AuditEvent
from tasks import services
from tasks.models import Evidence, ExtensionRequest, Status, Task
from tests.conftest import PDF, TODAY, login, official, upload

pytestmark = pytest.mark.django_db

ROLES = {
    "admin": "admin",
    "committee": "bcd1",
    "plan_head": "ubnd-tinh.head",
    "lead_head": "snv.head",
    "other_head": "stp.head",
    "assignee": "snv.cv1",
    "colleague": "snv.cv2",  # same unit, not assigned
    "outsider": "stp.cv1",  # another unit
}
OK, FORBIDDEN, HIDDEN = 200, 403, 404

# Who sees the task at all: everyone else gets 404 for every action.
SEES = {"admin", "committee", "plan_head", "lead_head", "assignee", "colleague"}


def allowed(*roles: str) -> dict[str, int]:
    """The expected status for every role: OK for these, 403 if they see it, else 404."""
    return {
        role: OK if role in roles else (FORBIDDEN if role in SEES else HIDDEN) for role in ROLES
    }


def as_admin() -> Any:
    return official("admin")


def in_progress(task: Task) -> None:
    services.start_task(as_admin(), task)


def with_evidence(task: Task) -> None:
    in_progress(task)
    services.add_evidence(as_admin(), task, file=upload(), filename="bien-ban.pdf")


def submitted(task: Task) -> None:
    with_evidence(task)
    services.submit_task(as_admin(), task)


def extension_pending(task: Task) -> None:
    services.request_extension(
        official("snv.cv1"),
        task,
        new_due_date=task.due_date + dt.timedelta(days=15),
        reason="Chờ số liệu",
    )


# action: (prepare, method, path, body, expected per role, the change a success makes)
Check = Callable[[Task], bool]
CASES: dict[str, tuple[Callable[[Task], None] | None, str, str, Any, dict[str, int], Check]] = {
    "read": (None, "get", "/tasks/{id}", None, allowed(*SEES), lambda t: True),
    "history": (None, "get", "/tasks/{id}/history", None, allowed(*SEES), lambda t: True),
    "edit": (
        None,
        "patch",
        "/tasks/{id}",
        {"title": "Rà soát, đơn giản hóa quy trình nội bộ"},
        allowed("admin", "plan_head", "lead_head"),
        lambda t: t.title == "Rà soát, đơn giản hóa quy trình nội bộ",
    ),
    "assign": (
        None,
        "patch",
        "/tasks/{id}",
        {"assignee_ids": "{snv.cv2}"},
        allowed("admin", "plan_head", "lead_head"),
        lambda t: list(t.assignees.values_list("user__username", flat=True)) == ["snv.cv2"],
    ),
    "add_subtask": (
        None,
        "post",
        "/plans/{plan}/tasks",
        {
            "title": "Xây dựng dự thảo quy trình",
            "area": 3,
            "lead_unit_id": "{snv}",
            "due_date": (TODAY + dt.timedelta(days=20)).isoformat(),
            "parent_id": "{id}",
        },
        allowed("admin", "plan_head", "lead_head"),
        lambda t: t.subtasks.count() == 1,
    ),
    "start": (
        None,
        "post",
        "/tasks/{id}/start",
        None,
        allowed("admin", "lead_head", "assignee"),
        lambda t: t.status == Status.IN_PROGRESS,
    ),
    "add_evidence": (
        in_progress,
        "upload",
        "/tasks/{id}/evidence",
        None,
        {**allowed("admin", "lead_head", "assignee")},
        lambda t: t.evidence.count() == 1,
    ),
    "remove_evidence": (
        with_evidence,
        "delete",
        "/evidence/{evidence}",
        None,
        allowed("admin", "lead_head", "assignee"),
        lambda t: t.evidence.count() == 0,
    ),
    "submit": (
        with_evidence,
        "post",
        "/tasks/{id}/submit",
        None,
        allowed("admin", "lead_head", "assignee"),
        lambda t: t.status == Status.SUBMITTED,
    ),
    "accept": (
        submitted,
        "post",
        "/tasks/{id}/review",
        {"decision": "accept", "comment": ""},
        allowed("admin", "lead_head"),
        lambda t: t.status == Status.DONE and t.completed_at is not None,
    ),
    "return": (
        submitted,
        "post",
        "/tasks/{id}/review",
        {"decision": "return", "comment": "Thiếu biên bản họp"},
        allowed("admin", "lead_head"),
        lambda t: t.status == Status.IN_PROGRESS,
    ),
    "cancel": (
        None,
        "post",
        "/tasks/{id}/cancel",
        {"reason": "Nhiệm vụ đã được lồng ghép vào kế hoạch khác"},
        allowed("admin", "plan_head"),
        lambda t: t.status == Status.CANCELLED,
    ),
    "request_extension": (
        None,
        "post",
        "/tasks/{id}/extension-requests",
        {"new_due_date": (TODAY + dt.timedelta(days=60)).isoformat(), "reason": "Chờ số liệu"},
        allowed("admin", "assignee"),
        lambda t: t.extension_requests.filter(status="pending").count() == 1,
    ),
    "decide_extension": (
        extension_pending,
        "post",
        "/extension-requests/{extension}/decide",
        {"approve": True, "comment": ""},
        allowed("admin", "lead_head"),
        lambda t: (
            t.due_date == TODAY + dt.timedelta(days=45)
            and t.original_due_date == TODAY + dt.timedelta(days=30)
        ),
    ),
}


def fill(value: Any, names: dict[str, int]) -> Any:
    """Put the ids of this test's objects into a path or body template."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        key = value[1:-1]
        return [names[key]] if key == "snv.cv2" else names[key]
    if isinstance(value, dict):
        return {k: fill(v, names) for k, v in value.items()}
    return value


def snapshot(task: Task) -> tuple[Any, ...]:
    task.refresh_from_db()
    return (
        task.version,
        task.status,
        task.title,
        task.due_date,
        task.subtasks.count(),
        Evidence.objects.filter(task=task).count(),
        ExtensionRequest.objects.filter(task=task, status="pending").count(),
        AuditEvent.objects.filter(object_id=task.pk, content_type__model="task").count(),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", CASES)
def test_permission_matrix(client: Client, fresh_task: Task, action: str, role: str) -> None:
    prepare, method, path, body, expected, changed = CASES[action]
    if prepare:
        prepare(fresh_task)
    names = {
        "id": fresh_task.pk,
        "plan": fresh_task.plan_id,
        "snv": fresh_task.lead_unit_id,
        "snv.cv2": official("snv.cv2").pk,
        "evidence": getattr(fresh_task.evidence.first(), "pk", 0),
        "extension": getattr(fresh_task.extension_requests.first(), "pk", 0),
    }
    url = "/api/v1" + path.format(**names)
    before = snapshot(fresh_task)
    login(client, ROLES[role])
    if method == "upload":
        response = client.post(
            url, {"file": upload("to-trinh.pdf", PDF), "document_number": "12/TTr-SNV"}
        )
    elif method in ("get", "delete"):
        response = getattr(client, method)(url)
    else:
        response = getattr(client, method)(
            url, json.dumps(fill(body, names) or {}), content_type="application/json"
        )
    want = expected[role]
    got = response.status_code
    if want == OK:
        assert got in (200, 201, 204), (action, role, response.content)
        fresh_task.refresh_from_db()
        assert changed(fresh_task), (action, role)
        if method != "get":
            assert snapshot(fresh_task) != before
    else:
        assert got == want, (action, role, response.content)
        assert response.json()["detail"]
        assert snapshot(fresh_task) == before, (action, role)


@pytest.mark.parametrize("role", ROLES)
def test_creating_a_task_is_for_the_plan_head_and_admin(
    client: Client, plan: Any, role: str
) -> None:
    login(client, ROLES[role])
    count = Task.objects.count()
    response = client.post(
        f"/api/v1/plans/{plan.pk}/tasks",
        json.dumps(
            {
                "title": "Tổ chức hội nghị tập huấn nghiệp vụ CCHC",
                "area": 1,
                "lead_unit_id": official("snv.head").unit_id,
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
