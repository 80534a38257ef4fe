"""The API reads JSON objects sent as JSON: anything else is refused before a view runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from tasks.models import Task
from tests.api.test_tasks_api import Api
from tests.conftest import TODAY
from tests.factories import Province

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(province: Province) -> Task:
    return province.task(title="Rà soát quy trình", due_date=TODAY + dt.timedelta(days=30))


def patch(api: Api, task: Task, body: str | bytes, content_type: str) -> Any:
    return api.client.patch(
        f"/api/v1/tasks/{task.pk}", body, content_type=content_type, headers=api.headers
    )


@pytest.mark.parametrize(
    ("body", "content_type", "status", "detail"),
    [
        (
            '"x"',
            "application/json",
            422,
            "The body must be a JSON object, with the fields by name.",
        ),
        (
            "[1, 2]",
            "application/json",
            422,
            "The body must be a JSON object, with the fields by name.",
        ),
        ("{", "application/json", 400, "The body is not valid JSON."),
        (
            '{"title": "Đổi qua text/plain"}',
            "text/plain",
            415,
            "Send the body as JSON, with the header Content-Type: application/json.",
        ),
        (
            "title=%C4%90%E1%BB%95i",
            "application/x-www-form-urlencoded",
            415,
            "Send the body as JSON, with the header Content-Type: application/json.",
        ),
    ],
)
def test_a_body_that_is_not_a_json_object_changes_nothing(
    client: Client,
    province: Province,
    task: Task,
    body: str,
    content_type: str,
    status: int,
    detail: str,
) -> None:
    api = Api(client, province.lead_head)
    answer = patch(api, task, body, content_type)
    assert answer.status_code == status
    assert answer.json() == {"detail": detail}
    task.refresh_from_db()
    assert task.title == "Rà soát quy trình" and task.version == 1


def test_a_json_object_is_read_and_in_vietnamese_when_asked(
    client: Client, province: Province, task: Task
) -> None:
    api = Api(client, province.lead_head)
    saved = patch(api, task, '{"title": "Rà soát quy trình nội bộ"}', "application/json")
    assert saved.status_code == 200 and saved.json()["title"] == "Rà soát quy trình nội bộ"
    refused = api.client.patch(
        f"/api/v1/tasks/{task.pk}",
        '"x"',
        content_type="application/json",
        headers={**api.headers, "Accept-Language": "vi"},
    )
    assert refused.status_code == 422
    assert (
        refused.json()["detail"] == "Nội dung gửi phải là một đối tượng JSON, các trường theo tên."
    )
