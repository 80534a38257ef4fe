"""The API reads JSON objects sent as JSON: anything else is refused before a view runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from assessments.services import open_assessment
from tasks.models import Task
from tests.api.test_tasks_api import Api
from tests.conftest import PDF, TODAY
from tests.factories import Province, sign_in

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


def test_a_nul_character_anywhere_in_text_is_refused_naming_where(
    client: Client, province: Province, task: Task
) -> None:
    api = Api(client, province.plan_head)
    answer = patch(api, task, '{"title": "R\\u00e0 so\\u00e1t\\u0000"}', "application/json")
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "title"]
    assert Task.objects.get(pk=task.pk).title == "Rà soát quy trình"
    found = api.client.get(f"/api/v1/plans/{task.plan_id}/tasks?q=%00", headers=api.headers)
    assert found.status_code == 422
    assert found.json()["errors"][0]["loc"] == ["query", "q"]
    upload = api.client.post(
        f"/api/v1/tasks/{task.pk}/evidence",
        {"file": SimpleUploadedFile("qd.pdf", PDF), "document_number": "12\x00/QĐ"},
        headers=api.headers,
    )
    assert upload.status_code == 422 and not task.evidence.exists()


def test_deep_nesting_and_large_bodies_are_refused_before_parsing(
    client: Client, province: Province, task: Task
) -> None:
    api = Api(client, province.plan_head)
    deep = patch(api, task, "[" * 100_000, "application/json")
    assert deep.status_code == 400
    assert "nested too deeply" in deep.json()["detail"]
    big = '{"title": "' + "x" * (3 * 1024 * 1024) + '"}'
    large = patch(api, task, big, "application/json")
    assert large.status_code == 413
    assert "too large" in large.json()["detail"]
    assert Task.objects.get(pk=task.pk).title == "Rà soát quy trình"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"}])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/tasks/{}"),
        ("post", "/tasks/{}/start"),
        ("patch", "/tasks/{}"),
        ("delete", "/evidence/{}"),
    ],
)
def test_a_call_without_a_valid_token_answers_401_whatever_the_method(
    client: Client, task: Task, headers: dict[str, str], method: str, path: str
) -> None:
    url = "/api/v1" + path.format(task.pk)
    if method == "get":
        answer = client.get(url, headers=headers)
    else:
        answer = getattr(client, method)(
            url, "{}", content_type="application/json", headers=headers
        )
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"].startswith("Bearer")
    assert answer.json()["detail"] == "Not authenticated."


def test_an_id_past_the_largest_is_not_found_on_pages_and_the_api(
    client: Client, province: Province
) -> None:
    api = Api(client, province.admin)
    huge = "99999999999999999999"
    assert api.client.get(f"/api/v1/tasks/{huge}", headers=api.headers).status_code == 404
    assert api.client.get(f"/tasks/{huge}/").status_code == 404
    # An assessment that exists, so that only the unit's id is out of range.
    assessment = open_assessment(
        province.committee,
        province.plan,
        self_closes_on=TODAY + dt.timedelta(days=1),
        appraisal_closes_on=TODAY + dt.timedelta(days=8),
    )
    sign_in(api.client, province.admin)
    base = f"/assessments/{assessment.pk}/units/"
    assert api.client.get(f"{base}{province.lead.pk}/").status_code == 200
    assert api.client.get(f"{base}{huge}/").status_code == 404
    assert api.client.get(f"{base}9223372036854775808/").status_code == 404
